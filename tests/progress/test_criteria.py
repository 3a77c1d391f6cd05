"""The arithmetic of criteria (b) and (d): weight tables and contrasts over each pupil's history."""

from __future__ import annotations

import numpy as np
import pytest

from tandem.progress import criteria as crit


def _runs(rng: np.random.Generator, pupils: int, longest: int) -> np.ndarray:
    """Positions in run order: each pupil-subject's windows 0, 1, ... consecutive."""
    return np.concatenate([np.arange(rng.integers(1, longest + 1)) for _ in range(pupils)])


def _naive(values, errors, windows, table, rows):
    """sum_j w_j values[i - j] and its standard error, one row at a time, from the documented rules."""
    total = np.full(len(values), np.nan)
    se = np.full(len(values), np.nan)
    for i in rows:
        w = table[windows[i]]
        used = [j for j in range(len(w)) if w[j] != 0]
        if not used:
            continue
        error_missing = any(np.isnan(errors[i - j]) for j in used)
        value_missing = any(np.isnan(values[i - j]) for j in used)
        variance = sum(w[j] ** 2 * errors[i - j] ** 2 for j in used)
        if error_missing or not variance > 0:
            continue
        se[i] = np.sqrt(variance)
        if not value_missing:
            total[i] = sum(w[j] * values[i - j] for j in used)
    return total, se


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("missing", [0.0, 0.05])
def test_it_sums_each_rows_history_with_the_weights_for_its_number_of_windows(seed: int, missing: float):
    rng = np.random.default_rng(seed)
    pos = _runs(rng, pupils=300, longest=12)
    n = len(pos)
    values = rng.normal(size=n)
    errors = rng.uniform(0.2, 0.4, size=n)
    values[rng.random(n) < missing] = np.nan
    errors[rng.random(n) < missing / 2] = np.nan
    depth = 7
    windows = np.minimum(pos, depth - 1) + 1
    tables = [rng.normal(size=(depth + 1, depth)) * (rng.random((depth + 1, depth)) < 0.7) for _ in range(3)]
    for t in tables:
        for k in range(depth + 1):
            t[k, k:] = 0.0  # a row with k windows weighs lags 0 .. k - 1 only
        t[1] = 0.0  # one window: no contrast, as in every real table
    rows = np.flatnonzero(rng.random(n) < 0.8)
    into = [np.full(n, -99.0, dtype=np.float32) for _ in tables]
    errors_into = [np.full(n, -99.0, dtype=np.float32), None, np.full(n, -99.0, dtype=np.float32)]

    crit.history_contrasts(values, errors, windows, tables, into=into, errors_into=errors_into, rows=rows)

    others = np.setdiff1d(np.arange(n), rows)
    for t, table in enumerate(tables):
        want, want_se = _naive(values, errors, windows, table, rows)
        np.testing.assert_allclose(into[t][rows], want[rows], rtol=1e-5, atol=1e-6)
        assert (into[t][others] == -99).all()  # rows not asked for are left alone
        if errors_into[t] is not None:
            np.testing.assert_allclose(errors_into[t][rows], want_se[rows], rtol=1e-5, atol=1e-6)
    assert np.isnan(into[0][rows][windows[rows] == 1]).all()


def test_it_does_not_let_a_missing_gap_a_table_ignores_spoil_it():
    values = np.asarray([1.0, np.nan, 3.0, 4.0])
    errors = np.full(4, 0.5)
    windows = np.asarray([1, 2, 3, 4])
    newest_two = np.zeros((5, 4))
    newest_two[2:, :2] = [1.0, -1.0]  # this window minus the one before
    all_four = np.zeros((5, 4))
    all_four[4] = 0.25
    into = [np.empty(4, dtype=np.float32) for _ in range(2)]
    errors_into = [np.empty(4, dtype=np.float32), np.empty(4, dtype=np.float32)]

    crit.history_contrasts(
        values, errors, windows, [newest_two, all_four], into=into, errors_into=errors_into
    )

    assert into[0][3] == pytest.approx(1.0)  # 4 - 3: the missing second score is not used
    assert np.isnan(into[0][2])  # 3 - missing
    assert errors_into[0][2] == pytest.approx(np.sqrt(0.5))  # its error is still known
    assert np.isnan(into[1][3])  # the mean of all four uses the missing one


def test_slope_weights_recover_a_straight_line():
    table = crit.slope_weights(9, 4)
    for n in range(4, 10):
        lags = np.arange(n)
        gaps = 0.3 + 0.05 * -lags  # gap = 0.3 + 0.05 t at time t = -lag: rising 0.05 a window
        assert table[n, :n] @ gaps == pytest.approx(0.05)
    assert not table[3].any()


def test_rate_weights_see_a_slowdown_and_not_a_steady_rate():
    now, before, spans = crit.rate_weights(2, 3)
    steady = 1.0 + 0.2 * -np.arange(6)  # gap rising... falling 0.2 a window, the same throughout
    assert (now - before)[6] @ steady == pytest.approx(0.0)
    slowed = np.asarray([0.0, 0.5, 1.0, 1.0, 1.0, 1.0])  # flat, then 0.5 a window lost over the last two
    assert (now - before)[6] @ slowed == pytest.approx(-0.5)
    assert spans[6] == 3 and spans[3] == 1


def test_widen_repeats_the_last_row_for_longer_histories():
    table = crit.level_weights(3, 1)
    wide = crit.widen(table, 6)
    assert wide.shape == (7, 6)
    np.testing.assert_array_equal(wide[3, :3], table[3])
    np.testing.assert_array_equal(wide[6, :3], table[3])
    assert not wide[:, 3:].any()


def test_history_tables_are_read_only():
    tables, _ = crit.history_tables(
        horizon=8, recent_windows=2, min_windows_trend=4, rate_recent=2, rate_lookback=3
    )
    assert len(tables) == len(crit.HISTORY_CONTRASTS)
    with pytest.raises(ValueError):
        tables[0][2, 0] = 1.0
