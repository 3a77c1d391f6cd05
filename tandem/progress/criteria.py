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

The error of the peers' mean is ignored: with at least `gap_min_peers` (30) pupils its SD is under a fifth of
one pupil's, and it is shared by every pupil of the cohort.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Int8Array = NDArray[np.int8]

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
