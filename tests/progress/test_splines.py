"""The SGP spline design: knots, boundaries and the B-spline basis (analytics reference, section 2)."""

import json

import numpy as np
import pytest

from tandem.progress.splines import SplineSpec, bspline_basis, design_matrix, fit_spline_spec


def test_it_places_knots_and_boundaries_by_hand():
    # 1..10: type-7 quantiles at 20/40/60/80% are 1 + 9p = 2.8, 4.6, 6.4, 8.2;
    # the range 1..10 extended by 10% of 9 at each end is 0.1..10.9 (R: extendrange(1:10, f = 0.1)).
    spec = fit_spline_spec(priors=np.arange(1.0, 11.0))
    assert spec.knots == ((2.8, 4.6, 6.4, 8.2),)
    assert spec.boundaries == ((0.1, 10.9),)
    assert spec.order == 1
    assert spec.columns == 8


def test_it_rounds_knots_and_boundaries_to_three_decimals():
    spec = fit_spline_spec(priors=np.array([0.0, 1.0, 3.0]))
    # quantiles: 0.4, 0.8, 1.4, 2.2; range 0..3 extended by 0.3
    assert spec.knots == ((0.4, 0.8, 1.4, 2.2),)
    assert spec.boundaries == ((-0.3, 3.3),)
    spec = fit_spline_spec(priors=np.array([0.0, 1.0 / 3.0]))
    assert spec.boundaries == ((-0.033, 0.367),)
    assert spec.knots == ((0.067, 0.133, 0.2, 0.267),)


def test_it_fits_one_knot_set_per_prior_column():
    priors = np.column_stack([np.arange(1.0, 11.0), 10 * np.arange(1.0, 11.0)])
    spec = fit_spline_spec(priors=priors)
    assert spec.knots == ((2.8, 4.6, 6.4, 8.2), (28.0, 46.0, 64.0, 82.0))
    assert spec.boundaries == ((0.1, 10.9), (1.0, 109.0))
    x = design_matrix(spec, priors=priors)
    assert x.shape == (10, 15)
    assert np.all(x[:, 0] == 1.0)


def test_it_matches_r_bs_on_the_worked_example():
    # splines::bs(1:10, knots = c(2.8, 4.6, 6.4, 8.2), Boundary.knots = c(0.1, 10.9)), rows 1, 2 and 10,
    # printed by R 4.2.2 to 6 decimals.
    basis = bspline_basis(np.array([1.0, 2.0, 10.0]), knots=(2.8, 4.6, 6.4, 8.2), boundaries=(0.1, 10.9))
    expected = np.array(
        [
            [0.539259, 0.154921, 0.009524, 0, 0, 0, 0],
            [0.417164, 0.467216, 0.089607, 0, 0, 0, 0],
            [0, 0, 0, 0.009524, 0.154921, 0.539259, 0.296296],
        ]
    )
    assert np.allclose(basis, expected, atol=5e-7)


def test_it_is_a_partition_of_unity_with_the_dropped_first_column():
    rng = np.random.default_rng(3)
    x = rng.normal(500, 50, 1000)
    spec = fit_spline_spec(priors=x)
    basis = bspline_basis(x, knots=spec.knots[0], boundaries=spec.boundaries[0])
    assert basis.shape == (1000, 7)
    assert np.all(basis >= 0)
    lo = spec.boundaries[0][0]
    first = (np.clip((spec.knots[0][0] - x) / (spec.knots[0][0] - lo), 0, 1)) ** 3  # B_1 of the full basis
    assert np.allclose(basis.sum(axis=1) + first, 1.0, atol=1e-12)


def test_it_clips_scores_outside_the_boundaries():
    spec = fit_spline_spec(priors=np.arange(1.0, 11.0))
    inside = design_matrix(spec, priors=np.array([0.1, 10.9]))
    outside = design_matrix(spec, priors=np.array([-50.0, 99.0]))
    assert np.array_equal(inside, outside)


def test_it_round_trips_through_a_dict_and_json():
    rng = np.random.default_rng(4)
    spec = fit_spline_spec(priors=rng.normal(100, 15, (500, 2)))
    again = SplineSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again == spec
    priors = rng.normal(100, 15, (50, 2))
    assert np.array_equal(design_matrix(again, priors=priors), design_matrix(spec, priors=priors))


def test_it_survives_a_constant_prior():
    spec = fit_spline_spec(priors=np.full(20, 7.0))
    assert spec.boundaries == ((6.0, 8.0),)
    x = design_matrix(spec, priors=np.full(20, 7.0))
    assert np.all(np.isfinite(x))


def test_it_rejects_a_spec_with_misplaced_knots():
    with pytest.raises(ValueError, match="boundaries"):
        SplineSpec(knots=((1.0, 2.0, 3.0, 4.0),), boundaries=((5.0, 5.0),))
    with pytest.raises(ValueError, match="sorted"):
        SplineSpec(knots=((3.0, 2.0, 3.0, 4.0),), boundaries=((0.0, 5.0),))
    with pytest.raises(ValueError, match="prior"):
        design_matrix(fit_spline_spec(priors=np.arange(10.0)), priors=np.ones((3, 2)))


def test_the_basis_of_repeated_scores_equals_the_basis_of_each_score_alone() -> None:
    # The basis is evaluated once per distinct value; every row must be what that value gives alone.
    rng = np.random.default_rng(5)
    x = np.concatenate([np.rint(rng.normal(100, 15, size=500)), [-0.0, 0.0, 60.5, 60.5]])
    knots, bounds = (85.0, 95.0, 105.0, 115.0), (-1.0, 150.0)
    together = bspline_basis(x, knots=knots, boundaries=bounds)
    alone = np.vstack([bspline_basis([v], knots=knots, boundaries=bounds) for v in x])
    assert np.array_equal(together.view(np.uint64), alone.view(np.uint64))
