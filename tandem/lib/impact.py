"""Intervention impact: the arithmetic behind an intervention's impact page, in the EEF's terms.

Pure Python plus numpy, no Django: the same scores always give the same answer, so the impact page,
exports and the demo generator can share it and a SENCo can check any number by hand.

A school wants to know whether an intervention helped. The honest answer compares the pupils who
had it with similar pupils who did not, over the same weeks, and allows for where each pupil
started. That is what the Education Endowment Foundation (EEF) reports, so our numbers can sit
next to the Teaching and Learning Toolkit's:

- an effect size (Hedges' g) adjusted for the entry score (ANCOVA), divided by the pooled SD of the
  exit scores, with Hedges' small-sample correction and a 95% confidence interval (the What Works
  Clearinghouse formulae);
- the EEF's months' progress for that effect size;
- for reading and spelling ages, Brooks' ratio gain, which schools already know;
- dosage (was the intervention delivered as planned?) and cost, so impact is read against effort.

Small groups are the norm in schools, so this module never over-claims: below a minimum group size
it says "too few pupils to say" rather than print a number, and the comparison pupils are matched,
not randomised, which every message says. See ../shared/reference/analytics.md, section 9.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

# Days in an average month, so that months elapsed match reading ages, which are kept in months.
DAYS_PER_MONTH = 365.25 / 12

# The normal quantile the WWC uses for a 95% confidence interval.
Z_95 = 1.96

# --- Months' progress ------------------------------------------------------------------------------
# The EEF Toolkit's conversion, as the top of each band in hundredths of an effect size: an effect
# size that rounds to 0.00-0.01 is 0 months, 0.02-0.09 is 1 month, ..., 0.88-0.95 is 11 months, and
# 0.96 or more is 12 months. Negative effect sizes mirror the positive ones.
MONTHS_UPPER_HUNDREDTHS: tuple[int, ...] = (1, 9, 18, 26, 35, 44, 52, 61, 69, 78, 87, 95)
MAX_MONTHS = 12

# --- Ratio gain -------------------------------------------------------------------------------------
# Under about four weeks a reading age barely moves while the ratio swings wildly, so we say nothing.
MIN_RATIO_GAIN_DAYS = 28
# Brooks' bands: a ratio gain of 1 means the pupil only kept pace with their age, so 1 or less is
# "keeping pace or less"; above 1 and under 2 is "modest", then 2+, 3+ and 4+.
RATIO_GAIN_BANDS: tuple[tuple[float, str], ...] = (
    (4.0, "remarkable"),
    (3.0, "substantial"),
    (2.0, "useful"),
)
# Ratios are compared after rounding to this many places, so 2.9999999999 (floating-point noise from
# converting days to months) is not pushed into the band below.
_RATIO_PLACES = 6

# Baseline gaps are compared with this slack, so a gap of 0.1 + 0.2 still counts as within 0.3.
_GAP_SLACK = 1e-9


@dataclass(frozen=True)
class Measure:
    """One pupil's entry and exit on the same scale (the same test, or standardised scores)."""

    pupil: str  # an opaque id
    entry: float
    exit: float
    entry_on: datetime.date
    exit_on: datetime.date

    def __post_init__(self) -> None:
        # A measure with no number or an exit before its entry is a data-entry mistake: refusing it
        # here means it is fixed at source instead of quietly bending an effect size.
        if not (math.isfinite(self.entry) and math.isfinite(self.exit)):
            raise ValueError(f"Pupil {self.pupil} has an entry or exit score that is not a number.")
        if self.exit_on < self.entry_on:
            raise ValueError(f"Pupil {self.pupil} has an exit date before their entry date.")


@dataclass(frozen=True)
class Comparison:
    """Similar-baseline pupils NOT in the intervention, measured over the same period."""

    treated: tuple[Measure, ...]
    comparison: tuple[Measure, ...]
    note: str  # how the comparison group was chosen, in plain English


def choose_comparison(
    treated: Sequence[Measure],
    candidates: Sequence[Measure],
    *,
    per_pupil: int = 3,
    max_baseline_gap: float,
    max_date_gap_days: int = 45,
) -> Comparison:
    """Nearest-baseline matching without replacement, deterministic (ties broken by pupil id).

    For each treated pupil (in order of entry score, then id), up to `per_pupil` candidates whose
    entry is within `max_baseline_gap` and whose entry_on and exit_on are each within
    `max_date_gap_days` of the treated pupil's, nearest entry score first.

    Why matching: a school cannot randomise who gets an intervention, but pupils who started on a
    similar score and were tested at about the same times are the fairest comparison it has. The
    date window matters as much as the score: pupils tested months apart have had different amounts
    of teaching. Matching is greedy (lowest entry score first), not globally optimal, because a
    result a SENCo can reproduce by hand on paper is worth more than a slightly closer match.

    Each candidate pupil is used at most once (all their measures are removed once one is chosen),
    and a pupil in the intervention is never their own comparison.
    """
    if per_pupil < 1:
        raise ValueError("Each pupil needs at least 1 comparison pupil (per_pupil must be 1 or more).")
    if not max_baseline_gap >= 0:  # also refuses NaN
        raise ValueError("The largest baseline gap cannot be negative.")
    if max_date_gap_days < 0:
        raise ValueError("The largest gap between test dates cannot be negative.")

    treated_ids = {m.pupil for m in treated}
    pool = sorted(
        (c for c in candidates if c.pupil not in treated_ids),
        key=lambda c: (c.pupil, c.entry_on, c.exit_on, c.entry, c.exit),
    )
    used: set[str] = set()
    chosen: list[Measure] = []
    short = 0
    for pupil in sorted(treated, key=lambda m: (m.entry, m.pupil)):
        eligible = [
            c
            for c in pool
            if c.pupil not in used
            and abs(c.entry - pupil.entry) <= max_baseline_gap + _GAP_SLACK
            and abs((c.entry_on - pupil.entry_on).days) <= max_date_gap_days
            and abs((c.exit_on - pupil.exit_on).days) <= max_date_gap_days
        ]
        # `pool` is already in id order and sorted() is stable, so equal gaps fall back to the id.
        eligible.sort(key=lambda c: abs(c.entry - pupil.entry))
        matches: list[Measure] = []
        for c in eligible:
            if len(matches) == per_pupil:
                break
            if c.pupil not in {m.pupil for m in matches}:
                matches.append(c)
        used.update(m.pupil for m in matches)
        chosen.extend(matches)
        if len(matches) < per_pupil:
            short += 1

    return Comparison(
        treated=tuple(treated),
        comparison=tuple(chosen),
        note=_comparison_note(
            len(treated), len(chosen), short, per_pupil, max_baseline_gap, max_date_gap_days
        ),
    )


def _comparison_note(n_treated: int, n_chosen: int, short: int, per_pupil: int, gap: float, days: int) -> str:
    pupils = _plural(n_treated, "pupil")
    note = (
        f"For each of the {pupils} in the intervention we looked for up to {per_pupil} pupils not in it "
        f"whose entry score was within {gap:g} of theirs and who were tested within {days} days of the "
        f"same entry and exit dates, nearest entry score first, each pupil used once. "
        f"{_plural(n_chosen, 'pupil').capitalize()} found"
    )
    if short:
        note += f"; {_plural(short, 'pupil')} had fewer than {per_pupil} matches"
    return note + ". They were matched, not chosen at random, so other differences may remain."


# --- Effect size ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectSize:
    status: str  # "ok" or "too_small" (too few pupils to say) or "no_data"
    message: str  # plain English, safe to show as it is
    n_treated: int
    n_comparison: int
    g: float | None  # Hedges' g, adjusted for the pre-test, over the pooled SD of the exit scores
    ci_low: float | None
    ci_high: float | None
    months: int | None  # EEF months' progress from g rounded to 2 dp, sign kept
    adjusted_difference: float | None  # the ANCOVA group coefficient, in the test's own units
    pooled_sd: float | None  # of the exit scores


def effect_size(comparison: Comparison, *, min_per_group: int = 5) -> EffectSize:
    """Hedges' g for the intervention against its comparison group, adjusted for the entry score.

    Following the EEF [analytics.md section 9]: regress exit on entry and a 0/1 "in the intervention"
    dummy (ANCOVA, by least squares); the dummy's coefficient is the difference in exit scores between
    pupils who started on the same score. Divide by the pooled SD of the exit scores (n - 1 in each
    group), multiply by Hedges' omega = 1 - 3 / (4N - 9), N = n1 + n2, to remove the small-sample bias.
    SE(g) = sqrt((n1 + n2) / (n1 n2) + g^2 / (2 (n1 + n2))) and the 95% CI is g +/- 1.96 SE (WWC v4.1).

    A number from four pupils would be read as a finding, so below `min_per_group` pupils in either
    group the status is "too_small" and there is no number at all. "no_data" means a group is empty or
    the data cannot give an answer (no spread in the exit scores, or the entry score alone tells the
    groups apart so it cannot be adjusted for).
    """
    if min_per_group < 2:
        raise ValueError("An effect size needs at least 2 pupils in each group (min_per_group must be 2+).")
    treated, others = comparison.treated, comparison.comparison
    both = {m.pupil for m in treated} & {m.pupil for m in others}
    if both:
        raise ValueError(f"Pupil {sorted(both)[0]} is in both the intervention and the comparison group.")
    n1, n2 = len(treated), len(others)

    def without_number(status: str, message: str) -> EffectSize:
        return EffectSize(status, message, n1, n2, None, None, None, None, None, None)

    if n1 == 0:
        return without_number("no_data", "No pupils in the intervention have an entry and an exit score yet.")
    if n2 == 0:
        return without_number(
            "no_data",
            "There is no one to compare with: no pupils outside the intervention started on a similar "
            "score and were tested over the same period.",
        )
    if n1 < min_per_group or n2 < min_per_group:
        return without_number(
            "too_small",
            f"Too few pupils to say: {n1} in the group and {n2} to compare with; "
            f"at least {min_per_group} and {min_per_group} are needed.",
        )

    exit1 = np.array([m.exit for m in treated], dtype=float)
    exit2 = np.array([m.exit for m in others], dtype=float)
    pooled_sd = math.sqrt(((n1 - 1) * exit1.var(ddof=1) + (n2 - 1) * exit2.var(ddof=1)) / (n1 + n2 - 2))
    if pooled_sd == 0:
        return without_number(
            "no_data",
            "Every pupil in each group finished on the same score, so there is no spread to measure "
            "the difference against.",
        )

    adjusted = _ancova_difference(
        [m.entry for m in treated] + [m.entry for m in others],
        np.concatenate([exit1, exit2]),
        n1,
    )
    if adjusted is None:
        return without_number(
            "no_data",
            "The entry score alone tells the two groups apart (within each group every pupil started "
            "on the same score), so the difference cannot be adjusted for where pupils started.",
        )

    n = n1 + n2
    omega = 1 - 3 / (4 * n - 9)
    g = omega * adjusted / pooled_sd
    se = math.sqrt(n / (n1 * n2) + g**2 / (2 * n))
    low, high = g - Z_95 * se, g + Z_95 * se
    months = months_of_progress(g)
    message = (
        f"Effect size {g:.2f} (95% confidence interval {low:.2f} to {high:.2f}), {_months_phrase(months)}, "
        f"from {_plural(n1, 'pupil')} in the group and {n2} to compare with."
    )
    if low <= 0 <= high:
        message += " The interval includes zero, so the difference could be chance."
    message += " The comparison pupils were matched, not chosen at random: treat this as a sign, not proof."
    return EffectSize("ok", message, n1, n2, g, low, high, months, adjusted, pooled_sd)


def _ancova_difference(entries: Sequence[float], exits: np.ndarray, n_treated: int) -> float | None:
    """The group coefficient from exit ~ 1 + entry + treated, or None when the data cannot identify it.

    The entry column is centred only to keep the least-squares problem well conditioned; that does
    not change the group coefficient. If every entry is the same the entry column is empty, which is
    fine (the coefficient is then the raw difference). But if the entry score alone separates the
    groups, the dummy lies in the span of the other columns and any value would fit: no answer.
    """
    entry = np.asarray(entries, dtype=float)
    dummy = np.zeros(len(entry))
    dummy[:n_treated] = 1.0
    design = np.column_stack([np.ones(len(entry)), entry - entry.mean(), dummy])
    if np.linalg.matrix_rank(design) == np.linalg.matrix_rank(design[:, :2]):
        return None
    coefficients, *_ = np.linalg.lstsq(design, exits, rcond=None)
    return float(coefficients[2])


def _months_phrase(months: int) -> str:
    if months == 0:
        return "no difference in months' progress"
    size = abs(months)
    amount = "1 month's" if size == 1 else f"{size} months'"
    phrase = f"about {amount} {'extra' if months > 0 else 'less'} progress"
    if size == MAX_MONTHS:
        phrase += " (the top of the EEF scale)"
    return phrase


def months_of_progress(g: float) -> int:
    """The EEF Toolkit's months' progress for an effect size, exactly as its table.

    The effect size is first rounded to 2 decimal places, half away from zero on the number as
    written (so 0.015 counts as 0.02, not as the 0.01499... a float stores), then looked up:

        0.00-0.01 ->  0   0.27-0.35 -> 4   0.53-0.61 -> 7   0.79-0.87 -> 10
        0.02-0.09 ->  1   0.36-0.44 -> 5   0.62-0.69 -> 8   0.88-0.95 -> 11
        0.10-0.18 ->  2   0.45-0.52 -> 6   0.70-0.78 -> 9   0.96-1.00 -> 12
        0.19-0.26 ->  3

    Negative effect sizes mirror the positive ones and give negative months (-0.30 -> -4). The table
    stops at 1.00, so anything larger is also 12: the EEF does not extrapolate and neither do we.
    """
    if not math.isfinite(g):
        raise ValueError("An effect size must be a number.")
    rounded = Decimal(repr(abs(g))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    hundredths = int(rounded * 100)
    months = next(
        (m for m, upper in enumerate(MONTHS_UPPER_HUNDREDTHS) if hundredths <= upper),
        MAX_MONTHS,
    )
    return -months if g < 0 else months


# --- Ratio gain -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatioGain:
    ratio: float | None  # months gained / months elapsed; None when not enough time or no data
    band: str  # "keeping pace or less", "modest", "useful", "substantial", "remarkable",
    # "not enough time" (under MIN_RATIO_GAIN_DAYS) or "no data" (no measures at all)
    months_gained: float | None
    months_elapsed: float | None


def ratio_band(ratio: float) -> str:
    """Brooks' band for a ratio gain: 1 or less only keeps pace; then under 2, 2+, 3+ and 4+.

    Brooks calls a ratio gain under 2 "modest", but a pupil with a ratio of 1 (or below) has gained
    nothing on their peers, and calling that "modest impact" would flatter the intervention, so those
    pupils get their own band: "keeping pace or less".
    """
    r = round(ratio, _RATIO_PLACES)
    if r <= 1:
        return "keeping pace or less"
    return next((band for edge, band in RATIO_GAIN_BANDS if r >= edge), "modest")


def ratio_gain(
    entry_age_months: float, exit_age_months: float, entry_on: datetime.date, exit_on: datetime.date
) -> RatioGain:
    """Brooks' ratio gain for one pupil: months of reading (or spelling) age gained per month elapsed.

    Schools already use it and it reads well ("made two months' progress each month"), but it
    depends on the test's age norms, so it is shown alongside the effect size, never instead of it.
    Months elapsed = days / (365.25 / 12). Under MIN_RATIO_GAIN_DAYS days there is no ratio.
    """
    days = _days_between(entry_on, exit_on)
    return _ratio(exit_age_months - entry_age_months, days / DAYS_PER_MONTH, days)


def group_ratio_gain(measures: Sequence[tuple[float, float, datetime.date, datetime.date]]) -> RatioGain:
    """The group's ratio gain: mean months gained / mean months elapsed, not the mean of the ratios.

    Each item is (entry age in months, exit age in months, entry date, exit date). Averaging pupils'
    ratios would let one pupil tested after three weeks swamp the rest; the ratio of means weights
    each pupil by how long they were in the intervention, as Brooks' group figures do.
    """
    if not measures:
        return RatioGain(None, "no data", None, None)
    days = [_days_between(entry_on, exit_on) for _, _, entry_on, exit_on in measures]
    gained = sum(exit_age - entry_age for entry_age, exit_age, _, _ in measures) / len(measures)
    mean_days = sum(days) / len(days)
    return _ratio(gained, mean_days / DAYS_PER_MONTH, mean_days)


def _days_between(entry_on: datetime.date, exit_on: datetime.date) -> int:
    if exit_on < entry_on:
        raise ValueError("The exit test is dated before the entry test.")
    return (exit_on - entry_on).days


def _ratio(months_gained: float, months_elapsed: float, days: float) -> RatioGain:
    if days < MIN_RATIO_GAIN_DAYS:
        return RatioGain(None, "not enough time", months_gained, months_elapsed)
    ratio = months_gained / months_elapsed
    return RatioGain(ratio, ratio_band(ratio), months_gained, months_elapsed)


# --- Dosage and cost --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dosage:
    planned_sessions: int
    delivered_sessions: int
    attendance_rate: float | None  # sessions attended / sessions the pupil was expected at, 0 to 1
    percent_of_plan: float | None  # delivered / planned, as a percentage (can exceed 100)


def dosage(*, sessions_per_week: int, weeks: int, delivered: int, attended: int, expected: int) -> Dosage:
    """How much of the intervention pupils actually got, because an effect size means little without it.

    An intervention that "did not work" after a third of its sessions was not tried. The planned
    number of sessions is sessions_per_week x weeks. A rate with nothing to divide by is None, not 0,
    so "no sessions were expected" is never shown as "0% attendance".
    """
    counts = {
        "sessions a week": sessions_per_week,
        "weeks": weeks,
        "sessions delivered": delivered,
        "sessions attended": attended,
        "sessions expected": expected,
    }
    for name, value in counts.items():
        if value < 0:
            raise ValueError(f"The number of {name} cannot be negative.")
    if attended > expected:
        raise ValueError("More sessions were attended than the pupil was expected at.")
    planned = sessions_per_week * weeks
    return Dosage(
        planned_sessions=planned,
        delivered_sessions=delivered,
        attendance_rate=attended / expected if expected else None,
        percent_of_plan=100 * delivered / planned if planned else None,
    )


def cost_per_pupil(*, hourly_rate: float, minutes_per_session: int, sessions: int, group_size: int) -> float:
    """Staff cost per pupil: hourly rate x hours per session x sessions, shared across the group.

    Unrounded: the page rounds to pence when it shows it, so totals add up.
    """
    if group_size < 1:
        raise ValueError("A group has at least 1 pupil.")
    if not (math.isfinite(hourly_rate) and hourly_rate >= 0):
        raise ValueError("The hourly rate must be a number, 0 or more.")
    if minutes_per_session < 0 or sessions < 0:
        raise ValueError("Minutes per session and sessions cannot be negative.")
    return hourly_rate * (minutes_per_session / 60) * sessions / group_size


def cost_per_unit_gain(cost: float, gain: float | None) -> float | None:
    """Cost for each unit of gain (a month of reading age, a point of score), or None with no gain.

    A cost per unit of a zero or negative gain would be infinite or negative, and both read as
    nonsense (or worse, as a bargain), so there is no figure at all.
    """
    if gain is None or not gain > 0:  # also refuses NaN
        return None
    return cost / gain


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
