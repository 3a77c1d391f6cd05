"""Stage 2, the cohorts: gap groups (reference population x subject x window x year group, `_gap_groups`)
with their means and SDs, and each row's norm-group history (`_histories`), from which the norm model of
every cohort is chosen; and the value keys the PRR fits read their distinct rows from."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tandem.progress import norms
from tandem.progress.engine import parallel
from tandem.progress.engine.columns import (
    _BAND,
    _NONE,
    _PRR,
    _PUBLISHED,
    _SGP,
    BoolArray,
    FloatArray,
    IntArray,
)
from tandem.progress.engine.parallel import _chunks, _map, _spans
from tandem.progress.engine.prepare import _dense_by_chunks, _Rows, _stable_group_order_by_chunks
from tandem.progress.settings import ProgressSettings, ScaleInfo


def _subject_arrays(
    labels: NDArray[Any], scales: Mapping[Any, ScaleInfo], settings: ProgressSettings
) -> dict[str, FloatArray]:
    """Per subject code: norm mean/SD (NaN: no norms), reliability, fixed SEM, retest r, expected standard."""
    infos = [scales.get(label, scales.get(str(label), ScaleInfo(name="local"))) for label in labels]
    nan = float("nan")

    def arr(values: Sequence[float | None]) -> FloatArray:
        return np.asarray([nan if v is None else float(v) for v in values], dtype=np.float64)

    rel = arr([i.reliability_or(settings.default_reliability) for i in infos])
    return {
        "norm_mean": arr([i.norm_mean for i in infos]),
        "norm_sd": arr([i.norm_sd for i in infos]),
        "reliability": rel,
        "sem": arr([i.sem_points(settings.default_reliability) for i in infos]),
        "retest_r": np.where(
            np.isnan(arr([i.retest_r for i in infos])), rel, arr([i.retest_r for i in infos])
        ),
        "expected": arr([i.expected for i in infos]),
        "norm_sample_n": arr([i.norm_sample_n or 0 for i in infos]),
    }


@dataclass
class _Groups:
    """Gap groups (reference population x subject x window x year group): a code per row and small tables."""

    code: IntArray
    count: IntArray
    subject: IntArray
    part: IntArray
    window: IntArray
    year_group: IntArray
    mean: FloatArray
    sd: FloatArray
    peer_ok: BoolArray
    sem: FloatArray  # SEM in points
    se_peer: FloatArray  # SEM in peer-z units
    se_nat: FloatArray  # SEM in national-z units
    norm_mean: FloatArray
    norm_sd: FloatArray
    has_norms: BoolArray
    published: BoolArray  # gaps and growth against published norms only
    expected: FloatArray
    retest_r: FloatArray
    norm_sample_n: FloatArray


def _group_mean_sd(
    code: NDArray[np.signedinteger[Any]],
    values: FloatArray,
    n_groups: int,
    spans: list[tuple[int, int]],
    chunk_counts: list[IntArray],
    workers: int,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """`criteria.group_mean_sd` bit for bit, with its elementwise work on the worker threads.

    Each group's sums must still run over its rows in row order, so the two sums stay on this thread,
    chunk after chunk in order: `np.add.at` adds in index order into the running totals, exactly as
    `np.bincount` does (and takes int32 codes without an 18M-row conversion to intp). The squared
    deviations of later chunks are computed on the threads meanwhile.
    """
    count = np.zeros(n_groups, dtype=np.int64)
    for counts in chunk_counts:
        count += counts
    total = np.zeros(n_groups, dtype=np.float64)
    for a, b in spans:
        np.add.at(total, code[a:b], values[a:b])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count

        def squares(span: tuple[int, int]) -> FloatArray:
            dev: FloatArray = values[span[0] : span[1]] - mean[code[span[0] : span[1]]]
            dev *= dev
            return dev

        ss = np.zeros(n_groups, dtype=np.float64)
        for (a, b), squared in zip(spans, _map(squares, spans, workers), strict=True):
            np.add.at(ss, code[a:b], squared)
        sd = np.sqrt(ss / (count - 1))
    sd[count < 2] = np.nan
    return count, mean, sd


def _gap_groups(
    rows: _Rows, scale: dict[str, FloatArray], settings: ProgressSettings, workers: int = 1
) -> _Groups:
    m = rows.points.size
    n_s, n_w = len(rows.subject_labels), len(rows.window_labels)
    if settings.reference_population == "school":
        if rows.school is None or rows.school_labels is None:
            raise ValueError('the "school" reference population needs a school column')
        n_part = len(rows.school_labels)
    else:
        n_part = 1
    yg_lo = int(rows.year_group.min()) if m else 0
    n_yg = int(rows.year_group.max()) - yg_lo + 1 if m else 1
    limit = n_s * n_part * n_w * n_yg
    kind_of_int: type[np.signedinteger[Any]] = np.int32 if limit < np.iinfo(np.int32).max else np.int64

    def raw_codes(a: int, b: int) -> NDArray[np.signedinteger[Any]]:
        raw: NDArray[np.signedinteger[Any]] = rows.subject[a:b].astype(kind_of_int)
        raw *= n_part * n_w * n_yg
        if n_part > 1 and rows.school is not None:
            raw += rows.school[a:b].astype(kind_of_int) * (n_w * n_yg)
        raw += rows.window[a:b].astype(kind_of_int) * n_yg
        raw += rows.year_group[a:b] - yg_lo
        return raw

    spans = _spans(m, parallel.CHUNK_ROWS)
    code, raw_of, chunk_counts = _dense_by_chunks(raw_codes, limit, spans, workers)
    g_subject, rest = np.divmod(raw_of, n_part * n_w * n_yg)
    g_part, rest = np.divmod(rest, n_w * n_yg)
    g_window, g_yg = np.divmod(rest, n_yg)
    count, mean, sd = _group_mean_sd(code, rows.points, raw_of.size, spans, chunk_counts, workers)
    norm_mean, norm_sd = scale["norm_mean"][g_subject], scale["norm_sd"][g_subject]
    has_norms = ~np.isnan(norm_mean)
    rel = scale["reliability"][g_subject]
    fixed = scale["sem"][g_subject]
    with np.errstate(invalid="ignore", divide="ignore"):
        sem = np.where(np.isnan(fixed), sd * np.sqrt(1.0 - rel), fixed)
        se_peer = sem / sd
        se_nat = sem / norm_sd
    return _Groups(
        code=code,
        count=count,
        subject=g_subject,
        part=g_part,
        window=g_window,
        year_group=g_yg + yg_lo,
        mean=mean,
        sd=sd,
        peer_ok=(count >= settings.gap_min_peers) & (sd > 0),
        sem=sem,
        se_peer=se_peer,
        se_nat=se_nat,
        norm_mean=norm_mean,
        norm_sd=norm_sd,
        has_norms=has_norms,
        published=(settings.reference_population == "published") & has_norms,
        expected=scale["expected"][g_subject],
        retest_r=scale["retest_r"][g_subject],
        norm_sample_n=scale["norm_sample_n"][g_subject],
    )


@dataclass
class _Histories:
    """Norm-group membership, computed once for all prior orders.

    Each row gets a history code U = (gap group, (window, year-group change) of the previous sitting, ..., of
    the K-th previous sitting), with "none" (sorting last) where the pupil has fewer usable sittings. The
    year-group change is the SGP "progression": a pupil who repeated a year or skipped one has a different
    grade sequence from their peers, so joins a norm group of their own (usually too small for a model:
    "not enough data", with its size), as the SGP package runs only progressions of consecutive grades; a
    change outside -1 .. 5 year groups is a data error and ends the usable priors. The codes are
    numbered in lexicographic order, so the norm group of order k (gap group plus k prior windows) is a
    contiguous range of codes, and after one stable sort of the rows by code, a contiguous range of rows.
    Every decision (model, order, norm-group size) is made on the small per-code tables.
    """

    code: IntArray  # per row
    rows_by_code: IntArray  # row indices sorted by code (stable: canonical order within a code)
    offsets: IntArray  # rows of code u are rows_by_code[offsets[u]:offsets[u + 1]]
    depth: IntArray  # per code: usable priors (0..K)
    prefix: list[IntArray]  # prefix[k - 1][u]: dense id of u's order-k norm group (-1 if depth < k)
    group_count: list[IntArray]  # group_count[k - 1][id]: rows in that norm group
    kind: NDArray[np.int8]  # per code
    order: NDArray[np.int8]  # per code
    norm_n: NDArray[np.int32]  # per code
    gap_group: IntArray  # per code (non-decreasing: codes are numbered in gap-group order)
    big_k: int  # prior orders the codes hold
    value_keys: _ValueKeys | None = None


#: Year-group changes from a prior to now that form a progression: -1 .. 5 (stored + 1). The same range
#: for every run, so a cohort's norm groups never depend on which other cohorts are in it.
_YEAR_GROUP_CHANGES = 7


def _histories(
    rows: _Rows,
    groups: _Groups,
    settings: ProgressSettings,
    workers: int = 1,
    value_keys: tuple[float, int] | None = None,
) -> _Histories:
    """`_Histories`; with `value_keys` (lo, radix), also the rows' `_ValueKeys` (up to `max_prior_order`)."""
    n_w = len(rows.window_labels)
    big_k = _history_order(groups, settings)
    none = n_w * _YEAR_GROUP_CHANGES
    radix = none + 1
    limit = groups.count.size * radix**big_k
    # int32 arithmetic when the code space allows: half the memory traffic of int64 over 18M rows.
    kind_of_int = np.int32 if limit < np.iinfo(np.int32).max else np.int64
    history_codes = functools.partial(
        _history_code_chunk, rows, groups, settings, big_k=big_k, kind_of_int=kind_of_int
    )
    spans = _chunks(rows.position, parallel.CHUNK_ROWS)
    dense, raw_of, chunk_counts = _dense_by_chunks(history_codes, limit, spans, workers)
    n_codes = raw_of.size
    counts = np.sum(chunk_counts, axis=0) if chunk_counts else np.zeros(n_codes, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    carry = None
    if value_keys is not None:
        carry = functools.partial(
            _value_key_chunk, rows, lo=value_keys[0], radix=value_keys[1], max_order=settings.max_prior_order
        )
    rows_by_code, keys_by_code = _stable_group_order_by_chunks(dense, spans, chunk_counts, workers, carry)
    gap_group, depth, prefix, group_count = _norm_group_prefixes(raw_of, counts, big_k=big_k, radix=radix)
    kind, order, norm_n = _choose_models(groups, settings, gap_group, depth, prefix, group_count)
    return _Histories(
        value_keys=(
            _ValueKeys(
                by_code=keys_by_code,
                lo=value_keys[0],
                radix=value_keys[1],
                max_order=settings.max_prior_order,
            )
            if value_keys is not None and keys_by_code is not None
            else None
        ),
        code=dense,
        rows_by_code=rows_by_code,
        offsets=offsets,
        depth=depth,
        prefix=prefix,
        group_count=group_count,
        kind=kind,
        order=order,
        norm_n=norm_n,
        gap_group=gap_group,
        big_k=big_k,
    )


def _history_code_chunk(
    rows: _Rows,
    groups: _Groups,
    settings: ProgressSettings,
    a: int,
    b: int,
    *,
    big_k: int,
    kind_of_int: type[np.signedinteger[Any]],
) -> NDArray[np.signedinteger[Any]]:
    """History codes of rows a..b, which start a pupil-subject run, so a row's earlier sittings are in the
    same chunk."""
    lags = _YEAR_GROUP_CHANGES
    none = len(rows.window_labels) * lags
    radix = none + 1
    position = rows.position[a:b]
    avail = np.minimum(position, big_k)
    avail[position < settings.min_windows_growth - 1] = 0
    window = rows.window[a:b]
    year_group = rows.year_group[a:b]
    code: NDArray[np.signedinteger[Any]] = groups.code[a:b].astype(kind_of_int)
    ok = np.ones(b - a, dtype=bool)  # every prior so far has a plausible year group
    for j in range(1, big_k + 1):
        digit: NDArray[np.signedinteger[Any]] = np.full(b - a, none, dtype=kind_of_int)
        if j < b - a:
            lag: NDArray[np.signedinteger[Any]] = year_group[j:].astype(kind_of_int)
            lag -= year_group[: b - a - j]
            lag += 1
            ok[j:] &= (lag >= 0) & (lag < lags)
            prior_window: NDArray[np.signedinteger[Any]] = window[: b - a - j].astype(kind_of_int)
            prior_window *= lags
            lag += prior_window
            digit[j:] = lag
        digit[(avail < j) | ~ok] = none
        code *= radix
        code += digit
    return code


def _norm_group_prefixes(
    raw_of: IntArray, counts: IntArray, *, big_k: int, radix: int
) -> tuple[IntArray, IntArray, list[IntArray], list[IntArray]]:
    """Per history code (its raw value in `raw_of`, its rows in `counts`): the gap group, the usable priors,
    and for each order k the dense id of its norm group and each group's rows (`_Histories` fields)."""
    n_codes = raw_of.size
    none = radix - 1
    digits = np.empty((n_codes, big_k), dtype=np.int64)
    rest = raw_of.copy()
    for j in range(big_k, 0, -1):
        rest, digits[:, j - 1] = np.divmod(rest, radix)
    gap_group = rest
    depth = np.zeros(n_codes, dtype=np.int64)
    for j in range(big_k):
        depth += np.all(digits[:, : j + 1] < none, axis=1)

    prefix: list[IntArray] = []
    group_count: list[IntArray] = []
    for k in range(1, big_k + 1):
        raw_prefix = raw_of // radix ** (big_k - k)
        ids = np.full(n_codes, -1, dtype=np.int64)
        has = depth >= k
        if has.any():
            _, inverse = np.unique(raw_prefix[has], return_inverse=True)
            ids[has] = inverse.ravel()
        prefix.append(ids)
        group_count.append(
            np.bincount(ids[has], weights=counts[has]).astype(np.int64)
            if has.any()
            else np.zeros(0, np.int64)
        )
    return gap_group, depth, prefix, group_count


def _choose_models(
    groups: _Groups,
    settings: ProgressSettings,
    gap_group: IntArray,
    depth: IntArray,
    prefix: list[IntArray],
    group_count: list[IntArray],
) -> tuple[NDArray[np.int8], NDArray[np.int8], NDArray[np.int32]]:
    """Per history code: the norm model by data sufficiency, the prior order it conditions on (the highest
    whose norm group is still large enough for it) and the norm group's size."""
    big_k = len(prefix)
    kind = np.where(depth >= 1, np.where(groups.has_norms[gap_group], _PUBLISHED, _NONE), _NONE).astype(
        np.int8
    )
    if big_k >= 1:
        n1 = np.where(depth >= 1, group_count[0][np.maximum(prefix[0], 0)] if group_count[0].size else 0, 0)
        local = (depth >= 1) & ~groups.published[gap_group]
        kind[local & (n1 >= settings.band_min_n)] = _BAND
        kind[local & (n1 >= settings.prr_min_n)] = _PRR
        if settings.use_sgp and norms.sgp_module() is not None:
            kind[local & (n1 >= settings.sgp_min_n)] = _SGP
    minimum = np.asarray([0, 0, settings.band_min_n, settings.prr_min_n, settings.sgp_min_n])[kind]
    is_local = (kind == _BAND) | (kind == _PRR) | (kind == _SGP)
    order = np.where(kind == _PUBLISHED, np.minimum(depth, settings.max_prior_order), 0).astype(np.int8)
    norm_n = np.where(kind == _PUBLISHED, groups.norm_sample_n[gap_group], 0).astype(np.int32)
    # SGPs condition on up to sgp_max_prior_order priors; the smaller models on up to max_prior_order.
    cap = np.where(kind == _SGP, settings.sgp_max_prior_order, settings.max_prior_order)
    for k in range(1, big_k + 1):
        size = np.where(
            depth >= k, group_count[k - 1][np.maximum(prefix[k - 1], 0)] if group_count[k - 1].size else 0, 0
        )
        chosen = is_local & (depth >= k) & (size >= minimum) & (cap >= k)
        order[chosen] = k
        norm_n[chosen] = size[chosen]
    return kind, order, norm_n


def _history_order(groups: _Groups, settings: ProgressSettings) -> int:
    """Prior orders the history codes hold: the SGP limit when some cohort may be large enough for SGPs,
    else `max_prior_order` (so runs without SGPs keep the smaller code space)."""
    sgp_possible = bool(np.any(groups.count >= settings.sgp_min_n))
    if settings.use_sgp and norms.sgp_module() is not None and sgp_possible:
        return max(settings.max_prior_order, settings.sgp_max_prior_order)
    return settings.max_prior_order


@dataclass(frozen=True)
class _ValueKeys:
    """Each row's score and its up to K prior scores as one integer, in history-code order (`_Histories`).

    key = sum over j of (score j sittings back - lo) * radix**j, j = 0..K (missing priors count 0). A norm
    group of order k is a contiguous range of these, and its keys modulo radix**(k + 1) number its distinct
    (priors, current) rows directly (`norms.distinct_rows_of_keys`); so the PRR fits read one contiguous
    slice instead of gathering k + 1 scores per pupil from across the table and coding each column.
    """

    by_code: NDArray[np.signedinteger[Any]]
    lo: float
    radix: int
    max_order: int  # K

    def distinct(self, start: int, stop: int, order: int) -> norms.DistinctRows:
        """The distinct rows of the norm group of this order at `by_code[start:stop]`."""
        keys = self.by_code[start:stop]
        if order < self.max_order:
            keys = keys % self.radix ** (order + 1)
        return norms.distinct_rows_of_keys(keys, order=order, radix=self.radix, lo=self.lo)


#: Value keys are used when radix**(K + 1) is at most this (each fit may hold a table of that many flags).
_VALUE_KEY_LIMIT = 1 << 24


def _value_key_range(rows: _Rows, max_order: int, workers: int) -> tuple[float, int] | None:
    """(lo, radix) for `_ValueKeys` when every score is a whole number in a short enough range, else None."""
    m = rows.points.size
    x = rows.points

    def survey(span: tuple[int, int]) -> tuple[float, float, bool]:
        chunk = x[span[0] : span[1]]
        if chunk.size == 0:
            return np.inf, -np.inf, True
        lo, hi = float(chunk.min()), float(chunk.max())
        return lo, hi, bool(np.all(chunk == np.rint(chunk)))

    found = list(_map(survey, _spans(m, parallel.CHUNK_ROWS), workers))
    if not m or not all(whole for _, _, whole in found):
        return None
    lo = min(low for low, _, _ in found)
    hi = max(high for _, high, _ in found)
    radix = int(hi - lo) + 1
    # Totals of whole numbers are exact in any order only below 2**53; -0.0 would decode as +0.0.
    if radix ** (max_order + 1) > _VALUE_KEY_LIMIT or max(abs(lo), abs(hi)) * m >= 2.0**53:
        return None
    if lo <= 0.0 <= hi and bool(np.any(np.signbit(x) & (x == 0.0))):
        return None
    return lo, radix


def _value_key_chunk(
    rows: _Rows, a: int, b: int, *, lo: float, radix: int, max_order: int
) -> NDArray[np.int32]:
    """`_ValueKeys` keys of rows a..b, which start a pupil-subject run (so earlier sittings are inside)."""
    digit = (rows.points[a:b] - lo).astype(np.int32)
    position = rows.position[a:b]
    key = digit.copy()
    for j in range(1, max_order + 1):
        if j >= b - a:
            break
        earlier = digit[: b - a - j] * np.int32(radix**j)
        earlier[position[j:] < j] = 0
        key[j:] += earlier
    return key
