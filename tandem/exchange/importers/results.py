"""Assessment results, one row each or a marksheet with a column per subject and term."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from django.db.models import Model

from tandem.assessment.models import Assessment, Scale, ScaleKind
from tandem.exchange.fields import Cell, parse_aspect_header, parse_date
from tandem.exchange.importers.base import (
    Plan,
    PupilIndex,
    TableRows,
    codes_by_name,
    identify_pupil,
    note_long_rows,
)
from tandem.exchange.tabular import Table
from tandem.lib.dates import academic_year_start
from tandem.people.models import Subject
from tandem.schools.models import AcademicYear, AssessmentWindow, School, Term

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
        # A file's results share a few dates: each is looked up once.
        self._by_day: dict[dt.date, AssessmentWindow] = {}

    def for_date(self, day: dt.date) -> tuple[AssessmentWindow, bool]:
        """The window for a result on `day`, and whether this call added it."""
        known_day = self._by_day.get(day)
        if known_day is not None:
            return known_day, False
        window, added = self._find(day)
        self._by_day[day] = window
        return window, added

    def _find(self, day: dt.date) -> tuple[AssessmentWindow, bool]:
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
    note_long_rows(table, plan)
    index = PupilIndex(school)
    subjects = codes_by_name(Subject.objects.values_list("code", "name"))
    scales = {s.code: s for s in Scale.objects.all()}
    scale_names = codes_by_name((s.code, s.name) for s in scales.values())
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
    for done, (line, values) in enumerate(TableRows(table, columns), start=1):
        if progress is not None and done % 5000 == 0:
            progress(done)
        pupil = identify_pupil(plan, line, values, index)
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
            plan.notices.append(f"A new assessment window, {window}, will be added for these results.")
        key = (pupil.pk, subject, id(window) if is_new or window.pk is None else window.pk, scale.code)
        if key in seen:
            plan.add(
                line,
                "Result",
                f"Line {seen[key]} already has this pupil's {raw_subject} result for {window}.",
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
    subjects = codes_by_name(Subject.objects.values_list("code", "name"))
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
    who_columns = [columns.get(key) for key in ("upn", "mis_id", "surname", "forename", "dob")]
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    labels: list[str] = []
    for line, row in zip(table.line_numbers, table.rows, strict=True):
        who = tuple(row[c] if c is not None and c < len(row) else "" for c in who_columns)
        for i, (subject, day_text) in aspects.items():
            cell = row[i] if i < len(row) else ""
            if cell.strip():  # an empty cell is no result: nothing to say about it
                rows.append((*who, subject, day_text, cell))
                lines.append(line)
                labels.append(table.headers[i])
    long_headers = ("UPN", "MIS id", "Surname", "Forename", "DOB", "Subject", "Date", "Result")
    long = replace(table, headers=long_headers, rows=rows, line_numbers=lines)
    plan = plan_assessments(
        long,
        {
            "upn": 0,
            "mis_id": 1,
            "surname": 2,
            "forename": 3,
            "dob": 4,
            "subject": 5,
            "assessed_on": 6,
            "result": 7,
        },
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
