"""The census check: what in a school's SEN items would fail the school census or look wrong. Pure Python.

The school census is sent from the MIS, not from Tandem (`data-formats.md` section 3: "Tandem does not submit
the census; it reads these values and checks them"). This module takes plain rows, one per pupil (ids, never
names), and says what to put right before census day. What each rule rests on, from the project's reference
(/work/shared/reference/):

- `code-of-practice.md` section 3.1 "SEN provision": N, K or E for every pupil in every termly census; S, A
  and P are history only; "Census days: 1st Thursday of October, 3rd Thursday of January and of May [D2].
  One open provision period at a time; K or E carries a primary need [D1]."
- `code-of-practice.md` section 3.2 "Type of need and broad area": NSA means "SEN support but no specialist
  assessment of type of need"; "NSA is criticised as a 'waiting room' code [D6]: report how many pupils sit
  in it, and for how long." No length of time is given, so Tandem reports how long (`nsa_held`) and never
  calls a length of time a problem.
- `code-of-practice.md` section 3.3 "Ranking needs": "Rank 1 = primary, rank 2 = secondary; no two needs
  share a rank [D3]"; type of need is collected "only in the spring census"; item 6, marked unverified
  ("warn, don't block"): "needs only with K or E; NSA only with K; ranks start at 1 with no gaps"; and the
  code-health checks: "K/E without a rank-1 need ... needs on N pupils; NSA count and age".
- `data-formats.md` section 3 "School census SEN fields": `SENprovision` (N/K/E) in every census;
  `SENneeds{SENneed*{SENtypeRank, SENtype}}` in the spring census only, ranks 1-2.

Everything here is a warning for a person to look at, as the reference asks; nothing is blocked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum

NO_SEN, SEN_SUPPORT, EHC_PLAN = "N", "K", "E"
CURRENT = (NO_SEN, SEN_SUPPORT, EHC_PLAN)
NSA = "NSA"

PROVISION_WORDS = {
    NO_SEN: "no SEN (N)",
    SEN_SUPPORT: "SEN support (K)",
    EHC_PLAN: "an EHC plan (E)",
    "S": "a statement (S, before 2014)",
    "A": "School Action (A, before 2015)",
    "P": "School Action Plus (P, before 2015)",
}


class Code(StrEnum):
    """Stable codes: pages, tests and the demo refer to problems by these."""

    LEGACY_STATUS = "legacy_status"
    NO_PRIMARY_NEED = "no_primary_need"
    E_WITHOUT_EHC_RECORD = "e_without_ehc_record"
    EHC_RECORD_NOT_E = "ehc_record_not_e"
    RANK_GAP = "rank_gap"
    RANK_SHARED = "rank_shared"
    NSA_WITH_EHC_PLAN = "nsa_with_ehc_plan"
    NEEDS_ON_NO_SEN = "needs_on_no_sen"
    DIFFERS_FROM_MIS = "differs_from_mis"


class Census(StrEnum):
    EVERY = "every"  # SEN provision: every termly census
    SPRING = "spring"  # type of need and its rank: the spring census only


class Basis(StrEnum):
    """How sure the rule is, from the reference's own tags."""

    CENSUS = "census"  # what the census collects, as the reference gives it from DfE or LA guidance
    UNCONFIRMED = "unconfirmed"  # section 3.3 item 6: "Unverified ... warn, don't block"
    RECORDS = "records"  # the census cannot see it: Tandem's records and the MIS disagree


@dataclass(frozen=True)
class Rule:
    code: Code
    title: str
    what_to_do: str
    census: Census
    basis: Basis
    source: str  # the reference file and section the rule rests on


RULES: tuple[Rule, ...] = (
    Rule(
        Code.LEGACY_STATUS,
        "A status the census no longer takes (S, A or P)",
        "The census takes N, K or E only. Record the pupil's current status in the MIS, then import the SEN "
        "file again.",
        Census.EVERY,
        Basis.CENSUS,
        "code-of-practice.md 3.1",
    ),
    Rule(
        Code.NO_PRIMARY_NEED,
        "SEN support or EHC plan with no primary need",
        "Record the primary need (rank 1) in the MIS, then import the SEN file again so Tandem agrees.",
        Census.SPRING,
        Basis.CENSUS,
        "code-of-practice.md 3.1 and 3.3",
    ),
    Rule(
        Code.E_WITHOUT_EHC_RECORD,
        "EHC plan status with no EHC plan recorded in Tandem",
        "Add the local authority's plan on the pupil's EHC page. If the pupil has no EHC plan, correct the "
        "status in the MIS and import the SEN file again.",
        Census.EVERY,
        Basis.RECORDS,
        "code-of-practice.md 3.1",
    ),
    Rule(
        Code.EHC_RECORD_NOT_E,
        "EHC plan recorded in Tandem, but the status is not E",
        "If the local authority maintains the plan, set the status to E in the MIS and import the SEN file "
        "again. If the plan has ceased, record that on the pupil's EHC page.",
        Census.EVERY,
        Basis.RECORDS,
        "code-of-practice.md 3.1",
    ),
    Rule(
        Code.RANK_GAP,
        "A gap in the ranks of needs",
        "Rank the needs 1, 2, 3 and so on with none missing, in the MIS, then import the SEN file again.",
        Census.SPRING,
        Basis.UNCONFIRMED,
        "code-of-practice.md 3.3 item 6",
    ),
    Rule(
        Code.RANK_SHARED,
        "Two needs with the same rank",
        "Give each need its own rank (1 = primary, 2 = secondary) in the MIS, then import the SEN file "
        "again.",
        Census.SPRING,
        Basis.CENSUS,
        "code-of-practice.md 3.3 item 1",
    ),
    Rule(
        Code.NSA_WITH_EHC_PLAN,
        "NSA recorded for a pupil with an EHC plan",
        "NSA means SEN support with no specialist assessment of the type of need; an EHC plan names the "
        "needs. Record the type of need the plan's section B gives, in the MIS, then import the SEN file "
        "again.",
        Census.SPRING,
        Basis.UNCONFIRMED,
        "code-of-practice.md 3.2 and 3.3 item 6",
    ),
    Rule(
        Code.NEEDS_ON_NO_SEN,
        "Needs still open for a pupil with no SEN",
        "End the needs in the MIS (or set the status the pupil should have), then import the SEN file again.",
        Census.SPRING,
        Basis.UNCONFIRMED,
        "code-of-practice.md 3.3 item 6 and code-health checks",
    ),
    Rule(
        Code.DIFFERS_FROM_MIS,
        "Status changed in Tandem since the last SEN import",
        "The census is sent from the MIS. If Tandem is right, change the status in the MIS before census "
        "day; if the MIS is right, import the SEN file again.",
        Census.EVERY,
        Basis.RECORDS,
        "data-formats.md 3 and code-of-practice.md 3.1",
    ),
)
RULE_BY_CODE: dict[Code, Rule] = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Need:
    code: str  # a census type-of-need code, e.g. "SLCN" or "NSA"
    rank: int  # 1 = primary, 2 = secondary


@dataclass(frozen=True)
class PupilSen:
    """What Tandem holds about one pupil's SEN items today."""

    pupil_id: Hashable
    provision: str  # the open status period's code; "N" when none is recorded
    needs: tuple[Need, ...] = ()  # the open needs
    open_ehc_plan: bool = False  # a maintained, not withdrawn, EHC plan record in Tandem
    mis_provision: str | None = None  # what the last import naming the pupil said; None when none did
    nsa_since: dt.date | None = None  # when the open NSA need was recorded


@dataclass(frozen=True)
class Problem:
    code: Code
    pupil_id: Hashable
    message: str  # what is wrong for this pupil, in plain English

    @property
    def rule(self) -> Rule:
        return RULE_BY_CODE[self.code]

    @property
    def what_to_do(self) -> str:
        return self.rule.what_to_do


def _words(provision: str) -> str:
    return PROVISION_WORDS.get(provision, f"status {provision!r}")


def _ranks(ranks: Iterable[int]) -> str:
    items = [str(r) for r in sorted(ranks)]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check_pupil(row: PupilSen) -> list[Problem]:
    """Every problem with one pupil's SEN items, in the order of `RULES`."""
    found: list[Problem] = []

    def add(code: Code, message: str) -> None:
        found.append(Problem(code, row.pupil_id, message))

    provision = row.provision
    on_register = provision in (SEN_SUPPORT, EHC_PLAN)
    ranks = [need.rank for need in row.needs]
    if provision not in CURRENT:
        add(
            Code.LEGACY_STATUS,
            f"The current status is {_words(provision)}, which the census no longer takes.",
        )
    if on_register and 1 not in ranks:
        held = f" (needs ranked {_ranks(ranks)})" if ranks else ""
        add(Code.NO_PRIMARY_NEED, f"Has {_words(provision)} but no primary need{held}.")
    if provision == EHC_PLAN and not row.open_ehc_plan:
        add(
            Code.E_WITHOUT_EHC_RECORD,
            "The status is E, but Tandem holds no maintained EHC plan for the pupil.",
        )
    if row.open_ehc_plan and provision in (NO_SEN, SEN_SUPPORT):
        add(
            Code.EHC_RECORD_NOT_E,
            f"Tandem holds a maintained EHC plan, but the status is {_words(provision)}.",
        )
    # Rank rules only for pupils on the register: needs on anyone else are one problem, said once.
    if on_register and ranks:
        missing = [r for r in range(2, max(ranks)) if r not in ranks]
        if missing:
            add(
                Code.RANK_GAP,
                f"Needs are ranked {_ranks(set(ranks))}, with no need ranked {_ranks(missing)}.",
            )
        shared = sorted(rank for rank, n in Counter(ranks).items() if n > 1)
        for rank in shared:
            codes = sorted(need.code for need in row.needs if need.rank == rank)
            add(Code.RANK_SHARED, f"{len(codes)} needs are ranked {rank}: {', '.join(codes)}.")
    if (provision == EHC_PLAN or (on_register and row.open_ehc_plan)) and any(
        need.code == NSA for need in row.needs
    ):
        plan = "has an EHC plan" if provision == EHC_PLAN else "has an EHC plan recorded in Tandem"
        add(
            Code.NSA_WITH_EHC_PLAN,
            f"NSA is recorded as a need, but the pupil {plan}; NSA is for SEN support.",
        )
    if provision == NO_SEN and row.needs:
        listed = ", ".join(need.code for need in sorted(row.needs, key=lambda n: n.rank))
        add(Code.NEEDS_ON_NO_SEN, f"The status is {_words(NO_SEN)}, but needs are still open: {listed}.")
    if row.mis_provision is not None and row.mis_provision != provision:
        add(
            Code.DIFFERS_FROM_MIS,
            f"Tandem says {_words(provision)}; the last SEN import from the MIS said "
            f"{_words(row.mis_provision)}.",
        )
    return found


def check(rows: Iterable[PupilSen]) -> list[Problem]:
    """The problems of every pupil, grouped in the order of `RULES`, pupils in the order given."""
    order = {rule.code: i for i, rule in enumerate(RULES)}
    found = [problem for row in rows for problem in check_pupil(row)]
    return sorted(found, key=lambda problem: order[problem.code])  # stable: pupils keep their order


@dataclass(frozen=True)
class NsaHeld:
    pupil_id: Hashable
    since: dt.date
    days: int


def nsa_held(rows: Iterable[PupilSen], *, today: dt.date) -> list[NsaHeld]:
    """Pupils with an open NSA need and how long it has been recorded, longest first. The reference asks to
    report how many and for how long (`code-of-practice.md` 3.2); it gives no limit, so none is applied."""
    held = [
        NsaHeld(row.pupil_id, row.nsa_since, (today - row.nsa_since).days)
        for row in rows
        if row.nsa_since is not None and any(need.code == NSA for need in row.needs)
    ]
    return sorted(held, key=lambda h: -h.days)  # stable: equal lengths keep the order given


class Term(StrEnum):
    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"


@dataclass(frozen=True)
class CensusDay:
    term: Term
    on: dt.date

    @property
    def collects_needs(self) -> bool:
        """Type of need and rank go in the spring census only (`code-of-practice.md` 3.3 item 2)."""
        return self.term is Term.SPRING


def _nth_thursday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    to_thursday = (3 - first.weekday()) % 7  # Monday is 0, Thursday 3
    return first + dt.timedelta(days=to_thursday + 7 * (n - 1))


def census_days(year: int) -> list[CensusDay]:
    """The census days of a calendar year: the 3rd Thursday of January (spring) and of May (summer), the 1st
    Thursday of October (autumn) (`code-of-practice.md` 3.1, from [D2])."""
    return [
        CensusDay(Term.SPRING, _nth_thursday(year, 1, 3)),
        CensusDay(Term.SUMMER, _nth_thursday(year, 5, 3)),
        CensusDay(Term.AUTUMN, _nth_thursday(year, 10, 1)),
    ]


def next_census(today: dt.date) -> CensusDay:
    """The next census day, today included."""
    return next(day for day in census_days(today.year) + census_days(today.year + 1) if day.on >= today)
