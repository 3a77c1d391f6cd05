"""The EHC needs assessment request pack: what a SENCo sends the local authority when asking it to assess a
pupil (Code 9.14: the evidence of the action the school has taken through SEN support).

`Pack` is plain data (sections of labelled lines and tables) so the page the SENCo checks, the PDF and the
ZIP all show exactly the same words and figures. Each section is read through the selector its own page
uses (the pupil's timeline, interventions and progress), never recomputed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


@dataclass
class Section:
    key: str  # stable, for tests and anchors
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, text)
    tables: list[Table] = field(default_factory=list)
    empty: str = "Nothing recorded."

    @property
    def is_empty(self) -> bool:
        return not self.lines and not any(t.rows for t in self.tables)


@dataclass(frozen=True)
class Attachment:
    name: str  # the file's name inside the ZIP
    content: bytes


@dataclass
class Pack:
    pupil_name: str
    school: str
    made_on: dt.date
    sections: list[Section]
    attachments: list[Attachment] = field(default_factory=list)
    # What the document is: the PDF's heading and footer. The Ofsted inspection trail reuses this layout.
    title: str = "Request for an EHC needs assessment"
    note: str = "Checked by the SENCo before sending."
    footer_label: str = "EHC needs assessment request"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)
