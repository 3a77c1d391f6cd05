"""Stage 3, the norm models: per cohort, the model its data support (published norms, peer bands, PRR or
SGP; chosen in `cohorts._histories`), fitted per norm group and applied to every row it scores, giving the
growth percentile, its interval and the chart quantiles (`_norm_models`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tandem.progress import norms, splines
from tandem.progress.engine import parallel
from tandem.progress.engine.cohorts import _Groups, _Histories, _histories, _value_key_range
from tandem.progress.engine.columns import (
    _BAND,
    _PRR,
    _PUBLISHED,
    _SGP,
    BoolArray,
    FloatArray,
    IntArray,
    NormModelSummary,
)
from tandem.progress.engine.parallel import _Clock, _map, _spans
from tandem.progress.engine.prepare import _Rows
from tandem.progress.settings import ProgressSettings

#: A norm model's figures for one entry of the score tables (`_ScoreTables`), padded to 16 bytes.
_SCORE_RECORD = np.dtype(
    [
        ("quantiles", np.float32, (len(norms.CHART_TAUS),)),
        ("percentile", np.int8),
        ("low", np.int8),
        ("high", np.int8),
        ("pad", np.int8),
    ]
)


@dataclass
class _NormResult:
    kind: NDArray[np.int8]
    n: NDArray[np.int32]
    order: NDArray[np.int8]
    percentile: NDArray[np.int8]
    low: NDArray[np.int8]
    high: NDArray[np.int8]
    quantiles: list[NDArray[np.float32]]  # one column per chart quantile
    models: list[NormModelSummary]
    by_order: list[NDArray[np.int8]]  # SGP percentile of each order 1..4, -1: not fitted


@dataclass(frozen=True)
class _FitJob:
    """One local norm model to fit: its member rows, their priors and current scores."""

    members: IntArray
    picks: IntArray | None  # members whose result this model gives (None: all of them)
    priors: Callable[[], FloatArray]  # gathered on the worker thread, so only running jobs hold them
    current: Callable[[], FloatArray]
    delta: float
    name: str  # "prr" or "sgp"
    fit_rows: BoolArray | None  # SGP: the members the quantile regressions are fitted on
    block: int  # first entry of the score tables reserved for this model (as many as it has members)
    distinct: Callable[[], norms.DistinctRows] | None = None  # PRR: its distinct rows, when known cheaply
    order: int = 0  # prior order
    spec: splines.SplineSpec | None = None  # SGP: knots and boundaries per prior (stacked or published)
    knots_from: str = ""  # where they came from, stored with the model


def _take(values: FloatArray, rows: IntArray) -> FloatArray:
    taken: FloatArray = values[rows]
    return taken


_Put = Callable[[int, IntArray, "norms.Scores | norms.PairScores", IntArray | None], None]
_PutOrder = Callable[[int, IntArray, NDArray[np.int8]], None]


def _fit(job: _FitJob, *, spline_min_n: int, put: _Put, put_order: _PutOrder | None = None) -> dict[str, Any]:
    """Fit one norm model and write its members' scores (rows no other job writes); return its parameters."""
    scores: norms.Scores | norms.PairScores
    if job.name == "prr":
        spline = job.members.size >= spline_min_n
        if job.distinct is not None:
            scores, params = norms.prr_distinct_scores(job.distinct(), delta=job.delta, spline=spline)
        else:
            scores, params = norms.prr_pair_scores(
                priors=job.priors(), current=job.current(), delta=job.delta, spline=spline
            )
    else:
        assert job.fit_rows is not None
        scores, params = norms.sgp_scores(
            priors=job.priors(), current=job.current(), delta=job.delta, fit_rows=job.fit_rows, spec=job.spec
        )
        params["knots_from"] = job.knots_from
        if put_order is not None and isinstance(scores, norms.Scores):
            put_order(job.order, job.members, scores.percentile)  # every member, whichever order it reports
    put(job.block, job.members if job.picks is None else job.members[job.picks], scores, job.picks)
    return params


@dataclass(frozen=True)
class _Cohorts:
    """What every norm model of a run reads: the rows, their gap groups and norm-group histories."""

    rows: _Rows
    groups: _Groups
    hist: _Histories
    settings: ProgressSettings
    delta_of_group: FloatArray  # half-width of the growth interval per gap group, in points


def _norm_models(
    rows: _Rows,
    *,
    groups: _Groups,
    settings: ProgressSettings,
    clock: _Clock,
    workers: int,
    knots: Mapping[tuple[Any, int], tuple[Sequence[float], tuple[float, float]]] | None = None,
) -> _NormResult:
    """Choose a norm model per cohort by data sufficiency, fit it per cohort, and score every row."""
    m = rows.points.size
    value_range = _value_key_range(rows, settings.max_prior_order, workers)
    hist = _histories(rows, groups, settings, workers, value_range)
    cohorts = _Cohorts(
        rows=rows,
        groups=groups,
        hist=hist,
        settings=settings,
        delta_of_group=settings.growth_interval_z * groups.sem,
    )
    # Always four columns (the most `sgp_max_prior_order` allows), so the output's columns never vary; a
    # run without SGPs shares one read-only column of -1 rather than writing four 18M-row columns.
    if bool(np.any(hist.kind == _SGP)):
        by_order = [np.full(m, -1, dtype=np.int8) for _ in range(4)]
    else:
        by_order = [np.broadcast_to(np.int8(-1), (m,))] * 4
    kind_row, order, norm_n = _per_row(hist, m, workers)
    clock.lap("norm groups")
    capacity = 1 + int(np.count_nonzero(kind_row == _PUBLISHED)) + sum(int(c.sum()) for c in hist.group_count)
    tables = _ScoreTables(m, capacity)
    published_rows = np.flatnonzero(kind_row == _PUBLISHED)
    if published_rows.size:
        _published_norms(cohorts, published_rows, order[published_rows], tables)
        clock.lap("published norms")
    models: list[NormModelSummary] = []
    sgp = _SgpSetup(cohorts, knots)
    for k in range(1, hist.big_k + 1):
        models += _local_models(cohorts, k, tables, sgp, by_order, clock, workers)
    percentile, low, high, quantiles = tables.read_out(workers)
    clock.lap("scores to rows")
    return _NormResult(
        kind=kind_row,
        n=norm_n,
        order=order,
        percentile=percentile,
        low=low,
        high=high,
        quantiles=quantiles,
        models=models,
        by_order=by_order,
    )


def _per_row(
    hist: _Histories, m: int, workers: int
) -> tuple[NDArray[np.int8], NDArray[np.int8], NDArray[np.int32]]:
    """Each row's norm model, prior order and norm-group size, from the tables per history code."""
    kind_row = np.empty(m, dtype=hist.kind.dtype)
    order = np.empty(m, dtype=hist.order.dtype)
    norm_n = np.empty(m, dtype=hist.norm_n.dtype)

    def per_row(span: tuple[int, int]) -> None:
        a, b = span
        code = hist.code[a:b]
        kind_row[a:b] = hist.kind[code]
        order[a:b] = hist.order[code]
        norm_n[a:b] = hist.norm_n[code]

    for _ in _map(per_row, _spans(m, parallel.CHUNK_ROWS), workers):
        pass
    return kind_row, order, norm_n


class _ScoreTables:
    """Where the norm models put their figures, read out into the six score columns at the end.

    Models do not write the six score columns row by row: a norm group's rows are spread over the whole
    table (one row in about 126 here), so each of its values would be a cache miss in each of six
    18M-row columns. Each model instead writes its figures into a block of small score tables (PRR: one
    entry per distinct (priors, current) row) and one table index per row it scores; one pass in row
    order then reads the columns out of the tables. Entry 0 holds the "none" values, for rows no model
    scores. A model reserves as many entries as it has members, so blocks are fixed before any model
    runs and models can fill theirs on any thread; only the entries used are ever touched.
    """

    def __init__(self, m: int, capacity: int) -> None:
        self.capacity = capacity
        self.index_type: type[np.signedinteger[Any]] = (
            np.int32 if capacity < np.iinfo(np.int32).max else np.int64
        )
        self.slot: NDArray[np.signedinteger[Any]] = np.zeros(m, dtype=self.index_type)
        # One 16-byte record per entry rather than six tables: the read-out then misses the cache once per
        # row instead of six times (the tables are far larger than the cache), and numpy copies 16-byte
        # items directly in `take`.
        self.table = np.empty(capacity, dtype=_SCORE_RECORD)
        self.table[0] = (np.nan, -1, -1, -1, 0)
        self.reserved = 1

    def reserve(self, size: int) -> int:
        block = self.reserved
        self.reserved += size
        assert self.reserved <= self.capacity
        return block

    def put(
        self,
        block: int,
        target_rows: IntArray,
        scores: norms.Scores | norms.PairScores,
        picks: IntArray | None,
    ) -> None:
        table, slot = self.table, self.slot
        if isinstance(scores, norms.PairScores):
            entries = table[block : block + scores.percentile.size]
            entries["percentile"] = scores.percentile
            entries["low"] = scores.low
            entries["high"] = scores.high
            entries["quantiles"] = scores.quantiles
            pair = scores.pair if picks is None else scores.pair[picks]
            slot[target_rows] = pair + block
            return
        take = slice(None) if picks is None else picks
        end = block + target_rows.size
        entries = table[block:end]
        entries["percentile"] = scores.percentile[take]
        entries["low"] = scores.low[take]
        entries["high"] = scores.high[take]
        entries["quantiles"] = scores.quantiles[take]
        slot[target_rows] = np.arange(block, end, dtype=self.index_type)

    def read_out(
        self, workers: int
    ) -> tuple[NDArray[np.int8], NDArray[np.int8], NDArray[np.int8], list[NDArray[np.float32]]]:
        """The percentile, its interval's ends and the chart quantiles of every row."""
        table, slot = self.table, self.slot
        m = slot.size
        percentile = np.empty(m, dtype=np.int8)
        low = np.empty(m, dtype=np.int8)
        high = np.empty(m, dtype=np.int8)
        quantiles = [np.empty(m, dtype=np.float32) for _ in norms.CHART_TAUS]

        def read_out(span: tuple[int, int]) -> None:
            a, b = span
            # mode="clip" (every index is valid): with the default mode, numpy checks every index first.
            entries = np.take(table, slot[a:b], mode="clip")
            percentile[a:b] = entries["percentile"]
            low[a:b] = entries["low"]
            high[a:b] = entries["high"]
            for j, column in enumerate(quantiles):
                column[a:b] = entries["quantiles"][:, j]

        # Small chunks: each holds its records (16 bytes a row) while it copies them into the columns.
        for _ in _map(read_out, _spans(m, parallel.CRITERIA_CHUNK_ROWS), workers):
            pass
        return percentile, low, high, quantiles


def _priors_of(x: FloatArray, members: IntArray, k: int) -> FloatArray:
    """(n, k) prior scores, oldest first (the column order the spline specs use)."""
    return np.column_stack([x[members - j] for j in range(k, 0, -1)])


def _put_order(
    by_order: list[NDArray[np.int8]], k: int, members: IntArray, percentile: NDArray[np.int8]
) -> None:
    by_order[k - 1][members] = percentile


class _SgpSetup:
    """What the SGP fits of a run share: knots and boundaries, as the SGP package takes them (per subject and
    grade, from every score at that grade in the windows before the model's, "stacked", or from the
    published table), and the pupils' hashes that pick each fit's sample."""

    def __init__(
        self,
        cohorts: _Cohorts,
        knots: Mapping[tuple[Any, int], tuple[Sequence[float], tuple[float, float]]] | None,
    ) -> None:
        self.cohorts = cohorts
        self.knots = knots
        self.grade_values: dict[int, tuple[FloatArray, FloatArray]] = {}
        self.stacked: dict[tuple[int, int, int, int], tuple[tuple[float, ...], tuple[float, float]]] = {}
        self._hashes: NDArray[np.uint64] | None = None

    def hashes(self) -> NDArray[np.uint64]:
        """Stable hashes of the pupil labels (computed once, when the first SGP needs them)."""
        if self._hashes is None:
            self._hashes = norms.stable_hash(self.cohorts.rows.pupil_labels)
        return self._hashes

    def scores_of_gap_group(self, gap: int) -> tuple[FloatArray, FloatArray]:
        """Distinct scores of one gap group and their counts (its rows are one run of `rows_by_code`)."""
        hist, x = self.cohorts.hist, self.cohorts.rows.points
        if gap not in self.grade_values:
            first_code = int(np.searchsorted(hist.gap_group, gap, side="left"))
            end_code = int(np.searchsorted(hist.gap_group, gap, side="right"))
            members = hist.rows_by_code[hist.offsets[first_code] : hist.offsets[end_code]]
            values, counts = np.unique(x[members], return_counts=True)
            self.grade_values[gap] = (values, counts.astype(np.float64))
        return self.grade_values[gap]

    def prior_knots(self, first: int, j: int) -> tuple[tuple[tuple[float, ...], tuple[float, float]], bool]:
        """Knots and boundaries of the prior j sittings before row `first`; True if they were published."""
        rows, groups, knots = self.cohorts.rows, self.cohorts.groups, self.knots
        subject = int(rows.subject[first])
        grade = int(rows.year_group[first - j])
        if knots is not None:
            label = rows.subject_labels[subject]
            published = knots.get((label, grade), knots.get((str(label), grade)))
            if published is not None:
                lo, hi = (float(v) for v in published[1])
                return (tuple(float(v) for v in published[0]), (lo, hi)), True
        part = int(groups.part[groups.code[first]])
        window = int(rows.window[first])
        key = (subject, part, grade, window)
        if key not in self.stacked:
            gaps = np.flatnonzero(
                (groups.subject == subject)
                & (groups.part == part)
                & (groups.year_group == grade)
                & (groups.window < window)
            )
            pieces = [self.scores_of_gap_group(int(g)) for g in gaps]
            self.stacked[key] = splines.knots_boundaries(
                np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces])
            )
        return self.stacked[key], False

    def spec(self, first: int, k: int) -> tuple[splines.SplineSpec, str]:
        pairs = [self.prior_knots(first, j) for j in range(k, 0, -1)]
        spec = splines.SplineSpec(
            knots=tuple(p[0][0] for p in pairs), boundaries=tuple(p[0][1] for p in pairs)
        )
        sources = {"published" if p[1] else "stacked" for p in pairs}
        return spec, "published table" if sources == {"published"} else (
            "every score at each prior's subject and year group before this window"
            if sources == {"stacked"}
            else "published table, else every score at that subject and year group before this window"
        )


def _describe(
    cohorts: _Cohorts, first: int, k: int, kind_name: str, n: int, params: dict[str, Any]
) -> NormModelSummary:
    rows, groups = cohorts.rows, cohorts.groups
    school = None
    if cohorts.settings.reference_population == "school" and rows.school_labels is not None:
        school = rows.school_labels[groups.part[groups.code[first]]]
    return NormModelSummary(
        subject=rows.subject_labels[rows.subject[first]],
        window=rows.window_labels[rows.window[first]],
        year_group=int(rows.year_group[first]),
        prior_windows=tuple(rows.window_labels[rows.window[first - j]] for j in range(k, 0, -1)),
        school=school,
        kind=kind_name,
        n=n,
        parameters=params,
        prior_year_groups=tuple(int(rows.year_group[first - j]) for j in range(k, 0, -1)),
    )


def _published_norms(cohorts: _Cohorts, pub: IntArray, order: NDArray[np.int8], tables: _ScoreTables) -> None:
    """Published norms: one vectorised expression over every row that uses them (`pub`, of these orders)."""
    groups, x, big_k = cohorts.groups, cohorts.rows.points, cohorts.hist.big_k
    g = groups.code[pub]
    mean, sd = groups.norm_mean[g], groups.norm_sd[g]
    prior_z = np.full((pub.size, big_k), np.nan)
    for j in range(1, big_k + 1):
        has = order >= j
        prior_z[has, j - 1] = (x[pub[has] - j] - mean[has]) / sd[has]
    scores = norms.published_scores(
        prior_z=prior_z,
        order=order.astype(np.int64),
        current_z=(x[pub] - mean) / sd,
        delta_z=cohorts.delta_of_group[g] / sd,
        retest_r=groups.retest_r[g],
        norm_mean=mean,
        norm_sd=sd,
    )
    tables.put(tables.reserve(pub.size), pub, scores, None)


@dataclass(frozen=True)
class _NormGroups:
    """The norm groups of one prior order that have a local model to fit: per group, its first and last
    history code and its rows' range of `rows_by_code`; and which codes take their result from order k."""

    firsts: IntArray
    lasts: IntArray
    spans: list[tuple[int, int]]
    kind: NDArray[np.int8]
    is_target_code: BoolArray


def _norm_groups(hist: _Histories, k: int) -> _NormGroups | None:
    """The local norm groups of order k: all their rows with at least k priors, a contiguous range of history
    codes and so of `rows_by_code` (None when no code needs a model of this order)."""
    ids = hist.prefix[k - 1]
    is_local_code = (hist.kind == _BAND) | (hist.kind == _PRR) | (hist.kind == _SGP)
    target_code = is_local_code & (hist.order == k)
    # SGP: every order up to the reported one is fitted, so each order's percentile can be kept.
    fit_code = target_code | ((hist.kind == _SGP) & (hist.order >= k))
    if not fit_code.any():
        return None
    wanted = np.unique(ids[fit_code])
    # Codes are numbered lexicographically, so a group's codes are one contiguous run of codes (and
    # non-decreasing ids among the codes deep enough to have one).
    codes_with = np.flatnonzero(ids >= 0)
    ids_with = ids[codes_with]
    firsts = codes_with[np.searchsorted(ids_with, wanted, side="left")]
    lasts = codes_with[np.searchsorted(ids_with, wanted, side="right") - 1]
    spans = [(int(hist.offsets[f]), int(hist.offsets[e + 1])) for f, e in zip(firsts, lasts, strict=True)]
    return _NormGroups(
        firsts=firsts, lasts=lasts, spans=spans, kind=hist.kind[firsts], is_target_code=target_code
    )


def _local_models(
    cohorts: _Cohorts,
    k: int,
    tables: _ScoreTables,
    sgp: _SgpSetup,
    by_order: list[NDArray[np.int8]],
    clock: _Clock,
    workers: int,
) -> list[NormModelSummary]:
    """Fit and apply the local models (peer bands, PRR, SGP) of prior order k; their summaries in order."""
    found = _norm_groups(cohorts.hist, k)
    if found is None:
        return []
    models: list[NormModelSummary] = []
    band = [i for i, kd in enumerate(found.kind) if kd == _BAND]
    if band:
        models += _peer_bands(cohorts, k, found, band, tables)
        clock.lap("peer bands")
    jobs = _fit_jobs(cohorts, k, found, tables, sgp)
    # Norm groups are independent and numpy releases the GIL in the sorts and algebra that dominate,
    # so they fit on threads; results are taken in group order, the same for any number of workers.
    fit = functools.partial(
        _fit,
        spline_min_n=cohorts.settings.prr_spline_min_n,
        put=tables.put,
        put_order=functools.partial(_put_order, by_order),
    )
    for job, params in zip(jobs, _map(fit, jobs, workers), strict=True):
        models.append(_describe(cohorts, int(job.members[0]), k, job.name, int(job.members.size), params))
        clock.lap(job.name)
    return models


def _peer_bands(
    cohorts: _Cohorts, k: int, found: _NormGroups, band: list[int], tables: _ScoreTables
) -> list[NormModelSummary]:
    """Peer bands for the norm groups `band` of order k: one segmented sort over all of them."""
    hist, settings, x = cohorts.hist, cohorts.settings, cohorts.rows.points
    pieces = [hist.rows_by_code[found.spans[i][0] : found.spans[i][1]] for i in band]
    sizes = np.asarray([p.size for p in pieces], dtype=np.int64)
    mem = np.concatenate(pieces)
    local_group = np.repeat(np.arange(len(band)), sizes)
    n_bands = np.asarray(
        [
            norms.band_count(int(v), min_size=settings.band_min_size, max_bands=settings.max_bands)
            for v in sizes
        ],
        dtype=np.int64,
    )
    scores, band_params = norms.peer_band_scores(
        group=local_group,
        priors=_priors_of(x, mem, k),
        current=x[mem],
        delta=cohorts.delta_of_group[cohorts.groups.code[mem]],
        n_bands=n_bands,
    )
    band_picks = np.flatnonzero(found.is_target_code[hist.code[mem]])
    tables.put(tables.reserve(band_picks.size), mem[band_picks], scores, band_picks)
    return [
        _describe(cohorts, int(piece[0]), k, "peer_band", int(piece.size), params)
        for params, piece in zip(band_params, pieces, strict=True)
    ]


def _fit_jobs(
    cohorts: _Cohorts, k: int, found: _NormGroups, tables: _ScoreTables, sgp: _SgpSetup
) -> list[_FitJob]:
    """A `_FitJob` per PRR or SGP norm group of order k, its block of the score tables reserved in order."""
    rows, groups, hist, settings = cohorts.rows, cohorts.groups, cohorts.hist, cohorts.settings
    x = rows.points
    value_keys = hist.value_keys
    jobs = []
    for i, kd in enumerate(found.kind):
        if kd not in (_PRR, _SGP):
            continue
        first_code, last_code = found.firsts[i], found.lasts[i]
        start, stop = found.spans[i]
        mem = hist.rows_by_code[start:stop]
        # The group's rows are its codes' rows in code order, so which rows it scores follows from
        # which of its codes are targets, without reading a code per row.
        target_codes = found.is_target_code[first_code : last_code + 1]
        picks = None
        if not target_codes.all():
            sizes_of_codes = np.diff(hist.offsets[first_code : last_code + 2])
            picks = np.flatnonzero(np.repeat(target_codes, sizes_of_codes))
        fit_rows = None
        spec, knots_from = None, ""
        if kd == _SGP:
            fit_rows = norms.fit_sample(sgp.hashes()[rows.pupil[mem]], settings.sgp_max_fit_n)
            spec, knots_from = sgp.spec(int(mem[0]), k)
        jobs.append(
            _FitJob(
                members=mem,
                picks=picks,
                priors=functools.partial(_priors_of, x, mem, k),
                current=functools.partial(_take, x, mem),
                delta=float(cohorts.delta_of_group[groups.code[mem[0]]]),
                name="prr" if kd == _PRR else "sgp",
                fit_rows=fit_rows,
                block=tables.reserve(mem.size),
                distinct=(
                    functools.partial(value_keys.distinct, start, stop, k)
                    if kd == _PRR and value_keys is not None
                    else None
                ),
                order=k,
                spec=spec,
                knots_from=knots_from,
            )
        )
    return jobs
