"""Disclosure control for published figures: small counts hidden so no reader can pick out a pupil.

A document published from live data (the SEN information report, a governors' report) counts pupils: by
need, by year group, by both. In a school a count of 1 to 4 can be a named child ("the one pupil in Year 2
with a hearing impairment"), so such counts are hidden ("primary suppression"). Hiding one count is not
enough when a total is shown beside it: the total minus the counts shown gives the hidden one back. So
others are hidden too ("secondary" or "complementary suppression") until no hidden count can be worked out
by adding and subtracting what is shown. Zero identifies nobody and is shown.

Pure Python, no Django. The threshold is a setting (`TANDEM_DISCLOSURE_THRESHOLD`, default 5); callers
pass it in. docs/disclosure.md explains the rule to the people who publish.

What this guards against is arithmetic on the table itself: every row and column total, and any sum or
difference of them. It does not guard against what a reader knows from elsewhere (a child everyone knows
joined in March), nor against ranges: a hidden count is between 1 and threshold - 1 when it is hidden for
itself, and a reader who knows that, and the rule, can sometimes narrow a pair of hidden cells.
"""

from __future__ import annotations

from collections.abc import Sequence

#: How a hidden count is held in a result: the cell reads "fewer than 5" (see `shown`).
SUPPRESSED = None


def _check_threshold(threshold: int) -> None:
    if threshold < 1:
        raise ValueError(f"The threshold must be 1 or more, not {threshold}.")


def _check_counts(counts: Sequence[int]) -> None:
    for count in counts:
        if count < 0:
            raise ValueError(f"A count cannot be negative ({count}).")


def _small(count: int, threshold: int) -> bool:
    return 1 <= count < threshold


def _cheapest(candidates: Sequence[tuple[int, int]]) -> int:
    """The index to hide as a complement: the smallest count that is not zero (a zero only when nothing
    else is left: hiding it loses no figure), the first such on a tie, so the result is always the same."""
    return min(candidates, key=lambda item: (item[1] == 0, item[1], item[0]))[0]


def suppress_counts(counts: Sequence[int], *, threshold: int, total: int | None = None) -> list[int | None]:
    """A one-way table (counts by category, e.g. pupils by need) ready to publish: every count from 1 to
    threshold-1 is suppressed (None), and when exactly one count would be suppressed and the total is shown,
    the next smallest count is suppressed too, so the suppressed one cannot be worked out from the total.
    Zero is not suppressed (it identifies nobody).

    `total` is the total shown beside the counts (None: no total is shown); it may be more than their sum
    when the table leaves categories out, never less. The complement is the smallest other count that is not
    zero; only when every other count is zero is a zero hidden instead (it still reads "fewer than" the
    threshold truly, and the small count can no longer be read off the total). With a single category there
    is nothing to hide beside it: the total is that count, so show the total by the same rule.
    """
    _check_threshold(threshold)
    _check_counts(counts)
    if total is not None and total < sum(counts):
        raise ValueError(f"The total shown ({total}) is less than the counts it totals ({sum(counts)}).")
    hidden = {index for index, count in enumerate(counts) if _small(count, threshold)}
    if total is not None and len(hidden) == 1:
        others = [(index, count) for index, count in enumerate(counts) if index not in hidden]
        if others:
            hidden.add(_cheapest(others))
    return [SUPPRESSED if index in hidden else count for index, count in enumerate(counts)]


# Two-way tables -------------------------------------------------------------------------------------------
#
# Think of the hidden cells as a graph: a node for each row and each column, an edge for each hidden cell
# joining its row to its column. Each shown total is an equation over the hidden cells at one node. A hidden
# cell can be worked out from the totals (by any sums and differences of them) exactly when its edge is a
# bridge: an edge on no cycle. (The graph is bipartite, so every cycle is even and its cells can be raised
# and lowered in turn, +1 -1 +1 -1, without changing a single total: that is why a cell on a cycle is safe,
# and a bridge is the only kind of edge with no such cycle.) A row or column with exactly one hidden cell
# makes that cell a bridge, but so does a cell joining two blocks of hidden cells that are safe on their
# own: rows 1-2 and columns 1-2 hidden, rows 3-4 and columns 3-4 hidden, and the cell in row 2, column 3 is
# the sum of rows 1 and 2 less columns 1 and 2. So hiding goes on until no hidden cell is a bridge.


def _bridges(cells: set[tuple[int, int]], rows: int) -> list[tuple[int, int]]:
    """The hidden cells that are bridges of the row-column graph (Tarjan's method, without recursion)."""
    nodes = rows + 1 + max((column for _, column in cells), default=0)
    edges = sorted(cells)
    adjacent: list[list[tuple[int, int]]] = [[] for _ in range(nodes)]
    for number, (row, column) in enumerate(edges):
        adjacent[row].append((rows + column, number))
        adjacent[rows + column].append((row, number))
    order = [-1] * nodes
    low = [0] * nodes
    found: list[tuple[int, int]] = []
    counter = 0
    for root in range(nodes):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        # Each frame: the node, the edge it was reached by, and how far through its neighbours we are.
        stack: list[tuple[int, int, int]] = [(root, -1, 0)]
        while stack:
            node, via, position = stack[-1]
            if position < len(adjacent[node]):
                stack[-1] = (node, via, position + 1)
                neighbour, edge = adjacent[node][position]
                if edge == via:
                    continue
                if order[neighbour] == -1:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, 0))
                else:
                    low[node] = min(low[node], order[neighbour])
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.append(edges[via])
    return sorted(found)


def _side(cells: set[tuple[int, int]], start: tuple[str, int], cut: tuple[int, int]) -> set[tuple[str, int]]:
    """The rows and columns joined to `start` through hidden cells, leaving out the cell `cut`."""
    joined: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for row, column in cells:
        if (row, column) != cut:
            joined.setdefault(("row", row), []).append(("column", column))
            joined.setdefault(("column", column), []).append(("row", row))
    reached = {start}
    waiting = [start]
    while waiting:
        for step in joined.get(waiting.pop(), []):
            if step not in reached:
                reached.add(step)
                waiting.append(step)
    return reached


def _protect(table: Sequence[Sequence[int]], hidden: set[tuple[int, int]], bridge: tuple[int, int]) -> None:
    """Hide one more cell so that `bridge` comes closer to lying on a cycle.

    Best is a cell joining the two sides the bridge holds apart, which puts it on a cycle at once. When
    there is none (one end of the bridge has no other hidden cell), hide another cell in the bridge's row
    (or column) instead, preferring one in a column (row) that already has hidden cells, so the next step
    can close a cycle."""
    row, column = bridge
    near = _side(hidden, ("row", row), bridge)
    far = _side(hidden, ("column", column), bridge)
    joining = [
        ((r, c), table[r][c])
        for r in range(len(table))
        for c in range(len(table[r]))
        if (r, c) not in hidden
        and ((("row", r) in near and ("column", c) in far) or (("row", r) in far and ("column", c) in near))
    ]
    if joining:
        hidden.add(min(joining, key=lambda item: (item[1] == 0, item[1], item[0]))[0])
        return
    busy_rows = {r for r, _ in hidden}
    busy_columns = {c for _, c in hidden}
    if not any(kind == "column" for kind, _ in near):
        # The bridge is the only hidden cell in its row: hide another in that row.
        line = [((row, c), table[row][c], c in busy_columns) for c in range(len(table[row]))]
    else:
        # Otherwise it is the only hidden cell in its column.
        line = [((r, column), table[r][column], r in busy_rows) for r in range(len(table))]
    candidates = [item for item in line if item[0] not in hidden]
    chosen = min(candidates, key=lambda item: (item[1] == 0, not item[2], item[1], item[0]))
    hidden.add(chosen[0])


def suppress_table(rows: Sequence[Sequence[int]], *, threshold: int) -> list[list[int | None]]:
    """A two-way table with row and column totals shown: primary suppression of 1..threshold-1, then
    secondary suppression until no row and no column has exactly one suppressed cell (so no suppressed cell
    can be recovered from its row or column total).

    Stronger than that: hiding goes on until no suppressed cell can be worked out from any sum or difference
    of the totals either (see the note above `_bridges`). Complements are the smallest cells that are not
    zero, a zero only when a row or column has nothing else left; the result is always the same for the same
    table. A table with a single row or column repeats each cell as a total, so no cell of it can be hidden:
    if one needs hiding this raises ValueError (publish it with `suppress_counts`).
    """
    _check_threshold(threshold)
    width = len(rows[0]) if rows else 0
    if any(len(row) != width for row in rows):
        raise ValueError("Every row of the table must have the same number of cells.")
    for row in rows:
        _check_counts(row)
    hidden = {(r, c) for r, row in enumerate(rows) for c, count in enumerate(row) if _small(count, threshold)}
    if hidden and (len(rows) < 2 or width < 2):
        raise ValueError(
            "A table with one row or one column shows every cell again as a total, so a small count in it "
            "cannot be hidden: publish it as a one-way table (suppress_counts)."
        )
    while bridges := _bridges(hidden, len(rows)):
        _protect(rows, hidden, bridges[0])
    return [
        [SUPPRESSED if (r, c) in hidden else count for c, count in enumerate(row)]
        for r, row in enumerate(rows)
    ]


HIDDEN = "hidden"
HIDDEN_MEANS = (
    '"hidden" stands for fewer than {threshold} pupils, or for a number hidden so that a smaller one '
    "cannot be worked out from the totals."
)


def shown(value: int | None, *, threshold: int) -> str:
    """How a published cell reads: the number, or "hidden" for a suppressed one.

    Not "fewer than {threshold}": a count hidden only to protect a small one may be large, and a published
    figure must never say something false. A document with hidden cells says what "hidden" means once
    (HIDDEN_MEANS). A count from 1 to threshold-1 passed in unsuppressed is hidden too, so a cell that
    missed `suppress_counts` still does not print a small number. Numbers are written with thousands
    separators ("1,204")."""
    _check_threshold(threshold)
    if value is None or _small(value, threshold):
        return HIDDEN
    return f"{value:,}"
