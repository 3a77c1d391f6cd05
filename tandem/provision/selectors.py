"""Reads for interventions: groups today, a group's page, logs waiting for the teacher, the catalogue."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
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
)
from tandem.audit.services import audit_record
from tandem.lib.dates import academic_year_start
from tandem.provision.models import (
    Intervention,
    InterventionGroup,
    LogAcknowledgement,
    Placement,
    SessionAttendance,
    SessionLog,
    StaffRate,
)

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
            pupils=Count("placements", filter=running_on(today, "placements__")),
            logged=Exists(SessionLog.objects.filter(group_id=OuterRef("pk"), held_on=today)),
        )
        .order_by("time_of_day", "name")
    )
    return [GroupToday(g, g.pupils, g.logged) for g in groups if today.weekday() in g.days]


@dataclass
class LogRow:
    log: SessionLog
    present: list[str]
    absent: list[str]


@dataclass
class GroupDetail:
    group: InterventionGroup
    placements: list[Placement]
    logs: list[LogRow]
    delivered: int
    planned_to_date: int
    can_log: bool


def _planned_to_date(group: InterventionGroup, today: dt.date) -> int:
    """Sessions the dosage plans from the group's start to today, capped at the whole course."""
    weeks_run = max(0, (min(today, group.ends_on or today) - group.starts_on).days + 1) / 7
    planned = group.intervention.sessions_per_week * weeks_run
    return int(min(planned, group.intervention.planned_sessions))


def group_detail(*, actor: Actor, group_id: uuid.UUID) -> GroupDetail:
    group = intervention_group_or_404(actor, group_id)
    today = timezone.localdate()
    visible = pupils_in_scope(actor, Resource.INTERVENTION_GROUP).values("pk")
    placements = list(
        group.placements.filter(pupil_id__in=visible)
        .select_related("pupil", "accountable_teacher")
        .order_by("ends_on", "pupil__legal_surname")
    )
    attendance = SessionAttendance.objects.filter(pupil_id__in=visible).select_related("pupil")
    logs = list(
        group.logs.select_related("delivered_by").prefetch_related(
            Prefetch("attendance", queryset=attendance)
        )[:20]
    )
    rows = [
        LogRow(
            log=log,
            present=[a.pupil.display_name for a in log.attendance.all() if a.present],
            absent=[a.pupil.display_name for a in log.attendance.all() if not a.present],
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
        placements=placements,
        logs=rows,
        delivered=group.logs.count(),
        planned_to_date=_planned_to_date(group, today),
        can_log=actor.can(Resource.SESSION_LOG, Action.ADD)
        and (group.deliverer_id == actor.user_id or actor.role == "senco"),
    )


def placements_on(*, group: InterventionGroup, day: dt.date) -> list[Placement]:
    """The pupils expected at a session on `day` (for the log form)."""
    return list(
        group.placements.filter(running_on(day)).select_related("pupil").order_by("pupil__legal_surname")
    )


def pupil_placements(*, actor: Actor, pupil_id: uuid.UUID) -> list[Placement] | None:
    """The pupil's interventions this school year, running ones first (None: the actor does not see
    intervention groups). The pupil page reads it after the pupil itself was found through the scopes."""
    if not actor.can(Resource.INTERVENTION_GROUP):
        return None
    year_start = academic_year_start(timezone.localdate())
    pupils = pupils_in_scope(actor, Resource.INTERVENTION_GROUP).filter(pk=pupil_id).values("pk")
    placements = (
        Placement.objects.filter(pupil_id__in=pupils)
        .exclude(ends_on__lt=year_start)
        .select_related("group__intervention", "group__deliverer", "accountable_teacher")
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
    mine = SessionAttendance.objects.filter(placement__accountable_teacher_id=actor.user_id)
    acknowledged = LogAcknowledgement.objects.filter(log_id=OuterRef("pk"), teacher_id=actor.user_id)
    logs = (
        SessionLog.objects.filter(school_id=actor.school_id or 0, pk__in=mine.values("log_id"))
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


def intervention_catalogue(*, actor: Actor) -> list[CatalogueRow]:
    today = timezone.localdate()
    interventions: QuerySet[Intervention] = (
        interventions_in_scope(actor)
        .annotate(
            running=Count("groups", filter=running_on(today, "groups__"), distinct=True),
            placed=Count(
                "groups__placements", filter=running_on(today, "groups__placements__"), distinct=True
            ),
        )
        .order_by("name")
    )
    rates: dict[int, dict[str, Decimal]] = {}
    for rate in StaffRate.objects.filter(school_id__in=interventions.values("school_id")):
        rates.setdefault(rate.school_id, {})[rate.staff_type] = rate.hourly_rate
    return [
        CatalogueRow(i, i.running, i.placed, place_cost(i, rates.get(i.school_id, {})))  # type: ignore[attr-defined]
        for i in interventions
    ]


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
