"""Reads for inclusion-base time, each starting from the access scopes and leaving a view event."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.access.scopes import pupil_or_404
from tandem.audit.services import audit_record
from tandem.inclusion.models import InclusionBasePlacement
from tandem.inclusion.services import LEADER_ROLES
from tandem.lib.inclusion import hours_and_minutes
from tandem.people.accountability import school_staff
from tandem.people.models import Pupil


@dataclass(frozen=True)
class PlacementRow:
    placement: InclusionBasePlacement
    state: str  # "Now", "Planned" or "Ended"


@dataclass(frozen=True)
class InclusionList:
    pupil: Pupil
    rows: list[PlacementRow]  # newest first; withdrawn records left out
    withdrawn: list[InclusionBasePlacement]
    current_weekly_time: str  # the weekly time of what runs today, in words; "" when nothing does


def _state(placement: InclusionBasePlacement, today: dt.date) -> str:
    if placement.starts_on > today:
        return "Planned"
    if placement.ends_on is not None and placement.ends_on < today:
        return "Ended"
    return "Now"


def inclusion_list(*, actor: Actor, pupil_id: uuid.UUID) -> InclusionList:
    pupil = pupil_or_404(actor, pupil_id, Resource.INCLUSION_BASE)
    today = timezone.localdate()
    records = list(
        InclusionBasePlacement.objects.filter(pupil=pupil).select_related("led_by", "withdrawn_by")
    )
    rows = [PlacementRow(p, _state(p, today)) for p in records if not p.is_withdrawn]
    current = sum(row.placement.weekly_minutes for row in rows if row.state == "Now")
    audit_record(
        actor=actor,
        action="inclusion_base.list",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
    )
    return InclusionList(
        pupil=pupil,
        rows=rows,
        withdrawn=[p for p in records if p.is_withdrawn],
        current_weekly_time=hours_and_minutes(current) if current else "",
    )


def leader_choices(*, school_id: int) -> list[tuple[int, str]]:
    """Who may lead time in the inclusion base: the school's teachers and SENCo, by name."""
    return [(user.pk, user.full_name) for user in school_staff(school_id=school_id, roles=list(LEADER_ROLES))]
