"""Reads for interventions: groups today, a group's page, logs waiting for the teacher, the catalogue."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import (
    intervention_group_or_404,
    intervention_groups_in_scope,
    intervention_or_404,
    interventions_in_scope,
    pupils_in_scope,
    running_on,
    session_log_or_404,
)
from tandem.audit.models import Outcome
from tandem.audit.services import audit_record
from tandem.core.search import folded, words_match
from tandem.lib.dates import academic_year_start
from tandem.lib.text import fold
from tandem.people.models import Role
from tandem.provision.models import (
    Intervention,
    InterventionGroup,
    Layer,
    LogAcknowledgement,
    Placement,
    SessionAttendance,
    SessionLog,
    StaffRate,
)
from tandem.revisions.kinds import PLACEMENT, SESSION_LOG
from tandem.revisions.selectors import HistoryRow, record_histories

if TYPE_CHECKING:
    from tandem.provision.impact import InterventionImpact


@dataclass
class GroupToday:
    group: InterventionGroup
    pupils: int
    logged: bool


def groups_today(*, actor: Actor) -> list[GroupToday]:
    """The groups this person runs that meet today, and whether today's session is logged yet."""
    today = timezone.localdate()
    groups = (
        intervention_groups_in_scope(actor)
        .filter(running_on(today), deliverer_id=actor.user_id)
        .select_related("intervention")
        .annotate(
            pupils=Count(
                "placements",
                filter=running_on(today, "placements__") & Q(placements__withdrawn_at__isnull=True),
            ),
            logged=Exists(
                SessionLog.objects.filter(group_id=OuterRef("pk"), held_on=today, withdrawn_at__isnull=True)
            ),
        )
        .order_by("time_of_day", "name")
    )
    return [GroupToday(g, g.pupils, g.logged) for g in groups if today.weekday() in g.days]


@dataclass
class LogRow:
    log: SessionLog
    present: list[str]
    absent: list[str]
    can_change: bool = False


@dataclass
class Revised:
    """A placement or session log corrected or withdrawn, shown apart with its history."""

    title: str
    record: Placement | SessionLog
    history: list[HistoryRow]


@dataclass
class GroupDetail:
    group: InterventionGroup
    placements: list[Placement]
    logs: list[LogRow]
    delivered: int
    planned_to_date: int
    can_log: bool
    revised: list[Revised] = field(default_factory=list)


def _planned_to_date(group: InterventionGroup, today: dt.date) -> int:
    """Sessions the dosage plans from the group's start to today, capped at the whole course."""
    weeks_run = max(0, (min(today, group.ends_on or today) - group.starts_on).days + 1) / 7
    planned = group.intervention.sessions_per_week * weeks_run
    return int(min(planned, group.intervention.planned_sessions))


def _may_change_log(actor: Actor, log: SessionLog) -> bool:
    return actor.can(Resource.SESSION_LOG, Action.ADD) and (
        log.delivered_by_id == actor.user_id or actor.role == Role.SENCO
    )


def _revised(actor: Actor, placements: list[Placement], logs: list[SessionLog]) -> list[Revised]:
    """The placements and logs on the page, or withdrawn from it, that have a history to show."""
    placement_history = record_histories(actor=actor, kind=PLACEMENT, record_ids=[p.pk for p in placements])
    log_history = record_histories(actor=actor, kind=SESSION_LOG, record_ids=[log.pk for log in logs])
    revised = [
        Revised(f"Placement of {p.pupil.display_name}", p, placement_history[p.pk])
        for p in placements
        if p.pk in placement_history
    ]
    revised += [
        Revised(f"Session on {log.held_on:%-d %B %Y}", log, log_history[log.pk])
        for log in logs
        if log.pk in log_history
    ]
    return revised


def group_detail(*, actor: Actor, group_id: uuid.UUID) -> GroupDetail:
    """The group's pupils and recent sessions; withdrawn placements and logs only in the corrections
    section, with their history."""
    group = intervention_group_or_404(actor, group_id)
    today = timezone.localdate()
    visible = pupils_in_scope(actor, Resource.INTERVENTION_GROUP).values("pk")
    all_placements = list(
        group.placements.filter(pupil_id__in=visible)
        .select_related("pupil", "accountable_teacher", "withdrawn_by")
        .order_by("ends_on", "pupil__legal_surname")
    )
    attendance = SessionAttendance.objects.filter(
        pupil_id__in=visible, placement__withdrawn_at__isnull=True
    ).select_related("pupil")
    logs = list(
        group.logs.filter(withdrawn_at__isnull=True)
        .select_related("delivered_by")
        .prefetch_related(Prefetch("attendance", queryset=attendance))[:20]
    )
    withdrawn_logs = list(group.logs.filter(withdrawn_at__isnull=False).select_related("withdrawn_by"))
    rows = [
        LogRow(
            log=log,
            present=[a.pupil.display_name for a in log.attendance.all() if a.present],
            absent=[a.pupil.display_name for a in log.attendance.all() if not a.present],
            can_change=_may_change_log(actor, log),
        )
        for log in logs
    ]
    audit_record(
        actor=actor,
        action="intervention_group.view",
        target_type="intervention_group",
        target_id=group.pk,
        school_id=group.school_id,
        fields=["placements", "session_logs"],
    )
    return GroupDetail(
        group=group,
        placements=[p for p in all_placements if not p.is_withdrawn],
        logs=rows,
        delivered=group.logs.filter(withdrawn_at__isnull=True).count(),
        planned_to_date=_planned_to_date(group, today),
        can_log=actor.can(Resource.SESSION_LOG, Action.ADD)
        and (group.deliverer_id == actor.user_id or actor.role == "senco"),
        revised=_revised(actor, all_placements, logs + withdrawn_logs),
    )


def session_log_to_change(*, actor: Actor, log_id: uuid.UUID) -> SessionLog:
    """A session log the actor may correct or withdraw: one they delivered, or (for the SENCo) any at the
    school. Anyone else gets the 404 of a log they cannot reach."""
    log = session_log_or_404(actor, log_id, Action.ADD)
    if not _may_change_log(actor, log):
        audit_record(
            actor=actor,
            action=f"{Resource.SESSION_LOG}.{Action.ADD}",
            target_type="session_log",
            target_id=log.pk,
            outcome=Outcome.DENIED,
        )
        raise Http404()
    return log


def attendance_to_correct(*, actor: Actor, log: SessionLog) -> list[SessionAttendance]:
    """The log's attendance rows a correction may change: pupils the actor sees, placements not withdrawn."""
    visible = pupils_in_scope(actor, Resource.INTERVENTION_GROUP).values("pk")
    return list(
        log.attendance.filter(pupil_id__in=visible, placement__withdrawn_at__isnull=True)
        .select_related("pupil")
        .order_by("pupil__legal_surname", "pupil__legal_forename")
    )


def placements_on(*, group: InterventionGroup, day: dt.date) -> list[Placement]:
    """The pupils expected at a session on `day` (for the log form)."""
    return list(
        group.placements.filter(running_on(day), withdrawn_at__isnull=True)
        .select_related("pupil")
        .order_by("pupil__legal_surname")
    )


def pupil_placements(
    *, actor: Actor, pupil_id: uuid.UUID, since: dt.date | None = None
) -> list[Placement] | None:
    """The pupil's interventions this school year (or running on or after `since`), running ones first
    (None: the actor does not see intervention groups). The pupil page reads it after the pupil itself was
    found through the scopes."""
    if not actor.can(Resource.INTERVENTION_GROUP):
        return None
    year_start = since or academic_year_start(timezone.localdate())
    pupils = pupils_in_scope(actor, Resource.INTERVENTION_GROUP).filter(pk=pupil_id).values("pk")
    placements = (
        Placement.objects.filter(pupil_id__in=pupils, withdrawn_at__isnull=True)
        .exclude(ends_on__lt=year_start)
        .select_related("group__intervention", "group__deliverer", "accountable_teacher", "subject")
        .order_by("starts_on")
    )
    return sorted(placements, key=lambda p: p.ends_on is not None)


@dataclass
class LogToAcknowledge:
    log: SessionLog
    pupils: list[str] = field(default_factory=list)


def logs_to_acknowledge(*, actor: Actor) -> list[LogToAcknowledge]:
    """Session logs about pupils this teacher is accountable for, not yet acknowledged by them."""
    if not actor.can(Resource.SESSION_LOG, Action.MANAGE):
        return []
    mine = SessionAttendance.objects.filter(
        placement__accountable_teacher_id=actor.user_id, placement__withdrawn_at__isnull=True
    )
    acknowledged = LogAcknowledgement.objects.filter(log_id=OuterRef("pk"), teacher_id=actor.user_id)
    logs = (
        SessionLog.objects.filter(
            school_id=actor.school_id or 0, pk__in=mine.values("log_id"), withdrawn_at__isnull=True
        )
        .exclude(Exists(acknowledged))
        .select_related("group__intervention", "delivered_by")
        .prefetch_related(Prefetch("attendance", queryset=mine.select_related("pupil"), to_attr="mine"))
        .order_by("held_on", "created_at")
    )
    return [
        LogToAcknowledge(
            log=log,
            pupils=[f"{a.pupil.display_name} ({'present' if a.present else 'absent'})" for a in log.mine],
        )
        for log in logs
    ]


@dataclass
class CatalogueRow:
    intervention: Intervention
    groups: int
    pupils: int
    cost_per_pupil: Decimal | None


def session_cost(*, rate: Decimal, minutes: int) -> Decimal:
    return (rate * minutes / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def place_cost(intervention: Intervention, rates: dict[str, Decimal]) -> Decimal | None:
    """A pupil's share of the whole course at the intended dosage, from the staff rate (None: no rate)."""
    rate = rates.get(intervention.staff_type)
    if rate is None:
        return None
    course = rate * intervention.minutes_per_session * intervention.planned_sessions / 60
    return (course / intervention.group_size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def staff_rates(*, school_id: int) -> dict[str, Decimal]:
    return {r.staff_type: r.hourly_rate for r in StaffRate.objects.filter(school_id=school_id)}


def _by_name(row: CatalogueRow) -> str:
    return fold(row.intervention.name)


# What each column of the catalogue sorts by, then by name. The rows are built in Python (their costs come
# from the staff rates), and a school has tens of interventions, so they are sorted in Python too.
_CATALOGUE_KEYS: dict[str, Callable[[CatalogueRow], tuple[Any, ...]]] = {
    "name": lambda row: (_by_name(row),),
    "area": lambda row: (row.intervention.get_area_display(), _by_name(row)),
    # From universal to specialist, as schools read the layers (the order Layer lists them).
    "layer": lambda row: (Layer.values.index(row.intervention.layer), _by_name(row)),
    "evidence": lambda row: (row.intervention.evidence_strength, _by_name(row)),
    "cost": lambda row: (row.cost_per_pupil, _by_name(row)),
    "pupils": lambda row: (row.pupils, _by_name(row)),
}
# For `sorting_from`: each column is its own key (its `order` is ("cost",) or ("-cost",)).
CATALOGUE_SORTS: dict[str, tuple[str, ...]] = {key: (key,) for key in _CATALOGUE_KEYS}


def _catalogue_sorted(rows: list[CatalogueRow], order: tuple[str, ...]) -> list[CatalogueRow]:
    """Rows in the order `("-cost",)` asks for; an intervention with no cost (no staff rate set) comes last
    either way, as nothing is known about it."""
    key = order[0].removeprefix("-") if order else "name"
    by = _CATALOGUE_KEYS.get(key, _CATALOGUE_KEYS["name"])
    descending = bool(order) and order[0].startswith("-")
    known = [row for row in rows if key != "cost" or row.cost_per_pupil is not None]
    unknown = [row for row in rows if key == "cost" and row.cost_per_pupil is None]
    return sorted(known, key=by, reverse=descending) + sorted(unknown, key=_by_name)


def intervention_catalogue(
    *, actor: Actor, search: str = "", order: tuple[str, ...] = ("name",)
) -> list[CatalogueRow]:
    """The school's interventions with their groups, pupils and cost per pupil now; `search` finds one by
    name, accents and case aside; `order` comes from `CATALOGUE_SORTS`."""
    today = timezone.localdate()
    found = interventions_in_scope(actor)
    if search.strip():
        found = found.alias(**folded("name")).filter(words_match(search, "name"))
    interventions: QuerySet[Intervention] = found.annotate(
        running=Count("groups", filter=running_on(today, "groups__"), distinct=True),
        placed=Count(
            "groups__placements",
            filter=running_on(today, "groups__placements__")
            & Q(groups__placements__withdrawn_at__isnull=True),
            distinct=True,
        ),
    ).order_by("name")
    rates: dict[int, dict[str, Decimal]] = {}
    for rate in StaffRate.objects.filter(school_id__in=interventions.values("school_id")):
        rates.setdefault(rate.school_id, {})[rate.staff_type] = rate.hourly_rate
    rows = [
        CatalogueRow(i, i.running, i.placed, place_cost(i, rates.get(i.school_id, {})))  # type: ignore[attr-defined]
        for i in interventions
    ]
    return _catalogue_sorted(rows, order)


@dataclass
class InterventionDetail:
    intervention: Intervention
    groups: list[InterventionGroup]
    cost_per_pupil: Decimal | None
    impact: InterventionImpact | None = None
    impact_template: str = ""


def intervention_detail(*, actor: Actor, intervention_id: uuid.UUID) -> InterventionDetail:
    # The impact module reads this one's cost helpers, so it is imported here, not at the top.
    from tandem.provision.impact import intervention_impact

    intervention = intervention_or_404(actor, intervention_id)
    groups = list(
        intervention_groups_in_scope(actor).filter(intervention=intervention).select_related("deliverer")
    )
    rates = staff_rates(school_id=intervention.school_id)
    return InterventionDetail(
        intervention=intervention,
        groups=groups,
        cost_per_pupil=place_cost(intervention, rates),
        impact=intervention_impact(actor=actor, intervention=intervention, rates=rates),
        impact_template="provision/_impact.html",
    )
