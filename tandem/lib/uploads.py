"""Which documents Tandem keeps: the kind of an uploaded file, told from its own first bytes, and its size.

Pure Python, no Django. A file's name and the type the browser sends are chosen by whoever sends it, so
neither is believed: the bytes say what the file is. Only four kinds are kept (PDF, Word .docx, JPEG and
PNG), the formats specialists' reports and scanned letters arrive in; everything else is refused with a
reason a SENCo can act on ("save it as a PDF"), and a program or a web page is named as such, because
a file that runs or renders in a browser is the one a school least wants to pass from person to person.

A DOCX is a zip archive; a zip that is not a Word document (or a Word document carrying macros) is
refused. Its entries are listed, never unpacked, so a "zip bomb" costs nothing to check.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MEGABYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MEGABYTE


@dataclass(frozen=True)
class FileKind:
    code: str  # short and stable: stored names end in it
    label: str  # as people call it
    content_type: str  # what a download is served as
    extension: str


PDF = FileKind("pdf", "PDF", "application/pdf", "pdf")
DOCX = FileKind(
    "docx",
    "Word document (.docx)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)
JPEG = FileKind("jpeg", "JPEG picture", "image/jpeg", "jpg")
PNG = FileKind("png", "PNG picture", "image/png", "png")
KINDS: tuple[FileKind, ...] = (PDF, DOCX, JPEG, PNG)
BY_CODE = {kind.code: kind for kind in KINDS}
CONTENT_TYPES = frozenset(kind.content_type for kind in KINDS)

ACCEPTED = "Tandem keeps PDF, Word (.docx), JPEG and PNG files only"
SAVE_AS_PDF = "Save or print the document as a PDF and upload that."
EMPTY = "The file is empty. Choose the document again; if it still fails, open it to check."


class UploadRefused(ValueError):
    """The file is not kept; `message` says why, in words for the person who chose it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---- sizes -----------------------------------------------------------------------------------------
def size_text(size: int) -> str:
    """A size as people read it: "850 KB", "12.5 MB", "10 MB"."""
    if size < MEGABYTE:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / MEGABYTE:.1f}".removesuffix(".0") + " MB"


def check_size(size: int, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse an empty file and one over the limit, before anything reads it."""
    if size <= 0:
        raise UploadRefused(EMPTY)
    if size > max_bytes:
        raise UploadRefused(
            f"The file is {size_text(size)}; the most Tandem takes is {size_text(max_bytes)}. "
            "Save it at a smaller size (for a scan, a lower resolution or black and white) and upload that."
        )


# ---- kinds -----------------------------------------------------------------------------------------
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 (.doc), old Excel, Outlook .msg
_MACH_O = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
# A web page may start with a byte-order mark, blank lines or a comment before its first tag.
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<svg", b"<!--")
# A PDF ends with %%EOF; readers allow a little after it (a newline, padding), and so does this check.
_PDF_TAIL = 1024


def _program(data: bytes) -> str | None:
    """What kind of program the bytes are, if they are one."""
    if data.startswith(b"MZ"):
        return "a Windows program"
    if data.startswith(b"\x7fELF"):
        return "a Linux program"
    if data.startswith(_MACH_O):
        return "a Mac program"
    if data.startswith(b"#!"):
        return "a script (a program in text)"
    return None


def _is_html(data: bytes) -> bool:
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n\x0c").lower()
    return start.startswith(_HTML_STARTS) or (start.startswith(b"<?xml") and b"<html" in data[:4096].lower())


def _docx_problem(data: bytes) -> str | None:
    """Why a zip is not a Word document Tandem keeps; None when it is one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        return "The file looks like a Word document (.docx) but is damaged or incomplete. " + SAVE_AS_PDF
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        return (
            "This is a zip archive, not a Word document (.docx). Upload the document itself, "
            "not a folder of files. " + SAVE_AS_PDF
        )
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return (
            "This Word document contains macros (small programs), which Tandem does not keep. " + SAVE_AS_PDF
        )
    return None


def identify(data: bytes) -> FileKind:
    """The kind of document these bytes are, from the bytes alone; UploadRefused for anything else."""
    if not data:
        raise UploadRefused(EMPTY)
    program = _program(data)
    if program is not None:
        raise UploadRefused(f"This file is {program}, not a document. {ACCEPTED}.")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-_PDF_TAIL:]:
            raise UploadRefused(
                "The PDF is incomplete (its end is missing). Save it again and upload the new copy."
            )
        return PDF
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR":
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(_ZIP_SIGNATURE):
        problem = _docx_problem(data)
        if problem is not None:
            raise UploadRefused(problem)
        return DOCX
    if data.startswith(_OLE_SIGNATURE):
        raise UploadRefused(
            "This is an older Office file (for example Word 97-2003, .doc), which Tandem does not keep. "
            "Save it as a Word document (.docx) or as a PDF and upload that."
        )
    if _is_html(data):
        raise UploadRefused(f"This file is a web page (HTML), not a document. {ACCEPTED}. {SAVE_AS_PDF}")
    raise UploadRefused(f"Tandem could not tell what this file is. {ACCEPTED}. {SAVE_AS_PDF}")


def check_upload(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FileKind:
    """Size first, then kind: the checks an uploaded document passes before it is stored."""
    check_size(len(data), max_bytes=max_bytes)
    return identify(data)


# ---- names -----------------------------------------------------------------------------------------
NAME_LIMIT = 150


def display_name(name: str, kind: FileKind) -> str:
    """The name a person gave the file, made safe to show and to offer on download: no folders, no control
    characters, not too long, and ending in the extension of what the file really is."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem = base
    allowed_ext = {kind.extension, *(("jpeg",) if kind is JPEG else ())}
    if dot and ext.lower() in allowed_ext:
        stem, extension = stem, ext.lower()
    else:
        stem, extension = (f"{stem}.{ext}" if dot else stem), kind.extension
    stem = stem.strip(" .")[: NAME_LIMIT - len(extension) - 1] or "document"
    return f"{stem}.{extension}"
