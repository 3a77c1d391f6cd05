"""The readable half of a subject access export: every section of the JSON as headed lists of labelled
fields, in the bundled font (names in any script print). Pure Python: it is handed the export's data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fpdf.enums import XPos, YPos

from tandem.exchange.parent_pdf import FONT, Document

_LINE = 5.0


def _label(field: str) -> str:
    text = field.removesuffix("_id").replace("_", " ")
    return text[:1].upper() + text[1:]


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "Not recorded"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


def subject_access_pdf(data: dict[str, Any]) -> bytes:
    made = dt.datetime.fromisoformat(data["generated_at"]).date()
    subject = data["subject"]
    name = (
        subject.get("full_name") or f"{subject.get('legal_forename', '')} {subject.get('legal_surname', '')}"
    )
    name = name.strip()
    doc = Document(
        title=f"Records held about {name}",
        footer=f"Subject access export, {made:%d %B %Y}",
        school=data["school"],
        made_on=made,
    )

    def block(text: str, size: float, style: str = "") -> None:
        doc.set_font(FONT, style, size)
        doc.multi_cell(0, _LINE + (size - 11) / 2, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    block(f"Records held about {name}", 18, "B")
    block(f"{data['school']}, as on {made:%d %B %Y}", 11)
    doc.ln(3)
    block("The pupil" if "legal_surname" in subject else "The member of staff", 14, "B")
    for field, value in subject.items():
        block(f"{_label(field)}: {_shown(value)}", 10)
    for section in data["sections"]:
        doc.ln(3)
        if doc.will_page_break(20):
            doc.add_page()
        doc.start_section(section["title"], level=1)
        records = section["records"]
        block(f"{section['title']} ({len(records)})", 14, "B")
        if not records:
            block("None.", 10)
        for number, record in enumerate(records, start=1):
            doc.ln(1)
            block(f"{number}.", 10, "B")
            for field, value in record.items():
                block(f"{_label(field)}: {_shown(value)}", 10)
    return bytes(doc.output())
