"""The census check's rules, on plain rows: each rule on its own, and a clean pupil gives nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.lib.census_check import (
    RULES,
    Basis,
    Census,
    Code,
    Need,
    PupilSen,
    Term,
    census_days,
    check,
    check_pupil,
    next_census,
    nsa_held,
)


def _codes(row: PupilSen) -> list[Code]:
    return [problem.code for problem in check_pupil(row)]


def _row(
    provision: str = "K", needs: tuple[tuple[str, int], ...] = (("SLCN", 1),), **fields: object
) -> PupilSen:
    return PupilSen(
        pupil_id=fields.pop("pupil_id", 1),
        provision=provision,
        needs=tuple(Need(code, rank) for code, rank in needs),
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "row",
    [
        _row("N", ()),
        _row("K", (("SLCN", 1),)),
        _row("K", (("SLCN", 1), ("SEMH", 2), ("MLD", 3))),
        _row("K", (("NSA", 1),), nsa_since=dt.date(2026, 1, 5)),
        _row("E", (("ASD", 1), ("SEMH", 2)), open_ehc_plan=True, mis_provision="E"),
        _row("K", (("SLCN", 1),), mis_provision="K"),
    ],
)
def test_it_finds_nothing_wrong_with_a_clean_pupil(row):
    assert check_pupil(row) == []


def test_it_finds_sen_support_or_an_ehc_plan_without_a_primary_need():
    assert _codes(_row("K", ())) == [Code.NO_PRIMARY_NEED]
    assert _codes(_row("E", (), open_ehc_plan=True)) == [Code.NO_PRIMARY_NEED]
    [problem] = check_pupil(_row("K", (("SEMH", 2),)))
    assert problem.code is Code.NO_PRIMARY_NEED
    assert problem.message == "Has SEN support (K) but no primary need (needs ranked 2)."
    assert "rank 1" in problem.what_to_do


def test_it_finds_an_ehc_plan_status_with_no_plan_recorded():
    assert _codes(_row("E", (("ASD", 1),))) == [Code.E_WITHOUT_EHC_RECORD]
    assert _codes(_row("E", (("ASD", 1),), open_ehc_plan=True)) == []


def test_it_finds_a_plan_recorded_for_a_pupil_whose_status_is_not_e():
    assert _codes(_row("K", (("ASD", 1),), open_ehc_plan=True)) == [Code.EHC_RECORD_NOT_E]
    assert _codes(_row("N", (), open_ehc_plan=True)) == [Code.EHC_RECORD_NOT_E]


def test_it_finds_a_gap_in_the_ranks():
    [problem] = check_pupil(_row("K", (("SLCN", 1), ("MLD", 3))))
    assert problem.code is Code.RANK_GAP
    assert problem.message == "Needs are ranked 1 and 3, with no need ranked 2."
    # No rank 1 at all is the primary need problem; a missing 2 below a 4 is a gap as well.
    assert _codes(_row("K", (("SLCN", 2), ("MLD", 3)))) == [Code.NO_PRIMARY_NEED]
    assert _codes(_row("K", (("SLCN", 1), ("MLD", 4)))) == [Code.RANK_GAP]


def test_it_finds_two_needs_with_the_same_rank():
    [problem] = check_pupil(_row("E", (("SEMH", 1), ("ASD", 1)), open_ehc_plan=True))
    assert problem.code is Code.RANK_SHARED
    assert problem.message == "2 needs are ranked 1: ASD, SEMH."


def test_it_finds_nsa_used_for_a_pupil_with_an_ehc_plan_and_only_then():
    assert _codes(_row("E", (("NSA", 1),), open_ehc_plan=True)) == [Code.NSA_WITH_EHC_PLAN]
    assert _codes(_row("K", (("NSA", 1),), open_ehc_plan=True)) == [
        Code.EHC_RECORD_NOT_E,
        Code.NSA_WITH_EHC_PLAN,
    ]
    # NSA with SEN support is what the code is for, however long it has been held: the reference gives
    # no limit, so a long time is reported (nsa_held), never a problem.
    assert _codes(_row("K", (("NSA", 1),), nsa_since=dt.date(2015, 9, 1))) == []


def test_it_finds_needs_left_open_for_a_pupil_with_no_sen_said_once():
    [problem] = check_pupil(_row("N", (("NSA", 1), ("MLD", 3))))
    assert problem.code is Code.NEEDS_ON_NO_SEN
    assert problem.message == "The status is no SEN (N), but needs are still open: NSA, MLD."


def test_it_finds_a_status_different_from_the_last_mis_import():
    [problem] = check_pupil(_row("K", mis_provision="N"))
    assert problem.code is Code.DIFFERS_FROM_MIS
    assert problem.message == (
        "Tandem says SEN support (K); the last SEN import from the MIS said no SEN (N)."
    )
    assert _codes(_row("K", mis_provision=None)) == []  # no import yet: nothing to compare with


def test_it_finds_a_status_from_before_2015():
    assert _codes(_row("S", ())) == [Code.LEGACY_STATUS]
    assert _codes(_row("P", (("SLCN", 1),))) == [Code.LEGACY_STATUS]


def test_it_lists_problems_by_rule_then_in_the_pupils_order():
    rows = [
        _row("K", (), pupil_id="b"),
        _row("K", (("SLCN", 1),), pupil_id="a", mis_provision="N"),
        _row("K", (), pupil_id="c"),
    ]
    found = [(p.code, p.pupil_id) for p in check(rows)]
    assert found == [
        (Code.NO_PRIMARY_NEED, "b"),
        (Code.NO_PRIMARY_NEED, "c"),
        (Code.DIFFERS_FROM_MIS, "a"),
    ]


def test_it_gives_every_rule_a_stable_code_a_source_and_what_to_do():
    assert [rule.code for rule in RULES] == list(Code)
    for rule in RULES:
        assert rule.title and rule.what_to_do
        assert rule.source.startswith(("code-of-practice.md", "data-formats.md"))
    spring = {rule.code for rule in RULES if rule.census is Census.SPRING}
    assert Code.DIFFERS_FROM_MIS not in spring and Code.RANK_GAP in spring
    # The reference marks "needs only with K or E; NSA only with K; ranks start at 1 with no gaps" as
    # unverified (code-of-practice.md 3.3 item 6): those rules say so.
    unconfirmed = {rule.code for rule in RULES if rule.basis is Basis.UNCONFIRMED}
    assert unconfirmed == {Code.RANK_GAP, Code.NSA_WITH_EHC_PLAN, Code.NEEDS_ON_NO_SEN}


def test_it_reports_how_long_pupils_have_held_nsa_longest_first():
    today = dt.date(2026, 12, 7)
    rows = [
        _row("K", (("NSA", 1),), pupil_id="recent", nsa_since=dt.date(2026, 11, 7)),
        _row("K", (("NSA", 1),), pupil_id="long", nsa_since=dt.date(2025, 12, 7)),
        _row("K", (("SLCN", 1),), pupil_id="other"),
    ]
    held = nsa_held(rows, today=today)
    assert [(h.pupil_id, h.days) for h in held] == [("long", 365), ("recent", 30)]


def test_it_knows_the_census_days():
    # Spring: 3rd Thursday of January; summer: 3rd Thursday of May; autumn: 1st Thursday of October.
    assert [(d.term, d.on) for d in census_days(2026)] == [
        (Term.SPRING, dt.date(2026, 1, 15)),
        (Term.SUMMER, dt.date(2026, 5, 21)),
        (Term.AUTUMN, dt.date(2026, 10, 1)),
    ]
    assert census_days(2027)[0].on == dt.date(2027, 1, 21)
    after_autumn = next_census(dt.date(2026, 12, 7))
    assert (after_autumn.term, after_autumn.on, after_autumn.collects_needs) == (
        Term.SPRING,
        dt.date(2027, 1, 21),
        True,
    )
    on_the_day = next_census(dt.date(2026, 5, 21))
    assert (on_the_day.term, on_the_day.collects_needs) == (Term.SUMMER, False)
