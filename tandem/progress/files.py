"""The engine on files, without a database: a long CSV of marks in, one row per pupil, subject and window out.

Pure (no Django), so `tandem analyse --input marks.csv --output results.csv` works on a laptop with
nothing set up, and a local authority can run it on an export.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

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
    columns: dict[str, np.ndarray]
    rows: int


def _number(text: str, *, line: int, field: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise MarksFileError(f"Line {line}: {field} '{text}' is not a number.") from None


def read_marks(handle: IO[str]) -> Marks:
    """Read a long CSV (one row per pupil, subject and window); every bad row is reported, none skipped."""
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
    for line, row in enumerate(reader, start=2):
        try:
            for name in REQUIRED:
                if not (row.get(name) or "").strip():
                    raise MarksFileError(f"Line {line}: {name} is empty.")
            values["pupil"].append(row["pupil"].strip())
            values["subject"].append(row["subject"].strip())
            values["window"].append(row["window"].strip())
            values["score"].append(_number(row["score"], line=line, field="score"))
            year = _number(row["year_group"], line=line, field="year_group")
            if year != int(year):
                raise MarksFileError(f"Line {line}: year_group '{row['year_group']}' is not a whole number.")
            values["year_group"].append(int(year))
            if "date" in values:
                text = (row.get("date") or "").strip()
                try:
                    values["date"].append(dt.date.fromisoformat(text) if text else None)
                except ValueError:
                    raise MarksFileError(
                        f"Line {line}: date '{text}' is not a date like 2025-11-20."
                    ) from None
            if "school" in values:
                values["school"].append((row.get("school") or "").strip())
        except MarksFileError as error:
            errors.append(str(error))
    if errors:
        shown = "\n".join(errors[:20])
        more = f"\n...and {len(errors) - 20} more." if len(errors) > 20 else ""
        raise MarksFileError(f"{len(errors)} row(s) cannot be used; nothing was analysed:\n{shown}{more}")
    rows = len(values["pupil"])
    if rows == 0:
        raise MarksFileError("The file has a header but no marks.")
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
    return Marks(columns=columns, rows=rows)


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{float(value):.4g}"
    if isinstance(value, int | np.integer | np.bool_):
        return str(value)
    return escape_formula(str(value))


def output_columns(table: ProgressTable) -> list[str]:
    return [name for name in COLUMNS if name in table.columns]


def write_results(table: ProgressTable, path: Path) -> int:
    """Write every row with its figures, criteria and reasons; written to a temporary file, then renamed."""
    names = output_columns(table)
    columns: dict[str, Iterable[object]] = {name: table.columns[name] for name in names}
    columns["norm_model"] = np.asarray(NORM_MODELS, dtype=object)[table.columns["norm_model"]]
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in zip(*(columns[name] for name in names), strict=True):
            writer.writerow([_cell(value) for value in row])
    partial.replace(path)
    return len(table)
