"""Linear quantile regression for many quantiles at once: a batched Frisch-Newton interior-point solver.

Why our own solver: growth percentiles need 100 quantile regressions per model, and the exact LP solvers in
the Python stack (HiGHS through scipy or scikit-learn) take minutes for one school-sized model; statsmodels'
IRLS stops early at the extreme quantiles (analytics reference, section 3). R's quantreg is GPL: not ported.

The method follows Koenker & Portnoy (1997), "The Gaussian hare and the Laplacian tortoise", and Koenker
(2005), *Quantile Regression*, chapter 6, written from the mathematics. With row weights c > 0, quantile tau
solves

    primal:  min_b  sum_i c_i rho_tau(y_i - x_i'b),      rho_tau(u) = u (tau - 1{u < 0})
    dual:    max_a  y'a   subject to  X'a = (1 - tau) X'c,  0 <= a <= c.

The dual is a bounded LP; we follow its central path with Mehrotra's predictor-corrector. With slack s = c - a
and reduced costs z, w >= 0 (y - Xb = w - z, so w and z are the positive and negative parts of the residual at
the optimum), the path is a z = s w = mu c, mu -> 0, and each Newton step needs, per tau, one p x p system

    X' diag(theta) X  db = rhs,     theta = 1 / (z/a + w/s).

Every quantity is an array of shape (taus, rows), so all taus advance together: the p x p matrices of all taus
come from one matrix product with the row-wise products x_ij x_ik, and the small systems are solved as one
stacked `numpy.linalg.solve`. The duality gap a'z + s'w bounds the distance of the check loss from its optimum
and is the stopping rule.

Exact shortcuts, none of which changes the optimum:

- identical rows (x_i, y_i) are merged into one row carrying the summed weight. Integer scale scores repeat a
  lot: 600,000 pupils with one prior have only some tens of thousands of distinct (prior, current) pairs. The
  centring targets are weighted by c (a z = mu c), which makes the merged iterates exactly the iterates the
  solver would take on the unmerged rows (in exact arithmetic): merging changes the cost, not the answer;
- columns that are linear combinations of others (a constant prior, coinciding knots) are dropped and get
  coefficient 0, so degenerate designs still solve;
- a tau leaves the batch as soon as it has converged.

Threads: the solver runs in the calling thread with OpenBLAS limited to one thread for that thread (see
`_openblas_local_threads`); two solver threads of our own did not help on the 2-core benchmark machine.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
import typing
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["DEFAULT_TOL", "SolverInfo", "check_loss", "quantile_regression", "quantile_regression_with_info"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: Duality gap, relative to the dual objective, at which a tau counts as solved. Fitted quantiles then agree
#: with an exact simplex solution to well under 1e-6 of the score scale, inside the 5-decimal rounding that
#: growth percentiles apply (the analytics reference, section 2, explains why that rounding matters).
DEFAULT_TOL = 1e-10
#: Extreme taus on large problems need the most iterations (about 70 at n = 600,000); the cap is a backstop.
DEFAULT_MAX_ITER = 200
#: Steps go this fraction of the way to the boundary while far from the optimum, and STEP_FINAL near it: a
#: shorter step early keeps the iterates centred (fewer iterations at the extreme taus), a long step late
#: gives the fast final convergence.
STEP_EARLY = 0.9
STEP_FINAL = 0.99995
STEP_SWITCH_GAP = 1e-6
#: Taus are solved in chunks whose (taus x rows) working arrays together take about this much memory: small
#: enough to stay in a shared L3 cache for school-sized cohorts (measured fastest on a 2-core EPYC with 32 MB
#: of L3), while every numpy call still works on tens of thousands of numbers.
CHUNK_BYTES = 12 * 2**20
#: (taus x rows) float64 arrays alive at once in one iteration (state plus temporaries).
_LIVE_ARRAYS = 16


@dataclass(frozen=True)
class SolverInfo:
    """What the solver did, for logs and benchmarks."""

    rows: int
    distinct_rows: int
    rank: int
    iterations: int
    max_relative_gap: float


def check_loss(*, residuals: ArrayLike, tau: float, weights: ArrayLike | None = None) -> float:
    """sum_i c_i rho_tau(r_i): the objective quantile regression minimises (used by tests and benchmarks)."""
    r = np.asarray(residuals, dtype=np.float64)
    loss = np.where(r < 0, (tau - 1.0) * r, tau * r)
    if weights is not None:
        loss = loss * np.asarray(weights, dtype=np.float64)
    return float(loss.sum())


def _merge_identical_rows(
    x: FloatArray, y: FloatArray, c: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Merge rows with identical (x, y) into one row carrying the summed weight (the check loss is a sum).

    The rows come back in a canonical order (sorted by their bytes), so the solver sees the same problem,
    bit for bit, whatever order the pupils arrived in: growth percentiles cannot depend on row order.
    """
    joined = np.ascontiguousarray(np.column_stack([x, y]))
    joined += 0.0  # turns -0.0 into 0.0, so equal values have equal bytes
    keys = joined.view(np.dtype((np.void, joined.dtype.itemsize * joined.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=c, minlength=first.size).astype(np.float64)
    return x[first], y[first], weights


def _independent_columns(x: FloatArray) -> IntArray:
    """Indices of a maximal set of linearly independent columns (pivoted QR), in their original order."""
    from scipy.linalg import qr

    norms = np.sqrt((x * x).sum(axis=0))
    columns = np.flatnonzero(norms > 0)
    if columns.size == 0:
        return columns
    unit = x[:, columns] / norms[columns]
    _, r, pivots = qr(unit, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int(np.sum(diag > diag[0] * max(unit.shape) * np.finfo(np.float64).eps * 10))
    return np.sort(columns[pivots[:rank]])


def _solve_stacked(gram: FloatArray, rhs: FloatArray) -> FloatArray:
    """Solve the (taus, p, p) systems; a tiny ridge rescues a numerically singular one."""
    try:
        solved: FloatArray = np.linalg.solve(gram, rhs[..., None])[..., 0].astype(np.float64, copy=False)
        return solved
    except np.linalg.LinAlgError:  # pragma: no cover - needs a pathological design to trigger
        out = np.empty_like(rhs)
        eye = np.eye(gram.shape[1])
        for t in range(gram.shape[0]):
            ridge = max(float(np.trace(gram[t])), 1e-300) * 1e-14
            out[t] = np.linalg.lstsq(gram[t] + ridge * eye, rhs[t], rcond=None)[0]
        return out


@dataclass(frozen=True)
class _Problem:
    """The (merged, full-rank, scaled) data shared by every tau."""

    x: FloatArray  # (n, p)
    xt: FloatArray  # (p, n), contiguous, for the (taus, p) @ (p, n) products
    y: FloatArray  # (n,)
    c: FloatArray  # (n,) weights
    products: FloatArray  # (n, p(p+1)/2): x_ij x_ik for j <= k
    prow: IntArray
    pcol: IntArray
    beta_ls: FloatArray  # weighted least squares, the starting point
    res_ls: FloatArray


def _prepare(x: FloatArray, y: FloatArray, c: FloatArray) -> _Problem:
    rows, cols = np.triu_indices(x.shape[1])
    xw = x * c[:, None]
    beta_ls: FloatArray = np.linalg.lstsq(xw.T @ x, xw.T @ y, rcond=None)[0].astype(np.float64)
    return _Problem(
        x=x,
        xt=np.ascontiguousarray(x.T),
        y=y,
        c=c,
        products=np.ascontiguousarray(x[:, rows] * x[:, cols]),
        prow=rows,
        pcol=cols,
        beta_ls=beta_ls,
        res_ls=y - x @ beta_ls,
    )


def _ipm(
    prob: _Problem, taus: FloatArray, *, tol: float, max_iter: int
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Mehrotra predictor-corrector for a batch of taus: coef (T, p), iterations (T,), relative gaps (T,)."""
    x, xt, y, c = prob.x, prob.xt, prob.y, prob.c
    p = x.shape[1]
    t_count = taus.size
    total = float(c.sum())

    # Primal start a = (1 - tau) c is feasible; the dual start splits the least-squares residual into w - z,
    # both shifted by its mean absolute size so that they are safely positive.
    a = (1.0 - taus)[:, None] * c[None, :]
    rhs_all = (1.0 - taus)[:, None] * (xt @ c)[None, :]
    shift = max(float(np.sum(c * np.abs(prob.res_ls))) / total, 1e-10)
    beta = np.tile(prob.beta_ls, (t_count, 1))
    z = np.tile(np.maximum(-prob.res_ls, 0.0) + shift, (t_count, 1))
    w = np.tile(np.maximum(prob.res_ls, 0.0) + shift, (t_count, 1))
    const = (1.0 - taus) * float(y @ c)  # dual objective is y'a - (1 - tau) y'c

    active = np.arange(t_count)
    coef = np.zeros((t_count, p))
    its = np.full(t_count, max_iter, dtype=np.intp)
    gaps = np.full(t_count, np.inf)
    cy = c[None, :]

    for iteration in range(1, max_iter + 1):
        s = cy - a
        res = beta @ xt
        np.subtract(y[None, :], res, out=res)  # y - Xb

        az = a * z
        sw = s * w
        gap = az.sum(axis=1) + sw.sum(axis=1)
        dual_obj = a @ y - const[active]
        rel = gap / np.maximum(np.abs(dual_obj), 1e-4 * total)
        gaps[active] = rel
        done = rel < tol
        if done.any():
            finished = active[done]
            coef[finished] = beta[done]
            its[finished] = iteration - 1
            keep = ~done
            if not keep.any():
                return coef, its, gaps
            active = active[keep]
            a, z, w, beta, s, res, az, sw = (arr[keep] for arr in (a, z, w, beta, s, res, az, sw))
            gap, rel = gap[keep], rel[keep]
        mu = (gap / (2.0 * total))[:, None]

        inv_a = 1.0 / a
        inv_s = 1.0 / s
        theta = z * inv_a
        theta += w * inv_s
        np.reciprocal(theta, out=theta)  # theta = 1 / (z/a + w/s)

        flat = theta @ prob.products
        gram = np.empty((active.size, p, p))
        gram[:, prob.prow, prob.pcol] = flat
        gram[:, prob.pcol, prob.prow] = flat
        primal_res = rhs_all[active] - a @ x  # round-off only: the start is feasible

        # Predictor (affine scaling, mu = 0): the right-hand side reduces to the residual y - Xb.
        dbeta = _solve_stacked(gram, (theta * res) @ x - primal_res)
        da = dbeta @ xt
        np.subtract(res, da, out=da)
        da *= theta
        t1 = da * inv_a
        np.negative(t1, out=t1)  # t1 = -da/a; the affine dz = -z (1 - t1)
        t2 = da * inv_s  # t2 = da/s; the affine dw = -w (1 - t2)
        del da
        with np.errstate(divide="ignore"):
            alpha_p = 1.0 / np.maximum(np.maximum(t1.max(axis=1), t2.max(axis=1)), 1.0)
            alpha_d = 1.0 / np.maximum(1.0 - np.minimum(t1.min(axis=1), t2.min(axis=1)), 1.0)
        # Complementarity after the affine step, expanded so that it needs only fused reductions:
        # sum az (1 - ap t1)(1 - ad + ad t1)
        #   = (1 - ad) sum az + (ad - ap (1 - ad)) sum az t1 - ap ad sum az t1^2
        lin = np.einsum("ij,ij->i", az, t1) + np.einsum("ij,ij->i", sw, t2)
        quad = np.einsum("ij,ij,ij->i", az, t1, t1) + np.einsum("ij,ij,ij->i", sw, t2, t2)
        mu_aff = (
            (1.0 - alpha_d) * gap + (alpha_d - alpha_p * (1.0 - alpha_d)) * lin - alpha_p * alpha_d * quad
        )
        sigma = (np.clip(mu_aff / gap, 0.0, 1.0) ** 3)[:, None]
        target = (sigma * mu) * cy  # sigma mu c: the weighted centring target

        # Corrector: r_az / a = target/a - z (1 + t1 (1 - t1)), r_sw / s = target/s - w (1 + t2 (1 - t2)).
        g1 = 1.0 - t1
        g1 *= t1
        g1 += 1.0
        g1 *= z  # z (1 + t1 (1 - t1))
        g2 = 1.0 - t2
        g2 *= t2
        g2 += 1.0
        g2 *= w  # w (1 + t2 (1 - t2))
        del t1, t2
        u = target * inv_a
        u -= g1
        v = target * inv_s
        v -= g2
        del g1, g2
        rho = res - w
        rho += z
        rho += u
        rho -= v
        dbeta = _solve_stacked(gram, (theta * rho) @ x - primal_res)
        da = dbeta @ xt
        np.subtract(rho, da, out=da)
        da *= theta
        del rho, theta
        ratio_a = da * inv_a
        ratio_s = da * inv_s
        step_p = np.maximum(np.maximum(-ratio_a.min(axis=1), ratio_s.max(axis=1)), 0.0)
        dz = z * ratio_a
        np.subtract(u, dz, out=dz)  # dz = r_az/a - z da/a
        dw = w * ratio_s
        dw += v  # dw = r_sw/s + w da/s
        del u, v, ratio_a, ratio_s
        ratio_z = dz / z
        ratio_w = dw / w
        step_d = np.maximum(np.maximum(-ratio_z.min(axis=1), -ratio_w.min(axis=1)), 0.0)
        del ratio_z, ratio_w
        eta = np.where(rel < STEP_SWITCH_GAP, STEP_FINAL, STEP_EARLY)
        with np.errstate(divide="ignore"):
            alpha_p = np.minimum(1.0, eta / step_p)[:, None]
            alpha_d = np.minimum(1.0, eta / step_d)[:, None]
        da *= alpha_p
        a += da
        beta += alpha_d * dbeta
        dz *= alpha_d
        z += dz
        dw *= alpha_d
        w += dw

    coef[active] = beta
    return coef, its, gaps


@functools.cache
def _openblas_local_threads() -> Callable[[int], int] | None:
    """OpenBLAS's `openblas_set_num_threads_local` from numpy's bundled library, if it can be found.

    The solver makes thousands of small matrix products. Left to itself OpenBLAS splits every one of them
    over all cores, and on a busy 2-core machine its threads spin waiting for each other: the product that
    forms the p x p matrices took 28 times longer (6.8 ms instead of 0.24 ms) and whole solves several
    times longer. Setting one BLAS thread *for the calling thread only* (OpenBLAS 0.3.27 and later) avoids
    that without touching BLAS elsewhere in the process. Best effort: None (no change) if numpy uses another
    BLAS or the library cannot be located.
    """
    base = os.path.dirname(os.path.dirname(np.__file__))
    patterns = ("numpy.libs/*openblas*", "numpy/.dylibs/*openblas*")  # Linux and Windows wheels; macOS
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(base, pattern))):
            try:
                lib = ctypes.CDLL(path)
                setter = lib.openblas_set_num_threads_local
            except (OSError, AttributeError):
                continue
            setter.restype = ctypes.c_int
            setter.argtypes = [ctypes.c_int]
            return typing.cast(Callable[[int], int], setter)
    return None


@contextmanager
def _single_threaded_blas() -> Iterator[None]:
    setter = _openblas_local_threads()
    if setter is None:
        yield
        return
    previous = setter(1)
    try:
        yield
    finally:
        setter(previous)


def quantile_regression(
    X: ArrayLike,
    y: ArrayLike,
    taus: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> FloatArray:
    """Coefficients of the linear quantile regressions of y on X, shape (p, len(taus)).

    X should contain its own intercept column. Rows with zero weight are ignored. Deterministic: the same
    inputs give the same coefficients, whatever the row order's effect on round-off.
    """
    coef, _ = quantile_regression_with_info(X, y, taus, weights=weights, tol=tol, max_iter=max_iter)
    return coef


def quantile_regression_with_info(
    X: ArrayLike,
    y: ArrayLike,
    taus: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> tuple[FloatArray, SolverInfo]:
    """`quantile_regression` plus what the solver did (`SolverInfo`)."""
    x = np.asarray(X, dtype=np.float64)
    yy = np.asarray(y, dtype=np.float64).ravel()
    tt = np.atleast_1d(np.asarray(taus, dtype=np.float64)).ravel()
    if x.ndim != 2 or x.shape[0] != yy.size:
        raise ValueError("X must be (n, p) and y must have n values")
    if tt.size == 0 or np.any((tt <= 0) | (tt >= 1)):
        raise ValueError("taus must lie strictly between 0 and 1")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(yy))):
        raise ValueError("X and y must be finite")
    c = np.ones(yy.size) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if c.size != yy.size or not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError("weights must be n finite non-negative numbers")
    n_rows, p = x.shape
    coef = np.zeros((p, tt.size))
    keep = c > 0
    if not keep.any():
        raise ValueError("no rows with positive weight")
    xk, yk, ck = _merge_identical_rows(x[keep], yy[keep], c[keep])

    columns = _independent_columns(xk)
    if columns.size == 0:  # every column is zero: the fitted quantiles are 0 whatever b is
        return coef, SolverInfo(n_rows, yk.size, 0, 0, 0.0)
    xr = np.ascontiguousarray(xk[:, columns])

    # Quantile regression is equivariant: with an intercept column, solving for (y - median) / spread and
    # mapping back gives the same fit, and makes a * y + b (a > 0) reach the solver as (nearly) the same
    # numbers, so growth percentiles are invariant to a change of scale in practice as well as in theory.
    ones = np.flatnonzero(np.all(xr == 1.0, axis=0))
    centre = float(np.median(yk)) if ones.size else 0.0
    y_scale = float(np.max(np.abs(yk - centre)))
    if y_scale == 0.0:
        y_scale = 1.0
    prob = _prepare(xr, (yk - centre) / y_scale, ck)

    # Interleave the taus over the chunks, so that every chunk gets a mix of easy central and hard extreme
    # taus (a chunk runs until its slowest tau has converged, but converged taus stop costing anything).
    per_chunk = max(1, CHUNK_BYTES // (8 * _LIVE_ARRAYS * yk.size))
    job_count = -(-tt.size // per_chunk)
    results = []
    with _single_threaded_blas():
        for k in range(job_count):
            index = np.arange(k, tt.size, job_count)
            solved, its, gaps = _ipm(prob, tt[index], tol=tol, max_iter=max_iter)
            results.append((index, solved, its, gaps))

    iterations = 0
    worst = 0.0
    for index, solved, its, gaps in results:
        coef[np.ix_(columns, index)] = solved.T * y_scale
        iterations = max(iterations, int(its.max()))
        worst = max(worst, float(gaps.max()))
    if ones.size:
        coef[columns[ones[0]], :] += centre
    if worst >= tol:
        warnings.warn(
            f"quantile regression stopped after {max_iter} iterations with relative duality gap {worst:.1e} "
            f"(tolerance {tol:.0e}); the fit is approximate",
            RuntimeWarning,
            stacklevel=2,
        )
    return coef, SolverInfo(n_rows, yk.size, int(columns.size), iterations, worst)
