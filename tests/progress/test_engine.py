"""Hand-computed cases for the Code 6.17 engine: each criterion, each "not enough data" case, each model.

Most cases use a standardised score against published norms (mean 100, SD 15, reliability 0.9), so every
figure can be worked out on paper: the SEM is 15 sqrt(0.1) = 4.743 points, i.e. s = sqrt(0.1) = 0.3162 in
z units, and a one-interval gap change has S = sqrt(2) s = 0.4472 (tolerance 1.96 S = 0.8765, 13.1 points).
"""

from __future__ import annotations

import math
from dataclasses import replace
from statistics import NormalDist

import numpy as np
import pytest

from tandem.progress import norms
from tandem.progress.engine import NORM_MODELS, Coded, ProgressTable, assess_progress
from tandem.progress.settings import ProgressSettings, ScaleInfo

PHI = NormalDist().cdf
S = math.sqrt(0.1)  # SEM in national z units at reliability 0.9
STANDARD = {"maths": ScaleInfo.standardised(reliability=0.9, retest_r=0.8)}
PUBLISHED = ProgressSettings(reference_population="published")


def table(rows: list[tuple[str, int, float]], *, year_group: int = 4, subject: str = "maths") -> dict:
    """Columns from (pupil, window, points) triples."""
    return {
        "pupil": np.asarray([r[0] for r in rows], dtype=object),
        "subject": np.asarray([subject] * len(rows), dtype=object),
        "window": np.asarray([r[1] for r in rows]),
        "points": np.asarray([r[2] for r in rows], dtype=float),
        "year_group": np.full(len(rows), year_group),
    }


def history(pupil: str, *scores: float) -> list[tuple[str, int, float]]:
    return [(pupil, w, s) for w, s in enumerate(scores, start=1)]


def row(result: ProgressTable, pupil: str, window: int) -> dict:
    hits = np.flatnonzero((result["pupil"] == pupil) & (result["window"] == window))
    assert hits.size == 1
    return {name: values[hits[0]] for name, values in result.columns.items()}


def pct(cdf: float) -> int:
    return int(min(99, max(1, math.floor(100 * cdf + 0.5))))


def run(rows: list, settings: ProgressSettings = PUBLISHED, scales: dict | None = None) -> ProgressTable:
    return assess_progress(columns=table(rows), scales=scales or STANDARD, settings=settings)


# ---------------------------------------------------------------------------------------------- (d)
WIDE = 2.326  # (d)'s critical value: one-sided 1% for each of its two tests
OWN = 2.576  # (b)'s: one-sided 0.5%


def test_it_flags_a_gap_that_widened_beyond_measurement_error():
    result = run(history("a", 100, 80) + history("b", 100, 90) + history("c", 100, 85))
    a, b, c = row(result, "a", 2), row(result, "b", 2), row(result, "c", 2)
    # Two windows: the level test is the one-interval change. a: z 0 -> -1.333, S = sqrt(2) s = 0.4472,
    # RCI -2.98 < -2.326.
    assert a["gap_change_long"] == pytest.approx(-20 / 15, abs=1e-6)
    assert a["rci_gap_long"] == pytest.approx(-(20 / 15) / (math.sqrt(2) * S), abs=1e-5)
    assert a["gap_change_long_tolerance"] == pytest.approx(WIDE * math.sqrt(2) * S, abs=1e-5)
    assert np.isnan(a["gap_trend"])  # a trend needs four windows
    assert a["widening"] == 1 and a["flagged"]
    assert "widened" in a["reason_widening"] and "1.04 is flagged" in a["reason_widening"]
    assert "since the last assessment it went from level with" in a["reason_widening"]
    # b: change -0.667, RCI -1.49: within measurement error.
    assert b["rci_gap_long"] == pytest.approx(-(10 / 15) / (math.sqrt(2) * S), abs=1e-5)
    assert b["widening"] == 0
    assert "did not widen" in b["reason_widening"]
    # c: RCI -2.236 is a reliable change at 1.96 (what (c) uses), but (d) spends only 1% on it.
    assert c["rci_gap"] == pytest.approx(-1.0 / (math.sqrt(2) * S), abs=1e-5)
    assert c["gap_change_tolerance"] == pytest.approx(1.96 * math.sqrt(2) * S, abs=1e-5)
    assert c["widening"] == 0


def test_it_compares_the_latest_windows_with_the_mean_of_the_earlier_ones():
    # Level for two terms, then 16 points down over two terms: mean of the last two (88) against the mean
    # of the four before (100): -0.8 SD, S = s sqrt(1/2 + 1/4) = 0.2739, RCI -2.92. No one interval is
    # beyond measurement error (8 points against 1.96 x 6.7).
    result = run(history("a", 100, 100, 100, 100, 92, 84))
    last = row(result, "a", 6)
    assert last["rci_gap"] > -1.96
    assert last["gap_windows"] == 6
    assert last["gap_earlier"] == pytest.approx(0.0, abs=1e-6)
    assert last["gap_change_long"] == pytest.approx(-0.8, abs=1e-6)
    assert last["rci_gap_long"] == pytest.approx(-0.8 / (S * math.sqrt(0.75)), abs=1e-4)
    assert last["widening"] == 1
    assert "over the last 2 assessments it averaged 0.80 SD below" in last["reason_widening"]
    assert "level with the national average over the 4 before" in last["reason_widening"]


def test_it_flags_a_gap_that_widened_steadily_for_two_years():
    # -1.5 points a term over nine windows: never near measurement error in one interval, and the level
    # test (mean of the last two against the seven before: -0.45 SD, S = s sqrt(1/2 + 1/7), RCI -1.78)
    # misses it, but the least-squares trend, -0.1 SD a term with S = s / sqrt(60), has RCI -2.45.
    scores = [100 - 1.5 * w for w in range(9)]
    result = run(history("a", *scores))
    last = row(result, "a", 9)
    assert last["gap_windows"] == 9
    assert last["gap_change_long"] == pytest.approx(-0.45, abs=1e-6)
    assert last["rci_gap_long"] == pytest.approx(-0.45 / (S * math.sqrt(0.5 + 1 / 7)), abs=1e-4)
    assert last["gap_trend"] == pytest.approx(-0.1, abs=1e-6)
    assert last["rci_gap_trend"] == pytest.approx(-0.1 / (S / math.sqrt(60)), abs=1e-4)
    assert last["gap_trend_tolerance"] == pytest.approx(WIDE * S / math.sqrt(60), abs=1e-5)
    assert last["widening"] == 1
    assert "widened steadily" in last["reason_widening"]
    assert "over the last 9 assessments its trend was -0.10 SD per interval" in last["reason_widening"]
    only_short = run(history("a", *scores), settings=replace(PUBLISHED, long_gap_horizon=None))
    short = row(only_short, "a", 9)
    assert short["widening"] == 0 and np.isnan(short["gap_trend"]) and short["gap_windows"] == 2


# ---------------------------------------------------------------------------------------------- (c)
def test_it_flags_a_gap_that_did_not_close():
    # "Behind" as the Code words it most literally: below the peer mean (the default cut is tested below).
    literal = replace(PUBLISHED, behind_gap_z=0.0)
    result = run(
        history("behind", 80, 82) + history("closing", 80, 95) + history("level", 95, 95), settings=literal
    )
    behind, closing, level = row(result, "behind", 2), row(result, "closing", 2), row(result, "level", 2)
    # behind: z_prev = -1.333, and -1.333 + 1.96 s = -0.713 < 0: behind beyond measurement error.
    # change +0.133, RCI 0.30 <= 1.96: not closed.
    assert behind["gap_previous"] == pytest.approx(-20 / 15, abs=1e-6)
    assert behind["was_behind"] and behind["not_closing"] == 1
    assert "has not closed" in behind["reason_not_closing"]
    # closing: change +1.0, RCI 2.24 > 1.96: closed.
    assert closing["rci_gap"] == pytest.approx(1 / (math.sqrt(2) * S), abs=1e-5)
    assert closing["not_closing"] == 0
    assert "has closed the gap" in closing["reason_not_closing"]
    # level: z_prev = -0.333, and -0.333 + 0.620 > 0: not behind by more than measurement error.
    assert not level["was_behind"] and level["not_closing"] == 0
    assert "no gap to close" in level["reason_not_closing"]


def test_it_calls_behind_only_the_lowest_attaining_fifth_by_default():
    # Default cut -0.84 SD (lowest 20%): z_prev -1.333 + 1.96 s (0.620) = -0.713 is not below it;
    # z_prev -2.0 + 0.620 = -1.380 is, and a change of +0.133 does not close that gap.
    result = run(history("near", 80, 82) + history("far", 70, 72))
    assert row(result, "near", 2)["not_closing"] == 0
    assert row(result, "far", 2)["not_closing"] == 1


def test_it_counts_below_the_expected_standard_as_behind():
    scales = {"maths": replace(STANDARD["maths"], expected=100.0)}
    # Behind the expected standard (100) beyond measurement error: score + 1.96 SEM (9.3 points) < 100.
    # 94 + 9.3 > 100 is not behind; 88 + 9.3 = 97.3 is. The gap test is switched off (-5 SD) to isolate it.
    config = replace(PUBLISHED, behind_gap_z=-5.0)
    result = run(history("a", 94, 94) + history("b", 88, 88), scales=scales, settings=config)
    assert row(result, "a", 2)["not_closing"] == 0
    assert row(result, "b", 2)["not_closing"] == 1


# ---------------------------------------------------------------------------------------------- (b)
def test_it_flags_progress_slower_than_the_pupils_own_previous_rate():
    result = run(
        history("drop", 100, 115, 95) + history("dip", 100, 110, 100) + history("four", 100, 105, 110, 100)
    )
    drop = row(result, "drop", 3)
    # Three windows: rate now -20/15 = -1.333, previous +1.0, change -2.333; S = s sqrt(1 + 4 + 1) (the
    # shared middle score counts twice); RCI -3.01 < -2.576.
    assert drop["recent_rate"] == pytest.approx(-4 / 3, abs=1e-6)
    assert drop["previous_rate"] == pytest.approx(1.0, abs=1e-6)
    assert drop["rate_change"] == pytest.approx(-7 / 3, abs=1e-5)
    assert drop["rci_rate"] == pytest.approx((-7 / 3) / (S * math.sqrt(6)), abs=1e-5)
    assert drop["rate_change_tolerance"] == pytest.approx(OWN * S * math.sqrt(6), abs=1e-5)
    assert drop["own_rate"] == 1
    assert "slower than this pupil's own earlier progress" in drop["reason_own_rate"]
    assert (
        "over the last interval against +1.00 SD per interval over the one before" in drop["reason_own_rate"]
    )
    dip = row(result, "dip", 3)
    # change -1.333; RCI -1.333 / 0.7746 = -1.72: within measurement error.
    assert dip["rci_rate"] == pytest.approx((-4 / 3) / (S * math.sqrt(6)), abs=1e-5)
    assert dip["own_rate"] == 0
    four = row(result, "four", 4)
    # Four windows: the recent rate is the least-squares slope over the last two intervals (105, 110, 100):
    # -5/2/15 = -0.167; the previous one the interval before it (100 -> 105): +0.333; change -0.5, weights
    # (+1/2, 0, -1/2 - 1, +1) by lag, S = s sqrt(3.5).
    assert four["rate_intervals"] == 1
    assert four["recent_rate"] == pytest.approx(-1 / 6, abs=1e-6)
    assert four["previous_rate"] == pytest.approx(1 / 3, abs=1e-6)
    assert four["rci_rate"] == pytest.approx(-0.5 / (S * math.sqrt(3.5)), abs=1e-5)
    assert four["own_rate"] == 0


def test_it_compares_the_recent_rate_with_a_years_earlier_rate():
    # Six windows: slope over the last two intervals (100, 90, 70) = -1.0 SD a term against a flat year
    # before (slope over 100, 100, 100, 100 = 0). Weights by lag: (+0.5, 0, -0.5 - 0.3, -0.1, +0.1, +0.3),
    # whose squares sum to 1, so S = s and RCI = -1 / 0.3162 = -3.16.
    result = run(history("a", 100, 100, 100, 100, 90, 70))
    last = row(result, "a", 6)
    assert last["rate_intervals"] == 3
    assert last["recent_rate"] == pytest.approx(-1.0, abs=1e-6)
    assert last["previous_rate"] == pytest.approx(0.0, abs=1e-6)
    assert last["rci_rate"] == pytest.approx(-1.0 / S, abs=1e-4)
    assert last["own_rate"] == 1
    assert (
        "over the last 2 intervals against +0.00 SD per interval over the 3 before" in last["reason_own_rate"]
    )


# ---------------------------------------------------------------------------------------------- (a)
def test_it_scores_a_tiny_class_against_published_norms():
    # Eight pupils: far too few for local norms, so the test's national norms (rho = 0.8) are used, even
    # with the default "trust" reference population.
    rows = history("a", 100, 80) + history("b", 100, 92)
    rows += [row_ for i in range(6) for row_ in history(f"p{i}", 100 + i, 100 + i)]
    result = run(rows, settings=ProgressSettings())
    a, b = row(result, "a", 2), row(result, "b", 2)
    assert NORM_MODELS[a["norm_model"]] == "published_norm"
    assert a["gap_reference"] == 2  # national: 8 peers are too few for a peer mean and SD
    rho, spread = 0.8, math.sqrt(1 - 0.8**2)
    z_t = -20 / 15
    assert a["percentile"] == pct(PHI((z_t - rho * 0) / spread))
    assert a["percentile_high"] == pct(PHI((z_t + 1.96 * S) / spread))  # 12
    assert a["percentile_high"] == 12
    assert a["peers"] == 1
    assert "growth percentile 1," in a["reason_peers"] and "below 20 is flagged" in a["reason_peers"].lower()
    # b: percentile 19 is below 20, but its interval reaches 56: not significantly slower.
    assert b["percentile"] == pct(PHI((-8 / 15) / spread)) == 19
    assert b["percentile_high"] == pct(PHI((-8 / 15 + 1.96 * S) / spread)) == 56
    assert b["peers"] == 0
    assert "could be as high as 56" in b["reason_peers"]
    # The chart band: national peers who scored 100 last time, 25th to 75th percentile.
    assert a["peer_median"] == pytest.approx(100.0)
    assert a["peer_p25"] == pytest.approx(100 + 15 * spread * NormalDist().inv_cdf(0.25), abs=1e-4)


def test_it_conditions_published_norms_on_two_priors():
    result = run(history("a", 100, 100, 80))
    a = row(result, "a", 3)
    rho, k = 0.8, 2
    beta = rho / (rho + (1 - rho) / k)
    assert a["prior_order"] == 2
    assert a["percentile"] == pct(PHI((-20 / 15) / math.sqrt(1 - rho * beta)))


def test_it_ranks_within_peer_bands():
    # 30 pupils, no published norms: peer bands (3 bands of 10 by prior score). Current scores are 10 apart
    # within a band and the SEM is 1 point, so each interval is +/- 1.96 points and crosses no one.
    scales = {"maths": ScaleInfo(name="teacher points", sem=1.0)}
    rows = []
    for i in range(30):
        rows += [(f"p{i:02d}", 1, float(i)), (f"p{i:02d}", 2, float(100 + 10 * (i % 10)))]
    result = run(rows, settings=ProgressSettings(), scales=scales)
    lowest, second = row(result, "p10", 2), row(result, "p11", 2)
    assert NORM_MODELS[lowest["norm_model"]] == "peer_band"
    assert lowest["norm_n"] == 30
    # Lowest of 10 in its band: mid-rank 0.5/10 -> 5; +1.96 points -> 1/10 -> 10; -1.96 -> 0 -> 1.
    assert (lowest["percentile"], lowest["percentile_low"], lowest["percentile_high"]) == (5, 1, 10)
    assert lowest["peers"] == 1
    # Second lowest: 15, interval up to 20, which is not below 20.
    assert (second["percentile"], second["percentile_high"]) == (15, 20)
    assert second["peers"] == 0
    assert lowest["peer_median"] == pytest.approx(145.0)  # median of 100, 110, ..., 190
    assert result.models and {m.kind for m in result.models} == {"peer_band"}


def test_it_ranks_residuals_when_the_cohort_is_large_enough():
    # 150 pupils, no published norms: percentile rank of the residual of a straight-line fit.
    rng = np.random.default_rng(3)
    prior = rng.integers(80, 121, size=150).astype(float)
    current = np.round(20 + 0.8 * prior + rng.normal(0, 6, size=150))
    rows = [(f"p{i:03d}", 1, prior[i]) for i in range(150)] + [
        (f"p{i:03d}", 2, current[i]) for i in range(150)
    ]
    scales = {"maths": ScaleInfo(name="points", sem=2.0)}
    result = run(rows, settings=ProgressSettings(), scales=scales)
    latest = result["window"] == 2
    assert {NORM_MODELS[k] for k in result["norm_model"][latest]} == {"prr"}
    slope, intercept = np.polyfit(prior, current, 1)
    residual = np.round(current - (intercept + slope * prior), 6)
    less = (residual[:, None] > residual[None, :]).sum(axis=1)
    equal = (residual[:, None] == residual[None, :]).sum(axis=1)
    expected = np.clip(np.floor(100 * (less + 0.5 * equal) / 150 + 0.5), 1, 99)
    got = result["percentile"][latest]  # rows are in pupil order, as the arrays above
    assert np.array_equal(got, expected.astype(np.int8))
    high = np.asarray([(residual < r + 3.92).sum() + 0.5 * (residual == r + 3.92).sum() for r in residual])
    assert np.array_equal(result["percentile_high"][latest], np.clip(np.floor(100 * high / 150 + 0.5), 1, 99))


@pytest.mark.skipif(norms.sgp_module() is None, reason="tandem.progress.sgp is not installed yet")
def test_it_uses_growth_percentiles_for_a_large_cohort():
    rng = np.random.default_rng(5)
    n = 1200
    ability = rng.normal(size=n)
    scores = np.clip(np.rint(100 + 15 * ability[:, None] + rng.normal(0, 4.7, size=(n, 2))), 69, 141)
    rows = [(f"p{i:04d}", w + 1, scores[i, w]) for i in range(n) for w in range(2)]
    result = run(rows, settings=ProgressSettings(reference_population="trust"))
    latest = result["window"] == 2
    assert {NORM_MODELS[k] for k in result["norm_model"][latest]} == {"sgp"}
    assert (result["norm_n"][latest] == n).all()
    p = result["percentile"][latest]
    assert p.min() >= 1 and p.max() <= 99 and 45 <= p.mean() <= 55
    assert (result["percentile_low"][latest] <= p).all() and (p <= result["percentile_high"][latest]).all()


@pytest.mark.skipif(norms.sgp_module() is None, reason="tandem.progress.sgp is not installed yet")
def test_it_gives_the_same_growth_percentiles_whatever_the_row_order():
    rng = np.random.default_rng(8)
    n = 1100
    ability = rng.normal(size=n)
    scores = np.clip(np.rint(100 + 15 * ability[:, None] + rng.normal(0, 4.7, size=(n, 3))), 69, 141)
    rows = [(f"p{i:04d}", w + 1, scores[i, w]) for i in range(n) for w in range(3)]
    config = ProgressSettings(sgp_max_fit_n=1000)  # fitted on a hash-chosen sample of 1,000
    first = run(rows, settings=config)
    shuffled = [rows[i] for i in rng.permutation(len(rows))]
    second = run(shuffled, settings=config)
    assert {NORM_MODELS[k] for k in first["norm_model"][first["window"] > 1]} == {"sgp"}
    for name in ("percentile", "percentile_low", "percentile_high", "peer_median"):
        assert np.array_equal(first[name], second[name], equal_nan=True)


# ------------------------------------------------------------------------------------- not enough data
def test_it_says_not_enough_data_for_a_first_window():
    result = run(history("a", 70))
    a = row(result, "a", 1)
    assert [a[c] for c in ("peers", "own_rate", "not_closing", "widening")] == [-1, -1, -1, -1]
    assert not a["flagged"] and NORM_MODELS[a["norm_model"]] == "not_enough_data"
    assert "first result" in a["reason_peers"]


def test_it_needs_three_windows_to_compare_rates():
    result = run(history("a", 100, 70))
    a = row(result, "a", 2)
    assert a["own_rate"] == -1 and a["widening"] == 1
    assert "3 assessment windows" in a["reason_own_rate"]


def test_it_honours_the_minimum_windows_setting():
    result = run(history("a", 100, 70), settings=replace(PUBLISHED, min_windows_growth=3, min_windows_rate=4))
    a = row(result, "a", 2)
    assert [a[c] for c in ("peers", "own_rate", "not_closing", "widening")] == [-1, -1, -1, -1]


def test_it_says_not_enough_data_when_the_norm_group_is_too_small_and_there_are_no_norms():
    # Ten pupils on a school's own scale: no published norms, too few for peer bands or a peer gap.
    scales = {"maths": ScaleInfo(name="teacher points")}
    rows = [r for i in range(10) for r in history(f"p{i}", 3 + i % 3, 1 + i % 4)]
    result = run(rows, settings=ProgressSettings(), scales=scales)
    latest = result["window"] == 2
    for column in ("peers", "own_rate", "not_closing", "widening"):
        assert (result[column][latest] == -1).all()
    assert not result["flagged"].any()
    assert (result["gap_reference"] == 0).all()
    reasons = result["reason_peers"][latest]
    assert all("too few pupils" in r and "no published national norms" in r for r in reasons)


def test_it_never_flags_without_data():
    result = run(history("a", 60) + history("b", 140, 60, 140))
    assert not row(result, "a", 1)["flagged"]
    assert row(result, "b", 2)["flagged"]


# ------------------------------------------------------------------------------------------ input shapes
def test_it_takes_coded_columns_and_a_dataframe():
    pd = pytest.importorskip("pandas")
    rows = history("a", 100, 85) + history("b", 100, 90)
    plain = run(rows)
    cols = table(rows)
    cols["subject"] = Coded(np.zeros(len(rows), dtype=np.int8), ["maths"])
    coded = assess_progress(columns=cols, scales=STANDARD, settings=PUBLISHED)
    frame = assess_progress(columns=pd.DataFrame(table(rows)), scales=STANDARD, settings=PUBLISHED)
    for other in (coded, frame):
        for name in ("gap", "rci_gap", "widening", "percentile"):
            assert np.array_equal(plain[name], other[name], equal_nan=True)


def test_label_columns_are_codes_into_sorted_labels_and_decode_to_the_labels():
    rows = history("b", 100, 85) + history("a", 100, 90) + [("c", 2, 95.0)]
    cols = table(rows)
    cols["school"] = np.asarray([7, 7, 3, 3, 7])
    result = assess_progress(columns=cols, scales=STANDARD, settings=PUBLISHED, reasons=False)
    assert list(result.columns)[:4] == ["pupil", "subject", "window", "school"]
    expected = {"pupil": ["a", "a", "b", "b", "c"], "window": [1, 2, 1, 2, 2], "school": [3, 3, 7, 7, 7]}
    for name, values in expected.items():
        coded = result.columns.coded(name)
        assert list(np.asarray(coded.labels)) == sorted(set(values))
        assert list(np.asarray(coded.labels)[np.asarray(coded.codes)]) == values
        assert list(result[name]) == values
    assert list(result["subject"]) == ["maths"] * 5
    assert result["subject"].dtype == object


def test_it_keeps_the_latest_sitting_when_a_window_has_two_results():
    cols = table([*history("a", 100, 85), ("a", 2, 99.0)])
    cols["date"] = np.asarray(["2025-01-10", "2025-04-01", "2025-04-20"], dtype="datetime64[D]")
    result = assess_progress(columns=cols, scales=STANDARD, settings=PUBLISHED)
    assert len(result) == 2
    assert row(result, "a", 2)["score"] == 99.0


def test_it_drops_missing_scores():
    result = run(history("a", 100, float("nan"), 90))
    assert list(result["window"]) == [1, 3]
    assert row(result, "a", 3)["windows_so_far"] == 2


# ------------------------------------------------------------------------------------------------ reasons
def test_it_words_every_reason_as_progress_never_as_a_need():
    rng = np.random.default_rng(11)
    rows = [r for i in range(40) for r in history(f"p{i:02d}", *np.round(rng.normal(100, 15, size=5)))]
    result = run(rows, settings=ProgressSettings())
    for column in ("reason_peers", "reason_own_rate", "reason_not_closing", "reason_widening"):
        texts = result[column]
        assert all(len(t) > 20 for t in texts), column
        for text in texts:
            lowered = text.lower()
            assert "special educational" not in lowered and "sen" not in lowered.replace(".", " ").split()
            assert "diagnos" not in lowered and "disab" not in lowered
    flagged_a = result["peers"] == 1
    assert all("less progress" in t for t in result["reason_peers"][flagged_a])


def test_it_builds_reasons_on_demand_for_chosen_rows():
    rows = history("a", 100, 85) + history("b", 100, 90)
    lazy = assess_progress(columns=table(rows), scales=STANDARD, settings=PUBLISHED, reasons=False)
    assert "reason_peers" not in lazy.columns
    picked = lazy.explain(rows=lazy["flagged"])
    eager = run(rows)
    assert list(picked["reason_widening"]) == list(eager["reason_widening"][eager["flagged"]])


def test_it_records_the_norm_models_it_fitted():
    scales = {"maths": ScaleInfo(name="teacher points", sem=1.0)}
    rows = [r for i in range(30) for r in [(f"p{i:02d}", 1, float(i)), (f"p{i:02d}", 2, float(i))]]
    result = run(rows, settings=ProgressSettings(), scales=scales)
    (model,) = result.models
    summary = model.to_dict()
    assert summary["kind"] == "peer_band" and summary["n"] == 30 and summary["prior_windows"] == [1]
    assert summary["parameters"]["bands"] == 3


def test_it_round_trips_settings():
    settings = ProgressSettings(growth_threshold=35, reference_population="school", long_gap_horizon=None)
    assert ProgressSettings.from_dict(settings.to_dict()) == settings
    assert ProgressSettings.from_dict({**settings.to_dict(), "from_the_future": 1}) == settings
    scale = ScaleInfo.standardised(reliability=0.93)
    assert ScaleInfo.from_dict(scale.to_dict()) == scale
    with pytest.raises(ValueError):
        ProgressSettings(reference_population="county")  # type: ignore[arg-type]


def test_it_adds_each_orders_growth_percentile_as_the_last_columns():
    from tandem.progress.engine import COLUMNS

    assert list(COLUMNS)[-4:] == ["sgp_order_1", "sgp_order_2", "sgp_order_3", "sgp_order_4"]
    result = run(history("a", 100, 101, 102) + history("b", 90, 95, 99))
    for k in range(1, 5):
        assert (result[f"sgp_order_{k}"] == -1).all()  # published norms: no SGP of any order


def test_it_records_the_year_groups_of_a_norm_models_priors():
    rows = [(f"p{i:03d}", w, 100.0 + (i * 7 + w * 3) % 29) for i in range(40) for w in (1, 2)]
    columns = table(rows)
    columns["year_group"] = np.where(columns["window"] == 1, 3, 4)
    result = assess_progress(
        columns=columns, scales={"maths": ScaleInfo(name="raw")}, settings=ProgressSettings()
    )
    (model,) = result.models
    assert model.kind == "peer_band"
    assert model.prior_year_groups == (3,)
    assert model.to_dict()["prior_year_groups"] == [3]
