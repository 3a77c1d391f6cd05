"""The census check for the SENCo and head: what in the school's SEN items would fail the census or look
wrong (the rules are in tandem/lib/census_check.py, pure), read in a fixed number of queries whatever the
roll.

"What the last MIS import said" is kept row by row: each applied SEN file (or Common Transfer File carrying
a current status) writes, for every pupil it names, the status it gave them (MisSenStatus, written in the
import's own transaction by tandem/exchange/services.py). The check compares the pupil's status in Tandem
with that row; a pupil no import has named has none and is not compared.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import imports_in_scope, pupil_records_in_scope, pupils_in_scope
from tandem.audit.services import audit_record
from tandem.ehc.models import EhcPlan, EhcStatus
from tandem.exchange.fields import ImportKind
from tandem.exchange.models import ImportRecord, ImportStatus, MisSenStatus
from tandem.lib.census_check import (
    NSA,
    RULES,
    CensusDay,
    Code,
    Need,
    Problem,
    PupilSen,
    Rule,
    check,
    next_census,
    nsa_held,
)
from tandem.people.models import Pupil
from tandem.people.selectors import PUPIL_SORTS
from tandem.register.models import Provision, SenNeed, SenStatusPeriod

# The columns each table on the page sorts by (one order for every table, kept in the URL).
CENSUS_SORTS: dict[str, tuple[str, ...]] = {key: PUPIL_SORTS[key] for key in ("name", "year", "upn")}
_EHC_FIXES = (Code.E_WITHOUT_EHC_RECORD, Code.EHC_RECORD_NOT_E, Code.NSA_WITH_EHC_PLAN)


@dataclass(frozen=True)
class Fix:
    url: str
    label: str  # where the link goes, in words; the page adds the pupil's name for screen readers


@dataclass(frozen=True)
class ProblemRow:
    pupil: Pupil
    problem: Problem
    fix: Fix


@dataclass
class ProblemGroup:
    rule: Rule
    rows: list[ProblemRow] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"problem-{self.rule.code.replace('_', '-')}"


@dataclass(frozen=True)
class NsaRow:
    pupil: Pupil
    since: dt.date
    days: int


@dataclass
class CensusCheck:
    today: dt.date
    census: CensusDay
    pupils_checked: int
    last_import: ImportRecord | None
    groups: list[ProblemGroup]  # one per rule, in the rules' order, empty ones included (for the counts)
    nsa: list[NsaRow]

    @property
    def with_problems(self) -> list[ProblemGroup]:
        return [group for group in self.groups if group.rows]

    @property
    def problem_count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


def _fix(code: Code, pupil_id: Hashable) -> Fix:
    if code in _EHC_FIXES:
        return Fix(reverse("ehc_pupil", args=[pupil_id]), "EHC page")
    if code is Code.DIFFERS_FROM_MIS:
        return Fix(reverse("import_list"), "Import the SEN file")
    return Fix(reverse("pupil_detail", args=[pupil_id]) + "#needs-heading", "SEN record")


def _last_sen_import(actor: Actor) -> ImportRecord | None:
    return (
        imports_in_scope(actor)
        .filter(kind=ImportKind.SEN, status=ImportStatus.APPLIED, applied_at__isnull=False)
        .select_related("applied_by")
        .defer("content", "columns", "options", "skipped")
        .order_by("-applied_at", "-id")
        .first()
    )


def census_check(
    *, actor: Actor, order: tuple[str, ...] = CENSUS_SORTS["name"], today: dt.date | None = None
) -> CensusCheck:
    """Every problem the census check finds for pupils on roll that the actor may reach (Resource.COMPLIANCE),
    pupils in `order` (from `CENSUS_SORTS`). Six reads whatever the roll, and one audit event."""
    today = today or timezone.localdate()
    pupils = list(
        pupils_in_scope(actor, Resource.COMPLIANCE)
        .only("id", "school_id", "legal_forename", "preferred_forename", "legal_surname", "year_group", "upn")
        .order_by(*order)
    )
    periods: dict[uuid.UUID, list[tuple[str, dt.date | None]]] = {}
    for pupil_id, provision, ends_on in (
        pupil_records_in_scope(actor, SenStatusPeriod, Resource.COMPLIANCE, Action.VIEW)
        .order_by("pupil_id", "starts_on", "id")
        .values_list("pupil_id", "provision", "ends_on")
    ):
        periods.setdefault(pupil_id, []).append((provision, ends_on))
    needs: dict[uuid.UUID, list[tuple[str, int, dt.date]]] = {}
    for pupil_id, code, rank, starts_on in (
        pupil_records_in_scope(actor, SenNeed, Resource.COMPLIANCE, Action.VIEW)
        .filter(ends_on__isnull=True)
        .order_by("pupil_id", "rank", "need_type_id")
        .values_list("pupil_id", "need_type_id", "rank", "starts_on")
    ):
        needs.setdefault(pupil_id, []).append((code, rank, starts_on))
    with_plan = set(
        pupil_records_in_scope(actor, EhcPlan, Resource.COMPLIANCE, Action.VIEW)
        .filter(status=EhcStatus.OPEN, withdrawn_at__isnull=True)
        .values_list("pupil_id", flat=True)
    )
    mis: dict[uuid.UUID, str] = dict(
        pupil_records_in_scope(actor, MisSenStatus, Resource.COMPLIANCE, Action.VIEW).values_list(
            "pupil_id", "provision"
        )
    )
    last_import = _last_sen_import(actor)

    rows: list[PupilSen] = []
    for pupil in pupils:
        history = periods.get(pupil.pk, [])
        open_now = [provision for provision, ends_on in history if ends_on is None]
        provision = open_now[-1] if open_now else Provision.NONE.value
        held = needs.get(pupil.pk, [])
        rows.append(
            PupilSen(
                pupil_id=pupil.pk,
                provision=provision,
                needs=tuple(Need(code, rank) for code, rank, _ in held),
                open_ehc_plan=pupil.pk in with_plan,
                mis_provision=mis.get(pupil.pk),
                nsa_since=next((since for code, _, since in held if code == NSA), None),
            )
        )

    by_id: dict[Hashable, Pupil] = {pupil.pk: pupil for pupil in pupils}
    groups = {rule.code: ProblemGroup(rule) for rule in RULES}
    for problem in check(rows):
        fix = _fix(problem.code, problem.pupil_id)
        groups[problem.code].rows.append(ProblemRow(by_id[problem.pupil_id], problem, fix))
    nsa = [NsaRow(by_id[h.pupil_id], h.since, h.days) for h in nsa_held(rows, today=today)]
    audit_record(
        actor=actor,
        action="census_check.view",
        target_type="school",
        target_id=actor.school_id or "",
        fields=["ehc_plans", "mis_sen_statuses", "sen_needs", "sen_periods"],
    )
    return CensusCheck(
        today=today,
        census=next_census(today),
        pupils_checked=len(pupils),
        last_import=last_import,
        groups=list(groups.values()),
        nsa=nsa,
    )
