"""A school document as a PDF: A4, the bundled font, real tables, the warning on every page of a document
that holds figures about pupils. Pure: no Django; reads a `Printable` and nothing else."""

from __future__ import annotations

import datetime as dt

from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from tandem.documents.content import (
    COMMENTARY_HEADING,
    NONE_LISTED,
    Printable,
    StoredSection,
    Table,
    has_figures,
    school_text,
)
from tandem.exchange.parent_pdf import FONT, Document
from tandem.lib.terms import day_in_words

_MARGIN = 18.0
_BODY = 10.5
_LINE = 5.5
_TABLE_SIZE = 9
_INK = (26, 26, 26)
_HEADING_INK = (20, 55, 95)
_WARNING_INK = (150, 20, 20)
_HEADINGS_FILL = (222, 231, 242)


class _Report(Document):
    """Tandem's A4 layout with a warning line at the top of every page when there is one to give."""

    def __init__(self, *, warning: str, title: str, footer: str, school: str, made_on: dt.date) -> None:
        # Set before the first page is added (by Document.__init__), whose header reads it.
        self._warning = warning
        super().__init__(
            title=title, footer=footer, school=school, made_on=made_on, margin=_MARGIN, footer_size=8
        )

    def header(self) -> None:
        if not self._warning:
            return
        self.set_font(FONT, "B", 9)
        self.set_text_color(*_WARNING_INK)
        self.cell(0, 5, self._warning, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self._plain()

    def _plain(self, style: str = "", size: float = _BODY) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*_INK)

    def block(self, text: str, *, size: float = _BODY, style: str = "", height: float = _LINE) -> None:
        self._plain(style, size)
        self.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str, *, level: int) -> None:
        size = {0: 18, 1: 14, 2: 11.5}[level]
        # Keep a heading with a few lines of what follows it.
        if level and self.will_page_break(10 + 3 * _LINE):
            self.add_page()
        self.ln(4 if level == 1 else 2)
        self.set_font(FONT, "B", size)
        self.set_text_color(*_HEADING_INK)
        self.start_section(text, level=level)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self._plain()

    def labelled(self, label: str, text: str) -> None:
        self._plain("B")
        self.write(_LINE, f"{label}: ")
        self._plain()
        self.write(_LINE, text)
        self.ln(_LINE + 0.5)

    def table_of(self, table: Table, empty: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.ln(1)
        self.block(table.caption, style="B")
        if not table.rows:
            self.block(empty or NONE_LISTED)
            return
        self._plain(size=_TABLE_SIZE)
        columns = len(table.headers)
        # The first column names the row, so it gets more room.
        weights = [3.0, 1.0] if columns == 2 else [2.2] + [1.0] * (columns - 1)
        width = self.w - self.l_margin - self.r_margin
        widths = tuple(width * w / sum(weights) for w in weights)
        with self.table(
            col_widths=widths,
            width=width,
            align="LEFT",
            text_align="LEFT",
            line_height=self.font_size * 1.35,
            padding=(0.8, 1.2),
            headings_style=FontFace(emphasis="BOLD", color=_HEADING_INK, fill_color=_HEADINGS_FILL),
            repeat_headings=1,
        ) as grid:
            heading = grid.row()
            for text in table.headers:
                heading.cell(text)
            for values in table.rows:
                row = grid.row()
                for text in values:
                    row.cell(text)
        self.ln(2)
        self._plain()


def _section(doc: _Report, section: StoredSection, *, is_draft: bool) -> None:
    figures = section.section
    doc.heading(figures.title, level=1)
    if not has_figures(section) and figures.empty:
        doc.block(figures.empty)
    for label, text in figures.lines:
        doc.labelled(label, text)
    for table in figures.tables:
        doc.table_of(table, figures.empty)
    written = school_text(section, is_draft=is_draft)
    if written and has_figures(section):
        doc.heading(COMMENTARY_HEADING, level=2)
    for paragraph in written:
        doc.block(paragraph)
        doc.ln(1.5)


def document_pdf(printable: Printable) -> bytes:
    footer = ", ".join(x for x in (printable.title, printable.period, printable.version) if x)
    doc = _Report(
        warning=printable.warning,
        title=f"{printable.title}: {printable.school}, {printable.period}",
        footer=footer,
        school=printable.school,
        made_on=printable.made_on,
    )
    doc.heading(printable.title, level=0)
    doc.block(printable.school, size=13, height=7)
    doc.block(f"{printable.period}. {printable.version}.", size=11)
    doc.block(f"Figures as they stood on {day_in_words(printable.drawn_on)}.", size=11)
    if printable.hidden_means:
        doc.ln(1)
        doc.block(printable.hidden_means, size=10)
    if printable.warning:
        doc.ln(2)
        doc.block(printable.warning, style="B", size=11)
    for section in printable.sections:
        _section(doc, section, is_draft=printable.is_draft)
    return bytes(doc.output())
