"""Stage 1, the input: label columns encoded to sorted codes, the rows put in canonical (pupil, subject,
window) order with one row per cell (`_prepare`, giving `_Rows`), and the dense group codes and stable group
orders the later stages build their cohorts with."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tandem.progress.engine import parallel
from tandem.progress.engine.columns import BoolArray, Coded, FloatArray, IntArray
from tandem.progress.engine.parallel import _map, _spans


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
    spans = _spans(values.size, parallel.CHUNK_ROWS)
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


#: One input row's values that the canonical table reads (`_canonical_table`), padded to 16 bytes.
_INPUT_RECORD = np.dtype(
    [("points", np.float64), ("school", np.int32), ("year_group", np.int16), ("pad", np.int16)]
)


def _counting_sort_fits(n_cells: int, n: int) -> bool:
    """Whether to order n rows by counting (a scatter into a grid of n_cells cells) rather than sorting."""
    return n_cells <= max(4 * n, 1 << 24)


def _prepare(columns: Any, workers: int = 1) -> _Rows:
    """The input in canonical (pupil, subject, window) order: the label columns encoded, the usable rows put
    in cell order (one per cell), and the table built from them."""
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
    cells_of = _CellCoder(
        pupil=pupil,
        subject=subject,
        window=window,
        points=points,
        cell_type=cell_type,
        encoders=tuple(e for e in (pupil, subject, window, school) if e is not None and e.may_miss),
    )
    spans = _spans(n, parallel.CHUNK_ROWS)
    ordered = (
        _cells_by_counting(cells_of, n_cells, spans, workers) if _counting_sort_fits(n_cells, n) else None
    )
    if ordered is None:
        cell = np.concatenate([cells_of(a, b) for a, b in spans]).astype(np.int64)
        keep = np.flatnonzero(cell >= 0)
        date_key = None
        if found["date"] is not None:
            date_key = np.asarray(found["date"]).astype("datetime64[D]", copy=False).view(np.int64)[keep]
        src, cells = _canonical_rows(cell[keep], n_cells=n_cells, date_key=date_key, points=points[keep])
        src = keep[src]
        del cell, keep
    else:
        src, cells = ordered
    return _canonical_table(
        src,
        cells,
        points=points,
        year_group=year_group,
        encoders=(pupil, subject, window, school),
        workers=workers,
    )


@dataclass(frozen=True)
class _CellCoder:
    """Cell codes (pupil, subject, window) of input rows a..b, -1 for an unusable row (no score, or a missing
    label)."""

    pupil: _Encoder
    subject: _Encoder
    window: _Encoder
    points: FloatArray
    cell_type: type[np.signedinteger[Any]]
    encoders: tuple[_Encoder, ...]  # those that may code a value as missing

    def __call__(self, a: int, b: int) -> NDArray[np.signedinteger[Any]]:
        n_s, n_w = len(self.subject.labels), len(self.window.labels)
        cell: NDArray[np.signedinteger[Any]] = self.pupil.codes(slice(a, b)).astype(self.cell_type)
        cell *= n_s * n_w
        cell += self.subject.codes(slice(a, b)) * n_w
        cell += self.window.codes(slice(a, b))
        valid = np.isfinite(self.points[a:b])
        for e in self.encoders:
            valid &= e.codes(slice(a, b)) >= 0
        cell[~valid] = -1
        return cell


def _cells_by_counting(
    cells_of: _CellCoder, n_cells: int, spans: list[tuple[int, int]], workers: int
) -> tuple[NDArray[np.signedinteger[Any]], NDArray[np.signedinteger[Any]]] | None:
    """(input row of each filled cell, the cells) in cell order by counting, or None when two usable rows
    share a cell (then `_canonical_rows` decides)."""
    n = spans[-1][1]
    # Usual case, one result per cell: scatter row numbers into the cell grid, chunk by chunk, and read
    # them back in cell order. Two rows of one cell would race for the slot; they are detected because
    # fewer slots fill than there are usable rows, and then the general path decides.
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
    parts = _spans(n_cells, parallel.CHUNK_ROWS)
    filled = list(_map(lambda part: int(np.count_nonzero(slot[part[0] : part[1]] >= 0)), parts, workers))
    if sum(filled) != usable_rows:
        return None
    starts = np.concatenate([[0], np.cumsum(filled)]).tolist()
    cells = np.empty(usable_rows, dtype=cells_of.cell_type)  # int32 where it fits: half the pages to fault
    rows_of_cells = np.empty(usable_rows, dtype=slot.dtype)

    def read_back(i: int) -> None:
        a, b = parts[i]
        local = np.flatnonzero(slot[a:b] >= 0)
        cells[starts[i] : starts[i + 1]] = local + a
        rows_of_cells[starts[i] : starts[i + 1]] = slot[a:b][local]

    for _ in _map(read_back, range(len(parts)), workers):
        pass
    return rows_of_cells, cells


def _packed_input(
    points: FloatArray, year_group: NDArray[Any], school: _Encoder | None, workers: int
) -> NDArray[np.void]:
    """The input rows' values the canonical table reads, one `_INPUT_RECORD` per row, in input order.

    The input rows arrive in any order, so the canonical table reads them at random: one 16-byte record per
    input row (packed in input order, on the threads) costs one cache miss per row instead of three.
    """
    n = points.size
    packed = np.empty(n, dtype=_INPUT_RECORD)

    def pack(span: tuple[int, int]) -> None:
        a, b = span
        record = packed[a:b]
        record["points"] = points[a:b]
        record["year_group"] = year_group[a:b]
        if school is not None:
            record["school"] = school.codes(slice(a, b))

    for _ in _map(pack, _spans(n, parallel.CHUNK_ROWS), workers):
        pass
    return packed


def _canonical_table(
    src: NDArray[np.signedinteger[Any]],
    cells: NDArray[np.signedinteger[Any]],
    *,
    points: FloatArray,
    year_group: NDArray[Any],
    encoders: tuple[_Encoder, _Encoder, _Encoder, _Encoder | None],
    workers: int,
) -> _Rows:
    """`_Rows` from the input row of each cell (`src`) and the cells, in cell order."""
    pupil, subject, window, school = encoders
    n_s, n_w = len(subject.labels), len(window.labels)
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
    packed = _packed_input(points, year_group, school, workers)

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

    # Chunks start at a pupil-subject run (the first row of the run holding every CHUNK_ROWS-th row).
    chunk_rows = parallel.CHUNK_ROWS
    probes = cells[chunk_rows::chunk_rows] // n_w * n_w
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
