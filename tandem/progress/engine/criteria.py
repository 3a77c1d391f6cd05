"""Stage 4, the criteria: gaps against peers or national norms, their changes, rates and reliable-change
indices, and criteria (b)-(d) per chunk of whole pupil histories (`_criteria_b_to_d`); then, once the norm
models have scored every row, criterion (a), `flagged`, `is_latest`, `peers_n` and `windows_so_far`
(`_final_pass`). The arithmetic (standard errors, contrasts, codes) is `tandem.progress.criteria`."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tandem.progress import criteria as crit
from tandem.progress.engine import parallel
from tandem.progress.engine.cohorts import _Groups
from tandem.progress.engine.columns import (
    _GAP_COLUMNS,
    _NONE,
    _TREND_COLUMNS,
    BoolArray,
    FloatArray,
    IntArray,
)
from tandem.progress.engine.fit import _NormResult
from tandem.progress.engine.parallel import _chunks, _map, _spans
from tandem.progress.engine.prepare import _Rows
from tandem.progress.settings import ProgressSettings


def _criteria_b_to_d(
    rows: _Rows, groups: _Groups, settings: ProgressSettings, workers: int
) -> dict[str, NDArray[Any]]:
    """The columns of gaps, rates and criteria (b)-(d) for every row (`_GAP_COLUMNS`, `_TREND_COLUMNS` and
    the codes), chunk by chunk."""
    m = rows.points.size
    out: dict[str, NDArray[Any]] = {
        name: np.empty(m, dtype=np.float32) for name in (*_GAP_COLUMNS, *_TREND_COLUMNS)
    }
    for name in ("gap_reference", "rate_intervals", "own_rate", "not_closing", "widening", "gap_windows"):
        out[name] = np.empty(m, dtype=np.int8)
    out["was_behind"] = np.empty(m, dtype=bool)
    # Chunks hold whole pupil histories and write disjoint slices of `out`, so they run on threads.
    chunk = functools.partial(_criteria_chunk, rows, groups, settings, out=out)
    for _ in _map(lambda span: chunk(*span), _chunks(rows.position, parallel.CRITERIA_CHUNK_ROWS), workers):
        pass
    return out


@dataclass
class _Final:
    """The columns of the final pass: criterion (a) and what is known once every criterion is."""

    peers: NDArray[np.int8]
    flagged: BoolArray
    is_latest: BoolArray
    peers_n: NDArray[np.int32]
    windows_so_far: NDArray[np.int16]


def _final_pass(
    rows: _Rows,
    groups: _Groups,
    norm: _NormResult,
    out: Mapping[str, NDArray[Any]],
    settings: ProgressSettings,
    workers: int,
) -> _Final:
    """Criterion (a) from the norm models' percentiles, `flagged`, `is_latest`, `peers_n` and
    `windows_so_far`, chunk by chunk on the threads (each is elementwise, or looks one row ahead)."""
    m = rows.points.size
    peers = np.empty(m, dtype=np.int8)
    flagged = np.empty(m, dtype=bool)
    is_latest = np.empty(m, dtype=bool)
    peers_n = np.empty(m, dtype=np.int32)
    windows_so_far = np.empty(m, dtype=np.int16)
    count = groups.count.astype(np.int32)

    def finish(span: tuple[int, int]) -> None:
        a, b = span
        if b <= a:
            return
        position = rows.position[a:b]
        growth_known = (norm.kind[a:b] != _NONE) & (position >= settings.min_windows_growth - 1)
        peers[a:b] = crit.code(growth_known, norm.high[a:b] < settings.growth_threshold)
        flags = peers[a:b] == crit.FLAGGED
        for name in ("own_rate", "not_closing", "widening"):
            flags |= out[name][a:b] == crit.FLAGGED
        flagged[a:b] = flags
        is_latest[a : b - 1] = position[1:] == 0
        is_latest[b - 1] = b == m or rows.position[b] == 0
        peers_n[a:b] = count[groups.code[a:b]]
        windows_so_far[a:b] = position + 1

    for _ in _map(finish, _spans(m, parallel.CHUNK_ROWS), workers):
        pass
    return _Final(
        peers=peers, flagged=flagged, is_latest=is_latest, peers_n=peers_n, windows_so_far=windows_so_far
    )


def _criteria_chunk(
    rows: _Rows, groups: _Groups, settings: ProgressSettings, a: int, b: int, out: dict[str, NDArray[Any]]
) -> None:
    """Gaps, rates, reliable-change indices and criteria (b)-(d) for rows a..b (whole pupil histories)."""
    chunk = _Chunk(rows, groups, settings, a, b)
    out["sem"][a:b] = chunk.sem
    out["gap_reference"][a:b] = chunk.reference
    with np.errstate(invalid="ignore", divide="ignore"):
        gap_prev, se_prev, rci_gap = _last_interval(chunk, settings, out)
        rci_long, rci_trend, rci_rate = _history_figures(chunk, settings, out)
        pos, none, z_crit = chunk.pos, chunk.none, settings.rci_z
        growth_windows = pos >= settings.min_windows_growth - 1
        known_gap = growth_windows & ~none & ~np.isnan(rci_gap)
        # (c) behind at the previous window by more than measurement error, or below the expected standard.
        behind = gap_prev + z_crit * se_prev < settings.behind_gap_z
        expected = groups.expected[chunk.g]
        if not np.isnan(expected).all():
            behind |= chunk.lagged(chunk.x + z_crit * chunk.sem, 1) < expected
        out["was_behind"][a:b] = behind & known_gap
        out["not_closing"][a:b] = crit.code(known_gap, behind & ~(rci_gap > z_crit))
        wide = (rci_long < -settings.widening_z) | (rci_trend < -settings.widening_z)
        out["widening"][a:b] = crit.code(known_gap, wide)
        known_rate = (pos >= settings.min_windows_rate - 1) & ~none & ~np.isnan(rci_rate)
        out["own_rate"][a:b] = crit.code(known_rate, rci_rate < -settings.own_rate_z)


class _Chunk:
    """Rows a..b (whole pupil histories) with their gaps against peers and national norms, and the
    reference each row's figures use."""

    def __init__(self, rows: _Rows, groups: _Groups, settings: ProgressSettings, a: int, b: int) -> None:
        self.a, self.b = a, b
        n = self.n = b - a
        # A dozen per-group tables are read through g; numpy converts other integer indices to intp each time.
        g = self.g = groups.code[a:b].astype(np.intp)
        x = self.x = rows.points[a:b]
        pos = self.pos = rows.position[a:b]
        depth = settings.deepest_history
        with np.errstate(invalid="ignore", divide="ignore"):
            z_peer = (x - groups.mean[g]) / groups.sd[g]
            z_peer[~groups.peer_ok[g]] = np.nan
        self.z_peer: FloatArray = z_peer
        self.se_peer: FloatArray = groups.se_peer[g]
        self.sem: FloatArray = groups.sem[g]
        self._run_heads: dict[int, IntArray] = {}

        # The reference per row: peers when this row and every earlier row it uses have a measurable peer
        # gap, else national norms; one reference for all of a row's figures, so a change never mixes
        # references.
        peer_ok = ~np.isnan(z_peer)
        if peer_ok.all():
            chain_ok = peer_ok
        else:
            # No row without a peer gap among this row and the `depth` before it in its history: a running
            # count of such rows, differenced over that stretch.
            missing = np.zeros(n + 1, dtype=np.int32)
            np.cumsum(~peer_ok, out=missing[1:])
            first = np.arange(n) - np.minimum(pos, depth)
            chain_ok = missing[1:] == missing[first]
        has_norms = groups.has_norms[g]
        reference = np.where(chain_ok & ~groups.published[g], 1, np.where(has_norms, 2, 0)).astype(np.int8)
        self.reference = reference
        self.use_peer = reference == 1
        self.all_peer = bool(self.use_peer.all())
        self.all_national = not self.all_peer and bool((reference == 2).all())
        self.none = reference == 0
        if self.all_peer:
            self.z_nat = self.se_nat = z_peer  # not read
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                self.z_nat = (x - groups.norm_mean[g]) / groups.norm_sd[g]
            self.se_nat = groups.se_nat[g]

    def lagged(self, values: NDArray[Any], lag: int, fill: Any = np.nan) -> NDArray[Any]:
        """values[i - lag] when that row is the same pupil and subject (rows are in run order), else fill."""
        n = self.n
        if lag >= n:
            return np.full_like(values, fill)
        shifted = np.empty_like(values)
        shifted[lag:] = values[: n - lag]
        # The first `lag` rows of each run (positions are found once per lag: a dozen calls use them, and
        # a write through a boolean mask is several times slower than through their indices).
        heads = self._run_heads.get(lag)
        if heads is None:
            heads = self._run_heads[lag] = np.flatnonzero(self.pos < lag)
        shifted[heads] = fill
        return shifted

    def in_reference(self, peer: FloatArray, national: FloatArray, lag: int) -> FloatArray:
        """An earlier row's value in *this* row's reference."""
        if self.all_peer or self.all_national:
            value = peer if self.all_peer else national
            return self.lagged(value, lag) if lag else value
        if lag:
            value = np.where(self.use_peer, self.lagged(peer, lag), self.lagged(national, lag))
        else:
            value = np.where(self.use_peer, peer, national)
        value[self.none] = np.nan
        return value


def _last_interval(
    chunk: _Chunk, settings: ProgressSettings, out: dict[str, NDArray[Any]]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The gap now and at the previous window and its change over the last interval, written to `out`;
    returns the previous gap, its standard error and the change's reliable change index (for (c))."""
    a, b = chunk.a, chunk.b
    gap = chunk.in_reference(chunk.z_peer, chunk.z_nat, 0)
    se_now = chunk.in_reference(chunk.se_peer, chunk.se_nat, 0)
    gap_prev = chunk.in_reference(chunk.z_peer, chunk.z_nat, 1)
    se_prev = chunk.in_reference(chunk.se_peer, chunk.se_nat, 1)
    gap_change = gap - gap_prev
    se_change = crit.change_se(se_now, se_prev)
    rci_gap = gap_change / se_change
    out["gap"][a:b] = gap
    out["gap_previous"][a:b] = gap_prev
    out["gap_change"][a:b] = gap_change
    out["gap_change_tolerance"][a:b] = settings.rci_z * se_change
    out["rci_gap"][a:b] = rci_gap
    return gap_prev, se_prev, rci_gap


def _history_figures(
    chunk: _Chunk, settings: ProgressSettings, out: dict[str, NDArray[Any]]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The figures of (b) and (d) over every window the pupil has, up to their horizons, written to `out`;
    returns the reliable change indices of (d)'s level and trend and of (b)'s rate change."""
    a, b, n, pos, none, reference = chunk.a, chunk.b, chunk.n, chunk.pos, chunk.none, chunk.reference
    # (b) and (d) use every window the pupil has, up to their horizons: contrasts of the gaps at this
    # and earlier windows, each earlier gap in this row's reference.
    big_r, big_l = settings.rate_recent_intervals, settings.rate_lookback_intervals
    horizon = settings.long_gap_horizon or 1
    tables, spans = crit.history_tables(
        horizon=horizon,
        recent_windows=settings.gap_recent_windows,
        min_windows_trend=None if settings.long_gap_horizon is None else settings.min_windows_trend,
        rate_recent=big_r,
        rate_lookback=big_l,
    )
    windows = np.minimum(pos, max(horizon, big_r + big_l)) + 1
    # The contrasts go straight into their (float32) output columns, and their errors beside them.
    into = [out[name][a:b] for name in crit.HISTORY_CONTRASTS]
    se_long, se_trend, se_rate = (np.empty(n, dtype=np.float32) for _ in range(3))
    errors_into = [se_long, None, se_trend, None, None, se_rate]
    if chunk.all_peer or chunk.all_national:
        values, errors = (chunk.z_peer, chunk.se_peer) if chunk.all_peer else (chunk.z_nat, chunk.se_nat)
        crit.history_contrasts(values, errors, windows, tables, into=into, errors_into=errors_into)
    else:
        for reference_code, values, errors in (
            (1, chunk.z_peer, chunk.se_peer),
            (2, chunk.z_nat, chunk.se_nat),
        ):
            these = np.flatnonzero(reference == reference_code)
            crit.history_contrasts(
                values, errors, windows, tables, into=into, errors_into=errors_into, rows=these
            )
        for column in (*into, se_long, se_trend, se_rate):
            column[none] = np.nan
    change_long, gap_trend, rate_change = into[0], into[2], into[5]
    gap_windows = np.minimum(windows, horizon + 1)
    rate_windows = np.minimum(windows, big_r + big_l + 1)

    # (d) level: mean gap over the last windows against the mean over the earlier ones; trend: the
    # least-squares slope of the gap over all of them.
    rci_long = change_long / se_long
    rci_trend = gap_trend / se_trend
    out["rci_gap_long"][a:b] = rci_long
    out["gap_change_long_tolerance"][a:b] = settings.widening_z * se_long
    out["gap_trend_tolerance"][a:b] = settings.widening_z * se_trend
    out["rci_gap_trend"][a:b] = rci_trend
    out["gap_windows"][a:b] = np.where(none, 0, gap_windows)

    # (b): the least-squares rate over the last (up to) R intervals against the rate over up to L
    # intervals before them; with three windows, this interval's change against the one before.
    rci_rate = rate_change / se_rate
    out["rate_intervals"][a:b] = spans[rate_windows]
    out["rate_change_tolerance"][a:b] = settings.own_rate_z * se_rate
    out["rci_rate"][a:b] = rci_rate
    return rci_long, rci_trend, rci_rate
