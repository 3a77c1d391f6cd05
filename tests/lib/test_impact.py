import datetime
import math
import random

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from tandem.lib.impact import (
    DAYS_PER_MONTH,
    Comparison,
    Dosage,
    Measure,
    choose_comparison,
    cost_per_pupil,
    cost_per_unit_gain,
    dosage,
    effect_size,
    group_ratio_gain,
    months_of_progress,
    ratio_band,
    ratio_gain,
)

START = datetime.date(2024, 9, 9)
END = datetime.date(2024, 12, 9)  # 91 days later


def measure(pupil, entry, exit, entry_on=START, exit_on=END):
    return Measure(pupil=pupil, entry=entry, exit=exit, entry_on=entry_on, exit_on=exit_on)


def group(prefix, entries, exits):
    return tuple(measure(f"{prefix}{i}", x, y) for i, (x, y) in enumerate(zip(entries, exits, strict=True)))


def shift(days):
    return START + datetime.timedelta(days=days)


# --- Effect size: hand-computed examples ---------------------------------------------------------------

# Example 1: both groups start on the same five scores, so the entry score cannot explain any of the
# difference and the ANCOVA-adjusted difference equals the raw difference in exit means.
#   treated    entry 10 12 14 16 18   exit 15 16 20 21 23   mean exit 95 / 5 = 19
#   comparison entry 10 12 14 16 18   exit 12 14 17 18 19   mean exit 80 / 5 = 16
EQUAL_BASELINES = Comparison(
    treated=group("t", [10, 12, 14, 16, 18], [15, 16, 20, 21, 23]),
    comparison=group("c", [10, 12, 14, 16, 18], [12, 14, 17, 18, 19]),
    note="hand example",
)

# Example 2: the treated pupils start 2 points higher, so part of their 4-point lead at exit is just
# where they started. Each group's exit = entry + a constant + a wobble that is uncorrelated with entry,
# so the within-group slope is exactly 1.
#   treated    entry 2 4 6 8 10 (mean 6)   exit = entry + 3 + (1, -1, 0, -1, 1) = 6 6 9 10 14 (mean 9)
#   comparison entry 0 2 4 6 8  (mean 4)   exit = entry + 1 + (-1, 1, 0, 1, -1) = 0 4 5 8 8 (mean 5)
DIFFERENT_BASELINES = Comparison(
    treated=group("t", [2, 4, 6, 8, 10], [6, 6, 9, 10, 14]),
    comparison=group("c", [0, 2, 4, 6, 8], [0, 4, 5, 8, 8]),
    note="hand example",
)


def test_it_adjusts_nothing_when_the_baselines_are_the_same():
    result = effect_size(EQUAL_BASELINES)
    assert result.status == "ok"
    assert (result.n_treated, result.n_comparison) == (5, 5)
    # Raw difference 19 - 16 = 3; equal baselines, so the adjusted difference is 3 too.
    assert result.adjusted_difference == pytest.approx(3)


def test_it_computes_the_pooled_sd_of_the_exit_scores_by_hand():
    result = effect_size(EQUAL_BASELINES)
    # treated exit deviations from 19: -4 -3 1 2 4 -> squares 16 9 1 4 16 = 46
    # comparison deviations from 16:   -4 -2 1 2 3 -> squares 16 4 1 4 9  = 34
    # s_p^2 = (46 + 34) / (5 + 5 - 2) = 80 / 8 = 10
    assert result.pooled_sd == pytest.approx(math.sqrt(10))
    assert result.pooled_sd == pytest.approx(3.16228, abs=1e-5)


def test_it_computes_hedges_g_se_and_ci_by_hand():
    result = effect_size(EQUAL_BASELINES)
    # N = 10, omega = 1 - 3 / (4 * 10 - 9) = 1 - 3/31 = 28/31 = 0.903226
    # g = omega * 3 / sqrt(10) = 0.903226 * 0.948683 = 0.856875
    assert result.g == pytest.approx(28 / 31 * 3 / math.sqrt(10))
    assert result.g == pytest.approx(0.856875, abs=1e-6)
    # SE = sqrt((5 + 5) / (5 * 5) + g^2 / (2 * 10)) = sqrt(0.4 + 0.734235 / 20) = sqrt(0.436712) = 0.660842
    # CI = 0.856875 -/+ 1.96 * 0.660842 = 0.856875 -/+ 1.295250 = -0.438375 to 2.152125
    assert result.ci_low == pytest.approx(-0.438375, abs=1e-6)
    assert result.ci_high == pytest.approx(2.152125, abs=1e-6)
    # 0.86 is in the 0.79-0.87 row: 10 months.
    assert result.months == 10


def test_it_says_when_the_interval_includes_zero():
    message = effect_size(EQUAL_BASELINES).message
    assert message.startswith("Effect size 0.86 (95% confidence interval -0.44 to 2.15)")
    assert "about 10 months' extra progress" in message
    assert "5 pupils in the group and 5 to compare with" in message
    assert "could be chance" in message
    assert "not chosen at random" in message


def test_it_adjusts_for_different_baselines_by_hand():
    result = effect_size(DIFFERENT_BASELINES)
    assert result.status == "ok"
    # ANCOVA with one common slope: the slope is the pooled within-group slope
    #   b = (Sxy_t + Sxy_c) / (Sxx_t + Sxx_c)
    #   entry deviations in each group: -4 -2 0 2 4 -> Sxx = 16 + 4 + 0 + 4 + 16 = 40
    #   Sxy_t = -4*-3 + -2*-3 + 0*0 + 2*1 + 4*5 = 12 + 6 + 0 + 2 + 20 = 40
    #   Sxy_c = -4*-5 + -2*-1 + 0*0 + 2*3 + 4*3 = 20 + 2 + 0 + 6 + 12 = 40
    #   b = 80 / 80 = 1
    # adjusted difference = (9 - 5) - b * (6 - 4) = 4 - 2 = 2 (half the raw difference of 4)
    assert result.adjusted_difference == pytest.approx(2)
    # exit deviations: treated -3 -3 0 1 5 -> 9 + 9 + 0 + 1 + 25 = 44; comparison -5 -1 0 3 3 -> 44
    # s_p = sqrt(88 / 8) = sqrt(11) = 3.316625
    assert result.pooled_sd == pytest.approx(math.sqrt(11))
    # g = 28/31 * 2 / sqrt(11) = 0.903226 * 0.603023 = 0.544666
    assert result.g == pytest.approx(0.544666, abs=1e-6)
    # SE = sqrt(0.4 + 0.296661 / 20) = sqrt(0.414833) = 0.644075; 1.96 * SE = 1.262388
    assert result.ci_low == pytest.approx(0.544666 - 1.262388, abs=1e-5)
    assert result.ci_high == pytest.approx(0.544666 + 1.262388, abs=1e-5)
    # 0.54 is in the 0.53-0.61 row: 7 months.
    assert result.months == 7


def test_it_matches_statsmodels_and_the_closed_form_on_random_data():
    rng = np.random.default_rng(20240909)
    entry_t, entry_c = rng.normal(95, 12, 14), rng.normal(100, 15, 31)
    exit_t = 0.8 * entry_t + 25 + rng.normal(0, 6, 14)
    exit_c = 0.8 * entry_c + 20 + rng.normal(0, 6, 31)
    comparison = Comparison(
        group("t", entry_t.tolist(), exit_t.tolist()), group("c", entry_c.tolist(), exit_c.tolist()), ""
    )
    result = effect_size(comparison)

    # statsmodels OLS: exit ~ 1 + entry + treated
    entry, exits = np.concatenate([entry_t, entry_c]), np.concatenate([exit_t, exit_c])
    treated = np.r_[np.ones(14), np.zeros(31)]
    fit = sm.OLS(exits, np.column_stack([np.ones(45), entry, treated])).fit()
    assert result.adjusted_difference == pytest.approx(fit.params[2], rel=1e-9)

    # Closed form: difference in means less the pooled within-group slope times the entry gap.
    sxy = np.sum((entry_t - entry_t.mean()) * (exit_t - exit_t.mean())) + np.sum(
        (entry_c - entry_c.mean()) * (exit_c - exit_c.mean())
    )
    sxx = np.sum((entry_t - entry_t.mean()) ** 2) + np.sum((entry_c - entry_c.mean()) ** 2)
    closed = (exit_t.mean() - exit_c.mean()) - sxy / sxx * (entry_t.mean() - entry_c.mean())
    assert result.adjusted_difference == pytest.approx(closed, rel=1e-9)

    # Frisch-Waugh with scipy: regress the exit residuals on the dummy's residuals (both on entry).
    resid_y = exits - stats.linregress(entry, exits).intercept - stats.linregress(entry, exits).slope * entry
    line = stats.linregress(entry, treated)
    resid_d = treated - line.intercept - line.slope * entry
    assert result.adjusted_difference == pytest.approx(stats.linregress(resid_d, resid_y).slope, rel=1e-9)

    # Pooled SD against numpy.
    pooled = math.sqrt((13 * np.var(exit_t, ddof=1) + 30 * np.var(exit_c, ddof=1)) / 43)
    assert result.pooled_sd == pytest.approx(pooled)
    assert result.g == pytest.approx((1 - 3 / (4 * 45 - 9)) * closed / pooled)


def test_it_is_unchanged_by_the_units_of_the_test():
    # g is unit free: rescaling every score (a*score + b, a > 0) changes the difference, not g.
    scaled = Comparison(
        tuple(measure(m.pupil, 15 * m.entry + 70, 15 * m.exit + 70) for m in DIFFERENT_BASELINES.treated),
        tuple(measure(m.pupil, 15 * m.entry + 70, 15 * m.exit + 70) for m in DIFFERENT_BASELINES.comparison),
        "",
    )
    original, rescaled = effect_size(DIFFERENT_BASELINES), effect_size(scaled)
    assert rescaled.adjusted_difference == pytest.approx(15 * 2)
    assert rescaled.g == pytest.approx(original.g)
    assert rescaled.ci_low == pytest.approx(original.ci_low)


def test_it_turns_negative_when_the_groups_swap():
    swapped = effect_size(Comparison(DIFFERENT_BASELINES.comparison, DIFFERENT_BASELINES.treated, ""))
    assert swapped.g == pytest.approx(-0.544666, abs=1e-6)
    assert swapped.ci_high == pytest.approx(-0.544666 + 1.262388, abs=1e-5)
    assert swapped.months == -7
    assert "about 7 months' less progress" in swapped.message


def test_it_does_not_warn_about_chance_when_the_interval_is_clear_of_zero():
    treated = group("t", list(range(20)), [x + 10 + (i % 3) for i, x in enumerate(range(20))])
    others = group("c", list(range(20)), [x + (i % 3) for i, x in enumerate(range(20))])
    result = effect_size(Comparison(treated, others, ""))
    assert result.status == "ok"
    assert result.ci_low > 0
    assert "could be chance" not in result.message
    assert result.months == 12
    assert "(the top of the EEF scale)" in result.message


# --- Effect size: when there is no number ------------------------------------------------------------


def test_it_says_too_few_pupils_to_say():
    treated = group("t", [1, 2, 3, 4], [2, 3, 5, 6])
    others = group("c", range(9), range(1, 10))
    result = effect_size(Comparison(treated, others, ""))
    assert result.status == "too_small"
    assert result.message == (
        "Too few pupils to say: 4 in the group and 9 to compare with; at least 5 and 5 are needed."
    )
    assert (result.n_treated, result.n_comparison) == (4, 9)
    assert result.g is None and result.ci_low is None and result.ci_high is None
    assert result.months is None and result.adjusted_difference is None and result.pooled_sd is None


def test_it_says_too_few_when_the_comparison_group_is_short():
    result = effect_size(
        Comparison(group("t", range(8), range(8)), group("c", [1, 2], [3, 4]), ""), min_per_group=3
    )
    assert result.status == "too_small"
    assert result.message.endswith("8 in the group and 2 to compare with; at least 3 and 3 are needed.")


def test_it_has_no_data_when_a_group_is_empty():
    no_treated = effect_size(Comparison((), group("c", range(6), range(6)), ""))
    no_others = effect_size(Comparison(group("t", range(6), range(6)), (), ""))
    assert no_treated.status == no_others.status == "no_data"
    assert "No pupils in the intervention" in no_treated.message
    assert "no one to compare with" in no_others.message
    assert no_others.g is None
    assert (no_others.n_treated, no_others.n_comparison) == (6, 0)


def test_it_has_no_data_when_no_one_differs_at_exit():
    # Every treated pupil exits on 20 and every comparison pupil on 15: the pooled SD is 0.
    result = effect_size(Comparison(group("t", range(5), [20] * 5), group("c", range(5), [15] * 5), ""))
    assert result.status == "no_data"
    assert result.pooled_sd is None
    assert "no spread" in result.message


def test_it_has_no_data_when_the_entry_score_alone_tells_the_groups_apart():
    # All treated pupils started on 10 and all comparison pupils on 20: "started on 10" and "in the
    # intervention" are the same column, so the adjustment cannot separate them.
    result = effect_size(
        Comparison(group("t", [10] * 5, [11, 12, 13, 14, 15]), group("c", [20] * 5, [21, 23, 22, 25, 24]), "")
    )
    assert result.status == "no_data"
    assert "cannot be adjusted" in result.message


def test_it_accepts_everyone_starting_on_the_same_score():
    # The entry column is constant, which is fine: the adjusted difference is then the raw one.
    result = effect_size(
        Comparison(group("t", [10] * 5, [12, 14, 16, 18, 20]), group("c", [10] * 5, [11, 13, 15, 17, 19]), "")
    )
    assert result.status == "ok"
    assert result.adjusted_difference == pytest.approx(1)


def test_it_refuses_a_pupil_in_both_groups():
    treated = group("p", range(5), range(5))
    with pytest.raises(ValueError, match="both"):
        effect_size(Comparison(treated, treated, ""))


def test_it_refuses_a_minimum_group_below_two():
    with pytest.raises(ValueError, match="at least 2"):
        effect_size(EQUAL_BASELINES, min_per_group=1)


# --- Months' progress ---------------------------------------------------------------------------------

# Both ends of every row of the EEF table.
TABLE = [
    (0.00, 0), (0.01, 0),
    (0.02, 1), (0.09, 1),
    (0.10, 2), (0.18, 2),
    (0.19, 3), (0.26, 3),
    (0.27, 4), (0.35, 4),
    (0.36, 5), (0.44, 5),
    (0.45, 6), (0.52, 6),
    (0.53, 7), (0.61, 7),
    (0.62, 8), (0.69, 8),
    (0.70, 9), (0.78, 9),
    (0.79, 10), (0.87, 10),
    (0.88, 11), (0.95, 11),
    (0.96, 12), (1.00, 12),
]  # fmt: skip


@pytest.mark.parametrize("g, months", TABLE)
def test_it_reads_every_boundary_of_the_months_table(g, months):
    assert months_of_progress(g) == months


@pytest.mark.parametrize("g, months", TABLE)
def test_it_mirrors_the_months_table_for_negative_effect_sizes(g, months):
    assert months_of_progress(-g) == -months


@pytest.mark.parametrize(
    "g, months",
    [
        (0.014, 0),  # rounds to 0.01
        (0.015, 1),  # rounds half up to 0.02, although the float is 0.01499...
        (0.094, 1),
        (0.095, 2),
        (0.185, 3),
        (0.955, 12),
        (-0.015, -1),
        (-0.004, 0),
        (1.01, 12),  # beyond the table: still 12
        (2.5, 12),
        (-3.0, -12),
    ],
)
def test_it_rounds_to_two_places_before_looking_up(g, months):
    assert months_of_progress(g) == months


def test_it_refuses_an_effect_size_that_is_not_a_number():
    with pytest.raises(ValueError):
        months_of_progress(math.nan)


# --- Ratio gain ---------------------------------------------------------------------------------------


def test_it_computes_a_ratio_gain_by_hand():
    # 9 Sept to 9 Dec 2024 is 91 days; 91 / (365.25 / 12) = 91 / 30.4375 = 2.989733 months.
    # Reading age 7y0m (84 months) -> 7y6m (90 months): 6 months gained; 6 / 2.989733 = 2.006868.
    result = ratio_gain(84, 90, START, END)
    assert result.months_gained == 6
    assert result.months_elapsed == pytest.approx(2.989733, abs=1e-6)
    assert result.ratio == pytest.approx(2.006868, abs=1e-6)
    assert result.band == "useful"


@pytest.mark.parametrize(
    "ratio, band",
    [
        (-0.5, "keeping pace or less"),  # went backwards
        (0.0, "keeping pace or less"),
        (1.0, "keeping pace or less"),  # RG 1 only keeps pace with age
        (1.01, "modest"),
        (1.99, "modest"),
        (2.0, "useful"),
        (2.99, "useful"),
        (3.0, "substantial"),
        (3.99, "substantial"),
        (4.0, "remarkable"),
        (9.5, "remarkable"),
        (2.9999999999, "substantial"),  # floating-point noise, not a real shortfall
    ],
)
def test_it_bands_ratio_gains_as_brooks_does(ratio, band):
    assert ratio_band(ratio) == band


@pytest.mark.parametrize(
    "ratio, band", [(1, "keeping pace or less"), (2, "useful"), (3, "substantial"), (4, "remarkable")]
)
def test_it_reaches_each_band_from_real_dates(ratio, band):
    # Gaining exactly ratio x the months elapsed must land on the edge, not just under it.
    elapsed = 91 / DAYS_PER_MONTH
    assert ratio_gain(84, 84 + ratio * elapsed, START, END).band == band


def test_it_bands_a_modest_ratio_gain():
    # 1.5 x 2.989733 months = 4.4846 months gained
    assert ratio_gain(100, 104.4846, START, END).band == "modest"


def test_it_needs_four_weeks_for_a_ratio_gain():
    too_soon = ratio_gain(84, 90, START, shift(27))
    assert too_soon.band == "not enough time"
    assert too_soon.ratio is None
    assert too_soon.months_gained == 6
    assert too_soon.months_elapsed == pytest.approx(27 / 30.4375)
    # 28 days = 0.919918 months; 6 / 0.919918 = 6.52232
    just_enough = ratio_gain(84, 90, START, shift(28))
    assert just_enough.ratio == pytest.approx(6.52232, abs=1e-5)
    assert just_enough.band == "remarkable"


def test_it_refuses_an_exit_before_the_entry():
    with pytest.raises(ValueError, match="before"):
        ratio_gain(84, 90, END, START)


def test_it_takes_the_ratio_of_means_for_a_group():
    # Pupil 1: 84 -> 90 over 91 days; pupil 2: 100 -> 103 over 61 days.
    # Mean gained (6 + 3) / 2 = 4.5 months; mean elapsed (91 + 61) / 2 = 76 days = 2.496920 months.
    # Group ratio 4.5 / 2.496920 = 1.802220 (the mean of the two ratios, 2.006868 and 1.496926, is 1.751897).
    result = group_ratio_gain([(84, 90, START, END), (100, 103, START, shift(61))])
    assert result.months_gained == pytest.approx(4.5)
    assert result.months_elapsed == pytest.approx(2.496920, abs=1e-6)
    assert result.ratio == pytest.approx(1.802220, abs=1e-6)
    assert result.band == "modest"


def test_it_says_when_a_group_has_no_ratio_gain():
    assert group_ratio_gain([]).band == "no data"
    assert group_ratio_gain([]).ratio is None
    # Mean elapsed (20 + 30) / 2 = 25 days: under four weeks.
    short = group_ratio_gain([(84, 86, START, shift(20)), (90, 92, START, shift(30))])
    assert short.band == "not enough time"
    assert short.ratio is None


# --- Comparison group ---------------------------------------------------------------------------------


def test_it_chooses_the_nearest_baselines_within_the_gap():
    treated = [measure("t1", 50, 60)]
    candidates = [
        measure("c-a", 52, 0),  # gap 2
        measure("c-b", 49, 0),  # gap 1
        measure("c-c", 55, 0),  # gap 5: on the edge, allowed
        measure("c-d", 56, 0),  # gap 6: too far
    ]
    chosen = choose_comparison(treated, candidates, max_baseline_gap=5)
    assert [m.pupil for m in chosen.comparison] == ["c-b", "c-a", "c-c"]
    assert chosen.treated == tuple(treated)
    two = choose_comparison(treated, candidates, per_pupil=2, max_baseline_gap=5)
    assert [m.pupil for m in two.comparison] == ["c-b", "c-a"]


def test_it_matches_without_replacement_lowest_entry_first():
    # t2 (entry 50) goes first, although listed second, and takes x (gap 0.5).
    # t1 (entry 51) would also prefer x (gap 0.5) but x is used, so t1 gets y (gap 2).
    treated = [measure("t1", 51, 0), measure("t2", 50, 0)]
    candidates = [measure("y", 53, 0), measure("x", 50.5, 0)]
    chosen = choose_comparison(treated, candidates, per_pupil=1, max_baseline_gap=3)
    assert [m.pupil for m in chosen.comparison] == ["x", "y"]


def test_it_breaks_ties_by_pupil_id_whatever_the_input_order():
    treated = [measure("t", 50, 0)]
    candidates = [measure("b", 51, 0), measure("d", 52, 0), measure("a", 49, 0), measure("c", 51, 0)]
    expected = ["a", "b"]  # a, b and c are all 1 away; a and b come first by id
    for seed in range(10):
        shuffled = candidates[:]
        random.Random(seed).shuffle(shuffled)
        chosen = choose_comparison(treated, shuffled, per_pupil=2, max_baseline_gap=5)
        assert [m.pupil for m in chosen.comparison] == expected


def test_it_breaks_ties_between_treated_pupils_by_id():
    # Two treated pupils on the same entry score; "t-a" chooses first although listed second.
    # c1's dates are within 45 days of both pupils'; c2's are 60 days from t-a's, so only t-b can have c2.
    # t-a first: t-a takes c1, t-b takes c2. (Were t-b first, it would take c1 by id and t-a get nothing.)
    later = datetime.timedelta(days=30)
    treated = [measure("t-b", 50, 0, START + later, END + later), measure("t-a", 50, 0)]
    c1 = measure("c1", 50, 0, shift(15), END + datetime.timedelta(days=15))
    c2 = measure("c2", 50, 0, shift(60), END + datetime.timedelta(days=60))
    chosen = choose_comparison(treated, [c2, c1], per_pupil=1, max_baseline_gap=0)
    assert [m.pupil for m in chosen.comparison] == ["c1", "c2"]
    assert chosen.treated == tuple(treated)


def test_it_keeps_to_the_date_window():
    treated = [measure("t", 50, 0)]
    candidates = [
        measure("entry-45", 50, 0, entry_on=shift(45)),  # 45 days: allowed
        measure("entry-46", 50, 0, entry_on=shift(-46)),  # 46 days before: too far
        measure("exit-45", 50, 0, exit_on=END - datetime.timedelta(days=45)),
        measure("exit-46", 50, 0, exit_on=END + datetime.timedelta(days=46)),
    ]
    chosen = choose_comparison(treated, candidates, per_pupil=5, max_baseline_gap=0)
    assert [m.pupil for m in chosen.comparison] == ["entry-45", "exit-45"]
    narrow = choose_comparison(treated, candidates, per_pupil=5, max_baseline_gap=0, max_date_gap_days=10)
    assert narrow.comparison == ()


def test_it_never_uses_a_treated_pupil_or_the_same_pupil_twice():
    treated = [measure("t", 50, 0)]
    candidates = [
        measure("t", 50, 0),  # the treated pupil's own record
        measure("c", 50, 0),
        measure("c", 50.5, 0),  # a second record for the same pupil
        measure("d", 51, 0),
    ]
    chosen = choose_comparison(treated, candidates, per_pupil=3, max_baseline_gap=2)
    assert [m.pupil for m in chosen.comparison] == ["c", "d"]


def test_it_tolerates_floating_point_in_the_baseline_gap():
    chosen = choose_comparison(
        [measure("t", 0.1, 0)], [measure("c", 0.1 + 0.2 + 0.1, 0)], max_baseline_gap=0.3
    )
    assert len(chosen.comparison) == 1


def test_it_describes_how_the_comparison_was_chosen():
    treated = [measure("t1", 50, 0), measure("t2", 70, 0)]
    candidates = [measure(f"c{i}", 50 + i / 10, 0) for i in range(5)]
    chosen = choose_comparison(treated, candidates, max_baseline_gap=2.5)
    assert chosen.note == (
        "For each of the 2 pupils in the intervention we looked for up to 3 pupils not in it whose entry "
        "score was within 2.5 of theirs and who were tested within 45 days of the same entry and exit dates, "
        "nearest entry score first, each pupil used once. 3 pupils found; 1 pupil had fewer than 3 matches. "
        "They were matched, not chosen at random, so other differences may remain."
    )


def test_it_refuses_nonsense_matching_settings():
    with pytest.raises(ValueError):
        choose_comparison([], [], per_pupil=0, max_baseline_gap=1)
    with pytest.raises(ValueError):
        choose_comparison([], [], max_baseline_gap=-1)
    with pytest.raises(ValueError):
        choose_comparison([], [], max_baseline_gap=1, max_date_gap_days=-1)


def test_it_feeds_a_chosen_comparison_into_the_effect_size():
    treated = [measure(f"t{i}", 90 + i, 100 + i) for i in range(6)]
    candidates = [measure(f"c{i:02d}", 88 + i / 2, 95 + i / 2) for i in range(30)]
    chosen = choose_comparison(treated, candidates, per_pupil=2, max_baseline_gap=3)
    assert len(chosen.comparison) == 12
    assert effect_size(chosen).status == "ok"


def test_it_refuses_a_measure_that_cannot_be_right():
    with pytest.raises(ValueError, match="exit date before"):
        measure("p", 1, 2, entry_on=END, exit_on=START)
    with pytest.raises(ValueError, match="not a number"):
        measure("p", math.nan, 2)


# --- Dosage and cost -----------------------------------------------------------------------------------


def test_it_computes_dosage_by_hand():
    # 3 a week for 10 weeks = 30 planned; 24 delivered = 80% of plan; 20 of 24 expected attended = 0.8333
    result = dosage(sessions_per_week=3, weeks=10, delivered=24, attended=20, expected=24)
    assert result == Dosage(
        planned_sessions=30,
        delivered_sessions=24,
        attendance_rate=pytest.approx(20 / 24),
        percent_of_plan=80.0,
    )


def test_it_allows_more_sessions_than_planned():
    assert dosage(sessions_per_week=2, weeks=5, delivered=12, attended=12, expected=12).percent_of_plan == 120


def test_it_has_no_rate_with_nothing_to_divide_by():
    result = dosage(sessions_per_week=0, weeks=10, delivered=0, attended=0, expected=0)
    assert result.planned_sessions == 0
    assert result.attendance_rate is None
    assert result.percent_of_plan is None


def test_it_refuses_impossible_dosage():
    with pytest.raises(ValueError, match="negative"):
        dosage(sessions_per_week=3, weeks=-1, delivered=0, attended=0, expected=0)
    with pytest.raises(ValueError, match="attended"):
        dosage(sessions_per_week=3, weeks=10, delivered=30, attended=25, expected=24)


def test_it_computes_cost_per_pupil_by_hand():
    # 18.00 an hour x 30/60 hours x 30 sessions = 270.00, shared by 3 pupils = 90.00 each
    assert cost_per_pupil(
        hourly_rate=18.0, minutes_per_session=30, sessions=30, group_size=3
    ) == pytest.approx(90)
    # one-to-one, 20 minutes, 12 sessions at 21.60: 21.60 x 1/3 x 12 = 86.40
    assert cost_per_pupil(
        hourly_rate=21.6, minutes_per_session=20, sessions=12, group_size=1
    ) == pytest.approx(86.4)


def test_it_refuses_an_empty_group_for_costs():
    with pytest.raises(ValueError):
        cost_per_pupil(hourly_rate=18.0, minutes_per_session=30, sessions=30, group_size=0)


def test_it_computes_cost_per_unit_gain_only_for_a_gain():
    assert cost_per_unit_gain(90.0, 4.5) == pytest.approx(20)  # 90 / 4.5 months = 20.00 a month
    assert cost_per_unit_gain(90.0, 0) is None
    assert cost_per_unit_gain(90.0, -2) is None
    assert cost_per_unit_gain(90.0, None) is None
    assert cost_per_unit_gain(90.0, math.nan) is None
