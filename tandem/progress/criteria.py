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
errors its standard error is sqrt(sum_j w_j^2 s_{t-j}^2) (`history_contrasts`). A least-squares slope over
n equally spaced windows has S = s / sqrt(sum (t - tbar)^2): over 9 windows s / 7.75, against s sqrt(2)
for one interval's change, which is why a gap that widens a little every term is caught over two or three
years. Results are stored as float32, and the reliable-change indices are computed from the stored figures,
so a flag and the figures shown beside it always agree.

The error of the peers' mean is ignored: with at least `gap_min_peers` (30) pupils its SD is under a fifth of
one pupil's, and it is shared by every pupil of the cohort.
"""

from __future__ import annotations

import functools

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
    ones begin, so its error enters both: `history_contrasts` counts it once, with its combined weight).
    With three windows this is the one-interval comparison (z_t - z_{t-1}) - (z_{t-1} - z_{t-2}).
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


def widen(table: FloatArray, max_windows: int) -> FloatArray:
    """A weight table (one row per number of windows) for rows with up to `max_windows` windows: a row with
    more windows than the table was built for uses its last row (the same lags; older ones weigh nothing)."""
    rows, lags = table.shape
    wide = np.zeros((max_windows + 1, max(lags, max_windows)), dtype=np.float64)
    for n in range(max_windows + 1):
        wide[n, :lags] = table[min(n, rows - 1)]
    return wide


#: The contrasts of (b) and (d), in the order `history_tables` gives their weights.
HISTORY_CONTRASTS = (
    "gap_change_long",
    "gap_earlier",
    "gap_trend",
    "recent_rate",
    "previous_rate",
    "rate_change",
)


@functools.cache
def history_tables(
    *, horizon: int, recent_windows: int, min_windows_trend: int | None, rate_recent: int, rate_lookback: int
) -> tuple[list[FloatArray], IntArray]:
    """Weight tables of the `HISTORY_CONTRASTS` for rows with up to max(horizon, rate_recent + rate_lookback)
    + 1 windows, and how many intervals (b)'s previous rate spans by number of windows (`rate_weights`).
    (d) looks back `horizon` intervals (no trend when `min_windows_trend` is None), (b) its own R + L.
    Cached: the engine asks for them once per chunk of rows; nobody may write to them."""
    deepest = max(horizon, rate_recent + rate_lookback)
    level = level_weights(horizon + 1, recent_windows)
    earlier = np.where(level < 0, -level, 0.0)
    if min_windows_trend is None:
        trend = np.zeros_like(level)
    else:
        trend = slope_weights(horizon + 1, min_windows_trend)
    now, before, spans = rate_weights(rate_recent, rate_lookback)
    tables = [level, earlier, trend, now, before, now - before]
    wide = [widen(t, deepest + 1) for t in tables]
    for t in wide:
        t.flags.writeable = False
    return wide, spans


def history_contrasts(
    values: FloatArray,
    errors: FloatArray,
    windows: NDArray[np.integer],
    tables: list[FloatArray],
    *,
    into: list[NDArray[np.floating]],
    errors_into: list[NDArray[np.floating] | None],
    rows: NDArray[np.integer] | None = None,
) -> None:
    """Linear contrasts of each row's history: for every table t and row i (rows in run order, each pupil and
    subject's windows consecutive), sum_j w_j values[i - j] into `into[t]`, and its standard error
    sqrt(sum_j w_j^2 errors[i - j]^2) into `errors_into[t]` (unless None), with weights by lag
    w = t[windows[i]] (one weight row per number of windows; tables of one shape: `widen` smaller ones).

    `windows[i]` must not exceed the row's own history (its position + 1), so every lag it weighs is the
    same pupil's. Only `rows` are written (default all); a row with no weight gets NaN. A contrast that
    weighs a missing value is NaN; one that weighs a missing error, and its error, are NaN.

    Rows with the same number of windows share their weights, so each group is a gather per lag of its
    rows' values (a row of a (lags, rows) block: several times faster than gathering each row's history)
    and one small matrix product for all the tables.
    """
    depth = tables[0].shape[1]
    n = values.shape[0]
    if rows is None:
        rows = np.arange(n)
    pad = np.full(depth - 1, np.nan)
    # padded[i + depth - 1 - j] = values[i - j], the value at lag j (NaN before the first row).
    padded, padded_errors = np.concatenate([pad, values]), np.concatenate([pad, errors * errors])
    # Without a missing or zero figure anywhere, only a table's lack of weight can leave a contrast empty.
    clean = not (np.isnan(values).any() or np.isnan(errors).any()) and bool((errors > 0).all())
    with_error = [t for t, target in enumerate(errors_into) if target is not None]
    error_targets = [target for target in errors_into if target is not None]
    # Rows grouped by their number of windows: one stable counting sort instead of a mask per group.
    row_windows = windows[rows].astype(np.int8)
    by_windows = rows[np.argsort(row_windows, kind="stable")]
    ends = np.cumsum(np.bincount(row_windows, minlength=depth + 1))
    for k in range(1, depth + 1):
        group = by_windows[ends[k - 1] : ends[k]]
        if group.size == 0:
            continue
        # (tables, k), oldest lag first: results come out a table per row, each contiguous for the writes.
        weights = np.stack([t[k, k - 1 :: -1] for t in tables])
        squares = weights[with_error] ** 2
        # block[m, r] = the value of row group[r] at lag k - 1 - m.
        block, error_block = np.empty((k, group.size)), np.empty((k, group.size))
        for m in range(k):
            at = group + (depth - k + m)
            np.take(padded, at, out=block[m])
            np.take(padded_errors, at, out=error_block[m])
        total = weights @ block
        variance = squares @ error_block
        if clean:
            total[~weights.any(axis=1)] = np.nan
            variance[~squares.any(axis=1)] = np.nan
        else:
            # A missing figure at a lag that a table gives no weight must not spoil that table.
            missing_value, missing_error = np.isnan(block), np.isnan(error_block)
            if missing_value.any() or missing_error.any():
                total = weights @ np.where(missing_value, 0.0, block)
                variance = squares @ np.where(missing_error, 0.0, error_block)
            uses = weights != 0
            weighs_missing_error = uses @ missing_error
            value_gone = (uses @ missing_value) | weighs_missing_error | ~uses.any(axis=1)[:, None]
            error_gone = weighs_missing_error[with_error] | (variance <= 0)
            value_gone[with_error] |= error_gone
            total[value_gone] = np.nan
            variance[error_gone] = np.nan
        total32 = total.astype(np.float32)
        se32 = np.sqrt(variance, out=variance).astype(np.float32)
        for target, column in zip(into, total32, strict=True):
            target[group] = column
        for target, column in zip(error_targets, se32, strict=True):
            target[group] = column
