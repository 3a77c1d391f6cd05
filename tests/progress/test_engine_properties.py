"""Properties the issue requires of the engine: row order does not matter, an unrelated cohort changes
nothing, and a higher current score from the same baseline never gets a lower percentile."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.progress import criteria as crit
from tandem.progress import norms
from tandem.progress.engine import ProgressTable, assess_progress, cohorts, parallel, prepare
from tandem.progress.settings import ProgressSettings, ScaleInfo

SCALES = {
    "maths": ScaleInfo.standardised(reliability=0.9, retest_r=0.8),
    "reading": ScaleInfo(name="teacher points", reliability=0.85),  # no published norms
}
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def cohort(seed: int, *, pupils: int, year_group: int, school: int, prefix: str) -> dict[str, np.ndarray]:
    """A cohort's results in two subjects over four windows, with a few missed sittings and a few declines."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=(pupils, 1))
    windows = np.arange(4)
    decline = (
        (rng.random((pupils, 1)) < 0.2) * rng.uniform(3, 9, size=(pupils, 1)) * np.maximum(windows - 1, 0)
    )
    rows: dict[str, list] = {k: [] for k in ("pupil", "subject", "window", "points", "year_group", "school")}
    for subject in ("maths", "reading"):
        noise = rng.normal(0, 4.7, size=(pupils, windows.size))
        scores = np.clip(np.rint(100 + 15 * ability + noise - decline), 69, 141)
        present = rng.random(scores.shape) > 0.08
        for i, w in zip(*np.nonzero(present), strict=True):
            rows["pupil"].append(f"{prefix}{i:03d}")
            rows["subject"].append(subject)
            rows["window"].append(int(w))
            rows["points"].append(float(scores[i, w]))
            rows["year_group"].append(year_group)
            rows["school"].append(school)
    return {k: np.asarray(v, dtype=object if k in ("pupil", "subject") else None) for k, v in rows.items()}


def concat(*parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def take(columns: dict[str, np.ndarray], index: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[index] for k, v in columns.items()}


def same_rows(a: ProgressTable, b: ProgressTable, mask_a: np.ndarray, mask_b: np.ndarray) -> None:
    assert mask_a.sum() == mask_b.sum()
    for name, values in a.columns.items():
        left, right = values[mask_a], b.columns[name][mask_b]
        if left.dtype.kind == "f":
            assert np.array_equal(left, right, equal_nan=True), name
        else:
            assert list(left) == list(right), name


sizes = st.sampled_from([8, 25, 40, 120])
references = st.sampled_from(["trust", "school", "published"])


@FEW
@given(seed=st.integers(0, 10_000), pupils=sizes, reference=references)
def test_it_gives_the_same_results_whatever_the_row_order(seed: int, pupils: int, reference: str) -> None:
    columns = concat(
        cohort(seed, pupils=pupils, year_group=3, school=1, prefix="a"),
        cohort(seed + 1, pupils=30, year_group=4, school=2, prefix="b"),
    )
    config = ProgressSettings(reference_population=reference)  # type: ignore[arg-type]
    first = assess_progress(columns=columns, scales=SCALES, settings=config)
    shuffled = take(columns, np.random.default_rng(seed).permutation(len(columns["points"])))
    second = assess_progress(columns=shuffled, scales=SCALES, settings=config)
    everything = np.ones(len(first), dtype=bool)
    same_rows(first, second, everything, everything)
    assert [m.to_dict() for m in first.models] == [m.to_dict() for m in second.models]


@FEW
@given(seed=st.integers(0, 10_000), pupils=sizes, other=sizes, reference=references)
def test_it_is_not_moved_by_an_unrelated_cohort(seed: int, pupils: int, other: int, reference: str) -> None:
    mine = cohort(seed, pupils=pupils, year_group=5, school=1, prefix="m")
    # Another year group in another school: never the same norm group or gap group as mine.
    theirs = cohort(seed + 7, pupils=other, year_group=6, school=2, prefix="t")
    config = ProgressSettings(reference_population=reference)  # type: ignore[arg-type]
    alone = assess_progress(columns=mine, scales=SCALES, settings=config)
    together = assess_progress(columns=concat(theirs, mine), scales=SCALES, settings=config)
    in_mine = np.asarray([p.startswith("m") for p in together["pupil"]])
    same_rows(alone, together, np.ones(len(alone), dtype=bool), in_mine)


@FEW
@given(seed=st.integers(0, 10_000), pupils=sizes, bump=st.integers(1, 25), reference=references)
def test_it_never_lowers_a_percentile_for_a_higher_score(
    seed: int, pupils: int, bump: int, reference: str
) -> None:
    columns = cohort(seed, pupils=pupils, year_group=3, school=1, prefix="p")
    config = replace(ProgressSettings(), reference_population=reference)  # type: ignore[arg-type]
    before = assess_progress(columns=columns, scales=SCALES, settings=config, reasons=False)
    # Raise one pupil's latest score in one subject: same baseline, higher current score.
    rng = np.random.default_rng(seed)
    latest = np.flatnonzero(columns["window"] == 3)
    target = latest[rng.integers(latest.size)]
    raised = {k: v.copy() for k, v in columns.items()}
    raised["points"][target] += bump
    after = assess_progress(columns=raised, scales=SCALES, settings=config, reasons=False)
    hit = (before["pupil"] == columns["pupil"][target]) & (before["subject"] == columns["subject"][target])
    hit &= before["window"] == 3
    assert hit.sum() == 1
    assert after["percentile"][hit][0] >= before["percentile"][hit][0]
    assert after["percentile_high"][hit][0] >= before["percentile_high"][hit][0]

    # And within one run: same norm group and the same prior scores (all those the model conditioned on),
    # a higher score never ranks lower.
    cols = before.columns
    run_position = cols["windows_so_far"].astype(int) - 1
    keys: list[np.ndarray] = [
        cols["subject"].astype(str),
        cols["window"],
        cols["norm_model"],
        cols["prior_order"],
    ]
    for lag in (1, 2):
        score, window = np.full(len(before), np.nan), np.full(len(before), -1)
        score[lag:], window[lag:] = cols["score"][:-lag], cols["window"][:-lag]
        used = (run_position >= lag) & (cols["prior_order"] >= lag)
        keys += [np.where(used, score, -1.0), np.where(used, window, -1)]
    key = np.rec.fromarrays(keys)
    scored = cols["percentile"] > 0
    for k in np.unique(key[scored]):
        group = scored & (key == k)
        order = np.argsort(cols["score"][group], kind="stable")
        assert (np.diff(cols["percentile"][group][order].astype(int)) >= 0).all()


@FEW
@given(seed=st.integers(0, 10_000))
def test_it_is_deterministic(seed: int) -> None:
    columns = cohort(seed, pupils=60, year_group=2, school=1, prefix="d")
    first = assess_progress(columns=columns, scales=SCALES)
    second = assess_progress(columns=columns, scales=SCALES)
    everything = np.ones(len(first), dtype=bool)
    same_rows(first, second, everything, everything)


@FEW
@given(seed=st.integers(0, 10_000), workers=st.sampled_from([2, 3, 4]))
def test_it_gives_the_same_results_on_one_thread_or_several(seed: int, workers: int) -> None:
    # Several cohorts, PRR (from 100 pupils) and peer bands, so the threaded stages have work to split.
    columns = concat(
        cohort(seed, pupils=120, year_group=3, school=1, prefix="a"),
        cohort(seed + 1, pupils=150, year_group=4, school=2, prefix="b"),
        cohort(seed + 2, pupils=40, year_group=5, school=3, prefix="c"),
    )
    one = assess_progress(columns=columns, scales=SCALES, workers=1)
    chunk_rows, criteria_rows = parallel.CHUNK_ROWS, parallel.CRITERIA_CHUNK_ROWS
    # Many small chunks of pupil histories for every threaded stage, the criteria's included.
    parallel.CHUNK_ROWS = parallel.CRITERIA_CHUNK_ROWS = 64
    try:
        many = assess_progress(columns=columns, scales=SCALES, workers=workers)
    finally:
        parallel.CHUNK_ROWS, parallel.CRITERIA_CHUNK_ROWS = chunk_rows, criteria_rows
    everything = np.ones(len(one), dtype=bool)
    same_rows(one, many, everything, everything)
    assert [m.to_dict() for m in one.models] == [m.to_dict() for m in many.models]


@FEW
@given(seed=st.integers(0, 10_000))
def test_it_orders_rows_the_same_by_counting_or_by_sorting(seed: int) -> None:
    # Duplicate sittings (the later date wins), missing scores and missing pupil ids, split into many small
    # chunks on two threads, against the sorting path on one.
    rng = np.random.default_rng(seed)
    columns = concat(
        cohort(seed, pupils=120, year_group=3, school=1, prefix="a"),
        cohort(seed + 1, pupils=40, year_group=4, school=2, prefix="b"),
    )
    n = len(columns["points"])
    columns["date"] = np.datetime64("2025-01-01") + rng.integers(0, 300, size=n).astype("timedelta64[D]")
    again = take(columns, rng.choice(n, size=n // 10, replace=False))
    again["points"] = again["points"] + rng.integers(-5, 6, size=again["points"].size)
    columns = concat(columns, again)
    columns["points"][rng.random(columns["points"].size) < 0.02] = np.nan
    columns["pupil"][rng.random(columns["pupil"].size) < 0.01] = None
    counting = prepare._counting_sort_fits
    chunk_rows = parallel.CHUNK_ROWS
    parallel.CHUNK_ROWS = 64
    try:
        counted = assess_progress(columns=columns, scales=SCALES, workers=2)
        prepare._counting_sort_fits = lambda n_cells, n: False  # type: ignore[assignment]
        sorted_ = assess_progress(columns=columns, scales=SCALES, workers=1)
    finally:
        prepare._counting_sort_fits = counting  # type: ignore[assignment]
        parallel.CHUNK_ROWS = chunk_rows
    everything = np.ones(len(counted), dtype=bool)
    same_rows(counted, sorted_, everything, everything)


def test_it_gives_the_same_results_with_huge_page_advice_on_or_off_and_restores_it() -> None:
    """The engine switches numpy's huge-page advice off for its own run (speed only) and back afterwards."""
    multiarray = np._core.multiarray
    columns = cohort(7, pupils=120, year_group=5, school=1, prefix="h")
    compacts = parallel._compacts_for_huge_pages
    previous = multiarray._set_madvise_hugepage(True)
    try:
        advised = assess_progress(columns=columns, scales=SCALES, workers=2)
        assert multiarray._get_madvise_hugepage() is True
        parallel._compacts_for_huge_pages = lambda: False  # type: ignore[assignment]
        plain = assess_progress(columns=columns, scales=SCALES, workers=2)
    finally:
        parallel._compacts_for_huge_pages = compacts  # type: ignore[assignment]
        multiarray._set_madvise_hugepage(previous)
    everything = np.ones(len(advised), dtype=bool)
    same_rows(advised, plain, everything, everything)


@FEW
@given(seed=st.integers(0, 10_000), order=st.integers(1, 3), n=st.sampled_from([1, 7, 300, 5000]))
def test_distinct_rows_from_value_keys_equal_those_from_the_scores(seed: int, order: int, n: int) -> None:
    # Small groups take the sorting path of distinct_rows_of_keys, larger ones its table of keys.
    rng = np.random.default_rng(seed)
    lo, radix = 69.0, 20
    digits = rng.integers(0, radix, size=(n, order + 1))
    values = digits + lo  # column 0: the oldest prior; the last column: the current score
    keys = np.zeros(n, dtype=np.int32)
    for j in range(order + 1):
        keys += (digits[:, order - j] * radix**j).astype(np.int32)
    by_keys = norms.distinct_rows_of_keys(keys, order=order, radix=radix, lo=lo)
    by_scores = norms.distinct_rows(values[:, :order], values[:, order])
    for name in ("pair", "weight", "pair_combo", "current", "priors", "combo_weight", "combo_total", "n"):
        left, right = getattr(by_keys, name), getattr(by_scores, name)
        assert np.array_equal(left, right), name
        assert np.asarray(left).dtype.kind == np.asarray(right).dtype.kind, name


@FEW
@given(seed=st.integers(0, 10_000))
def test_prr_gives_the_same_results_from_value_keys_as_from_the_scores(seed: int) -> None:
    # Whole-number scores take the value-key path; with the key limit at zero the same run gathers and
    # codes the scores per norm group. A cohort of 600 gets the spline fit, 150 the linear one.
    columns = concat(
        cohort(seed, pupils=600, year_group=3, school=1, prefix="a"),
        cohort(seed + 1, pupils=150, year_group=4, school=2, prefix="b"),
        cohort(seed + 2, pupils=40, year_group=5, school=3, prefix="c"),
    )
    prr = ProgressSettings(use_sgp=False)
    calls = []
    by_keys = norms.distinct_rows_of_keys

    def counted(*args: object, **kwargs: object) -> norms.DistinctRows:
        calls.append(1)
        return by_keys(*args, **kwargs)  # type: ignore[arg-type]

    limit = cohorts._VALUE_KEY_LIMIT
    chunk_rows = parallel.CHUNK_ROWS
    norms.distinct_rows_of_keys = counted  # type: ignore[assignment]
    parallel.CHUNK_ROWS = 64  # keys placed in norm-group order chunk by chunk, with the rows
    try:
        keyed = assess_progress(columns=columns, scales=SCALES, settings=prr, workers=2)
        assert calls, "the value-key path was not taken"
        parallel.CHUNK_ROWS = chunk_rows
        cohorts._VALUE_KEY_LIMIT = 0
        gathered = assess_progress(columns=columns, scales=SCALES, settings=prr, workers=2)
    finally:
        norms.distinct_rows_of_keys = by_keys  # type: ignore[assignment]
        cohorts._VALUE_KEY_LIMIT = limit
        parallel.CHUNK_ROWS = chunk_rows
    assert len(calls) == len([m for m in keyed.models if m.kind == "prr"])
    everything = np.ones(len(keyed), dtype=bool)
    same_rows(keyed, gathered, everything, everything)
    assert [m.to_dict() for m in keyed.models] == [m.to_dict() for m in gathered.models]


def test_prr_does_not_use_value_keys_for_scores_that_are_not_whole_numbers() -> None:
    columns = cohort(3, pupils=150, year_group=4, school=2, prefix="f")
    assert cohorts._value_key_range(prepare._prepare(columns), 2, 1) == (69.0, 73)
    columns["points"] = columns["points"] + 0.5
    assert cohorts._value_key_range(prepare._prepare(columns), 2, 1) is None
    columns["points"] = columns["points"] * 1000.0 - 0.5  # whole numbers, but too many values for keys
    assert cohorts._value_key_range(prepare._prepare(columns), 2, 1) is None


@FEW
@given(seed=st.integers(0, 10_000), workers=st.sampled_from([1, 2]))
def test_cohort_means_and_sds_by_chunks_equal_those_in_one_pass(seed: int, workers: int) -> None:
    # Scores that are not whole numbers, so the order of every addition shows in the last bits.
    rng = np.random.default_rng(seed)
    n, n_groups = 5000, 40
    code = rng.integers(0, n_groups - 3, size=n).astype(np.int32)  # the last groups are empty
    values = rng.normal(100, 15, size=n) + rng.random(n) * 1e-7
    spans = parallel._spans(n, 333)
    counts = [np.bincount(code[a:b], minlength=n_groups) for a, b in spans]
    count, mean, sd = cohorts._group_mean_sd(code, values, n_groups, spans, counts, workers)
    want = crit.group_mean_sd(code.astype(np.intp), values, n_groups)
    for got, expected in zip((count, mean, sd), want, strict=True):
        assert got.dtype == expected.dtype
        assert np.array_equal(np.asarray(got).view(np.uint8), np.asarray(expected).view(np.uint8))
