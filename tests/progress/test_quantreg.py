"""The batched interior-point quantile-regression solver against an exact LP solver (HiGHS through scipy).

Acceptance (analytics reference, section 11): at least 99.9% identical growth percentiles and 100% within 1 of
those from an exact solve; fitted quantiles compared, not raw coefficients (the optimum need not be unique).
"""

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from tandem.progress import quantreg
from tandem.progress.quantreg import check_loss, quantile_regression, quantile_regression_with_info
from tandem.progress.sgp import TAUS
from tandem.progress.splines import design_matrix, fit_spline_spec


def exact_lp(x, y, tau):
    """min tau 1'u + (1 - tau) 1'v  s.t.  X b + u - v = y, u, v >= 0, by HiGHS. Returns (b, optimum)."""
    n, p = x.shape
    cost = np.concatenate([np.zeros(p), np.full(n, tau), np.full(n, 1.0 - tau)])
    a_eq = sparse.hstack([sparse.csr_matrix(x), sparse.eye(n), -sparse.eye(n)], format="csr")
    bounds = [(None, None)] * p + [(0, None)] * (2 * n)
    result = linprog(cost, A_eq=a_eq, b_eq=y, bounds=bounds, method="highs")
    assert result.status == 0
    return result.x[:p], result.fun


def sgps(x, y, coef):
    """The SGP rule on a coefficient matrix: sort, round to 5 dp, count strictly below, clip to 1..99."""
    q = np.round(np.sort(x @ coef, axis=1), 5)
    return np.clip(np.count_nonzero(q < y[:, None], axis=1), 1, 99)


def sgp_like(n, seed):
    """Integer scale scores, heteroscedastic and curved, so ties and the rounding rule both matter."""
    rng = np.random.default_rng(seed)
    prior = np.round(rng.normal(50, 10, n))
    current = np.round(10 + 0.9 * prior + rng.normal(0, 1, n) * (4 + 0.1 * np.abs(prior - 50)))
    return prior, current


@pytest.fixture(scope="module")
def solved():
    """Two random problems (n = 400, p = 8), all 100 taus, by both solvers."""
    problems = []
    for seed in (11, 12):
        prior, current = sgp_like(400, seed)
        x = design_matrix(fit_spline_spec(priors=prior), priors=prior)
        ours = quantile_regression(x, current, TAUS)
        exact = np.empty_like(ours)
        optimum = np.empty(TAUS.size)
        for j, tau in enumerate(TAUS):
            exact[:, j], optimum[j] = exact_lp(x, current, tau)
        problems.append((x, current, ours, exact, optimum))
    return problems


def test_it_matches_an_exact_lp_solver_on_growth_percentiles(solved):
    ours = np.concatenate([sgps(x, y, b) for x, y, b, _, _ in solved])
    exact = np.concatenate([sgps(x, y, e) for x, y, _, e, _ in solved])
    assert np.mean(ours == exact) >= 0.999
    assert np.all(np.abs(ours - exact) <= 1)


def test_it_matches_an_exact_lp_solver_on_fitted_quantiles(solved):
    for x, _, ours, exact, _ in solved:
        assert np.max(np.abs(x @ ours - x @ exact)) < 1e-4


def test_it_reaches_the_exact_optimum_of_the_check_loss(solved):
    for x, y, ours, _, optimum in solved:
        for j, tau in enumerate(TAUS):
            loss = check_loss(residuals=y - x @ ours[:, j], tau=tau)
            assert loss <= optimum[j] * (1 + 1e-6) + 1e-9


def test_it_recovers_sample_quantiles_with_an_intercept_only_design():
    y = np.arange(1.0, 102.0)  # 101 values: the tau-quantile is unique when 101 tau is not an integer
    coef = quantile_regression(np.ones((101, 1)), y, [0.1, 0.5, 0.9])
    assert np.allclose(coef[0], [11.0, 51.0, 91.0], atol=1e-6)


def test_it_treats_weights_as_repeated_rows():
    rng = np.random.default_rng(5)
    x = np.column_stack([np.ones(60), rng.normal(size=60)])
    y = np.round(x[:, 1] * 3 + rng.normal(size=60))
    counts = rng.integers(1, 4, 60)
    weighted = quantile_regression(x, y, [0.25, 0.75], weights=counts)
    repeated = quantile_regression(np.repeat(x, counts, axis=0), np.repeat(y, counts), [0.25, 0.75])
    for j, tau in enumerate([0.25, 0.75]):
        a = check_loss(residuals=y - x @ weighted[:, j], tau=tau, weights=counts)
        b = check_loss(residuals=y - x @ repeated[:, j], tau=tau, weights=counts)
        assert a == pytest.approx(b, rel=1e-8)


def test_it_merges_duplicate_rows_without_changing_the_fit():
    prior, current = sgp_like(300, 7)
    x = design_matrix(fit_spline_spec(priors=prior), priors=prior)
    once = quantile_regression(x, current, TAUS)
    twice = quantile_regression(np.vstack([x, x]), np.concatenate([current, current]), TAUS)
    assert np.max(np.abs(x @ once - x @ twice)) < 1e-6


def test_it_does_not_depend_on_row_order():
    prior, current = sgp_like(300, 8)
    x = design_matrix(fit_spline_spec(priors=prior), priors=prior)
    order = np.random.default_rng(1).permutation(300)
    assert np.array_equal(
        quantile_regression(x, current, TAUS), quantile_regression(x[order], current[order], TAUS)
    )


def test_it_is_deterministic():
    prior, current = sgp_like(500, 9)
    x = design_matrix(fit_spline_spec(priors=prior), priors=prior)
    assert np.array_equal(quantile_regression(x, current, TAUS), quantile_regression(x, current, TAUS))


def test_it_drops_collinear_columns_for_a_constant_prior():
    prior = np.full(201, 30.0)
    current = np.arange(201.0)
    x = design_matrix(fit_spline_spec(priors=prior), priors=prior)
    coef, info = quantile_regression_with_info(x, current, [0.255, 0.505])
    assert info.rank == 1
    # 201 tau is not an integer, so the sample quantile is unique: the ceil(201 tau)-th smallest value.
    assert np.allclose(x[0] @ coef, [51.0, 101.0], atol=1e-6)


def test_it_fits_a_constant_outcome_exactly():
    prior, _ = sgp_like(100, 10)
    x = design_matrix(fit_spline_spec(priors=prior), priors=prior)
    coef = quantile_regression(x, np.full(100, 42.0), TAUS)
    assert np.allclose(x @ coef, 42.0, atol=1e-6)


def test_it_reports_what_it_did():
    prior, current = sgp_like(400, 11)
    x = design_matrix(fit_spline_spec(priors=prior), priors=prior)
    _, info = quantile_regression_with_info(x, current, TAUS)
    assert info.rows == 400
    assert info.distinct_rows < 400  # integer scores repeat
    assert info.rank == 8
    assert 0 < info.iterations < 200
    assert info.max_relative_gap < 1e-10


def test_it_rejects_bad_input():
    with pytest.raises(ValueError, match="taus"):
        quantile_regression(np.ones((3, 1)), [1.0, 2.0, 3.0], [0.0])
    with pytest.raises(ValueError, match="finite"):
        quantile_regression(np.ones((3, 1)), [1.0, np.nan, 3.0], [0.5])
    with pytest.raises(ValueError, match="weights"):
        quantile_regression(np.ones((3, 1)), [1.0, 2.0, 3.0], [0.5], weights=[1.0, -1.0, 1.0])


def test_it_warns_when_it_stops_before_converging():
    x = np.column_stack([np.ones(500), np.arange(500.0)])
    y = np.random.default_rng(0).normal(size=500)
    with pytest.warns(RuntimeWarning, match="approximate"):
        quantile_regression(x, y, [0.1, 0.5], max_iter=3)


def large_problem(n, seed):
    """Continuous scores (no repeated rows), so preprocessing has to work on every row."""
    rng = np.random.default_rng(seed)
    prior = rng.normal(50, 10, n)
    current = 10 + 0.9 * prior + rng.normal(0, 1, n) * (4 + 0.1 * np.abs(prior - 50))
    return design_matrix(fit_spline_spec(priors=prior), priors=prior), current


def losses(x, y, coef, taus):
    return np.array([check_loss(residuals=y - x @ coef[:, j], tau=t) for j, t in enumerate(taus)])


@pytest.fixture
def full_solve_only(monkeypatch):
    def solve(x, y, taus):
        with monkeypatch.context() as m:
            m.setattr(quantreg, "PREPROCESS_MIN_ROWS", 10**12)
            return quantile_regression(x, y, taus)

    return solve


def test_it_gets_the_full_optimum_with_preprocessing(full_solve_only):
    x, y = large_problem(12_000, 21)
    assert quantreg.PREPROCESS_MIN_ROWS <= 12_000  # this size takes the preprocessing path
    pre = quantile_regression(x, y, TAUS)
    full = full_solve_only(x, y, TAUS)
    assert np.allclose(losses(x, y, pre, TAUS), losses(x, y, full, TAUS), rtol=1e-9)
    a, b = sgps(x, y, pre), sgps(x, y, full)
    assert np.mean(a == b) >= 0.999
    assert np.all(np.abs(a - b) <= 1)


def test_it_checks_and_repairs_a_band_that_is_too_narrow(monkeypatch, full_solve_only):
    # A band far too narrow for the subsample's accuracy: rows land on the wrong side of the first fits and
    # must be brought back by the later rounds or the fallback to the full solve.
    x, y = large_problem(12_000, 22)
    taus = TAUS[::9]
    full = full_solve_only(x, y, taus)
    for band, rounds in ((0.3, 4), (0.05, 1)):  # repaired in later rounds; left to the full solve
        monkeypatch.setattr(quantreg, "PREPROCESS_BAND", band)
        monkeypatch.setattr(quantreg, "PREPROCESS_ROUNDS", rounds)
        pre = quantile_regression(x, y, taus)
        assert np.allclose(losses(x, y, pre, taus), losses(x, y, full, taus), rtol=1e-9)


def test_it_matches_an_exact_lp_solver_with_preprocessing(monkeypatch):
    monkeypatch.setattr(quantreg, "PREPROCESS_MIN_ROWS", 1_000)
    monkeypatch.setattr(quantreg, "PREPROCESS_MIN_SUBSAMPLE", 300)
    prior, current = sgp_like(1_500, 23)
    x = design_matrix(fit_spline_spec(priors=prior), priors=prior)
    taus = TAUS[::11]
    ours = quantile_regression(x, current, taus)
    for j, tau in enumerate(taus):
        _, optimum = exact_lp(x, current, tau)
        assert check_loss(residuals=current - x @ ours[:, j], tau=tau) <= optimum * (1 + 1e-6) + 1e-9
