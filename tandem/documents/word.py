"""A school document as a Word file the school can edit further: the title, real Word headings (so Word's
navigation pane and contents work), real Word tables with a header row that repeats across pages, and the
warning in the page header of a document that holds figures about pupils. Pure: no Django."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document as new_document
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.shared import Pt, RGBColor

from tandem.documents.content import (
    COMMENTARY_HEADING,
    NONE_LISTED,
    Printable,
    StoredSection,
    Table,
    has_figures,
    school_text,
)
from tandem.lib.terms import day_in_words

_WARNING_INK = RGBColor(0x96, 0x14, 0x14)


def _repeat_as_header(row_xml: CT_Row) -> None:
    """Mark a table row as its header: Word repeats it on each page and screen readers announce it."""
    properties = row_xml.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _table(doc: WordDocument, table: Table, empty: str) -> None:
    doc.add_paragraph(table.caption, style="Caption")
    if not table.rows:
        doc.add_paragraph(empty or NONE_LISTED)
        return
    grid = doc.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    _repeat_as_header(grid.rows[0]._tr)
    for values in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    doc.add_paragraph()


def _section(doc: WordDocument, section: StoredSection, *, is_draft: bool) -> None:
    figures = section.section
    doc.add_heading(figures.title, level=1)
    if not has_figures(section) and figures.empty:
        doc.add_paragraph(figures.empty)
    for label, text in figures.lines:
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(text)
    for table in figures.tables:
        _table(doc, table, figures.empty)
    written = school_text(section, is_draft=is_draft)
    if written and has_figures(section):
        doc.add_heading(COMMENTARY_HEADING, level=2)
    for text in written:
        doc.add_paragraph(text)


def document_docx(printable: Printable) -> bytes:
    doc = new_document()
    properties = doc.core_properties
    properties.title = f"{printable.title}: {printable.school}, {printable.period}"
    properties.author = printable.school
    properties.last_modified_by = "Tandem"
    properties.language = "en-GB"
    # The document's own date, not the clock: the same version always gives the same properties.
    made = dt.datetime.combine(printable.made_on, dt.time(), tzinfo=dt.UTC)
    properties.created = made
    properties.modified = made
    properties.revision = 1
    if printable.warning:
        header = doc.sections[0].header.paragraphs[0]
        run = header.add_run(printable.warning)
        run.bold = True
        run.font.color.rgb = _WARNING_INK
    doc.add_heading(printable.title, level=0)
    doc.add_paragraph().add_run(printable.school).font.size = Pt(13)
    doc.add_paragraph(f"{printable.period}. {printable.version}.")
    doc.add_paragraph(f"Figures as they stood on {day_in_words(printable.drawn_on)}.")
    if printable.hidden_means:
        doc.add_paragraph(printable.hidden_means)
    if printable.warning:
        doc.add_paragraph().add_run(printable.warning).bold = True
    for section in printable.sections:
        _section(doc, section, is_draft=printable.is_draft)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
