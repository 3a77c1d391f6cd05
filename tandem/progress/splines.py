"""The B-spline design behind Student Growth Percentiles (SGP).

SGPs regress the current score on a cubic B-spline of each prior score (analytics reference, section 2).
The spline is pinned down by four interior knots and two boundaries per prior. The SGP package computes them
per subject and grade from every score at that grade in the earlier years of the data, stacked
(`knots_boundaries` of those scores; `tandem.progress.sgp.stacked_knots`), or reads them from a published
table; `fit_spline_spec` places them from one norm group's priors when neither is given. Storing them with
the coefficients lets a fitted model be applied to another school: the design for the new pupils must be
built from the *stored* knots, not from the new pupils' quantiles.

Pure numpy/scipy on purpose: the progress engine runs without Django, and so do the benchmarks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.interpolate import BSpline

__all__ = [
    "BASIS_COLUMNS",
    "DEGREE",
    "KNOT_PROBABILITIES",
    "SplineSpec",
    "bspline_basis",
    "design_matrix",
    "fit_spline_spec",
    "knots_boundaries",
]

#: Interior knots at the 20/40/60/80% quantiles of the prior scores, as the SGP package does.
KNOT_PROBABILITIES: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)
#: Cubic splines.
DEGREE = 3
#: Columns per prior: 4 interior knots + degree 3 + 1 = 8 basis functions, minus the first (no intercept).
BASIS_COLUMNS = len(KNOT_PROBABILITIES) + DEGREE
#: Boundaries: the range of the prior scores extended by this fraction at each end (R `extendrange(f = 0.1)`).
EXTEND_FRACTION = 0.1
#: Knots and boundaries are rounded to this many decimals, as the SGP package stores them.
DECIMALS = 3


@dataclass(frozen=True)
class SplineSpec:
    """Knots and boundaries for each prior score, in prior order (oldest first, as the priors' columns are).

    Plain tuples of floats, so a spec is hashable, compares by value and serialises to JSON without loss
    (floats round-trip exactly through `repr`).
    """

    knots: tuple[tuple[float, ...], ...]
    boundaries: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if len(self.knots) != len(self.boundaries):
            raise ValueError("one set of knots and one pair of boundaries per prior")
        for knots, (lo, hi) in zip(self.knots, self.boundaries, strict=True):
            if len(knots) != len(KNOT_PROBABILITIES):
                raise ValueError(f"expected {len(KNOT_PROBABILITIES)} knots per prior, got {len(knots)}")
            if not lo < hi:
                raise ValueError(f"boundaries must satisfy lower < upper, got ({lo}, {hi})")
            if any(k < lo or k > hi for k in knots) or list(knots) != sorted(knots):
                raise ValueError("knots must be sorted and lie within the boundaries")

    @property
    def order(self) -> int:
        """Number of priors the spec describes (the SGP order)."""
        return len(self.knots)

    @property
    def columns(self) -> int:
        """Columns of the design matrix, intercept included: p = 1 + 7k."""
        return 1 + BASIS_COLUMNS * self.order

    def to_dict(self) -> dict[str, Any]:
        """Plain lists and floats, ready for `json.dumps` and a JSONField."""
        return {
            "knots": [list(k) for k in self.knots],
            "boundaries": [list(b) for b in self.boundaries],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SplineSpec:
        """Inverse of `to_dict`."""
        knots = tuple(tuple(float(v) for v in k) for k in data["knots"])
        boundaries = tuple((float(b[0]), float(b[1])) for b in data["boundaries"])
        return cls(knots=knots, boundaries=boundaries)


def _as_priors(priors: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(priors, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError("priors must be a 1-d array or an (n, k) array")
    if not np.all(np.isfinite(arr)):
        raise ValueError("priors must be finite (drop pupils with missing scores first)")
    return arr


def knots_boundaries(
    values: ArrayLike, weights: ArrayLike | None = None
) -> tuple[tuple[float, ...], tuple[float, float]]:
    """Knots and boundaries of one prior from its scores (each repeated `weights` times, if given).

    Knots: the 20/40/60/80% quantiles, R's default type 7 (numpy "linear"). Boundaries: the range extended by
    10% at each end (R `extendrange(f = 0.1)`). Both rounded to 3 decimals, as the SGP package's
    `createKnotsBoundaries` does. The SGP package computes them once per subject and grade from every score
    at that grade in the data, stacked over years, not from the pupils of one fit (`stacked_knots` in
    `tandem.progress.sgp` gathers those scores). A constant prior (zero range) gets boundaries one point
    either side: its basis columns are then collinear with the intercept, and the solver drops them.
    """
    column = np.asarray(values, dtype=np.float64).ravel()
    if column.size == 0:
        raise ValueError("need at least one score to place knots")
    if not np.all(np.isfinite(column)):
        raise ValueError("scores must be finite (drop missing scores first)")
    lo, hi = float(column.min()), float(column.max())
    extend = EXTEND_FRACTION * (hi - lo)
    b_lo, b_hi = round(lo - extend, DECIMALS), round(hi + extend, DECIMALS)
    if not b_lo < b_hi:
        b_lo, b_hi = lo - 1.0, hi + 1.0
    if weights is None:
        quantiles = np.quantile(column, KNOT_PROBABILITIES, method="linear")
    else:
        quantiles = _weighted_type7(column, np.asarray(weights, dtype=np.float64).ravel())
    knots = np.clip(np.round(quantiles, DECIMALS), b_lo, b_hi)
    return tuple(float(q) for q in knots), (float(b_lo), float(b_hi))


def _weighted_type7(values: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Type-7 quantiles at KNOT_PROBABILITIES of `values` repeated `weights` (whole-number counts) times."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    cum = np.concatenate([[0.0], np.cumsum(weights[order])])
    position = np.asarray(KNOT_PROBABILITIES) * max(cum[-1] - 1.0, 0.0)
    below = np.floor(position)
    above = np.minimum(below + 1.0, cum[-1] - 1.0)

    def value_at(expanded: NDArray[np.float64]) -> NDArray[np.float64]:
        index = np.clip(np.searchsorted(cum, expanded, side="right") - 1, 0, values.size - 1)
        out: NDArray[np.float64] = sorted_values[index]
        return out

    v0 = value_at(below)
    result: NDArray[np.float64] = v0 + (position - below) * (value_at(above) - v0)
    return result


def fit_spline_spec(*, priors: ArrayLike) -> SplineSpec:
    """Knots and boundaries from the norm group's prior scores, one column per prior (`knots_boundaries`).

    Used when no stacked or published knots are given (`tandem.progress.sgp.fit_growth_model`).
    """
    arr = _as_priors(priors)
    if arr.shape[0] == 0:
        raise ValueError("need at least one pupil to place knots")
    pairs = [knots_boundaries(column) for column in arr.T]
    return SplineSpec(knots=tuple(k for k, _ in pairs), boundaries=tuple(b for _, b in pairs))


def bspline_basis(
    x: ArrayLike, *, knots: Sequence[float], boundaries: tuple[float, float]
) -> NDArray[np.float64]:
    """Cubic B-spline basis without intercept (R `splines::bs(x, knots, Boundary.knots)`), shape (n, 7).

    Scores outside the boundaries are clipped to them first. The boundaries come from the norm group (its
    range plus 10%); a pupil scored against a stored model may fall outside. The B-spline basis is zero
    beyond its boundaries, and R's `bs()` extrapolates the cubic polynomial instead, which can swing wildly;
    clipping keeps such a pupil on the edge of the model instead, which is also what the SGP package's
    LOSS/HOSS handling amounts to: an extreme prior is treated as the most extreme prior the model knows.
    """
    lo, hi = boundaries
    values = np.clip(np.asarray(x, dtype=np.float64).ravel(), lo, hi)
    vector = np.concatenate([[lo] * (DEGREE + 1), np.asarray(knots, dtype=np.float64), [hi] * (DEGREE + 1)])
    # Each row of the basis depends on its own value only, and scores repeat (a norm group's thousands of
    # distinct prior rows hold a few dozen values per prior), so the basis is evaluated once per distinct
    # value. Values are told apart by their bits, so even -0.0 and 0.0 keep their own rows.
    bits, inverse = np.unique(values.view(np.int64), return_inverse=True)
    if bits.size < values.size:
        full = BSpline.design_matrix(bits.view(np.float64), vector, DEGREE).toarray()[inverse.ravel()]
    else:
        full = BSpline.design_matrix(values, vector, DEGREE).toarray()
    return np.ascontiguousarray(full[:, 1:])


def design_matrix(spec: SplineSpec, *, priors: ArrayLike) -> NDArray[np.float64]:
    """X = [1, bs(prior_1), ..., bs(prior_k)], shape (n, 1 + 7k)."""
    arr = _as_priors(priors)
    if arr.shape[1] != spec.order:
        raise ValueError(f"the spec has {spec.order} prior(s) but {arr.shape[1]} prior column(s) were given")
    blocks = [np.ones((arr.shape[0], 1))]
    for column, knots, bounds in zip(arr.T, spec.knots, spec.boundaries, strict=True):
        blocks.append(bspline_basis(column, knots=knots, boundaries=bounds))
    return np.hstack(blocks)
