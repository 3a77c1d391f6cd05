"""The Code 6.17 "less than expected progress" engine: a columnar table of results in, one row per pupil,
subject and window out, with the four criteria, the figures behind them and plain-English reasons.

Pure numpy/scipy, no Django: the same function runs in a request, a management command, a benchmark and
a test. Design (DESIGN.md section 4; analytics reference sections 1, 4, 7 and 8):

1. **Canonical order.** Rows are put in (pupil, subject, window) order with a counting sort (one result per
   pupil, subject and window: the latest sitting, then the higher score, wins). Every later sum and sort runs
   in that order, so the output is bitwise the same whatever order the rows came in.
2. **Cohorts never mix.** Gaps are measured within (reference population, subject, window, year group);
   norm models are fitted within that plus the windows of the priors (the SGP "progression"). A pupil's
   results depend only on the rows of their own cohorts, so adding a school or a year group to a run changes
   nobody else's figures, and cohorts are independent units of work (they could run in parallel).
3. **Vectorised.** Gaps, rates, tolerances, criteria and published-norm percentiles are array expressions over
   every row at once; peer bands are one segmented sort over all their cohorts; least-squares and SGP fits
   loop over cohorts, never over pupils.
4. **Honest numbers.** Every criterion is flagged only beyond measurement error, and is "not enough data"
   (never a flag) when there are too few windows or too few peers.

Norm model per cohort, by data sufficiency (settings): SGP when the order-1 norm group has at least
`sgp_min_n` pupils (and `tandem.progress.sgp` is installed), else PRR from `prr_min_n`, else peer bands from
`band_min_n`, else the test's published norms if the scale has them, else "not enough data". Each pupil then
gets the highest prior order (up to `max_prior_order`) whose group is still large enough for that model.

"Standardised progress" over an interval is the change in the pupil's gap z (against peers, or national norms
for small cohorts): 0 means keeping pace. (b) compares the least-squares rate over the last
`rate_recent_intervals` intervals with the rate over up to `rate_lookback_intervals` before them; (c) tests
the last interval's change; (d) tests the mean gap over the latest windows against the earlier ones and the
gap's trend over up to `long_gap_horizon` intervals. Standard errors and tolerances follow
`tandem.progress.criteria`; (b) and (d) use critical values that keep (a)|(b)|(d) false alarms <= 3%.

Windows are ordinals (e.g. academic year x 3 + term): a pupil's previous window is their previous sitting in
that subject, so a missed term joins a smaller progression cohort rather than being compared as if adjacent.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import itertools
import os
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from threadpoolctl import threadpool_limits

from tandem.progress import criteria as crit
from tandem.progress import norms, splines
from tandem.progress.settings import ProgressSettings, ScaleInfo

__all__ = [
    "CRITERIA",
    "ENGINE_VERSION",
    "GAP_REFERENCES",
    "LABEL_COLUMNS",
    "NORM_MODELS",
    "Coded",
    "Columns",
    "NormModelSummary",
    "ProgressTable",
    "assess_progress",
]

ENGINE_VERSION = "1.0"

#: Codes of the `norm_model` column.
NORM_MODELS = ("not_enough_data", "published_norm", "peer_band", "prr", "sgp")
_NONE, _PUBLISHED, _BAND, _PRR, _SGP = range(5)
#: Codes of the `gap_reference` column: what the gap z is measured against.
GAP_REFERENCES = ("none", "peers", "national")
#: The four criteria columns, Code 6.17 (a)-(d), named as the stored results name them.
CRITERIA = ("peers", "own_rate", "not_closing", "widening")

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Coded:
    """A dictionary-encoded column: integer codes into `labels` (cheap for 18M rows of a few subjects)."""

    codes: ArrayLike
    labels: ArrayLike


@dataclass(frozen=True)
class NormModelSummary:
    """One fitted norm model: which cohort, which model, how many pupils, and its parameters."""

    subject: Any
    window: Any
    year_group: int
    prior_windows: tuple[Any, ...]
    school: Any
    kind: str
    n: int
    parameters: dict[str, Any] = field(default_factory=dict)
    prior_year_groups: tuple[int, ...] = ()  # the pupils' year group at each prior window, oldest first

    def to_dict(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return v.item() if isinstance(v, np.generic) else v

        return {
            "subject": plain(self.subject),
            "window": plain(self.window),
            "year_group": int(self.year_group),
            "prior_windows": [plain(w) for w in self.prior_windows],
            "school": plain(self.school),
            "kind": self.kind,
            "n": int(self.n),
            "parameters": self.parameters,
            "prior_year_groups": [int(g) for g in self.prior_year_groups],
        }


#: Output columns held as codes into their labels (`Columns.coded`) and decoded only when read.
LABEL_COLUMNS = ("pupil", "subject", "window", "school")


class Columns(MutableMapping[str, NDArray[Any]]):
    """The output columns by name, in the order they were added.

    The label columns (`LABEL_COLUMNS`) are held as integer codes into their sorted labels and decoded to
    an array of labels the first time one is read (then kept). At national scale each decoded column is an
    18M-element array that most callers never read (they need a few rows, or the codes), and building four
    of them was a sixth of the engine's time.
    """

    def __init__(self, arrays: Mapping[str, NDArray[Any]], coded: Mapping[str, Coded] | None = None) -> None:
        self._coded: dict[str, Coded] = dict(coded or {})
        self._arrays: dict[str, NDArray[Any]] = dict(arrays)
        self._names: list[str] = [*self._coded, *(name for name in arrays if name not in self._coded)]

    def coded(self, name: str) -> Coded:
        """A label column (`LABEL_COLUMNS`) as codes and labels, without decoding it."""
        return self._coded[name]

    def __getitem__(self, name: str) -> NDArray[Any]:
        values = self._arrays.get(name)
        if values is None:
            coded = self._coded[name]
            values = np.asarray(coded.labels)[np.asarray(coded.codes)]
            self._arrays[name] = values
        return values

    def __setitem__(self, name: str, values: NDArray[Any]) -> None:
        if name not in self._arrays and name not in self._coded:
            self._names.append(name)
        self._coded.pop(name, None)
        self._arrays[name] = values

    def __delitem__(self, name: str) -> None:
        if name not in self._arrays and name not in self._coded:
            raise KeyError(name)
        self._arrays.pop(name, None)
        self._coded.pop(name, None)
        self._names.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._arrays or name in self._coded


@dataclass
class ProgressTable:
    """The engine's output: equal-length numpy columns, one row per pupil, subject and window.

    Row order: pupil id, subject, window (ascending). Missing numbers are NaN (floats) or -1 (integers).
    See `COLUMNS` for what each column means.
    """

    columns: Columns
    models: list[NormModelSummary]
    settings: ProgressSettings
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks

    def __len__(self) -> int:
        return len(self.columns["score"])

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self.columns[name]

    def norm_model_names(self) -> NDArray[Any]:
        """The `norm_model` column as names ("sgp", "prr", ...)."""
        return np.asarray(NORM_MODELS, dtype=object)[self.columns["norm_model"]]

    def explain(self, *, rows: ArrayLike | None = None) -> dict[str, NDArray[Any]]:
        """Plain-English reasons per criterion for `rows` (indices or a mask; default all)."""
        from tandem.progress.explain import reasons

        return reasons(self.columns, settings=self.settings, rows=rows)

    def to_pandas(self) -> Any:
        """A pandas DataFrame of the columns (pandas is a development dependency, imported here only)."""
        pd = importlib.import_module("pandas")
        frame = pd.DataFrame(dict(self.columns), copy=False)
        frame["norm_model"] = pd.Categorical.from_codes(self.columns["norm_model"], categories=NORM_MODELS)
        return frame


#: Output columns and their meaning.
COLUMNS: dict[str, str] = {
    "pupil": "pupil id as given",
    "subject": "subject as given",
    "window": "window ordinal as given",
    "school": "school as given (absent if no school column)",
    "year_group": "year group at this window",
    "score": "points at this window",
    "sem": "standard error of measurement of the score, in points",
    "norm_model": "code into NORM_MODELS: the model behind the percentile",
    "norm_n": "pupils in the norm group (published norms: the publisher's sample, 0 if unknown)",
    "prior_order": "number of earlier scores the norm model conditioned on",
    "percentile": "growth percentile 1-99 among same-baseline peers (-1: none)",
    "percentile_low": "lower end of its interval (current score - z SEM)",
    "percentile_high": "upper end of its interval (current score + z SEM)",
    "peer_p25": "25th percentile of same-baseline peers' current scores (chart band)",
    "peer_median": "median of same-baseline peers' current scores",
    "peer_p75": "75th percentile of same-baseline peers' current scores",
    "peers_n": "pupils in the cohort at this window (the gap's peer group)",
    "gap_reference": "code into GAP_REFERENCES: peers (cohort mean/SD) or national (published norms)",
    "gap": "gap z now: (score - peer mean) / peer SD, or against national norms",
    "gap_previous": "gap z at the previous window, same reference",
    "gap_change": "gap change over the last interval (this interval's standardised rate of progress)",
    "gap_change_tolerance": "rci_z x S of that change: a smaller change is within measurement error",
    "rci_gap": "gap_change / S (reliable change index)",
    "gap_change_long": "(d) mean gap over the last gap_recent_windows minus the mean over the earlier ones",
    "rci_gap_long": "its reliable change index",
    "previous_rate": "least-squares gap change per interval over up to rate_lookback_intervals earlier ones",
    "rate_intervals": "how many earlier intervals previous_rate spans",
    "rate_change": "recent_rate - previous_rate",
    "rate_change_tolerance": "own_rate_z x S of rate_change",
    "rci_rate": "rate_change / S",
    "was_behind": "behind at the previous window by more than measurement error (the condition of (c))",
    "peers": "6.17(a) slower than same-baseline peers: 1 flagged, 0 not, -1 not enough data",
    "own_rate": "6.17(b) slower than own previous rate: 1, 0, -1",
    "not_closing": "6.17(c) behind at the previous window and the gap did not close: 1, 0, -1",
    "widening": "6.17(d) the gap widened: 1, 0, -1",
    "flagged": "any criterion flagged",
    "windows_so_far": "this pupil's results in this subject up to and including this window",
    "is_latest": "this is the pupil's newest window in this subject",
    "reason_peers": "plain-English reason for (a) (when reasons are built)",
    "reason_own_rate": "for (b)",
    "reason_not_closing": "for (c)",
    "reason_widening": "for (d)",
    "gap_change_long_tolerance": "widening_z x S of gap_change_long",
    "gap_earlier": "mean gap over the earlier windows of (d)'s level test",
    "gap_trend": "(d) least-squares trend of the gap per interval over gap_windows windows",
    "gap_trend_tolerance": "widening_z x S of gap_trend",
    "rci_gap_trend": "gap_trend / S",
    "recent_rate": "(b) least-squares gap change per interval over up to rate_recent_intervals intervals",
    "gap_windows": "windows (d) uses, this one included (up to long_gap_horizon + 1)",
    **{
        f"sgp_order_{k}": f"growth percentile of the order-{k} SGP model (-1: not fitted for this pupil)"
        for k in range(1, 5)
    },
}


# ----------------------------------------------------------------------------------------------- input
def _get(source: Any, name: str) -> Any:
    if isinstance(source, Mapping) or hasattr(source, "columns"):  # dict of arrays or a DataFrame
        return source.get(name)
    return getattr(source, name, None)


@dataclass(frozen=True)
class _Encoder:
    """One label column's sorted labels, and its codes for any rows: `table[source[rows] - lo]`, or
    `source[rows]` when `table` is None (codes computed up front). Code -1 marks a missing value.

    Codes are looked up per chunk of rows rather than stored: a stored code column is another 18M-row
    array to write and read back at national scale.
    """

    labels: NDArray[Any]
    source: NDArray[Any]
    table: NDArray[np.int32] | None = None
    lo: int = 0
    may_miss: bool = False

    def codes(self, rows: slice | IntArray) -> NDArray[np.signedinteger[Any]]:
        raw = self.source[rows]
        if self.table is None:
            out: NDArray[np.signedinteger[Any]] = raw
            return out
        return self.table[np.subtract(raw, self.lo, dtype=np.int64)]  # one pass, not a cast and then a shift


def _lookup_table(present: BoolArray) -> NDArray[np.int32]:
    """Code of each slot of a presence table: rank among present slots (-1 where absent)."""
    table = np.cumsum(present, dtype=np.int32) - 1
    table[~present] = -1
    return table


def _int_encoder(values: NDArray[Any], workers: int) -> _Encoder:
    """Integers: codes through a lookup table over their range when it is small, else by sorting."""
    spans = _spans(values.size, _CHUNK_ROWS)
    ranges = list(
        _map(lambda span: (values[span[0] : span[1]].min(), values[span[0] : span[1]].max()), spans, workers)
    )
    lo, hi = int(min(low for low, _ in ranges)), int(max(high for _, high in ranges))
    if hi - lo <= max(4 * values.size, 1 << 20):
        present = np.zeros(hi - lo + 1, dtype=bool)

        def mark(span: tuple[int, int]) -> None:
            present[np.subtract(values[span[0] : span[1]], lo, dtype=np.int64)] = True

        for _ in _map(mark, spans, workers):
            pass
        table = _lookup_table(present)
        return _Encoder(labels=np.flatnonzero(present) + lo, source=values, table=table, lo=lo)
    labels, codes = np.unique(values, return_inverse=True)
    return _Encoder(labels=labels.astype(np.int64), source=codes.astype(np.int64).ravel())


def _encoder(values: Any, workers: int) -> _Encoder:
    """Sorted labels and codes of a label column; codes follow the labels' sort order, whatever the order
    the values arrive in."""
    if isinstance(values, Coded) or (hasattr(values, "codes") and hasattr(values, "categories")):
        raw = np.asarray(values.codes)
        labels = np.asarray(values.labels if isinstance(values, Coded) else values.categories)
    elif hasattr(values, "cat"):  # a pandas categorical Series
        raw = values.cat.codes.to_numpy()
        labels = values.cat.categories.to_numpy()
    else:
        arr = values.to_numpy() if hasattr(values, "to_numpy") else np.asarray(values)
        if arr.dtype.kind in "iub":
            if arr.size == 0:
                return _Encoder(labels=arr[:0], source=np.zeros(0, np.int64))
            return _int_encoder(arr, workers)
        if arr.dtype == object:
            valid = np.fromiter((v is not None and v == v for v in arr), dtype=bool, count=arr.size)
            if not valid.all():
                labels, inverse = np.unique(arr[valid], return_inverse=True)
                codes = np.full(arr.size, -1, dtype=np.int64)
                codes[valid] = inverse.ravel()
                return _Encoder(labels=labels, source=codes, may_miss=True)
        labels, inverse = np.unique(arr, return_inverse=True)
        return _Encoder(labels=labels, source=inverse.astype(np.int64).ravel())
    # Codes into given labels: a table from each code (negative: missing) to the rank of its label.
    order = np.argsort(labels, kind="stable")
    lo = min(int(raw.min()), 0) if raw.size else 0
    table = np.full(order.size - lo, -1, dtype=np.int32)
    table[order - lo] = np.arange(order.size, dtype=np.int32)
    return _Encoder(labels=labels[order], source=raw, table=table, lo=lo, may_miss=lo < 0)


def _spans(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, n, size)] or [(0, 0)]


@dataclass
class _Rows:
    """The input in canonical (pupil, subject, window) order, one row per cell, in compact dtypes."""

    pupil: NDArray[np.int32]
    subject: NDArray[np.int16]
    window: NDArray[np.int16]
    points: FloatArray
    year_group: NDArray[np.int16]
    school: NDArray[np.int32] | None
    pupil_labels: NDArray[Any]
    subject_labels: NDArray[Any]
    window_labels: NDArray[Any]
    school_labels: NDArray[Any] | None
    position: NDArray[np.int16]  # index of the row within its pupil-subject run: windows so far - 1


#: One input row's values that the canonical table reads (`_prepare`), padded to 16 bytes.
_INPUT_RECORD = np.dtype(
    [("points", np.float64), ("school", np.int32), ("year_group", np.int16), ("pad", np.int16)]
)


def _counting_sort_fits(n_cells: int, n: int) -> bool:
    """Whether to order n rows by counting (a scatter into a grid of n_cells cells) rather than sorting."""
    return n_cells <= max(4 * n, 1 << 24)


def _prepare(columns: Any, workers: int = 1) -> _Rows:
    need = ("pupil", "subject", "window", "points", "year_group")
    found = {name: _get(columns, name) for name in (*need, "school", "date")}
    missing = [name for name in need if found[name] is None]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    points = np.asarray(found["points"], dtype=np.float64)
    year_group = np.asarray(found["year_group"])
    pupil = _encoder(found["pupil"], workers)
    subject = _encoder(found["subject"], workers)
    window = _encoder(found["window"], workers)
    school = _encoder(found["school"], workers) if found["school"] is not None else None
    n = points.size
    n_p, n_s, n_w = len(pupil.labels), len(subject.labels), len(window.labels)
    if n_w >= 1 << 15 or n_s >= 1 << 15:
        raise ValueError("too many distinct windows or subjects for one run")
    n_cells = n_p * n_s * n_w
    cell_type: type[np.signedinteger[Any]] = np.int32 if n_cells < np.iinfo(np.int32).max else np.int64
    encoders = [e for e in (pupil, subject, window, school) if e is not None and e.may_miss]

    def cells_of(a: int, b: int) -> NDArray[np.signedinteger[Any]]:
        """Cell codes of input rows a..b, -1 for an unusable row (no score, or a missing label)."""
        cell: NDArray[np.signedinteger[Any]] = pupil.codes(slice(a, b)).astype(cell_type)
        cell *= n_s * n_w
        cell += subject.codes(slice(a, b)) * n_w
        cell += window.codes(slice(a, b))
        valid = np.isfinite(points[a:b])
        for e in encoders:
            valid &= e.codes(slice(a, b)) >= 0
        cell[~valid] = -1
        return cell

    spans = _spans(n, _CHUNK_ROWS)
    src: NDArray[np.signedinteger[Any]] | None = None
    if _counting_sort_fits(n_cells, n):
        # Usual case, one result per cell: scatter row numbers into the cell grid, chunk by chunk, and read
        # them back in cell order. Two rows of one cell would race for the slot; they are detected because
        # fewer slots fill than there are usable rows, and then the general path below decides.
        slot: NDArray[np.signedinteger[Any]] = np.full(
            n_cells, -1, dtype=np.int32 if n < np.iinfo(np.int32).max else np.int64
        )

        def scatter(span: tuple[int, int]) -> int:
            cell = cells_of(*span)
            usable = cell >= 0
            slot[cell[usable]] = np.arange(*span, dtype=slot.dtype)[usable]
            return int(np.count_nonzero(usable))

        usable_rows = sum(_map(scatter, spans, workers))
        # The filled cells in order, and their rows, read out part by part on the threads.
        parts = _spans(n_cells, _CHUNK_ROWS)
        filled = list(_map(lambda part: int(np.count_nonzero(slot[part[0] : part[1]] >= 0)), parts, workers))
        if sum(filled) == usable_rows:
            starts = np.concatenate([[0], np.cumsum(filled)]).tolist()
            cells = np.empty(usable_rows, dtype=cell_type)  # int32 where it fits: half the pages to fault
            rows_of_cells = np.empty(usable_rows, dtype=slot.dtype)

            def read_back(i: int) -> None:
                a, b = parts[i]
                local = np.flatnonzero(slot[a:b] >= 0)
                cells[starts[i] : starts[i + 1]] = local + a
                rows_of_cells[starts[i] : starts[i + 1]] = slot[a:b][local]

            for _ in _map(read_back, range(len(parts)), workers):
                pass
            src = rows_of_cells
        del slot
    if src is None:
        cell = np.concatenate([cells_of(a, b) for a, b in spans]).astype(np.int64)
        keep = np.flatnonzero(cell >= 0)
        date_key = None
        if found["date"] is not None:
            date_key = np.asarray(found["date"]).astype("datetime64[D]", copy=False).view(np.int64)[keep]
        src, cells = _canonical_rows(cell[keep], n_cells=n_cells, date_key=date_key, points=points[keep])
        src = keep[src]
        del cell, keep

    m = cells.size
    rows = _Rows(
        pupil=np.empty(m, dtype=np.int32),
        subject=np.empty(m, dtype=np.int16),
        window=np.empty(m, dtype=np.int16),
        points=np.empty(m, dtype=np.float64),
        year_group=np.empty(m, dtype=np.int16),
        school=np.empty(m, dtype=np.int32) if school is not None else None,
        pupil_labels=pupil.labels,
        subject_labels=subject.labels,
        window_labels=window.labels,
        school_labels=school.labels if school is not None else None,
        position=np.empty(m, dtype=np.int16),
    )

    # The input rows arrive in any order, so the canonical table reads them at random: one 16-byte record
    # per input row (packed in input order, on the threads) costs one cache miss per row instead of three.
    packed = np.empty(n, dtype=_INPUT_RECORD)

    def pack(span: tuple[int, int]) -> None:
        a, b = span
        record = packed[a:b]
        record["points"] = points[a:b]
        record["year_group"] = year_group[a:b]
        if school is not None:
            record["school"] = school.codes(slice(a, b))

    for _ in _map(pack, spans, workers):
        pass

    def fill(span: tuple[int, int]) -> None:
        """Rows a..b of the canonical table; a starts a pupil-subject run, so positions restart inside."""
        a, b = span
        cell = cells[a:b]
        record = np.take(packed, src[a:b], mode="clip")  # every index is valid
        run = cell // n_w
        rows.pupil[a:b] = run // n_s
        rows.subject[a:b] = run % n_s
        rows.window[a:b] = cell % n_w
        index = np.arange(b - a, dtype=np.int32)
        starts = np.ones(b - a, dtype=bool)
        starts[1:] = run[1:] != run[:-1]
        rows.position[a:b] = index - np.maximum.accumulate(np.where(starts, index, 0))
        rows.points[a:b] = record["points"]
        rows.year_group[a:b] = record["year_group"]
        if rows.school is not None:
            rows.school[a:b] = record["school"]

    # Chunks start at a pupil-subject run (the first row of the run holding every _CHUNK_ROWS-th row).
    probes = cells[_CHUNK_ROWS::_CHUNK_ROWS] // n_w * n_w
    bounds = [0, *np.searchsorted(cells, probes).tolist(), m]
    for _ in _map(fill, [(a, b) for a, b in itertools.pairwise(bounds) if b > a], workers):
        pass
    return rows


def _canonical_rows(
    cell: IntArray, *, n_cells: int, date_key: IntArray | None, points: FloatArray
) -> tuple[IntArray, IntArray]:
    """(row indices, their cells) in ascending cell order, one per cell: the latest date wins, then the
    higher score. A counting sort when the cell space is small enough, O(n); else a sort.
    """
    n = cell.size
    dates = date_key if date_key is not None else np.zeros(n, dtype=np.int64)
    if _counting_sort_fits(n_cells, n):
        # Usual case, one result per cell: scatter row numbers into the cell grid and read them back in
        # cell order. Two random passes; only duplicates (detected by a short count) take the slower path.
        slot: NDArray[np.signedinteger[Any]] = np.full(
            n_cells, -1, dtype=np.int32 if n < np.iinfo(np.int32).max else np.int64
        )
        slot[cell] = np.arange(n, dtype=slot.dtype)
        cells = np.flatnonzero(slot >= 0)
        if cells.size == n:
            return slot[cells].astype(np.int64), cells
        del slot, cells
        counts = np.bincount(cell, minlength=n_cells)
        rows: IntArray | None = None
        if n and counts.max() > 1:
            dup = counts[cell] > 1
            sub = np.flatnonzero(dup)
            order = np.lexsort((points[sub], dates[sub], cell[sub]))
            sub_cells = cell[sub][order]
            last = np.ones(order.size, dtype=bool)
            last[:-1] = sub_cells[1:] != sub_cells[:-1]
            keep = ~dup
            keep[sub[order][last]] = True
            rows = np.flatnonzero(keep)
        present = counts > 0
        del counts
        rank = np.cumsum(present, dtype=np.int64)
        cells = np.flatnonzero(present)
        del present
        src = np.empty(cells.size, dtype=np.int64)
        if rows is None:
            src[rank[cell] - 1] = np.arange(n, dtype=np.int64)
        else:
            src[rank[cell[rows]] - 1] = rows
        return src, cells
    order = np.lexsort((points, dates, cell))
    sorted_cells = cell[order]
    last = np.ones(n, dtype=bool)
    last[:-1] = sorted_cells[1:] != sorted_cells[:-1]
    return order[last], sorted_cells[last]


def _dense(code: NDArray[np.signedinteger[Any]], limit: int) -> tuple[IntArray, IntArray]:
    """Renumber non-negative codes below `limit` to 0..G-1 in code order (negative codes become -1).

    Returns (dense codes, the original code of each dense group).
    """
    valid = code >= 0
    all_valid = bool(valid.all())
    if limit <= max(4 * code.size, 1 << 24):
        present = np.zeros(limit, dtype=bool)
        present[code if all_valid else code[valid]] = True
        remap = np.cumsum(present, dtype=np.int64) - 1
        raw = np.flatnonzero(present)
        if raw.size < np.iinfo(np.int32).max:
            remap = remap.astype(np.int32)  # gathers of int32 move half the bytes
        if all_valid:
            return remap[code], raw
        return np.where(valid, remap[np.where(valid, code, 0)], -1), raw
    raw, inverse = np.unique(code[valid], return_inverse=True)
    out = np.full(code.size, -1, dtype=np.int64)
    out[valid] = inverse.ravel()
    return out, raw.astype(np.int64)


def _stable_group_order(group: IntArray, n_groups: int) -> IntArray:
    """Stable argsort of group codes; numpy radix-sorts codes that fit in 16 bits."""
    if n_groups <= np.iinfo(np.uint16).max:
        out: IntArray = np.argsort(group.astype(np.uint16), kind="stable")
        return out
    return np.argsort(group, kind="stable")


def _dense_by_chunks(
    raw_codes: Callable[[int, int], NDArray[np.signedinteger[Any]]],
    limit: int,
    spans: list[tuple[int, int]],
    workers: int,
) -> tuple[NDArray[np.signedinteger[Any]], IntArray, list[IntArray]]:
    """`_dense` of non-negative codes below `limit` that `raw_codes(a, b)` computes for rows a..b, chunk by
    chunk on the worker threads. Returns (dense codes, original code of each dense group, rows per group in
    each chunk)."""
    m = spans[-1][1] if spans else 0
    if limit > max(4 * m, 1 << 24):
        dense, raw_of = _dense(np.concatenate([raw_codes(a, b) for a, b in spans]), limit)
        return dense, raw_of, [np.bincount(dense[a:b], minlength=raw_of.size) for a, b in spans]
    code: NDArray[np.signedinteger[Any]] = np.empty(
        m, dtype=np.int32 if limit < np.iinfo(np.int32).max else np.int64
    )
    present = np.zeros(limit, dtype=bool)

    def encode(span: tuple[int, int]) -> None:
        chunk = raw_codes(*span)
        code[span[0] : span[1]] = chunk
        present[chunk] = True

    for _ in _map(encode, spans, workers):
        pass
    raw_of = np.flatnonzero(present)
    remap = (np.cumsum(present, dtype=np.int64) - 1).astype(code.dtype)

    def renumber(span: tuple[int, int]) -> IntArray:
        chunk = code[span[0] : span[1]]
        chunk[:] = remap[chunk]
        return np.bincount(chunk, minlength=raw_of.size)

    return code, raw_of, list(_map(renumber, spans, workers))


def _stable_group_order_by_chunks(
    group: NDArray[np.signedinteger[Any]],
    spans: list[tuple[int, int]],
    chunk_counts: list[IntArray],
    workers: int,
    carry: Callable[[int, int], NDArray[np.int32]] | None = None,
) -> tuple[IntArray, NDArray[np.int32] | None]:
    """`_stable_group_order` on the worker threads: each chunk sorts its own rows by group, then puts them
    after the rows of the same group in earlier chunks (so ties stay in row order).

    With `carry` (values of rows a..b), also returns those values in the same order: a chunk's rows of one
    group land next to each other, so placing them costs far less than gathering them afterwards.
    """
    n_groups = chunk_counts[0].size if chunk_counts else 0
    if len(spans) <= 1 or len(spans) * n_groups > group.size:  # the per-chunk tables would be too large
        order = _stable_group_order(group, n_groups)
        if carry is None:
            return order, None
        return order, np.concatenate([carry(a, b) for a, b in spans])[order]
    per_chunk = np.asarray(chunk_counts)
    earlier = np.cumsum(per_chunk, axis=0) - per_chunk  # rows of each group in earlier chunks
    group_start = np.concatenate([[0], np.cumsum(per_chunk.sum(axis=0))[:-1]])
    out = np.empty(group.size, dtype=np.int64)
    carried = np.empty(group.size, dtype=np.int32) if carry is not None else None

    def place(c: int) -> None:
        a, b = spans[c]
        local = _stable_group_order(group[a:b], n_groups)
        local_start = np.cumsum(per_chunk[c]) - per_chunk[c]
        shift = group_start + earlier[c] - local_start
        target = shift[group[a:b][local]] + np.arange(b - a)
        out[target] = local + a
        if carry is not None and carried is not None:
            carried[target] = carry(a, b)[local]

    for _ in _map(place, range(len(spans)), workers):
        pass
    return out, carried


def _chunks(position: NDArray[np.int16], size: int) -> list[tuple[int, int]]:
    """Row ranges of about `size` rows that start at a pupil-subject run, so a chunk holds whole histories.

    Elementwise work on chunks that fit in the CPU cache runs about three times faster than on 18M-row
    arrays (measured on this machine), and chunks could be spread over processes.
    """
    m = position.size
    bounds = [0]
    while bounds[-1] < m:
        probe = bounds[-1] + size
        while probe < m:
            starts = np.flatnonzero(position[probe : probe + 4096] == 0)
            if starts.size:
                probe += int(starts[0])
                break
            probe += 4096
        bounds.append(min(probe, m))
    return list(itertools.pairwise(bounds))


# ----------------------------------------------------------------------------------------------- engine
def assess_progress(
    *,
    columns: Any,
    scales: Mapping[Any, ScaleInfo],
    settings: ProgressSettings | None = None,
    reasons: bool = True,
    workers: int | None = None,
    knots: Mapping[tuple[Any, int], tuple[Sequence[float], tuple[float, float]]] | None = None,
) -> ProgressTable:
    """Run the Code 6.17 criteria over a long table of results.

    `columns`: a dict of arrays, a pandas DataFrame or any object with these attributes: pupil (ids), subject,
    window (ordinal: later windows larger), points, year_group; optional school (needed for the "school"
    reference population) and date (breaks ties between two results in one window). Columns may be numpy
    arrays, pandas Series or `Coded` (integer codes plus labels).
    `scales`: a `ScaleInfo` per subject label (a subject without one is treated as a scale without norms).
    `reasons`: build the plain-English reasons too (strings cost memory: for millions of rows, leave this off
    and call `ProgressTable.explain(rows=...)` for the rows someone will read).
    `workers`: threads for independent stages (default: the CPUs available, at most four); results are the
    same for any number.
    `knots`: a published table of SGP knots and boundaries by (subject, year group), e.g. from
    `tandem.progress.sgp.read_knots_table`; a subject and grade not in it takes them from the run's own
    earlier scores at that grade (as the SGP package does without a published table).
    """
    settings = settings or ProgressSettings()
    clock = _Clock()
    workers = workers or default_workers()
    with _without_huge_page_advice(), threadpool_limits(limits=1, user_api="blas"):
        rows = _prepare(columns, workers)
        clock.lap("prepare")
        out = _compute(rows, scales=scales, settings=settings, clock=clock, workers=workers, knots=knots)
    table = ProgressTable(columns=out.columns, models=out.models, settings=settings, timings=clock.laps)
    if reasons:
        table.columns.update(table.explain())
        clock.lap("reasons")
    return table


def _compacts_for_huge_pages() -> bool:
    """Whether the kernel compacts memory on the spot to back a region advised for huge pages (Linux THP
    `defrag` set to "madvise" or "defer+madvise"), rather than in the background."""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/defrag", encoding="ascii") as f:
            text = f.read()
    except OSError:
        return False
    return "[madvise]" in text or "[defer+madvise]" in text


@contextlib.contextmanager
def _without_huge_page_advice() -> Iterator[None]:
    """Stop numpy advising huge pages for new arrays while the engine runs, where the kernel would compact
    memory synchronously to provide them.

    numpy advises huge pages for every large array; with the kernel set to compact on the spot, the first
    touch of each new array then waits for compaction whenever free memory is fragmented. On the 2-core
    benchmark machine this was 2-5 s of kernel time per run at 18M rows (25-390 ms per 143 MB array
    against a steady 50 ms with ordinary pages), and the engine creates a few gigabytes of new columns. The
    switch is process-wide, so it is restored afterwards; it changes speed only, never a result.
    """
    multiarray = getattr(getattr(np, "_core", None), "multiarray", None)
    advise = getattr(multiarray, "_set_madvise_hugepage", None)
    if advise is None or not _compacts_for_huge_pages():
        yield
        return
    previous = advise(False)
    try:
        yield
    finally:
        advise(previous)


class _Clock:
    """Wall time per stage (accumulated), reported in `ProgressTable.timings`."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._last
        self._last = now


@dataclass
class _Output:
    columns: Columns
    models: list[NormModelSummary]


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


#: Rows per chunk of elementwise work: about 2 MB per float64 column, so a chunk's temporaries stay in cache.
_CHUNK_ROWS = 1 << 18
#: The criteria hold some thirty float64 temporaries per chunk at once, so they run on smaller chunks: with
#: 2 MB temporaries each chunk also mapped fresh pages for them (freed arrays that large go back to the
#: system): at 18M rows on 2 threads the stage took 1.6 s instead of 1.1 s, and the run's kernel time fell
#: from about 2.3 s to 1.4 s with the smaller chunks.
_CRITERIA_CHUNK_ROWS = 1 << 16


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

    spans = _spans(m, _CHUNK_ROWS)
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


#: Float columns the criteria stage writes (float32: ample for z values, half the memory of float64).
_GAP_COLUMNS = (
    "sem",
    "gap",
    "gap_previous",
    "gap_change",
    "gap_change_tolerance",
    "rci_gap",
    "gap_change_long",
    "rci_gap_long",
    "previous_rate",
    "rate_change",
    "rate_change_tolerance",
    "rci_rate",
)
#: Float columns of (b) and (d) over several windows, output after the others (added with issue 12).
_TREND_COLUMNS = (
    "gap_change_long_tolerance",
    "gap_earlier",
    "gap_trend",
    "gap_trend_tolerance",
    "rci_gap_trend",
    "recent_rate",
)


def _compute(
    rows: _Rows,
    *,
    scales: Mapping[Any, ScaleInfo],
    settings: ProgressSettings,
    clock: _Clock,
    workers: int,
    knots: Mapping[tuple[Any, int], tuple[Sequence[float], tuple[float, float]]] | None = None,
) -> _Output:
    m = rows.points.size
    scale = _subject_arrays(rows.subject_labels, scales, settings)
    groups = _gap_groups(rows, scale, settings, workers)
    clock.lap("gap groups")

    out: dict[str, NDArray[Any]] = {
        name: np.empty(m, dtype=np.float32) for name in (*_GAP_COLUMNS, *_TREND_COLUMNS)
    }
    for name in ("gap_reference", "rate_intervals", "own_rate", "not_closing", "widening", "gap_windows"):
        out[name] = np.empty(m, dtype=np.int8)
    out["was_behind"] = np.empty(m, dtype=bool)
    # Chunks hold whole pupil histories and write disjoint slices of `out`, so they run on threads.
    chunk = functools.partial(_criteria_chunk, rows, groups, settings, out=out)
    for _ in _map(lambda span: chunk(*span), _chunks(rows.position, _CRITERIA_CHUNK_ROWS), workers):
        pass
    clock.lap("criteria b-d")

    norm = _norm_models(rows, groups=groups, settings=settings, clock=clock, workers=workers, knots=knots)
    # The last columns, chunk by chunk on the threads (each is elementwise, or looks one row ahead).
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

    for _ in _map(finish, _spans(m, _CHUNK_ROWS), workers):
        pass

    coded = {
        "pupil": Coded(rows.pupil, rows.pupil_labels),
        "subject": Coded(rows.subject, rows.subject_labels.astype(object)),
        "window": Coded(rows.window, rows.window_labels),
    }
    if rows.school is not None and rows.school_labels is not None:
        coded["school"] = Coded(rows.school, rows.school_labels)
    columns: dict[str, NDArray[Any]] = {}
    columns.update(
        {
            "year_group": rows.year_group,
            "score": rows.points,
            "sem": out["sem"],
            "norm_model": norm.kind,
            "norm_n": norm.n,
            "prior_order": norm.order,
            "percentile": norm.percentile,
            "percentile_low": norm.low,
            "percentile_high": norm.high,
            "peer_p25": norm.quantiles[0],
            "peer_median": norm.quantiles[1],
            "peer_p75": norm.quantiles[2],
            "peers_n": peers_n,
            "gap_reference": out["gap_reference"],
        }
    )
    for name in _GAP_COLUMNS[1:9]:
        columns[name] = out[name]
    columns["rate_intervals"] = out["rate_intervals"]
    for name in _GAP_COLUMNS[9:]:
        columns[name] = out[name]
    columns.update(
        {
            "was_behind": out["was_behind"],
            "peers": peers,
            "own_rate": out["own_rate"],
            "not_closing": out["not_closing"],
            "widening": out["widening"],
            "flagged": flagged,
            "windows_so_far": windows_so_far,
            "is_latest": is_latest,
        }
    )
    for k, by_order in enumerate(norm.by_order, start=1):
        columns[f"sgp_order_{k}"] = by_order
    for name in (*_TREND_COLUMNS, "gap_windows"):
        columns[name] = out[name]
    clock.lap("output")
    return _Output(columns=Columns(columns, coded), models=norm.models)


def _criteria_chunk(
    rows: _Rows, groups: _Groups, settings: ProgressSettings, a: int, b: int, out: dict[str, NDArray[Any]]
) -> None:
    """Gaps, rates, reliable-change indices and criteria (b)-(d) for rows a..b (whole pupil histories)."""
    n = b - a
    # A dozen per-group tables are read through g; numpy converts other integer indices to intp each time.
    g = groups.code[a:b].astype(np.intp)
    x = rows.points[a:b]
    pos = rows.position[a:b]
    z_crit = settings.rci_z
    depth = settings.deepest_history
    with np.errstate(invalid="ignore", divide="ignore"):
        z_peer = (x - groups.mean[g]) / groups.sd[g]
        z_peer[~groups.peer_ok[g]] = np.nan
    se_peer = groups.se_peer[g]
    sem = groups.sem[g]
    out["sem"][a:b] = sem

    run_heads: dict[int, IntArray] = {}

    def lagged(values: NDArray[Any], lag: int, fill: Any = np.nan) -> NDArray[Any]:
        """values[i - lag] when that row is the same pupil and subject (rows are in run order), else fill."""
        if lag >= n:
            return np.full_like(values, fill)
        shifted = np.empty_like(values)
        shifted[lag:] = values[: n - lag]
        # The first `lag` rows of each run (positions are found once per lag: a dozen calls use them, and
        # a write through a boolean mask is several times slower than through their indices).
        heads = run_heads.get(lag)
        if heads is None:
            heads = run_heads[lag] = np.flatnonzero(pos < lag)
        shifted[heads] = fill
        return shifted

    # The reference per row: peers when this row and every earlier row it uses have a measurable peer gap,
    # else national norms; one reference for all of a row's figures, so a change never mixes references.
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
    out["gap_reference"][a:b] = reference
    use_peer = reference == 1
    all_peer = bool(use_peer.all())
    all_national = not all_peer and bool((reference == 2).all())
    none = reference == 0
    if all_peer:
        z_nat = se_nat = z_peer  # not read
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            z_nat = (x - groups.norm_mean[g]) / groups.norm_sd[g]
        se_nat = groups.se_nat[g]

    def in_reference(peer: FloatArray, national: FloatArray, lag: int) -> FloatArray:
        """An earlier row's value in *this* row's reference."""
        if all_peer or all_national:
            value = peer if all_peer else national
            return lagged(value, lag) if lag else value
        if lag:
            value = np.where(use_peer, lagged(peer, lag), lagged(national, lag))
        else:
            value = np.where(use_peer, peer, national)
        value[none] = np.nan
        return value

    with np.errstate(invalid="ignore", divide="ignore"):
        gap = in_reference(z_peer, z_nat, 0)
        se_now = in_reference(se_peer, se_nat, 0)
        gap_prev = in_reference(z_peer, z_nat, 1)
        se_prev = in_reference(se_peer, se_nat, 1)
        gap_change = gap - gap_prev
        se_change = crit.change_se(se_now, se_prev)
        rci_gap = gap_change / se_change
        out["gap"][a:b] = gap
        out["gap_previous"][a:b] = gap_prev
        out["gap_change"][a:b] = gap_change
        out["gap_change_tolerance"][a:b] = z_crit * se_change
        out["rci_gap"][a:b] = rci_gap
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
        if all_peer or all_national:
            values, errors = (z_peer, se_peer) if all_peer else (z_nat, se_nat)
            crit.history_contrasts(values, errors, windows, tables, into=into, errors_into=errors_into)
        else:
            for reference_code, values, errors in ((1, z_peer, se_peer), (2, z_nat, se_nat)):
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

        growth_windows = pos >= settings.min_windows_growth - 1
        known_gap = growth_windows & ~none & ~np.isnan(rci_gap)
        # (c) behind at the previous window by more than measurement error, or below the expected standard.
        behind = gap_prev + z_crit * se_prev < settings.behind_gap_z
        expected = groups.expected[g]
        if not np.isnan(expected).all():
            behind |= lagged(x + z_crit * sem, 1) < expected
        out["was_behind"][a:b] = behind & known_gap
        out["not_closing"][a:b] = crit.code(known_gap, behind & ~(rci_gap > z_crit))
        wide = (rci_long < -settings.widening_z) | (rci_trend < -settings.widening_z)
        out["widening"][a:b] = crit.code(known_gap, wide)
        known_rate = (pos >= settings.min_windows_rate - 1) & ~none & ~np.isnan(rci_rate)
        out["own_rate"][a:b] = crit.code(known_rate, rci_rate < -settings.own_rate_z)


# ------------------------------------------------------------------------------------------ norm models
#: A norm model's figures for one entry of the score tables (`_norm_models`), padded to 16 bytes.
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
    lags = _YEAR_GROUP_CHANGES
    none = n_w * lags
    radix = none + 1
    limit = groups.count.size * radix**big_k
    # int32 arithmetic when the code space allows: half the memory traffic of int64 over 18M rows.
    kind_of_int = np.int32 if limit < np.iinfo(np.int32).max else np.int64

    def history_codes(a: int, b: int) -> NDArray[np.signedinteger[Any]]:
        """Rows a..b start a pupil-subject run, so a row's earlier sittings are in the same chunk."""
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

    spans = _chunks(rows.position, _CHUNK_ROWS)
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

    found = list(_map(survey, _spans(m, _CHUNK_ROWS), workers))
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


T = TypeVar("T")
R = TypeVar("R")


def _map(fn: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """`map` over threads, results in input order; plain `map` for one worker or one item."""
    if workers <= 1 or len(items) <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(fn, items)


def default_workers() -> int:
    """Threads for the norm-model fits: the CPUs this process may use, at most four."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(4, available))


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
    x = rows.points
    delta_of_group = settings.growth_interval_z * groups.sem
    value_range = _value_key_range(rows, settings.max_prior_order, workers)
    hist = _histories(rows, groups, settings, workers, value_range)
    big_k = hist.big_k
    # Always four columns (the most `sgp_max_prior_order` allows), so the output's columns never vary; a
    # run without SGPs shares one read-only column of -1 rather than writing four 18M-row columns.
    if bool(np.any(hist.kind == _SGP)):
        by_order = [np.full(m, -1, dtype=np.int8) for _ in range(4)]
    else:
        by_order = [np.broadcast_to(np.int8(-1), (m,))] * 4
    kind_row = np.empty(m, dtype=hist.kind.dtype)
    order = np.empty(m, dtype=hist.order.dtype)
    norm_n = np.empty(m, dtype=hist.norm_n.dtype)

    def per_row(span: tuple[int, int]) -> None:
        a, b = span
        code = hist.code[a:b]
        kind_row[a:b] = hist.kind[code]
        order[a:b] = hist.order[code]
        norm_n[a:b] = hist.norm_n[code]

    for _ in _map(per_row, _spans(m, _CHUNK_ROWS), workers):
        pass
    value_keys = hist.value_keys
    clock.lap("norm groups")
    models: list[NormModelSummary] = []

    # Models do not write the six score columns row by row: a norm group's rows are spread over the whole
    # table (one row in about 126 here), so each of its values would be a cache miss in each of six
    # 18M-row columns. Each model instead writes its figures into a block of small score tables (PRR: one
    # entry per distinct (priors, current) row) and one table index per row it scores; one pass in row
    # order then reads the columns out of the tables. Entry 0 holds the "none" values, for rows no model
    # scores. A model reserves as many entries as it has members, so blocks are fixed before any model
    # runs and models can fill theirs on any thread; only the entries used are ever touched.
    capacity = 1 + int(np.count_nonzero(kind_row == _PUBLISHED)) + sum(int(c.sum()) for c in hist.group_count)
    index_type: type[np.signedinteger[Any]] = np.int32 if capacity < np.iinfo(np.int32).max else np.int64
    slot: NDArray[np.signedinteger[Any]] = np.zeros(m, dtype=index_type)
    # One 16-byte record per entry rather than six tables: the read-out then misses the cache once per row
    # instead of six times (the tables are far larger than the cache), and numpy copies 16-byte items
    # directly in `take`.
    table = np.empty(capacity, dtype=_SCORE_RECORD)
    table[0] = (np.nan, -1, -1, -1, 0)
    reserved = 1

    def reserve(size: int) -> int:
        nonlocal reserved
        block = reserved
        reserved += size
        assert reserved <= capacity
        return block

    def put(
        block: int, target_rows: IntArray, scores: norms.Scores | norms.PairScores, picks: IntArray | None
    ) -> None:
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
        slot[target_rows] = np.arange(block, end, dtype=index_type)

    def priors_of(members: IntArray, k: int) -> FloatArray:
        """(n, k) prior scores, oldest first (the column order the spline specs use)."""
        return np.column_stack([x[members - j] for j in range(k, 0, -1)])

    def put_order(k: int, members: IntArray, percentile: NDArray[np.int8]) -> None:
        by_order[k - 1][members] = percentile

    # SGP knots and boundaries, as the SGP package takes them: per subject and grade, from every score at
    # that grade in the windows before the model's (stacked), or from the published table.
    grade_values: dict[int, tuple[FloatArray, FloatArray]] = {}
    stacked: dict[tuple[int, int, int, int], tuple[tuple[float, ...], tuple[float, float]]] = {}

    def scores_of_gap_group(gap: int) -> tuple[FloatArray, FloatArray]:
        """Distinct scores of one gap group and their counts (its rows are one run of `rows_by_code`)."""
        if gap not in grade_values:
            first_code = int(np.searchsorted(hist.gap_group, gap, side="left"))
            end_code = int(np.searchsorted(hist.gap_group, gap, side="right"))
            members = hist.rows_by_code[hist.offsets[first_code] : hist.offsets[end_code]]
            values, counts = np.unique(x[members], return_counts=True)
            grade_values[gap] = (values, counts.astype(np.float64))
        return grade_values[gap]

    def prior_knots(first: int, j: int) -> tuple[tuple[tuple[float, ...], tuple[float, float]], bool]:
        """Knots and boundaries of the prior j sittings before row `first`; True if they were published."""
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
        if key not in stacked:
            gaps = np.flatnonzero(
                (groups.subject == subject)
                & (groups.part == part)
                & (groups.year_group == grade)
                & (groups.window < window)
            )
            pieces = [scores_of_gap_group(int(g)) for g in gaps]
            stacked[key] = splines.knots_boundaries(
                np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces])
            )
        return stacked[key], False

    def sgp_spec(first: int, k: int) -> tuple[splines.SplineSpec, str]:
        pairs = [prior_knots(first, j) for j in range(k, 0, -1)]
        spec = splines.SplineSpec(
            knots=tuple(p[0][0] for p in pairs), boundaries=tuple(p[0][1] for p in pairs)
        )
        sources = {"published" if p[1] else "stacked" for p in pairs}
        return spec, "published table" if sources == {"published"} else (
            "every score at each prior's subject and year group before this window"
            if sources == {"stacked"}
            else "published table, else every score at that subject and year group before this window"
        )

    def describe(first: int, k: int, kind_name: str, n: int, params: dict[str, Any]) -> NormModelSummary:
        school = None
        if settings.reference_population == "school" and rows.school_labels is not None:
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

    published_rows = np.flatnonzero(kind_row == _PUBLISHED)
    # ---- published norms: one vectorised expression over every row that uses them
    if published_rows.size:
        pub = published_rows
        g = groups.code[pub]
        mean, sd = groups.norm_mean[g], groups.norm_sd[g]
        prior_z = np.full((pub.size, big_k), np.nan)
        for j in range(1, big_k + 1):
            has = order[pub] >= j
            prior_z[has, j - 1] = (x[pub[has] - j] - mean[has]) / sd[has]
        scores = norms.published_scores(
            prior_z=prior_z,
            order=order[pub].astype(np.int64),
            current_z=(x[pub] - mean) / sd,
            delta_z=delta_of_group[g] / sd,
            retest_r=groups.retest_r[g],
            norm_mean=mean,
            norm_sd=sd,
        )
        put(reserve(pub.size), pub, scores, None)
        clock.lap("published norms")

    # ---- local models, per order k: a norm group's members are all its rows with at least k priors,
    # a contiguous range of history codes and so of `rows_by_code`.
    is_local_code = (hist.kind == _BAND) | (hist.kind == _PRR) | (hist.kind == _SGP)
    hashes: NDArray[np.uint64] | None = None
    for k in range(1, big_k + 1):
        ids = hist.prefix[k - 1]
        target_code = is_local_code & (hist.order == k)
        # SGP: every order up to the reported one is fitted, so each order's percentile can be kept.
        fit_code = target_code | ((hist.kind == _SGP) & (hist.order >= k))
        if not fit_code.any():
            continue
        wanted = np.unique(ids[fit_code])
        # Codes are numbered lexicographically, so a group's codes are one contiguous run of codes (and
        # non-decreasing ids among the codes deep enough to have one).
        codes_with = np.flatnonzero(ids >= 0)
        ids_with = ids[codes_with]
        firsts = codes_with[np.searchsorted(ids_with, wanted, side="left")]
        lasts = codes_with[np.searchsorted(ids_with, wanted, side="right") - 1]
        spans = [(int(hist.offsets[f]), int(hist.offsets[e + 1])) for f, e in zip(firsts, lasts, strict=True)]
        group_kind = hist.kind[firsts]
        is_target_code = target_code

        band = [i for i, kd in enumerate(group_kind) if kd == _BAND]
        if band:
            pieces = [hist.rows_by_code[spans[i][0] : spans[i][1]] for i in band]
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
                priors=priors_of(mem, k),
                current=x[mem],
                delta=delta_of_group[groups.code[mem]],
                n_bands=n_bands,
            )
            band_picks = np.flatnonzero(is_target_code[hist.code[mem]])
            put(reserve(band_picks.size), mem[band_picks], scores, band_picks)
            for params, piece in zip(band_params, pieces, strict=True):
                models.append(describe(int(piece[0]), k, "peer_band", int(piece.size), params))
            clock.lap("peer bands")

        jobs = []
        for i, kd in enumerate(group_kind):
            if kd not in (_PRR, _SGP):
                continue
            mem = hist.rows_by_code[spans[i][0] : spans[i][1]]
            # The group's rows are its codes' rows in code order, so which rows it scores follows from
            # which of its codes are targets, without reading a code per row.
            target_codes = is_target_code[firsts[i] : lasts[i] + 1]
            picks = None
            if not target_codes.all():
                sizes_of_codes = np.diff(hist.offsets[firsts[i] : lasts[i] + 2])
                picks = np.flatnonzero(np.repeat(target_codes, sizes_of_codes))
            fit_rows = None
            spec, knots_from = None, ""
            if kd == _SGP:
                if hashes is None:
                    hashes = norms.stable_hash(rows.pupil_labels)
                fit_rows = norms.fit_sample(hashes[rows.pupil[mem]], settings.sgp_max_fit_n)
                spec, knots_from = sgp_spec(int(mem[0]), k)
            jobs.append(
                _FitJob(
                    members=mem,
                    picks=picks,
                    priors=functools.partial(priors_of, mem, k),
                    current=functools.partial(_take, x, mem),
                    delta=float(delta_of_group[groups.code[mem[0]]]),
                    name="prr" if kd == _PRR else "sgp",
                    fit_rows=fit_rows,
                    block=reserve(mem.size),
                    distinct=(
                        functools.partial(value_keys.distinct, spans[i][0], spans[i][1], k)
                        if kd == _PRR and value_keys is not None
                        else None
                    ),
                    order=k,
                    spec=spec,
                    knots_from=knots_from,
                )
            )
        # Norm groups are independent and numpy releases the GIL in the sorts and algebra that dominate,
        # so they fit on threads; results are taken in group order, the same for any number of workers.
        fit = functools.partial(_fit, spline_min_n=settings.prr_spline_min_n, put=put, put_order=put_order)
        for job, params in zip(jobs, _map(fit, jobs, workers), strict=True):
            models.append(describe(int(job.members[0]), k, job.name, int(job.members.size), params))
            clock.lap(job.name)

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
    for _ in _map(read_out, _spans(m, _CRITERIA_CHUNK_ROWS), workers):
        pass
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
