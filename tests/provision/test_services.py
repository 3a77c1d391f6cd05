"""Interventions through their services: the accountability and classroom-link rules, session logs and the
teacher's acknowledgement, each with its audit event and its refusal message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.provision.models import LogAcknowledgement, Placement, SessionAttendance, SessionLog
from tandem.provision.services import (
    InterventionFields,
    PlacementFields,
    classroom_link_problem,
    group_create,
    intervention_create,
    log_acknowledge,
    placement_add,
    placement_exit,
    session_log_record,
    staff_rate_set,
)
from tests import factories as f

TODAY = timezone.localdate()
LINK = "Pre-teach the week's topic words on Monday and prompt the sound mat in writing."


@pytest.fixture
def group(world):
    """School A's phonics group, run by its TA."""
    senco = actor_for(world.a.senco)
    intervention = intervention_create(
        actor=senco,
        fields=InterventionFields(
            name="Small-group phonics",
            area="cognition",
            description="Daily blending and segmenting.",
            evidence_strength=4,
            sessions_per_week=3,
            minutes_per_session=20,
            weeks=10,
            group_size=4,
            staff_type="ta",
        ),
    )
    return group_create(
        actor=senco,
        intervention_id=intervention.pk,
        name="Y4 phonics",
        deliverer_id=world.a.ta.pk,
        weekdays=[0, 2, 4],
        time_of_day="9:10",
        starts_on=TODAY - dt.timedelta(days=14),
    )


def _placement(pupil, teacher_id, **overrides):
    values = {
        "pupil_id": pupil.pk,
        "accountable_teacher_id": teacher_id,
        "classroom_link": LINK,
        "starts_on": TODAY - dt.timedelta(days=14),
        "measure_kind": "standardised",
        "entry_score": 82.0,
        "entry_on": TODAY - dt.timedelta(days=14),
        "subject_code": "reading",
    }
    values.update(overrides)
    return PlacementFields(**values)


def test_it_places_a_pupil_with_their_teacher_and_a_classroom_link(world, group):
    placement = placement_add(
        actor=actor_for(world.a.senco),
        group_id=group.pk,
        fields=_placement(world.a.taught_pupil, world.a.teacher.pk),
    )
    assert placement.accountable_teacher_id == world.a.teacher.pk and placement.subject_id == "reading"
    assert AuditEvent.objects.filter(action="placement.add", target_id=str(placement.pk)).count() == 1


def test_it_refuses_a_placement_without_an_accountable_teacher_who_teaches_the_pupil(world, group):
    senco = actor_for(world.a.senco)
    other_teacher = world.a.other_group.staff.get().user
    cases = {
        None: "Choose the accountable teacher",
        world.a.ta.pk: "is a teaching assistant",
        other_teacher.pk: "does not teach this pupil",
    }
    for teacher_id, message in cases.items():
        with pytest.raises(ValidationError) as error:
            placement_add(actor=senco, group_id=group.pk, fields=_placement(world.a.taught_pupil, teacher_id))
        assert message in error.value.message_dict["accountable_teacher"][0]
    assert not Placement.objects.exists()


def test_it_refuses_the_deliverer_as_the_accountable_teacher(world, group):
    group.deliverer = world.a.teacher
    group.save()
    with pytest.raises(ValidationError) as error:
        placement_add(
            actor=actor_for(world.a.senco),
            group_id=group.pk,
            fields=_placement(world.a.taught_pupil, world.a.teacher.pk),
        )
    assert "delivers this group" in error.value.message_dict["accountable_teacher"][0]


@pytest.mark.parametrize("link", ["", "   ", "n/a", "See plan", "Reinforce in class."])
def test_it_refuses_a_placement_without_a_specific_classroom_link(world, group, link):
    with pytest.raises(ValidationError) as error:
        placement_add(
            actor=actor_for(world.a.senco),
            group_id=group.pk,
            fields=_placement(world.a.taught_pupil, world.a.teacher.pk, classroom_link=link),
        )
    assert "lessons" in error.value.message_dict["classroom_link"][0]
    assert classroom_link_problem(LINK) is None
    assert not Placement.objects.exists()


def test_it_logs_a_session_and_the_teacher_acknowledges_it(world, group):
    placement = f.make_placement(group=group, pupil=world.a.taught_pupil, teacher=world.a.teacher)
    absent = f.make_placement(group=group, pupil=world.a.ehc_pupil, teacher=world.a.teacher)
    log = session_log_record(
        actor=actor_for(world.a.ta),
        group_id=group.pk,
        held_on=TODAY,
        present={placement.pk},
        covered="Blending CVC words.",
        rating=3,
    )
    attendance = dict(SessionAttendance.objects.filter(log=log).values_list("placement_id", "present"))
    assert attendance == {placement.pk: True, absent.pk: False}
    with pytest.raises(ValidationError, match="already logged"):
        session_log_record(
            actor=actor_for(world.a.ta),
            group_id=group.pk,
            held_on=TODAY,
            present=set(),
            covered="x",
            rating=2,
        )
    log_acknowledge(actor=actor_for(world.a.teacher), log_id=log.pk)
    assert LogAcknowledgement.objects.filter(log=log, teacher=world.a.teacher).exists()
    assert AuditEvent.objects.filter(action="session_log.record").count() == 1
    assert AuditEvent.objects.filter(action="session_log.acknowledge").count() == 1


def test_it_refuses_a_teaching_assistant_acknowledging_for_the_teacher(world, group):
    f.make_placement(group=group, pupil=world.a.taught_pupil, teacher=world.a.teacher)
    log = f.make_session_log(group=group)
    with pytest.raises(ValidationError) as error:
        log_acknowledge(actor=actor_for(world.a.ta), log_id=log.pk)
    assert "Only the pupils' accountable teacher can acknowledge" in error.value.messages[0]
    assert not LogAcknowledgement.objects.exists()


def test_it_refuses_a_teacher_acknowledging_a_log_about_other_pupils(world, group):
    f.make_placement(group=group, pupil=world.a.untaught_pupil)
    log = f.make_session_log(group=group)
    with pytest.raises(ValidationError, match="not about any pupil you are accountable for"):
        log_acknowledge(actor=actor_for(world.a.teacher), log_id=log.pk)


def test_it_lets_only_the_deliverer_or_the_senco_log_a_session(world, group):
    f.make_placement(group=group, pupil=world.a.taught_pupil, teacher=world.a.teacher)
    with pytest.raises((ValidationError, Http404)):
        session_log_record(
            actor=actor_for(world.a.teacher),
            group_id=group.pk,
            held_on=TODAY,
            present=set(),
            covered="x",
            rating=2,
        )
    assert not SessionLog.objects.exists()


def test_it_records_the_exit_measure_and_ends_the_placement(world, group):
    placement = f.make_placement(group=group, pupil=world.a.taught_pupil, teacher=world.a.teacher)
    with pytest.raises(ValidationError):
        placement_exit(
            actor=actor_for(world.a.senco), placement_id=placement.pk, exit_score=None, exit_on=TODAY
        )
    placement_exit(actor=actor_for(world.a.senco), placement_id=placement.pk, exit_score=91.0, exit_on=TODAY)
    placement.refresh_from_db()
    assert (placement.exit_score, placement.ends_on) == (91.0, TODAY)


def test_it_keeps_the_catalogue_to_the_senco_and_refuses_bad_rates(world):
    with pytest.raises(ValidationError, match="Only the SENCo"):
        staff_rate_set(actor=actor_for(world.a.teacher), staff_type="ta", hourly_rate=Decimal("18.50"))
    with pytest.raises(ValidationError):
        staff_rate_set(actor=actor_for(world.a.senco), staff_type="ta", hourly_rate=Decimal("-1"))
    rate = staff_rate_set(actor=actor_for(world.a.senco), staff_type="ta", hourly_rate=Decimal("18.50"))
    assert rate.hourly_rate == Decimal("18.50")
