"""Settings of the Code 6.17 "less than expected progress" engine, and what it needs to know about a scale.

The SEND Code of Practice sets no thresholds: every number here is a Tandem default that a school or trust may
change, and each carries the reason it was chosen (analytics reference, sections 1, 4, 7 and 8). A run stores
`ProgressSettings.to_dict()` beside its results, so any figure can be traced to the rules that produced it.

Pure Python: no Django, no numpy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

__all__ = ["REFERENCE_POPULATIONS", "ProgressSettings", "ReferencePopulation", "ScaleInfo"]

ReferencePopulation = Literal["school", "trust", "published"]
REFERENCE_POPULATIONS: tuple[ReferencePopulation, ...] = ("school", "trust", "published")


@dataclass(frozen=True)
class ScaleInfo:
    """What the engine must know about the scale a subject's points are on.

    A standardised test (mean 100, SD 15 nationally) has published norms: `norm_mean` and `norm_sd` set.
    A school's own scale (teacher-assessment points, a reading age) has none: leave them as None and the
    engine compares pupils with local peers only.
    """

    name: str = "standardised"
    norm_mean: float | None = None
    """National mean of the published norms (100 for a standardised score); None if the scale has none."""
    norm_sd: float | None = None
    """National SD of the published norms (15 for a standardised score)."""
    reliability: float | None = None
    """Reliability of one sitting (e.g. the publisher's Cronbach's alpha); None: the settings' default."""
    sem: float | None = None
    """Standard error of measurement in points, if the publisher gives one; it wins over the reliability."""
    retest_r: float | None = None
    """Correlation between two sittings, for published-norm growth; None: the reliability (an upper bound)."""
    expected: float | None = None
    """An "expected standard" in points (e.g. 100 for a KS2 scaled score); None if the scale has none."""
    norm_sample_n: int | None = None
    """Size of the publisher's standardisation sample, shown as the norm-group size; None: unknown."""

    def __post_init__(self) -> None:
        if (self.norm_mean is None) != (self.norm_sd is None):
            raise ValueError("published norms need both a mean and an SD")
        if self.norm_sd is not None and not self.norm_sd > 0:
            raise ValueError("the norm SD must be positive")
        for name in ("reliability", "retest_r"):
            value = getattr(self, name)
            if value is not None and not 0 < value < 1:
                raise ValueError(f"{name} must lie strictly between 0 and 1")
        if self.sem is not None and not self.sem > 0:
            raise ValueError("the SEM must be positive")

    @classmethod
    def standardised(
        cls, *, reliability: float = 0.9, retest_r: float | None = None, name: str = "standardised"
    ) -> ScaleInfo:
        """A standardised score: national mean 100, SD 15 (e.g. NFER, GL and Renaissance tests)."""
        return cls(name=name, norm_mean=100.0, norm_sd=15.0, reliability=reliability, retest_r=retest_r)

    @property
    def has_norms(self) -> bool:
        """True when the scale has published norms, so even one class can be compared nationally."""
        return self.norm_mean is not None and self.norm_sd is not None

    def reliability_or(self, default: float) -> float:
        """The reliability to use: the scale's own, else the one implied by its SEM and SD, else `default`."""
        if self.reliability is not None:
            return self.reliability
        if self.sem is not None and self.norm_sd is not None and self.sem < self.norm_sd:
            return 1.0 - (self.sem / self.norm_sd) ** 2
        return default

    def sem_points(self, default_reliability: float) -> float | None:
        """SEM in points when it can be known without the data; None: derive it from the peers' SD."""
        if self.sem is not None:
            return self.sem
        if self.norm_sd is not None:
            return self.norm_sd * math.sqrt(1.0 - self.reliability_or(default_reliability))
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScaleInfo:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class ProgressSettings:
    """Thresholds, tolerances and data-sufficiency rules for the four Code 6.17 criteria.

    Criteria (analytics reference, section 1): (a) slower than peers from the same baseline, (b) slower than
    the pupil's own previous rate, (c) fails to close the gap to peers, (d) widens it.
    """

    # ------------------------------------------------------------------ (a) peers from the same baseline
    growth_threshold: int = 20
    """(a) flags a growth percentile *below* this. 20 is stricter than the growth literature's "low" (below
    35, Colorado Growth Model): a flag should mean the bottom fifth of same-baseline peers, not a third."""
    growth_significance: float = 0.05
    """Two-sided level of the percentile's interval (0.05: a 95% interval, current score +/- 1.96 SEM).
    "Significantly slower" (Code 6.17(a)) = even the upper end of that interval is below the threshold."""

    # ------------------------------------------------------------------ tolerances (b), (c), (d)
    rci_z: float = 1.96
    """Reliable change for (c) and for the "was behind" test: a change counts only if |change| / S_diff >
    1.96 (Jacobson & Truax 1991), i.e. a change that measurement error alone would produce less than 5% of
    the time. (b) and (d) have their own, stricter critical values (own_rate_z, widening_z) because together
    with (a) they must keep false alarms at or below 3% (see own_rate_z)."""
    own_rate_z: float = 2.576
    """(b) flags a fall in the rate of progress only beyond 2.576 standard errors (one-sided 0.5%). The
    false-alarm budget for a pupil progressing exactly like peers is 3% for (a), (b) and (d) together: (b)
    takes 0.5% and (d) 2 x 1% (a Bonferroni bound of 2.5%), and (a) about 0.7% at reliability 0.9, mostly on
    the same pupils. Measured on simulated standardised scores (reliability 0.9, 12,000 pupils, 9 termly
    windows), the union flags 2.6% of pupils in the last window and at most 2.7% in any window
    (tests/progress/test_calibration.py). (b) gets the smallest share because a change of rate is a
    difference of two slopes, so it has the least power per unit of budget."""
    widening_z: float = 2.326
    """(d) runs two tests, each one-sided at 1% (2.326 standard errors): the mean gap over the last two
    windows against the mean over the earlier ones (catches a slowdown over the last few terms), and the
    least-squares trend of the gap over every window up to long_gap_horizon (catches a gap that widens a
    little every term). Together 2% of the 3% budget (see own_rate_z)."""
    behind_gap_z: float = -0.84
    """(c) "behind peers" means the gap z at the previous window is below this *by more than measurement
    error* (z + rci_z * SEM_z < behind_gap_z). -0.84 SD is the edge of the lowest-attaining 20% of the
    cohort (the group Ofsted asks schools to track): with 0 (any pupil below the mean) (c) flagged about
    23% of the demo's pupils who had no planted pattern, too many for a SENCo to act on; -0.84 keeps (c)
    for pupils with a real attainment gap. 0 follows the Code's words most literally."""

    # ------------------------------------------------------------------ data sufficiency
    min_windows_growth: int = 2
    """Windows a pupil needs in a subject for (a), (c) and (d): the current one and at least one before it."""
    min_windows_rate: int = 3
    """Windows needed for (b): a rate this interval and at least one earlier rate to compare it with."""
    max_prior_order: int = 2
    """Most earlier scores the residual-rank, peer-band and published-norm models condition on. Two priors
    halve the measurement error in the baseline compared with one, so a pupil whose decline began a term ago
    is still compared with pupils who started where they did; for these smaller norm groups more than two
    adds little and shrinks the groups. Growth percentiles have their own limit, `sgp_max_prior_order`."""
    sgp_max_prior_order: int = 4
    """Most earlier scores a growth-percentile (SGP) model conditions on. As the SGP method does, every order
    the pupil's consecutive earlier scores allow is fitted (1, 2, ... up to this), each order's percentile
    is kept (columns sgp_order_1 ... sgp_order_4) and the highest is reported. 4 is what five windows of
    data allow, and with it Tandem reports the same order as the SGP package (stopping at 2 reported a
    different, lower-order percentile for most pupils with a longer history). At most 4: each order adds
    seven spline columns to every fit."""
    rate_recent_intervals: int = 2
    """(b)'s recent rate is the least-squares slope of the gap over up to this many latest intervals (three
    windows): a slowdown usually shows over two terms, and a slope over three windows has 40% less error
    than one interval's change; more would dilute a slowdown that began two terms ago."""
    rate_lookback_intervals: int = 3
    """(b) compares the recent rate with the least-squares rate over up to this many intervals before it
    (three termly intervals = about a school year). More intervals make the previous rate less noisy."""
    long_gap_horizon: int | None = 8
    """(d) looks back over up to this many intervals: nine termly windows = three school years. A gap that
    widens by 2 points a term is never beyond measurement error in one interval, but its least-squares
    trend over nine windows has a standard error of 0.6 points a term, so it is caught; the baseline of
    the level test is the mean of up to seven earlier windows, not one noisy score. None: only the last
    interval (the gap now against the previous window)."""
    gap_recent_windows: int = 2
    """(d)'s level test compares the mean gap over this many latest windows (at most half the pupil's
    windows) with the mean over the earlier ones: two, because a slowdown spread over the last two or three
    terms shows in both, and averaging two scores halves their error variance."""
    min_windows_trend: int = 4
    """Fewest windows for (d)'s trend test: with three or fewer a slope says little more than the level
    test, and would spend false-alarm budget for almost no power."""

    # ------------------------------------------------------------------ norm models
    reference_population: ReferencePopulation = "trust"
    """Whom a pupil is compared with: "school" (own school's cohort), "trust" (every school in the run) or
    "published" (the test's national norms; falls back to the trust for scales without norms)."""
    use_sgp: bool = True
    """Use Student Growth Percentiles (quantile regression) when the cohort is large enough."""
    sgp_min_n: int = 1000
    """Smallest norm group for SGPs: 100 quantile regressions need about 10 pupils per percentile, and the
    analytics reference (section 4) recommends PRR or peer bands below roughly 1-2k pupils."""
    sgp_max_fit_n: int | None = None
    """None: SGP models are fitted on every pupil of the cohort, as the SGP package does by default, so
    Tandem's percentiles are the SGP method's (bench/growth_sgp.py: 100% identical; with a 5,000-pupil
    sample, 57% identical on cohorts of 5,800). A number fits on at most that many pupils (chosen by a hash
    of the pupil id, so deterministic and independent of row order) and applies the model to every pupil:
    the package's `max.n.for.coefficient.matrices`, for national runs, where an order-2 fit on 140,000
    pupils takes minutes and 5,000 put a fitted 20th percentile within about 0.6 points (binomial SE)."""
    prr_min_n: int = 100
    """Smallest norm group for the percentile rank of residuals (PRR, analytics section 4): with 100 pupils
    the 20th percentile of the residuals rests on 20 of them."""
    prr_spline_min_n: int = 500
    """Below this many pupils PRR regresses on the prior scores linearly; from it, on the SGP's cubic
    B-spline of each prior (1 + 7k columns need about 20 pupils per column not to chase noise)."""
    band_min_n: int = 30
    """Smallest norm group for peer bands; below it a percentile moves by 3+ points per pupil."""
    band_min_size: int = 10
    """Fewest pupils per peer band: a band of 10 still resolves its bottom fifth (2 pupils)."""
    max_bands: int = 20
    """Most peer bands (equal-count bands of the prior score, as the DfE's prior-attainment groups): 20."""
    gap_min_peers: int = 30
    """Fewest pupils in a cohort, subject and window for the gap to be measured against peers; a smaller
    cohort's mean and SD are too noisy, so the gap is measured against published norms when the scale
    has them (and is "not enough data" when it does not)."""
    default_reliability: float = 0.9
    """Reliability assumed when a scale gives neither a reliability nor an SEM: 0.9 is typical of published
    standardised tests; teacher assessment is likely less reliable, so set it per scale where known. A scale
    without a published SD takes the SD of its peers at that window, so its SEM is SD_peers sqrt(1 - r)."""

    def __post_init__(self) -> None:
        if not 1 <= self.growth_threshold <= 99:
            raise ValueError("the growth threshold is a percentile between 1 and 99")
        if not 0 < self.growth_significance < 1:
            raise ValueError("the significance level must lie strictly between 0 and 1")
        if self.rci_z <= 0:
            raise ValueError("the reliable-change z must be positive")
        if self.min_windows_growth < 2 or self.min_windows_rate < 3:
            raise ValueError("growth needs at least 2 windows and a rate comparison at least 3")
        if self.max_prior_order < 1 or self.rate_lookback_intervals < 1:
            raise ValueError("the prior order and the rate look-back must be at least 1")
        if not 1 <= self.sgp_max_prior_order <= 4:
            raise ValueError("the growth-percentile prior order must be between 1 and 4")
        if self.long_gap_horizon is not None and self.long_gap_horizon < 2:
            raise ValueError("the long gap horizon must be at least 2 intervals (or None)")
        if self.own_rate_z <= 0 or self.widening_z <= 0:
            raise ValueError("the critical values of (b) and (d) must be positive")
        if self.rate_recent_intervals < 1 or self.gap_recent_windows < 1 or self.min_windows_trend < 3:
            raise ValueError("recent rates and levels need at least 1 interval, a trend at least 3 windows")
        if self.reference_population not in REFERENCE_POPULATIONS:
            raise ValueError(f"reference population must be one of {REFERENCE_POPULATIONS}")
        if self.band_min_size < 2 or self.max_bands < 2 or self.band_min_n < 2 * self.band_min_size:
            raise ValueError("peer bands need at least 2 bands of at least 2 pupils")
        if not 0 < self.default_reliability < 1:
            raise ValueError("the default reliability must lie strictly between 0 and 1")
        if self.sgp_max_fit_n is not None and self.sgp_max_fit_n < self.sgp_min_n:
            raise ValueError("the SGP fitting sample cannot be smaller than the SGP minimum")

    @property
    def growth_interval_z(self) -> float:
        """Normal quantile for the percentile's interval (1.96 at the default 0.05)."""
        from statistics import NormalDist

        return NormalDist().inv_cdf(1.0 - self.growth_significance / 2.0)

    @property
    def deepest_history(self) -> int:
        """How many earlier windows any criterion looks back at."""
        return max(
            self.max_prior_order,
            self.rate_recent_intervals + self.rate_lookback_intervals,
            self.long_gap_horizon or 1,
            self.min_windows_growth - 1,
            self.min_windows_rate - 1,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values, stored with every run."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProgressSettings:
        """Inverse of `to_dict`; unknown keys (from a newer version) are ignored, missing ones default."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


# Settings a school or trust may change from the settings page; the rest are method details kept at their
# documented defaults (they can still be set for a whole run from code).
EDITABLE_SETTINGS: tuple[str, ...] = (
    "growth_threshold",
    "growth_significance",
    "rci_z",
    "behind_gap_z",
    "reference_population",
    "rate_lookback_intervals",
    "long_gap_horizon",
    "use_sgp",
)


def setting_reasons() -> dict[str, str]:
    """Each setting's documented reason: the docstring under its field above, so code and page agree."""
    import ast
    import inspect
    import itertools

    tree = ast.parse(inspect.getsource(ProgressSettings))
    reasons: dict[str, str] = {}
    body = tree.body[0].body  # type: ignore[attr-defined]
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            reasons[node.target.id] = " ".join(following.value.value.split())
    return reasons


def settings_with(base: ProgressSettings, overrides: Mapping[str, Any]) -> ProgressSettings:
    """`base` with the given fields replaced; raises ValueError (with the reason) for a bad combination."""
    unknown = set(overrides) - {f.name for f in fields(ProgressSettings)}
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    return ProgressSettings(**{**base.to_dict(), **overrides})
