"""Where advice documents' bytes live: files in TANDEM_DOCUMENTS_DIR, each under a random name, the folder
readable by the server's user only. Nothing here decides who may read a file: the views do that through
the access layer before they ask for one."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from django.conf import settings

from tandem.lib.uploads import KINDS, FileKind

# A stored name is Tandem's own: 32 random hex digits and the extension of what the file really is. Anything
# else (a path, "..") is refused before it comes near the file system.
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:" + "|".join(k.extension for k in KINDS) + r")")
_PRIVATE_DIR = 0o700
_PRIVATE_FILE = 0o600


class StoredFileMissing(Exception):
    """A document's file is not where its record says (deleted by hand, or a restore without the folder)."""


def documents_dir() -> Path:
    """The folder, made on first use with the server's user as its only reader."""
    folder = Path(settings.TANDEM_DOCUMENTS_DIR)
    folder.mkdir(mode=_PRIVATE_DIR, parents=True, exist_ok=True)
    # mkdir's mode is trimmed by the umask, and an older folder may have been made by hand: set it.
    if folder.stat().st_mode & 0o077:
        folder.chmod(_PRIVATE_DIR)
    return folder


def stored_path(stored_name: str) -> Path:
    if not _STORED_NAME.fullmatch(stored_name):
        raise ValueError("not a stored document name")
    return documents_dir() / stored_name


def store(data: bytes, kind: FileKind) -> str:
    """Write the bytes under a new random name, completely or not at all; return the name."""
    folder = documents_dir()
    name = f"{secrets.token_hex(16)}.{kind.extension}"
    partial = folder / f".{name}.partial"
    # O_EXCL: never write into a file that is already there; the mode keeps it private from its first byte.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # A rename in one folder is all or nothing: a reader sees the whole file or no file.
        os.replace(partial, folder / name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    return name


def read(stored_name: str) -> bytes:
    try:
        return stored_path(stored_name).read_bytes()
    except FileNotFoundError:
        raise StoredFileMissing(stored_name) from None


def remove(stored_name: str) -> None:
    """Delete a stored file; one already gone is not an error."""
    with contextlib.suppress(FileNotFoundError):
        stored_path(stored_name).unlink()
