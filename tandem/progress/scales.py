"""Which scale a file's scores are on, decided from the scores when nobody says, with the reason in words.

National norms (mean 100, SD 15) make sense only for standardised scores: on any other scale, a pupil is
compared with national peers who do not exist, and a within-year SD of 66 against a national 15 turns
ordinary ups and downs into "reliable" falls. So the engine uses national norms only for a scale *declared*
standardised (a standardised scale with its norms in the database; `--scale standardised` for a file), or,
for a file with no declaration, for scores that look standardised by every test below. Anything else is
standardised within its cohort (subject x year group x window): the engine's behaviour for a scale without
published norms.

The rule for a subject's scores (all must hold for "standardised"):

- every value lies in 40..160: the widest range any common standardised test reports (most report 69/70 to
  140/141); a value outside it cannot be a standardised score;
- the mean lies in 100 +/- 10 and every cohort of 20 or more pupils has its mean in 100 +/- 15: standardised
  scores are age-standardised, so every year group sits near 100 at every window, while raw marks, reading
  ages and points grow with age; a whole school's year group rarely differs from the nation by more than
  one national SD (a selective school's may: declare the scale);
- the pooled SD within cohorts lies in 10..20: a school's year group is a little narrower or wider than the
  nation's 15, and raw marks (e.g. SD 66) or KS2 scaled scores (about 7) are not.

Otherwise, scores all within 80..120 are called "scaled" (the range of KS2 scaled scores, whose expected
standard is 100 but which have no published SD to compare with) and anything else "raw". Both are compared
within their cohort; the name only tells the reader what the scores looked like. When there are fewer than 20
degrees of freedom within cohorts the SD cannot be judged and the scores are treated as raw: with a class or
two the safe choice is to compare pupils with each other, and a school that knows better declares the scale.

The rule can be fooled (reading ages in months for one year group look standardised: mean near 100, SD near
15): declaring the scale always wins, and the decision is printed with every run so a reader can check it.

Pure numpy: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tandem.progress.settings import ScaleInfo

__all__ = [
    "SCALE_KINDS",
    "ScaleDecision",
    "ScaleKind",
    "decide_scale",
    "decide_scales",
    "declared",
    "scale_info",
]

ScaleKind = Literal["standardised", "scaled", "raw"]
SCALE_KINDS: tuple[ScaleKind, ...] = ("standardised", "scaled", "raw")

NATIONAL_MEAN = 100.0
NATIONAL_SD = 15.0
# Bounds of the rule above, each with its reason there.
VALUE_RANGE = (40.0, 160.0)
MEAN_TOLERANCE = 10.0
COHORT_MEAN_TOLERANCE = 15.0
COHORT_MIN_PUPILS = 20
SD_RANGE = (10.0, 20.0)
SCALED_RANGE = (80.0, 120.0)
MIN_DEGREES_OF_FREEDOM = 20


@dataclass(frozen=True)
class ScaleDecision:
    """The scale a subject's scores are on, and the figures and words behind the decision."""

    kind: ScaleKind
    declared: bool
    mean: float
    within_sd: float  # pooled SD within cohorts; NaN when there are too few pupils to tell
    low: float
    high: float
    reason: str

    @property
    def national_norms(self) -> bool:
        return self.kind == "standardised"

    def describe(self) -> str:
        """'raw, decided from the data: ...' or 'standardised, as declared (...)', for the run's summary."""
        how = "as declared" if self.declared else "decided from the data"
        figures = self.figures()
        if self.declared:
            return f"{self.kind}, {how} ({figures}); {self.reason}"
        return f"{self.kind}, {how}: {figures}; {self.reason}"

    def figures(self) -> str:
        sd = "too few pupils to tell" if np.isnan(self.within_sd) else f"{self.within_sd:.1f}"
        return f"mean {self.mean:.1f}, SD within cohorts {sd}, values {self.low:g} to {self.high:g}"


def _pooled(points: NDArray[np.float64], cohort: NDArray[np.intp]) -> tuple[float, int, NDArray[Any]]:
    """Pooled within-cohort SD, its degrees of freedom, and the means of cohorts big enough to judge."""
    count = np.bincount(cohort)
    total = np.bincount(cohort, weights=points)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    squares = float(np.sum((points - mean[cohort]) ** 2))
    used = count >= 2
    dof = int(np.sum(count[used]) - np.sum(used))
    sd = float(np.sqrt(squares / dof)) if dof > 0 else float("nan")
    return sd, dof, mean[count >= COHORT_MIN_PUPILS]


def decide_scale(points: NDArray[Any], cohort: NDArray[Any]) -> ScaleDecision:
    """The scale one subject's scores look like (see the module's rule); `cohort`: a label per score."""
    points = np.asarray(points, dtype=np.float64)
    if points.size == 0:
        raise ValueError("no scores to decide a scale from")
    _, codes = np.unique(np.asarray(cohort), return_inverse=True)
    sd, dof, cohort_means = _pooled(points, codes.astype(np.intp))
    mean, low, high = float(points.mean()), float(points.min()), float(points.max())
    if dof < MIN_DEGREES_OF_FREEDOM:
        sd = float("nan")

    def decision(kind: ScaleKind, reason: str) -> ScaleDecision:
        return ScaleDecision(kind, False, mean, sd, low, high, reason)

    within = "pupils are compared with their own cohort (subject, year group and window)"
    if np.isnan(sd):
        return decision("raw", f"too few pupils to tell whether they are standardised, so {within}")
    checks = [
        (
            VALUE_RANGE[0] <= low and high <= VALUE_RANGE[1],
            f"values outside {VALUE_RANGE[0]:g}-{VALUE_RANGE[1]:g}",
        ),
        (abs(mean - NATIONAL_MEAN) <= MEAN_TOLERANCE, f"a mean far from {NATIONAL_MEAN:g}"),
        (
            bool(np.all(np.abs(cohort_means - NATIONAL_MEAN) <= COHORT_MEAN_TOLERANCE)),
            "a cohort whose mean is far from 100 (scores that grow with age)",
        ),
        (SD_RANGE[0] <= sd <= SD_RANGE[1], f"an SD far from {NATIONAL_SD:g}"),
    ]
    failed = [words for ok, words in checks if not ok]
    if not failed:
        return decision(
            "standardised",
            "they look like standardised scores, so they are compared with national norms (mean 100, SD 15); "
            "give --scale if they are not",
        )
    kind: ScaleKind = "scaled" if SCALED_RANGE[0] <= low and high <= SCALED_RANGE[1] else "raw"
    return decision(
        kind, f"not standardised scores ({', '.join(failed)}), so {within}; give --scale if they are"
    )


def decide_scales(columns: Mapping[str, NDArray[Any]]) -> dict[str, ScaleDecision]:
    """A decision per subject from a file's columns (subject, points, year_group, window)."""
    subject = np.asarray(columns["subject"])
    decisions: dict[str, ScaleDecision] = {}
    for label in sorted({str(s) for s in subject.tolist()}):
        mask = subject == label
        cohort = np.char.add(
            np.asarray(columns["year_group"])[mask].astype(str),
            np.char.add("|", np.asarray(columns["window"])[mask].astype(str)),
        )
        decisions[label] = decide_scale(np.asarray(columns["points"])[mask], cohort)
    return decisions


def declared(kind: ScaleKind, looked_like: ScaleDecision) -> ScaleDecision:
    """A declared scale, keeping the figures of what the data looked like so a reader can compare them."""
    reason = "the data agree" if kind == looked_like.kind else f"the data look {looked_like.kind}"
    return ScaleDecision(
        kind, True, looked_like.mean, looked_like.within_sd, looked_like.low, looked_like.high, reason
    )


def scale_info(kind: ScaleKind, *, reliability: float) -> ScaleInfo:
    """What the engine is told: published norms for standardised scores only; none (within cohort) else."""
    if kind == "standardised":
        return ScaleInfo.standardised(reliability=reliability)
    return ScaleInfo(name=kind, reliability=reliability)
