"""Disclosure control: small counts hidden, and no hidden count recoverable from the totals shown.

Two attackers check every result. One tries every row and column equation in turn, solving any with a single
hidden cell and going round again with what it learnt (what a reader does with a pencil). The other solves
all the equations together, exactly, in fractions (any sum or difference of rows and columns), which also
finds cells the first misses."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.lib.disclosure import SUPPRESSED, shown, suppress_counts, suppress_table

Table = list[list[int]]
Published = list[list[int | None]]


def _equations(table: Table, published: Published) -> list[tuple[list[tuple[int, int]], int]]:
    """Each row and column total as (its hidden cells, the total less the cells shown)."""
    equations = []
    lines = [[(r, c) for c in range(len(table[0]))] for r in range(len(table))]
    lines += [[(r, c) for r in range(len(table))] for c in range(len(table[0]))]
    for line in lines:
        total = sum(table[r][c] for r, c in line)  # the total is published from the real counts
        unknown = [(r, c) for r, c in line if published[r][c] is SUPPRESSED]
        equations.append((unknown, total - sum(published[r][c] or 0 for r, c in line)))
    return equations


def recovered_by_pencil(table: Table, published: Published) -> dict[tuple[int, int], int]:
    """Every row and column equation tried, again and again: one with a single hidden cell gives it away."""
    known: dict[tuple[int, int], int] = {}
    equations = _equations(table, published)
    progress = True
    while progress:
        progress = False
        for unknown, rest in equations:
            left = [cell for cell in unknown if cell not in known]
            if len(left) == 1:
                known[left[0]] = rest - sum(known[cell] for cell in unknown if cell in known)
                progress = True
    return known


def recovered_by_algebra(table: Table, published: Published) -> dict[tuple[int, int], Fraction]:
    """The hidden cells fixed by the row and column equations taken all together (exact row reduction)."""
    cells = sorted({cell for unknown, _ in _equations(table, published) for cell in unknown})
    column = {cell: number for number, cell in enumerate(cells)}
    matrix = []
    for unknown, rest in _equations(table, published):
        if unknown:
            line = [Fraction(0)] * (len(cells) + 1)
            for cell in unknown:
                line[column[cell]] = Fraction(1)
            line[-1] = Fraction(rest)
            matrix.append(line)
    pivots: list[int] = []
    row = 0
    for col in range(len(cells)):
        pivot = next((r for r in range(row, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[row], matrix[pivot] = matrix[pivot], matrix[row]
        matrix[row] = [value / matrix[row][col] for value in matrix[row]]
        for other in range(len(matrix)):
            if other != row and matrix[other][col] != 0:
                factor = matrix[other][col]
                matrix[other] = [a - factor * b for a, b in zip(matrix[other], matrix[row], strict=True)]
        pivots.append(col)
        row += 1
    known = {}
    for number, col in enumerate(pivots):
        # Determined when its reduced equation names no other unknown.
        if all(matrix[number][other] == 0 for other in range(len(cells)) if other != col):
            known[cells[col]] = matrix[number][-1]
    return known


def _primary_only(table: Table, threshold: int) -> Published:
    return [[SUPPRESSED if 1 <= count < threshold else count for count in row] for row in table]


def _hidden(published: Published) -> set[tuple[int, int]]:
    return {(r, c) for r, row in enumerate(published) for c, value in enumerate(row) if value is SUPPRESSED}


# One-way tables -----------------------------------------------------------------------------------------


def test_it_hides_a_need_held_by_one_to_four_pupils():
    needs = {"SpLD": 14, "MLD": 3, "SLCN": 22, "ASD": 9, "HI": 1, "VI": 0}
    published = dict(zip(needs, suppress_counts(list(needs.values()), threshold=5), strict=True))
    assert published == {"SpLD": 14, "MLD": None, "SLCN": 22, "ASD": 9, "HI": None, "VI": 0}
    assert [shown(value, threshold=5) for value in published.values()] == [
        "14",
        "hidden",
        "22",
        "9",
        "hidden",
        "0",
    ]


def test_it_hides_the_next_smallest_count_when_one_hidden_count_could_be_read_off_the_total():
    counts = [3, 12, 20, 40]
    assert suppress_counts(counts, threshold=5) == [None, 12, 20, 40]  # no total shown: nothing to subtract
    assert suppress_counts(counts, threshold=5, total=75) == [None, None, 20, 40]
    # In any order, and the first of two equal counts on a tie, so the same table always publishes the same.
    assert suppress_counts([40, 12, 3, 12], threshold=5, total=67) == [40, None, None, 12]
    # Two hidden already: their sum is all the total gives away, so nothing more is hidden.
    assert suppress_counts([3, 2, 20, 40], threshold=5, total=65) == [None, None, 20, 40]
    # A total covering categories not listed can still give the hidden one away.
    assert suppress_counts([3, 12], threshold=5, total=30) == [None, None]


def test_it_keeps_zeros_and_hides_one_only_when_nothing_else_can_protect_a_small_count():
    assert suppress_counts([0, 3, 0, 12, 20], threshold=5, total=35) == [0, None, 0, None, 20]
    assert suppress_counts([0, 0, 0], threshold=5, total=0) == [0, 0, 0]
    # Every other count is zero: the small count would be the total itself, so a zero is hidden beside it.
    assert suppress_counts([0, 3, 0], threshold=5, total=3) == [None, None, 0]
    assert suppress_counts([0, 3, 0], threshold=5) == [0, None, 0]


def test_it_works_with_other_thresholds():
    assert suppress_counts([7, 9, 10, 11], threshold=10) == [None, None, 10, 11]
    assert suppress_counts([7, 10, 11, 30], threshold=10, total=58) == [None, None, 11, 30]
    assert suppress_counts([1, 2, 3], threshold=3, total=6) == [None, None, 3]
    assert suppress_counts([1, 2, 3], threshold=1, total=6) == [1, 2, 3]  # 1 hides nothing
    assert shown(None, threshold=10) == "hidden"
    assert shown(9, threshold=10) == "hidden"


def test_it_handles_all_small_one_category_and_empty():
    assert suppress_counts([1, 2, 4], threshold=5, total=7) == [None, None, None]
    assert suppress_counts([3], threshold=5, total=3) == [
        None
    ]  # the total is the count: hidden by the caller
    assert suppress_counts([30], threshold=5, total=30) == [30]
    assert suppress_counts([], threshold=5, total=0) == []
    assert suppress_counts([], threshold=5) == []


def test_it_refuses_what_cannot_be_a_table():
    with pytest.raises(ValueError, match="negative"):
        suppress_counts([3, -1], threshold=5)
    with pytest.raises(ValueError, match="threshold"):
        suppress_counts([3], threshold=0)
    with pytest.raises(ValueError, match="less than the counts"):
        suppress_counts([3, 10], threshold=5, total=12)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=40), max_size=12),
    st.integers(min_value=1, max_value=12),
    st.booleans(),
)
def test_it_never_leaves_a_one_way_count_to_be_read_off_the_total(counts, threshold, with_total):
    total = sum(counts) if with_total else None
    published = suppress_counts(counts, threshold=threshold, total=total)
    assert len(published) == len(counts)
    for count, value in zip(counts, published, strict=True):
        assert value in (count, SUPPRESSED)
        if 1 <= count < threshold:
            assert value is SUPPRESSED
    hidden = [count for count, value in zip(counts, published, strict=True) if value is SUPPRESSED]
    if with_total and len(counts) > 1:
        assert len(hidden) != 1  # one unknown in "total = shown + hidden" would be solved
    if not any(1 <= count < threshold for count in counts):
        assert published == counts
    if 0 in hidden:
        # A zero is hidden only beside a small count that is the only one above zero.
        assert len([count for count in counts if count != 0]) == 1


# Two-way tables -----------------------------------------------------------------------------------------

NEEDS_BY_YEAR = [
    # Year 1 .. Year 6
    [12, 9, 14, 10, 8, 11],  # SpLD
    [3, 7, 6, 8, 9, 10],  # MLD
    [15, 12, 9, 7, 6, 5],  # SLCN
    [0, 2, 5, 6, 7, 6],  # SEMH
    [0, 0, 1, 0, 0, 0],  # HI
]


def test_it_hides_small_cells_and_enough_others_that_no_total_gives_them_away():
    published = suppress_table(NEEDS_BY_YEAR, threshold=5)
    assert published[1][0] is SUPPRESSED and published[3][1] is SUPPRESSED and published[4][2] is SUPPRESSED
    assert published[3][0] == 0  # zeros stay
    # But the one pupil with a hearing impairment is the only one in that row: a zero there hides them.
    assert [value for value in published[4] if value is SUPPRESSED] == [None, None]
    for r, row in enumerate(NEEDS_BY_YEAR):
        for c, count in enumerate(row):
            assert published[r][c] in (count, SUPPRESSED)
    hidden = _hidden(published)
    for r in range(len(published)):
        assert len([c for c in range(6) if (r, c) in hidden]) != 1
    for c in range(6):
        assert len([r for r in range(len(published)) if (r, c) in hidden]) != 1
    assert recovered_by_pencil(NEEDS_BY_YEAR, published) == {}
    assert recovered_by_algebra(NEEDS_BY_YEAR, published) == {}
    # Without the secondary cells, a reader gets them all back.
    primary = _primary_only(NEEDS_BY_YEAR, 5)
    assert recovered_by_pencil(NEEDS_BY_YEAR, primary) == {(1, 0): 3, (3, 1): 2, (4, 2): 1}


def test_it_hides_a_cell_that_only_a_sum_of_rows_less_columns_would_give_away():
    # Two blocks of small cells, each safe on its own, joined by one small cell in row 2, column 3: every row
    # and column has two or more hidden cells, yet rows 1 + 2 less columns 1 + 2 leave that cell alone.
    table = [
        [2, 2, 50, 50],
        [2, 2, 3, 50],
        [50, 50, 2, 2],
        [50, 50, 2, 2],
    ]
    primary = _primary_only(table, 5)
    assert recovered_by_pencil(table, primary) == {}  # a pencil misses it
    assert recovered_by_algebra(table, primary) == {(1, 2): 3}  # algebra does not
    published = suppress_table(table, threshold=5)
    assert len(_hidden(published)) == 10  # one more, joining the blocks
    assert recovered_by_algebra(table, published) == {}


def test_it_works_with_other_thresholds_in_two_way_tables():
    table = [[6, 20, 30], [40, 9, 60], [70, 80, 10]]
    assert _hidden(suppress_table(table, threshold=5)) == set()
    published = suppress_table(table, threshold=10)
    assert {(0, 0), (1, 1)} <= _hidden(published)
    assert published[2][2] == 10
    assert recovered_by_algebra(table, published) == {}
    assert suppress_table(table, threshold=1) == table


def test_it_handles_all_small_empty_and_one_line_tables():
    assert suppress_table([[1, 2], [3, 4]], threshold=5) == [[None, None], [None, None]]
    assert suppress_table([], threshold=5) == []
    assert suppress_table([[], []], threshold=5) == [[], []]
    assert suppress_table([[10, 20, 0]], threshold=5) == [[10, 20, 0]]
    with pytest.raises(ValueError, match="one-way table"):
        suppress_table([[10, 3, 20]], threshold=5)
    with pytest.raises(ValueError, match="one-way table"):
        suppress_table([[10], [3]], threshold=5)
    with pytest.raises(ValueError, match="same number of cells"):
        suppress_table([[10, 3], [20]], threshold=5)
    with pytest.raises(ValueError, match="negative"):
        suppress_table([[10, -3], [20, 5]], threshold=5)


def test_it_hides_a_zero_only_when_a_line_has_nothing_else():
    # Row 1 and column 1 hold only the 3: a zero beside it is all that can hide it from the totals.
    published = suppress_table([[3, 0], [0, 50]], threshold=5)
    assert recovered_by_algebra([[3, 0], [0, 50]], published) == {}
    published = suppress_table([[3, 0, 40], [20, 0, 50]], threshold=5)
    assert published[0][1] == 0 and published[1][1] == 0


@st.composite
def tables(draw: st.DrawFn) -> tuple[Table, int]:
    threshold = draw(st.integers(min_value=2, max_value=10))
    rows = draw(st.integers(min_value=2, max_value=7))
    columns = draw(st.integers(min_value=2, max_value=7))
    # Mostly small counts and zeros, so plenty of cells need hiding, with some large ones among them.
    cell = st.one_of(
        st.integers(min_value=0, max_value=threshold - 1),
        st.just(0),
        st.integers(min_value=threshold, max_value=60),
    )
    table = draw(st.lists(st.lists(cell, min_size=columns, max_size=columns), min_size=rows, max_size=rows))
    return table, threshold


@settings(max_examples=400, deadline=None)
@given(tables())
def test_it_never_lets_the_totals_give_back_a_hidden_cell(case):
    table, threshold = case
    published = suppress_table(table, threshold=threshold)
    for r, row in enumerate(table):
        for c, count in enumerate(row):
            assert published[r][c] in (count, SUPPRESSED)
            if 1 <= count < threshold:
                assert published[r][c] is SUPPRESSED
    hidden = _hidden(published)
    for r in range(len(table)):
        assert len([c for c in range(len(table[0])) if (r, c) in hidden]) != 1
    for c in range(len(table[0])):
        assert len([r for r in range(len(table)) if (r, c) in hidden]) != 1
    assert recovered_by_pencil(table, published) == {}
    assert recovered_by_algebra(table, published) == {}
    assert suppress_table(table, threshold=threshold) == published  # the same table publishes the same


def test_it_says_how_a_published_cell_reads():
    assert shown(None, threshold=5) == "hidden"
    assert shown(SUPPRESSED, threshold=3) == "hidden"
    assert shown(0, threshold=5) == "0"
    assert shown(5, threshold=5) == "5"
    assert shown(1204, threshold=5) == "1,204"
    # A small count that missed suppression still does not print.
    assert shown(3, threshold=5) == "hidden"
