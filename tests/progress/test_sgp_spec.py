"""The SGP method's specification, as the SGP package computes growth percentiles (issue 12):

- knots and boundaries per subject and grade from every score at that grade in the earlier windows of the
  data, stacked (not from the pupils in the fit), or from a published table;
- every order the pupil's consecutive priors allow, up to four, the highest reported and each kept;
- progressions over consecutive grades only: a pupil who repeated or skipped a year is not compared with
  pupils who did not.
"""

from __future__ import annotations

import numpy as np
import pytest

from tandem.progress import norms
from tandem.progress.engine import NORM_MODELS, assess_progress
from tandem.progress.settings import ProgressSettings, ScaleInfo
from tandem.progress.sgp import fit_growth_model, growth_percentiles, read_knots_table, stacked_knots
from tandem.progress.splines import SplineSpec, knots_boundaries

needs_sgp = pytest.mark.skipif(norms.sgp_module() is None, reason="tandem.progress.sgp is not installed")
LOCAL = {"maths": ScaleInfo(name="raw")}
# Small norm groups are enough to test the specification; every pupil is fitted on (no sample).
SMALL_SGP = ProgressSettings(sgp_min_n=300, sgp_max_fit_n=None)


# ---------------------------------------------------------------------------------- knots, by hand
def test_it_places_knots_and_boundaries_as_r_does():
    # 1..10: R quantile type 7 at 20/40/60/80% is 1 + 9p = 2.8, 4.6, 6.4, 8.2; extendrange(f = 0.1) of
    # 1..10 is 0.1..10.9.
    assert knots_boundaries(np.arange(1.0, 11.0)) == ((2.8, 4.6, 6.4, 8.2), (0.1, 10.9))
    # 0, 1, 1, 5: positions 0.6, 1.2, 1.8, 2.4 give 0.6, 1, 1, 2.6; range 5 extended by 0.5.
    assert knots_boundaries([0.0, 1.0, 1.0, 5.0]) == ((0.6, 1.0, 1.0, 2.6), (-0.5, 5.5))


def test_it_rounds_to_three_decimals():
    # 0, 1/3: quantiles 1/15, 2/15, 3/15, 4/15; range extended by 1/30.
    assert knots_boundaries([0.0, 1.0 / 3.0]) == ((0.067, 0.133, 0.2, 0.267), (-0.033, 0.367))


def test_counts_give_the_same_knots_as_repeated_scores():
    values = np.array([3.0, 7.0, 8.0, 12.0])
    counts = np.array([5.0, 1.0, 3.0, 2.0])
    assert knots_boundaries(values, counts) == knots_boundaries(np.repeat(values, counts.astype(int)))


def test_it_stacks_every_score_at_the_prior_grade_before_the_current_window():
    grade = np.array([4, 4, 4, 5, 4, 4])
    window = np.array([1, 2, 2, 2, 3, 4])
    points = np.array([1.0, 2.0, 3.0, 50.0, 4.0, 90.0])
    # Grade 4 before window 4: 1, 2, 3, 4 (window 4's 90 and grade 5's 50 are left out).
    # Positions 0.6, 1.2, 1.8, 2.4 of 1..4: 1.6, 2.2, 2.8, 3.4; range 3 extended by 0.3.
    assert stacked_knots(grade=grade, window=window, points=points, current_window=4, prior_grade=4) == (
        (1.6, 2.2, 2.8, 3.4),
        (0.7, 4.3),
    )
    with pytest.raises(ValueError, match="no scores at grade 6"):
        stacked_knots(grade=grade, window=window, points=points, current_window=4, prior_grade=6)


def test_it_reads_a_published_table_in_the_sgp_packages_layout():
    table = read_knots_table(
        {
            "maths": {
                "knots_4": [10, 20, 30, 40],
                "boundaries_4": [0, 50],
                "loss_hoss_4": [0, 60],
                "knots_5": [15, 25, 35, 45],
                "boundaries_5": [5, 55],
            }
        }
    )
    assert table == {
        ("maths", 4): ((10.0, 20.0, 30.0, 40.0), (0.0, 50.0)),
        ("maths", 5): ((15.0, 25.0, 35.0, 45.0), (5.0, 55.0)),
    }
    with pytest.raises(ValueError, match="boundaries"):
        read_knots_table({"maths": {"knots_4": [10, 20, 30, 40]}})
    with pytest.raises(ValueError):
        read_knots_table({"maths": {"knots_4": [10, 20, 30, 60], "boundaries_4": [0, 50]}})


def test_a_fit_uses_the_knots_it_is_given():
    rng = np.random.default_rng(1)
    prior = np.rint(rng.normal(100, 15, 400))
    current = np.rint(prior + rng.normal(0, 5, 400))
    spec = SplineSpec(knots=((80.0, 95.0, 105.0, 120.0),), boundaries=((20.0, 180.0),))
    model = fit_growth_model(priors=prior, current=current, spec=spec)
    assert model.spec == spec
    assert model.to_dict()["spec"]["knots"] == [[80.0, 95.0, 105.0, 120.0]]
    with pytest.raises(ValueError, match="prior"):
        fit_growth_model(priors=np.column_stack([prior, prior]), current=current, spec=spec)


# ---------------------------------------------------------------------------------------- engine
def cohort(n: int, windows: int, seed: int, *, first_year_group: int = 3) -> dict[str, np.ndarray]:
    """n pupils sat every window; one window a year, so the year group rises by one each window."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=n)
    pupils, window, points, year_group = [], [], [], []
    for w in range(1, windows + 1):
        scores = np.rint(100 + 8 * w + 12 * ability + rng.normal(0, 5, n))
        pupils += [f"p{i:04d}" for i in range(n)]
        window += [w] * n
        points += scores.tolist()
        year_group += [first_year_group + w - 1] * n
    return {
        "pupil": np.asarray(pupils, dtype=object),
        "subject": np.asarray(["maths"] * len(pupils), dtype=object),
        "window": np.asarray(window),
        "points": np.asarray(points, dtype=float),
        "year_group": np.asarray(year_group),
    }


def extend(columns: dict[str, np.ndarray], rows: list[tuple[str, int, float, int]]) -> dict[str, np.ndarray]:
    """Extra (pupil, window, points, year group) rows."""
    return {
        "pupil": np.concatenate([columns["pupil"], np.asarray([r[0] for r in rows], dtype=object)]),
        "subject": np.concatenate([columns["subject"], np.asarray(["maths"] * len(rows), dtype=object)]),
        "window": np.concatenate([columns["window"], [r[1] for r in rows]]),
        "points": np.concatenate([columns["points"], [float(r[2]) for r in rows]]),
        "year_group": np.concatenate([columns["year_group"], [r[3] for r in rows]]),
    }


@needs_sgp
def test_it_takes_knots_from_every_earlier_score_at_the_grade_not_from_the_pupils_fitted():
    columns = cohort(400, 2, seed=3)
    # 150 Year 4 pupils sat window 1 only (they left): not in the fit, but their scores place the knots.
    leavers = [(f"q{i:03d}", 1, 60.0 + i % 90, 3) for i in range(150)]
    columns = extend(columns, leavers)
    result = assess_progress(columns=columns, scales=LOCAL, settings=SMALL_SGP, reasons=False)
    (model,) = [m for m in result.models if m.kind == "sgp"]
    at_grade = columns["points"][(columns["year_group"] == 3) & (columns["window"] == 1)]
    expected = knots_boundaries(at_grade)
    assert model.parameters["model"]["spec"] == {
        "knots": [list(expected[0])],
        "boundaries": [list(expected[1])],
    }
    fitted_pupils = cohort(400, 2, seed=3)["points"][:400]
    assert knots_boundaries(fitted_pupils) != expected  # the leavers moved them
    assert model.prior_year_groups == (3,)
    assert "before this window" in model.parameters["knots_from"]


@needs_sgp
def test_it_takes_knots_from_a_published_table_when_given():
    columns = cohort(400, 2, seed=4)
    published = {("maths", 3): ((95.0, 105.0, 112.0, 120.0), (40.0, 180.0))}
    result = assess_progress(
        columns=columns, scales=LOCAL, settings=SMALL_SGP, reasons=False, knots=published
    )
    (model,) = [m for m in result.models if m.kind == "sgp"]
    assert model.parameters["model"]["spec"] == {
        "knots": [[95.0, 105.0, 112.0, 120.0]],
        "boundaries": [[40.0, 180.0]],
    }
    assert model.parameters["knots_from"] == "published table"


@needs_sgp
def test_it_fits_every_order_up_to_four_and_reports_the_highest():
    columns = cohort(400, 5, seed=5)
    result = assess_progress(columns=columns, scales=LOCAL, settings=SMALL_SGP, reasons=False)
    last = result["window"] == 5
    assert {NORM_MODELS[k] for k in result["norm_model"][last]} == {"sgp"}
    assert (result["prior_order"][last] == 4).all()
    for k in range(1, 5):
        assert (result[f"sgp_order_{k}"][last] >= 1).all()
    assert np.array_equal(result["percentile"][last], result["sgp_order_4"][last])
    # Window 3 has two priors: orders 3 and 4 are not fitted for it.
    third = result["window"] == 3
    assert (result["prior_order"][third] == 2).all()
    assert (result["sgp_order_2"][third] >= 1).all()
    assert (result["sgp_order_3"][third] == -1).all() and (result["sgp_order_4"][third] == -1).all()
    # The first window has no growth percentile of any order.
    assert (result["sgp_order_1"][result["window"] == 1] == -1).all()
    # Each order's percentile is the SGP of that order with the stacked knots, computed directly.
    points = columns["points"].reshape(5, 400)
    for k in range(1, 5):
        priors = points[4 - k : 4].T  # oldest first
        pairs = [
            knots_boundaries(columns["points"][(columns["year_group"] == 3 + w) & (columns["window"] < 5)])
            for w in range(4 - k, 4)
        ]
        spec = SplineSpec(knots=tuple(p[0] for p in pairs), boundaries=tuple(p[1] for p in pairs))
        model = fit_growth_model(priors=priors, current=points[4], spec=spec)
        direct = growth_percentiles(model, priors=priors, current=points[4])
        order = np.argsort(result["pupil"][last])
        assert np.array_equal(result[f"sgp_order_{k}"][last][order], direct), k


@needs_sgp
def test_the_growth_percentile_order_is_its_own_setting():
    columns = cohort(400, 5, seed=6)
    settings = ProgressSettings(sgp_min_n=300, sgp_max_fit_n=None, sgp_max_prior_order=2)
    result = assess_progress(columns=columns, scales=LOCAL, settings=settings, reasons=False)
    last = result["window"] == 5
    assert (result["prior_order"][last] == 2).all()
    assert (result["sgp_order_3"] == -1).all() and (result["sgp_order_4"] == -1).all()
    assert np.array_equal(result["percentile"][last], result["sgp_order_2"][last])


def test_smaller_models_keep_at_most_max_prior_order_priors():
    columns = cohort(150, 5, seed=7)  # residual ranks, not SGPs
    result = assess_progress(columns=columns, scales=LOCAL, settings=ProgressSettings(), reasons=False)
    last = result["window"] == 5
    assert {NORM_MODELS[k] for k in result["norm_model"][last]} == {"prr"}
    assert (result["prior_order"][last] == 2).all()
    assert (result["sgp_order_1"] == -1).all()


# ---------------------------------------------------------------------------------- progressions
def test_a_pupil_who_repeated_a_year_is_not_compared_with_pupils_who_moved_up():
    columns = cohort(150, 2, seed=8)
    # r1 was in Year 4 at window 1 and still in Year 4 at window 2, when the others were in Year 4 at
    # window 1 only; s1 skipped Year 3 (Year 2 then Year 4).
    columns = extend(
        columns, [("r1", 1, 130.0, 4), ("r1", 2, 100.0, 4), ("s1", 1, 90.0, 2), ("s1", 2, 100.0, 4)]
    )
    result = assess_progress(columns=columns, scales=LOCAL, settings=ProgressSettings(), reasons=True)
    second = result["window"] == 2
    regular = second & np.isin(result["pupil"], ["r1", "s1"], invert=True)
    assert (result["norm_n"][regular] == 150).all()
    for pupil in ("r1", "s1"):
        at = np.flatnonzero((result["pupil"] == pupil) & second)[0]
        assert NORM_MODELS[result["norm_model"][at]] == "not_enough_data"
        assert result["peers"][at] == -1
        assert result["percentile"][at] == -1
        assert "not enough" in str(result["reason_peers"][at]).lower()


def test_termly_windows_in_one_year_group_are_one_progression():
    columns = cohort(150, 3, seed=9)
    columns["year_group"] = np.full(columns["year_group"].size, 5)  # three terms of Year 5
    result = assess_progress(columns=columns, scales=LOCAL, settings=ProgressSettings(), reasons=False)
    later = result["window"] > 1
    assert (result["norm_n"][later] == 150).all()
    assert {NORM_MODELS[k] for k in result["norm_model"][later]} == {"prr"}
