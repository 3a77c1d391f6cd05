"""How the engine's stages share out their work: chunk sizes and row ranges, a thread map, the default
number of workers, a stage clock, and the switch that keeps numpy from advising huge pages during a run.

`CHUNK_ROWS` and `CRITERIA_CHUNK_ROWS` are read as `parallel.CHUNK_ROWS` by every stage (not imported by
name), so a test that sets them here changes the chunking of the whole engine."""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

#: Rows per chunk of elementwise work: about 2 MB per float64 column, so a chunk's temporaries stay in cache.
CHUNK_ROWS = 1 << 18
#: The criteria hold some thirty float64 temporaries per chunk at once, so they run on smaller chunks: with
#: 2 MB temporaries each chunk also mapped fresh pages for them (freed arrays that large go back to the
#: system): at 18M rows on 2 threads the stage took 1.6 s instead of 1.1 s, and the run's kernel time fell
#: from about 2.3 s to 1.4 s with the smaller chunks. Since (b) and (d) weigh whole histories (issue 12) a
#: chunk makes a few hundred small numpy calls, so twice that size does better: 1.0 s instead of 1.2-1.3 s
#: for the stage at 18M rows on 2 threads (2^18: 1.0-1.06 s; 2^15: 1.5-1.9 s).
CRITERIA_CHUNK_ROWS = 1 << 17


def _spans(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, n, size)] or [(0, 0)]


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
