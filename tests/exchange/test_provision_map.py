import csv
import datetime
import io
import zipfile
from dataclasses import replace
from decimal import Decimal
from functools import cache

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from tandem.exchange.provision_map import (
    COLUMNS,
    FORMULA_STARTS,
    ProvisionMap,
    ProvisionRow,
    escape_formula,
    format_money,
    provision_map_csv,
    provision_map_pdf,
    provision_map_xlsx,
    to_pence,
)

AUTUMN = datetime.date(2026, 9, 7)
CHRISTMAS = datetime.date(2026, 12, 18)
FORMULA = '=HYPERLINK("http://example.com","Reading plus")'


def _row(pupil, year_group, class_name, area, layer, intervention, cost, **changes):
    row = ProvisionRow(
        year_group=year_group,
        class_name=class_name,
        pupil=pupil,
        area=area,
        layer=layer,
        intervention=intervention,
        delivered_by="Mr Obi",
        staff_type="Teaching assistant",
        sessions_per_week=3,
        minutes_per_session=20,
        weeks=12,
        group_size=4,
        cost=Decimal(cost),
        starts_on=AUTUMN,
        ends_on=CHRISTMAS,
    )
    return replace(row, **changes)


LEARNING = "Cognition and learning"
TALK = "Communication and interaction"
FEELINGS = "Social, emotional and mental health"
SENSORY = "Sensory and/or physical"

ROWS = (
    _row("Łukasz Nowak", "Year 4", "Oak", LEARNING, "Targeted", "Precision teaching", "156.00"),
    _row("Łukasz Nowak", "Year 4", "Oak", TALK, "Targeted", "Talk Boost", "84.50"),
    _row("Zoë Adeyemi", "Year 3", "Ash", LEARNING, "Targeted", "Fresh Start phonics", "212.25"),
    _row(
        "Nguyễn Văn An",
        "Year 5",
        "Elm",
        TALK,
        "Specialist",
        "Speech and language therapy",
        "1050.00",
        delivered_by="Ms Ní Bhriain",
        staff_type="Speech and language therapist",
        sessions_per_week=1,
        minutes_per_session=45,
        weeks=30,
        group_size=1,
        ends_on=None,
    ),
    _row("Amy Lee", "Reception", "Robins", TALK, "Targeted", "Early Talk Boost", "98.40"),
    _row(
        "Oliver Smith",
        "Year 6",
        "Cedar",
        FEELINGS,
        "Specialist",
        "Educational psychologist assessment",
        "480.00",
        delivered_by="Dr Hughes",
        staff_type="Educational psychologist",
        sessions_per_week=1,
        minutes_per_session=90,
        weeks=1,
        group_size=1,
    ),
    _row("Priya Shah", "Year 10", "10B", FEELINGS, "Targeted", "Mentoring", "320.75", group_size=1),
    _row("Jack Taylor", "Year 2", "Birch", LEARNING, "Targeted", "Number sense group", "64.20"),
    _row("Ella Brown", "Year 1", "Hazel", LEARNING, "Targeted", "Number sense group", "64.20"),
    _row("Mohammed Ali", "Year 4", "Oak", SENSORY, "Targeted", "Fine motor skills group", "145.60"),
    _row("Grace O'Neill", "Year 5", "Elm", LEARNING, "Targeted", FORMULA, "187.35"),
    _row(
        "Sam Green",
        "Year 6",
        "Cedar",
        SENSORY,
        "Specialist",
        "Visiting teacher for hearing impairment",
        "725.00",
        delivered_by="Mrs Clarke",
        staff_type="Qualified teacher of the deaf",
        sessions_per_week=1,
        minutes_per_session=60,
        weeks=30,
        group_size=1,
    ),
)
MAP = ProvisionMap(
    school_name="Greenfield Primary School",
    academic_year="2026/27",
    generated_on=datetime.date(2026, 10, 5),
    rows=ROWS,
)
EMPTY = replace(MAP, rows=())
TOTAL = Decimal("3588.25")
PER_PUPIL = Decimal("326.20")  # 3,588.25 over 11 pupils is 326.2045...
HEADINGS = [heading for _, heading in COLUMNS]
COST = HEADINGS.index("Cost (£)")


@cache
def _csv(pm: ProvisionMap = MAP) -> bytes:
    return provision_map_csv(pm)


@cache
def _xlsx(pm: ProvisionMap = MAP) -> bytes:
    return provision_map_xlsx(pm)


@cache
def _pdf(pm: ProvisionMap = MAP) -> bytes:
    return provision_map_pdf(pm)


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _sheet(data: bytes, name: str) -> Worksheet:
    sheet = load_workbook(io.BytesIO(data))[name]
    assert isinstance(sheet, Worksheet)
    return sheet


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _words(pdf: bytes) -> str:
    return " ".join(_pages(pdf))


def _totals_sections(sheet: Worksheet) -> dict[str, list[tuple[str, int, Decimal]]]:
    """The "By ..." tables on the Totals sheet, each as (value, pupils, cost) rows."""
    sections: dict[str, list[tuple[str, int, Decimal]]] = {}
    current: list[tuple[str, int, Decimal]] | None = None
    skip_heading = False
    for first, pupils, cost in sheet.iter_rows(min_col=1, max_col=3, values_only=True):
        if isinstance(first, str) and first.startswith("By "):
            current = sections.setdefault(first, [])
            skip_heading = True
        elif skip_heading:
            skip_heading = False
        elif current is not None and first is not None:
            assert isinstance(pupils, int)
            assert isinstance(cost, int | float)
            current.append((str(first), pupils, Decimal(str(cost))))
        else:
            current = None
    return sections


def test_it_adds_up_the_map():
    assert MAP.total_cost == TOTAL
    assert MAP.pupils == 11  # Łukasz has two interventions but is one pupil
    assert MAP.cost_per_pupil == PER_PUPIL
    assert MAP.totals_by("layer") == [
        ("Targeted", 8, Decimal("1333.25")),
        ("Specialist", 3, Decimal("2255.00")),
    ]
    assert MAP.totals_by("area") == [
        (LEARNING, 5, Decimal("684.00")),
        (TALK, 3, Decimal("1232.90")),
        (SENSORY, 2, Decimal("870.60")),
        (FEELINGS, 2, Decimal("800.75")),
    ]
    for key in ("layer", "area", "year_group"):
        totals = MAP.totals_by(key)
        assert sum(cost for _, _, cost in totals) == TOTAL
        assert sum(pupils for _, pupils, _ in totals) >= MAP.pupils


def test_it_sorts_totals_in_the_order_schools_use():
    years = [value for value, _, _ in MAP.totals_by("year_group")]
    assert years == ["Reception", "Year 1", "Year 2", "Year 3", "Year 4", "Year 5", "Year 6", "Year 10"]
    assert dict((value, pupils) for value, pupils, _ in MAP.totals_by("year_group"))["Year 4"] == 2
    nursery = _row("Ava Bell", "Nursery", "Owls", TALK, "Universal", "Chatter", "1")
    layers = replace(MAP, rows=(*ROWS, nursery))
    assert [value for value, _, _ in layers.totals_by("layer")] == ["Universal", "Targeted", "Specialist"]
    assert layers.totals_by("year_group")[0][0] == "Nursery"


def test_it_refuses_totals_by_anything_else():
    with pytest.raises(ValueError, match="layer, area, year_group"):
        MAP.totals_by("pupil")


def test_it_rounds_money_half_up_to_the_penny():
    assert to_pence(Decimal("10.005")) == Decimal("10.01")  # half-even would give 10.00
    assert to_pence(Decimal("2.675")) == Decimal("2.68")
    assert to_pence(Decimal("3")) == Decimal("3.00")
    assert format_money(Decimal("1234.5")) == "£1,234.50"
    assert format_money(Decimal("0")) == "£0.00"
    assert format_money(Decimal("-3")) == "-£3.00"
    # Each row is rounded before adding, so a total is always the sum of the pence shown.
    halves = replace(
        MAP,
        rows=(
            _row("A One", "Year 1", "Hazel", LEARNING, "Targeted", "Reading", "0.005"),
            _row("B Two", "Year 1", "Hazel", LEARNING, "Targeted", "Reading", "0.035"),
        ),
    )
    assert halves.total_cost == Decimal("0.05")
    assert halves.cost_per_pupil == Decimal("0.03")  # 0.025 rounded half-up
    assert isinstance(halves.cost_per_pupil, Decimal)
    rows = _csv_rows(provision_map_csv(halves))
    assert [row[COST] for row in rows[1:]] == ["0.01", "0.04", "0.05"]


def test_it_writes_every_row_and_the_totals_to_the_csv():
    data = _csv()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(data)
    assert rows[0] == HEADINGS
    body, totals = rows[1:-1], rows[-1]
    assert len(body) == len(ROWS)
    assert [row[HEADINGS.index("Pupil")] for row in body] == [row.pupil for row in ROWS]
    assert sum(Decimal(row[COST]) for row in body) == TOTAL
    assert totals[0] == "Total"
    assert totals[HEADINGS.index("Pupil")] == "11 pupils"
    assert Decimal(totals[COST]) == TOTAL
    nguyen = body[3]
    assert nguyen[HEADINGS.index("Starts")] == "2026-09-07"
    assert nguyen[HEADINGS.index("Ends")] == ""
    assert nguyen[HEADINGS.index("Sessions a week")] == "1"


def test_it_escapes_formulas_in_the_csv():
    rows = _csv_rows(_csv())
    assert rows[11][HEADINGS.index("Intervention")] == "'" + FORMULA
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    assert escape_formula("-1+2") == "'-1+2"
    assert escape_formula("@SUM(A1)") == "'@SUM(A1)"
    assert escape_formula("Talk Boost") == "Talk Boost"


def test_it_writes_the_provision_map_sheet():
    sheet = _sheet(_xlsx(), "Provision map")
    assert sheet.freeze_panes == "A2"
    header = next(sheet.iter_rows(min_row=1, max_row=1))
    assert [cell.value for cell in header] == HEADINGS
    assert all(cell.font.bold for cell in header)
    body = list(sheet.iter_rows(min_row=2, max_row=len(ROWS) + 1))
    for cells, row in zip(body, ROWS, strict=True):
        assert [cell.value for cell in cells[:8]] == [
            row.year_group,
            row.class_name,
            row.pupil,
            row.area,
            row.layer,
            row.intervention,
            row.delivered_by,
            row.staff_type,
        ]
        assert [cell.value for cell in cells[8:12]] == [
            row.sessions_per_week,
            row.minutes_per_session,
            row.weeks,
            row.group_size,
        ]
        cost = cells[COST]
        assert isinstance(cost.value, int | float)
        assert "£" in cost.number_format
        assert isinstance(cells[13].value, datetime.datetime)
        assert cells[13].value.date() == row.starts_on
        assert cells[14].value is None if row.ends_on is None else cells[14].value.date() == row.ends_on
    assert sum(Decimal(str(cells[COST].value)) for cells in body) == TOTAL
    totals = [cell.value for cell in sheet[len(ROWS) + 2]]
    assert totals[0] == "Total"
    assert totals[2] == "11 pupils"
    assert Decimal(str(totals[COST])) == TOTAL
    assert sheet.max_row == len(ROWS) + 2


def test_it_stores_formula_text_as_text_in_the_xlsx():
    cell = _sheet(_xlsx(), "Provision map").cell(row=12, column=HEADINGS.index("Intervention") + 1)
    assert cell.value == FORMULA
    assert cell.data_type == "s"
    assert cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(_xlsx())) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert not [name for name in sheets if b"<f>" in archive.read(name) or b"<f " in archive.read(name)]


def test_it_writes_the_totals_sheet():
    book = load_workbook(io.BytesIO(_xlsx()))
    assert book.sheetnames == ["Provision map", "Totals"]
    assert book.properties.title == "Provision map: Greenfield Primary School, 2026/27"
    sheet = _sheet(_xlsx(), "Totals")
    figures = {row[0]: row[1] for row in sheet.iter_rows(min_col=1, max_col=2, values_only=True) if row[0]}
    assert figures["School"] == "Greenfield Primary School"
    assert figures["Academic year"] == "2026/27"
    assert figures["Pupils"] == 11
    assert Decimal(str(figures["Total cost"])) == TOTAL
    assert Decimal(str(figures["Cost per pupil"])) == PER_PUPIL
    assert _totals_sections(sheet) == {
        "By layer": MAP.totals_by("layer"),
        "By area of need": MAP.totals_by("area"),
        "By year group": MAP.totals_by("year_group"),
    }


def test_it_prints_the_map_and_its_totals():
    text = _words(_pdf())
    assert "Greenfield Primary School" in text
    assert "Academic year 2026/27" in text
    assert "Generated on 5 October 2026" in text
    for row in ROWS:
        assert row.pupil in text
    assert "£3,588.25" in text
    assert "£326.20" in text
    assert "£1,050.00" in text
    for heading in ("By layer", "By area of need", "By year group"):
        assert heading in text
    for value, _, cost in MAP.totals_by("area"):
        assert value in text
        assert format_money(cost) in text
    assert "From 7 Sep 2026" in text
    assert "Ms Ní Bhriain (Speech and language therapist)" in text


def test_it_sets_the_pdf_title_language_and_page_size():
    reader = PdfReader(io.BytesIO(_pdf()))
    assert reader.metadata is not None
    assert reader.metadata.title == "Provision map: Greenfield Primary School, 2026/27"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    assert round(float(page.mediabox.width) / 72 * 25.4) == 297


def test_it_repeats_the_table_headings_on_every_page():
    many = tuple(
        _row(f"Pupil {number:03}", "Year 3", "Ash", LEARNING, "Targeted", "Reading", "10")
        for number in range(40)
    )
    pages = _pages(provision_map_pdf(replace(MAP, rows=many)))
    table_pages = [page for page in pages if "Pupil 0" in page]
    assert len(table_pages) > 1
    for page in table_pages:
        assert "Delivered by" in page
        assert "How often" in page
    text = " ".join(pages)
    assert "Pupil 039" in text
    assert "£400.00" in text


def test_it_writes_valid_files_for_an_empty_map():
    assert EMPTY.total_cost == Decimal("0.00")
    assert EMPTY.pupils == 0
    assert EMPTY.cost_per_pupil == Decimal("0.00")
    assert EMPTY.totals_by("layer") == []

    rows = _csv_rows(_csv(EMPTY))
    assert rows[0] == HEADINGS
    assert len(rows) == 2
    assert rows[1][0] == "Total"
    assert rows[1][COST] == "0.00"

    sheet = _sheet(_xlsx(EMPTY), "Provision map")
    assert sheet.max_row == 2
    assert sheet.cell(row=2, column=COST + 1).value == 0
    totals = _sheet(_xlsx(EMPTY), "Totals")
    assert _totals_sections(totals) == {"By layer": [], "By area of need": [], "By year group": []}

    text = _words(_pdf(EMPTY))
    assert "No additional or different provision has been recorded for 2026/27." in text
    assert "Total cost £0.00" in text
    assert "Cost per pupil £0.00" in text


def test_it_writes_the_same_pdf_for_the_same_map():
    assert provision_map_pdf(MAP) == _pdf()
