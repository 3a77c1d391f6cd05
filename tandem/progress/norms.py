"""Norm models: a pupil's standing among peers who started from the same baseline (Code 6.17(a)).

Each model scores one norm group (a cohort: subject x year group x window x prior windows x reference
population) and returns, per pupil, a growth percentile (1-99), its interval from measurement error, and the
25th/50th/75th percentiles of same-baseline peers' current scores (the band on the pupil's chart).

- `sgp`: Student Growth Percentiles, quantile regression on B-splines of the priors (`tandem.progress.sgp`).
- `prr`: percentile rank of the residual of a least-squares fit on the priors (Castellano & Ho 2013).
- `peer_band`: equal-count bands of the baseline (mean of the priors), percentile rank within the band (the
  DfE's prior-attainment groups).
- `published_norm`: the test's national norms and correlation between sittings, so even one class can be
  compared with national peers.

One percentile convention throughout, the SGP package's: with F the estimated conditional CDF of the current
score given the baseline, percentile = #{j : tau_j < F} for tau_j = (j - 0.5) / 100, i.e. round-half-up of
100 F, clipped to 1..99. Empirical CDFs use mid-ranks, so tied pupils share a percentile.

Interval: the percentile is monotone in the current score, so scoring the current score +/- z SEM (prior
scores held at their observed values) gives an interval that contains the percentile of the pupil's true
current score with the interval's coverage. Prior-score error needs no term of its own: every model conditions
on *observed* priors, whose error is already part of the spread of peers' outcomes. (The SGP package's
standard error, the SD of SGPs over CSEM-perturbed current scores, is the same idea as a standard deviation.)

Pure numpy/scipy; no Django.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr, ndtri

from tandem.progress import splines

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Percentiles of same-baseline peers drawn as the band on the pupil's chart.
CHART_TAUS = (0.25, 0.5, 0.75)
#: Residuals are rounded before ranking so that equal (prior, current) pairs tie exactly, as the SGP package
#: rounds its fitted quantiles to 5 decimals before counting.
_RESIDUAL_DECIMALS = 6


@dataclass(frozen=True)
class Scores:
    """Per pupil of a norm group: percentile, its interval and the chart band (same order as the input)."""

    percentile: NDArray[np.int8]
    low: NDArray[np.int8]
    high: NDArray[np.int8]
    quantiles: FloatArray  # (n, 3): CHART_TAUS of same-baseline peers' current scores, in points


def percentile_from_cdf(cdf: FloatArray) -> NDArray[np.int8]:
    """1..99 from a conditional CDF value: #{j : (j - 0.5)/100 < F}, as the SGP package counts."""
    return np.clip(np.floor(100.0 * np.asarray(cdf) + 0.5), 1, 99).astype(np.int8)


def _scores(cdf: FloatArray, cdf_lo: FloatArray, cdf_hi: FloatArray, quantiles: FloatArray) -> Scores:
    return Scores(
        percentile=percentile_from_cdf(cdf),
        low=percentile_from_cdf(cdf_lo),
        high=percentile_from_cdf(cdf_hi),
        quantiles=quantiles,
    )


# ------------------------------------------------------------------------------ distinct values, weighted
# Scale scores are integers in a short range, so a norm group of 140,000 pupils holds at most a few
# thousand distinct priors and a few tens of thousands of distinct (prior, current) rows. Every model
# works on the distinct rows with their counts as weights, which is exact and several times faster.


def value_codes(column: FloatArray) -> tuple[IntArray, int]:
    """Dense codes of one column's values, in value order, and how many distinct values there are."""
    if column.size and np.all(column == np.rint(column)):
        lo, hi = float(column.min()), float(column.max())
        if hi - lo <= max(4 * column.size, 1 << 16):
            offset = (column - lo).astype(np.int64)
            present = np.zeros(int(hi - lo) + 1, dtype=bool)
            present[offset] = True
            return (np.cumsum(present) - 1)[offset], int(present.sum())
    values, inverse = np.unique(column, return_inverse=True)
    return inverse.astype(np.int64).ravel(), int(values.size)


def distinct(codes: list[tuple[IntArray, int]]) -> tuple[IntArray, IntArray]:
    """(inverse, representative row) of the distinct combinations of several dense code columns.

    Distinct combinations are numbered in lexicographic code order, so the numbering is deterministic.
    """
    n = codes[0][0].size
    combined = np.zeros(n, dtype=np.int64)
    radix = 1
    for column, count in codes:
        if radix * count >= 1 << 62:  # would overflow: renumber what we have first
            _, inverse = np.unique(combined, return_inverse=True)
            combined = inverse.astype(np.int64).ravel()
            radix = int(combined.max()) + 1 if n else 1
        combined = combined * count + column
        radix *= count
    if radix <= max(4 * n, 1 << 20):
        present = np.zeros(radix, dtype=bool)
        present[combined] = True
        inverse = (np.cumsum(present) - 1)[combined]
    else:
        _, inverse = np.unique(combined, return_inverse=True)
        inverse = inverse.astype(np.int64).ravel()
    representative = np.empty(int(inverse.max()) + 1 if n else 0, dtype=np.int64)
    representative[inverse] = np.arange(n)
    return inverse, representative


def _weighted_ranks(
    segment: IntArray | None,
    value: FloatArray,
    weight: FloatArray,
    delta: FloatArray | float | None,
    n_segments: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Weighted mid-rank CDF within segments of `value`, `value - delta`, `value + delta` (per item), and the
    CHART_TAUS quantiles (numpy "linear" on the expanded data) of each segment, shape (n_segments, 3).

    One float sort for all segments: keys are `segment * span + value`, with `span` wide enough that a value
    shifted by +/- delta never leaves its segment. Queries are looked up in sorted order (numpy's binary
    search reuses its last position when the queries are sorted) and scattered back.
    """
    d = value.size
    shift = 0.0 if delta is None else delta
    margin = float(np.max(shift)) + 1.0 if d else 1.0
    single = segment is None or n_segments == 1
    if single:
        seg = np.zeros(d, dtype=np.int64)
        key = value
    else:
        assert segment is not None
        seg = segment
        lo = float(value.min()) - margin
        span = float(value.max()) + margin - lo + 1.0
        key = seg * span + (value - lo)
    # Within one segment the keys are the values, and every figure below depends on the sorted keys and on
    # weight sums over runs of equal keys only (exact: weights are counts), never on the order of tied
    # items, so the faster unstable sort gives the same results. Segment keys can in principle round
    # together, so they keep the stable sort.
    order = np.argsort(key, kind=None if single else "stable")
    sorted_keys = key[order]
    sorted_seg = seg[order]
    cum = np.concatenate([[0.0], np.cumsum(weight[order])])
    seg_total = np.bincount(seg, weights=weight, minlength=n_segments)
    seg_first = np.searchsorted(sorted_seg, np.arange(n_segments), side="left")
    seg_base = cum[seg_first]
    base = seg_base[sorted_seg]
    twice_total = 2.0 * seg_total[sorted_seg]

    new_run = np.ones(d, dtype=bool)
    new_run[1:] = sorted_keys[1:] != sorted_keys[:-1]
    run_start = np.flatnonzero(new_run)
    run_id = np.cumsum(new_run) - 1
    run_end = np.append(run_start[1:], d)
    own = (cum[run_start[run_id]] + cum[run_end[run_id]] - 2.0 * base) / twice_total

    def shifted(by: FloatArray | float) -> FloatArray:
        query = sorted_keys + by
        left = cum[np.searchsorted(sorted_keys, query, side="left")]
        right = cum[np.searchsorted(sorted_keys, query, side="right")]
        return (left + right - 2.0 * base) / twice_total

    cdf = np.empty(d)
    cdf[order] = own
    cdf_lo = cdf_hi = cdf
    if delta is not None:
        by = delta[order] if isinstance(delta, np.ndarray) else delta
        cdf_lo = np.empty(d)
        cdf_lo[order] = shifted(-by)
        cdf_hi = np.empty(d)
        cdf_hi[order] = shifted(by)

    # Quantiles: expanded (0-based) position tau (N - 1) inside each segment, linear interpolation.
    sorted_values = value[order]
    taus = np.asarray(CHART_TAUS)
    position = seg_base[:, None] + taus[None, :] * np.maximum(seg_total[:, None] - 1.0, 0.0)
    below = np.floor(position)
    last = (seg_base + np.maximum(seg_total, 1.0) - 1.0)[:, None]
    above = np.minimum(below + 1.0, last)

    def value_at(expanded: FloatArray) -> FloatArray:
        item = np.clip(np.searchsorted(cum, expanded, side="right") - 1, 0, max(d - 1, 0))
        out: FloatArray = sorted_values[item] if d else np.full(expanded.shape, np.nan)
        return out

    v0 = value_at(below)
    quantiles = v0 + (position - below) * (value_at(above) - v0)
    return cdf, cdf_lo, cdf_hi, quantiles


def weighted_quantiles(values: FloatArray, weights: FloatArray, probs: Sequence[float]) -> FloatArray:
    """numpy "linear" (R type 7) quantiles of `values` repeated `weights` times."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    cum = np.concatenate([[0.0], np.cumsum(weights[order])])
    total = cum[-1]
    position = np.asarray(probs) * max(total - 1.0, 0.0)
    below = np.floor(position)
    above = np.minimum(below + 1.0, total - 1.0)

    def value_at(expanded: FloatArray) -> FloatArray:
        out: FloatArray = sorted_values[
            np.clip(np.searchsorted(cum, expanded, side="right") - 1, 0, values.size - 1)
        ]
        return out

    v0 = value_at(below)
    out: FloatArray = v0 + (position - below) * (value_at(above) - v0)
    return out


# ---------------------------------------------------------------------------------------------- peer bands
def band_count(n: int, *, min_size: int, max_bands: int) -> int:
    """Equal-count bands: as many as keep at least `min_size` pupils each, between 2 and `max_bands`."""
    return int(min(max_bands, max(2, n // min_size)))


def peer_band_scores(
    *, group: IntArray, priors: FloatArray, current: FloatArray, delta: FloatArray, n_bands: IntArray
) -> tuple[Scores, list[dict[str, Any]]]:
    """Percentile rank of the current score among pupils of the same norm group and baseline band.

    Many norm groups at once (`group` codes 0..G-1, `n_bands` per group): one segmented sort for all.
    The baseline is the mean of the prior scores. Bands are equal-count by mid-rank of the baseline within
    the group, so pupils with the same baseline are always in the same band (a tie never straddles an edge).
    """
    n_groups = int(n_bands.size)
    baseline = priors.mean(axis=1)
    base_pair, base_rep = distinct([(group, n_groups), value_codes(baseline)])
    base_weight = np.bincount(base_pair).astype(np.float64)
    base_group = group[base_rep]
    base_cdf = _weighted_ranks(base_group, baseline[base_rep], base_weight, None, n_groups)[0]
    bands_of = n_bands[base_group]
    band = np.minimum(np.floor(bands_of * base_cdf), bands_of - 1).astype(np.int64)[base_pair]
    offset = np.concatenate([[0], np.cumsum(n_bands)[:-1]]).astype(np.int64)
    segment = offset[group] + band
    n_segments = int(n_bands.sum())

    pair, rep = distinct([(segment, n_segments), value_codes(current)])
    weight = np.bincount(pair).astype(np.float64)
    cdf, cdf_lo, cdf_hi, seg_quantiles = _weighted_ranks(
        segment[rep], current[rep], weight, delta[rep], n_segments
    )
    scores = Scores(
        percentile=percentile_from_cdf(cdf)[pair],
        low=percentile_from_cdf(cdf_lo)[pair],
        high=percentile_from_cdf(cdf_hi)[pair],
        quantiles=seg_quantiles[segment],
    )
    seg_sizes = np.bincount(segment, minlength=n_segments)
    seg_top = np.full(n_segments, -np.inf)
    np.maximum.at(seg_top, segment, baseline)
    params = [
        {
            "bands": int(n_bands[g]),
            "band_sizes": seg_sizes[offset[g] : offset[g] + n_bands[g]].tolist(),
            "band_upper_baseline": [
                float(v) if np.isfinite(v) else None for v in seg_top[offset[g] : offset[g] + n_bands[g]]
            ],
        }
        for g in range(n_groups)
    ]
    return scores, params


# ---------------------------------------------------------------------------- percentile rank of residuals
def _spline_spec(distinct_priors: FloatArray, weights: FloatArray) -> splines.SplineSpec:
    """Knots at the 20/40/60/80% quantiles and boundaries at the range +/- 10%, as the SGP package places
    them (`tandem.progress.splines.knots_boundaries`), from distinct priors and their counts."""
    pairs = [splines.knots_boundaries(column, weights) for column in distinct_priors.T]
    return splines.SplineSpec(knots=tuple(k for k, _ in pairs), boundaries=tuple(b for _, b in pairs))


@dataclass(frozen=True)
class PairScores:
    """`Scores` held per distinct (priors, current) row: `pair` gives each pupil's distinct row, and every
    figure is a function of it. Scattering one code per pupil and looking the figures up later, in row
    order, moves far fewer bytes at random than scattering six columns per norm group."""

    pair: IntArray  # per pupil: index into the tables below
    percentile: NDArray[np.int8]
    low: NDArray[np.int8]
    high: NDArray[np.int8]
    quantiles: FloatArray  # (pairs, 3), in points

    def expand(self) -> Scores:
        """Per pupil, as `Scores`."""
        return Scores(
            percentile=self.percentile[self.pair],
            low=self.low[self.pair],
            high=self.high[self.pair],
            quantiles=self.quantiles[self.pair],
        )


def prr_scores(
    *, priors: FloatArray, current: FloatArray, delta: float, spline: bool
) -> tuple[Scores, dict[str, Any]]:
    """Percentile rank of the residual from a least-squares fit of the current score on the priors.

    Linear in the priors for small groups; the SGP's cubic B-spline of each prior for larger ones. Pupils
    with the same priors get the same fitted value, so a higher current score never ranks lower. The fit
    solves the normal equations over distinct prior rows weighted by their counts, which is exact.
    """
    pair_scores, params = prr_pair_scores(priors=priors, current=current, delta=delta, spline=spline)
    return pair_scores.expand(), params


@dataclass(frozen=True)
class DistinctRows:
    """A norm group's distinct (priors, current) rows ("pairs") and distinct prior rows ("combos").

    Both are numbered in lexicographic order of their values (oldest prior first, current score last), so
    the numbering does not depend on how the rows were found.
    """

    pair: IntArray  # per pupil: their pair
    weight: FloatArray  # per pair: pupils
    pair_combo: IntArray  # per pair: its combo
    current: FloatArray  # per pair: the current score
    priors: FloatArray  # (combos, k): the prior scores, oldest first
    combo_weight: FloatArray  # per combo: pupils
    combo_total: FloatArray  # per combo: sum of its pupils' current scores
    n: int  # pupils


def distinct_rows(priors: FloatArray, current: FloatArray) -> DistinctRows:
    """`DistinctRows` of (n, k) priors and n current scores, any values."""
    combo, combo_rep = distinct([value_codes(column) for column in priors.T])
    n_combos = combo_rep.size
    pair, rep = distinct([(combo, n_combos), value_codes(current)])
    return DistinctRows(
        pair=pair,
        weight=np.bincount(pair).astype(np.float64),
        pair_combo=combo[rep],
        current=current[rep],
        priors=priors[combo_rep],
        combo_weight=np.bincount(combo, minlength=n_combos).astype(np.float64),
        combo_total=np.bincount(combo, weights=current, minlength=n_combos).astype(np.float64, copy=False),
        n=current.size,
    )


def distinct_rows_of_keys(
    keys: NDArray[np.signedinteger[Any]], *, order: int, radix: int, lo: float
) -> DistinctRows:
    """`DistinctRows` from one integer key per pupil: sum over j of (score j sittings back - lo) radix**j,
    for j = 0 (the current score) to `order`, of scores that are whole numbers from `lo` to lo + radix - 1.

    The same numbers as `distinct_rows` of the scores, from one pass over the pupils instead of about
    thirty: pairs are the distinct keys in key order, which is the lexicographic order of the values.
    Sums of whole numbers are exact in any order (while below 2**53, which the caller checks), so totals
    summed per pair equal those summed per pupil bit for bit.
    """
    size = radix ** (order + 1)
    if size <= 4 * keys.size + (1 << 16):
        present = np.zeros(size, dtype=bool)
        present[keys] = True
        pair_keys = np.flatnonzero(present)
        rank: IntArray = np.cumsum(present, dtype=np.int32 if size < np.iinfo(np.int32).max else np.int64)
        rank -= 1
        pair: IntArray = rank[keys]
    else:  # a small group among many possible keys: sorting its keys is cheaper than a table of them all
        pair_keys, inverse = np.unique(keys, return_inverse=True)
        pair = inverse.ravel()
    weight = np.bincount(pair, minlength=pair_keys.size).astype(np.float64)
    prior_keys, current_digit = np.divmod(pair_keys, radix)
    current = current_digit + lo
    new_combo = np.ones(pair_keys.size, dtype=bool)
    new_combo[1:] = prior_keys[1:] != prior_keys[:-1]
    pair_combo = np.cumsum(new_combo) - 1
    combo_keys = prior_keys[new_combo]
    priors = np.empty((combo_keys.size, order), dtype=np.float64)
    rest = combo_keys
    for j in range(order - 1, -1, -1):  # column order - 1 is the latest prior, the lowest digit
        rest, digit = np.divmod(rest, radix)
        priors[:, j] = digit + lo
    n_combos = combo_keys.size
    return DistinctRows(
        pair=pair,
        weight=weight,
        pair_combo=pair_combo,
        current=current,
        priors=priors,
        combo_weight=np.bincount(pair_combo, weights=weight, minlength=n_combos).astype(
            np.float64, copy=False
        ),
        combo_total=np.bincount(pair_combo, weights=weight * current, minlength=n_combos).astype(
            np.float64, copy=False
        ),
        n=keys.size,
    )


def prr_pair_scores(
    *, priors: FloatArray, current: FloatArray, delta: float, spline: bool
) -> tuple[PairScores, dict[str, Any]]:
    """`prr_scores` per distinct (priors, current) row."""
    return prr_distinct_scores(distinct_rows(priors, current), delta=delta, spline=spline)


def prr_distinct_scores(
    rows: DistinctRows, *, delta: float, spline: bool
) -> tuple[PairScores, dict[str, Any]]:
    """`prr_pair_scores` of a norm group's `DistinctRows`."""
    distinct_priors = rows.priors
    n_combos = distinct_priors.shape[0]
    combo_weight, combo_total = rows.combo_weight, rows.combo_total
    spec: splines.SplineSpec | None = None
    if spline:
        spec = _spline_spec(distinct_priors, combo_weight)
        design = splines.design_matrix(spec, priors=distinct_priors)
    else:
        design = np.column_stack([np.ones(n_combos), distinct_priors])
    gram = design.T @ (design * combo_weight[:, None])
    coef, *_ = np.linalg.lstsq(gram, design.T @ combo_total, rcond=None)
    fitted = design @ coef

    pair, weight, pair_combo = rows.pair, rows.weight, rows.pair_combo
    residual = np.round(rows.current - fitted[pair_combo], _RESIDUAL_DECIMALS)
    cdf, cdf_lo, cdf_hi, quantiles = _weighted_ranks(None, residual, weight, delta, 1)
    dof = rows.n - design.shape[1]
    sse = float(np.sum(weight * residual * residual))
    params: dict[str, Any] = {
        "design": "spline" if spec is not None else "linear",
        "coefficients": coef.tolist(),
        "residual_sd": float(np.sqrt(sse / dof)) if dof > 0 else None,
    }
    if spec is not None:
        params["spline"] = spec.to_dict()
    chart = fitted[:, None] + quantiles[0][None, :]
    scores = PairScores(
        pair=pair,
        percentile=percentile_from_cdf(cdf),
        low=percentile_from_cdf(cdf_lo),
        high=percentile_from_cdf(cdf_hi),
        quantiles=chart[pair_combo],
    )
    return scores, params


# ---------------------------------------------------------------------------------------- published norms
def published_scores(
    *,
    prior_z: FloatArray,
    order: IntArray,
    current_z: FloatArray,
    delta_z: FloatArray,
    retest_r: FloatArray,
    norm_mean: FloatArray,
    norm_sd: FloatArray,
) -> Scores:
    """Conditional standing from published norms (national mean, SD) and the correlation between sittings.

    Classical parallel-test model on the national z scale: z_w = T + e_w, Var(T) = rho, Var(e_w) = 1 - rho,
    so any two sittings correlate rho. Given the mean m of the pupil's k prior z scores,
    E[z_t | m] = beta m and Var[z_t | m] = 1 - rho beta, beta = rho / (rho + (1 - rho) / k). For k = 1 this
    is z_cond = (z_t - rho z_{t-1}) / sqrt(1 - rho^2). `prior_z` is (n, K) with NaN beyond each pupil's order.
    """
    k = order.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.nansum(prior_z, axis=1) / k
        beta = retest_r / (retest_r + (1.0 - retest_r) / k)
        centre = beta * m
        spread = np.sqrt(1.0 - retest_r * beta)
        cdf = ndtr((current_z - centre) / spread)
        cdf_lo = ndtr((current_z - delta_z - centre) / spread)
        cdf_hi = ndtr((current_z + delta_z - centre) / spread)
        quantiles = norm_mean[:, None] + norm_sd[:, None] * (
            centre[:, None] + spread[:, None] * ndtri(np.asarray(CHART_TAUS))[None, :]
        )
    return _scores(cdf, cdf_lo, cdf_hi, quantiles)


# ---------------------------------------------------------------------------------- growth percentiles
_SGP_MODULE: ModuleType | None = None
_SGP_CHECKED = False


def sgp_module() -> ModuleType | None:
    """`tandem.progress.sgp` if it is installed, else None (the engine then uses PRR for large cohorts)."""
    global _SGP_MODULE, _SGP_CHECKED
    if not _SGP_CHECKED:
        try:
            _SGP_MODULE = importlib.import_module("tandem.progress.sgp")
        except ImportError:
            _SGP_MODULE = None
        _SGP_CHECKED = True
    return _SGP_MODULE


def sgp_scores(
    *,
    priors: FloatArray,
    current: FloatArray,
    delta: float,
    fit_rows: NDArray[np.bool_],
    spec: splines.SplineSpec | None = None,
) -> tuple[Scores, dict[str, Any]]:
    """Student Growth Percentiles: fit on `fit_rows` of the norm group, score every pupil of it.

    `spec`: the knots and boundaries (stacked per subject and grade, or published); None: from the priors of
    the pupils fitted on. They are stored in the parameters with the coefficients (`model.spec`).

    Scoring runs once per distinct (priors, current) row and the chart quantiles once per distinct priors.
    """
    sgp = sgp_module()
    if sgp is None:  # pragma: no cover - the engine checks first
        raise RuntimeError("tandem.progress.sgp is not available")
    model = sgp.fit_growth_model(priors=priors[fit_rows], current=current[fit_rows], spec=spec)
    combo, combo_rep = distinct([value_codes(column) for column in priors.T])
    pair, rep = distinct([(combo, combo_rep.size), value_codes(current)])
    p_rows, y_rows = priors[rep], current[rep]
    percentile = np.asarray(sgp.growth_percentiles(model, priors=p_rows, current=y_rows))
    low = np.asarray(sgp.growth_percentiles(model, priors=p_rows, current=y_rows - delta))
    high = np.asarray(sgp.growth_percentiles(model, priors=p_rows, current=y_rows + delta))
    chart = np.asarray(
        sgp.predicted_quantiles(model, priors[combo_rep], np.asarray(CHART_TAUS)), dtype=np.float64
    ).reshape(combo_rep.size, len(CHART_TAUS))
    params = model.to_dict() if hasattr(model, "to_dict") else {}
    params = {"fitted_on": int(np.count_nonzero(fit_rows)), "model": params}
    return (
        Scores(
            percentile=np.clip(percentile, 1, 99).astype(np.int8)[pair],
            low=np.clip(low, 1, 99).astype(np.int8)[pair],
            high=np.clip(high, 1, 99).astype(np.int8)[pair],
            quantiles=chart[combo],
        ),
        params,
    )


def stable_hash(labels: NDArray[Any]) -> NDArray[np.uint64]:
    """A 64-bit hash of each pupil label that depends on the label alone (not on row order or on who else
    is in the data), to pick the pupils an SGP model is fitted on."""
    arr = np.asarray(labels)
    with np.errstate(over="ignore"):
        if arr.dtype.kind in "iu":
            h = arr.astype(np.uint64)
        else:
            raw = np.strings.encode(arr.astype(np.dtypes.StringDType()), "utf-8")
            width = raw.dtype.itemsize
            codes = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(-1, width) if width else None
            h = np.full(arr.size, 0xCBF29CE484222325, dtype=np.uint64)  # FNV-1a over the UTF-8 bytes
            if codes is not None:
                for column in codes.T:
                    h ^= column.astype(np.uint64)
                    h *= np.uint64(0x100000001B3)
        # splitmix64 finaliser: spreads consecutive integer ids over the whole range.
        h = h + np.uint64(0x9E3779B97F4A7C15)
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        out: NDArray[np.uint64] = h ^ (h >> np.uint64(31))
    return out


def fit_sample(hashes: NDArray[np.uint64], limit: int | None) -> NDArray[np.bool_]:
    """Rows to fit on: all, or the `limit` rows with the smallest label hashes (deterministic)."""
    if limit is None or hashes.size <= limit:
        return np.ones(hashes.size, dtype=bool)
    keep = np.zeros(hashes.size, dtype=bool)
    keep[np.argpartition(hashes, limit - 1)[:limit]] = True
    return keep
