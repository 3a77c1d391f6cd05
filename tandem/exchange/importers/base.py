"""What every import plan shares: the plan itself, rows as fields, and finding the pupil a row is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from tandem.exchange.fields import Cell, parse_date, parse_mis_id, parse_upn
from tandem.exchange.tabular import Table
from tandem.people.models import Pupil
from tandem.schools.models import AcademicYear, AssessmentWindow, School

# Every issue is listed in the preview up to this many; the counts always cover all rows.
MAX_LISTED_ISSUES = 2_000


@dataclass(frozen=True)
class RowIssue:
    line: int  # 0 for the whole file
    field: str
    message: str
    is_error: bool


@dataclass
class Plan:
    """The writes an import leads to, in order: updates first (closing open records), then creates."""

    rows_total: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # about the whole file
    error_lines: set[int] = field(default_factory=set)
    warning_lines: set[int] = field(default_factory=set)
    # Rows that create something, change something, or leave everything as it was.
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    academic_years: list[AcademicYear] = field(default_factory=list)  # saved first: groups point at them
    windows: list[AssessmentWindow] = field(default_factory=list)  # saved next: results point at them
    updates: list[tuple[type[Model], list[Model], tuple[str, ...]]] = field(default_factory=list)
    creates: list[tuple[type[Model], list[Model]]] = field(default_factory=list)
    # Pupil id -> the SEN status the file gives them (SEN files and CTFs): written as the MIS's word when
    # the import is applied (MisSenStatus), for the census check.
    mis_sen: dict[Any, str] = field(default_factory=dict)
    _said: set[RowIssue] = field(default_factory=set, repr=False)

    def add(self, line: int, label: str, message: str, *, error: bool) -> None:
        issue = RowIssue(line, label, message, error)
        if issue in self._said:
            return  # a marksheet line is read once per column: say each thing about it once
        self._said.add(issue)
        (self.error_lines if error else self.warning_lines).add(line)
        self.issues.append(issue)

    def take(self, line: int, label: str, cell: Cell) -> Any:
        for warning in cell.warnings:
            self.add(line, label, warning, error=False)
        if cell.error:
            self.add(line, label, cell.error, error=True)
        return cell.value

    def write_count(self) -> int:
        return sum(len(rows) for _, rows, _ in self.updates) + sum(len(rows) for _, rows in self.creates)

    @property
    def blocking(self) -> bool:
        return bool(self.error_lines)

    def listed_issues(self) -> list[RowIssue]:
        return sorted(self.issues, key=lambda i: (i.line, not i.is_error))[:MAX_LISTED_ISSUES]


class TableRows:
    """The table's rows as {field: text}, with each row's line number."""

    def __init__(self, table: Table, columns: dict[str, int]) -> None:
        self.table = table
        self.columns = columns

    def __iter__(self) -> Any:
        for line, row in zip(self.table.line_numbers, self.table.rows, strict=True):
            yield line, {key: (row[i] if i < len(row) else "") for key, i in self.columns.items()}


def note_long_rows(table: Table, plan: Plan) -> None:
    width = len(table.headers)
    for line, row in zip(table.line_numbers, table.rows, strict=True):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            plan.add(
                line,
                "Row",
                f"This row has {len(row)} cells but the header has {width}; the extra cells are ignored.",
                error=False,
            )


class PupilIndex:
    """The school's pupils by UPN and by MIS id (one query); never another school's."""

    def __init__(self, school: School) -> None:
        self.pupils = list(Pupil.objects.filter(school=school))
        self.by_upn = {p.upn: p for p in self.pupils if p.upn}
        self.by_mis = {p.mis_id: p for p in self.pupils if p.mis_id}
        self.by_name: dict[tuple[str, str, dt.date], list[Pupil]] = {}
        for p in self.pupils:
            key = (p.legal_surname.casefold(), p.legal_forename.casefold(), p.date_of_birth)
            self.by_name.setdefault(key, []).append(p)
        # A results file names each pupil many times: check each UPN once.
        self._upn_checks: dict[str, Cell] = {}

    def check_upn(self, raw: str) -> Cell:
        cell = self._upn_checks.get(raw)
        if cell is None:
            cell = self._upn_checks[raw] = parse_upn(raw)
        return cell

    def find(self, upn: str, mis_id: str) -> Pupil | None:
        if upn:
            found = self.by_upn.get(upn)
            if found is None and mis_id:
                # A pupil on record without a UPN yet is the same pupil when the MIS id matches.
                candidate = self.by_mis.get(mis_id)
                found = candidate if candidate is not None and not candidate.upn else None
            return found
        return self.by_mis.get(mis_id) if mis_id else None


def identify_pupil(plan: Plan, line: int, values: dict[str, str], index: PupilIndex) -> Pupil | None:
    """The pupil a SEN or results row is about, or an error that names only what the row itself says."""
    upn = plan.take(line, "UPN", index.check_upn(values.get("upn", "")))
    mis_id = plan.take(line, "MIS id", parse_mis_id(values.get("mis_id", "")))
    if line in plan.error_lines:
        return None
    if not upn and not mis_id:
        if all(values.get(key, "").strip() for key in ("surname", "forename", "dob")):
            return _by_name(plan, line, values, index)
        plan.add(line, "UPN", "The row has no UPN or MIS id, so it cannot be matched to a pupil.", error=True)
        return None
    pupil = index.find(upn or "", mis_id or "")
    if pupil is None:
        which = f"UPN {upn}" if upn else f"MIS id {mis_id}"
        plan.add(
            line,
            "UPN" if upn else "MIS id",
            f"No pupil at this school has {which}. Import the roll (pupils) first.",
            error=True,
        )
    return pupil


def _by_name(plan: Plan, line: int, values: dict[str, str], index: PupilIndex) -> Pupil | None:
    """Matching by name and date of birth, for a row with neither UPN nor MIS id: warned, so the preview is
    where someone confirms it (rule 5 of ../shared/reference/data-formats.md, section 0)."""
    dob = plan.take(line, "Date of birth", parse_date(values["dob"], label="Date of birth"))
    if dob is None:
        return None
    key = (values["surname"].strip().casefold(), values["forename"].strip().casefold(), dob)
    found = index.by_name.get(key, [])
    if len(found) > 1:
        plan.add(
            line, "UPN", "More than one pupil here has this name and date of birth: give the UPN.", error=True
        )
        return None
    if not found:
        plan.add(
            line,
            "UPN",
            "No pupil at this school has this name and date of birth, and the row has no UPN or MIS id.",
            error=True,
        )
        return None
    plan.add(
        line,
        "UPN",
        "Matched by name and date of birth, as the row has no UPN or MIS id: check it is the right pupil.",
        error=False,
    )
    return found[0]


def codes_by_name(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for code, name in items:
        found[code.lower()] = code
        found.setdefault(name.lower(), code)
    return found
