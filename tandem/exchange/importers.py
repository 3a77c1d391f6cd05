"""What an import would do: rows checked against the school's records, and the writes they lead to.

A plan is built by reading (a handful of queries per file, never one per row) and is the same for the
preview and for the apply, so what the preview promised is what is written. Nothing here writes: the
services in `services.py` carry a plan out in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Model

from tandem.assessment.models import Assessment, Scale, ScaleKind, StageAssessment
from tandem.exchange.ctf import CtfFile, CtfPupil
from tandem.exchange.fields import (
    FIELDS,
    Cell,
    ImportKind,
    parse_aspect_header,
    parse_date,
    parse_email,
    parse_flag,
    parse_mis_id,
    parse_name,
    parse_need,
    parse_provision,
    parse_role,
    parse_sex,
    parse_upn,
    parse_year_group,
    split_full_name,
)
from tandem.exchange.tabular import Table
from tandem.lib.dates import academic_year_start
from tandem.people.models import (
    Enrolment,
    GroupKind,
    GroupStaff,
    GroupStaffRole,
    Membership,
    Pupil,
    Role,
    Subject,
    TeachingGroup,
    User,
)
from tandem.register.models import NeedType, SenNeed, SenStatusPeriod
from tandem.schools.models import AcademicYear, AssessmentWindow, School, Term

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


def _labels(kind: ImportKind) -> dict[str, str]:
    return {spec.key: spec.label for spec in FIELDS[kind]} | {"full_name": "Name"}


class _Rows:
    """The table's rows as {field: text}, with each row's line number."""

    def __init__(self, table: Table, columns: dict[str, int]) -> None:
        self.table = table
        self.columns = columns

    def __iter__(self) -> Any:
        for line, row in zip(self.table.line_numbers, self.table.rows, strict=True):
            yield line, {key: (row[i] if i < len(row) else "") for key, i in self.columns.items()}


def _row_length_issues(table: Table, plan: Plan) -> None:
    width = len(table.headers)
    for line, row in zip(table.line_numbers, table.rows, strict=True):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            plan.add(
                line,
                "Row",
                f"This row has {len(row)} cells but the header has {width}; the extra cells are ignored.",
                error=False,
            )


class _PupilIndex:
    """The school's pupils by UPN and by MIS id (one query); never another school's."""

    def __init__(self, school: School) -> None:
        self.pupils = list(Pupil.objects.filter(school=school))
        self.by_upn = {p.upn: p for p in self.pupils if p.upn}
        self.by_mis = {p.mis_id: p for p in self.pupils if p.mis_id}
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


def _identify(plan: Plan, line: int, values: dict[str, str], index: _PupilIndex) -> Pupil | None:
    """The pupil a SEN or results row is about, or an error that names only what the row itself says."""
    upn = plan.take(line, "UPN", index.check_upn(values.get("upn", "")))
    mis_id = plan.take(line, "MIS id", parse_mis_id(values.get("mis_id", "")))
    if line in plan.error_lines:
        return None
    if not upn and not mis_id:
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


# ------------------------------------------------------------------------------------------ the roll


def plan_pupils(table: Table, columns: dict[str, int], *, school: School, today: dt.date) -> Plan:
    plan = Plan(rows_total=len(table.rows))
    _row_length_issues(table, plan)
    index = _PupilIndex(school)
    seen_upn: dict[str, int] = {}
    seen_mis: dict[str, int] = {}
    new: list[Model] = []
    changed: list[Model] = []
    changed_fields: set[str] = set()
    for line, values in _Rows(table, columns):
        upn = plan.take(line, "UPN", parse_upn(values.get("upn", "")))
        mis_id = plan.take(line, "MIS id", parse_mis_id(values.get("mis_id", "")))
        if "full_name" in values:
            surname_cell, forename_cell = split_full_name(values["full_name"])
            surname = plan.take(line, "Surname", surname_cell)
            forename = plan.take(line, "Forename", forename_cell)
        else:
            surname = plan.take(line, "Legal surname", parse_name(values["surname"], label="Legal surname"))
            forename = plan.take(
                line, "Legal forename", parse_name(values["forename"], label="Legal forename")
            )
        wanted: dict[str, Any] = {
            "legal_surname": surname,
            "legal_forename": forename,
            "date_of_birth": plan.take(
                line, "Date of birth", parse_date(values["dob"], label="Date of birth", not_after=today)
            ),
            "sex": plan.take(line, "Sex", parse_sex(values["sex"])),
            "year_group": plan.take(line, "Year group", parse_year_group(values["year"])),
        }
        if "preferred_forename" in values:
            wanted["preferred_forename"] = plan.take(
                line,
                "Preferred forename",
                parse_name(values["preferred_forename"], label="Preferred forename", required=False),
            )
        for key, label in (
            ("pupil_premium", "Pupil premium"),
            ("eal", "English as an additional language"),
            ("looked_after", "Looked after"),
        ):
            if key in values:
                wanted[key] = plan.take(line, label, parse_flag(values[key], label=label))
        if line in plan.error_lines:
            continue
        if not upn and not mis_id:
            plan.add(
                line,
                "UPN",
                "A pupil needs a UPN or an MIS id, so that importing again updates them instead of "
                "adding them twice.",
                error=True,
            )
            continue
        if upn and upn in seen_upn:
            plan.add(line, "UPN", f"UPN {upn} is also on line {seen_upn[upn]}.", error=True)
            continue
        if mis_id and mis_id in seen_mis:
            plan.add(line, "MIS id", f"MIS id {mis_id} is also on line {seen_mis[mis_id]}.", error=True)
            continue
        if upn:
            seen_upn[upn] = line
        if mis_id:
            seen_mis[mis_id] = line
        pupil = index.find(upn, mis_id)
        if pupil is None and upn and mis_id and mis_id in index.by_mis:
            plan.add(
                line,
                "MIS id",
                f"MIS id {mis_id} belongs to a pupil with a different UPN; check which is right.",
                error=True,
            )
            continue
        year = wanted["year_group"]
        if not school.lowest_year <= year <= school.highest_year:
            plan.add(
                line,
                "Year group",
                f"Year group {values['year'].strip()} is outside the years this school teaches.",
                error=False,
            )
        if upn:
            wanted["upn"] = upn
        if mis_id:
            wanted["mis_id"] = mis_id
        if pupil is None:
            new.append(Pupil(school=school, **wanted))
            plan.created += 1
            continue
        differs = [name for name, value in wanted.items() if getattr(pupil, name) != value]
        if not differs:
            plan.unchanged += 1
            continue
        for name in differs:
            setattr(pupil, name, wanted[name])
        changed.append(pupil)
        changed_fields.update(differs)
        plan.updated += 1
    if changed:
        plan.updates.append((Pupil, changed, tuple(sorted(changed_fields))))
    if new:
        plan.creates.append((Pupil, new))
    return plan


# ------------------------------------------------------------------------------------------ SEN status


def current_need_names() -> dict[str, str]:
    return dict(NeedType.objects.filter(is_current=True).values_list("code", "name"))


def plan_sen(table: Table, columns: dict[str, int], *, school: School, today: dt.date) -> Plan:
    plan = Plan(rows_total=len(table.rows))
    _row_length_issues(table, plan)
    index = _PupilIndex(school)
    needs_known = current_need_names()
    open_periods = {
        p.pupil_id: p for p in SenStatusPeriod.objects.filter(school=school, ends_on__isnull=True)
    }
    open_needs: dict[Any, dict[int, SenNeed]] = {}
    for need in SenNeed.objects.filter(school=school, ends_on__isnull=True):
        open_needs.setdefault(need.pupil_id, {})[need.rank] = need
    seen: dict[Any, int] = {}
    closing_periods: list[Model] = []
    closing_needs: list[Model] = []
    new_periods: list[Model] = []
    new_needs: list[Model] = []
    for line, values in _Rows(table, columns):
        pupil = _identify(plan, line, values, index)
        provision = plan.take(line, "SEN status", parse_provision(values["provision"]))
        starts_on = today
        if values.get("starts_on", "").strip():
            starts_on = plan.take(
                line, "Start date", parse_date(values["starts_on"], label="Start date", not_after=today)
            )
        elif "starts_on" in values:
            plan.add(line, "Start date", "No start date: today's date is used.", error=False)
        wanted_needs: dict[int, str] = {}
        for rank, key, label in (
            (1, "primary_need", "Primary need"),
            (2, "secondary_need", "Secondary need"),
        ):
            if key in values:
                code = plan.take(line, label, parse_need(values[key], label=label, current_codes=needs_known))
                if code:
                    wanted_needs[rank] = code
        if line in plan.error_lines or pupil is None:
            continue
        if pupil.pk in seen:
            plan.add(line, "UPN", f"This pupil is also on line {seen[pupil.pk]}.", error=True)
            continue
        seen[pupil.pk] = line
        if provision == "N" and wanted_needs:
            plan.add(line, "Primary need", "A pupil with no SEN (N) cannot have a need recorded.", error=True)
            continue
        if len(set(wanted_needs.values())) < len(wanted_needs):
            plan.add(
                line, "Secondary need", "The secondary need is the same as the primary need.", error=True
            )
            continue
        if provision in ("K", "E") and 1 not in wanted_needs and "primary_need" in values:
            plan.add(
                line,
                "Primary need",
                "No primary need: the spring census asks for one for every pupil on SEN support or with "
                "an EHC plan.",
                error=False,
            )
        current = open_periods.get(pupil.pk)
        changes = 0
        effective = today
        if current is not None and current.provision == provision:
            pass
        elif current is None and provision == "N":
            pass  # nothing on record means no SEN already: don't add an N period for everyone
        else:
            if current is not None:
                if starts_on <= current.starts_on:
                    plan.add(
                        line,
                        "Start date",
                        f"The new status starts on {starts_on:%d/%m/%Y}, not after the current one "
                        f"({current.starts_on:%d/%m/%Y}); give the date it changed.",
                        error=True,
                    )
                    continue
                current.ends_on = starts_on - dt.timedelta(days=1)
                closing_periods.append(current)
            new_periods.append(
                SenStatusPeriod(pupil=pupil, school=school, provision=provision, starts_on=starts_on)
            )
            effective = starts_on
            changes += 1
        have = open_needs.get(pupil.pk, {})
        if provision == "N":
            ranks = set(have)  # no SEN: every current need ends
        else:
            ranks = {r for r, key in ((1, "primary_need"), (2, "secondary_need")) if key in values}
        for rank in sorted(ranks):
            old = have.get(rank)
            want = wanted_needs.get(rank)
            if (old.need_type_id if old is not None else None) == want:
                continue
            if old is not None:
                old.ends_on = max(old.starts_on, effective - dt.timedelta(days=1))
                closing_needs.append(old)
            if want:
                new_needs.append(
                    SenNeed(pupil=pupil, school=school, need_type_id=want, rank=rank, starts_on=effective)
                )
            changes += 1
        if changes:
            plan.updated += 1
        else:
            plan.unchanged += 1
    if closing_periods:
        plan.updates.append((SenStatusPeriod, closing_periods, ("ends_on",)))
    if closing_needs:
        plan.updates.append((SenNeed, closing_needs, ("ends_on",)))
    if new_periods:
        plan.creates.append((SenStatusPeriod, new_periods))
    if new_needs:
        plan.creates.append((SenNeed, new_needs))
    return plan


# ------------------------------------------------------------------------------------------ results

# Terms by the month a result is dated, for a window the school has not set up yet.
_TERM_BY_MONTH = {**dict.fromkeys((9, 10, 11, 12), Term.AUTUMN), **dict.fromkeys((1, 2, 3), Term.SPRING)}
_TERM_DATES = {
    Term.AUTUMN: ((9, 1), (12, 31)),
    Term.SPRING: ((1, 1), (3, 31)),
    Term.SUMMER: ((4, 1), (8, 31)),
}


class _Windows:
    """The school's assessment windows; a result dated outside all of them gets its term's window."""

    def __init__(self, school: School) -> None:
        self.school = school
        self.windows = list(AssessmentWindow.objects.filter(school=school).select_related("academic_year"))
        self.by_term = {(w.academic_year.start_year, w.term): w for w in self.windows}
        # Academic years are shared by every school; one not yet on record is saved when applying.
        self.years = {y.start_year: y for y in AcademicYear.objects.all()}
        self.new: list[AssessmentWindow] = []

    def for_date(self, day: dt.date) -> tuple[AssessmentWindow, bool]:
        for window in self.windows:
            if window.opens_on <= day <= window.closes_on:
                return window, False
        start_year = academic_year_start(day).year
        term = _TERM_BY_MONTH.get(day.month, Term.SUMMER)
        known = self.by_term.get((start_year, term))
        if known is not None:
            return known, False
        (om, od), (cm, cd) = _TERM_DATES[term]
        calendar_year = start_year if term == Term.AUTUMN else start_year + 1
        year = self.years.setdefault(start_year, AcademicYear(start_year=start_year))
        window = AssessmentWindow(
            school=self.school,
            academic_year=year,
            term=term,
            opens_on=dt.date(calendar_year, om, od),
            closes_on=dt.date(calendar_year, cm, cd),
        )
        self.windows.append(window)
        self.by_term[(start_year, term)] = window
        self.new.append(window)
        return window, True


def window_label(window: AssessmentWindow) -> str:
    start = window.academic_year.start_year
    return f"{window.get_term_display()} {start}/{(start + 1) % 100:02d}"


def _points(scale: Scale, raw: str) -> Cell:
    text = raw.strip()
    if scale.kind == ScaleKind.GRADE:
        for grade in scale.grades:
            if grade["code"].lower() == text.lower():
                return Cell(value=(grade["code"], float(grade["points"])))
        codes = ", ".join(g["code"] for g in scale.grades)
        return Cell(error=f"Result '{text}' is not a grade on the {scale.name} scale ({codes}).")
    try:
        number = float(text)
    except ValueError:
        return Cell(error=f"Result '{text}' is not a number, and the {scale.name} scale needs one.")
    if not scale.min_points <= number <= scale.max_points:
        return Cell(
            error=(
                f"Result {text} is outside the {scale.name} scale "
                f"({scale.min_points:g} to {scale.max_points:g})."
            )
        )
    return Cell(value=(text, number))


def _lookup(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for code, name in items:
        found[code.lower()] = code
        found.setdefault(name.lower(), code)
    return found


def plan_assessments(
    table: Table,
    columns: dict[str, int],
    *,
    school: School,
    today: dt.date,
    default_scale: str,
    source: str,
    progress: Callable[[int], None] | None = None,
    build: bool = True,
    result_labels: Sequence[str] | None = None,
) -> Plan:
    """`build=False` (a preview) counts what would be added without building the rows to write.
    `result_labels` names the column each row's result came from, for a marksheet's messages."""
    plan = Plan(rows_total=len(table.rows))
    _row_length_issues(table, plan)
    index = _PupilIndex(school)
    subjects = _lookup(Subject.objects.values_list("code", "name"))
    scales = {s.code: s for s in Scale.objects.all()}
    scale_names = _lookup((s.code, s.name) for s in scales.values())
    windows = _Windows(school)
    # Plain tuples, not model instances: a school has hundreds of thousands of results, few of them change.
    existing = {
        (pupil_id, subject_id, window_id, scale_id): (pk, result, assessed_on)
        for pk, pupil_id, subject_id, window_id, scale_id, result, assessed_on in Assessment.objects.filter(
            school=school
        ).values_list("pk", "pupil_id", "subject_id", "window_id", "scale_id", "result", "assessed_on")
    }
    this_year = academic_year_start(today).year
    seen: dict[tuple[Any, ...], int] = {}
    new: list[Model] = []
    changed: list[Model] = []
    for done, (line, values) in enumerate(_Rows(table, columns), start=1):
        if progress is not None and done % 5000 == 0:
            progress(done)
        pupil = _identify(plan, line, values, index)
        raw_subject = values["subject"].strip()
        subject = subjects.get(raw_subject.lower())
        if subject is None:
            known = ", ".join(sorted(set(subjects.values())))
            plan.add(
                line, "Subject", f"Subject '{raw_subject}' is not one Tandem knows ({known}).", error=True
            )
        raw_scale = values.get("scale", "").strip()
        scale_code = scale_names.get(raw_scale.lower()) if raw_scale else default_scale
        scale = scales.get(scale_code or "")
        if scale is None:
            plan.add(line, "Scale", f"Scale '{raw_scale}' is not one Tandem knows.", error=True)
        day = plan.take(
            line, "Date assessed", parse_date(values["assessed_on"], label="Date assessed", not_after=today)
        )
        if not values["result"].strip():
            if line not in plan.error_lines:
                plan.add(line, "Result", "No result: nothing is recorded for this row.", error=False)
                plan.unchanged += 1
            continue
        if scale is None or line in plan.error_lines:
            continue
        result_label = result_labels[done - 1] if result_labels is not None else "Result"
        result_points = plan.take(line, result_label, _points(scale, values["result"]))
        if pupil is None or subject is None or line in plan.error_lines:
            continue
        window, is_new = windows.for_date(day)
        if is_new and len(windows.new) <= 20:
            plan.notices.append(
                f"A new assessment window, {window_label(window)}, will be added for these results."
            )
        key = (pupil.pk, subject, id(window) if is_new or window.pk is None else window.pk, scale.code)
        if key in seen:
            plan.add(
                line,
                "Result",
                f"Line {seen[key]} already has this pupil's {raw_subject} result for {window_label(window)}.",
                error=True,
            )
            continue
        seen[key] = line
        result, points = result_points
        start_year = window.academic_year.start_year
        year_group = pupil.year_group - (this_year - start_year)
        current = existing.get((pupil.pk, subject, window.pk, scale.code)) if window.pk else None
        if current is None:
            plan.created += 1
            if build:
                new.append(
                    Assessment(
                        school_id=school.pk,
                        pupil_id=pupil.pk,
                        subject_id=subject,
                        window=window,
                        scale_id=scale.code,
                        assessed_on=day,
                        year_group=year_group,
                        result=result,
                        points=points,
                        source=source,
                    )
                )
        elif current[1:] == (result, day):
            plan.unchanged += 1
        else:
            plan.updated += 1
            changed.append(
                Assessment(pk=current[0], result=result, points=points, assessed_on=day, source=source)
            )
    plan.windows = windows.new
    if changed:
        plan.updates.append((Assessment, changed, ("result", "points", "assessed_on", "source")))
    if new:
        plan.creates.append((Assessment, new))
    return plan


# ------------------------------------------------------------------------------------------ marksheets

_TERM_ENDS = {Term.AUTUMN: (12, 31), Term.SPRING: (3, 31), Term.SUMMER: (8, 31)}


def plan_marksheet(
    table: Table,
    columns: dict[str, int],
    *,
    school: School,
    today: dt.date,
    default_scale: str,
    source: str,
    progress: Callable[[int], None] | None = None,
    build: bool = True,
) -> Plan:
    """A wide marksheet, as SIMS lays one out: a row per pupil, a column per subject and term.

    Each column named "<subject> <term> <year>" ("Maths Spring 2025/26") is read as results dated at the end
    of that term's window (or today, if the term is still running); the cells become the long rows the
    results import reads, keeping their line numbers and column names for its messages.
    """
    subjects = _lookup(Subject.objects.values_list("code", "name"))
    windows = {
        (w.academic_year.start_year, w.term): w
        for w in AssessmentWindow.objects.filter(school=school).select_related("academic_year")
    }
    aspects: dict[int, tuple[str, str]] = {}
    unread: list[str] = []
    for i, header in enumerate(table.headers):
        if i in columns.values() or not header:
            continue
        aspect = parse_aspect_header(header, subjects)
        if aspect is None:
            unread.append(header)
            continue
        window = windows.get((aspect.start_year, aspect.term))
        if window is not None:
            day = window.closes_on
        else:
            month, last = _TERM_ENDS[Term(aspect.term)]
            day = dt.date(aspect.start_year + (aspect.term != Term.AUTUMN), month, last)
        aspects[i] = (aspect.subject, f"{min(day, today):%d/%m/%Y}")
    upn, mis = columns.get("upn"), columns.get("mis_id")
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    labels: list[str] = []
    for line, row in zip(table.line_numbers, table.rows, strict=True):
        who = tuple(row[c] if c is not None and c < len(row) else "" for c in (upn, mis))
        for i, (subject, day_text) in aspects.items():
            cell = row[i] if i < len(row) else ""
            if cell.strip():  # an empty cell is no result: nothing to say about it
                rows.append((*who, subject, day_text, cell))
                lines.append(line)
                labels.append(table.headers[i])
    long = replace(
        table, headers=("UPN", "MIS id", "Subject", "Date", "Result"), rows=rows, line_numbers=lines
    )
    plan = plan_assessments(
        long,
        {"upn": 0, "mis_id": 1, "subject": 2, "assessed_on": 3, "result": 4},
        school=school,
        today=today,
        default_scale=default_scale,
        source=source,
        progress=progress,
        build=build,
        result_labels=labels,
    )
    plan.rows_total = len(table.rows)
    if not aspects:
        plan.add(
            0,
            "Columns",
            "No column is named by a subject, a term and a year, such as 'Maths Spring 2025/26', so there "
            "are no results to read.",
            error=True,
        )
    elif unread:
        names = ", ".join(f"'{h}'" for h in unread[:10]) + (" and more" if len(unread) > 10 else "")
        plan.notices.append(
            f"Not read as results: {names}. A results column is named by subject, term and year, such as "
            "'Maths Spring 2025/26'."
        )
    return plan


# ------------------------------------------------------------------------------------------ CTF


def year_group_from_birth(dob: dt.date, today: dt.date) -> int:
    """England's year group: children born September to August start Reception together at four."""
    born_year_start = academic_year_start(dob).year
    return academic_year_start(today).year - born_year_start - 5


def plan_ctf(ctf: CtfFile, *, school: School, today: dt.date, with_sen: bool, source: str) -> Plan:
    """Pupils, SEN history and statutory results from a Common Transfer File, matched by UPN."""
    plan = Plan(rows_total=len(ctf.pupils))
    for issue in ctf.issues:
        if not with_sen and _about_sen(issue.field, issue.message):
            continue  # SEN history is left out for this reader, and so is what was wrong with it
        plan.add(issue.pupil or 0, issue.field, issue.message, error=False)
    index = _PupilIndex(school)
    known_needs = set(NeedType.objects.values_list("code", flat=True))
    sen_pupils = sum(1 for p in ctf.pupils if p.has_sen_history)
    if sen_pupils and not with_sen:
        plan.notices.append(
            f"This file carries SEN history for {sen_pupils} pupils. Only the SENCo can import SEN records, "
            "so it is left out: pupils and results are imported."
        )
    periods_by_pupil: dict[Any, list[SenStatusPeriod]] = {}
    needs_by_pupil: dict[Any, list[SenNeed]] = {}
    stage_by_pupil: dict[Any, dict[tuple[str, ...], StageAssessment]] = {}
    pupil_ids = [p.pk for p in index.pupils]
    if with_sen:
        for period in SenStatusPeriod.objects.filter(pupil_id__in=pupil_ids):
            periods_by_pupil.setdefault(period.pupil_id, []).append(period)
        for need in SenNeed.objects.filter(pupil_id__in=pupil_ids):
            needs_by_pupil.setdefault(need.pupil_id, []).append(need)
    for stage in StageAssessment.objects.filter(pupil_id__in=pupil_ids):
        stage_by_pupil.setdefault(stage.pupil_id, {})[_stage_key(stage)] = stage
    new_pupils: list[Model] = []
    changed_pupils: list[Model] = []
    closing: list[Model] = []
    new_periods: list[Model] = []
    new_needs: list[Model] = []
    new_stage: list[Model] = []
    changed_stage: list[Model] = []
    seen: dict[str, int] = {}
    for position, item in enumerate(ctf.pupils, start=1):
        if not item.upn:
            plan.add(position, "UPN", "This pupil has no UPN, so Tandem cannot match them.", error=True)
            continue
        if item.upn in seen:
            plan.add(
                position, "UPN", f"UPN {item.upn} is also pupil {seen[item.upn]} in this file.", error=True
            )
            continue
        seen[item.upn] = position
        missing = [
            label for label, value in (("Surname", item.surname), ("Forename", item.forename)) if not value
        ]
        if item.dob is None:
            missing.append("DOB")
        if item.sex not in ("M", "F"):
            missing.append("Sex")
        if missing:
            plan.add(position, missing[0], f"Missing or unreadable: {', '.join(missing)}.", error=True)
            continue
        assert item.dob is not None
        year = _ctf_year(plan, position, item, today)
        pupil = index.by_upn.get(item.upn)
        wanted: dict[str, Any] = {
            "legal_surname": item.surname[:100],
            "legal_forename": item.forename[:100],
            "date_of_birth": item.dob,
            "sex": item.sex,
            "year_group": year,
        }
        if item.preferred_forename and item.preferred_forename != item.forename:
            wanted["preferred_forename"] = item.preferred_forename[:100]
        changes = 0
        is_new = pupil is None
        if pupil is None:
            pupil = Pupil(school=school, upn=item.upn, **wanted)
            new_pupils.append(pupil)
            plan.created += 1
        else:
            differs = [name for name, value in wanted.items() if getattr(pupil, name) != value]
            for name in differs:
                setattr(pupil, name, wanted[name])
            if differs:
                changed_pupils.append(pupil)
                changes += 1
        if with_sen and item.has_sen_history:
            changes += _plan_ctf_sen(
                plan,
                position,
                item,
                pupil,
                school,
                periods=periods_by_pupil.get(pupil.pk, []),
                needs=needs_by_pupil.get(pupil.pk, []),
                known_needs=known_needs,
                out=(closing, new_periods, new_needs),
            )
        have = stage_by_pupil.get(pupil.pk, {})
        for given in item.assessments:
            row = StageAssessment(
                school=school,
                pupil=pupil,
                stage=given.stage[:16],
                locale=given.locale[:8],
                year=given.year[:8],
                subject=given.subject[:16],
                method=given.method[:16],
                component=given.component[:32],
                result_status=given.result_status[:8],
                result_qualifier=given.result_qualifier[:16],
                result=given.result[:32],
                result_date=given.result_date,
                raw_result_date=given.raw_result_date[:32],
                filed_under=given.enclosing_stage[:16] if given.enclosing_stage != given.stage else "",
                source=source,
            )
            key = _stage_key(row)
            old = have.get(key)
            if old is None:
                have[key] = row
                new_stage.append(row)
                changes += 1
            elif (old.result, old.result_status, old.result_date) != (
                row.result,
                row.result_status,
                row.result_date,
            ):
                old.result, old.result_status, old.result_date = (
                    row.result,
                    row.result_status,
                    row.result_date,
                )
                old.source = source
                changed_stage.append(old)
                changes += 1
        if is_new:
            continue
        if changes:
            plan.updated += 1
        else:
            plan.unchanged += 1
    if changed_pupils:
        plan.updates.append(
            (
                Pupil,
                changed_pupils,
                (
                    "legal_surname",
                    "legal_forename",
                    "preferred_forename",
                    "date_of_birth",
                    "sex",
                    "year_group",
                ),
            )
        )
    if closing:
        plan.updates.append((SenStatusPeriod, closing, ("ends_on",)))
    if changed_stage:
        plan.updates.append(
            (StageAssessment, changed_stage, ("result", "result_status", "result_date", "source"))
        )
    for model, rows in (
        (Pupil, new_pupils),
        (SenStatusPeriod, new_periods),
        (SenNeed, new_needs),
        (StageAssessment, new_stage),
    ):
        if rows:
            plan.creates.append((model, rows))
    return plan


_SEN_DATE_FIELDS = frozenset({"StartDate", "EndDate", "NeedStartDate", "NeedEndDate"})


def _about_sen(field: str, message: str) -> bool:
    return field.startswith("SEN") or field in _SEN_DATE_FIELDS or "SEN" in message


def _stage_key(row: StageAssessment) -> tuple[str, ...]:
    return (row.stage, row.year, row.subject, row.method, row.component, row.result_qualifier)


def _ctf_year(plan: Plan, position: int, item: CtfPupil, today: dt.date) -> int:
    assert item.dob is not None
    derived = year_group_from_birth(item.dob, today)
    if item.nc_year:
        cell = parse_year_group(item.nc_year)
        if not cell.error:
            return int(cell.value)  # type: ignore[call-overload]
        plan.add(
            position,
            "NCyearActual",
            f"{cell.error} The year group is worked out from the date of birth.",
            error=False,
        )
    return derived


def _plan_ctf_sen(
    plan: Plan,
    position: int,
    item: CtfPupil,
    pupil: Pupil,
    school: School,
    *,
    periods: Sequence[SenStatusPeriod],
    needs: Sequence[SenNeed],
    known_needs: set[str],
    out: tuple[list[Model], list[Model], list[Model]],
) -> int:
    """SEN history from another school: periods and needs Tandem does not have yet are added; nothing is
    deleted. A file whose open period starts after ours closes ours the day before."""
    closing, new_periods, new_needs = out
    changes = 0
    have = {(p.provision, p.starts_on) for p in periods}
    current = next((p for p in periods if p.ends_on is None), None)
    given_open = [p for p in item.sen_periods if p.ends_on is None]
    latest_open = given_open[-1] if given_open else None
    for given in item.sen_periods:
        if given.starts_on is None:
            plan.add(
                position,
                "SEN/StartDate",
                "A SEN period without a readable start date was left out.",
                error=False,
            )
            continue
        if (given.provision, given.starts_on) in have:
            continue
        if given.provision not in ("N", "K", "E", "S", "A", "P"):
            plan.add(
                position,
                "SENprovision",
                f"SEN provision '{given.provision}' is not a census code; left out.",
                error=False,
            )
            continue
        if given.ends_on is None and given is not latest_open:
            plan.add(
                position, "SENhistory", "Two SEN periods are open; only the latest is kept.", error=False
            )
            continue
        if given.ends_on is None and current is not None:
            if given.starts_on <= current.starts_on:
                plan.add(
                    position,
                    "SENhistory",
                    "An open SEN period in the file starts before the pupil's current status here; it was "
                    "left out. Check the pupil's SEN history by hand.",
                    error=False,
                )
                continue
            current.ends_on = given.starts_on - dt.timedelta(days=1)
            closing.append(current)
            current = None
        ends_on = given.ends_on
        new_periods.append(
            SenStatusPeriod(
                pupil=pupil,
                school=school,
                provision=given.provision,
                starts_on=given.starts_on,
                ends_on=ends_on,
            )
        )
        have.add((given.provision, given.starts_on))
        changes += 1
    have_needs = {(n.need_type_id, n.rank, n.starts_on) for n in needs}
    open_ranks = {n.rank for n in needs if n.ends_on is None}
    open_types = {n.need_type_id for n in needs if n.ends_on is None}
    first_start = min((p.starts_on for p in item.sen_periods if p.starts_on), default=None)
    for need in item.needs:
        if need.need_type not in known_needs:
            plan.add(
                position,
                "SENtype",
                f"Need type '{need.need_type}' is not a census code; left out.",
                error=False,
            )
            continue
        if need.rank is None or need.rank < 1:
            plan.add(position, "SENtypeRank", "A need without a rank was left out.", error=False)
            continue
        starts_on = need.starts_on or first_start
        if starts_on is None:
            plan.add(
                position, "SENneed", "A need with no start date and no SEN period was left out.", error=False
            )
            continue
        if (need.need_type, need.rank, starts_on) in have_needs:
            continue
        if need.ends_on is None and (need.rank in open_ranks or need.need_type in open_types):
            plan.add(
                position,
                "SENneed",
                f"The file's {need.need_type} need overlaps a current need here; it was left out.",
                error=False,
            )
            continue
        new_needs.append(
            SenNeed(
                pupil=pupil,
                school=school,
                need_type_id=need.need_type,
                rank=need.rank,
                starts_on=starts_on,
                ends_on=need.ends_on,
            )
        )
        have_needs.add((need.need_type, need.rank, starts_on))
        if need.ends_on is None:
            open_ranks.add(need.rank)
            open_types.add(need.need_type)
        changes += 1
    return changes


# ------------------------------------------------------------------------------------------ staff


def plan_staff(table: Table, columns: dict[str, int], *, school: School) -> Plan:
    """Staff and their roles: an account per email (shared with any other school the person works at) and
    a role here. Nothing is taken away: a role missing from the file stays until the admin removes it."""
    plan = Plan(rows_total=len(table.rows))
    _row_length_issues(table, plan)
    users = {u.email: u for u in User.objects.filter(memberships__school=school).distinct()}
    roles = set(Membership.objects.filter(school=school, is_active=True).values_list("user__email", "role"))
    seen: dict[tuple[str, str], int] = {}
    new_users: dict[str, User] = {}
    new_roles: list[Model] = []
    for line, values in _Rows(table, columns):
        email = plan.take(line, "Email", parse_email(values["email"]))
        role = plan.take(line, "Role", parse_role(values["role"]))
        if "full_name" in values:
            name = plan.take(line, "Full name", parse_name(values["full_name"], label="Full name"))
        else:
            forename = plan.take(line, "Forename", parse_name(values["forename"], label="Forename"))
            surname = plan.take(line, "Surname", parse_name(values["surname"], label="Surname"))
            name = f"{forename} {surname}"
        if line in plan.error_lines:
            continue
        if not email:
            plan.add(
                line, "Email", "Each member of staff needs an email address to sign in with.", error=True
            )
            continue
        if (email, role) in seen:
            plan.add(
                line, "Role", f"This person and role are also on line {seen[(email, role)]}.", error=True
            )
            continue
        seen[(email, role)] = line
        if (email, role) in roles:
            plan.unchanged += 1
            continue
        user = users.get(email) or new_users.get(email) or User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=name)
            user.set_unusable_password()
            new_users[email] = user
        new_roles.append(Membership(user=user, role=role, school=school))
        plan.created += 1
    if new_users:
        plan.creates.append((User, list(new_users.values())))
    if new_roles:
        plan.creates.append((Membership, new_roles))
    return plan


# ------------------------------------------------------------------------------------------ classes and sets


def plan_groups(table: Table, columns: dict[str, int], *, school: School, today: dt.date) -> Plan:
    """Classes and sets of this school year, their teachers and teaching assistants, and who is in them.

    One row per pupil in a group. Groups, staff and enrolments are added; nothing is ended, because a
    file that leaves a pupil out may simply be a partial export.
    """
    plan = Plan(rows_total=len(table.rows))
    _row_length_issues(table, plan)
    index = _PupilIndex(school)
    start_year = academic_year_start(today).year
    year = AcademicYear.objects.filter(start_year=start_year).first() or AcademicYear(start_year=start_year)
    groups = {
        g.name.lower(): g
        for g in TeachingGroup.objects.filter(school=school, academic_year__start_year=start_year)
    }
    staff = set(
        GroupStaff.objects.filter(group__in=groups.values()).values_list("group_id", "user_id", "role")
    )
    enrolled = set(
        Enrolment.objects.filter(group__in=groups.values(), ends_on__isnull=True).values_list(
            "group_id", "pupil_id"
        )
    )
    people = {
        (m.user.email, m.role): m.user
        for m in Membership.objects.filter(
            school=school, is_active=True, role__in=(Role.TEACHER, Role.TEACHING_ASSISTANT)
        ).select_related("user")
    }
    subjects = _lookup(Subject.objects.values_list("code", "name"))
    new_groups: list[Model] = []
    new_staff: list[Model] = []
    new_enrolments: list[Model] = []
    defined: dict[str, tuple[str | None, int | None, int]] = {}
    for line, values in _Rows(table, columns):
        pupil = _identify(plan, line, values, index)
        name = values["group"].strip()
        if not name:
            plan.add(line, "Class or set", "The class or set is empty.", error=True)
        elif len(name) > 64:
            plan.add(line, "Class or set", "The class or set name is longer than 64 characters.", error=True)
        raw_subject = values.get("subject", "").strip()
        subject = subjects.get(raw_subject.lower()) if raw_subject else None
        if raw_subject and subject is None:
            known = ", ".join(sorted(set(subjects.values())))
            plan.add(
                line, "Subject", f"Subject '{raw_subject}' is not one Tandem knows ({known}).", error=True
            )
        group_year = None
        if values.get("group_year", "").strip():
            group_year = plan.take(line, "Year group", parse_year_group(values["group_year"]))
        starts_on = today
        if values.get("starts_on", "").strip():
            starts_on = plan.take(
                line, "Joined on", parse_date(values["starts_on"], label="Joined on", not_after=today)
            )
        staff_here: list[tuple[User, str]] = []
        for key, label, role, group_role in (
            ("teacher", "Teacher's email", Role.TEACHER, GroupStaffRole.TEACHER),
            ("support", "Teaching assistant's email", Role.TEACHING_ASSISTANT, GroupStaffRole.SUPPORT),
        ):
            email = plan.take(line, label, parse_email(values.get(key, ""), label=label))
            if email:
                person = people.get((email, role))
                if person is None:
                    plan.add(
                        line,
                        label,
                        f"No {role.label.lower()} at this school has the email {email}. Import staff first.",
                        error=True,
                    )
                else:
                    staff_here.append((person, group_role))
        if line in plan.error_lines or pupil is None:
            continue
        key = name.lower()
        shape = (subject, group_year, line)
        if key in defined and defined[key][:2] != shape[:2] and (subject or group_year is not None):
            plan.add(
                line,
                "Class or set",
                f"Line {defined[key][2]} gives {name} a different subject or year group.",
                error=True,
            )
            continue
        defined.setdefault(key, shape)
        group = groups.get(key)
        changes = 0
        if group is None:
            year_group = group_year if group_year is not None else pupil.year_group
            group = TeachingGroup(
                school=school,
                academic_year=year,
                name=name,
                kind=GroupKind.SET if subject else GroupKind.CLASS,
                subject_id=subject,
                year_group=year_group,
            )
            groups[key] = group
            new_groups.append(group)
            changes += 1
        for person, staff_role in staff_here:
            if (group.pk, person.pk, staff_role) not in staff:
                staff.add((group.pk, person.pk, staff_role))
                new_staff.append(GroupStaff(group=group, user=person, role=staff_role))
                changes += 1
        if (group.pk, pupil.pk) not in enrolled:
            enrolled.add((group.pk, pupil.pk))
            new_enrolments.append(Enrolment(group=group, pupil=pupil, starts_on=starts_on))
            changes += 1
        if changes:
            plan.created += 1
        else:
            plan.unchanged += 1
    plan.academic_years = [year] if new_groups and year.pk is None else []
    for model, rows in ((TeachingGroup, new_groups), (GroupStaff, new_staff), (Enrolment, new_enrolments)):
        if rows:
            plan.creates.append((model, rows))
    return plan
