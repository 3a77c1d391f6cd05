"""Reading back what a page, a PDF and a Word file say, for the documents' tests."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from docx import Document as read_docx
from docx.document import Document as WordDocument
from pypdf import PdfReader


class _Tables(HTMLParser):
    """Every table on a page: its caption and its rows of cell text (visually hidden text left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.measures: dict[str, str] = {}
        self._caption: list[str] | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._measure = ""
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self._hidden or "visually-hidden" in (found.get("class") or ""):
            self._hidden += 1
            return
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []
            self._measure = found.get("data-measure") or ""
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            self._hidden -= 1
            return
        if tag == "caption" and self._caption is not None:
            self._name = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            text = " ".join("".join(self._cell).split())
            self._rows[-1].append(text)
            if self._measure:
                self.measures[self._measure] = text
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[getattr(self, "_name", "")] = [row for row in self._rows if row]
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> _Tables:
    reader = _Tables()
    reader.feed(html)
    return reader


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text, with runs of white space made one space."""
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def word(docx: bytes) -> WordDocument:
    return read_docx(io.BytesIO(docx))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
