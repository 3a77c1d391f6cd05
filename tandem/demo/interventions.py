"""Interventions in the demo: staff rates, a catalogue, groups with session logs, placements with entry and
exit measures, and the teachers' acknowledgements, so that every intervention page tells a real story.

Runs after the graduated approach, inside the loader's transaction. It reads back what is already written
(a few queries for the whole trust), decides everything for each school from its own random stream, then
writes with `bulk_create`. Every record follows the rules the services enforce: a placement's accountable
teacher holds the teacher role, teaches the pupil now and never delivers the group; its link to classroom
teaching passes `classroom_link_problem`; nothing is dated after the demo's "today" (`as_of`).

The story, in each school:

- Ended last period (between the two latest assessment windows that have closed), with exit measures:
  "Small-group phonics catch-up" works (reading ages rise about three months a month: a ratio gain near
  3); "Maths catch-up: small-group tuition" works (pupils finish about 10 standardised points above
  similar pupils who were not in it, so its effect size's confidence interval sits above zero); "Reading
  fluency: paired reading" does not (pupils finish where similar pupils do, the interval includes zero);
  "Spelling: multisensory catch-up" does not (spelling ages only keep pace with age, a ratio gain under 1);
  "Sensory circuits" (no evidence base) shows a small rise in its own rating, with nothing to compare it
  with.
- "Social skills group" ended with no exit measures recorded, so its page asks for them.
- Running now, with entry measures and logs to date: a second phonics group and a maths group, precision
  teaching (run daily by the teaching assistant printed in the demo sign-ins), a narrative group run by a
  teacher, fine motor skills, sensory circuits and one-to-one emotional literacy support. The teacher
  printed in the sign-ins is accountable for a pupil in a running group and has recent logs to acknowledge.

Exit measures for standardised scores are the intervention's own end-of-course test: the pupil's real
result at the next assessment window plus the intervention's planted effect. The pupil's assessment record
itself is left exactly as generated, so the progress engine's ground truth is unchanged; the comparison
pupils on the impact page come from those records. Entry measures for standardised scores are the pupil's
real result at the window before the intervention; reading and spelling ages are made up from the pupil's
age, some way below it.

The text comes from small banks of plain-English sentences; none of it names a pupil.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from tandem.assessment.models import Assessment
from tandem.demo.facts import SchoolFacts, school_facts
from tandem.demo.wording.catalogue import (
    CATALOGUE,
    ENDED,
    PROGRAMMES,
    RUNNING,
    SESSION_NOTES,
    TIMES,
    Cohort,
    Spec,
)
from tandem.lib.impact import DAYS_PER_MONTH
from tandem.people.models import Membership, Pupil, Role
from tandem.progress.models import FirstResponse
from tandem.provision.models import (
    Intervention,
    InterventionGroup,
    LogAcknowledgement,
    MeasureKind,
    Placement,
    Rating,
    SessionAttendance,
    SessionLog,
    StaffRate,
    StaffType,
)
from tandem.register.models import BroadArea, Concern, Provision
from tandem.schools.models import AssessmentWindow

T = TypeVar("T")
Window = tuple[int, str, dt.date, dt.date]  # id, term, opens_on, closes_on

_BATCH = 2_000
DAY = dt.timedelta(days=1)

# Hourly cost with on-costs (employer pension and National Insurance), England 2026: (low, high) in pounds.
STAFF_RATES: dict[str, tuple[float, float]] = {
    StaffType.TEACHING_ASSISTANT: (17.2, 19.8),
    StaffType.HLTA: (20.4, 22.8),
    StaffType.TEACHER: (41.0, 49.0),
    StaffType.SPECIALIST: (52.0, 68.0),
}

_RATINGS = (Rating.HARD, Rating.MIXED, Rating.WELL)
_RATING_WEIGHTS = (0.12, 0.3, 0.58)
_WEEKDAYS = {1: ((1,), (2,), (3,)), 2: ((0, 2), (1, 3)), 3: ((0, 2, 4),), 4: ((0, 1, 2, 3), (0, 1, 3, 4))}
_WEEKDAYS[5] = ((0, 1, 2, 3, 4),)


# ============================================================================================== calendar
# Approximate English school holidays, year after year: (from, to) as (month, day), and half-term weeks as
# the Monday-to-Friday week containing a date.
_HOLIDAYS = (((7, 22), (9, 2)), ((12, 20), (1, 4)), ((3, 28), (4, 12)))
_HALF_TERMS = ((10, 28), (2, 18), (5, 28))


def school_day(day: dt.date) -> bool:
    if day.weekday() > 4:
        return False
    md = (day.month, day.day)
    for lo, hi in _HOLIDAYS:
        if (lo <= md <= hi) if lo <= hi else (md >= lo or md <= hi):
            return False
    for month, dom in _HALF_TERMS:
        mid = dt.date(day.year, month, dom)
        monday = mid - dt.timedelta(days=mid.weekday())
        if monday <= day <= monday + dt.timedelta(days=4):
            return False
    return True


def _monday_on_or_after(day: dt.date) -> dt.date:
    """The first Monday on or after `day` that is a school day."""
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    while not school_day(day):
        day += dt.timedelta(weeks=1)
    return day


def _term_after(window_term: str, closes_on: dt.date) -> dt.date:
    """The first teaching Monday after an assessment window: in September, January or April."""
    if window_term == "summer":
        return _monday_on_or_after(dt.date(closes_on.year, 9, 8))
    if window_term == "autumn":
        return _monday_on_or_after(dt.date(closes_on.year + 1, 1, 5))
    return _monday_on_or_after(dt.date(closes_on.year, 4, 14))


def _term_label(day: dt.date) -> str:
    term = "autumn" if day.month >= 9 else "spring" if day < dt.date(day.year, 4, 13) else "summer"
    return f"{term} {day.year}"


# ============================================================================================== inputs
@dataclass
class _Extra:
    """What the graduated approach's facts do not hold."""

    year: dict[uuid.UUID, int] = field(default_factory=dict)
    born: dict[uuid.UUID, dt.date] = field(default_factory=dict)
    flagged: dict[str, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    tas: list[int] = field(default_factory=list)
    teacher_ids: list[int] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    # (pupil, subject) -> window id -> (assessed_on, points)
    results: dict[tuple[uuid.UUID, str], dict[int, tuple[dt.date, float]]] = field(
        default_factory=lambda: defaultdict(dict)
    )


def _extras(facts: list[SchoolFacts], as_of: dt.date) -> dict[int, _Extra]:
    school_ids = [f.id for f in facts]
    extra = {sid: _Extra() for sid in school_ids}
    for pupil_id, school_id, year, born in (
        Pupil.objects.filter(school_id__in=school_ids, left_on__isnull=True)
        .order_by("id")
        .values_list("id", "school_id", "year_group", "date_of_birth")
    ):
        extra[school_id].year[pupil_id] = year
        extra[school_id].born[pupil_id] = born
    for school_id, pupil_id, area in (
        Concern.objects.filter(school_id__in=school_ids)
        .order_by("id")
        .values_list("school_id", "pupil_id", "area")
    ):
        extra[school_id].flagged[area].add(pupil_id)
    for school_id, pupil_id in (
        FirstResponse.objects.filter(school_id__in=school_ids)
        .order_by("id")
        .values_list("school_id", "pupil_id")
    ):
        extra[school_id].flagged[BroadArea.COGNITION].add(pupil_id)
    for school_id, user_id, role in (
        Membership.objects.filter(
            school_id__in=school_ids, is_active=True, role__in=[Role.TEACHING_ASSISTANT, Role.TEACHER]
        )
        .order_by("user_id")
        .values_list("school_id", "user_id", "role")
    ):
        (extra[school_id].tas if role == Role.TEACHING_ASSISTANT else extra[school_id].teacher_ids).append(
            user_id
        )
    wanted: list[int] = []
    for window_id, school_id, term, opens, closes in (
        AssessmentWindow.objects.filter(school_id__in=school_ids, opens_on__lte=as_of)
        .order_by("school_id", "opens_on")
        .values_list("id", "school_id", "term", "opens_on", "closes_on")
    ):
        extra[school_id].windows.append((window_id, term, opens, closes))
    for e in extra.values():
        # The entry window of the ended cohorts (see _School._windows) and every window since.
        closed = [i for i, w in enumerate(e.windows) if w[3] <= as_of - dt.timedelta(days=7)]
        wanted.extend(w[0] for w in e.windows[closed[-2] if len(closed) > 1 else 0 :])
    for school_id, pupil_id, subject, window_id, day, points in Assessment.objects.filter(
        school_id__in=school_ids,
        window_id__in=wanted,
        scale_id="standardised",
        subject_id__in=["reading", "maths"],
        points__isnull=False,
    ).values_list("school_id", "pupil_id", "subject_id", "window_id", "assessed_on", "points"):
        if points is not None:
            extra[school_id].results[(pupil_id, subject)][window_id] = (day, points)
    return extra


# ============================================================================================== writing
@dataclass
class _Rows:
    rates: list[StaffRate] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    groups: list[InterventionGroup] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    logs: list[SessionLog] = field(default_factory=list)
    # The two big tables go in as plain rows: a model instance each would double the demo's load time here.
    attendance: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, int, bool]] = field(default_factory=list)
    acknowledgements: list[tuple[uuid.UUID, int]] = field(default_factory=list)

    def save(self) -> dict[str, int]:
        StaffRate.objects.bulk_create(self.rates, batch_size=_BATCH)
        Intervention.objects.bulk_create(self.interventions, batch_size=_BATCH)
        InterventionGroup.objects.bulk_create(self.groups, batch_size=_BATCH)
        Placement.objects.bulk_create(self.placements, batch_size=_BATCH)
        SessionLog.objects.bulk_create(self.logs, batch_size=_BATCH)
        _insert(SessionAttendance, ("log", "placement", "pupil", "school", "present"), self.attendance)
        now = timezone.now()
        _insert(
            LogAcknowledgement,
            ("log", "teacher", "acknowledged_at"),
            [(*a, now) for a in self.acknowledgements],
        )
        return {
            "staff rates": len(self.rates),
            "interventions": len(self.interventions),
            "intervention groups": len(self.groups),
            "placements": len(self.placements),
            "session logs": len(self.logs),
            "session attendance": len(self.attendance),
            "log acknowledgements": len(self.acknowledgements),
        }


def _insert(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Plain INSERTs of the given fields (the primary key is the database's), each value converted by its
    field exactly as `save` would."""
    if not rows:
        return
    meta = model._meta
    fields = [cast("Field[Any, Any]", meta.get_field(name)) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    # Identifiers come from model metadata, never from input.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    prepared = [
        tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)) for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), _BATCH):
            cursor.executemany(sql, prepared[start : start + _BATCH])


def write_interventions(*, trust_id: int, as_of: dt.date, seed: int) -> dict[str, int]:
    """Write each school's intervention catalogue, groups, placements and logs; rows written by table.

    Deterministic for a given seed and database (each school draws from its own stream); a few thousand
    rows per school whatever its size.
    """
    rows = _Rows()
    facts = school_facts(trust_id, as_of)
    extras = _extras(facts, as_of)
    for f in facts:
        rng = random.Random(f"tandem-demo-interventions/{seed}/{f.index}")
        _School(f, extras[f.id], as_of, rng, rows).build()
    return rows.save()


@dataclass
class _Placed:
    placement: Placement
    attendance_rate: float


class _School:
    def __init__(self, facts: SchoolFacts, extra: _Extra, as_of: dt.date, rng: random.Random, rows: _Rows):
        self.f = facts
        self.x = extra
        self.as_of = as_of
        self.r = rng
        self.rows = rows
        self.count: dict[uuid.UUID, int] = defaultdict(int)  # placements per pupil
        self.low: dict[uuid.UUID, bool] = {}
        self.showcase_placed = False
        self.ta_turn = 0
        self.years = (
            {s.name: s.primary_years for s in CATALOGUE}
            if facts.phase == "primary"
            else {s.name: s.secondary_years for s in CATALOGUE}
        )
        self.entry_window, self.exit_window = self._windows()

    # ------------------------------------------------------------------ small helpers
    def pick(self, items: Sequence[T]) -> T:
        return items[self.r.randrange(len(items))]

    def _windows(self) -> tuple[Window | None, Window | None]:
        """The two latest assessment windows closed at least a week before today: entry, then exit."""
        closed = [w for w in self.x.windows if w[3] <= self.as_of - dt.timedelta(days=7)]
        if len(closed) < 2:
            return None, None
        return closed[-2], closed[-1]

    def next_ta(self) -> int | None:
        tas = [t for t in self.x.tas if t != self.f.showcase_ta] or self.x.tas
        if not tas:
            return None
        self.ta_turn += 1
        return tas[self.ta_turn % len(tas)]

    # ------------------------------------------------------------------ the school
    def build(self) -> None:
        if self.f.senco is None or not self.x.teacher_ids:
            return
        self.senco: int = self.f.senco
        for staff_type, (low, high) in STAFF_RATES.items():
            rate = Decimal(f"{self.r.uniform(low, high):.2f}")
            self.rows.rates.append(StaffRate(school_id=self.f.id, staff_type=staff_type, hourly_rate=rate))
        for spec in CATALOGUE:
            intervention = Intervention(
                school_id=self.f.id,
                name=spec.name,
                area=spec.area,
                description=spec.description,
                evidence_strength=spec.evidence,
                evidence_source=spec.source,
                sessions_per_week=spec.sessions_per_week,
                minutes_per_session=spec.minutes,
                weeks=spec.weeks,
                group_size=spec.size,
                staff_type=spec.staff,
                layer=spec.layer,
                programme_steps=list(PROGRAMMES.get(spec.name, ())),
            )
            self.rows.interventions.append(intervention)
            in_it: set[uuid.UUID] = set()
            for cohort in spec.cohorts:
                self._cohort(spec, cohort, intervention, in_it)

    def _cohort(self, spec: Spec, cohort: Cohort, intervention: Intervention, in_it: set[uuid.UUID]) -> None:
        if cohort.when == ENDED:
            if self.entry_window is None or self.exit_window is None:
                return
            first = _term_after(self.entry_window[1], self.entry_window[3])
        else:
            first = self._running_start(self.as_of - dt.timedelta(weeks=self.r.randint(4, 6)))
        first_ta = spec.name == "Precision teaching: number facts" and cohort.when == RUNNING
        ranked = self._ranked(spec, cohort, first)
        # Groups of an ended cohort started over a few days, lettered in the order they started.
        offsets = sorted(self.r.randint(0, 2) if cohort.when == ENDED else 0 for _ in range(cohort.groups))
        for index, offset in enumerate(offsets):
            starts = first + dt.timedelta(days=offset)
            while not school_day(starts):
                starts += DAY
            if spec.teacher_led:
                deliverer: int | None = self._teacher_deliverer()
            elif first_ta and index == 0 and self.f.showcase_ta is not None:
                deliverer = self.f.showcase_ta
            else:
                deliverer = self.next_ta()
            if deliverer is None:
                continue
            days = self.pick(_WEEKDAYS[spec.sessions_per_week])
            ends = self._ends(spec, starts, days) if cohort.when == ENDED else None
            if ends is not None and ends <= starts:
                continue
            pupils = self._choose(spec, cohort, ranked, deliverer, in_it)
            if not pupils:
                continue
            letter = "ABCDEFGH"[index] if cohort.groups > 1 else ""
            group = InterventionGroup(
                school_id=self.f.id,
                intervention=intervention,
                name=f"{spec.short}{' ' + letter if letter else ''} ({_term_label(starts)})",
                deliverer_id=deliverer,
                weekdays=",".join(str(d) for d in days),
                time_of_day="8:40 (before registration)"
                if spec.short == "Sensory circuits"
                else self.pick(TIMES),
                starts_on=starts,
                ends_on=ends,
            )
            self.rows.groups.append(group)
            placed = [self._place(spec, cohort, group, p, deliverer) for p in pupils]
            in_it.update(pupils)
            self._logs(spec, group, days, placed)

    def _running_start(self, earliest: dt.date) -> dt.date:
        """A Monday four to six weeks ago, or the first Monday after the last holiday if that is later and at
        least a week ago, so that the weeks run so far are teaching weeks (dosage counts calendar weeks)."""
        first = _monday_on_or_after(earliest)
        day, after_holiday = self.as_of - DAY, None
        while day > earliest:
            if day.weekday() < 5 and not school_day(day):
                after_holiday = _monday_on_or_after(day)
                break
            day -= DAY
        if after_holiday is not None and after_holiday <= self.as_of - dt.timedelta(weeks=1):
            first = max(first, after_holiday)
        return first if first < self.as_of else self.as_of - dt.timedelta(weeks=5)

    def _teacher_deliverer(self) -> int | None:
        others = [t for t in self.x.teacher_ids if t != self.f.showcase_teacher]
        return self.pick(others) if others else None

    def _ends(self, spec: Spec, starts: dt.date, days: Sequence[int]) -> dt.date:
        """The last session after `weeks` teaching weeks, inside the exit window and a week before today."""
        assert self.exit_window is not None
        taught, day, last = 0, starts, starts
        while taught < spec.weeks and day < self.as_of:
            week = [day + dt.timedelta(days=i) for i in range(7 - day.weekday())]
            sessions = [d for d in week if d.weekday() in days and school_day(d)]
            if sessions:
                taught += 1
                last = sessions[-1]
            day = week[-1] + DAY
        _, _, opens, closes = self.exit_window
        latest = min(closes, self.as_of - dt.timedelta(days=7))
        if last > latest:
            last = latest
        if last < opens + dt.timedelta(days=3):
            last = min(opens + dt.timedelta(days=3), latest)
        while not school_day(last) and last > starts:
            last -= DAY
        return last

    # ------------------------------------------------------------------ pupils
    def _ranked(self, spec: Spec, cohort: Cohort, starts: dt.date) -> list[uuid.UUID]:
        """Pupils who could join this cohort, best placed first: on SEN support for this area, then other
        SEN or flagged pupils, then (for learning) low attainers; the rest never."""
        low, high = self.years[spec.name]
        flagged = self.x.flagged.get(spec.area, set())

        def priority(p: uuid.UUID) -> int:
            provision, area = self.f.provision.get(p, Provision.NONE), self.f.area.get(p, "")
            if provision == Provision.SEN_SUPPORT and area == spec.area:
                return 0
            if (provision == Provision.EHC_PLAN and area == spec.area) or p in flagged:
                return 1
            if provision in (Provision.SEN_SUPPORT, Provision.EHC_PLAN):
                return 2
            if spec.area == BroadArea.COGNITION and self._low_attainer(p):
                return 3
            return 9

        ranked = []
        for p in self.f.pupils:
            if low <= self.x.year.get(p, -9) <= high and self.f.teachers.get(p):
                rank = priority(p)
                if rank < 9 and self._has_data(p, spec, cohort, starts):
                    ranked.append((rank, self.r.random(), p))
        return [p for _, _, p in sorted(ranked)]

    def _choose(
        self, spec: Spec, cohort: Cohort, ranked: list[uuid.UUID], deliverer: int, in_it: set[uuid.UUID]
    ) -> list[uuid.UUID]:
        """Pupils for one group, in rank order; each pupil in at most two interventions."""
        free = (
            p for p in ranked if p not in in_it and self.count[p] < 2 and self._teachers(p, spec, deliverer)
        )
        chosen = [p for _, p in zip(range(spec.size), free, strict=False)]
        showcase = self.f.showcase_teacher
        if cohort.when == RUNNING and not self.showcase_placed and showcase is not None:
            theirs = next(
                (
                    p
                    for p in ranked
                    if p not in in_it and self.count[p] < 2 and showcase in self._teachers(p, spec, deliverer)
                ),
                None,
            )
            if theirs is not None:
                if theirs not in chosen:
                    chosen = [theirs, *chosen[: spec.size - 1]]
                self.showcase_placed = True
        return chosen

    def _teachers(self, pupil: uuid.UUID, spec: Spec, deliverer: int) -> list[int]:
        """Who may answer for the pupil's placement: their teacher for the nearest subject (their class
        teacher in a primary), else any of their teachers; never the deliverer."""
        by_subject = self.f.by_subject.get(pupil, {})
        preferred = [u for u in by_subject.get(spec.taught_in, []) + by_subject.get("", []) if u != deliverer]
        return preferred or [u for u in self.f.teachers.get(pupil, []) if u != deliverer]

    def _has_data(self, pupil: uuid.UUID, spec: Spec, cohort: Cohort, starts: dt.date) -> bool:
        if spec.measure != MeasureKind.STANDARDISED:
            return pupil in self.x.born
        results = self.x.results.get((pupil, spec.subject), {})
        if cohort.when == ENDED:
            assert self.entry_window is not None and self.exit_window is not None
            return self.entry_window[0] in results and self.exit_window[0] in results
        return any(day <= starts for day, _ in results.values())

    def _low_attainer(self, pupil: uuid.UUID) -> bool:
        """Their latest standardised reading or maths score is under 90."""
        if pupil not in self.low:
            latest = [
                max(self.x.results[(pupil, s)].values())[1]
                for s in ("reading", "maths")
                if self.x.results.get((pupil, s))
            ]
            self.low[pupil] = bool(latest) and min(latest) < 90
        return self.low[pupil]

    # ------------------------------------------------------------------ placements
    def _place(
        self, spec: Spec, cohort: Cohort, group: InterventionGroup, pupil: uuid.UUID, deliverer: int
    ) -> _Placed:
        teachers = self._teachers(pupil, spec, deliverer)
        showcase = self.f.showcase_teacher
        teacher = self.pick(teachers)
        if showcase is not None and showcase in teachers and cohort.when == RUNNING:
            teacher = showcase
        starts = group.starts_on
        entry_on, entry = self._entry(spec, cohort, pupil, starts)
        exit_on = exit_ = None
        ends = group.ends_on
        if cohort.when == ENDED and cohort.effect is not None:
            assert ends is not None
            exit_on, exit_ = ends, self._exit(spec, cohort, pupil, entry, entry_on, ends)
        placement = Placement(
            group=group,
            pupil_id=pupil,
            school_id=self.f.id,
            accountable_teacher_id=teacher,
            classroom_link=self.pick(spec.links),
            starts_on=starts,
            ends_on=ends,
            measure_kind=spec.measure,
            subject_id=spec.subject or None,
            entry_score=entry,
            entry_on=entry_on,
            exit_score=exit_,
            exit_on=exit_on,
            created_by_id=self.senco,
        )
        self.rows.placements.append(placement)
        self.count[pupil] += 1
        return _Placed(placement, self.r.uniform(0.84, 0.98))

    def _entry(self, spec: Spec, cohort: Cohort, pupil: uuid.UUID, starts: dt.date) -> tuple[dt.date, float]:
        if spec.measure == MeasureKind.STANDARDISED:
            results = self.x.results[(pupil, spec.subject)]
            if cohort.when == ENDED:
                assert self.entry_window is not None
                return results[self.entry_window[0]]
            return max(r for r in results.values() if r[0] <= starts)
        entry_on = starts - dt.timedelta(days=self.r.randint(0, 4))
        while not school_day(entry_on):
            entry_on -= DAY
        if spec.measure in (MeasureKind.READING_AGE, MeasureKind.SPELLING_AGE):
            age = (entry_on - self.x.born[pupil]).days / DAYS_PER_MONTH
            behind = self.r.uniform(10, 24) if self.f.phase == "primary" else self.r.uniform(20, 42)
            return entry_on, float(max(54, round(age - behind)))
        low, high, _ = spec.points
        return entry_on, float(self.r.randint(low, high))

    def _exit(
        self, spec: Spec, cohort: Cohort, pupil: uuid.UUID, entry: float, entry_on: dt.date, exit_on: dt.date
    ) -> float:
        effect = self.r.gauss(cohort.effect or 0.0, cohort.spread)
        if spec.measure == MeasureKind.STANDARDISED:
            assert self.exit_window is not None
            real = self.x.results[(pupil, spec.subject)][self.exit_window[0]][1]
            return float(min(141, max(69, round(real + effect))))
        if spec.measure in (MeasureKind.READING_AGE, MeasureKind.SPELLING_AGE):
            months = (exit_on - entry_on).days / DAYS_PER_MONTH
            return float(round(entry + max(0.0, effect) * months))
        return float(min(spec.points[2], max(0, round(entry + effect))))

    # ------------------------------------------------------------------ logs
    def _logs(self, spec: Spec, group: InterventionGroup, days: Sequence[int], placed: list[_Placed]) -> None:
        last = group.ends_on or self.as_of - DAY
        day, held = group.starts_on, []
        while day <= last:
            if day.weekday() in days and school_day(day):
                held.append(day)
            day += DAY
        # A few sessions missed (staff absence, trips), never the first.
        held = [d for i, d in enumerate(held) if i == 0 or self.r.random() >= 0.06]
        recent = self.as_of - dt.timedelta(days=7)
        showcase_logs: list[SessionLog] = []
        acknowledgements: list[tuple[uuid.UUID, int]] = []
        for i, day in enumerate(held):
            log = SessionLog(
                group=group,
                school_id=self.f.id,
                held_on=day,
                delivered_by_id=group.deliverer_id,
                covered=spec.covered[i % len(spec.covered)],
                rating=self.r.choices(_RATINGS, weights=_RATING_WEIGHTS)[0],
                note=self.pick(SESSION_NOTES) if self.r.random() < 0.15 else "",
            )
            self.rows.logs.append(log)
            teachers: set[int] = set()
            for p in placed:
                pl = p.placement
                if pl.starts_on <= day and (pl.ends_on is None or pl.ends_on >= day):
                    present = self.r.random() < p.attendance_rate
                    self.rows.attendance.append((log.id, pl.id, pl.pupil_id, pl.school_id, present))
                    teachers.add(pl.accountable_teacher_id)
            if self.f.showcase_teacher in teachers:
                showcase_logs.append(log)
            for teacher in sorted(teachers):
                chance = 0.9 if day < recent else 0.3
                if self.r.random() < chance:
                    acknowledgements.append((log.id, teacher))
        # The printed teacher always has the latest two sessions about their pupils still to read.
        unread = {log.id for log in showcase_logs[-2:]} if group.ends_on is None else set()
        self.rows.acknowledgements.extend(
            a for a in acknowledgements if not (a[0] in unread and a[1] == self.f.showcase_teacher)
        )
