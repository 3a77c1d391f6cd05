"""Writes for inclusion-base time: planning a pupil's time there, and withdrawing a record made by mistake.

Each is one transaction with its audit event (field names only). The checks: a purpose that is support,
never a sanction (tandem/lib/inclusion.py); a qualified teacher who leads it (a teacher or the SENCo at
the school, never a teaching assistant); and a planned return to mainstream lessons.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.audit.services import audit_record
from tandem.core.validation import require_date, require_text
from tandem.inclusion.kinds import INCLUSION_BASE
from tandem.inclusion.models import (
    MAX_MINUTES_PER_SESSION,
    MAX_SESSIONS_PER_WEEK,
    InclusionBasePlacement,
    Purpose,
)
from tandem.lib.inclusion import SANCTION_REFUSED, reads_as_sanction
from tandem.people.models import Membership, Pupil, Role, User
from tandem.revisions.services import record_withdraw

LEADER_ROLES = (Role.TEACHER, Role.SENCO)


@dataclass(frozen=True)
class PlacementFields:
    starts_on: dt.date | None
    sessions_per_week: int | None
    minutes_per_session: int | None
    purpose: str
    led_by_id: int | None
    return_on: dt.date | None
    return_lessons: str
    purpose_other: str = ""
    ends_on: dt.date | None = None


def require_leader(*, school_id: int, user_id: int | None) -> User:
    """A qualified teacher at the school: an active teacher or SENCo there. Said plainly when not."""
    if user_id is None:
        raise ValidationError({"led_by": "Choose the teacher who leads the time in the inclusion base."})
    user = User.objects.filter(pk=user_id, is_active=True).first()
    roles = set(
        Membership.objects.filter(user_id=user_id, school_id=school_id, is_active=True).values_list(
            "role", flat=True
        )
    )
    if user is None or not roles:
        raise ValidationError({"led_by": "Choose a teacher at this school."})
    if roles & set(LEADER_ROLES):
        return user
    if Role.TEACHING_ASSISTANT in roles:
        raise ValidationError(
            {
                "led_by": f"{user.full_name} is a teaching assistant. Time in the inclusion base is led by a "
                "qualified teacher (a teacher or the SENCo); a teaching assistant can support it."
            }
        )
    raise ValidationError(
        {"led_by": f"{user.full_name} holds no teacher or SENCo role at this school, so cannot lead it."}
    )


def _count(value: int | None, field: str, low: int, high: int, what: str) -> int:
    if value is None:
        raise ValidationError({field: f"Enter the {what}."})
    if not low <= value <= high:
        raise ValidationError({field: f"Enter a number of {what} from {low} to {high}."})
    return value


def _placement_values(pupil: Pupil, fields: PlacementFields) -> dict[str, object]:
    if fields.purpose not in Purpose.values:
        raise ValidationError({"purpose": "Choose what the time in the inclusion base is for."})
    other = fields.purpose_other.strip() if fields.purpose == Purpose.OTHER else ""
    if fields.purpose == Purpose.OTHER and not other:
        raise ValidationError({"purpose_other": "Describe what the time in the inclusion base is for."})
    if reads_as_sanction(other):
        raise ValidationError({"purpose_other": SANCTION_REFUSED})
    starts_on = require_date(fields.starts_on, "starts_on", "Enter the day it starts.")
    if fields.ends_on is not None and fields.ends_on < starts_on:
        raise ValidationError({"ends_on": "It ends on or after the day it starts."})
    return_on = require_date(
        fields.return_on,
        "return_on",
        "Enter the planned date of the return to mainstream lessons: time in the base leads back to class.",
    )
    if return_on < starts_on:
        raise ValidationError(
            {"return_on": "The return to lessons is planned for after the time in the base starts."}
        )
    text = require_text(return_lessons=fields.return_lessons)
    sessions = _count(
        fields.sessions_per_week, "sessions_per_week", 1, MAX_SESSIONS_PER_WEEK, "sessions a week"
    )
    minutes = _count(
        fields.minutes_per_session, "minutes_per_session", 1, MAX_MINUTES_PER_SESSION, "minutes a session"
    )
    leader = require_leader(school_id=pupil.school_id, user_id=fields.led_by_id)
    return {
        "starts_on": starts_on,
        "ends_on": fields.ends_on,
        "sessions_per_week": sessions,
        "minutes_per_session": minutes,
        "purpose": fields.purpose,
        "purpose_other": other,
        "led_by_id": leader.pk,
        "return_on": return_on,
        **text,
    }


def inclusion_placement_record(
    *, actor: Actor, pupil_id: uuid.UUID, fields: PlacementFields
) -> InclusionBasePlacement:
    pupil = pupil_or_404(actor, pupil_id, Resource.INCLUSION_BASE, Action.MANAGE)
    with transaction.atomic():
        values = _placement_values(pupil, fields)
        placement = InclusionBasePlacement.objects.create(
            pupil=pupil, school_id=pupil.school_id, created_by_id=actor.user_id, **values
        )
        audit_record(
            actor=actor,
            action="inclusion_base.record",
            target_type="inclusion_base",
            target_id=placement.pk,
            school_id=pupil.school_id,
            fields=[name.removesuffix("_id") for name, value in values.items() if value not in ("", None)],
        )
        return placement


def inclusion_placement_withdraw(
    *, actor: Actor, placement_id: uuid.UUID, version: int | None, reason: str
) -> InclusionBasePlacement:
    placement = pupil_record_or_404(
        actor, InclusionBasePlacement, placement_id, Resource.INCLUSION_BASE, Action.MANAGE
    )
    with transaction.atomic():
        return record_withdraw(
            actor=actor, record=placement, kind=INCLUSION_BASE, version=version, reason=reason
        )
