"""Tandem's backup file: a small clear header, then a tar stream (manifest first, then the database).

    b"TANDEM-BACKUP\n"  4-byte big-endian header length  header JSON  payload

The header says only what is needed to read the rest (format, engine, time, encryption parameters).
Row counts and checksums live in the manifest inside the payload, so an encrypted backup gives away
nothing about the school but its size.

Encryption (when the school sets a passphrase) is AES-256-GCM from `cryptography` in the "STREAM"
construction (as in Tink and age): the payload is cut into 1 MiB chunks, each sealed on its own with a
nonce of random prefix + chunk counter + last-chunk flag, and the header as associated data. So a
backup of any size is encrypted and checked in constant memory, a flipped byte anywhere fails its
chunk, and a file cut short (even exactly between chunks) fails because its last chunk was not sealed
as the last. The key comes from the passphrase through scrypt with a random salt kept in the header;
a second part of the scrypt output is stored as a verifier, so a wrong passphrase is told apart from
a damaged file. Pure: no Django here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import struct
from typing import IO, Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"TANDEM-BACKUP\n"
# A plain (unencrypted) payload ends with this and the SHA-256 of the header and payload, so a byte
# flipped anywhere or a file cut short anywhere is noticed, as the seals do for an encrypted one.
END = b"TANDEM-BACKUP-END\n"
_FOOTER = len(END) + 32
FORMAT_VERSION = 1
CHUNK_SIZE = 1 << 20
_TAG_SIZE = 16
_NONCE_PREFIX_SIZE = 7
# scrypt at the cost OWASP recommends (N=2^17, r=8, p=1): about 128 MiB and a fraction of a second,
# once per backup or restore.
_SCRYPT = {"n": 1 << 17, "r": 8, "p": 1}
_MAX_HEADER = 64 * 1024


class BackupError(Exception):
    """A backup or restore could not be done; the message says why in plain words."""


class BackupFileError(BackupError):
    """The file is not a Tandem backup, or it is damaged or cut short. Nothing has been changed."""


class WrongPassphrase(BackupFileError):
    """The backup is encrypted and the passphrase given does not open it (or none was given)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise BackupFileError("The backup's header is damaged.")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise BackupFileError("The backup's header is damaged.") from None


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return material[:32], material[32:48]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 1 << 32:
        raise BackupFileError("The backup is too large for one file (over 4 PiB).")
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class _SealingWriter(io.RawIOBase):
    """A write-only stream that seals everything written to it, chunk by chunk, into `out`."""

    def __init__(self, out: BinaryIO, key: bytes, prefix: bytes, aad: bytes) -> None:
        super().__init__()
        self._out, self._aead, self._prefix, self._aad = out, AESGCM(key), prefix, aad
        self._buffer = bytearray()
        self._counter = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = bytes(data)
        self._buffer += view
        # Keep at least one byte back: only close() knows which chunk is the last.
        while len(self._buffer) > CHUNK_SIZE:
            self._seal(bytes(self._buffer[:CHUNK_SIZE]), last=False)
            del self._buffer[:CHUNK_SIZE]
        return len(view)

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._prefix, self._counter, last), chunk, self._aad))
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class _OpeningReader(io.RawIOBase):
    """A read-only stream of the plaintext; each chunk is authenticated before any of it is returned."""

    def __init__(self, source: BinaryIO, key: bytes, prefix: bytes, aad: bytes) -> None:
        super().__init__()
        self._source, self._aead, self._prefix, self._aad = source, AESGCM(key), prefix, aad
        self._counter = 0
        self._plain = b""
        self._next = source.read(CHUNK_SIZE + _TAG_SIZE)
        self._done = False

    def readable(self) -> bool:
        return True

    def _open_next(self) -> None:
        sealed = self._next
        self._next = self._source.read(CHUNK_SIZE + _TAG_SIZE) if sealed else b""
        last = not self._next
        if len(sealed) < _TAG_SIZE or (not last and len(sealed) != CHUNK_SIZE + _TAG_SIZE):
            raise BackupFileError("The backup is cut short or damaged.")
        try:
            self._plain = self._aead.decrypt(_nonce(self._prefix, self._counter, last), sealed, self._aad)
        except InvalidTag:
            raise BackupFileError(
                "The backup is damaged or cut short: part of it does not match its seal."
            ) from None
        self._counter += 1
        self._done = last

    def readinto(self, buffer: Any) -> int:
        while not self._plain:
            if self._done:
                return 0
            self._open_next()
        size = min(len(buffer), len(self._plain))
        buffer[:size] = self._plain[:size]
        self._plain = self._plain[size:]
        return size


def write_header(out: BinaryIO, header: dict[str, Any]) -> bytes:
    encoded = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    out.write(MAGIC + struct.pack(">I", len(encoded)) + encoded)
    return encoded


def open_writer(out: BinaryIO, header: dict[str, Any], passphrase: str) -> IO[bytes]:
    """Write the header to `out` and return the stream the payload is written to (close it at the end)."""
    header = dict(header, format=FORMAT_VERSION, encryption=None)
    if not passphrase:
        return io.BufferedWriter(_DigestWriter(out, write_header(out, header)), buffer_size=CHUNK_SIZE)
    salt, prefix = os.urandom(16), os.urandom(_NONCE_PREFIX_SIZE)
    key, verifier = _derive(passphrase, salt, **_SCRYPT)
    header["encryption"] = {
        "cipher": "AES-256-GCM",
        "chunk_size": CHUNK_SIZE,
        "kdf": "scrypt",
        **_SCRYPT,
        "salt": _b64(salt),
        "nonce_prefix": _b64(prefix),
        "verifier": _b64(verifier),
    }
    aad = write_header(out, header)
    return io.BufferedWriter(_SealingWriter(out, key, prefix, aad), buffer_size=CHUNK_SIZE)


class _DigestWriter(io.RawIOBase):
    """Passes writes through and, on close, ends the file with END and the digest (leaving `out` open)."""

    def __init__(self, out: BinaryIO, header: bytes) -> None:
        super().__init__()
        self._out, self._digest = out, hashlib.sha256(header)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        block = bytes(data)
        self._digest.update(block)
        self._out.write(block)
        return len(block)

    def close(self) -> None:
        if not self.closed:
            self._out.write(END + self._digest.digest())
        super().close()


class _DigestReader(io.RawIOBase):
    """Reads a plain payload, holding back the footer; at the end, checks it against the digest."""

    def __init__(self, source: BinaryIO, header: bytes) -> None:
        super().__init__()
        self._source, self._digest = source, hashlib.sha256(header)
        self._tail = b""
        self._ready = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._ready:
            if self._done:
                return 0
            block = self._source.read(CHUNK_SIZE)
            if not block:
                self._done = True
                if not hmac.compare_digest(self._tail, END + self._digest.digest()):
                    raise BackupFileError("The backup is damaged or cut short: it does not match its digest.")
                return 0
            data = self._tail + block
            self._ready, self._tail = data[:-_FOOTER], data[-_FOOTER:]
            self._digest.update(self._ready)
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size


def read_header(source: BinaryIO) -> tuple[dict[str, Any], bytes]:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupFileError("This is not a Tandem backup file (or its first bytes are damaged).")
    size_bytes = source.read(4)
    if len(size_bytes) != 4:
        raise BackupFileError("The backup is cut short: its header is incomplete.")
    (size,) = struct.unpack(">I", size_bytes)
    if size > _MAX_HEADER:
        raise BackupFileError("The backup's header is damaged.")
    encoded = source.read(size)
    try:
        header = json.loads(encoded.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BackupFileError("The backup's header is damaged or cut short.") from None
    if not isinstance(header, dict) or "format" not in header:
        raise BackupFileError("The backup's header is damaged.")
    if header["format"] != FORMAT_VERSION:
        raise BackupFileError(
            f"This backup is in format {header['format']!r}, which this version of Tandem cannot read."
        )
    return header, encoded


def open_reader(source: BinaryIO, passphrase: str) -> tuple[dict[str, Any], IO[bytes]]:
    """Read the header and return it with the plaintext payload stream."""
    header, encoded = read_header(source)
    encryption = header.get("encryption")
    if encryption is None:
        return header, io.BufferedReader(_DigestReader(source, encoded), buffer_size=CHUNK_SIZE)
    if not isinstance(encryption, dict) or encryption.get("cipher") != "AES-256-GCM":
        raise BackupFileError("The backup's header is damaged (unknown encryption).")
    if not passphrase:
        raise WrongPassphrase(
            "This backup is encrypted: set TANDEM_BACKUP_PASSPHRASE (or give --passphrase-env) to the "
            "passphrase it was made with."
        )
    if encryption.get("chunk_size") != CHUNK_SIZE:
        raise BackupFileError("The backup's header is damaged (chunk size).")
    try:
        n, r, p = (int(encryption[name]) for name in ("n", "r", "p"))
        if not (1 < n <= 1 << 20 and 0 < r <= 32 and 0 < p <= 16):
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise BackupFileError("The backup's header is damaged (key parameters).") from None
    salt, prefix = _unb64(encryption.get("salt")), _unb64(encryption.get("nonce_prefix"))
    verifier = _unb64(encryption.get("verifier"))
    if len(prefix) != _NONCE_PREFIX_SIZE:
        raise BackupFileError("The backup's header is damaged.")
    key, expected = _derive(passphrase, salt, n, r, p)
    if not hmac.compare_digest(expected, verifier):
        raise WrongPassphrase("The passphrase does not open this backup. Nothing has been changed.")
    return header, io.BufferedReader(_OpeningReader(source, key, prefix, encoded), buffer_size=CHUNK_SIZE)
