"""Student Growth Percentiles: the counting rule, invariances, calibration and stored models.

Property tests draw small synthetic cohorts (integer scale scores, so ties occur); calibration uses one larger
cohort drawn from a known heteroscedastic model (analytics reference, section 11).
"""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.progress.sgp import (
    TAUS,
    GrowthModel,
    fit_growth_model,
    growth_percentiles,
    growth_percentiles_all_orders,
    predicted_quantiles,
    sgp_standard_error,
)
from tandem.progress.splines import fit_spline_spec

FEW = settings(max_examples=6, deadline=None, derandomize=True)


def cohort(n, seed, order=1):
    """Integer scale scores: priors ~ N(100, 15); current curved in the latest prior, noise rising with it."""
    rng = np.random.default_rng(seed)
    priors = np.round(rng.normal(100, 15, (n, order)))
    latest = priors[:, -1]
    mean = 20 + 0.85 * latest + 0.004 * (latest - 100) ** 2 + 0.1 * (priors.sum(axis=1) - latest)
    current = np.round(mean + rng.normal(0, 1, n) * (6 + 0.08 * np.clip(latest - 70, 0, None)))
    return priors, current


cohorts = st.tuples(st.integers(200, 700), st.integers(0, 10_000), st.sampled_from([1, 2]))


@FEW
@given(cohorts, st.integers(0, 10_000))
def test_it_does_not_depend_on_row_order(spec, shuffle_seed):
    n, seed, order = spec
    priors, current = cohort(n, seed, order)
    model = fit_growth_model(priors=priors, current=current)
    sgp = growth_percentiles(model, priors=priors, current=current)
    perm = np.random.default_rng(shuffle_seed).permutation(n)
    shuffled = fit_growth_model(priors=priors[perm], current=current[perm])
    assert np.array_equal(growth_percentiles(shuffled, priors=priors[perm], current=current[perm]), sgp[perm])


@FEW
@given(cohorts, st.lists(st.floats(0.0, 40.0), min_size=1, max_size=5))
def test_it_never_gives_a_higher_score_a_lower_percentile(spec, steps):
    n, seed, order = spec
    priors, current = cohort(n, seed, order)
    model = fit_growth_model(priors=priors, current=current)
    previous = growth_percentiles(model, priors=priors, current=current)
    raised = current.copy()
    for step in sorted(steps):
        raised = raised + step
        now = growth_percentiles(model, priors=priors, current=raised)
        assert np.all(now >= previous)
        previous = now


@FEW
@given(cohorts, st.sampled_from([0.5, 2.0, 3.0]), st.integers(-500, 500))
def test_it_is_unchanged_by_a_linear_rescaling_of_current_scores(spec, scale, shift):
    n, seed, order = spec
    priors, current = cohort(n, seed, order)
    model = fit_growth_model(priors=priors, current=current)
    rescaled = scale * current + shift
    other = fit_growth_model(priors=priors, current=rescaled)
    assert np.array_equal(
        growth_percentiles(other, priors=priors, current=rescaled),
        growth_percentiles(model, priors=priors, current=current),
    )


@FEW
@given(cohorts)
def test_it_gives_the_same_percentiles_from_a_stored_model(spec):
    n, seed, order = spec
    priors, current = cohort(n, seed, order)
    model = fit_growth_model(priors=priors, current=current, label="Maths Y5")
    stored = GrowthModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert stored.label == "Maths Y5"
    assert stored.n == n
    assert stored.order == order
    assert np.array_equal(stored.coefficients, model.coefficients)
    other_priors, other_current = cohort(150, seed + 1, order)  # another school, scored against these norms
    for p, c in ((priors, current), (other_priors, other_current)):
        assert np.array_equal(
            growth_percentiles(stored, priors=p, current=c), growth_percentiles(model, priors=p, current=c)
        )


def test_it_is_calibrated_on_data_from_a_known_model():
    n = 5000
    priors, current = cohort(n, 2024)
    model = fit_growth_model(priors=priors, current=current)
    sgp = growth_percentiles(model, priors=priors, current=current)
    assert sgp.dtype == np.int16
    assert sgp.min() >= 1 and sgp.max() <= 99
    assert abs(sgp.mean() - 50) < 1
    # Counts 0..100 are (nearly) uniform with weight 1/200 at 0 and 100; 0 -> 1 and 100 -> 99 put 10.5% in
    # 1-10 and 9.5% in 91-99.
    expected = np.array([0.105] + [0.1] * 8 + [0.095])
    decile = np.minimum((sgp - 1) // 10, 9)
    assert np.all(np.abs(np.bincount(decile, minlength=10) / n - expected) < 0.015)
    # Goodness of fit (the SGP package's table): SGP decile within each prior-score decile. A row has about
    # 500 pupils, so binomial noise alone has a standard deviation of 1.3 points per cell.
    prior_decile = np.searchsorted(
        np.quantile(priors[:, 0], np.linspace(0.1, 0.9, 9)), priors[:, 0], side="right"
    )
    for d in range(10):
        row = decile[prior_decile == d]
        assert row.size > 300
        assert np.all(np.abs(np.bincount(row, minlength=10) / row.size - expected) < 0.05)


def flat_model(quantiles):
    """A model whose 100 quantiles are the same for everyone: intercept only, other coefficients 0."""
    spec = fit_spline_spec(priors=np.arange(100.0))
    coefficients = np.zeros((spec.columns, TAUS.size))
    coefficients[0] = quantiles
    return GrowthModel(spec=spec, coefficients=coefficients, n=100)


def test_it_counts_only_quantiles_strictly_below_the_score():
    model = flat_model(np.arange(100.0) + 101.0)  # quantiles 101, 102, ..., 200
    priors = np.full(6, 50.0)
    current = np.array([101.0, 101.5, 150.0, 150.5, 200.0, 500.0])
    # on quantile 101: nothing strictly below (0 -> 1); 101.5: one; on 150: 49 below (101..149); 200: 99
    assert growth_percentiles(model, priors=priors, current=current).tolist() == [1, 1, 49, 50, 99, 99]


def test_it_rounds_quantiles_to_five_decimals_before_comparing():
    quantiles = np.arange(100.0) + 101.0  # 101, 102, ..., 200
    quantiles[48] = 150.0 - 1e-9  # was 149; solver noise just below 150 rounds to 150.00000
    quantiles[49] = 151.0 + 4e-6  # was 150; rounds to 151.00000
    model = flat_model(quantiles)
    sgp = growth_percentiles(model, priors=np.full(3, 50.0), current=np.array([150.0, 151.0, 150.00001]))
    # 150: only 101..148 are below (48); the rounded 150 is not strictly below
    # 151: 101..148 and the rounded 150 (49); the rounded 151 is not strictly below
    # 150.00001: 101..148 and the rounded 150 (49)
    assert sgp.tolist() == [48, 49, 49]


def test_it_rearranges_crossing_quantiles():
    quantiles = np.arange(100.0) + 101.0
    quantiles[[10, 20]] = quantiles[[20, 10]]  # crossing quantiles, as unconstrained fits can give
    model = flat_model(quantiles)
    q = predicted_quantiles(model, priors=np.array([50.0]), taus=TAUS)
    assert np.all(np.diff(q[0]) > 0)


def test_it_predicts_quantile_curves_for_charts():
    priors, current = cohort(2000, 5)
    model = fit_growth_model(priors=priors, current=current)
    grid = np.array([[70.0], [100.0], [130.0]])
    curves = predicted_quantiles(model, priors=grid, taus=(0.25, 0.5, 0.75))
    assert curves.shape == (3, 3)
    assert np.all(np.diff(curves, axis=1) > 0)  # 25th < 50th < 75th
    assert np.all(np.diff(curves[:, 1]) > 0)  # a higher start, a higher median outcome
    # a grid tau is returned exactly; the median (between 0.495 and 0.505) is their average
    every = predicted_quantiles(model, priors=grid, taus=TAUS)
    assert np.array_equal(predicted_quantiles(model, priors=grid, taus=[TAUS[10]])[:, 0], every[:, 10])
    assert np.allclose(curves[:, 1], (every[:, 49] + every[:, 50]) / 2)
    assert np.array_equal(
        predicted_quantiles(model, grid, [0.25, 0.5, 0.75]), curves
    )  # positional, as the engine calls it


def test_it_reports_no_percentile_for_missing_scores():
    priors, current = cohort(400, 6)
    model = fit_growth_model(priors=priors, current=current)
    priors[0, 0] = np.nan
    current[1] = np.nan
    sgp = growth_percentiles(model, priors=priors, current=current)
    assert sgp[0] == 0 and sgp[1] == 0
    assert np.all(sgp[2:] >= 1)


def test_it_fits_on_complete_cases_only():
    priors, current = cohort(400, 7)
    current[:10] = np.nan
    model = fit_growth_model(priors=priors, current=current)
    assert model.n == 390


def test_it_reports_the_highest_order_each_pupil_has():
    priors, current = cohort(900, 8, order=2)
    priors[:300, 0] = np.nan  # a third of the pupils have only the latest prior
    result = growth_percentiles_all_orders(priors=priors, current=current)
    assert sorted(result.models) == [1, 2]
    assert result.models[1].n == 900 and result.models[2].n == 600
    assert np.all(result.order[:300] == 1) and np.all(result.order[300:] == 2)
    assert np.array_equal(result.sgp[:300], result.by_order[1][:300])
    assert np.array_equal(result.sgp[300:], result.by_order[2][300:])
    assert np.all(result.by_order[2][:300] == 0)
    order_one = growth_percentiles(
        fit_growth_model(priors=priors[:, 1:], current=current), priors=priors[:, 1:], current=current
    )
    assert np.array_equal(result.by_order[1], order_one)


def test_it_skips_orders_with_too_few_pupils():
    priors, current = cohort(500, 9, order=2)
    priors[:450, 0] = np.nan
    result = growth_percentiles_all_orders(priors=priors, current=current, min_cohort=100)
    assert sorted(result.models) == [1]
    assert np.all(result.order == 1)


def test_it_estimates_a_standard_error_from_measurement_error():
    priors, current = cohort(1000, 10)
    model = fit_growth_model(priors=priors, current=current)
    none = sgp_standard_error(model, priors=priors[:50], current=current[:50], csem=0.0, draws=20)
    assert np.all(none == 0)
    small = sgp_standard_error(model, priors=priors[:50], current=current[:50], csem=1.0, draws=50)
    large = sgp_standard_error(model, priors=priors[:50], current=current[:50], csem=5.0, draws=50)
    assert np.mean(large) > np.mean(small) > 0
    again = sgp_standard_error(model, priors=priors[:50], current=current[:50], csem=1.0, draws=50)
    assert np.array_equal(small, again)
    more = sgp_standard_error(model, priors=priors[:200], current=current[:200], csem=1.0, draws=50)
    assert np.array_equal(more[:50], small)  # the other pupils do not change a pupil's draws


def test_it_refuses_mismatched_inputs():
    priors, current = cohort(300, 11)
    model = fit_growth_model(priors=priors, current=current)
    with pytest.raises(ValueError, match="order"):
        growth_percentiles(model, priors=np.ones((3, 2)), current=np.ones(3))
    with pytest.raises(ValueError, match="current"):
        growth_percentiles(model, priors=priors, current=current[:-1])
    with pytest.raises(ValueError, match="more than"):
        fit_growth_model(priors=priors[:5], current=current[:5])
