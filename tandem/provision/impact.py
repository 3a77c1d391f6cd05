"""An intervention's impact section: did the pupils who had it do better, at what dosage and what cost?

Reads the placements in the groups the actor may see, their session logs and, for standardised measures,
the school's own assessments, then hands the numbers to `tandem.lib.impact` (pure, EEF-compatible; see
../shared/reference/analytics.md, section 9). Each kind of measure is judged in its own terms:

- Standardised scores (with a subject): an effect size (Hedges' g, adjusted for the entry score) against a
  comparison group of similar pupils at the same school who were NOT placed in this intervention. See
  `_comparison_candidates` for how they are found.
- Reading and spelling ages: Brooks' ratio gain for the group (months gained per month elapsed), shown
  against what keeping pace with age alone would give.
- Other points: the mean gain only. There is nothing to compare with, so no claim is made.

Alongside: dosage (sessions delivered against the plan, attendance), the cost of a place, the cost per unit
of gain, a table of groups, and plain-English flags for the SENCo. Small groups are labelled "too small to
say" rather than given a number.

The number of queries does not grow with the number of pupils: the groups, placements, log counts and
attendance counts are one query each, and the comparison pupils' assessments one query per subject.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from statistics import fmean, median_low
from typing import NamedTuple

from django.db.models import Count, Q
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.scopes import intervention_groups_in_scope
from tandem.assessment.models import Assessment, ScaleKind
from tandem.lib.impact import (
    Comparison,
    Dosage,
    EffectSize,
    Measure,
    RatioGain,
    choose_comparison,
    cost_per_unit_gain,
    dosage,
    effect_size,
    group_ratio_gain,
)
from tandem.provision.models import (
    EvidenceStrength,
    Intervention,
    InterventionGroup,
    MeasureKind,
    Placement,
    SessionAttendance,
    SessionLog,
)
from tandem.provision.selectors import place_cost, staff_rates

# Below this many pupils with entry and exit measures, the figures are "too small to say" (as effect_size).
MIN_PUPILS = 5
# Comparison pupils per pupil in the intervention.
COMPARISONS_PER_PUPIL = 3
# Standardised scores have a mean of 100 and an SD of 15; with a reliability of about 0.9 a single score
# carries a standard error of measurement of about 4.7 points. Pupils whose entry scores are within 3
# points (0.2 SD) started, as far as the test can tell, in the same place, while a wider window would let
# regression to the mean (low scorers drift up on a retest anyway) flatter or damn the intervention.
STANDARDISED_MAX_BASELINE_GAP = 3.0
# Comparison pupils must have been tested within this many days of the pupils in the intervention.
MAX_DATE_GAP_DAYS = 45
# Below these, the dosage is flagged: an intervention delivered at half strength has not been tried.
# Neither is judged on less than two weeks of sessions, or fewer than 20 pupil-sessions: too little to say.
LOW_DOSAGE_PERCENT = 75.0
LOW_ATTENDANCE_RATE = 0.8
MIN_WEEKS_FOR_DOSAGE = 2
MIN_EXPECTED_FOR_ATTENDANCE = 20

_KIND_UNIT: dict[str, str] = {
    MeasureKind.STANDARDISED: "points",
    MeasureKind.READING_AGE: "months",
    MeasureKind.SPELLING_AGE: "months",
    MeasureKind.POINTS: "points",
}
_AGES = (MeasureKind.READING_AGE, MeasureKind.SPELLING_AGE)

# Chart geometry (as tandem.progress.chart): numbers in, SVG coordinates out.
CHART_WIDTH, CHART_HEIGHT = 640, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 200, 16, 40
_LABEL_GAP = 16

# Verdicts, as the page shows them.
MEASURED_GAIN = "Measured gain"
NO_MEASURED_GAIN = "No measured gain"
TOO_SMALL = "Too small to say"
GAIN_UNCOMPARED = "Gain, but nothing to compare with"


# ============================================================================================== results
@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class ChartSeries:
    label: str
    entry: float
    exit: float
    y_entry: float
    y_exit: float
    y_label: float  # where its name is written, beside the exit end
    dashed: bool


@dataclass(frozen=True)
class ImpactChart:
    """Two lines, entry to exit: the pupils in the intervention and what they are compared with."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    x_entry: float
    x_exit: float
    y_ticks: list[Tick]
    series: list[ChartSeries]


@dataclass(frozen=True)
class MeasureImpact:
    """What one kind of measure (a standardised subject, reading age, spelling age, points) shows."""

    kind: str
    subject: str  # subject code for standardised scores, else ""
    title: str  # e.g. "Reading: standardised scores"
    unit: str  # "points" or "months"
    pupils: int  # finished, with entry and exit
    entry_mean: float
    exit_mean: float
    verdict: str  # "Measured gain", "No measured gain", "Too small to say", ...
    gain_measured: bool  # the verdict is a real, measured gain
    summary: str  # plain English, safe to show as it is
    other_label: str = ""  # what the pupils are compared with, "" for nothing
    other_pupils: int = 0
    other_entry_mean: float | None = None
    other_exit_mean: float | None = None
    comparison_note: str = ""
    comparison: Comparison | None = None  # the matched pupils, by opaque id, for checking by hand
    effect: EffectSize | None = None
    ratio: RatioGain | None = None
    cost_per_unit: float | None = None
    cost_unit: str = ""  # what a unit of gain is, e.g. "month's progress (EEF months)"
    chart: ImpactChart | None = None

    @property
    def mean_gain(self) -> float:
        return self.exit_mean - self.entry_mean

    @property
    def other_gain(self) -> float | None:
        if self.other_entry_mean is None or self.other_exit_mean is None:
            return None
        return self.other_exit_mean - self.other_entry_mean


@dataclass(frozen=True)
class GroupImpact:
    group: InterventionGroup
    pupils: int
    dosage: Dosage
    measure: str  # the measure the group's pupils share, or "Mixed measures"
    measured: int  # pupils with an entry and an exit measure
    entry_mean: float | None  # of the measured pupils (of everyone when none has finished)
    exit_mean: float | None


@dataclass(frozen=True)
class InterventionImpact:
    placements: int  # in the groups the actor may see
    finished: int  # with entry and exit measures
    dosage: Dosage
    cost_per_pupil: Decimal | None
    measures: list[MeasureImpact] = field(default_factory=list)
    groups: list[GroupImpact] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


class _Row(NamedTuple):
    group_id: uuid.UUID
    pupil_id: uuid.UUID
    school_id: int
    kind: str
    subject: str
    subject_name: str
    entry: float
    entry_on: dt.date
    exit: float | None
    exit_on: dt.date | None
    starts_on: dt.date
    ends_on: dt.date | None

    @property
    def finished(self) -> bool:
        return (
            self.exit is not None
            and self.exit_on is not None
            and math.isfinite(self.entry)
            and math.isfinite(self.exit)
            and self.exit_on >= self.entry_on
        )


# ============================================================================================== selector
def intervention_impact(
    *,
    actor: Actor,
    intervention: Intervention,
    on: dt.date | None = None,
    rates: dict[str, Decimal] | None = None,
) -> InterventionImpact:
    """The impact section for this intervention, from the placements in the groups the actor may see.

    `on` is "today" (for dosage to date and overdue exit measures); `rates` saves a query when the caller
    has the school's staff rates already.
    """
    today = on or timezone.localdate()
    groups = list(
        intervention_groups_in_scope(actor).filter(intervention=intervention).order_by("starts_on", "name")
    )
    group_ids = [g.pk for g in groups]
    rows = [
        _Row(*values)
        for values in Placement.objects.filter(group_id__in=group_ids, withdrawn_at__isnull=True)
        .order_by("group_id", "entry_on", "id")
        .values_list(
            "group_id",
            "pupil_id",
            "school_id",
            "measure_kind",
            "subject_id",
            "subject__name",
            "entry_score",
            "entry_on",
            "exit_score",
            "exit_on",
            "starts_on",
            "ends_on",
        )
    ]
    rows = [r._replace(subject=r.subject or "", subject_name=r.subject_name or "") for r in rows]
    delivered = dict(
        SessionLog.objects.filter(group_id__in=group_ids, withdrawn_at__isnull=True)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    attendance = {
        group_id: (present, expected)
        for group_id, present, expected in SessionAttendance.objects.filter(
            log__group_id__in=group_ids, log__withdrawn_at__isnull=True, placement__withdrawn_at__isnull=True
        )
        .values("log__group_id")
        .annotate(present=Count("id", filter=Q(present=True)), expected=Count("id"))
        .values_list("log__group_id", "present", "expected")
    }
    if rates is None:
        rates = staff_rates(school_id=intervention.school_id)
    cost = place_cost(intervention, rates)

    group_rows: dict[uuid.UUID, list[_Row]] = defaultdict(list)
    for row in rows:
        group_rows[row.group_id].append(row)
    by_group = [
        _group_impact(g, intervention, group_rows[g.pk], delivered, attendance, today) for g in groups
    ]
    expected = sum(e for _, e in attendance.values())
    overall = dosage(
        sessions_per_week=intervention.sessions_per_week,
        weeks=sum(_weeks_planned(g, intervention, today) for g in groups),
        delivered=sum(delivered.values()),
        attended=sum(p for p, _ in attendance.values()),
        expected=expected,
    )
    finished = [r for r in rows if r.finished]
    measures = [
        _measure_impact(kind, subject, section, intervention, cost)
        for (kind, subject), section in _sections(finished)
    ]
    flags = _flags(intervention, rows, measures, overall, expected, today)
    return InterventionImpact(
        placements=len(rows),
        finished=len(finished),
        dosage=overall,
        cost_per_pupil=cost,
        measures=measures,
        groups=by_group,
        flags=flags,
    )


def _sections(rows: Iterable[_Row]) -> list[tuple[tuple[str, str], list[_Row]]]:
    """Finished placements by (measure kind, subject): only like is averaged with like. Biggest first."""
    sections: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows:
        sections[(row.kind, row.subject if row.kind == MeasureKind.STANDARDISED else "")].append(row)
    return sorted(sections.items(), key=lambda item: (-len(item[1]), item[0]))


# ============================================================================================== dosage
def _weeks_planned(group: InterventionGroup, intervention: Intervention, today: dt.date) -> int:
    """Weeks of sessions the plan expects by today: the whole course once the group has ended."""
    if group.ends_on is not None and group.ends_on <= today:
        return intervention.weeks
    days = (today - group.starts_on).days + 1
    if days <= 0:
        return 0
    return min(intervention.weeks, round(days / 7))


def _group_impact(
    group: InterventionGroup,
    intervention: Intervention,
    rows: Sequence[_Row],
    delivered: dict[uuid.UUID, int],
    attendance: dict[uuid.UUID, tuple[int, int]],
    today: dt.date,
) -> GroupImpact:
    present, expected = attendance.get(group.pk, (0, 0))
    group_dosage = dosage(
        sessions_per_week=intervention.sessions_per_week,
        weeks=_weeks_planned(group, intervention, today),
        delivered=delivered.get(group.pk, 0),
        attended=present,
        expected=expected,
    )
    kinds = {(r.kind, r.subject, r.subject_name) for r in rows}
    if len(kinds) != 1:
        return GroupImpact(group, len(rows), group_dosage, "Mixed measures" if rows else "", 0, None, None)
    kind, _, subject_name = kinds.pop()
    measured = [r for r in rows if r.finished]
    entry = fmean(r.entry for r in (measured or rows))
    exit_ = fmean(float(r.exit) for r in measured if r.exit is not None) if measured else None
    return GroupImpact(
        group, len(rows), group_dosage, _title(kind, subject_name), len(measured), entry, exit_
    )


# ============================================================================================== measures
def _title(kind: str, subject_name: str) -> str:
    if kind == MeasureKind.STANDARDISED:
        return f"{subject_name}: standardised scores" if subject_name else "Standardised scores"
    return MeasureKind(kind).label if kind in MeasureKind.values else kind


def _measure_impact(
    kind: str, subject: str, rows: list[_Row], intervention: Intervention, cost: Decimal | None
) -> MeasureImpact:
    base = MeasureImpact(
        kind=kind,
        subject=subject,
        title=_title(kind, rows[0].subject_name),
        unit=_KIND_UNIT.get(kind, "points"),
        pupils=len(rows),
        entry_mean=fmean(r.entry for r in rows),
        exit_mean=fmean(float(r.exit) for r in rows if r.exit is not None),
        verdict="",
        gain_measured=False,
        summary="",
    )
    if kind == MeasureKind.STANDARDISED and subject:
        return _standardised(base, rows, intervention, cost)
    if kind in _AGES:
        return _ages(base, rows, cost)
    return _points(base, cost)


def _standardised(
    base: MeasureImpact, rows: list[_Row], intervention: Intervention, cost: Decimal | None
) -> MeasureImpact:
    treated = [_measure(r) for r in rows]
    candidates = _comparison_candidates(
        school_ids={r.school_id for r in rows},
        subject=base.subject,
        intervention=intervention,
        entry_day=_median_day(m.entry_on for m in treated),
        exit_day=_median_day(m.exit_on for m in treated),
    )
    comparison = choose_comparison(
        treated,
        candidates,
        per_pupil=COMPARISONS_PER_PUPIL,
        max_baseline_gap=STANDARDISED_MAX_BASELINE_GAP,
        max_date_gap_days=MAX_DATE_GAP_DAYS,
    )
    effect = effect_size(comparison, min_per_group=MIN_PUPILS)
    verdict, measured = _effect_verdict(effect)
    # A cost per month only for a measured gain: a cost per month of "could be chance" reads as a bargain.
    per_month = (
        cost_per_unit_gain(float(cost), effect.months)
        if measured and cost is not None and effect.months is not None
        else None
    )
    other_entry, other_exit = _means(comparison)
    label = "Similar pupils not in it"
    return replace(
        base,
        verdict=verdict,
        gain_measured=measured,
        summary=effect.message,
        other_label=label,
        other_pupils=len(comparison.comparison),
        other_entry_mean=other_entry,
        other_exit_mean=other_exit,
        comparison_note=comparison.note,
        comparison=comparison,
        effect=effect,
        cost_per_unit=per_month,
        cost_unit="month's extra progress (EEF months' progress)",
        chart=_chart(base, "Similar pupils", other_entry, other_exit),
    )


def _effect_verdict(effect: EffectSize) -> tuple[str, bool]:
    if effect.status == "too_small":
        return TOO_SMALL, False
    if effect.status != "ok" or effect.ci_low is None or effect.ci_high is None:
        return "Cannot say yet", False
    if effect.ci_low > 0:
        return MEASURED_GAIN, True
    if effect.ci_high < 0:
        return "Less progress than similar pupils", False
    return NO_MEASURED_GAIN, False


def _ages(base: MeasureImpact, rows: list[_Row], cost: Decimal | None) -> MeasureImpact:
    ratio = group_ratio_gain([(m.entry, m.exit, m.entry_on, m.exit_on) for m in map(_measure, rows)])
    what = "reading age" if base.kind == MeasureKind.READING_AGE else "spelling age"
    pupils = base.pupils
    extra = None
    if ratio.ratio is None:
        verdict = "Too soon to say" if ratio.band == "not enough time" else "Cannot say yet"
        measured = False
        summary = (
            f"The pupils were tested less than four weeks apart on average, so their {what} cannot show "
            "progress yet."
        )
    else:
        gained, elapsed = ratio.months_gained or 0.0, ratio.months_elapsed or 0.0
        summary = (
            f"Ratio gain {ratio.ratio:.1f} ({ratio.band}): on average the pupils' {what} rose "
            f"{gained:.1f} months in {elapsed:.1f} months, from {_plural(pupils, 'pupil')}."
        )
        if pupils < MIN_PUPILS:
            verdict, measured = TOO_SMALL, False
            summary += (
                f" Too few pupils to say: {pupils} finished, and at least {MIN_PUPILS} are needed before "
                "a group figure means more than those pupils' own stories."
            )
        elif round(ratio.ratio, 6) <= 1:
            verdict, measured = NO_MEASURED_GAIN, False
            summary += " A ratio gain of 1 or less at best keeps pace with age: the gap did not close."
        else:
            verdict, measured = MEASURED_GAIN, True
            extra = gained - elapsed
            summary += (
                f" That is {extra:.1f} months more than keeping pace with age would give. There is no "
                "comparison group, so treat this as a sign, not proof."
            )
    kept_pace = None if ratio.months_elapsed is None else base.entry_mean + ratio.months_elapsed
    label = "Keeping pace with age (what age alone would give)" if kept_pace is not None else ""
    return replace(
        base,
        verdict=verdict,
        gain_measured=measured,
        summary=summary,
        other_label=label,
        other_entry_mean=base.entry_mean if kept_pace is not None else None,
        other_exit_mean=kept_pace,
        ratio=ratio,
        cost_per_unit=cost_per_unit_gain(float(cost), extra) if cost is not None and extra else None,
        cost_unit=f"month of {what} gained beyond keeping pace with age",
        chart=_chart(base, "Keeping pace with age" if label else "", base.entry_mean, kept_pace),
    )


def _points(base: MeasureImpact, cost: Decimal | None) -> MeasureImpact:
    gain, pupils = base.mean_gain, base.pupils
    summary = (
        f"On average the pupils' score went from {base.entry_mean:.1f} to {base.exit_mean:.1f} "
        f"({gain:+.1f} points), from {_plural(pupils, 'pupil')}. There is no comparison group for this "
        "kind of measure, so it cannot show whether the intervention made the difference."
    )
    if pupils < MIN_PUPILS:
        verdict = TOO_SMALL
        summary += f" Too few pupils to say: at least {MIN_PUPILS} are needed."
    elif gain <= 0:
        verdict = NO_MEASURED_GAIN
    else:
        verdict = GAIN_UNCOMPARED
    return replace(
        base,
        verdict=verdict,
        summary=summary,
        cost_per_unit=(
            cost_per_unit_gain(float(cost), gain) if cost is not None and verdict == GAIN_UNCOMPARED else None
        ),
        cost_unit="point gained",
        chart=_chart(base, "", None, None),
    )


# ============================================================================================== comparison
def _measure(row: _Row) -> Measure:
    assert row.exit is not None and row.exit_on is not None
    return Measure(str(row.pupil_id), row.entry, row.exit, row.entry_on, row.exit_on)


def _median_day(days: Iterable[dt.date]) -> dt.date:
    return dt.date.fromordinal(median_low(d.toordinal() for d in days))


def _comparison_candidates(
    *,
    school_ids: set[int],
    subject: str,
    intervention: Intervention,
    entry_day: dt.date,
    exit_day: dt.date,
) -> list[Measure]:
    """Pupils at the same school(s), never placed in this intervention, tested near the same two dates.

    Kept simple enough to check by hand: each candidate's standardised result in the subject nearest the
    median entry date of the pupils in the intervention is their entry, and the one nearest the median exit
    date is their exit, each within MAX_DATE_GAP_DAYS (ties go to the earlier result). Candidates without
    both, or whose two nearest results are the same one, are left out. `choose_comparison` then keeps only
    those tested within MAX_DATE_GAP_DAYS of each pupil's own dates and within 3 points of their entry.
    One query, whatever the number of pupils.
    """
    window = dt.timedelta(days=MAX_DATE_GAP_DAYS)
    # A withdrawn placement (the wrong pupil) never put its pupil in the intervention: they may compare.
    placed = Placement.objects.filter(group__intervention=intervention, withdrawn_at__isnull=True).values(
        "pupil_id"
    )
    results: dict[uuid.UUID, list[tuple[dt.date, float]]] = defaultdict(list)
    for pupil_id, day, points in (
        Assessment.objects.filter(
            school_id__in=school_ids,
            subject_id=subject,
            scale__kind=ScaleKind.STANDARDISED,
            points__isnull=False,
            assessed_on__gte=entry_day - window,
            assessed_on__lte=exit_day + window,
        )
        .exclude(pupil_id__in=placed)
        .values_list("pupil_id", "assessed_on", "points")
    ):
        if points is not None:
            results[pupil_id].append((day, points))
    candidates = []
    for candidate, found in results.items():
        entry = _nearest(found, entry_day)
        exit_ = _nearest(found, exit_day)
        if entry is None or exit_ is None or exit_[0] <= entry[0]:
            continue
        candidates.append(Measure(str(candidate), entry[1], exit_[1], entry[0], exit_[0]))
    return candidates


def _nearest(results: list[tuple[dt.date, float]], day: dt.date) -> tuple[dt.date, float] | None:
    near = [r for r in results if abs((r[0] - day).days) <= MAX_DATE_GAP_DAYS and math.isfinite(r[1])]
    return min(near, key=lambda r: (abs((r[0] - day).days), r[0], r[1])) if near else None


def _means(comparison: Comparison) -> tuple[float | None, float | None]:
    others = comparison.comparison
    if not others:
        return None, None
    return fmean(m.entry for m in others), fmean(m.exit for m in others)


# ============================================================================================== flags
def _flags(
    intervention: Intervention,
    rows: Sequence[_Row],
    measures: Sequence[MeasureImpact],
    overall: Dosage,
    expected: int,
    today: dt.date,
) -> list[str]:
    """What the SENCo should look at, each a plain-English sentence."""
    flags: list[str] = []
    if intervention.evidence_strength == EvidenceStrength.NONE:
        flags.append(
            "No evidence base: no research was found showing this intervention works. Check it is the best "
            "use of staff time, and measure its impact carefully before running it again."
        )
    course_end = dt.timedelta(weeks=intervention.weeks)
    overdue = [
        r
        for r in rows
        if r.exit is None
        and ((r.ends_on is not None and r.ends_on <= today) or r.starts_on + course_end < today)
    ]
    if overdue:
        flags.append(
            f"No exit data: {_plural(len(overdue), 'pupil')} finished, or passed the planned "
            f"{intervention.weeks} weeks, without an exit measure, so their progress cannot be counted. "
            "Record the exit measures on the group pages."
        )
    broken = [r for r in rows if r.exit is not None and not r.finished]
    if broken:
        flags.append(
            f"{_plural(len(broken), 'pupil')} {'has' if len(broken) == 1 else 'have'} an exit measure dated "
            "before the entry measure, so they are left out until it is corrected."
        )
    for m in measures:
        flag = _gain_flag(m)
        if flag:
            flags.append(flag)
    if (
        overall.percent_of_plan is not None
        and overall.planned_sessions >= MIN_WEEKS_FOR_DOSAGE * intervention.sessions_per_week
        and overall.percent_of_plan < LOW_DOSAGE_PERCENT
    ):
        flags.append(
            f"Low dosage: {overall.delivered_sessions} of the {overall.planned_sessions} sessions planned so "
            f"far were delivered ({overall.percent_of_plan:.0f}%). An intervention delivered at part "
            "strength has not had a fair trial."
        )
    if (
        overall.attendance_rate is not None
        and expected >= MIN_EXPECTED_FOR_ATTENDANCE
        and overall.attendance_rate < LOW_ATTENDANCE_RATE
    ):
        flags.append(
            f"Low attendance: pupils were at {overall.attendance_rate:.0%} of the sessions they were "
            "expected at. Find out why before judging the intervention."
        )
    return flags


def _gain_flag(m: MeasureImpact) -> str | None:
    if m.gain_measured or m.verdict == GAIN_UNCOMPARED:
        return None
    if m.verdict == TOO_SMALL:
        return (
            f"Too small to say ({m.title.lower()}): only {_plural(m.pupils, 'pupil')} finished with entry "
            f"and exit measures{_others(m)}, so no figure is claimed."
        )
    e, r = m.effect, m.ratio
    if e is not None and e.g is not None and e.ci_low is not None and e.ci_high is not None:
        if e.ci_high < 0:
            return (
                f"No measured gain ({m.title.lower()}): pupils in it made less progress than similar pupils "
                f"who were not (effect size {e.g:.2f}, 95% confidence interval {e.ci_low:.2f} to "
                f"{e.ci_high:.2f}). Review whether to continue it."
            )
        return (
            f"No measured gain ({m.title.lower()}): the effect size's 95% confidence interval "
            f"({e.ci_low:.2f} to {e.ci_high:.2f}) includes zero, so these pupils did no better than similar "
            "pupils who were not in it, as far as the data can tell."
        )
    if r is not None and r.ratio is not None:
        return (
            f"No measured gain ({m.title.lower()}): a ratio gain of {r.ratio:.1f} (1 or less) means the "
            "pupils at best kept pace with their age, so the gap did not close."
        )
    if e is not None:
        return f"No measured gain ({m.title.lower()}): {e.message}"
    if m.kind == MeasureKind.POINTS:
        return (
            f"No measured gain ({m.title.lower()}): on average pupils finished {m.mean_gain:+.1f} points "
            "from where they started."
        )
    return f"No measured gain ({m.title.lower()}): {m.summary}"


def _others(m: MeasureImpact) -> str:
    if m.effect is None:
        return ""
    return f" and {m.effect.n_comparison} similar pupils were found to compare with"


# ============================================================================================== chart
def _chart(
    base: MeasureImpact, other_label: str, other_entry: float | None, other_exit: float | None
) -> ImpactChart:
    """Entry and exit means as two short lines, each labelled in words at its end (not by colour). The labels
    are short so they fit beside the chart; the table gives the long names."""
    lines = [("In the intervention", base.entry_mean, base.exit_mean, False)]
    if other_label and other_entry is not None and other_exit is not None:
        lines.append((other_label, other_entry, other_exit, True))
    values = [v for _, entry, exit_, _ in lines for v in (entry, exit_)]
    step = 5.0 if max(values) - min(values) <= 30 else 10.0
    low = step * math.floor((min(values) - step / 2) / step)
    high = step * math.ceil((max(values) + step / 2) / step)
    plot_h = CHART_HEIGHT - _TOP - _BOTTOM

    def y(value: float) -> float:
        return round(_TOP + plot_h * (high - value) / (high - low), 1)

    ticks = []
    value = low
    while value <= high + 1e-9:
        ticks.append(Tick(value, y(value)))
        value += step
    series = [
        ChartSeries(label, entry, exit_, y(entry), y(exit_), y(exit_), dashed)
        for label, entry, exit_, dashed in lines
    ]
    if len(series) == 2 and abs(series[0].y_label - series[1].y_label) < _LABEL_GAP:
        # Keep the two end labels apart: the higher line's label moves up, the other's down.
        upper, lower = sorted(series, key=lambda s: s.y_exit)
        middle = (upper.y_exit + lower.y_exit) / 2
        moved = {upper.label: middle - _LABEL_GAP / 2, lower.label: middle + _LABEL_GAP / 2}
        series = [replace(s, y_label=round(moved[s.label], 1)) for s in series]
    return ImpactChart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        plot_left=_LEFT,
        plot_right=CHART_WIDTH - _RIGHT,
        plot_top=_TOP,
        plot_bottom=CHART_HEIGHT - _BOTTOM,
        x_entry=_LEFT + 40,
        x_exit=CHART_WIDTH - _RIGHT - 40,
        y_ticks=ticks,
        series=series,
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
