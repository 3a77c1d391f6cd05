"""Reading uploaded CSV and XLSX files: every rejection and notice a school admin can see, word for word."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from tandem.exchange.tabular import (
    DAMAGED,
    EMPTY,
    LEGACY_XLS,
    MACROS,
    NOT_UTF8_NOTICE,
    PROTECTED_WORKBOOK,
    FileNotice,
    FileRejected,
    Limits,
    cell_text,
    read_table,
    safe_filename,
)

NOT_A_SPREADSHEET = (
    "This file is not a spreadsheet or CSV file{}. Export the data from your MIS or from Excel as CSV or as "
    "an Excel workbook (.xlsx) and upload that."
)


def rejected(data: bytes, filename: str = "marks.csv", limits: Limits | None = None) -> str:
    with pytest.raises(FileRejected) as caught:
        if limits is None:
            read_table(data, filename=filename)
        else:
            read_table(data, filename=filename, limits=limits)
    return str(caught.value)


def workbook_bytes(*sheets: tuple[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The same zip with some members' content replaced and others added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


# ---------------------------------------------------------------- empty files
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \r\n\t\n  ",
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b"\r\n\r\n",
        "\r\n".encode("utf-16"),
        b",,,\n,,\n",
    ],
    ids=["zero-bytes", "whitespace", "bom-only", "bom-and-newlines", "utf16-bom-only", "only-delimiters"],
)
def test_it_rejects_an_empty_file(data):
    assert rejected(data) == EMPTY == "The file is empty."


def test_it_reads_a_header_only_file_as_a_table_without_rows():
    table = read_table(b"UPN,Surname,Forename\r\n", filename="pupils.csv")
    assert table.headers == ("UPN", "Surname", "Forename")
    assert table.rows == []
    assert table.line_numbers == []
    assert table.header_line == 1
    assert table.notices == ()


# ---------------------------------------------------------------- encodings
def test_it_reads_utf8_with_a_bom_silently():
    data = codecs.BOM_UTF8 + "UPN,Forename\r\nX938200125001,Zoë\r\n".encode()
    table = read_table(data, filename="pupils.csv")
    assert (table.encoding, table.delimiter, table.file_format) == ("utf-8-sig", ",", "csv")
    assert table.headers == ("UPN", "Forename")
    assert table.rows == [("X938200125001", "Zoë")]
    assert table.line_numbers == [2]
    assert table.notices == ()


def test_it_reads_utf8_without_a_bom_silently():
    table = read_table("UPN,Forename\nX938200125001,Siân\n".encode(), filename="pupils.csv")
    assert table.encoding == "utf-8"
    assert table.rows == [("X938200125001", "Siân")]
    assert table.notices == ()


def test_it_reads_excel_unicode_text_utf16_tab_separated():
    data = "UPN\tSurname\tForename\r\nX938200125001\tNowak\tŁukasz\r\n".encode("utf-16")
    assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    table = read_table(data, filename="pupils.txt")
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.headers == ("UPN", "Surname", "Forename")
    assert table.rows == [("X938200125001", "Nowak", "Łukasz")]
    assert table.notices == ()


def test_it_reads_windows_1252_with_a_notice():
    data = "UPN,Forename\r\nX938200125001,Zoë\r\nK93820012501B,Siân\r\n".encode("cp1252")
    table = read_table(data, filename="pupils.csv")
    assert table.encoding == "windows-1252"
    assert table.rows == [("X938200125001", "Zoë"), ("K93820012501B", "Siân")]
    assert table.notices == (FileNotice("encoding", NOT_UTF8_NOTICE),)
    assert NOT_UTF8_NOTICE == (
        "The file was not saved as UTF-8; Tandem read it as Windows-1252, the encoding Excel uses. Check "
        "that accented names look right in the preview."
    )


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_it_rejects_bytes_that_are_not_text_in_utf8_or_windows_1252(byte):
    data = b"UPN,Forename\nX938200125001,Zo" + bytes([byte]) + b"\n"
    assert rejected(data) == (
        f"Tandem cannot read the text in this file: line 2 has a byte (0x{byte:02X}) that is not a character "
        'in UTF-8 or in Windows-1252. Save it from Excel as "CSV UTF-8 (Comma delimited)" and upload that.'
    )


def test_it_rejects_a_utf8_bom_followed_by_other_bytes():
    data = codecs.BOM_UTF8 + "UPN,Forename\nX938200125001,Zoë\n".encode("cp1252")
    assert rejected(data) == (
        'The file is marked as UTF-8 text but is not valid UTF-8 at line 2. Save it from Excel as "CSV UTF-8 '
        '(Comma delimited)" and upload that.'
    )


def test_it_round_trips_arabic_chinese_and_polish_names():
    names = [("محمد", "علي"), ("王", "小明"), ("Żółć", "Łukasz")]
    text = "Surname,Forename\n" + "".join(f"{s},{f}\n" for s, f in names)
    assert read_table(text.encode(), filename="pupils.csv").rows == names
    xlsx = read_table(
        workbook_bytes(("Pupils", [["Surname", "Forename"], *map(list, names)])), filename="p.xlsx"
    )
    assert xlsx.rows == names


# ---------------------------------------------------------------- delimiters
@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("UPN;Score\nX938200125001;1,5\nK93820012501B;2,5\n", ";"),
        ("UPN\tScore\nX938200125001\t1,5\nK93820012501B\t2\n", "\t"),
        ("UPN|Score\nX938200125001|1,5\nK93820012501B|2\n", "|"),
    ],
    ids=["semicolon", "tab", "pipe"],
)
def test_it_finds_the_delimiter(text, delimiter):
    table = read_table(text.encode(), filename="marks.csv")
    assert table.delimiter == delimiter
    assert table.headers == ("UPN", "Score")
    assert table.rows[0] == ("X938200125001", "1,5")


def test_it_falls_back_to_a_comma_for_a_single_column():
    table = read_table(b"UPN\nX938200125001\nK93820012501B\n", filename="upns.csv")
    assert table.delimiter == ","
    assert table.rows == [("X938200125001",), ("K93820012501B",)]


def test_it_obeys_excels_sep_line_and_does_not_count_it_as_data():
    table = read_table(b"sep=;\r\nUPN;Name, full\r\nX938200125001;Smith, Ann\r\n", filename="m.csv")
    assert table.delimiter == ";"
    assert table.headers == ("UPN", "Name, full")
    assert table.header_line == 2
    assert table.rows == [("X938200125001", "Smith, Ann")]
    assert table.line_numbers == [3]


def test_it_prefers_the_delimiter_that_keeps_rows_in_step_with_the_header():
    # Commas inside every name but never in the header: splitting on them would give ragged rows.
    text = "UPN;Name;Year\n" + "".join(f"X{i};Smith, Ann{', Jo' * (i % 3)};4\n" for i in range(10))
    table = read_table(text.encode(), filename="m.csv")
    assert table.delimiter == ";"
    assert all(len(row) == 3 for row in table.rows)


# ---------------------------------------------------------------- lines, quotes, newlines
def test_it_keeps_newlines_inside_quoted_cells_and_reports_the_starting_line():
    data = b'UPN,Note\r\nA,"line one\r\nline two"\r\nB,"x\ny\nz"\r\nC,plain\r\n'
    table = read_table(data, filename="notes.csv")
    assert table.rows == [("A", "line one\r\nline two"), ("B", "x\ny\nz"), ("C", "plain")]
    assert table.line_numbers == [2, 4, 7]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_it_reads_every_kind_of_newline(newline):
    data = newline.join(["UPN,Name", "A,1", "B,2", ""]).encode()
    table = read_table(data, filename="m.csv")
    assert table.rows == [("A", "1"), ("B", "2")]
    assert table.line_numbers == [2, 3]


def test_it_skips_blank_rows_but_keeps_true_line_numbers():
    data = b"\n\nUPN,Name\n\nA,1\n,\n  ,  \nB,2\n\n"
    table = read_table(data, filename="m.csv")
    assert table.header_line == 3
    assert table.headers == ("UPN", "Name")
    assert table.rows == [("A", "1"), ("B", "2")]
    assert table.line_numbers == [5, 8]


def test_it_keeps_each_rows_real_length():
    table = read_table(b"A,B,C\n1,2\n1,2,3,4\n1,2,3,\n", filename="m.csv")
    assert [len(row) for row in table.rows] == [2, 4, 4]
    assert table.rows[2] == ("1", "2", "3", "")


def test_it_trims_headers_but_returns_cells_exactly_as_written():
    data = b' UPN , Surname \n  X938200125001 ,"  Smith "\n'
    table = read_table(data, filename="m.csv")
    assert table.headers == ("UPN", "Surname")
    assert table.rows == [("  X938200125001 ", "  Smith ")]


def test_it_returns_html_and_formula_looking_cells_unchanged():
    cells = [
        '<script>alert("x")</script>',
        '=HYPERLINK("http://example.com","Click")',
        "+44 7700",
        "-5",
        "@SUM(A1)",
    ]
    quoted = ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)
    table = read_table(f"A,B,C,D,E\n{quoted}\n".encode(), filename="m.csv")
    assert table.rows == [tuple(cells)]
    book = read_table(
        workbook_bytes(("S", [["A", "B", "C", "D", "E"], [*cells[:1], "'=1+1", *cells[2:]]])),
        filename="m.xlsx",
    )
    assert book.rows == [(cells[0], "'=1+1", *cells[2:])]


def test_it_names_the_line_where_an_unclosed_quote_starts():
    lines = (
        ["UPN,Name"]
        + [f"X{i},Pupil {i}" for i in range(2, 14)]
        + ['X14,"Pupil 14']
        + [f"X{i},Pupil {i}" for i in range(15, 21)]
    )
    assert rejected("\n".join(lines).encode()) == (
        "A quoted cell that starts on line 14 never ends: check for a stray double quote."
    )


def test_it_names_the_line_of_an_unclosed_quote_in_a_large_file():
    # The csv module gives up at its own field size limit long before the end of such a file.
    lines = ["UPN,Name", 'X2,"Pupil 2'] + [f"X{i},Pupil {i}" for i in range(3, 20_000)]
    assert rejected("\n".join(lines).encode()) == (
        "A quoted cell that starts on line 2 never ends: check for a stray double quote."
    )


def test_it_names_the_line_of_a_quote_in_the_wrong_place():
    assert rejected(b'UPN,Name\nX1,Ann\nX2,"O"Brien"\n') == (
        "Line 3 has a double quote in the wrong place: a cell that starts with a double quote must end with "
        "one, just before the delimiter or the end of the line. Check the double quotes on that line."
    )


def test_it_traces_a_stray_quote_that_a_later_quote_closes():
    assert rejected(b'UPN,Name\nX1,"Ann\nX2,Bob\nX3,"Cy"\n') == (
        "A quoted cell that starts on line 2 closes on line 4 with more text after the closing quote: check "
        "for a stray double quote on line 2."
    )


# ---------------------------------------------------------------- limits
def test_it_rejects_a_file_over_the_size_limit_naming_it_in_megabytes():
    data = b"UPN,Name\n" + b"X938200125001,Smith\n" * 80_000
    assert rejected(data, limits=Limits(max_bytes=1024 * 1024)) == (
        "The file is 1.53 MB; Tandem accepts files up to 1 MB. Split it into smaller files, or leave out "
        "columns that are not needed, and upload them one at a time."
    )
    assert "up to 20 MB" in rejected(b"x" * (20 * 1024 * 1024 + 1))


def test_it_rejects_too_many_rows_naming_the_limit():
    data = b"UPN\nA\nB\nC\n"
    assert len(read_table(data, filename="m.csv", limits=Limits(max_rows=3)).rows) == 3
    message = (
        "The file has more than 2 rows of data; Tandem accepts at most 2 at a time. Split it into smaller "
        "files and upload them one at a time."
    )
    assert rejected(data, limits=Limits(max_rows=2)) == message
    book = workbook_bytes(("S", [["UPN"], ["A"], ["B"], ["C"]]))
    assert rejected(book, "m.xlsx", limits=Limits(max_rows=2)) == message


def test_it_rejects_too_many_columns_naming_the_limit():
    limits = Limits(max_columns=3)
    assert rejected(b"A,B,C,D\n1,2,3,4\n", limits=limits) == (
        "The header row (line 1) has 4 columns; Tandem accepts at most 3. Remove the columns that are not "
        "needed and upload the file again."
    )
    assert rejected(b"A,B,C\n1,2,3\n1,2,3,4\n", limits=limits) == (
        "Line 3 has 4 cells; Tandem accepts at most 3 columns. Remove the columns that are not needed and "
        "upload the file again."
    )
    book = workbook_bytes(("S", [["A", "B"], [1, 2, 3, 4]]))
    assert rejected(book, "m.xlsx", limits=limits) == (
        "Row 2 has 4 cells; Tandem accepts at most 3 columns. Remove the columns that are not needed and "
        "upload the file again."
    )


def test_it_rejects_an_oversized_cell_naming_line_and_column_but_not_the_content():
    secret = "Confidential safeguarding note " * 70
    data = f'UPN,Name,Note\nX1,Ann,short\nX2,Bob,"{secret}"\n'.encode()
    message = rejected(data)
    assert message == (
        "The cell on line 3, column 3 has more than 2,000 characters; Tandem accepts at most 2,000 in a "
        "cell. Check that this is the right file, or shorten that cell."
    )
    assert "safeguarding" not in message
    book = workbook_bytes(("S", [["UPN", "Note"], ["X1", "ok"], ["X2", secret]]))
    assert rejected(book, "m.xlsx") == (
        "The cell in row 3, column 2 (B) has more than 2,000 characters; Tandem accepts at most 2,000 in a "
        "cell. Check that this is the right file, or shorten that cell."
    )


def test_it_reads_a_hundred_thousand_rows():
    header = "UPN,Surname,Forename,DOB,Year,Reg,SEN,Score\r\n"
    body = "".join(
        f"X{i:012d},Surname{i},Forename{i},14/03/2015,4,4B,K,{i % 120}\r\n" for i in range(100_000)
    )
    table = read_table((header + body).encode(), filename="big.csv")
    assert len(table.rows) == 100_000
    assert len(table.line_numbers) == 100_000
    assert table.line_numbers[-1] == 100_001
    assert table.rows[-1] == (
        "X000000099999",
        "Surname99999",
        "Forename99999",
        "14/03/2015",
        "4",
        "4B",
        "K",
        "39",
    )
    assert {len(row) for row in table.rows} == {8}


# ---------------------------------------------------------------- not a spreadsheet
@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"UPN,Name\nX1,Ann\x00\n", ""),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", ": it looks like a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ": it looks like an image (PNG)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", ": it looks like an image (JPEG)"),
    ],
    ids=["nul-bytes", "pdf", "png", "jpeg"],
)
def test_it_rejects_a_file_that_is_not_a_spreadsheet_even_when_named_csv(data, kind):
    assert rejected(data, "marks.csv") == NOT_A_SPREADSHEET.format(kind)


def test_it_rejects_a_word_document_named_xlsx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert rejected(out.getvalue(), "marks.xlsx") == NOT_A_SPREADSHEET.format(
        ": it looks like a Word document"
    )


def test_it_rejects_a_legacy_xls_workbook():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert (
        rejected(data, "marks.xls")
        == LEGACY_XLS
        == (
            "This is an old-style Excel workbook (.xls), which Tandem cannot read. Save it as an Excel "
            "workbook (.xlsx) or as CSV and upload that."
        )
    )


def test_it_recognises_a_password_protected_workbook():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le")
    assert rejected(data, "marks.xlsx") == PROTECTED_WORKBOOK


def test_it_notices_when_the_name_and_the_content_disagree():
    table = read_table(b"UPN,Name\nX1,Ann\n", filename="marks.xlsx")
    assert table.file_format == "csv"
    assert table.notices == (
        FileNotice("format", "The file is named .xlsx but contains text; Tandem read it as CSV."),
    )
    book = read_table(workbook_bytes(("S", [["UPN"], ["X1"]])), filename="marks.csv")
    assert book.file_format == "xlsx"
    assert book.notices == (
        FileNotice(
            "format", "The file is named .csv but is an Excel workbook; Tandem read it as a workbook."
        ),
    )


# ---------------------------------------------------------------- macros and hostile workbooks
def test_it_rejects_an_xlsm_by_its_name():
    assert (
        rejected(workbook_bytes(("S", [["UPN"]])), "Marks.XLSM")
        == MACROS
        == (
            "This workbook contains macros (.xlsm). Save it as an ordinary Excel workbook (.xlsx) or as CSV "
            "and upload that."
        )
    )


def test_it_rejects_a_workbook_carrying_a_vba_project_whatever_its_name():
    data = rezip(workbook_bytes(("S", [["UPN"]])), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    assert rejected(data, "marks.xlsx") == MACROS


def test_it_rejects_a_workbook_declaring_a_macro_content_type():
    data = workbook_bytes(("S", [["UPN"]]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert "macroEnabled" in types
    assert rejected(rezip(data, replace={"[Content_Types].xml": types.encode()}), "marks.xlsx") == MACROS


def test_it_refuses_a_zip_bomb_before_opening_it():
    data = rezip(workbook_bytes(("S", [["UPN"]])), add={"xl/media/padding.bin": b" " * (4 * 1024 * 1024)})
    assert rejected(data, "marks.xlsx") == (
        "This workbook expands to more than 100 times its size when opened, which is how harmful files are "
        "built, so Tandem will not open it. Open it in Excel, save it as CSV, and upload that."
    )


def test_it_refuses_a_workbook_that_expands_past_the_limit():
    data = workbook_bytes(("S", [["UPN"], ["X1"]]))
    assert rejected(data, "marks.xlsx", limits=Limits(max_xlsx_uncompressed=4 * 1024)) == (
        "This workbook expands to more than 4 KB when opened, more than Tandem accepts. Open it in Excel, "
        "save it as CSV, and upload that."
    )


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\x14\x00garbage" * 50,
        workbook_bytes(("S", [["UPN"], ["X1"]]))[:-200],
    ],
    ids=["garbage", "truncated"],
)
def test_it_rejects_a_damaged_workbook(data):
    assert (
        rejected(data, "marks.xlsx")
        == DAMAGED
        == (
            "This workbook is damaged and cannot be opened. Open it in Excel, save it again as .xlsx or as "
            "CSV, and upload that."
        )
    )


def test_it_rejects_a_workbook_whose_sheet_is_not_xml():
    data = rezip(
        workbook_bytes(("S", [["UPN"], ["X1"]])),
        replace={"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"},
    )
    assert rejected(data, "marks.xlsx") == DAMAGED


# ---------------------------------------------------------------- workbook contents
def test_it_turns_workbook_values_into_text():
    # Naive on purpose: a workbook cell has no time zone (openpyxl refuses an aware datetime).
    rows: list[list[object]] = [
        ["Date", "Time stamp", "Int", "Float", "Whole float", "Bool", "Empty", "Text"],
        [dt.date(2025, 3, 14), dt.datetime(2025, 3, 14, 9, 30), 12, 12.5, 12.0, True, None, "007"],  # noqa: DTZ001
        [dt.datetime(2025, 3, 14), dt.time(9, 30), -3, 0.1, 1e20, False, None, ""],  # noqa: DTZ001
    ]
    table = read_table(workbook_bytes(("Marks", rows)), filename="marks.xlsx")
    assert (table.file_format, table.encoding, table.delimiter, table.sheet) == ("xlsx", "", "", "Marks")
    assert table.headers == ("Date", "Time stamp", "Int", "Float", "Whole float", "Bool", "Empty", "Text")
    assert table.rows == [
        ("2025-03-14", "2025-03-14T09:30:00", "12", "12.5", "12", "TRUE", "", "007"),
        ("2025-03-14", "09:30:00", "-3", "0.1", "100000000000000000000", "FALSE"),
    ]
    assert table.line_numbers == [2, 3]
    assert table.notices == ()


def test_it_gives_a_formulas_cached_value_or_nothing():
    data = workbook_bytes(("S", [["Sum", "Joined", "Uncalculated"], ["=1+1", "=A1", "=2+2"]]))
    xml = sheet_xml(data)
    # openpyxl writes an empty value as <v /> or <v></v>, depending on whether lxml is installed.
    empty = r"(?:<v ?/>|<v></v>)"
    xml = re.sub(rf"<f>1\+1</f>{empty}", "<f>1+1</f><v>2</v>", xml)
    xml = re.sub(rf'<c r="B2"><f>A1</f>{empty}</c>', '<c r="B2" t="str"><f>A1</f><v>Sum</v></c>', xml)
    data = rezip(data, replace={"xl/worksheets/sheet1.xml": xml.encode()})
    table = read_table(data, filename="sums.xlsx")
    assert table.rows == [("2", "Sum")]


def test_it_reads_the_first_sheet_and_says_there_are_others():
    data = workbook_bytes(("Marks", [["UPN"], ["X1"]]), ("Notes", [["x"]]), ("Old", [["y"]]))
    table = read_table(data, filename="marks.xlsx")
    assert table.sheet == "Marks"
    assert table.rows == [("X1",)]
    assert table.notices == (
        FileNotice("sheet", "The workbook has 3 sheets; Tandem read the first, 'Marks'."),
    )


def test_it_skips_a_hidden_first_sheet():
    data = workbook_bytes(("Lookup", [["code"], ["K"]]), ("Marks", [["UPN"], ["X1"]]), hidden=("Lookup",))
    table = read_table(data, filename="marks.xlsx")
    assert table.sheet == "Marks"
    assert table.headers == ("UPN",)
    assert table.notices == (
        FileNotice("sheet", "The workbook has 2 sheets; Tandem read the first visible one, 'Marks'."),
    )


def test_it_says_when_the_first_sheet_is_empty_but_others_are_not():
    data = workbook_bytes(("Sheet1", []), ("Marks", [["UPN"], ["X1"]]))
    assert rejected(data, "marks.xlsx") == (
        "The first sheet, 'Sheet1', is empty; Tandem reads only the first visible sheet. Move the data to "
        "the first sheet, or delete the empty one, and upload the workbook again."
    )
    assert rejected(workbook_bytes(("Sheet1", [])), "marks.xlsx") == EMPTY


def test_it_skips_blank_sheet_rows_trims_trailing_empty_cells_and_keeps_inner_ones():
    book = Workbook()
    sheet = book.active
    sheet.title = "Marks"
    sheet.append([])
    sheet.append([" UPN ", None, "Score", None])
    sheet.append(["X1", None, 5, None, None])
    sheet.append([None, None, "  "])
    sheet.append(["X2", "", 7])
    sheet["J5"].font = Font(bold=True)  # a formatted but empty cell far to the right
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), filename="marks.xlsx")
    assert table.header_line == 2
    assert table.headers == ("UPN", "", "Score")
    assert table.rows == [("X1", "", "5"), ("X2", "", "7")]
    assert table.line_numbers == [3, 5]


def test_it_does_not_trust_a_wrong_sheet_dimension():
    data = workbook_bytes(("S", [["UPN", "Name"], ["X1", "Ann"], ["X2", "Bob"], ["X3", "Cy"]]))
    xml = re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1" />', sheet_xml(data))
    assert '<dimension ref="A1" />' in xml
    table = read_table(rezip(data, replace={"xl/worksheets/sheet1.xml": xml.encode()}), filename="m.xlsx")
    assert table.headers == ("UPN", "Name")
    assert table.rows == [("X1", "Ann"), ("X2", "Bob"), ("X3", "Cy")]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  as is ", "  as is "),
        (True, "TRUE"),
        (0, "0"),
        (3.0, "3"),
        (2.675, "2.675"),
        (dt.datetime(2025, 3, 14, 9, 30, 5), "2025-03-14T09:30:05"),  # noqa: DTZ001 (a workbook cell's)
        (dt.date(2025, 3, 14), "2025-03-14"),
    ],
)
def test_it_writes_cell_values_as_a_person_would_type_them(value, text):
    assert cell_text(value) == text


# ---------------------------------------------------------------- file names
@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\marks.csv", "marks.csv"),
        ("C:marks.csv", "marks.csv"),
        ("..", "upload"),
        ("...", "upload"),
        ("", "upload"),
        ("dir/", "upload"),
        ("mar\x00ks\r\n\t.csv", "marks.csv"),
        ("cod\u202eslx.exe", "codslx.exe"),
        ("  Year 4 marks (Spring).xlsx ", "Year 4 marks (Spring).xlsx"),
        ("Zoë's marks.csv", "Zoë's marks.csv"),
    ],
)
def test_it_makes_a_safe_file_name(name, safe):
    assert safe_filename(name) == safe


def test_it_shortens_a_very_long_file_name_but_keeps_its_extension():
    safe = safe_filename("a" * 300 + ".csv")
    assert len(safe) == 120
    assert safe == "a" * 116 + ".csv"
    assert len(safe_filename("b" * 300)) == 120
