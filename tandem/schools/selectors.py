"""School and trust overviews: counts per school and year group; the trust's schools side by side."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource, Scope
from tandem.access.scopes import _one_or_404, pupil_records_in_scope, pupils_in_scope
from tandem.audit.services import audit_record
from tandem.exchange.provision_map import format_money
from tandem.lib.dates import academic_year_start, term_label, term_of, term_start
from tandem.people.models import SCHOOL_ROLES, Membership, Pupil, year_group_label
from tandem.people.selectors import with_sen_summary
from tandem.plans.models import SupportPlan
from tandem.plans.selectors import SOON, ComplianceQueries, compliance_queries
from tandem.progress.models import ProgressResult
from tandem.progress.selectors import ON_REGISTER, flagged_list, latest_runs
from tandem.provision.models import Intervention, Placement, StaffRate
from tandem.provision.selectors import place_cost
from tandem.register.models import Provision, SenNeed, SenStatusPeriod
from tandem.schools.models import School


@dataclass
class RollRow:
    label: str
    on_roll: int
    sen_support: int
    ehc_plan: int

    @property
    def on_register_percent(self) -> float:
        return 100.0 * (self.sen_support + self.ehc_plan) / self.on_roll if self.on_roll else 0.0


_ON_ROLL = Count("id")
_SEN_SUPPORT = Count("id", filter=Q(provision=Provision.SEN_SUPPORT))
_EHC_PLAN = Count("id", filter=Q(provision=Provision.EHC_PLAN))


def school_roll_by_year(*, actor: Actor) -> list[RollRow]:
    """On roll, SEN support and EHC plans per year group: one grouped query."""
    pupils = with_sen_summary(pupils_in_scope(actor, Resource.REGISTER))
    rows = (
        pupils.order_by()
        .values("year_group")
        .annotate(on_roll=_ON_ROLL, sen_support=_SEN_SUPPORT, ehc_plan=_EHC_PLAN)
        .order_by("year_group")
    )
    return [
        RollRow(year_group_label(r["year_group"]), r["on_roll"], r["sen_support"], r["ehc_plan"])
        for r in rows
    ]


def staff_counts(*, actor: Actor) -> dict[str, int]:
    if actor.school_id is None:
        return {}
    rows = (
        Membership.objects.filter(school_id=actor.school_id, is_active=True, role__in=sorted(SCHOOL_ROLES))
        .order_by()
        .values("role")
        .annotate(n=Count("id"))
    )
    return {r["role"]: r["n"] for r in rows}


# ---------------------------------------------------------------- the trust view: schools side by side
# Every figure below is read for all the trust's schools at once (one grouped query per kind of figure),
# so the trust page runs the same number of queries for 2 schools or 10, and 10 pupils or 500 (DESIGN 7).

MAIN_NEEDS_SHOWN = 3


@dataclass(frozen=True)
class NeedCount:
    code: str
    name: str
    pupils: int


@dataclass
class SchoolFigures:
    """One school's row on the trust page (or the trust's totals, with `school_id` 0)."""

    school_id: int
    name: str
    on_roll: int = 0
    sen_support: int = 0
    ehc_plan: int = 0
    main_needs: list[NeedCount] = field(default_factory=list)
    flagged: int = 0  # pupils with at least one flag in their school's newest analysis
    analysed: bool = False  # the school has a finished analysis run
    reviews_overdue: int = 0
    meetings_due: int = 0
    placements: int = 0  # intervention places running at any time this term
    provision_cost: Decimal = Decimal("0")
    costs_missing: bool = False  # some places have no staff rate, so the cost is too low
    finished_measured: int = 0  # places ended this school year with an entry and an exit measure

    @property
    def on_register(self) -> int:
        return self.sen_support + self.ehc_plan

    @property
    def on_register_percent(self) -> float:
        return 100.0 * self.on_register / self.on_roll if self.on_roll else 0.0

    @property
    def cost_label(self) -> str:
        return format_money(self.provision_cost)


@dataclass(frozen=True)
class ProvisionLine:
    """An intervention with places running this term at one school, and what those places cost."""

    school_id: int
    intervention: Intervention
    places: int
    cost: Decimal | None  # None: the school has no hourly rate for the intervention's staff type

    @property
    def cost_label(self) -> str:
        return "No cost yet" if self.cost is None else format_money(self.cost)


@dataclass
class TrustComparison:
    schools: list[SchoolFigures]
    totals: SchoolFigures
    term: str  # "Autumn 2026/27"
    pupil_level: bool  # the role may open the pupils behind a figure (the trust SEND lead, not the admin)


def _trust_schools(actor: Actor) -> QuerySet[School]:
    """The schools of the actor's trust, for a role that reads trust figures; none for anyone else."""
    if actor.trust_id is None or actor.scope(Resource.TRUST_OVERVIEW) not in (
        Scope.TRUST,
        Scope.TRUST_AGGREGATE,
    ):
        return School.objects.none()
    return School.objects.filter(trust_id=actor.trust_id).order_by("name", "pk")


def _on_roll(school_ids: list[int]) -> QuerySet[Pupil]:
    return Pupil.objects.filter(left_on__isnull=True, school_id__in=school_ids)


def _register_counts(figures: dict[int, SchoolFigures]) -> None:
    rows = (
        with_sen_summary(_on_roll(list(figures)))
        .order_by()
        .values("school_id")
        .annotate(on_roll=_ON_ROLL, sen_support=_SEN_SUPPORT, ehc_plan=_EHC_PLAN)
    )
    for r in rows:
        row = figures[r["school_id"]]
        row.on_roll, row.sen_support, row.ehc_plan = r["on_roll"], r["sen_support"], r["ehc_plan"]


def _main_needs(figures: dict[int, SchoolFigures]) -> None:
    """The commonest primary (rank 1) needs of the pupils on each school's register."""
    on_register = SenStatusPeriod.objects.filter(
        pupil_id=OuterRef("pupil_id"), ends_on__isnull=True, provision__in=ON_REGISTER
    )
    rows = (
        SenNeed.objects.filter(pupil__in=_on_roll(list(figures)), ends_on__isnull=True, rank=1)
        .filter(Exists(on_register))
        .values("school_id", "need_type_id", "need_type__name")
        .annotate(n=Count("pupil_id", distinct=True))
        .order_by("school_id", "-n", "need_type_id")
    )
    for r in rows:
        needs = figures[r["school_id"]].main_needs
        if len(needs) < MAIN_NEEDS_SHOWN:
            needs.append(NeedCount(r["need_type_id"], r["need_type__name"], r["n"]))


def _flagged_counts(actor: Actor, figures: dict[int, SchoolFigures]) -> None:
    """Pupils flagged in each school's own newest analysis (tandem.progress.selectors.latest_runs)."""
    runs = {pk: run for pk, run in latest_runs(actor=actor).items() if pk in figures}
    each_school = Q(pk__in=[])
    for school_id, run in runs.items():
        figures[school_id].analysed = True
        each_school |= Q(run_id=run.pk, school_id=school_id)
    if not runs:
        return
    rows = (
        ProgressResult.objects.filter(each_school, is_current=True, flagged=True)
        .filter(pupil__in=_on_roll(list(figures)))
        .values("school_id")
        .annotate(n=Count("pupil_id", distinct=True))
    )
    for r in rows:
        figures[r["school_id"]].flagged = r["n"]


def _compliance(actor: Actor, pupils: QuerySet[Pupil], plans: QuerySet[SupportPlan]) -> ComplianceQueries:
    """The compliance page's queries (tandem.plans.selectors) over these pupils and plans.

    `compliance_queries` reads through the compliance policy row, which only the school's SENCo and head
    hold; the trust roles' counts come from the trust's pupils instead, counted the same way."""
    q = compliance_queries(actor=actor)
    on_k = q.on_register.filter(provision=Provision.SEN_SUPPORT)
    return replace(q, pupils=pupils, k_pupils=pupils.filter(Exists(on_k)), plans=plans)


def _reviews_overdue(q: ComplianceQueries, today: dt.date) -> QuerySet[SupportPlan]:
    # As the compliance page and the SENCo's overdue email count them.
    return q.plans.filter(reviewed_on__isnull=True, review_on__lt=today)


def _meetings_due(q: ComplianceQueries, today: dt.date) -> QuerySet[Any]:
    # As the compliance page lists them: overdue, or due in the next three weeks.
    return q.meetings_due(by=today + SOON, including=True)


def _compliance_counts(actor: Actor, figures: dict[int, SchoolFigures], today: dt.date) -> None:
    pupils = _on_roll(list(figures))
    q = _compliance(actor, pupils, SupportPlan.objects.filter(pupil__in=pupils, withdrawn_at__isnull=True))
    for school_id, n in (
        _reviews_overdue(q, today).order_by().values_list("school_id").annotate(n=Count("id"))
    ):
        figures[school_id].reviews_overdue = n
    for school_id, n in _meetings_due(q, today).order_by().values_list("school_id").annotate(n=Count("id")):
        figures[school_id].meetings_due = n


def _provision_lines(school_ids: list[int], today: dt.date) -> list[ProvisionLine]:
    """Places running at any time this term, by school and intervention, each costed as the provision
    map costs it (tandem.provision.selectors.place_cost: a pupil's share of the whole course)."""
    running = (
        Placement.objects.filter(school_id__in=school_ids, starts_on__lte=today, withdrawn_at__isnull=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=term_start(today)))
        .values("school_id", "group__intervention_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = [(r["school_id"], r["group__intervention_id"], r["n"]) for r in running]
    interventions = Intervention.objects.in_bulk({pk for _, pk, _ in counts})
    rates: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for rate in StaffRate.objects.filter(school_id__in=school_ids):
        rates[rate.school_id][rate.staff_type] = rate.hourly_rate
    lines = []
    for school_id, pk, n in counts:
        each = place_cost(interventions[pk], rates[school_id])
        lines.append(ProvisionLine(school_id, interventions[pk], n, None if each is None else each * n))
    return sorted(lines, key=lambda line: (line.school_id, line.intervention.name))


def _provision_counts(figures: dict[int, SchoolFigures], today: dt.date) -> None:
    for line in _provision_lines(list(figures), today):
        row = figures[line.school_id]
        row.placements += line.places
        row.costs_missing |= line.cost is None
        row.provision_cost += line.cost or Decimal("0")
    # Impact needs an exit measure beside the entry one; the verdict itself is per intervention.
    finished = (
        Placement.objects.filter(school_id__in=list(figures), exit_on__gte=academic_year_start(today))
        .filter(exit_score__isnull=False, exit_on__gte=F("entry_on"), withdrawn_at__isnull=True)
        .values_list("school_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for school_id, n in finished:
        figures[school_id].finished_measured = n


def _figures(actor: Actor, schools: list[School]) -> dict[int, SchoolFigures]:
    figures = {school.pk: SchoolFigures(school.pk, school.name) for school in schools}
    if not figures:
        return figures
    today = timezone.localdate()
    _register_counts(figures)
    _main_needs(figures)
    _flagged_counts(actor, figures)
    _compliance_counts(actor, figures, today)
    _provision_counts(figures, today)
    return figures


def _totals(rows: list[SchoolFigures]) -> SchoolFigures:
    totals = SchoolFigures(0, "All schools")
    for row in rows:
        totals.on_roll += row.on_roll
        totals.sen_support += row.sen_support
        totals.ehc_plan += row.ehc_plan
        totals.flagged += row.flagged
        totals.analysed |= row.analysed
        totals.reviews_overdue += row.reviews_overdue
        totals.meetings_due += row.meetings_due
        totals.placements += row.placements
        totals.provision_cost += row.provision_cost
        totals.costs_missing |= row.costs_missing
        totals.finished_measured += row.finished_measured
    return totals


def _pupil_level(actor: Actor) -> bool:
    return actor.scope(Resource.TRUST_OVERVIEW) is Scope.TRUST and actor.can(Resource.PUPIL)


def trust_schools_compared(*, actor: Actor) -> TrustComparison:
    """The trust's schools side by side: register, flags, compliance and provision, with the trust's
    totals. Counts only: the pupils behind them are on each school's page (`trust_school_detail`)."""
    rows = list(_figures(actor, list(_trust_schools(actor))).values())
    today = timezone.localdate()
    return TrustComparison(
        schools=rows,
        totals=_totals(rows),
        term=term_label(term_of(today), academic_year_start(today).year),
        pupil_level=_pupil_level(actor),
    )


def trust_schools_viewed(*, actor: Actor) -> None:
    """The trust page shows SEN figures for every school: a view on the audit trail (counts, no pupil)."""
    audit_record(
        actor=actor,
        action="trust.view",
        target_type="trust",
        target_id=actor.trust_id or "",
        fields=["register", "flags", "compliance", "provision"],
    )


@dataclass
class TrustSchoolDetail:
    """One school seen from the trust: its figures, and the records behind them where the role may see."""

    school: School
    figures: SchoolFigures
    years: list[RollRow]
    term: str
    pupil_level: bool
    flags: list[ProgressResult]
    reviews_overdue: list[SupportPlan]
    meetings_due: list[Pupil]
    provision: list[ProvisionLine]


def _years_at(school_id: int) -> list[RollRow]:
    rows = (
        with_sen_summary(_on_roll([school_id]))
        .order_by()
        .values("year_group")
        .annotate(on_roll=_ON_ROLL, sen_support=_SEN_SUPPORT, ehc_plan=_EHC_PLAN)
        .order_by("year_group")
    )
    return [
        RollRow(year_group_label(r["year_group"]), r["on_roll"], r["sen_support"], r["ehc_plan"])
        for r in rows
    ]


def _records_at(actor: Actor, school_id: int, today: dt.date) -> dict[str, Any]:
    """The pupils behind the school's figures, each list read through the role's own scope."""
    records: dict[str, Any] = {"flags": [], "reviews_overdue": [], "meetings_due": []}
    if actor.can(Resource.PROGRESS):
        _, flags = flagged_list(actor=actor)
        records["flags"] = list(flags.filter(school_id=school_id))
    if actor.can(Resource.SUPPORT_PLAN) and actor.can(Resource.PARENT_MEETING):
        plans = pupil_records_in_scope(actor, SupportPlan, Resource.SUPPORT_PLAN, Action.VIEW).filter(
            withdrawn_at__isnull=True
        )
        pupils = pupils_in_scope(actor, Resource.PARENT_MEETING).filter(school_id=school_id)
        q = _compliance(actor, pupils, plans.filter(school_id=school_id))
        records["reviews_overdue"] = list(
            _reviews_overdue(q, today).select_related("pupil", "accountable_teacher").order_by("review_on")
        )
        records["meetings_due"] = list(_meetings_due(q, today))
    return records


def trust_school_detail(*, actor: Actor, school_id: int) -> TrustSchoolDetail:
    """One of the trust's schools: its figures by year group, and (for the trust SEND lead) the flagged
    pupils, overdue reviews and due meetings behind them. Another trust's school is a 404."""
    school = _one_or_404(
        actor, _trust_schools(actor), str(school_id), action="trust_overview.view", target_type="school"
    )
    today = timezone.localdate()
    pupil_level = _pupil_level(actor)
    records = _records_at(actor, school.pk, today) if pupil_level else {}
    detail = TrustSchoolDetail(
        school=school,
        figures=_figures(actor, [school])[school.pk],
        years=_years_at(school.pk),
        term=term_label(term_of(today), academic_year_start(today).year),
        pupil_level=pupil_level,
        flags=records.get("flags", []),
        reviews_overdue=records.get("reviews_overdue", []),
        meetings_due=records.get("meetings_due", []),
        provision=_provision_lines([school.pk], today),
    )
    audit_record(
        actor=actor,
        action="trust_school.view",
        target_type="school",
        target_id=school.pk,
        fields=["register", "flags", "compliance", "provision"] + (["pupils"] if pupil_level else []),
        school_id=school.pk,
    )
    return detail


def year_groups_offered(*, actor: Actor) -> list[int]:
    """The year groups a pupil filter offers: the school's range, or every year some school of the trust
    has (a primary trust is never offered Year 11)."""
    school = actor.membership.school
    if school is not None:
        return list(range(school.lowest_year, school.highest_year + 1))
    years: set[int] = set()
    for low, high in School.objects.filter(trust_id=actor.trust_id or 0).values_list(
        "lowest_year", "highest_year"
    ):
        years.update(range(low, high + 1))
    return sorted(years)
