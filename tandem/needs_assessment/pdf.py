"""The request pack as a PDF and as a ZIP (the PDF, a README and the attachments). Pure: no Django.

Any `Pack` prints this way (the Ofsted inspection trail too): its title, note and footer say what it is."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from fpdf.enums import XPos, YPos

from tandem.exchange.parent_pdf import FONT, Document, date_in_words
from tandem.needs_assessment.pack import Pack, Section

_LINE = 5.5


def pack_pdf(pack: Pack) -> bytes:
    doc = Document(
        title=f"{pack.title}: {pack.pupil_name}",
        footer=f"{pack.footer_label}, {date_in_words(pack.made_on)}",
        school=pack.school,
        made_on=pack.made_on,
    )

    def block(text: str, size: float = 10, style: str = "") -> None:
        doc.set_font(FONT, style, size)
        doc.multi_cell(0, _LINE + (size - 11) / 2, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    block(f"{pack.title}: {pack.pupil_name}", 18, "B")
    block(f"{pack.school}, prepared {date_in_words(pack.made_on)}. {pack.note}".strip(), 11)
    for section in pack.sections:
        doc.ln(3)
        if doc.will_page_break(20):
            doc.add_page()
        doc.start_section(section.title, level=1)
        _write_section(section, block)
    if pack.attachments:
        doc.ln(3)
        block("Attached documents", 14, "B")
        for attachment in pack.attachments:
            block(attachment.name)
    return bytes(doc.output())


def _write_section(section: Section, write: Callable[..., None]) -> None:
    """`write(text, size=10, style="")`: one block of text in the document."""
    write(section.title, 14, "B")
    if section.is_empty:
        write(section.empty)
        return
    for label, text in section.lines:
        write(f"{label}: {text or 'Not recorded'}")
    for table in section.tables:
        write(table.caption, 11, "B")
        if not table.rows:
            write(section.empty)
        for number, row in enumerate(table.rows, start=1):
            write(f"{number}. " + " | ".join(f"{h}: {v}" for h, v in zip(table.headers, row, strict=True)))


def pack_zip(pack: Pack, pdf: bytes) -> bytes:
    """The PDF, a README saying what is inside, and each attachment under attachments/."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("request.pdf", pdf)
        names = "\n".join(f"- attachments/{a.name}" for a in pack.attachments) or "- (none)"
        archive.writestr(
            "README.txt",
            f"Request for an EHC needs assessment, prepared by {pack.school} on "
            f"{date_in_words(pack.made_on)}.\n\nrequest.pdf: the graduated approach so far, interventions, "
            "progress, specialist advice and the views of the pupil and their parents.\n\n"
            f"Attachments:\n{names}\n",
        )
        for attachment in pack.attachments:
            archive.writestr(f"attachments/{attachment.name}", attachment.content)
    return buffer.getvalue()
