"""Parents and carers through their services: linking, sharing, asking for views and what parents send back.
Each write's audit event, each refusal with nothing half-written, and the once-only rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import Actor, actor_for
from tandem.access.policy import Resource
from tandem.access.scopes import pupils_in_scope
from tandem.accounts.models import Invitation
from tandem.audit.models import AuditEvent
from tandem.lib.family_words import DEFAULT_QUESTIONS
from tandem.parents.models import (
    MeetingRequest,
    MeetingResponse,
    ParentLink,
    ParentViews,
    SharedKind,
    Sharing,
    ViewsRequest,
)
from tandem.parents.services import (
    meeting_request_answered,
    meeting_request_create,
    meeting_response_give,
    parent_invite,
    parent_link_end,
    parent_views_give,
    record_share,
    record_unshare,
    views_request_create,
)
from tandem.people.models import Membership, Role, User
from tandem.plans.models import ParentMeeting
from tests import factories as f

TODAY = timezone.localdate()
NEW_EMAIL = "jordan.carer@test.example"


def _actor(user: Any) -> Actor:
    found = actor_for(user)
    assert found is not None
    return found


def _invite(world: Any, *, email: str = NEW_EMAIL, pupil: Any = None, **kwargs: Any) -> ParentLink:
    return parent_invite(
        actor=_actor(world.a.senco),
        pupil_id=(pupil or world.a.taught_pupil).pk,
        email=email,
        full_name=kwargs.pop("full_name", "Jordan Carer"),
        relationship=kwargs.pop("relationship", "Foster carer"),
        **kwargs,
    )


def _withdraw(record: Any, by: Any) -> None:
    type(record).objects.filter(pk=record.pk).update(
        withdrawn_at=timezone.now(), withdrawn_by=by, withdrawn_reason="Recorded by mistake."
    )


def _events(action: str, outcome: str = "ok") -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, outcome=outcome))


# ---------------------------------------------------------------- linking
def test_it_links_a_new_parent_with_an_account_a_role_and_an_invitation(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link = _invite(world, email="  Jordan.Carer@Test.Example ")
    user = User.objects.get(email=NEW_EMAIL)
    assert (link.user, link.pupil, link.relationship, link.linked_by) == (
        user,
        world.a.taught_pupil,
        "Foster carer",
        world.a.senco,
    )
    assert Membership.objects.get(user=user).role == Role.PARENT
    invitation = Invitation.objects.get(user=user)
    assert (invitation.role, invitation.school) == (Role.PARENT, world.a.school)
    assert len(mail.outbox) == 1 and "invited to Tandem" in mail.outbox[0].subject
    (event,) = _events("parent_link.create")
    assert event.target_type == "parent_link" and event.target_id == str(link.pk)
    assert event.fields == sorted(["user", "pupil", "relationship", "new_user", "membership"])


def test_it_reuses_an_account_and_tells_a_parent_who_can_sign_in_that_something_waits(
    world, django_capture_on_commit_callbacks
):
    second = f.make_pupil(school=world.a.school, forename="Sam", surname="Sentinelasibling")
    parent = world.a.parent
    parent.set_password("a long and unusual passphrase 47")
    parent.save()
    with django_capture_on_commit_callbacks(execute=True):
        link = _invite(world, email=parent.email.upper(), pupil=second, full_name="")
    assert link.user == parent
    assert Membership.objects.filter(user=parent, role=Role.PARENT).count() == 1  # the one they had
    assert not Invitation.objects.filter(user=parent).exists()
    (message,) = mail.outbox
    assert "waiting" in message.subject and message.to == [parent.email]
    assert _events("parent_link.create")[0].fields == ["pupil", "relationship", "user"]
    children = pupils_in_scope(_actor(parent), Resource.FAMILY)
    assert set(children) == {world.a.taught_pupil, second}


def test_it_refuses_a_second_open_link_for_the_same_person_and_child(world):
    parent = world.a.parent
    with pytest.raises(ValidationError) as refused:
        _invite(world, email=parent.email)
    assert "already linked to this pupil" in str(refused.value)
    assert ParentLink.objects.filter(user=parent).count() == 1
    assert not _events("parent_link.create")


def test_it_links_again_after_a_link_ended(world):
    link = ParentLink.objects.get(user=world.a.parent)
    parent_link_end(actor=_actor(world.a.senco), link_id=link.pk)
    again = _invite(world, email=world.a.parent.email)
    assert again.pk != link.pk and again.ended_at is None
    assert Membership.objects.filter(user=world.a.parent, role=Role.PARENT, is_active=True).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"full_name": ""}, "full_name"),
        ({"relationship": "  "}, "relationship"),
        ({"relationship": "x" * 61}, "relationship"),
        ({"full_name": "Jordan\u202eCarer"}, "full_name"),
    ],
)
def test_it_refuses_bad_details_and_writes_nothing(world, changes, field):
    users, links = User.objects.count(), ParentLink.objects.count()
    with pytest.raises(ValidationError) as refused:
        _invite(world, **changes)
    assert field in refused.value.message_dict
    assert (User.objects.count(), ParentLink.objects.count()) == (users, links)
    assert not Invitation.objects.exists() and not _events("parent_link.create")


def test_it_refuses_to_link_the_member_of_staff_themselves(world):
    with pytest.raises(ValidationError, match="cannot link yourself"):
        _invite(world, email=world.a.senco.email)
    assert not ParentLink.objects.filter(user=world.a.senco).exists()
    assert _events("parent_link.create", "denied")[0].fields == ["self"]


@pytest.mark.parametrize("who", ["teacher", "ta", "head", "admin", "parent"])
def test_it_lets_only_the_senco_link_parents(world, who):
    with pytest.raises(Http404):
        parent_invite(
            actor=_actor(getattr(world.a, who)),
            pupil_id=world.a.taught_pupil.pk,
            email=NEW_EMAIL,
            full_name="Jordan Carer",
            relationship="Aunt",
        )
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_it_refuses_another_schools_pupil_as_missing(world):
    with pytest.raises(Http404):
        _invite(world, pupil=world.b.taught_pupil)


def test_it_ends_a_link_and_the_parent_role_with_it_when_no_child_is_left(world):
    parent = world.a.parent
    link = ParentLink.objects.get(user=parent)
    parent_link_end(actor=_actor(world.a.senco), link_id=link.pk)
    link.refresh_from_db()
    assert link.ended_at is not None and link.ended_by == world.a.senco
    assert not Membership.objects.filter(user=parent, is_active=True).exists()
    assert _events("parent_link.end")[0].fields == ["ended_at", "ended_by", "membership"]
    with pytest.raises(ValidationError, match="already ended"):
        parent_link_end(actor=_actor(world.a.senco), link_id=link.pk)


def test_it_keeps_the_parent_role_while_another_child_is_linked(world):
    second = f.make_pupil(school=world.a.school, forename="Sam", surname="Sentinelasibling")
    _invite(world, email=world.a.parent.email, pupil=second)
    parent_link_end(
        actor=_actor(world.a.senco), link_id=ParentLink.objects.get(pupil=world.a.taught_pupil).pk
    )
    parent = _actor(world.a.parent)
    assert list(pupils_in_scope(parent, Resource.FAMILY)) == [second]


def test_it_lets_only_the_senco_end_a_link(world):
    link = ParentLink.objects.get(user=world.a.parent)
    for who in (world.a.teacher, world.a.head, world.a.parent, world.b.senco):
        with pytest.raises(Http404):
            parent_link_end(actor=_actor(who), link_id=link.pk)
    link.refresh_from_db()
    assert link.ended_at is None


# ---------------------------------------------------------------- sharing
def test_it_shares_a_plan_and_emails_the_parents_once_it_is_saved(world, django_capture_on_commit_callbacks):
    world.a.parent.set_password("a long and unusual passphrase 47")
    world.a.parent.save()
    plan = f.make_plan(world.a.taught_pupil)
    with django_capture_on_commit_callbacks(execute=True):
        sharing = record_share(actor=_actor(world.a.teacher), kind=SharedKind.PLAN, record_id=plan.pk)
    assert (sharing.kind, sharing.record_id, sharing.shared_by) == ("plan", plan.pk, world.a.teacher)
    (event,) = _events("sharing.start")
    assert (event.target_type, event.target_id) == ("support_plan", str(plan.pk))
    assert [m.to for m in mail.outbox] == [[world.a.parent.email]]


def test_it_sends_no_email_to_a_parent_who_has_not_set_a_password_yet(
    world, django_capture_on_commit_callbacks
):
    plan = f.make_plan(world.a.taught_pupil)
    with django_capture_on_commit_callbacks(execute=True):
        record_share(actor=_actor(world.a.senco), kind="plan", record_id=plan.pk)
    assert mail.outbox == []  # their invitation already says where to go


def test_it_dates_a_shared_meeting_record_as_given_to_the_parents(world):
    meeting = f.make_meeting(world.a.taught_pupil)
    given_before = f.make_meeting(world.a.taught_pupil, shared_with_parents_on=TODAY - dt.timedelta(days=9))
    record_share(actor=_actor(world.a.senco), kind="meeting", record_id=meeting.pk)
    record_share(actor=_actor(world.a.senco), kind="meeting", record_id=given_before.pk)
    assert ParentMeeting.objects.get(pk=meeting.pk).shared_with_parents_on == TODAY
    assert ParentMeeting.objects.get(pk=given_before.pk).shared_with_parents_on == TODAY - dt.timedelta(
        days=9
    )
    dated = AuditEvent.objects.get(action="sharing.start", target_id=str(meeting.pk))
    assert "shared_with_parents_on" in dated.fields


@pytest.mark.parametrize("kind", ["plan", "passport", "meeting"])
def test_it_refuses_to_share_a_withdrawn_record(world, kind):
    maker = {"plan": f.make_plan, "passport": f.make_passport, "meeting": f.make_meeting}[kind]
    record = maker(world.a.taught_pupil)
    _withdraw(record, world.a.senco)
    with pytest.raises(ValidationError, match="withdrawn"):
        record_share(actor=_actor(world.a.senco), kind=kind, record_id=record.pk)
    assert not Sharing.objects.exists() and not _events("sharing.start")
    if kind == "meeting":
        assert ParentMeeting.objects.get(pk=record.pk).shared_with_parents_on is None


def test_it_refuses_to_share_twice_and_to_stop_what_is_not_shared(world):
    plan = f.make_plan(world.a.taught_pupil)
    senco = _actor(world.a.senco)
    with pytest.raises(ValidationError, match="not shared"):
        record_unshare(actor=senco, kind="plan", record_id=plan.pk)
    record_share(actor=senco, kind="plan", record_id=plan.pk)
    with pytest.raises(ValidationError, match="already shared"):
        record_share(actor=senco, kind="plan", record_id=plan.pk)
    assert Sharing.objects.count() == 1


def test_it_stops_sharing_and_keeps_the_row(world):
    plan = f.share_with_parents(f.make_plan(world.a.taught_pupil), "plan")
    sharing = record_unshare(actor=_actor(world.a.teacher), kind="plan", record_id=plan.pk)
    assert sharing.stopped_at is not None and sharing.stopped_by == world.a.teacher
    assert _events("sharing.stop")[0].target_id == str(plan.pk)
    # ...and it can be shared again later.
    record_share(actor=_actor(world.a.teacher), kind="plan", record_id=plan.pk)
    assert Sharing.objects.filter(record_id=plan.pk).count() == 2


def test_it_shares_only_the_newest_passport_and_stops_the_older_one(world):
    old = f.make_passport(world.a.taught_pupil)
    senco = _actor(world.a.senco)
    record_share(actor=senco, kind="passport", record_id=old.pk)
    new = f.make_passport(world.a.taught_pupil)
    record_share(actor=senco, kind="passport", record_id=new.pk)
    open_now = Sharing.objects.filter(kind="passport", stopped_at__isnull=True)
    assert [s.record_id for s in open_now] == [new.pk]
    newest = AuditEvent.objects.get(action="sharing.start", target_id=str(new.pk))
    assert "older_version_stopped" in newest.fields


def test_it_refuses_to_share_an_older_passport_version(world):
    old = f.make_passport(world.a.taught_pupil)
    f.make_passport(world.a.taught_pupil)
    with pytest.raises(ValidationError, match="newer version"):
        record_share(actor=_actor(world.a.senco), kind="passport", record_id=old.pk)
    assert not Sharing.objects.exists()


@pytest.mark.parametrize("who", ["ta", "head", "admin", "parent", "dpo"])
def test_it_lets_only_the_senco_and_teacher_share(world, who):
    plan = f.make_plan(world.a.taught_pupil)
    with pytest.raises(Http404):
        record_share(actor=_actor(getattr(world.a, who)), kind="plan", record_id=plan.pk)
    assert not Sharing.objects.exists()


def test_it_keeps_a_teacher_to_the_pupils_they_teach(world):
    plan = f.make_plan(world.a.untaught_pupil)
    with pytest.raises(Http404):
        record_share(actor=_actor(world.a.teacher), kind="plan", record_id=plan.pk)
    other = f.make_plan(world.b.taught_pupil)
    with pytest.raises(Http404):
        record_share(actor=_actor(world.a.senco), kind="plan", record_id=other.pk)


# ---------------------------------------------------------------- views
def _ask(world: Any, **changes: Any) -> ViewsRequest:
    values: dict[str, Any] = {
        "purpose": "Before the review of the support plan",
        "reply_by": TODAY + dt.timedelta(days=10),
        "questions": list(DEFAULT_QUESTIONS),
        **changes,
    }
    return views_request_create(actor=_actor(world.a.teacher), pupil_id=world.a.taught_pupil.pk, **values)


def test_it_asks_for_views_for_the_open_plans_review(world, django_capture_on_commit_callbacks):
    plan = f.make_plan(world.a.taught_pupil)
    world.a.parent.set_password("a long and unusual passphrase 47")
    world.a.parent.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = _ask(
            world, plan_id=plan.pk, questions=["  What is going well?  ", "", "What is going well?"]
        )
    assert request.questions == ["What is going well?"]
    assert (request.plan, request.asked_by) == (plan, world.a.teacher)
    assert _events("views_request.create")[0].fields == ["plan", "purpose", "questions", "reply_by"]
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"reply_by": TODAY - dt.timedelta(days=1)}, "has passed"),
        ({"reply_by": None}, "Enter the date"),
        ({"questions": ["", "  "]}, "at least one question"),
        ({"questions": [f"Question {n}?" for n in range(11)]}, "at most 10"),
        ({"questions": ["Why" * 101]}, "300 characters"),
        ({"purpose": ""}, "cannot be left empty"),
    ],
)
def test_it_refuses_a_request_for_views_that_cannot_be_answered(world, changes, words):
    with pytest.raises(ValidationError, match=words):
        _ask(world, **changes)
    assert not ViewsRequest.objects.exists() and not _events("views_request.create")


def test_it_refuses_a_plan_that_is_not_the_pupils_open_one(world):
    reviewed = f.make_plan(world.a.taught_pupil, reviewed_on=TODAY, next_step="continue")
    elsewhere = f.make_plan(world.a.ehc_pupil)
    for plan in (reviewed, elsewhere):
        with pytest.raises(ValidationError, match="reviewed or withdrawn"):
            _ask(world, plan_id=plan.pk)
    assert not ViewsRequest.objects.exists()


def test_it_refuses_to_ask_when_no_parent_is_linked(world):
    ParentLink.objects.update(ended_at=timezone.now())
    with pytest.raises(ValidationError, match="No parent or carer is linked"):
        _ask(world)


def test_it_takes_a_parents_answers_once(world):
    request = f.make_views_request(world.a.taught_pupil)
    parent = _actor(world.a.parent)
    views = parent_views_give(
        actor=parent, views_request_id=request.pk, answers=["Reading at bedtime.", "", ""]
    )
    assert views.answers == [{"question": DEFAULT_QUESTIONS[0], "answer": "Reading at bedtime."}]
    assert (views.given_by, views.pupil) == (world.a.parent, world.a.taught_pupil)
    assert _events("parent_views.give")[0].fields == ["answers"]
    with pytest.raises(ValidationError, match="already sent"):
        parent_views_give(actor=parent, views_request_id=request.pk, answers=["Again."])
    assert ParentViews.objects.count() == 1


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ([], "at least one"),
        (["", "  "], "at least one"),
        (["x" * 2001], "2,000 characters"),
        (["a"] * 5, "more"),
    ],
)
def test_it_refuses_answers_it_cannot_keep(world, answers, words):
    request = f.make_views_request(world.a.taught_pupil)
    with pytest.raises(ValidationError, match=words):
        parent_views_give(actor=_actor(world.a.parent), views_request_id=request.pk, answers=answers)
    assert not ParentViews.objects.exists() and not _events("parent_views.give")


def test_it_closes_a_request_for_views_after_its_date(world):
    request = f.make_views_request(world.a.taught_pupil, reply_by=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="has closed"):
        parent_views_give(actor=_actor(world.a.parent), views_request_id=request.pk, answers=["Late."])


def test_it_keeps_another_familys_request_from_a_parent(world):
    for pupil in (world.a.untaught_pupil, world.b.taught_pupil):
        request = f.make_views_request(pupil)
        with pytest.raises(Http404):
            parent_views_give(actor=_actor(world.a.parent), views_request_id=request.pk, answers=["Hello."])
    with pytest.raises(Http404):  # staff do not answer for parents
        parent_views_give(
            actor=_actor(world.a.senco),
            views_request_id=f.make_views_request(world.a.taught_pupil).pk,
            answers=["Hello."],
        )
    assert not ParentViews.objects.exists()


# ---------------------------------------------------------------- meetings
def test_it_takes_a_parents_answer_to_a_shared_meeting_record_once(world):
    meeting = f.make_shared_meeting(world.a.taught_pupil)
    parent = _actor(world.a.parent)
    response = meeting_response_give(actor=parent, meeting_id=meeting.pk, agrees=True)
    assert (response.agrees, response.comment, response.parent) == (True, "", world.a.parent)
    assert _events("meeting_response.give")[0].fields == ["agrees"]
    with pytest.raises(ValidationError, match="already answered"):
        meeting_response_give(actor=parent, meeting_id=meeting.pk, agrees=False, comment="Changed my mind.")
    assert MeetingResponse.objects.count() == 1


def test_it_needs_a_comment_when_the_record_is_not_fair(world):
    meeting = f.make_shared_meeting(world.a.taught_pupil)
    parent = _actor(world.a.parent)
    with pytest.raises(ValidationError) as refused:
        meeting_response_give(actor=parent, meeting_id=meeting.pk, agrees=False, comment="  ")
    assert "comment" in refused.value.message_dict
    assert not MeetingResponse.objects.exists()
    meeting_response_give(actor=parent, meeting_id=meeting.pk, agrees=False, comment="We agreed Tuesdays.")
    assert _events("meeting_response.give")[0].fields == ["agrees", "comment"]


def test_it_refuses_an_answer_to_a_record_that_is_not_shared_or_was_withdrawn(world):
    parent = _actor(world.a.parent)
    unshared = f.make_meeting(world.a.taught_pupil)
    withdrawn = f.make_shared_meeting(world.a.taught_pupil)
    _withdraw(withdrawn, world.a.senco)
    stopped = f.make_shared_meeting(world.a.taught_pupil)
    Sharing.objects.filter(record_id=stopped.pk).update(stopped_at=timezone.now(), stopped_by=world.a.senco)
    for meeting in (unshared, withdrawn, stopped, f.make_shared_meeting(world.a.untaught_pupil)):
        with pytest.raises(Http404):
            meeting_response_give(actor=parent, meeting_id=meeting.pk, agrees=True)
    assert not MeetingResponse.objects.exists()


def test_it_takes_a_request_for_a_meeting_and_lets_staff_mark_it_answered(world):
    asked = meeting_request_create(
        actor=_actor(world.a.parent),
        pupil_id=world.a.taught_pupil.pk,
        about="Homework worries.",
        good_times="",
    )
    assert (asked.parent, asked.about) == (world.a.parent, "Homework worries.")
    assert _events("meeting_request.create")[0].fields == ["about"]
    with pytest.raises(Http404):  # the parent cannot mark their own request answered
        meeting_request_answered(actor=_actor(world.a.parent), meeting_request_id=asked.pk)
    done = meeting_request_answered(actor=_actor(world.a.teacher), meeting_request_id=asked.pk)
    assert done.answered_at is not None and done.answered_by == world.a.teacher
    with pytest.raises(ValidationError, match="already marked"):
        meeting_request_answered(actor=_actor(world.a.senco), meeting_request_id=asked.pk)
    assert len(_events("meeting_request.answered")) == 1


def test_it_refuses_an_empty_request_for_a_meeting_and_another_familys_child(world):
    parent = _actor(world.a.parent)
    with pytest.raises(ValidationError):
        meeting_request_create(actor=parent, pupil_id=world.a.taught_pupil.pk, about=" ")
    with pytest.raises(Http404):
        meeting_request_create(actor=parent, pupil_id=world.a.untaught_pupil.pk, about="Hello.")
    assert not MeetingRequest.objects.exists()
