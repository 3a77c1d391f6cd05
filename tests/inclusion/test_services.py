"""Inclusion-base time through its services: support, never a sanction; led by a qualified teacher; a
planned return to lessons; the audit event; withdrawal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.inclusion.models import InclusionBasePlacement
from tandem.inclusion.services import (
    PlacementFields,
    inclusion_placement_record,
    inclusion_placement_withdraw,
)
from tandem.lib.inclusion import SANCTION_REFUSED

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _fields(world: Any, **overrides: Any) -> PlacementFields:
    values: dict[str, Any] = {
        "starts_on": TODAY,
        "sessions_per_week": 3,
        "minutes_per_session": 50,
        "purpose": "small_group_teaching",
        "led_by_id": world.a.teacher.pk,
        "return_on": TODAY + 42 * DAY,
        "return_lessons": "English and maths with 4B",
        **overrides,
    }
    return PlacementFields(**values)


def _record(world: Any, **overrides: Any) -> InclusionBasePlacement:
    return inclusion_placement_record(
        actor=actor_for(world.a.senco), pupil_id=world.a.taught_pupil.pk, fields=_fields(world, **overrides)
    )


def test_it_records_time_in_the_base_with_an_audit_event_of_field_names(world):
    placement = _record(world)
    assert placement.weekly_time == "2 hours 30 minutes"
    assert placement.purpose_text == "Targeted teaching in a small group"
    event = AuditEvent.objects.get(action="inclusion_base.record")
    assert event.target_id == str(placement.pk)
    assert "led_by" in event.fields and "return_lessons" in event.fields
    assert "4B" not in str(event.fields)


@pytest.mark.parametrize(
    "purpose",
    [
        "Detention",
        "Internal exclusion for the rest of the week",
        "Isolation",
        "Behaviour consequence",
        "Removal from class",
    ],
)
def test_it_refuses_a_sanction_as_the_purpose(world, purpose):
    with pytest.raises(ValidationError) as refused:
        _record(world, purpose="other", purpose_other=purpose)
    assert refused.value.message_dict["purpose_other"] == [SANCTION_REFUSED]
    assert "for support, not sanctions" in SANCTION_REFUSED
    assert InclusionBasePlacement.objects.count() == 0


def test_it_takes_another_purpose_that_is_support(world):
    placement = _record(world, purpose="other", purpose_other="Sensory breaks and a quiet start to the day")
    assert placement.purpose_text == "Sensory breaks and a quiet start to the day"


def test_it_asks_for_the_other_purpose_in_words(world):
    with pytest.raises(ValidationError, match="Describe what the time"):
        _record(world, purpose="other", purpose_other="  ")


def test_it_lets_a_teacher_or_the_senco_lead(world):
    assert _record(world, led_by_id=world.a.teacher.pk).led_by == world.a.teacher
    assert _record(world, led_by_id=world.a.senco.pk).led_by == world.a.senco


@pytest.mark.parametrize(
    ("who", "words"),
    [
        ("ta", "is a teaching assistant"),
        ("head", "holds no teacher or SENCo role at this school"),
        ("admin", "holds no teacher or SENCo role at this school"),
        ("other_school_teacher", "Choose a teacher at this school."),
        ("nobody", "Choose the teacher who leads"),
    ],
)
def test_it_refuses_a_leader_who_is_not_a_qualified_teacher_at_the_school(world, who, words):
    leader = {
        "ta": world.a.ta.pk,
        "head": world.a.head.pk,
        "admin": world.a.admin.pk,
        "other_school_teacher": world.b.teacher.pk,
        "nobody": None,
    }[who]
    with pytest.raises(ValidationError) as refused:
        _record(world, led_by_id=leader)
    assert any(words in message for message in refused.value.message_dict["led_by"])
    assert InclusionBasePlacement.objects.count() == 0


def test_it_refuses_a_former_teacher(world):
    world.a.teacher.memberships.update(is_active=False)
    with pytest.raises(ValidationError, match="Choose a teacher at this school"):
        _record(world)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"return_on": None}, "return_on", "planned date of the return to mainstream lessons"),
        ({"return_lessons": " "}, "return_lessons", "This cannot be left empty."),
        ({"return_on": TODAY - DAY}, "return_on", "after the time in the base starts"),
        ({"ends_on": TODAY - DAY}, "ends_on", "on or after the day it starts"),
        ({"sessions_per_week": 0}, "sessions_per_week", "from 1 to 25"),
        ({"minutes_per_session": 400}, "minutes_per_session", "from 1 to 390"),
        ({"purpose": "punishment"}, "purpose", "Choose what the time"),
    ],
)
def test_it_refuses_bad_plans_saying_why(world, overrides, field, words):
    with pytest.raises(ValidationError) as refused:
        _record(world, **overrides)
    assert any(words in message for message in refused.value.message_dict[field])
    assert InclusionBasePlacement.objects.count() == 0


def test_it_refuses_those_who_may_not_plan_it_and_other_schools(world):
    for user in (world.a.teacher, world.a.head, world.a.ta, world.a.admin, world.b.senco):
        with pytest.raises(Http404):
            inclusion_placement_record(
                actor=actor_for(user), pupil_id=world.a.taught_pupil.pk, fields=_fields(world)
            )


def test_it_withdraws_a_record_made_by_mistake(world):
    placement = _record(world)
    inclusion_placement_withdraw(
        actor=actor_for(world.a.senco), placement_id=placement.pk, version=1, reason="Wrong pupil."
    )
    placement.refresh_from_db()
    assert placement.is_withdrawn
    assert AuditEvent.objects.filter(action="inclusion_base.withdraw", target_id=str(placement.pk)).exists()
