"""What a school document is made of, as plain data: sections of labelled lines and tables of text, the
school's own words for each section, and the whole document ready to print.

Pure Python (no Django), so the page, the PDF and the Word document are all drawn from the same
`Printable` and say exactly the same thing. A section's figures are stored as JSON in the version
(`to_json` / `from_json`) as they were when drafted or refreshed: a published document never changes
because the data under it did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tandem.lib.disclosure import HIDDEN

# Printed on every page, and on every page of every file, of a document that holds figures about pupils.
INTERNAL_WARNING = "Contains information about pupils: do not publish"


class Audience(StrEnum):
    PUBLISHED = "published"  # goes on the school's website: every count passes disclosure control
    INTERNAL = "internal"  # for governors, the trust board or inspectors: pupil data, never published


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    """A section's figures: what a builder draws from the data (the school writes its text beside it)."""

    title: str
    lines: tuple[tuple[str, str], ...] = ()  # (label, text)
    tables: tuple[Table, ...] = ()
    guidance: str = ""  # what the school might write here
    empty: str = "Nothing recorded for this period."  # said when there are no figures at all

    @property
    def has_figures(self) -> bool:
        return bool(self.lines) or any(table.rows for table in self.tables)


@dataclass(frozen=True)
class StoredSection:
    """A section as a version keeps it: its figures as drawn and the school's text."""

    key: str
    section: Section
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        s = self.section
        return {
            "key": self.key,
            "title": s.title,
            "lines": [[label, text] for label, text in s.lines],
            "tables": [
                {"caption": t.caption, "headers": list(t.headers), "rows": [list(row) for row in t.rows]}
                for t in s.tables
            ],
            "guidance": s.guidance,
            "empty": s.empty,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoredSection:
        section = Section(
            title=str(data.get("title", "")),
            lines=tuple((str(label), str(text)) for label, text in data.get("lines", [])),
            tables=tuple(
                Table(
                    caption=str(t.get("caption", "")),
                    headers=tuple(str(h) for h in t.get("headers", [])),
                    rows=tuple(tuple(str(cell) for cell in row) for row in t.get("rows", [])),
                )
                for t in data.get("tables", [])
            ),
            guidance=str(data.get("guidance", "")),
            empty=str(data.get("empty", "")),
        )
        return cls(key=str(data.get("key", "")), section=section, text=str(data.get("text", "")))


def sections_from_json(data: Sequence[Mapping[str, Any]]) -> list[StoredSection]:
    return [StoredSection.from_json(item) for item in data]


def sections_to_json(sections: Sequence[StoredSection]) -> list[dict[str, Any]]:
    return [section.to_json() for section in sections]


def paragraphs(text: str) -> list[str]:
    """The school's text as paragraphs: a blank line starts a new one; single line breaks are kept."""
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = [block.strip() for block in cleaned.split("\n\n")]
    return [block for block in blocks if block]


@dataclass(frozen=True)
class Printable:
    """One version of a document, as every output shows it."""

    title: str  # the kind's title: "Termly SEND report to governors and the trust board"
    school: str
    period: str  # "Autumn 2026/27", or "1 September 2026 to 31 December 2026"
    version: str  # "Version 2, published 7 December 2026" or "Version 3, draft"
    drawn_on: dt.date  # the day the figures were drawn
    made_on: dt.date  # the document's own date (published, else drawn): the PDF's creation date
    warning: str  # INTERNAL_WARNING, or "" for a document meant for the website
    is_draft: bool
    sections: tuple[StoredSection, ...] = field(default_factory=tuple)
    # What "hidden" stands for (HIDDEN_MEANS with the threshold), said once near the top of every output
    # of a published document that has a hidden figure; "" when nothing is hidden.
    hidden_means: str = ""

    @property
    def file_stem(self) -> str:
        """A file name without its extension, from the title, period and version: letters, digits and
        hyphens only (ASCII, so every system keeps it as it is)."""
        named = f"{self.title} {self.period} {self.version}"
        words = "".join(ch.lower() if ch.isascii() and ch.isalnum() else " " for ch in named).split()
        return "-".join(words) or "document"

    def section(self, key: str) -> StoredSection:
        return next(s for s in self.sections if s.key == key)


COMMENTARY_HEADING = "The school's commentary"
NO_TEXT_YET = "No text written yet."
NOTHING_WRITTEN = "Nothing written for this section."
NONE_LISTED = "None."


def _hides(text: str) -> bool:
    # A hidden count is the whole cell, or the start of a line's text ("hidden (of 40 pupils)").
    return text == HIDDEN or text.startswith(f"{HIDDEN} ")


def has_hidden(sections: Sequence[StoredSection]) -> bool:
    """Whether any figure of these sections was hidden by disclosure control."""
    return any(
        _hides(text)
        for s in sections
        for text in (
            *(text for _, text in s.section.lines),
            *(cell for table in s.section.tables for row in table.rows for cell in row),
        )
    )


def has_figures(section: StoredSection) -> bool:
    """Whether the section shows anything drawn from the data (a table with no rows still says "none")."""
    return bool(section.section.lines or section.section.tables)


def school_text(section: StoredSection, *, is_draft: bool) -> list[str]:
    """The school's paragraphs for a section as printed: a draft says where text is still missing; a
    published document leaves a gap unsaid, unless the section would otherwise be empty."""
    written = paragraphs(section.text)
    if written:
        return written
    if is_draft:
        return [NO_TEXT_YET]
    return [] if has_figures(section) else [NOTHING_WRITTEN]
