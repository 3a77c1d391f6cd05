"""A school's provision map as CSV, XLSX and PDF: who gets what, from whom, how often, at what cost.

Pure Python, no Django: callers hand these functions a `ProvisionMap` and get file bytes back.
Rows are written in the order given; the caller chooses it.

Money: every row's cost is rounded half-up to the penny before anything is added up, so the
totals in each file are exactly the sum of the costs printed above them. `Decimal` throughout.

Spreadsheet safety: a cell that begins with "=", "+", "-", "@", a tab or a carriage return
can run as a formula when a spreadsheet opens the file. In the CSV such text gets a leading
apostrophe (`tandem.lib.spreadsheet`, shared with `tandem.progress.files`). In the XLSX it is
stored as a text cell with Excel's "quote prefix" set, so it is shown as typed and never
evaluated, even after someone edits the cell.

Text is tidied as in the parent PDFs (composed Unicode, no control characters, trimmed), and
the PDF uses the same bundled DejaVu Sans, so names such as Łukasz or Nguyễn print in full.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from fpdf.table import Table
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from tandem.exchange.parent_pdf import (
    _FONT,
    _HEADING_INK,
    _INK,
    _MONTHS,
    _QUIET_INK,
    Document,
    _clean,
    date_in_words,
)
from tandem.lib.spreadsheet import FORMULA_STARTS, escape_formula
from tandem.lib.text import counted

PENNY = Decimal("0.01")
# Spreadsheets run a cell that starts with one of these as a formula (as in tandem.progress.files).
TOTALS_KEYS = ("layer", "area", "year_group")
NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class ProvisionRow:
    year_group: str  # "Year 4", "Reception"
    class_name: str  # the pupil's class or tutor group
    pupil: str  # display name
    area: str  # broad area of need in words, e.g. "Cognition and learning"
    layer: str  # "Universal", "Targeted", "Targeted plus" or "Specialist"
    intervention: str
    delivered_by: str  # staff name
    staff_type: str  # e.g. "Teaching assistant"
    sessions_per_week: int
    minutes_per_session: int
    weeks: int
    group_size: int
    cost: Decimal  # cost of this pupil's place (already computed), in pounds
    starts_on: datetime.date
    ends_on: datetime.date | None
    funding_source: str = ""  # what pays for the group, e.g. "Pupil premium", "Other: trust outreach grant"


@dataclass(frozen=True)
class FundingByLayer:
    """Cost by funding source (rows) and layer (columns), with the totals of each row and column.

    Every cell adds up rows' costs rounded to the penny, so the columns' totals, the rows' totals and the
    grand total are each exactly the map's total cost."""

    layers: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Decimal, ...], Decimal], ...]  # (funding source, cost in each layer, total)
    layer_totals: tuple[Decimal, ...]
    total: Decimal


@dataclass(frozen=True)
class ProvisionMap:
    school_name: str
    academic_year: str  # "2026/27"
    generated_on: datetime.date
    rows: tuple[ProvisionRow, ...]

    @property
    def total_cost(self) -> Decimal:
        """The sum of every row's cost, each rounded half-up to the penny first."""
        return sum((to_pence(row.cost) for row in self.rows), Decimal("0.00"))

    @property
    def pupils(self) -> int:
        """Distinct pupils. There is no pupil id here, so a pupil is a name within a year group and class."""
        return len({_pupil_key(row) for row in self.rows})

    @property
    def cost_per_pupil(self) -> Decimal:
        """Total cost over distinct pupils, rounded half-up to the penny; 0.00 when there are none."""
        pupils = self.pupils
        return to_pence(self.total_cost / pupils) if pupils else Decimal("0.00")

    def totals_by(self, key: str) -> list[tuple[str, int, Decimal]]:
        """(value, distinct pupils, cost) for each value of "layer", "area" or "year_group".

        Sorted by value in the order schools use: layers Universal, Targeted, Targeted plus, Specialist;
        year groups Nursery, Reception, Year 1, Year 2 ... Year 13; areas (and anything else)
        alphabetically. A pupil with two interventions in one group is counted once in it.
        """
        if key not in TOTALS_KEYS:
            raise ValueError(f"Totals can be taken by {', '.join(TOTALS_KEYS)}, not {key!r}.")
        pupils: dict[str, set[tuple[str, str, str]]] = {}
        costs: dict[str, Decimal] = {}
        for row in self.rows:
            value = getattr(row, key)
            pupils.setdefault(value, set()).add(_pupil_key(row))
            costs[value] = costs.get(value, Decimal("0.00")) + to_pence(row.cost)
        order = _SORT_KEYS[key]
        return [(value, len(pupils[value]), costs[value]) for value in sorted(costs, key=order)]

    def cost_by_funding_and_layer(self) -> FundingByLayer:
        """What each funding source pays in each layer. The four layers are always columns (a school sees
        where nothing is spent), with any other layer found after them; funding sources in the order
        `FUNDING_ORDER` gives, then others A to Z, then rows with none recorded."""
        found = {row.layer for row in self.rows} - set(LAYERS)
        layers = (*LAYERS, *sorted(found, key=_layer_order))
        cells: dict[tuple[str, str], Decimal] = {}
        for row in self.rows:
            key = (row.funding_source, row.layer)
            cells[key] = cells.get(key, Decimal("0.00")) + to_pence(row.cost)
        zero = Decimal("0.00")
        rows = []
        for source in sorted({source for source, _ in cells}, key=_funding_order):
            costs = tuple(cells.get((source, layer), zero) for layer in layers)
            rows.append((source, costs, sum(costs, zero)))
        layer_totals = tuple(sum((costs[i] for _, costs, _ in rows), zero) for i in range(len(layers)))
        return FundingByLayer(
            layers=layers, rows=tuple(rows), layer_totals=layer_totals, total=sum(layer_totals, zero)
        )


COLUMNS: tuple[tuple[str, str], ...] = (
    ("year_group", "Year group"),
    ("class_name", "Class"),
    ("pupil", "Pupil"),
    ("area", "Area of need"),
    ("layer", "Layer"),
    ("intervention", "Intervention"),
    ("delivered_by", "Delivered by"),
    ("staff_type", "Staff role"),
    ("sessions_per_week", "Sessions a week"),
    ("minutes_per_session", "Minutes a session"),
    ("weeks", "Weeks"),
    ("group_size", "Group size"),
    ("cost", "Cost (£)"),
    ("starts_on", "Starts"),
    ("ends_on", "Ends"),
    # Last, so the columns before it keep the places spreadsheets built on earlier downloads expect.
    ("funding_source", "Funding source"),
)
_TOTALS_HEADINGS = {"layer": "Layer", "area": "Area of need", "year_group": "Year group"}
_TOTALS_TITLES = {"layer": "By layer", "area": "By area of need", "year_group": "By year group"}
FUNDING_TITLE = "Cost by funding source and layer"


def to_pence(amount: Decimal) -> Decimal:
    """An amount in pounds rounded half-up to the penny: 10.005 gives 10.01."""
    return Decimal(str(amount)).quantize(PENNY, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal) -> str:
    """Pounds as people write them: "£1,234.50", "-£3.00"."""
    pence = to_pence(amount)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence):,.2f}"


def _pupil_key(row: ProvisionRow) -> tuple[str, str, str]:
    return (row.year_group, row.class_name, row.pupil)


def _text_order(value: str) -> tuple[int, int, str, str]:
    return (9, 0, value.casefold(), value)


#: The layers as the map names them, in the order schools read them (tandem.provision.models.Layer).
LAYERS = ("Universal", "Targeted", "Targeted plus", "Specialist")
_LAYER_RANK = {layer.casefold(): rank for rank, layer in enumerate(LAYERS)}
#: Funding sources in the order the summary lists them (tandem.provision.models.FundingSource, less
#: "Other", whose rows read "Other: ..." and come after these, A to Z).
FUNDING_ORDER = (
    "Notional SEN budget",
    "Inclusive Mainstream Fund",
    "High-needs top-up funding",
    "Pupil premium",
)
_FUNDING_RANK = {source.casefold(): rank for rank, source in enumerate(FUNDING_ORDER)}
_YEAR = re.compile(r"year\s*(\d+)", re.IGNORECASE)


def _layer_order(value: str) -> tuple[int, int, str, str]:
    rank = _LAYER_RANK.get(value.strip().casefold())
    return (rank, 0, "", value) if rank is not None else _text_order(value)


def _funding_order(value: str) -> tuple[int, int, str, str]:
    if not value.strip():
        return (99, 0, "", value)  # none recorded: last
    rank = _FUNDING_RANK.get(value.strip().casefold())
    return (rank, 0, "", value) if rank is not None else _text_order(value)


def _year_order(value: str) -> tuple[int, int, str, str]:
    word = value.strip().casefold()
    if word == "nursery":
        return (0, 0, "", value)
    if word == "reception":
        return (1, 0, "", value)
    year = _YEAR.fullmatch(value.strip())
    return (2, int(year.group(1)), "", value) if year else _text_order(value)


_SORT_KEYS: dict[str, Callable[[str], tuple[int, int, str, str]]] = {
    "layer": _layer_order,
    "area": _text_order,
    "year_group": _year_order,
}


def _label(value: str) -> str:
    return _clean(value) or NOT_RECORDED


# CSV ------------------------------------------------------------------------------------------


def provision_map_csv(pm: ProvisionMap) -> bytes:
    """One row per pupil and intervention, then a totals row; UTF-8 with a BOM so Excel reads "ë".

    Costs are plain numbers ("1234.50") and dates ISO ("2026-09-07"), which every spreadsheet
    reads the same way whatever its locale.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([heading for _, heading in COLUMNS])
    for row in pm.rows:
        writer.writerow([_csv_cell(getattr(row, field)) for field, _ in COLUMNS])
    total = [""] * len(COLUMNS)
    total[_column("year_group")] = "Total"
    total[_column("pupil")] = _pupils_in_words(pm.pupils)
    total[_column("cost")] = f"{pm.total_cost:.2f}"
    writer.writerow(total)
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{to_pence(value):.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return escape_formula(_clean(str(value)))


def _column(field: str) -> int:
    return [name for name, _ in COLUMNS].index(field)


def _pupils_in_words(count: int) -> str:
    return counted(count, "pupil")


# XLSX -----------------------------------------------------------------------------------------

_MONEY_FORMAT = '"£"#,##0.00'
_DATE_FORMAT = "dd/mm/yyyy"
_BOLD = Font(bold=True)
_XLSX_WIDTHS = {
    "year_group": 12,
    "class_name": 10,
    "pupil": 24,
    "area": 30,
    "layer": 12,
    "intervention": 30,
    "delivered_by": 20,
    "staff_type": 20,
    "sessions_per_week": 10,
    "minutes_per_session": 10,
    "weeks": 8,
    "group_size": 8,
    "cost": 12,
    "starts_on": 12,
    "ends_on": 12,
    "funding_source": 28,
}


def provision_map_xlsx(pm: ProvisionMap) -> bytes:
    """A "Provision map" sheet (one row per pupil and intervention, then totals) and a "Totals" sheet."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Provision map"
    title = f"Provision map: {_clean(pm.school_name)}, {_clean(pm.academic_year)}"
    book.properties.title = title
    book.properties.creator = "Tandem"
    book.properties.language = "en-GB"
    book.properties.created = datetime.datetime.combine(pm.generated_on, datetime.time())

    for number, (field, heading) in enumerate(COLUMNS, start=1):
        _put(sheet, 1, number, heading, bold=True)
        sheet.column_dimensions[get_column_letter(number)].width = _XLSX_WIDTHS[field]
    for line, row in enumerate(pm.rows, start=2):
        for number, (field, _) in enumerate(COLUMNS, start=1):
            _put(sheet, line, number, getattr(row, field))
    last = len(pm.rows) + 1
    totals = last + 1
    _put(sheet, totals, _column("year_group") + 1, "Total", bold=True)
    _put(sheet, totals, _column("pupil") + 1, _pupils_in_words(pm.pupils), bold=True)
    _put(sheet, totals, _column("cost") + 1, pm.total_cost, bold=True)

    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if sheet.oddHeader is not None:
        sheet.oddHeader.center.text = title

    _totals_sheet(book.create_sheet("Totals"), pm)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _totals_sheet(sheet: Worksheet, pm: ProvisionMap) -> None:
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 14
    rows: list[tuple[object, ...]] = [
        ("School", _clean(pm.school_name)),
        ("Academic year", _clean(pm.academic_year)),
        ("Generated on", pm.generated_on),
        (),
        ("Pupils", pm.pupils),
        ("Total cost", pm.total_cost),
        ("Cost per pupil", pm.cost_per_pupil),
    ]
    line = 1
    for values in rows:
        for number, value in enumerate(values, start=1):
            _put(sheet, line, number, value, bold=number == 1)
        line += 1
    for key in TOTALS_KEYS:
        line += 1
        _put(sheet, line, 1, _TOTALS_TITLES[key], bold=True)
        line += 1
        for number, heading in enumerate((_TOTALS_HEADINGS[key], "Pupils", "Cost"), start=1):
            _put(sheet, line, number, heading, bold=True)
        line += 1
        for value, pupils, cost in pm.totals_by(key):
            _put(sheet, line, 1, _label(value))
            _put(sheet, line, 2, pupils)
            _put(sheet, line, 3, cost)
            line += 1
    _funding_section(sheet, pm, line + 1)


def _funding_section(sheet: Worksheet, pm: ProvisionMap, line: int) -> None:
    """The cost by funding source and layer, below the other totals: a row per source, a column per layer,
    a total of each, all adding up to the total cost above."""
    summary = pm.cost_by_funding_and_layer()
    _put(sheet, line, 1, FUNDING_TITLE, bold=True)
    line += 1
    for number, heading in enumerate(("Funding source", *map(_label, summary.layers), "Total"), start=1):
        _put(sheet, line, number, heading, bold=True)
        if number > 3:
            sheet.column_dimensions[get_column_letter(number)].width = 14
    for source, costs, total in summary.rows:
        line += 1
        for number, value in enumerate((_label(source), *costs, total), start=1):
            _put(sheet, line, number, value)
    line += 1
    for number, value in enumerate(("Total", *summary.layer_totals, summary.total), start=1):
        _put(sheet, line, number, value, bold=True)


def _put(sheet: Worksheet, row: int, column: int, value: object, *, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None:
        pass
    elif isinstance(value, Decimal):
        cell.value = to_pence(value)
        cell.number_format = _MONEY_FORMAT
    elif isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = _DATE_FORMAT
    elif isinstance(value, int):
        cell.value = value
    elif text := _clean(str(value)):
        cell.value = text
        if text.startswith(FORMULA_STARTS):
            # openpyxl treats "=..." as a formula: store it as text, shown as typed.
            cell.data_type = "s"
            cell.quotePrefix = True
        if "\n" in text:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if bold:
        cell.font = _BOLD


# PDF ------------------------------------------------------------------------------------------

_MARGIN = 12.0
_TABLE_SIZE = 7.5
_BODY_SIZE = 10
_HEADINGS_FILL = (222, 231, 242)
# Column headings and widths (mm, summing to the 273 mm between the margins) for the PDF table.
_PDF_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("Year group", 17, "LEFT"),
    ("Class", 12, "LEFT"),
    ("Pupil", 28, "LEFT"),
    ("Area of need", 27, "LEFT"),
    ("Layer", 16, "LEFT"),
    ("Intervention", 33, "LEFT"),
    ("Delivered by", 32, "LEFT"),
    ("How often", 31, "LEFT"),
    ("Group size", 12, "RIGHT"),
    ("Dates", 25, "LEFT"),
    ("Funded by", 20, "LEFT"),
    ("Cost", 20, "RIGHT"),
)


def provision_map_pdf(pm: ProvisionMap) -> bytes:
    """Landscape A4: the headline figures, the table (headings on every page), then the totals."""
    school = _clean(pm.school_name)
    year = _clean(pm.academic_year)
    doc = _MapDocument(
        title=f"Provision map: {school}, {year}" if school else f"Provision map, {year}",
        footer=" · ".join(part for part in ("Provision map", school, year) if part),
        school=school,
        made_on=pm.generated_on,
    )
    doc.title_block(
        "Provision map",
        school,
        f"Academic year {year} · Generated on {date_in_words(pm.generated_on)}",
    )
    doc.figures(pm)

    doc.heading("Who gets what")
    if pm.rows:
        doc.provision_table(pm)
    else:
        doc.paragraph(f"No additional or different provision has been recorded for {year}.")

    doc.heading("Totals")
    doc.figures(pm)
    for key in TOTALS_KEYS:
        doc.totals_table(_TOTALS_TITLES[key], _TOTALS_HEADINGS[key], pm.totals_by(key))
    doc.funding_table(pm.cost_by_funding_and_layer())
    return doc.finish()


def _short_date(day: datetime.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def _how_often(row: ProvisionRow) -> str:
    sessions, weeks = counted(row.sessions_per_week, "session"), counted(row.weeks, "week")
    return f"{sessions} of {row.minutes_per_session} min a week for {weeks}"


def _dates(row: ProvisionRow) -> str:
    if row.ends_on is None:
        return f"From {_short_date(row.starts_on)}"
    return f"{_short_date(row.starts_on)} to {_short_date(row.ends_on)}"


def _delivered_by(row: ProvisionRow) -> str:
    name, role = _clean(row.delivered_by), _clean(row.staff_type)
    if name and role:
        return f"{name} ({role})"
    return name or role


class _MapDocument(Document):
    """Landscape A4 with the parent PDFs' font and colours, a smaller type size and wide tables."""

    def __init__(self, *, title: str, footer: str, school: str, made_on: datetime.date) -> None:
        super().__init__(
            title=title,
            footer=footer,
            school=school,
            made_on=made_on,
            orientation="landscape",
            margin=_MARGIN,
            footer_size=8,
        )

    def _body(self, style: str = "", size: float = _BODY_SIZE) -> None:
        self.set_font(_FONT, style, size)
        self.set_text_color(*_INK)

    def _line(self, text: str, height: float) -> None:
        self.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def title_block(self, title: str, school: str, when: str) -> None:
        self.set_font(_FONT, "B", 18)
        self.set_text_color(*_HEADING_INK)
        self.start_section(title, level=0)
        self._line(title, 9)
        if school:
            self.set_font(_FONT, "", 13)
            self._line(school, 7)
        self.set_font(_FONT, "", _BODY_SIZE)
        self.set_text_color(*_QUIET_INK)
        self._line(when, 6)
        self.ln(3)
        self._body()

    def heading(self, text: str, size: float = 13) -> None:
        if self.will_page_break(30):
            self.add_page()
        self.ln(2)
        self.set_font(_FONT, "B", size)
        self.set_text_color(*_HEADING_INK)
        self.start_section(text, level=1 if size >= 13 else 2)
        self._line(text, 7)
        self.ln(1)
        self._body()

    def paragraph(self, text: str) -> None:
        self._body()
        self._line(text, 5.5)
        self.ln(2)

    def figures(self, pm: ProvisionMap) -> None:
        """The headline numbers on one line each: total cost, pupils, cost per pupil."""
        for label, value in (
            ("Total cost", format_money(pm.total_cost)),
            ("Pupils", str(pm.pupils)),
            ("Cost per pupil", format_money(pm.cost_per_pupil)),
        ):
            self._body("B")
            self.cell(40, 6, label)
            self._body()
            self.cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    @contextmanager
    def _table(self, widths: tuple[float, ...], aligns: tuple[str, ...]) -> Iterator[Table]:
        self._body(size=_TABLE_SIZE)
        with self.table(
            col_widths=widths,
            width=sum(widths),
            align="LEFT",
            text_align=aligns,
            line_height=self.font_size * 1.3,
            padding=(0.8, 1.2),
            headings_style=FontFace(emphasis="BOLD", color=_HEADING_INK, fill_color=_HEADINGS_FILL),
            repeat_headings=1,
        ) as table:
            yield table
        self._body()

    def provision_table(self, pm: ProvisionMap) -> None:
        widths = tuple(width for _, width, _ in _PDF_COLUMNS)
        aligns = tuple(align for _, _, align in _PDF_COLUMNS)
        with self._table(widths, aligns) as table:
            heading = table.row()
            for text, _, _ in _PDF_COLUMNS:
                heading.cell(text)
            for item in pm.rows:
                row = table.row()
                for text in (
                    _clean(item.year_group),
                    _clean(item.class_name),
                    _clean(item.pupil),
                    _clean(item.area),
                    _clean(item.layer),
                    _clean(item.intervention),
                    _delivered_by(item),
                    _how_often(item),
                    str(item.group_size),
                    _dates(item),
                    _label(item.funding_source),
                    format_money(item.cost),
                ):
                    row.cell(text)
            bold = FontFace(emphasis="BOLD")
            total = table.row()
            total.cell(f"Total: {_pupils_in_words(pm.pupils)}", colspan=len(_PDF_COLUMNS) - 1, style=bold)
            total.cell(format_money(pm.total_cost), style=bold)
        self.ln(3)

    def totals_table(self, title: str, heading: str, totals: list[tuple[str, int, Decimal]]) -> None:
        self.heading(title, size=11)
        if not totals:
            self.paragraph("None recorded.")
            return
        with self._table((70.0, 20.0, 30.0), ("LEFT", "RIGHT", "RIGHT")) as table:
            first = table.row()
            for text in (heading, "Pupils", "Cost"):
                first.cell(text)
            for value, pupils, cost in totals:
                row = table.row()
                for text in (_label(value), str(pupils), format_money(cost)):
                    row.cell(text)
        self.ln(2)

    def funding_table(self, summary: FundingByLayer) -> None:
        self.heading(FUNDING_TITLE, size=11)
        if not summary.rows:
            self.paragraph("None recorded.")
            return
        widths = (60.0, *(28.0 for _ in summary.layers), 30.0)
        aligns = ("LEFT", *("RIGHT" for _ in summary.layers), "RIGHT")
        with self._table(widths, aligns) as table:
            first = table.row()
            for text in ("Funding source", *map(_label, summary.layers), "Total"):
                first.cell(text)
            for source, costs, total in summary.rows:
                row = table.row()
                for text in (_label(source), *(format_money(cost) for cost in costs), format_money(total)):
                    row.cell(text)
            bold = FontFace(emphasis="BOLD")
            last = table.row()
            for text in ("Total", *(format_money(cost) for cost in summary.layer_totals)):
                last.cell(text, style=bold)
            last.cell(format_money(summary.total), style=bold)
        self.ln(2)

    def finish(self) -> bytes:
        return bytes(self.output())
