"""Student Growth Percentiles (SGP): a pupil's current score ranked among pupils with the same prior scores.

The method is the SGP package's (analytics reference, section 2; Betebenner 2009), step by step:

1. the design X = [1, bs(prior_1), ..., bs(prior_k)] (`tandem.progress.splines`);
2. 100 linear quantile regressions of the current score on X at tau = 0.005, 0.015, ..., 0.995
   (`tandem.progress.quantreg`);
3. each pupil's 100 predicted quantiles Q = X B, sorted (rearrangement, so the quantiles never cross) and
   rounded to 5 decimals;
4. SGP = #{j : Q_j < y}, a strict inequality, with 0 reported as 1 and 100 as 99.

Steps 3 and 4 are part of the specification, not presentation: scale scores are integers and quantile
regression passes through data points, so about one pupil in nine sits exactly on one of its own fitted
quantiles. Rounding to 5 decimals makes "exactly on" robust to the last bits of the solver, and the strict `<`
decides which side such a pupil falls.

A fitted `GrowthModel` keeps the knots, boundaries and coefficients, so it can be stored (`to_dict`, JSON-
able) and applied to pupils outside the norm group, such as one school against a trust's or a baseline year's
norms.

Pure numpy/scipy: no Django here, so the engine, the tests and the benchmarks share it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tandem.progress.quantreg import quantile_regression
from tandem.progress.splines import SplineSpec, design_matrix, fit_spline_spec, knots_boundaries

__all__ = [
    "DECIMALS",
    "TAUS",
    "AllOrders",
    "GrowthModel",
    "fit_growth_model",
    "growth_percentiles",
    "growth_percentiles_all_orders",
    "predicted_quantiles",
    "read_knots_table",
    "sgp_standard_error",
    "stacked_knots",
]

#: The 100 quantiles the SGP package fits: (j - 0.5) / 100 for j = 1..100.
TAUS: NDArray[np.float64] = (np.arange(1, 101) - 0.5) / 100
#: Predicted quantiles are rounded to this many decimals before counting (see the module docstring).
DECIMALS = 5
#: Rows of predicted quantiles computed at once: bounds memory (rows x 100 float64) for national cohorts.
_ROW_CHUNK = 65_536
#: Version of the `to_dict` layout, so stored models can be migrated if it ever changes.
_FORMAT = 1


@dataclass(frozen=True, eq=False)
class GrowthModel:
    """A fitted SGP model: the spline design plus one coefficient column per tau.

    `coefficients` has shape (1 + 7k, len(taus)); `n` is the number of pupils it was fitted on (show it with
    every figure: "norm group of n pupils"); `label` is free text such as "Maths, Year 5 from Year 4".
    """

    spec: SplineSpec
    coefficients: NDArray[np.float64]
    taus: NDArray[np.float64] = field(default_factory=lambda: TAUS.copy())
    n: int = 0
    label: str = ""

    def __post_init__(self) -> None:
        coefficients = np.array(self.coefficients, dtype=np.float64)
        taus = np.array(self.taus, dtype=np.float64)
        if coefficients.shape != (self.spec.columns, taus.size):
            raise ValueError(
                f"coefficients must be ({self.spec.columns}, {taus.size}), got {coefficients.shape}"
            )
        coefficients.setflags(write=False)
        taus.setflags(write=False)
        object.__setattr__(self, "coefficients", coefficients)
        object.__setattr__(self, "taus", taus)

    @property
    def order(self) -> int:
        """Number of prior scores the model conditions on."""
        return self.spec.order

    def to_dict(self) -> dict[str, Any]:
        """Plain lists, floats and strings: `json.dumps` round-trips it exactly (floats print exactly)."""
        return {
            "format": _FORMAT,
            "spec": self.spec.to_dict(),
            "taus": [float(t) for t in self.taus],
            "coefficients": [[float(v) for v in row] for row in self.coefficients],
            "n": int(self.n),
            "order": self.order,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GrowthModel:
        """Inverse of `to_dict`."""
        if data.get("format", _FORMAT) != _FORMAT:
            raise ValueError(f"unknown growth model format {data.get('format')!r}")
        model = cls(
            spec=SplineSpec.from_dict(data["spec"]),
            coefficients=np.asarray(data["coefficients"], dtype=np.float64),
            taus=np.asarray(data["taus"], dtype=np.float64),
            n=int(data["n"]),
            label=str(data.get("label", "")),
        )
        if "order" in data and int(data["order"]) != model.order:
            raise ValueError("stored order does not match the stored knots")
        return model


def _as_priors(priors: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(priors, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError("priors must be a 1-d array (one prior) or an (n, k) array, oldest prior first")
    return arr


def _as_current(current: ArrayLike, n: int) -> NDArray[np.float64]:
    arr = np.asarray(current, dtype=np.float64).ravel()
    if arr.size != n:
        raise ValueError(f"{n} pupils have priors but {arr.size} current scores were given")
    return arr


def fit_growth_model(
    *, priors: ArrayLike, current: ArrayLike, label: str = "", spec: SplineSpec | None = None
) -> GrowthModel:
    """Fit the 100 quantile regressions of `current` on the spline design of `priors` (shape (n, k)).

    Columns of `priors` are in time order, oldest first. `spec`: the knots and boundaries of each prior, as
    the SGP package takes them (per subject and grade from the stacked earlier scores, `stacked_knots`, or a
    published table, `read_knots_table`); None places them from these pupils' priors (`fit_spline_spec`).
    Pupils with a missing (NaN) prior or current score are left out: SGP cohorts are pupils with every
    score. Needs more pupils than coefficients (1 + 7k); the norm group should be much larger than that
    (the analytics reference suggests peer bands or residual ranks below roughly 1,000-2,000 pupils).
    """
    x_priors = _as_priors(priors)
    y = _as_current(current, x_priors.shape[0])
    complete = np.isfinite(y) & np.all(np.isfinite(x_priors), axis=1)
    x_priors, y = x_priors[complete], y[complete]
    columns = 1 + 7 * x_priors.shape[1]
    if y.size <= columns:
        raise ValueError(
            f"need more than {columns} pupils with every score to fit an order-{x_priors.shape[1]} model"
        )
    if spec is None:
        spec = fit_spline_spec(priors=x_priors)
    elif spec.order != x_priors.shape[1]:
        raise ValueError(f"the spec has {spec.order} prior(s), the priors {x_priors.shape[1]} column(s)")
    design = design_matrix(spec, priors=x_priors)
    coefficients = quantile_regression(design, y, TAUS)
    return GrowthModel(spec=spec, coefficients=coefficients, taus=TAUS.copy(), n=int(y.size), label=label)


def _sorted_rounded_quantiles(model: GrowthModel, priors: NDArray[np.float64]) -> NDArray[np.float64]:
    """Q = X B, each row sorted and rounded to 5 decimals. Rows with a missing prior come back as NaN."""
    n = priors.shape[0]
    out = np.full((n, model.taus.size), np.nan)
    complete = np.flatnonzero(np.all(np.isfinite(priors), axis=1))
    for start in range(0, complete.size, _ROW_CHUNK):
        rows = complete[start : start + _ROW_CHUNK]
        q = design_matrix(model.spec, priors=priors[rows]) @ model.coefficients
        q.sort(axis=1)
        out[rows] = np.round(q, DECIMALS)
    return out


def growth_percentiles(model: GrowthModel, *, priors: ArrayLike, current: ArrayLike) -> NDArray[np.int16]:
    """Growth percentiles 1-99 for pupils scored against `model`; 0 where a score is missing (NaN).

    `priors` has the model's number of columns, oldest first. Priors outside the model's boundaries are
    clipped to them (see `tandem.progress.splines.bspline_basis`).
    """
    x_priors = _as_priors(priors)
    y = _as_current(current, x_priors.shape[0])
    if x_priors.shape[1] != model.order:
        raise ValueError(
            f"the model has order {model.order} but {x_priors.shape[1]} prior column(s) were given"
        )
    out = np.zeros(y.size, dtype=np.int16)
    complete = np.flatnonzero(np.isfinite(y) & np.all(np.isfinite(x_priors), axis=1))
    for start in range(0, complete.size, _ROW_CHUNK):
        rows = complete[start : start + _ROW_CHUNK]
        q = design_matrix(model.spec, priors=x_priors[rows]) @ model.coefficients
        q.sort(axis=1)  # rearrangement: no effect on the count, kept so the quantiles match the charts
        q = np.round(q, DECIMALS)
        count = np.count_nonzero(q < y[rows, None], axis=1)
        out[rows] = np.clip(count, 1, 99)
    return out


def predicted_quantiles(
    model: GrowthModel, priors: ArrayLike, taus: Sequence[float] | ArrayLike = (0.25, 0.5, 0.75)
) -> NDArray[np.float64]:
    """Current scores at the given quantiles for pupils with these priors, shape (n, len(taus)).

    For charts such as "the 25th, 50th and 75th percentile of pupils from the same starting point". Uses the
    same sorted, rounded quantiles as `growth_percentiles`; a tau between two of the model's taus is linearly
    interpolated, and taus beyond the outermost ones (0.005, 0.995) are held at them. NaN rows for missing
    priors. `priors` and `taus` may be passed by position (the engine does) or by keyword.
    """
    x_priors = _as_priors(priors)
    if x_priors.shape[1] != model.order:
        raise ValueError(
            f"the model has order {model.order} but {x_priors.shape[1]} prior column(s) were given"
        )
    wanted = np.atleast_1d(np.asarray(taus, dtype=np.float64))
    q = _sorted_rounded_quantiles(model, x_priors)
    grid = model.taus
    position = np.interp(wanted, grid, np.arange(grid.size, dtype=np.float64))
    lower = np.floor(position).astype(np.intp)
    upper = np.minimum(lower + 1, grid.size - 1)
    frac = position - lower
    result: NDArray[np.float64] = q[:, lower] * (1.0 - frac) + q[:, upper] * frac
    return result


def sgp_standard_error(
    model: GrowthModel,
    *,
    priors: ArrayLike,
    current: ArrayLike,
    csem: ArrayLike,
    draws: int = 100,
    seed: int = 0,
) -> NDArray[np.float64]:
    """Standard deviation of each pupil's SGP over `draws` current scores perturbed by N(0, csem^2).

    The SGP package's SGP_STANDARD_ERROR: measurement error in the current score moves the SGP, and criterion
    (a) asks whether a pupil is *significantly* below a threshold. `csem` is the conditional standard error of
    measurement of the current score (a scalar or one per pupil). Deterministic for a given `seed`. NaN where
    a score is missing.
    """
    x_priors = _as_priors(priors)
    y = _as_current(current, x_priors.shape[0])
    if x_priors.shape[1] != model.order:
        raise ValueError(
            f"the model has order {model.order} but {x_priors.shape[1]} prior column(s) were given"
        )
    sem = np.broadcast_to(np.asarray(csem, dtype=np.float64), y.shape)
    out = np.full(y.size, np.nan)
    usable = np.isfinite(y) & np.all(np.isfinite(x_priors), axis=1) & np.isfinite(sem)
    # Fixed blocks of row positions, each with its own generator: a pupil's draws depend on the seed and its
    # position only, never on which other pupils are scored with it, and memory stays bounded.
    block = max(1, 4_000_000 // (model.taus.size * max(draws, 1)))
    for start in range(0, y.size, block):
        noise = np.random.default_rng([seed, start]).standard_normal((min(block, y.size - start), draws))
        rows = start + np.flatnonzero(usable[start : start + block])
        if rows.size == 0:
            continue
        q = design_matrix(model.spec, priors=x_priors[rows]) @ model.coefficients
        q.sort(axis=1)
        q = np.round(q, DECIMALS)
        perturbed = y[rows, None] + sem[rows, None] * noise[rows - start]
        counts = np.count_nonzero(q[:, :, None] < perturbed[:, None, :], axis=1)
        out[rows] = np.clip(counts, 1, 99).std(axis=1)
    return out


@dataclass(frozen=True, eq=False)
class AllOrders:
    """Growth percentiles at the highest order each pupil has, as the SGP package reports them.

    `sgp` is 1-99 (0: no SGP, for pupils without the most recent prior or current score); `order` is the
    number of priors the reported SGP conditions on (0 with no SGP); `by_order[k]` holds the order-k SGPs of
    every pupil (0 where the pupil lacks k priors); `models[k]` is the order-k model.
    """

    sgp: NDArray[np.int16]
    order: NDArray[np.int8]
    by_order: dict[int, NDArray[np.int16]]
    models: dict[int, GrowthModel]


def growth_percentiles_all_orders(
    *,
    priors: ArrayLike,
    current: ArrayLike,
    max_order: int | None = None,
    min_cohort: int | None = None,
    label: str = "",
) -> AllOrders:
    """Fit orders 1..K and report, for each pupil, the SGP of the highest order they have.

    `priors` is (n, K) in time order, oldest first, NaN where a pupil has no score that year; order k uses the
    k most recent priors (the last k columns), so a pupil enters order k when those k and the current score
    are all present. An order is fitted only if at least `min_cohort` pupils qualify (default: the technical
    minimum, more pupils than coefficients); a school setting should ask for far more.
    """
    x_priors = _as_priors(priors)
    y = _as_current(current, x_priors.shape[0])
    k_max = x_priors.shape[1] if max_order is None else min(int(max_order), x_priors.shape[1])
    n = y.size
    sgp = np.zeros(n, dtype=np.int16)
    order = np.zeros(n, dtype=np.int8)
    by_order: dict[int, NDArray[np.int16]] = {}
    models: dict[int, GrowthModel] = {}
    for k in range(1, k_max + 1):
        recent = x_priors[:, -k:]
        eligible = np.isfinite(y) & np.all(np.isfinite(recent), axis=1)
        count = int(eligible.sum())
        floor = 1 + 7 * k + 1
        if count < max(floor, min_cohort or 0):
            continue
        model = fit_growth_model(
            priors=recent[eligible], current=y[eligible], label=f"{label} order {k}".strip()
        )
        values = np.zeros(n, dtype=np.int16)
        values[eligible] = growth_percentiles(model, priors=recent[eligible], current=y[eligible])
        by_order[k] = values
        models[k] = model
        sgp[eligible] = values[eligible]  # later (higher) orders overwrite lower ones
        order[eligible] = k
    return AllOrders(sgp=sgp, order=order, by_order=by_order, models=models)


# ------------------------------------------------------------------------------------ knots and boundaries
#: One prior's knots (4) and boundaries (lower, upper).
KnotsBoundaries = tuple[tuple[float, ...], tuple[float, float]]


def stacked_knots(
    *, grade: ArrayLike, window: ArrayLike, points: ArrayLike, current_window: Any, prior_grade: int
) -> KnotsBoundaries:
    """Knots and boundaries for a prior at `prior_grade`, as the SGP package takes them for a model of
    `current_window`: from every score at that grade (one subject's scores: `grade`, `window`, `points` are
    its rows) in the windows before `current_window`, stacked, not from the pupils the model is fitted on.

    Why: the spline then depends only on the grade's score distribution, so every progression into a grade
    uses the same design, and the growth percentiles match the SGP package's (on a public data set, knots
    from the fitted pupils alone cost 14-24% of identical percentiles). Raises ValueError if there are none.
    """
    g = np.asarray(grade)
    w = np.asarray(window)
    x = np.asarray(points, dtype=np.float64)
    use = (g == prior_grade) & (w < current_window) & np.isfinite(x)
    if not use.any():
        raise ValueError(f"no scores at grade {prior_grade} before window {current_window!r}")
    return knots_boundaries(x[use])


def read_knots_table(
    data: Mapping[str, Mapping[str, Sequence[float]]],
) -> dict[tuple[str, int], KnotsBoundaries]:
    """A published table of knots and boundaries, keyed by (subject, grade) for `assess_progress(knots=...)`.

    `data` is laid out as the SGP package publishes them (`SGPstateData[[state]][["Achievement"]]
    [["Knots_Boundaries"]]`, e.g. read from JSON): per subject, "knots_<grade>" (4 values) and
    "boundaries_<grade>" (2 values); other entries (such as "loss_hoss_<grade>") are ignored. Publishing the
    table lets a school reproduce a state's or a trust's growth percentiles with the same spline design.
    """
    table: dict[tuple[str, int], KnotsBoundaries] = {}
    for subject, entries in data.items():
        for name, values in entries.items():
            if not name.startswith("knots_"):
                continue
            grade_text = name.removeprefix("knots_")
            bounds = entries.get(f"boundaries_{grade_text}")
            if bounds is None:
                raise ValueError(f"{subject}: knots_{grade_text} has no boundaries_{grade_text}")
            knots = tuple(float(v) for v in values)
            lo, hi = (float(v) for v in bounds)
            SplineSpec(knots=(knots,), boundaries=((lo, hi),))  # validates the pair
            table[(str(subject), int(grade_text))] = (knots, (lo, hi))
    return table
