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
- a tau leaves the batch as soon as it has converged;
- from 10,000 distinct rows up, Portnoy-Koenker preprocessing (`_solve_preprocessed`) solves each tau on the
  rows near its hyperplane only, and accepts the result only after checking the optimality conditions on
  every row.

Threads: the solver runs in the calling thread with OpenBLAS limited to one thread for that thread (see
`_openblas_local_threads`); two solver threads of our own did not help on the 2-core benchmark machine.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import math
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
#: Extreme taus on large problems need the most iterations (about 70 for 600,000 rows); the cap is a backstop.
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
#: Portnoy-Koenker preprocessing (`_solve_preprocessed`) from this many distinct rows up.
PREPROCESS_MIN_ROWS = 10_000
#: Subsample of PREPROCESS_SUBSAMPLE sqrt(p) n^(2/3) rows (Portnoy & Koenker's order), at least this many.
PREPROCESS_SUBSAMPLE = 1.0
PREPROCESS_MIN_SUBSAMPLE = 2_000
#: Rows kept next to each quantile's hyperplane, as a multiple of the subsample size; doubled each round.
PREPROCESS_BAND = 1.5
PREPROCESS_ROUNDS = 4
PREPROCESS_GROWTH = 2.0
#: Tolerance for the subsample fit, which only provides a starting point.
PREPROCESS_START_TOL = 1e-6
#: A globbed row counts as on the wrong side when its residual is beyond this (in units of the scaled y).
PREPROCESS_SLACK = 1e-9
PREPROCESS_SEED = 20260101


@dataclass(frozen=True)
class SolverInfo:
    """What the solver did, for logs and benchmarks."""

    rows: int  #: rows given (with positive weight)
    distinct_rows: int  #: rows after merging identical (x, y) rows
    rank: int  #: columns kept (linearly independent)
    iterations: int  #: most interior-point iterations any tau needed, over all preprocessing rounds
    max_relative_gap: float  #: largest final relative duality gap over the taus


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
class _Rows:
    """The rows the taus of a batch see: one set shared by every tau, or one set per tau (preprocessing).

    Shared: x (n, p), y and c (1, n), and the row-wise products x_ij x_ik (n, p(p+1)/2). Per tau: x
    (T, m, p), y and c (T, m). The interior-point loop only needs X b, X'v and X' diag(theta) X, so it runs
    unchanged on either.
    """

    x: FloatArray
    y: FloatArray
    c: FloatArray
    products: FloatArray
    xt: FloatArray | None  # (p, n), contiguous, when shared

    @classmethod
    def shared(cls, x: FloatArray, y: FloatArray, c: FloatArray) -> _Rows:
        rows, cols = np.triu_indices(x.shape[1])
        return cls(
            x=x,
            y=y[None, :],
            c=c[None, :],
            products=np.ascontiguousarray(x[:, rows] * x[:, cols]),
            xt=np.ascontiguousarray(x.T),
        )

    @classmethod
    def per_tau(cls, x: FloatArray, y: FloatArray, c: FloatArray) -> _Rows:
        # No row-wise products here: each tau's X' diag(theta) X is one small batched product instead.
        return cls(x=x, y=y, c=c, products=np.empty((0, 0)), xt=None)

    def take(self, keep: NDArray[np.bool_]) -> _Rows:
        if self.xt is not None:
            return self
        return _Rows(x=self.x[keep], y=self.y[keep], c=self.c[keep], products=self.products, xt=None)

    def fitted(self, beta: FloatArray) -> FloatArray:
        """X b for each tau: (T, n)."""
        if self.xt is not None:
            return beta @ self.xt
        out: FloatArray = np.matmul(self.x, beta[:, :, None])[:, :, 0]
        return out

    def cross(self, v: FloatArray) -> FloatArray:
        """X'v for each tau: (T, p)."""
        if self.xt is not None:
            return v @ self.x
        out: FloatArray = np.matmul(v[:, None, :], self.x)[:, 0, :]
        return out

    def gram(self, theta: FloatArray) -> FloatArray:
        """X' diag(theta) X for each tau: (T, p, p)."""
        if self.xt is None:
            weighted = self.x.transpose(0, 2, 1) * theta[:, None, :]
            out: FloatArray = np.matmul(weighted, self.x)
            return out
        p = self.x.shape[-1]
        flat = theta @ self.products  # all taus' matrices from one product with the row-wise products
        rows, cols = np.triu_indices(p)
        gram = np.empty((theta.shape[0], p, p))
        gram[:, rows, cols] = flat
        gram[:, cols, rows] = flat
        return gram

    def dot_y(self, a: FloatArray) -> FloatArray:
        """y'a for each tau: (T,)."""
        if self.xt is not None:
            out: FloatArray = a @ self.y[0]
            return out
        return np.einsum("ij,ij->i", a, self.y)


def _least_squares(x: FloatArray, y: FloatArray, c: FloatArray) -> FloatArray:
    xw = x * c[:, None]
    beta: FloatArray = np.linalg.lstsq(xw.T @ x, xw.T @ y, rcond=None)[0].astype(np.float64)
    return beta


def _ipm(
    rows: _Rows, taus: FloatArray, beta0: FloatArray, *, tol: float, max_iter: int
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Mehrotra predictor-corrector for a batch of taus: coef (T, p), iterations (T,), relative gaps (T,).

    `beta0` (T, p) is the starting fit; the primal start a = (1 - tau) c is feasible, and the dual start
    splits the starting residual into w - z, both shifted by its mean absolute size so they are positive.
    """
    p = rows.x.shape[-1]
    t_count = taus.size
    cy = rows.c
    total = np.broadcast_to(cy.sum(axis=1), (t_count,)).copy()

    a = (1.0 - taus)[:, None] * cy
    rhs_all = (1.0 - taus)[:, None] * rows.cross(np.broadcast_to(cy, a.shape))
    const = (1.0 - taus) * np.broadcast_to((rows.y * cy).sum(axis=1), (t_count,))  # dual obj. y'a - const
    beta = beta0.copy()
    res0 = rows.y - rows.fitted(beta)
    shift = np.maximum((cy * np.abs(res0)).sum(axis=1) / total, 1e-10)[:, None]
    z = np.maximum(-res0, 0.0) + shift
    w = np.maximum(res0, 0.0) + shift
    del res0

    active = np.arange(t_count)
    coef = np.zeros((t_count, p))
    its = np.full(t_count, max_iter, dtype=np.intp)
    gaps = np.full(t_count, np.inf)

    for iteration in range(1, max_iter + 1):
        s = cy - a
        res = rows.fitted(beta)
        np.subtract(rows.y, res, out=res)  # y - Xb

        az = a * z
        sw = s * w
        gap = az.sum(axis=1) + sw.sum(axis=1)
        dual_obj = rows.dot_y(a) - const[active]
        rel = gap / np.maximum(np.abs(dual_obj), 1e-4 * total[active])
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
            rows = rows.take(keep)
            cy = rows.c
        mu = (gap / (2.0 * total[active]))[:, None]

        inv_a = 1.0 / a
        inv_s = 1.0 / s
        theta = z * inv_a
        theta += w * inv_s
        np.reciprocal(theta, out=theta)  # theta = 1 / (z/a + w/s)

        gram = rows.gram(theta)
        primal_res = rhs_all[active] - rows.cross(a)  # round-off only: the start is feasible

        # Predictor (affine scaling, mu = 0): the right-hand side reduces to the residual y - Xb.
        dbeta = _solve_stacked(gram, rows.cross(theta * res) - primal_res)
        da = rows.fitted(dbeta)
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
        dbeta = _solve_stacked(gram, rows.cross(theta * rho) - primal_res)
        da = rows.fitted(dbeta)
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


def _solve_shared(
    x: FloatArray, y: FloatArray, c: FloatArray, taus: FloatArray, *, tol: float, max_iter: int
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Every tau on every row, from a least-squares start, in cache-sized chunks of taus."""
    rows = _Rows.shared(x, y, c)
    start = _least_squares(x, y, c)
    coef = np.empty((taus.size, x.shape[1]))
    its = np.empty(taus.size, dtype=np.intp)
    gaps = np.empty(taus.size)
    # Interleave the taus over the chunks, so that every chunk gets a mix of easy central and hard extreme
    # taus (a chunk runs until its slowest tau has converged, but converged taus stop costing anything).
    per_chunk = max(1, CHUNK_BYTES // (8 * _LIVE_ARRAYS * y.size))
    job_count = -(-taus.size // per_chunk)
    for k in range(job_count):
        index = np.arange(k, taus.size, job_count)
        beta0 = np.tile(start, (index.size, 1))
        coef[index], its[index], gaps[index] = _ipm(rows, taus[index], beta0, tol=tol, max_iter=max_iter)
    return coef, its, gaps


def _solve_preprocessed(
    x: FloatArray, y: FloatArray, c: FloatArray, taus: FloatArray, *, tol: float, max_iter: int
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Portnoy-Koenker preprocessing, verified: the same optimum as `_solve_shared`, on far fewer rows.

    After Portnoy & Koenker (1997) and Koenker (2005, chapter 6): a fit on a random subsample predicts which
    rows lie far above or far below each quantile's hyperplane. Those rows only need their sign, so each side
    is "globbed" into one pseudo-row (the weighted mean row, carrying the total weight: its check loss is the
    sum of theirs as long as every one of them stays on its side). Each tau is then solved on the rows near
    its hyperplane plus the two pseudo-rows, and the answer is *checked on every row*: a tau is accepted
    only if no globbed row is on the wrong side of its fit (beyond round-off). Otherwise the tau is solved
    again around its new fit, with a wider band that always keeps the rows found on the wrong side, and after
    a few rounds it falls back to the full solve. An accepted fit therefore meets the optimality conditions
    of the full problem, exactly as `_solve_shared`'s does. (Preprocessing without this check was badly wrong
    at n = 600,000: analytics reference, section 3.)
    """
    n, p = x.shape
    t_count = taus.size
    m = min(n, max(PREPROCESS_MIN_SUBSAMPLE, int(PREPROCESS_SUBSAMPLE * math.sqrt(p) * n ** (2.0 / 3.0))))
    sample = np.sort(np.random.default_rng(PREPROCESS_SEED).choice(n, size=m, replace=False))
    start, _, _ = _solve_shared(
        x[sample], y[sample], c[sample], taus, tol=PREPROCESS_START_TOL, max_iter=max_iter
    )
    # The subsample's hyperplane is least certain where the subsample has little weight, so rows are ranked
    # by their residual in units of its standard error there, which is proportional to the square root of
    # the leverage x'(X'CX)^-1 x. (Scaling by the local spread of the scores as well made it worse: the
    # spread is itself poorly estimated exactly where the leverage is high.)
    xs = x[sample] * c[sample, None]
    inverse = np.linalg.pinv(xs.T @ x[sample])
    unit = 1.0 / np.sqrt(np.maximum(((x @ inverse) * x).sum(axis=1), 1e-300))
    del xs

    xt = np.ascontiguousarray(x.T)
    coef = np.empty((t_count, p))
    its = np.zeros(t_count, dtype=np.intp)
    gaps = np.full(t_count, np.inf)
    forced: list[IntArray] = [np.empty(0, dtype=np.intp) for _ in range(t_count)]
    pending = np.arange(t_count)
    band = min(n, int(PREPROCESS_BAND * m))
    for _ in range(PREPROCESS_ROUNDS):
        if pending.size == 0:
            break
        unresolved: list[int] = []
        width = band + max(forced[t].size for t in pending)
        if width >= n // 2:  # no longer much smaller than the full problem
            break
        per_chunk = max(1, CHUNK_BYTES // (8 * _LIVE_ARRAYS * (width + 2)))
        for first in range(0, pending.size, per_chunk):
            batch = pending[first : first + per_chunk]
            res = y[None, :] - start[batch] @ xt
            priority = np.abs(res) * unit
            for j, t in enumerate(batch):
                priority[j, forced[t]] = -1.0  # rows found on the wrong side before are always kept
            kept = np.sort(np.argpartition(priority, width - 1, axis=1)[:, :width], axis=1)
            del priority
            globbed = np.ones(res.shape, dtype=bool)
            np.put_along_axis(globbed, kept, False, axis=1)
            above = globbed & (res >= 0)
            below = globbed & (res < 0)
            del res, globbed
            x_rows = [x[kept]]
            y_rows = [y[kept]]
            c_rows = [c[kept]]
            for side in (above, below):
                weight = side @ c  # (B,)
                has = weight > 0
                scale = np.where(has, 1.0 / np.where(has, weight, 1.0), 0.0)
                x_rows.append((((side * c) @ x) * scale[:, None])[:, None, :])
                y_rows.append((((side * c) @ y) * scale)[:, None])
                c_rows.append(np.where(has, weight, 1.0)[:, None])  # an empty side: a harmless zero row
            rows = _Rows.per_tau(
                np.concatenate(x_rows, axis=1), np.concatenate(y_rows, axis=1), np.concatenate(c_rows, axis=1)
            )
            solved, solved_its, solved_gaps = _ipm(
                rows, taus[batch], start[batch], tol=tol, max_iter=max_iter
            )
            del rows, x_rows
            fit = y[None, :] - solved @ xt
            wrong = (above & (fit < -PREPROCESS_SLACK)) | (below & (fit > PREPROCESS_SLACK))
            for j, t in enumerate(batch):
                its[t] += solved_its[j]
                bad = np.flatnonzero(wrong[j])
                if bad.size == 0 and solved_gaps[j] < tol:
                    coef[t], gaps[t] = solved[j], solved_gaps[j]
                else:
                    # A few rows on the wrong side: the fit is close, so the next round centres on it and
                    # keeps those rows. Many: the band was too narrow and the fit is the optimum of a
                    # different problem, so the next round keeps the subsample's fit with a wider band.
                    if bad.size <= band // 4:
                        forced[t] = np.union1d(forced[t], bad)
                        start[t] = solved[j]
                    unresolved.append(int(t))
        pending = np.asarray(unresolved, dtype=np.intp)
        band = int(band * PREPROCESS_GROWTH)
    if pending.size:
        full, full_its, full_gaps = _solve_shared(x, y, c, taus[pending], tol=tol, max_iter=max_iter)
        coef[pending], gaps[pending] = full, full_gaps
        its[pending] += full_its
    return coef, its, gaps


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

    X should contain its own intercept column. Rows with zero weight are ignored. Deterministic and
    independent of row order (with integer weights): rows are merged and put in a canonical order first.
    Warns (RuntimeWarning) if a tau has not converged within `max_iter` iterations.
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
    ys = (yk - centre) / y_scale

    with _single_threaded_blas():
        if yk.size >= PREPROCESS_MIN_ROWS:
            solved, its, gaps = _solve_preprocessed(xr, ys, ck, tt, tol=tol, max_iter=max_iter)
        else:
            solved, its, gaps = _solve_shared(xr, ys, ck, tt, tol=tol, max_iter=max_iter)

    coef[columns, :] = solved.T * y_scale
    iterations = int(its.max())
    worst = float(gaps.max())
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
