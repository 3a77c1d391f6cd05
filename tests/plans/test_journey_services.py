"""The graduated approach through its services: each step, its audit event, and the invariants."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.plans.models import NextStep, ParentMeeting, SupportPlan, Target, TargetOutcome
from tandem.plans.services import (
    MeetingFields,
    PlanFields,
    ReviewFields,
    TargetFields,
    meeting_record,
    plan_create,
    plan_do_record,
    plan_review,
    target_add,
    target_owner_change,
    target_progress_record,
)
from tandem.progress.models import FirstResponse, ResponseOutcome
from tandem.progress.services import (
    first_response_create,
    first_response_owner_change,
    first_response_review,
)
from tandem.register.models import Concern, ConcernStatus, Provision, SenNeed, SenStatusPeriod
from tandem.register.services import (
    concern_next_step,
    concern_raise,
    passport_mark_read,
    passport_write,
    sen_support_start,
)
from tests import factories as f

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _plan_fields(teacher_id: int | None, **overrides: object) -> PlanFields:
    values: dict[str, object] = {
        "accountable_teacher_id": teacher_id,
        "summary": "Reading fluency is well below peers; phonics secure to phase 3.",
        "strengths": "Keen, good oral vocabulary.",
        "needs": "Decoding longer words; reading stamina.",
        "pupil_views": "I like reading with a grown-up.",
        "parent_views": "Reads at home most nights; gets upset with long books.",
        "strategies": "Pre-teach key words; shorter reading chunks; paired reading.",
        "expected_impact": "Reads Year 3 texts at 90 words a minute.",
        "starts_on": TODAY,
        "review_on": TODAY + 70 * DAY,
    }
    values.update(overrides)
    return PlanFields(**values)  # type: ignore[arg-type]


def _target_fields(teacher_id: int | None, **overrides: object) -> TargetFields:
    values: dict[str, object] = {
        "skill": "Read aloud the Year 3 common exception words",
        "measure": "Adult checks the word list each fortnight",
        "baseline": "Reads 20 of the 64 words",
        "success_criterion": "Reads 50 of the 64 words on two checks in a row",
        "due_on": TODAY + 60 * DAY,
        "accountable_teacher_id": teacher_id,
        "other_supporters": "Teaching assistant in the reading group",
    }
    values.update(overrides)
    return TargetFields(**values)  # type: ignore[arg-type]


@pytest.fixture
def new_pupil(world):
    """A pupil in school A's group with no SEN: the journey starts from nothing."""
    pupil = f.make_pupil(school=world.a.school, forename="Noor", surname="Journeyman")
    f.enrol(group=world.a.group, pupils=[pupil])
    return pupil


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_it_walks_concern_to_review_with_an_audit_event_at_each_step(world, new_pupil):
    teacher, senco = actor_for(world.a.teacher), actor_for(world.a.senco)
    concern = concern_raise(
        actor=actor_for(world.a.ta),
        pupil_id=new_pupil.pk,
        area="cognition",
        observed="Guesses long words from the first letter.",
        raised_on=TODAY,
    )
    assert _events("concern.raise") == 1

    response = first_response_create(
        actor=teacher,
        pupil_id=new_pupil.pk,
        accountable_teacher_id=world.a.teacher.pk,
        weakness="Decoding multi-syllable words",
        adjustments="Daily 5-minute pre-teach of topic words; chunking on the board.",
        starts_on=TODAY - 30 * DAY,
        review_on=TODAY,
        concern_id=concern.pk,
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.FIRST_RESPONSE
    first_response_review(
        actor=teacher, response_id=response.pk, outcome="refer", note="Still guessing.", reviewed_on=TODAY
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.REFERRED
    assert _events("first_response.create") == 1 and _events("first_response.review") == 1

    sen_support_start(
        actor=senco,
        pupil_id=new_pupil.pk,
        decided_on=TODAY,
        evidence="Six weeks of targeted teaching; reading age 18 months below.",
        pupil_views="Words are hard.",
        parent_views="Agree; want help at home.",
        parents_informed_on=TODAY,
        parent_note="We will add Noor to SEN support and meet you to plan.",
        need_codes=["SPLD", "SLCN"],
    )
    period = SenStatusPeriod.objects.get(pupil=new_pupil, ends_on__isnull=True)
    assert period.provision == Provision.SEN_SUPPORT
    assert list(SenNeed.objects.filter(pupil=new_pupil).values_list("need_type_id", "rank")) == [
        ("SPLD", 1),
        ("SLCN", 2),
    ]

    plan = plan_create(actor=senco, pupil_id=new_pupil.pk, fields=_plan_fields(world.a.teacher.pk))
    target = target_add(actor=senco, plan_id=plan.pk, fields=_target_fields(world.a.teacher.pk))
    target_progress_record(
        actor=teacher, target_id=target.pk, recorded_on=TODAY, note="Now reads 31 of 64.", evidence="Check 2"
    )
    plan_do_record(actor=actor_for(world.a.ta), plan_id=plan.pk, note="Three reading sessions this week.")
    meeting_record(
        actor=senco,
        pupil_id=new_pupil.pk,
        fields=MeetingFields(
            held_on=TODAY,
            led_by_id=world.a.senco.pk,
            who_attended="Mother, SENCo, class teacher",
            parent_views="Pleased with the word games.",
            discussed="The plan and the first target.",
            agreed_actions="Word games at home three times a week.",
        ),
    )
    following = plan_review(
        actor=senco,
        plan_id=plan.pk,
        fields=ReviewFields(
            reviewed_on=TODAY,
            summary="Good progress on words; fluency still slow.",
            pupil_views="Reading is a bit easier.",
            parent_views="Happy to continue.",
            target_outcomes={str(target.pk): TargetOutcome.PARTLY},
            next_step=NextStep.CONTINUE,
            next_review_on=TODAY + 80 * DAY,
        ),
    )
    assert following is not None and following.cycle == 2 and following.previous_id == plan.pk
    carried = Target.objects.get(plan=following)
    assert carried.carried_from_id == target.pk and carried.due_on == TODAY + 80 * DAY
    for action in (
        "sen_support.start",
        "support_plan.create",
        "target.add",
        "target.progress",
        "support_plan.do",
        "parent_meeting.record",
        "support_plan.review",
    ):
        assert _events(action) >= 1, action
    assert ParentMeeting.objects.get().plan_id == plan.pk


def test_it_refuses_a_teaching_assistant_as_the_accountable_person(world):
    pupil = world.a.taught_pupil
    senco = actor_for(world.a.senco)
    with pytest.raises(ValidationError) as error:
        plan_create(actor=senco, pupil_id=pupil.pk, fields=_plan_fields(world.a.ta.pk))
    assert "teaching assistant" in error.value.message_dict["accountable_teacher"][0]
    with pytest.raises(ValidationError) as error:
        first_response_create(
            actor=actor_for(world.a.teacher),
            pupil_id=pupil.pk,
            accountable_teacher_id=world.a.ta.pk,
            weakness="w",
            adjustments="a",
            starts_on=TODAY,
            review_on=TODAY + 30 * DAY,
        )
    assert "teaching assistant" in error.value.message_dict["accountable_teacher"][0]
    assert not SupportPlan.objects.exists() and not FirstResponse.objects.exists()


def test_it_refuses_a_teacher_who_does_not_teach_the_pupil(world):
    other_teacher = world.a.other_group.staff.get().user
    with pytest.raises(ValidationError) as error:
        plan_create(
            actor=actor_for(world.a.senco),
            pupil_id=world.a.taught_pupil.pk,
            fields=_plan_fields(other_teacher.pk),
        )
    message = error.value.message_dict["accountable_teacher"][0]
    assert "does not teach this pupil" in message and world.a.teacher.full_name in message


def test_it_refuses_a_plan_without_a_review_date_and_writes_nothing(world):
    with pytest.raises(ValidationError) as error:
        plan_create(
            actor=actor_for(world.a.senco),
            pupil_id=world.a.taught_pupil.pk,
            fields=_plan_fields(world.a.teacher.pk, review_on=None),
        )
    assert "review date" in error.value.message_dict["review_on"][0]
    assert not SupportPlan.objects.exists()
    assert not AuditEvent.objects.filter(action="support_plan.create").exists()


def test_it_refuses_a_plan_for_a_pupil_not_on_sen_support(world, new_pupil):
    with pytest.raises(ValidationError, match="not on SEN support"):
        plan_create(
            actor=actor_for(world.a.senco), pupil_id=new_pupil.pk, fields=_plan_fields(world.a.teacher.pk)
        )


def test_it_refuses_sen_support_without_the_parent_note_or_date(world, new_pupil):
    with pytest.raises(ValidationError) as error:
        sen_support_start(
            actor=actor_for(world.a.senco),
            pupil_id=new_pupil.pk,
            decided_on=TODAY,
            evidence="e",
            pupil_views="p",
            parent_views="v",
            parents_informed_on=None,
            parent_note="  ",
            need_codes=["SPLD"],
        )
    assert set(error.value.message_dict) >= {"parent_note"}
    assert not SenStatusPeriod.objects.filter(pupil=new_pupil).exists()


def test_it_refuses_a_target_the_smart_check_rejects_naming_each_problem(world):
    senco = actor_for(world.a.senco)
    plan = plan_create(actor=senco, pupil_id=world.a.taught_pupil.pk, fields=_plan_fields(world.a.teacher.pk))
    with pytest.raises(ValidationError) as error:
        target_add(
            actor=senco,
            plan_id=plan.pk,
            fields=_target_fields(world.a.teacher.pk, measure="", due_on=plan.review_on + DAY),
        )
    errors = error.value.message_dict
    assert "measure" in errors and "due_on" in errors
    assert not Target.objects.exists()


def test_it_lets_the_writer_keep_advisory_wording_but_not_missing_elements(world):
    senco = actor_for(world.a.senco)
    plan = plan_create(actor=senco, pupil_id=world.a.taught_pupil.pk, fields=_plan_fields(world.a.teacher.pk))
    unmeasured = "Writes a sentence with a capital letter and full stop"
    with pytest.raises(ValidationError):
        target_add(
            actor=senco,
            plan_id=plan.pk,
            fields=_target_fields(world.a.teacher.pk, success_criterion=unmeasured),
        )
    target_add(
        actor=senco,
        plan_id=plan.pk,
        fields=_target_fields(world.a.teacher.pk, success_criterion=unmeasured, advice_checked=True),
    )
    with pytest.raises(ValidationError):
        target_add(
            actor=senco,
            plan_id=plan.pk,
            fields=_target_fields(world.a.teacher.pk, baseline="", advice_checked=True),
        )


def test_it_ends_sen_support_at_a_review_that_says_so(world):
    senco = actor_for(world.a.senco)
    pupil = world.a.taught_pupil
    plan = plan_create(actor=senco, pupil_id=pupil.pk, fields=_plan_fields(world.a.teacher.pk))
    result = plan_review(
        actor=senco,
        plan_id=plan.pk,
        fields=ReviewFields(
            reviewed_on=TODAY,
            summary="Needs met.",
            pupil_views="Fine now.",
            parent_views="Agree.",
            target_outcomes={},
            next_step=NextStep.END,
        ),
    )
    assert result is None
    assert SenStatusPeriod.objects.get(pupil=pupil, ends_on__isnull=True).provision == Provision.NONE
    assert not SenNeed.objects.filter(pupil=pupil, ends_on__isnull=True).exists()


def test_it_continues_a_first_response_as_a_follow_on_record(world):
    teacher = actor_for(world.a.teacher)
    response = first_response_create(
        actor=teacher,
        pupil_id=world.a.taught_pupil.pk,
        accountable_teacher_id=world.a.teacher.pk,
        weakness="Number bonds",
        adjustments="Concrete resources at every starter.",
        starts_on=TODAY - 20 * DAY,
        review_on=TODAY,
    )
    first_response_review(
        actor=teacher,
        response_id=response.pk,
        outcome=ResponseOutcome.CONTINUE,
        note="Improving.",
        reviewed_on=TODAY,
        next_review_on=TODAY + 28 * DAY,
    )
    follow_on = FirstResponse.objects.get(follows=response)
    assert follow_on.review_on == TODAY + 28 * DAY and follow_on.outcome == ""
    with pytest.raises(ValidationError, match="already been reviewed"):
        first_response_review(
            actor=teacher, response_id=response.pk, outcome="resolved", note="x", reviewed_on=TODAY
        )


def test_it_hides_another_schools_pupil_behind_a_404(world):
    with pytest.raises(Http404):
        concern_raise(
            actor=actor_for(world.a.teacher),
            pupil_id=world.b.taught_pupil.pk,
            area="cognition",
            observed="x",
            raised_on=TODAY,
        )
    assert not Concern.objects.exists()
    assert AuditEvent.objects.filter(outcome="denied").exists()


def test_it_keeps_a_teaching_assistant_from_writing_plans(world):
    with pytest.raises(Http404):
        plan_create(
            actor=actor_for(world.a.ta),
            pupil_id=world.a.taught_pupil.pk,
            fields=_plan_fields(world.a.teacher.pk),
        )


def test_it_audits_the_concern_next_step_and_passport_writes(world):
    senco = actor_for(world.a.senco)
    concern = concern_raise(
        actor=actor_for(world.a.ta),
        pupil_id=world.a.taught_pupil.pk,
        area="semh",
        observed="Withdrawn at lunchtimes.",
        raised_on=TODAY,
    )
    with pytest.raises(ValidationError) as error:
        concern_next_step(actor=senco, concern_id=concern.pk, status="no_action", note=" ")
    assert "note" in error.value.message_dict
    concern_next_step(actor=senco, concern_id=concern.pk, status="no_action", note="Settled after a week.")
    first = passport_write(
        actor=senco,
        pupil_id=world.a.taught_pupil.pk,
        strengths="Art",
        needs="Noise",
        what_helps="Ear defenders",
    )
    second = passport_write(
        actor=senco,
        pupil_id=world.a.taught_pupil.pk,
        strengths="Art",
        needs="Noise",
        what_helps="Quiet space",
    )
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(ValidationError, match="newer version"):
        passport_mark_read(actor=actor_for(world.a.teacher), passport_id=first.pk)
    passport_mark_read(actor=actor_for(world.a.teacher), passport_id=second.pk)
    passport_mark_read(actor=actor_for(world.a.teacher), passport_id=second.pk)  # once is enough
    assert _events("concern.next_step") == 1
    assert _events("passport.write") == 2
    assert _events("passport.read") == 1


def test_it_keeps_a_teaching_assistant_from_deciding_a_concern(world):
    concern = f.make_concern(world.a.taught_pupil)
    with pytest.raises(Http404):
        concern_next_step(actor=actor_for(world.a.ta), concern_id=concern.pk, status="referred", note="")


def test_it_hands_an_open_first_response_and_a_target_to_a_new_teacher(world):
    pupil = world.a.taught_pupil
    newcomer = f.make_user(email="newcomer@test.example", full_name="Newcomer")
    f.make_membership(user=newcomer, role="teacher", school=world.a.school)
    f.enrol(group=f.make_group(school=world.a.school, name="4N", teachers=[newcomer]), pupils=[pupil])
    senco = actor_for(world.a.senco)
    response = f.make_first_response(pupil)
    target = f.make_target(plan=f.make_plan(pupil))
    with pytest.raises(ValidationError, match="teaching assistant"):
        first_response_owner_change(actor=senco, response_id=response.pk, teacher_id=world.a.ta.pk)
    first_response_owner_change(actor=senco, response_id=response.pk, teacher_id=newcomer.pk)
    target_owner_change(actor=senco, target_id=target.pk, teacher_id=newcomer.pk)
    response.refresh_from_db()
    target.refresh_from_db()
    assert response.accountable_teacher_id == target.accountable_teacher_id == newcomer.pk
    assert _events("first_response.owner_change") == 1 and _events("target.owner_change") == 1
