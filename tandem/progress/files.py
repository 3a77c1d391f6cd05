"""The engine on files, without a database: a long CSV of marks in, one row per pupil, subject and window out.

Pure (no Django), so `tandem analyse --input marks.csv --output results.csv` works on a laptop with
nothing set up, and a local authority can run it on an export.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from tandem.lib.spreadsheet import escape_formula
from tandem.progress.engine import COLUMNS, NORM_MODELS, ProgressTable

REQUIRED = ("pupil", "subject", "window", "score", "year_group")
OPTIONAL = ("date", "school")
# Spreadsheets run a cell that starts with one of these as a formula: never hand one back unescaped.


class MarksFileError(ValueError):
    """The file cannot be read as marks; the message says where and why, and nothing is written."""


@dataclass
class Marks:
    """The usable marks, and what happened to every other line of the file."""

    columns: dict[str, np.ndarray]
    rows: int  # marks handed to the engine
    lines: int = 0  # data lines read (the header not counted)
    not_assessed: int = 0  # rows with an empty score: a pupil who was not assessed, not an error
    blank: int = 0  # rows with nothing in any column
    skipped: list[str] = field(default_factory=list)  # "Line N: why", for rows left out by --skip-errors


def _number(text: str, *, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    # float() reads "nan" and "inf" too: neither is a mark.
    if not np.isfinite(value):
        hint = " (leave it empty for a pupil who was not assessed)" if column == "score" else ""
        raise MarksFileError(f"Line {line}: {column} '{text.strip()}' is not a number{hint}.")
    return value


def error_report(errors: list[str], limit: int = 20) -> str:
    """The first `limit` "Line N: why" messages, one a line, and how many more there are."""
    shown = "\n".join(errors[:limit])
    more = f"\n...and {len(errors) - limit} more." if len(errors) > limit else ""
    return f"{shown}{more}"


def read_marks(handle: IO[str], *, skip_errors: bool = False) -> Marks:
    """Read a long CSV (one row per pupil, subject and window) as schools have them.

    An empty score is a pupil who was not assessed (absent, disapplied): counted, never an error. Any other
    unusable row is reported by line; the file is refused unless `skip_errors`, which leaves those rows out
    and lists them in `Marks.skipped`.
    """
    reader = csv.DictReader(handle)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise MarksFileError(
            f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}. "
            f"It needs {', '.join(REQUIRED)} (and may have {', '.join(OPTIONAL)})."
        )
    reader.fieldnames = header
    values: dict[str, list[object]] = {name: [] for name in (*REQUIRED, *OPTIONAL) if name in header}
    errors: list[str] = []
    lines = not_assessed = blank = 0
    for line, row in enumerate(reader, start=2):
        lines += 1
        # Spreadsheets export rows of bare commas below the data: they hold nothing to report.
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            blank += 1
            continue
        try:
            if None in row:
                raise MarksFileError(
                    f"Line {line}: has {len(header) + len(row[None])} values but the header has "
                    f"{len(header)} (a comma inside a value needs quotes)."
                )
            score_text = (row.get("score") or "").strip()
            for name in REQUIRED:
                if name != "score" and not (row.get(name) or "").strip():
                    raise MarksFileError(f"Line {line}: {name} is empty.")
            # Parsed in full before anything is kept, so a row with a bad date leaves no half-row behind.
            score = _number(score_text, line=line, column="score") if score_text else None
            year = _number(row["year_group"], line=line, column="year_group")
            if year != int(year):
                raise MarksFileError(f"Line {line}: year_group '{row['year_group']}' is not a whole number.")
            date: dt.date | None = None
            if "date" in values:
                text = (row.get("date") or "").strip()
                try:
                    date = dt.date.fromisoformat(text) if text else None
                except ValueError:
                    raise MarksFileError(
                        f"Line {line}: date '{text}' is not a date like 2025-11-20."
                    ) from None
        except MarksFileError as error:
            errors.append(str(error))
            continue
        if score is None:
            not_assessed += 1
            continue
        values["pupil"].append(row["pupil"].strip())
        values["subject"].append(row["subject"].strip())
        values["window"].append(row["window"].strip())
        values["score"].append(score)
        values["year_group"].append(int(year))
        if "date" in values:
            values["date"].append(date)
        if "school" in values:
            values["school"].append((row.get("school") or "").strip())
    if errors and not skip_errors:
        raise MarksFileError(
            f"{len(errors)} row(s) cannot be used; nothing was analysed:\n{error_report(errors)}\n"
            "Correct them, or give --skip-errors to analyse the file without them."
        )
    rows = len(values["pupil"])
    if rows == 0:
        if lines == blank:
            raise MarksFileError("The file has a header but no marks.")
        raise MarksFileError(f"None of the file's {lines:,} rows has a usable score; nothing was analysed.")
    columns: dict[str, np.ndarray] = {
        "pupil": np.array(values["pupil"], dtype=object),
        "subject": np.array(values["subject"], dtype=object),
        # Window labels are compared as text, so "2025-1" sorts before "2025-2": say so in --help.
        "window": np.array(values["window"], dtype=object),
        "points": np.array(values["score"], dtype=np.float64),
        "year_group": np.array(values["year_group"], dtype=np.int16),
    }
    if "date" in values:
        columns["date"] = np.array(
            [d if d is not None else np.datetime64("NaT") for d in values["date"]], dtype="datetime64[D]"
        )
    if "school" in values:
        columns["school"] = np.array(values["school"], dtype=object)
    return Marks(
        columns=columns, rows=rows, lines=lines, not_assessed=not_assessed, blank=blank, skipped=errors
    )


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{float(value):.4g}"
    if isinstance(value, int | np.integer | np.bool_):
        return str(value)
    return escape_formula(str(value))


def _text_column(values: Any) -> list[str]:
    """One output column as text, formatted a whole column at a time: numbers to 4 significant figures
    (empty when missing), flags and counts as they are, labels and sentences with formulas escaped."""
    array = np.asarray(values)
    if array.dtype.kind == "f":
        wide = array.astype(np.float64)
        text = np.char.mod("%.4g", wide).astype(object)
        text[np.isnan(wide)] = ""
        return text.tolist()
    if array.dtype.kind == "b":
        return np.where(array, "True", "False").tolist()
    if array.dtype.kind in "iu":
        return [str(v) for v in array.tolist()]
    # Labels, sentences, dates: value by value, as they may mix types.
    return [_cell(v) for v in array]


def output_columns(table: ProgressTable) -> list[str]:
    return [name for name in COLUMNS if name in table.columns]


def write_results(table: ProgressTable, path: Path) -> int:
    """Write every row with its figures, criteria and reasons; written to a temporary file, then renamed."""
    names = output_columns(table)
    columns: dict[str, Any] = {name: table.columns[name] for name in names}
    columns["norm_model"] = np.asarray(NORM_MODELS, dtype=object)[table.columns["norm_model"]]
    text = [_text_column(columns[name]) for name in names]
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerows(zip(*text, strict=True))
    partial.replace(path)
    return len(table)
