"""Gaps to peers and reliable change: the arithmetic behind Code 6.17 criteria (b), (c) and (d).

All functions are vectorised over rows; none knows about pupils, cohorts or Django.

Standard errors (Jacobson & Truax 1991; analytics reference, section 7). Write s_w for the standard error of
measurement of the gap z at window w, in z units: the test's SEM in points divided by the SD the gap is
measured in (the peers' SD, or the published norm SD). Errors of different sittings are independent, so

- a gap change over one interval, z_t - z_{t-1}, has S = sqrt(s_t^2 + s_{t-1}^2); with equal SDs this is
  Jacobson & Truax's S_diff = SD sqrt(2) sqrt(1 - r) in points;
- a change of rate (criterion (b)), d = (z_t - z_p1) - (z_p1 - z_pL) / L, is a difference of two differences
  that *share* z_p1, which enters with coefficient -(1 + 1/L). Its error variance is
  s_t^2 + (1 + 1/L)^2 s_p1^2 + s_pL^2 / L^2, i.e. S = s sqrt(6) = sqrt(3) S_diff for L = 1 and equal errors,
  not sqrt(2) S_diff: the shared middle score counts twice. Averaging the previous rate over L = 3 intervals
  brings it down to s sqrt(26/9) (about 1.7 s).

Criteria (b) and (d) use every window the pupil has (up to a horizon), not one interval: each is a linear
contrast sum_j w_j z_{t-j} of the gaps at this and earlier windows, with weights from `level_weights`,
`slope_weights` and `rate_weights` that depend only on how many windows the pupil has. With independent
errors its standard error is sqrt(sum_j w_j^2 s_{t-j}^2) (`contrast`). A least-squares slope over n equally
spaced windows has S = s / sqrt(sum (t - tbar)^2): over 9 windows s / 7.75, against s sqrt(2) for one
interval's change, which is why a gap that widens a little every term is caught over two or three years.

The error of the peers' mean is ignored: with at least `gap_min_peers` (30) pupils its SD is under a fifth of
one pupil's, and it is shared by every pupil of the cohort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Int8Array = NDArray[np.int8]
BoolArray = NDArray[np.bool_]

NOT_ENOUGH_DATA = -1
NOT_FLAGGED = 0
FLAGGED = 1


def group_mean_sd(
    group: IntArray, values: FloatArray, n_groups: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Count, mean and sample SD (ddof 1) per group; two passes, so no cancellation at scores near 100.

    Sums run in the rows' order, which the engine fixes (pupil, subject, window), so results are bitwise
    independent of the input's row order and of rows in other groups.
    """
    n = np.bincount(group, minlength=n_groups)
    total = np.bincount(group, weights=values, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        dev = values - mean[group]
        ss = np.bincount(group, weights=dev * dev, minlength=n_groups)
        sd = np.sqrt(ss / (n - 1))
    sd[n < 2] = np.nan
    return n.astype(np.int64), mean, sd


def change_se(se_now: FloatArray, se_before: FloatArray) -> FloatArray:
    """Standard error of z_now - z_before (independent errors)."""
    out: FloatArray = np.sqrt(se_now * se_now + se_before * se_before)
    return out


def rate_change_se(
    se_now: FloatArray, se_p1: FloatArray, se_pl: FloatArray, lookback: FloatArray
) -> FloatArray:
    """Standard error of (z_t - z_p1) - (z_p1 - z_pL) / L (see the module docstring)."""
    middle = (1.0 + 1.0 / lookback) * se_p1
    last = se_pl / lookback
    out: FloatArray = np.sqrt(se_now * se_now + middle * middle + last * last)
    return out


def code(known: NDArray[np.bool_], flagged: NDArray[np.bool_]) -> Int8Array:
    """-1 not enough data, 1 flagged, 0 not flagged."""
    known = np.asarray(known, dtype=np.bool_)
    # known + (known and flagged) - 1, in int8 on the booleans' bytes: a masked write per call cost about
    # thirty times as much (the criteria code four columns per chunk of rows).
    out: Int8Array = (known & np.asarray(flagged, dtype=np.bool_)).view(np.int8)
    out += known.view(np.int8)
    out -= 1
    return out


def level_weights(max_windows: int, recent: int) -> FloatArray:
    """Weights by lag (0 = this window) of "mean gap over the recent windows minus the mean over the earlier
    ones", one row per number of windows n = 0 .. max_windows the pupil has (rows 0 and 1 are all zero).

    The recent part is min(recent, n // 2) windows, so two windows give the one-interval change z_t - z_{t-1}
    and three give z_t minus the mean of the two before; the rest of the n windows are the baseline.
    """
    table = np.zeros((max_windows + 1, max_windows), dtype=np.float64)
    for n in range(2, max_windows + 1):
        r = min(recent, n // 2)
        table[n, :r] = 1.0 / r
        table[n, r:n] = -1.0 / (n - r)
    return table


def slope_weights(max_windows: int, min_windows: int) -> FloatArray:
    """Weights by lag of the least-squares slope per interval over the last n windows (lag j at time -j),
    one row per n = 0 .. max_windows; rows with fewer than `min_windows` (at least 2) windows are zero."""
    table = np.zeros((max_windows + 1, max_windows), dtype=np.float64)
    for n in range(max(min_windows, 2), max_windows + 1):
        t = -np.arange(n, dtype=np.float64)
        t -= t.mean()
        table[n, :n] = t / (t @ t)
    return table


def rate_weights(recent: int, lookback: int) -> tuple[FloatArray, FloatArray, IntArray]:
    """Weights by lag of criterion (b)'s recent rate and previous rate, one row per number of windows
    n = 0 .. recent + lookback + 1, and how many intervals the previous rate spans.

    The recent rate is the least-squares slope over the last r = min(recent, n - 2) intervals, the previous
    rate the slope over up to `lookback` intervals before them (they share the window where the recent
    ones begin, so its error enters both: `contrast` counts it once, with its combined weight). With three
    windows this is the one-interval comparison (z_t - z_{t-1}) - (z_{t-1} - z_{t-2}).
    """
    size = recent + lookback + 1
    now = np.zeros((size + 1, size), dtype=np.float64)
    before = np.zeros((size + 1, size), dtype=np.float64)
    spans = np.zeros(size + 1, dtype=np.int64)
    for n in range(3, size + 1):
        r = min(recent, n - 2)
        e = min(lookback, n - 1 - r)
        now[n, : r + 1] = slope_weights(r + 1, r + 1)[r + 1]
        before[n, r : r + e + 1] = slope_weights(e + 1, e + 1)[e + 1]
        spans[n] = e
    return now, before, spans


@dataclass(frozen=True)
class Lags:
    """Each row's gap and its error j windows back (j = 0 .. horizon), ready for many contrasts:
    NaN read as 0, with where a gap or an error was missing kept apart (None: nothing missing at that lag).
    Built once per chunk, so each contrast is a few fused passes per lag instead of masks and copies."""

    gaps: list[FloatArray]
    ses: list[FloatArray]
    gap_missing: list[BoolArray | None]
    se_missing: list[BoolArray | None]


def lags_of(gaps: list[FloatArray], ses: list[FloatArray]) -> Lags:
    def clean(values: FloatArray) -> tuple[FloatArray, BoolArray | None]:
        missing = np.isnan(values)
        if not missing.any():
            return values, None
        return np.where(missing, 0.0, values), missing

    cleaned_gaps, gap_missing = zip(*(clean(g) for g in gaps), strict=True)
    cleaned_ses, se_missing = zip(*(clean(s) for s in ses), strict=True)
    return Lags(list(cleaned_gaps), list(cleaned_ses), list(gap_missing), list(se_missing))


def contrast(table: FloatArray, rows: NDArray[np.integer], lags: Lags) -> tuple[FloatArray, FloatArray]:
    """sum_j w_j gaps[j] per row, w = table[rows[i]] (one weight row per number of windows), and its
    standard error sqrt(sum_j w_j^2 ses[j]^2).

    A lag a row gives no weight may hold anything (NaN before the pupil's first window). A row with no
    weight at all gets NaN; so does a row that weights a missing gap (its value) or a missing error (both).
    """
    n = rows.shape[0]
    total = np.zeros(n, dtype=np.float64)
    variance = np.zeros(n, dtype=np.float64)
    work = np.empty(n, dtype=np.float64)
    no_value: BoolArray | None = None
    no_se: BoolArray | None = None
    for j in range(min(table.shape[1], len(lags.gaps))):
        column = table[:, j]
        if not column.any():
            continue
        w = column[rows]
        np.multiply(w, lags.gaps[j], out=work)
        total += work
        # In the order the terms were always summed (w * w * se * se), so figures stay bit for bit the same.
        np.multiply(w, w, out=work)
        work *= lags.ses[j]
        work *= lags.ses[j]
        variance += work
        gap_missing, se_missing = lags.gap_missing[j], lags.se_missing[j]
        if gap_missing is not None or se_missing is not None:
            used = (column != 0)[rows]
            if se_missing is not None:
                hit = used & se_missing
                no_se = hit if no_se is None else (no_se | hit)
            if gap_missing is not None:
                hit = used & gap_missing
                no_value = hit if no_value is None else (no_value | hit)
    no_se = variance <= 0 if no_se is None else (no_se | (variance <= 0))
    no_value = no_se if no_value is None else (no_value | no_se)
    total[no_value] = np.nan
    se = np.sqrt(variance, out=variance)
    se[no_se] = np.nan
    return total, se
