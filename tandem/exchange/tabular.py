"""Read an uploaded CSV or XLSX file into rows of text, refusing only what cannot be read safely.

Pure Python, no Django: the import preview, the management commands and the tests all call `read_table`.

Every importer follows the same rule (data-formats.md section 0): warn, don't reject. So this module rejects a
file only when nothing in it can be used (wrong kind of file, unreadable text, a workbook that could be a zip
bomb or carries macros, or one that breaks a size limit), and otherwise returns every cell exactly as the file
holds it. Trimming, parsing and validating values is the caller's job, so it can show the raw value beside
the parsed one and warn instead of silently fixing anything.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter


class FileRejected(Exception):
    """Nothing in the file can be used; str(exc) is a plain-English message for a school admin."""


@dataclass(frozen=True)
class FileNotice:
    """A warning about the whole file; the file was still read."""

    field: str
    message: str


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    max_cell_chars: int = 2_000
    max_columns: int = 200
    max_xlsx_uncompressed: int = 200 * 1024 * 1024
    max_xlsx_ratio: int = 100


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    line_numbers: list[int]
    file_format: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    notices: tuple[FileNotice, ...] = field(default_factory=tuple)
    header_line: int = 1
    """The CSV line or sheet row holding the header, so a caller can point at it too."""


# ---------------------------------------------------------------- messages
SAVE_AS = "Save it as an Excel workbook (.xlsx) or as CSV and upload that."
EMPTY = "The file is empty."
MACROS = (
    "This workbook contains macros (.xlsm). Save it as an ordinary Excel workbook (.xlsx) or as CSV "
    "and upload that."
)
LEGACY_XLS = f"This is an old-style Excel workbook (.xls), which Tandem cannot read. {SAVE_AS}"
PROTECTED_WORKBOOK = (
    "This workbook is protected with a password, so Tandem cannot open it. Remove the password in Excel "
    "(File, Info, Protect Workbook), save it, and upload it again."
)
DAMAGED = (
    "This workbook is damaged and cannot be opened. Open it in Excel, save it again as .xlsx or as CSV, "
    "and upload that."
)
NOT_UTF8_NOTICE = (
    "The file was not saved as UTF-8; Tandem read it as Windows-1252, the encoding Excel uses. Check that "
    "accented names look right in the preview."
)
SAVE_AS_UTF8 = 'Save it from Excel as "CSV UTF-8 (Comma delimited)" and upload that.'


def _not_a_spreadsheet(kind: str = "") -> str:
    what = f": it looks like {kind}" if kind else ""
    return (
        f"This file is not a spreadsheet or CSV file{what}. Export the data from your MIS or from Excel "
        "as CSV or as an Excel workbook (.xlsx) and upload that."
    )


def _size(n: int) -> str:
    """A byte count as people say it; limits in tests can be tiny, so not always megabytes."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


# ---------------------------------------------------------------- file names
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DRIVE = re.compile(r"^[A-Za-z]:")
MAX_FILENAME = 120


def safe_filename(name: str) -> str:
    """The base name of an uploaded file, fit to store and show.

    Browsers on Windows have sent the whole client path, and a hostile client can send anything, so
    the name is cut to its last part. Bidirectional controls go too: a right-to-left override makes
    "cod", the override and "slx.exe" display as "codexe.xls".
    """
    base = re.split(r"[/\\]", name)[-1]
    base = _DRIVE.sub("", base)
    base = "".join(ch for ch in base if unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS).strip()
    if not base.strip("."):
        return "upload"
    if len(base) > MAX_FILENAME:
        stem, dot, extension = base.rpartition(".")
        if dot and stem and 0 < len(extension) <= 10:
            base = stem[: MAX_FILENAME - len(extension) - 1].rstrip() + "." + extension
        else:
            base = base[:MAX_FILENAME]
    return base


def _extension(filename: str) -> str:
    _, dot, extension = safe_filename(filename).rpartition(".")
    return "." + extension.lower() if dot else ""


# ---------------------------------------------------------------- entry point
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_EXTENSIONS = frozenset({".xlsm", ".xltm", ".xlam"})
_WORKBOOK_EXTENSIONS = frozenset({".xlsx", ".xltx", ".xlsm", ".xls", ".xlsb", ".ods"})
_TEXT_EXTENSIONS = frozenset({"", ".csv", ".txt", ".tsv", ".tab", ".dat"})
# What a wrong upload most often is; named so the message can say what was sent.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "an image (PNG)"),
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"GIF87a", "an image (GIF)"),
    (b"GIF89a", "an image (GIF)"),
    (b"II*\x00", "an image (TIFF)"),
    (b"MM\x00*", "an image (TIFF)"),
    (b"{\\rtf", "a Word document (RTF)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"PK\x07\x08", "a zip archive"),
    (b"\x1f\x8b", "a compressed archive (gzip)"),
    (b"7z\xbc\xaf\x27\x1c", "a compressed archive (7-Zip)"),
    (b"Rar!\x1a\x07", "a compressed archive (RAR)"),
)


def read_table(data: bytes, *, filename: str, limits: Limits = DEFAULT_LIMITS) -> Table:
    """The header and data rows of an uploaded CSV or XLSX file, every cell as text.

    The content decides the format; the name only matters where the content cannot tell (macros by
    extension) and for a notice when name and content disagree. Raises FileRejected with a message for
    the person who uploaded the file.
    """
    if len(data) > limits.max_bytes:
        raise FileRejected(
            f"The file is {_size(len(data))}; Tandem accepts files up to {_size(limits.max_bytes)}. "
            "Split it into smaller files, or leave out columns that are not needed, and upload them one at "
            "a time."
        )
    if not data:
        raise FileRejected(EMPTY)
    extension = _extension(filename)
    if extension in _MACRO_EXTENSIONS:
        raise FileRejected(MACROS)
    if data.startswith(_ZIP_MAGIC):
        notices: list[FileNotice] = []
        if extension not in _WORKBOOK_EXTENSIONS:
            notices.append(
                FileNotice(
                    "format",
                    f"The file is named {extension or 'without an extension'} but is an Excel workbook; "
                    "Tandem read it as a workbook.",
                )
            )
        return _read_xlsx(data, limits, notices)
    if data.startswith(_OLE2_MAGIC):
        # Excel encrypts a password-protected .xlsx inside the old compound-file container.
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise FileRejected(PROTECTED_WORKBOOK)
        raise FileRejected(LEGACY_XLS)
    for magic, kind in _BINARY_MAGIC:
        if data.startswith(magic):
            raise FileRejected(_not_a_spreadsheet(kind))
    notices = []
    if extension not in _TEXT_EXTENSIONS:
        notices.append(
            FileNotice("format", f"The file is named {extension} but contains text; Tandem read it as CSV.")
        )
    return _read_csv(data, limits, notices)


# ---------------------------------------------------------------- CSV
DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 50
_SNIFF_CHARS = 64 * 1024
_SNIFFER_CHARS = 2 * 1024
_SEP_HINT = re.compile(r"sep=([,;\t|])[\r\n]*")


def _line_of_byte(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def _decode(data: bytes) -> tuple[str, str, list[FileNotice]]:
    notices: list[FileNotice] = []
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated.
        encoding = "utf-16"
    else:
        encoding = ""
        if b"\x00" in data:
            raise FileRejected(_not_a_spreadsheet())
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            label = "UTF-8" if encoding == "utf-8-sig" else "UTF-16"
            where = f" at line {_line_of_byte(data, exc.start)}" if encoding == "utf-8-sig" else ""
            raise FileRejected(
                f"The file is marked as {label} text but is not valid {label}{where}. {SAVE_AS_UTF8}"
            ) from exc
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            # Python's cp1252 codec fails on exactly the five bytes Windows-1252 leaves undefined (0x81,
            # 0x8D, 0x8F, 0x90, 0x9D): text with those is in some other encoding, or not text at all.
            try:
                text, encoding = data.decode("cp1252"), "windows-1252"
            except UnicodeDecodeError as exc:
                byte = data[exc.start]
                raise FileRejected(
                    f"Tandem cannot read the text in this file: line {_line_of_byte(data, exc.start)} has a "
                    f"byte (0x{byte:02X}) that is not a character in UTF-8 or in Windows-1252. {SAVE_AS_UTF8}"
                ) from exc
            notices.append(FileNotice("encoding", NOT_UTF8_NOTICE))
    if "\x00" in text:
        raise FileRejected(_not_a_spreadsheet())
    return text, encoding, notices


def _physical_lines(text: str) -> Iterator[str]:
    # newline="" splits on \r\n, \n and \r alike but keeps the endings, as csv wants.
    return iter(io.StringIO(text, newline=""))


def _sample(text: str) -> tuple[str, bool]:
    """The first lines of the text and whether it was cut short (then the last record may be partial)."""
    taken: list[str] = []
    size = 0
    for line in _physical_lines(text):
        if len(taken) >= _SNIFF_LINES or size + len(line) > _SNIFF_CHARS:
            return "".join(taken), True
        taken.append(line)
        size += len(line)
    return "".join(taken), False


def _fit(sample: str, truncated: bool, delimiter: str) -> tuple[int, float]:
    """Header width and the share of the following records with the same width, for one delimiter."""
    try:
        records = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(r)]
    except csv.Error:
        return 0, 0.0
    if truncated and len(records) > 1:
        records.pop()
    if not records:
        return 0, 0.0
    width = len(records[0])
    body = records[1:]
    if not body:
        return width, 1.0
    return width, sum(len(r) == width for r in body) / len(body)


def _choose_delimiter(text: str) -> str:
    sample, truncated = _sample(text)
    fits = {d: _fit(sample, truncated, d) for d in DELIMITERS}
    # Plausible: it splits the header and keeps the rows in step with it.
    candidates = [d for d in DELIMITERS if fits[d][0] > 1 and fits[d][1] >= 0.8]
    if not candidates:
        return ","
    if len(candidates) == 1:
        return candidates[0]
    # Only a tie needs csv.Sniffer, and only on a short sample: its quote-guessing regex takes time
    # quadratic in the sample (over ten seconds for 64 KB of stray quotes).
    try:
        sniffed = csv.Sniffer().sniff(sample[:_SNIFFER_CHARS], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in candidates:
        return sniffed
    return max(candidates, key=lambda d: fits[d][::-1])


def _read_csv(data: bytes, limits: Limits, notices: list[FileNotice]) -> Table:
    text, encoding, encoding_notices = _decode(data)
    notices.extend(encoding_notices)
    if not text.replace("\ufeff", "").strip():
        raise FileRejected(EMPTY)

    # Excel writes and honours a first line "sep=;" naming the delimiter; it is not data.
    first_line = next(_physical_lines(text), "")
    hint = _SEP_HINT.fullmatch(first_line)
    delimiter = hint.group(1) if hint else _choose_delimiter(text)

    reader = csv.reader(_physical_lines(text), delimiter=delimiter, strict=True)
    found = _Records(limits.max_rows)
    max_cell, max_columns = limits.max_cell_chars, limits.max_columns
    consumed = 0  # physical lines read so far: a record starts on the line after
    try:
        if hint:
            next(reader)
            consumed = reader.line_num
        for record in reader:
            line = consumed + 1
            consumed = reader.line_num
            joined = "".join(record)
            if not joined.strip():
                continue
            if len(joined) > max_cell:
                _check_cells(record, line, max_cell)
            if len(record) > max_columns:
                raise FileRejected(
                    _too_many_columns(len(record), max_columns, line, found.headers is None, "line")
                )
            found.add(record, line)
    except csv.Error as exc:
        raise FileRejected(_csv_problem(text, consumed + 1, delimiter, max_cell, str(exc))) from exc
    if found.headers is None:
        raise FileRejected(EMPTY)
    return Table(
        headers=found.headers,
        rows=found.rows,
        line_numbers=found.line_numbers,
        file_format="csv",
        encoding=encoding,
        delimiter=delimiter,
        sheet="",
        notices=tuple(notices),
        header_line=found.header_line,
    )


class _Records:
    """The header (the first record that is not blank) and the data records after it, with their lines."""

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.headers: tuple[str, ...] | None = None
        self.header_line = 0
        self.rows: list[tuple[str, ...]] = []
        self.line_numbers: list[int] = []

    def add(self, cells: Sequence[str], line: int) -> None:
        if self.headers is None:
            self.headers = tuple(cell.strip() for cell in cells)
            self.header_line = line
            return
        if len(self.rows) >= self.max_rows:
            raise FileRejected(_too_many_rows(self.max_rows))
        self.rows.append(tuple(cells))
        self.line_numbers.append(line)


def _check_cells(cells: Iterable[str], line: int, max_cell: int, place: str = "line") -> None:
    for column, cell in enumerate(cells, start=1):
        if len(cell) > max_cell:
            raise FileRejected(_cell_too_long(line, column, max_cell, place))


def _cell_too_long(line: int, column: int, max_cell: int, place: str) -> str:
    # The content is left out on purpose: it may be a whole pasted document, or personal data.
    if place == "line":
        where = f"on line {line}, column {column}"
    else:
        where = f"in row {line}, column {column} ({get_column_letter(column)})"
    return (
        f"The cell {where} has more than {max_cell:,} characters; Tandem accepts at most {max_cell:,} in a "
        "cell. Check that this is the right file, or shorten that cell."
    )


def _too_many_columns(count: int, limit: int, line: int, is_header: bool, place: str) -> str:
    if is_header:
        return (
            f"The header row ({place} {line}) has {count:,} columns; Tandem accepts at most {limit:,}. "
            "Remove the columns that are not needed and upload the file again."
        )
    return (
        f"{place.capitalize()} {line} has {count:,} cells; Tandem accepts at most {limit:,} columns. Remove "
        "the columns that are not needed and upload the file again."
    )


def _too_many_rows(limit: int) -> str:
    return (
        f"The file has more than {limit:,} rows of data; Tandem accepts at most {limit:,} at a time. "
        "Split it into smaller files and upload them one at a time."
    )


def _newlines(segment: str) -> int:
    return segment.count("\n") + segment.count("\r") - segment.count("\r\n")


def _csv_problem(text: str, start_line: int, delimiter: str, max_cell: int, detail: str) -> str:
    """Say where a record the csv module refused goes wrong, by scanning it again from its first line.

    Only runs on the error path, so it favours clear messages over speed; it still uses str.find so
    a stray quote at the top of a 20 MB file is reported quickly.
    """
    offset = 0
    for number, line_text in enumerate(_physical_lines(text), start=1):
        if number >= start_line:
            break
        offset += len(line_text)
    line = start_line
    column = 1
    end = len(text)
    unquoted_end = re.compile(f"[{re.escape(delimiter)}\r\n]")
    position = offset
    while position < end:
        if text[position] == '"':
            quote_line, quote_column = line, column
            search = position + 1
            while True:
                close = text.find('"', search)
                if close == -1:
                    return (
                        f"A quoted cell that starts on line {quote_line} never ends: "
                        "check for a stray double quote."
                    )
                if text.startswith('""', close):
                    search = close + 2
                    continue
                break
            body = text[position + 1 : close]
            line += _newlines(body)
            if len(body) - body.count('""') > max_cell:
                if line > quote_line:
                    return (
                        f"The quoted cell that starts on line {quote_line}, column {quote_column} "
                        f"runs on for more than {max_cell:,} characters: check for a stray double quote."
                    )
                return _cell_too_long(quote_line, quote_column, max_cell, "line")
            position = close + 1
            if position >= end:
                break
            following = text[position]
            if following == delimiter:
                position += 1
                column += 1
                continue
            if following in "\r\n":
                position += 2 if text.startswith("\r\n", position) else 1
                line += 1
                column = 1
                continue
            if line == quote_line:
                return (
                    f"Line {line} has a double quote in the wrong place: a cell that starts with a double "
                    "quote must end with one, just before the delimiter or the end of the line. Check the "
                    "double quotes on that line."
                )
            return (
                f"A quoted cell that starts on line {quote_line} closes on line {line} with more text after "
                f"the closing quote: check for a stray double quote on line {quote_line}."
            )
        match = unquoted_end.search(text, position)
        stop = match.start() if match else end
        if stop - position > max_cell:
            return _cell_too_long(line, column, max_cell, "line")
        if match is None:
            break
        if text[stop] == delimiter:
            position = stop + 1
            column += 1
        else:
            position = stop + (2 if text.startswith("\r\n", stop) else 1)
            line += 1
            column = 1
    return (
        f"Line {start_line} cannot be read as CSV ({detail}). Save the file again from Excel as CSV and "
        "upload that."
    )


# ---------------------------------------------------------------- XLSX
_MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject")
_RATIO_FLOOR = 1024 * 1024  # a member this small cannot be a bomb, whatever its ratio
_RESAVE = "Open it in Excel, save it as CSV, and upload that."


def _check_archive(data: bytes, limits: Limits) -> None:
    """Refuse a zip that is not a plain workbook, or would cost too much to open, before openpyxl reads it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_members(archive, limits)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
    ) as exc:
        raise FileRejected(DAMAGED) from exc


def _check_members(archive: zipfile.ZipFile, limits: Limits) -> None:
    members = archive.infolist()
    names = {info.filename.lower() for info in members}
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise FileRejected(
                f"This is an Excel binary workbook (.xlsb), which Tandem cannot read. {SAVE_AS}"
            )
        if "mimetype" in names and "content.xml" in names:
            raise FileRejected(
                f"This is an OpenDocument spreadsheet (.ods), which Tandem cannot read. {SAVE_AS}"
            )
        if "word/document.xml" in names:
            raise FileRejected(_not_a_spreadsheet("a Word document"))
        if "ppt/presentation.xml" in names:
            raise FileRejected(_not_a_spreadsheet("a PowerPoint presentation"))
        raise FileRejected(_not_a_spreadsheet("a zip archive"))
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise FileRejected(PROTECTED_WORKBOOK)
        total += info.file_size
        # zipfile stops reading a member at its declared size, so the declared sizes bound what
        # opening the workbook can cost.
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_xlsx_ratio * max(
            info.compress_size, 1
        ):
            raise FileRejected(
                f"This workbook expands to more than {limits.max_xlsx_ratio} times its size when opened, "
                f"which is how harmful files are built, so Tandem will not open it. {_RESAVE}"
            )
    if total > limits.max_xlsx_uncompressed:
        raise FileRejected(
            f"This workbook expands to more than {_size(limits.max_xlsx_uncompressed)} when opened, "
            f"more than Tandem accepts. {_RESAVE}"
        )
    if "xl/vbaproject.bin" in names:
        raise FileRejected(MACROS)
    try:
        content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
    except KeyError:
        content_types = ""
    if any(marker in content_types for marker in _MACRO_CONTENT_TYPES):
        raise FileRejected(MACROS)


def cell_text(value: object) -> str:
    """A workbook cell's value as text, the way a person reading the sheet would type it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, limits: Limits, notices: list[FileNotice]) -> Table:
    _check_archive(data, limits)
    max_cell, max_columns = limits.max_cell_chars, limits.max_columns
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds of error on a malformed workbook
        raise FileRejected(DAMAGED) from exc
    try:
        sheets = list(workbook.worksheets)
        visible = [ws for ws in sheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if not visible:
            raise FileRejected(
                "This workbook has no visible worksheet. Unhide the sheet to import in Excel, save, and "
                "upload it again."
            )
        sheet = visible[0]
        title = str(sheet.title)
        if len(sheets) > 1:
            which = "the first" if sheet is sheets[0] else "the first visible one"
            notices.append(
                FileNotice("sheet", f"The workbook has {len(sheets)} sheets; Tandem read {which}, '{title}'.")
            )
        # The <dimension> a workbook records can be wrong (some exporters write A1), and read-only
        # mode would then cut rows and columns short.
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        found = _Records(limits.max_rows)
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            if not "".join(cells).strip():
                continue
            if len(cells) > max_columns:
                raise FileRejected(
                    _too_many_columns(len(cells), max_columns, number, found.headers is None, "row")
                )
            _check_cells(cells, number, max_cell, "row")
            found.add(cells, number)
    except FileRejected:
        raise
    except Exception as exc:  # a sheet's XML can be broken while the workbook opened fine
        raise FileRejected(DAMAGED) from exc
    finally:
        workbook.close()
    if found.headers is None:
        if len(visible) > 1:
            raise FileRejected(
                f"The first sheet, '{title}', is empty; Tandem reads only the first visible sheet. Move the "
                "data to the first sheet, or delete the empty one, and upload the workbook again."
            )
        raise FileRejected(EMPTY)
    return Table(
        headers=found.headers,
        rows=found.rows,
        line_numbers=found.line_numbers,
        file_format="xlsx",
        encoding="",
        delimiter="",
        sheet=title,
        notices=tuple(notices),
        header_line=found.header_line,
    )
