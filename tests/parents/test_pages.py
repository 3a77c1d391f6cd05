"""The parents' pages and the staff's page about parents: who sees what, what is never shown, the forms, and
the audit event of every read."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.exchange.parent_pdf import find_jargon
from tandem.lib.family_words import DEFAULT_QUESTIONS
from tandem.parents.models import (
    MeetingRequest,
    MeetingResponse,
    ParentLink,
    ParentViews,
    Sharing,
    ViewsRequest,
)
from tandem.plans.models import TargetProgress
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()
# Written into every internal field: none may reach a parent's page.
SENTINELS = {
    "do_notes": "SENTINEL-DO-NOTES-7731",
    "evidence": "SENTINEL-PLAN-EVIDENCE-7732",
    "progress_evidence": "SENTINEL-PROGRESS-EVIDENCE-7733",
    "snapshot": "SENTINEL-SNAPSHOT-7734",
    "classroom_link": "SENTINEL-CLASSROOM-LINK-7735",
}
_TAGS = re.compile(r"<[^>]+>")


def _text(response: Any) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", response.content.decode())).split())


def _withdraw(record: Any, by: Any) -> None:
    type(record).objects.filter(pk=record.pk).update(
        withdrawn_at=timezone.now(), withdrawn_by=by, withdrawn_reason="Recorded by mistake."
    )


def _shared_plan(pupil: Any, **fields: Any) -> Any:
    """A plan shared with the parents, with a target, progress on it, and every internal field filled."""
    values = {
        "strengths": "Kind to others and loves drawing.",
        "do_notes": SENTINELS["do_notes"],
        "evidence": SENTINELS["evidence"],
        "progress_snapshot": [{"evidence": SENTINELS["snapshot"], "parent": SENTINELS["snapshot"]}],
        **fields,
    }
    plan = f.share_with_parents(f.make_plan(pupil, **values), "plan")
    target = f.make_target(plan=plan, skill="Retell a short story in order")
    TargetProgress.objects.create(
        target=target,
        pupil=pupil,
        school=pupil.school,
        recorded_on=TODAY,
        note="Retold three of five stories in order.",
        evidence=SENTINELS["progress_evidence"],
        recorded_by=target.accountable_teacher,
    )
    return plan


@pytest.fixture
def parent(client: Client, world: Any) -> Client:
    client.force_login(world.a.parent)
    return client


# ---------------------------------------------------------------- the parent's home
def test_it_shows_a_parent_their_child_and_what_is_waiting(parent, world):
    request = f.make_views_request(world.a.taught_pupil, purpose="Before our meeting in March")
    meeting = f.make_shared_meeting(world.a.taught_pupil, held_on=TODAY - dt.timedelta(days=3))
    f.make_views_request(world.a.untaught_pupil, purpose="SENTINEL-OTHER-FAMILY")
    response = parent.get(reverse("home"))
    assert response.status_code == 200
    page = _text(response)
    assert "Kai SentinelaSupport" in page
    assert "Before our meeting in March" in page
    assert reverse("family_views", args=[request.pk]) in response.content.decode()
    assert reverse("family_meeting", args=[meeting.pk]) in response.content.decode()
    for other in ("Robin", "SentinelaUntaught", "Ellis", "SENTINEL-OTHER-FAMILY"):
        assert other not in page
    assert find_jargon(page) == []
    event = AuditEvent.objects.get(action="family.home")
    assert (event.target_type, event.target_id) == ("pupil", str(world.a.taught_pupil.pk))


def test_it_shows_a_parent_of_two_children_both(parent, world):
    ParentLink.objects.create(
        user=world.a.parent,
        pupil=world.a.ehc_pupil,
        school=world.a.school,
        relationship="Mother",
        linked_by=world.a.senco,
    )
    page = _text(parent.get(reverse("home")))
    assert "Kai SentinelaSupport" in page and "Ellis SentinelaEhc" in page
    assert parent.get(reverse("family_child", args=[world.a.ehc_pupil.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="family.home").count() == 2


# ---------------------------------------------------------------- the child's page
def test_it_shows_the_shared_plan_passport_help_and_meetings_in_plain_words(parent, world):
    pupil = world.a.taught_pupil
    _shared_plan(pupil)
    f.share_with_parents(f.make_passport(pupil, what_helps="A visual timetable."), "passport")
    group = f.make_intervention_group(
        deliverer=world.a.ta, intervention=f.make_intervention(world.a.school, name="Talk Boost")
    )
    f.make_placement(group=group, pupil=pupil, classroom_link=SENTINELS["classroom_link"])
    classmate = f.make_pupil(school=world.a.school, forename="Quinn", surname="Sentinelaclassmate")
    f.make_placement(group=group, pupil=classmate)
    f.make_shared_meeting(pupil, held_on=TODAY - dt.timedelta(days=2))
    response = parent.get(reverse("family_child", args=[pupil.pk]))
    assert response.status_code == 200
    page = _text(response)
    for expected in (
        "Kind to others and loves drawing.",
        "Retell a short story in order",
        "Retold three of five stories in order.",
        "A visual timetable.",
        "Talk Boost",
        "3 times a week, 20 minutes each time, for 10 weeks",
        "Assistant A",
        "An SEN support plan sets out the extra help",
        "Ask for a meeting",
    ):
        assert expected in page, expected
    assert "Quinn" not in page and "Sentinelaclassmate" not in page
    assert find_jargon(page) == []
    event = AuditEvent.objects.get(action="family.view", target_type="pupil")
    assert event.target_id == str(pupil.pk)
    assert {"plan", "targets", "target_progress", "passport", "provision", "meetings"} <= set(event.fields)


def test_it_never_shows_internal_notes_on_any_parent_page(parent, world):
    pupil = world.a.taught_pupil
    _shared_plan(pupil)
    meeting = f.make_shared_meeting(pupil)
    request = f.make_views_request(pupil)
    group = f.make_intervention_group(deliverer=world.a.ta)
    f.make_placement(group=group, pupil=pupil, classroom_link=SENTINELS["classroom_link"])
    pages = [
        reverse("home"),
        reverse("family_child", args=[pupil.pk]),
        reverse("family_meeting", args=[meeting.pk]),
        reverse("family_meeting_answer", args=[meeting.pk]),
        reverse("family_views", args=[request.pk]),
        reverse("family_meeting_request", args=[pupil.pk]),
    ]
    for url in pages:
        response = parent.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        for name, sentinel in SENTINELS.items():
            assert sentinel not in content, f"{name} shown on {url}"


def test_it_hides_unshared_stopped_and_withdrawn_records(parent, world):
    pupil = world.a.taught_pupil
    f.make_plan(pupil, strengths="SENTINEL-UNSHARED-PLAN")
    f.make_passport(pupil, strengths="SENTINEL-UNSHARED-PASSPORT")
    f.make_meeting(pupil, discussed="SENTINEL-UNSHARED-MEETING")
    stopped = f.share_with_parents(f.make_passport(pupil, strengths="SENTINEL-STOPPED"), "passport")
    Sharing.objects.filter(record_id=stopped.pk).update(stopped_at=timezone.now(), stopped_by=world.a.senco)
    withdrawn = _shared_plan(pupil, reviewed_on=TODAY, next_step="continue", strengths="SENTINEL-WITHDRAWN")
    _withdraw(withdrawn, world.a.senco)
    gone = f.make_shared_meeting(pupil, held_on=TODAY - dt.timedelta(days=40))
    _withdraw(gone, world.a.senco)
    response = parent.get(reverse("family_child", args=[pupil.pk]))
    page = response.content.decode()
    for sentinel in ("UNSHARED", "STOPPED", "WITHDRAWN"):
        assert f"SENTINEL-{sentinel}" not in page
    assert "has not shared a support plan" in page
    assert "has not shared a one-page profile" in page
    assert reverse("family_meeting", args=[gone.pk]) not in page
    assert parent.get(reverse("family_meeting", args=[gone.pk])).status_code == 404


def test_it_shows_the_newest_shared_passport_version(parent, world):
    pupil = world.a.taught_pupil
    f.share_with_parents(f.make_passport(pupil, strengths="Version one strengths."), "passport")
    f.share_with_parents(f.make_passport(pupil, strengths="Version two strengths."), "passport")
    f.make_passport(pupil, strengths="SENTINEL-NOT-YET-SHARED")
    page = _text(parent.get(reverse("family_child", args=[pupil.pk])))
    assert "Version two strengths." in page
    assert "Version one strengths." not in page and "SENTINEL-NOT-YET-SHARED" not in page


@pytest.mark.parametrize("name", ["family_child", "family_meeting_request"])
def test_it_answers_another_familys_child_like_a_missing_page(parent, world, name):
    missing = parent.get(reverse(name, args=[world.missing_id]))
    assert missing.status_code == 404
    for pupil in (world.a.untaught_pupil, world.b.taught_pupil):
        response = parent.get(reverse(name, args=[pupil.pk]))
        assert response.status_code == 404
        assert response.content == missing.content
    assert AuditEvent.objects.filter(outcome="denied", target_id=str(world.a.untaught_pupil.pk)).exists()


@pytest.mark.parametrize("who", ["teacher", "senco", "head", "ta", "admin"])
def test_it_keeps_the_parents_pages_for_parents(client, world, who):
    client.force_login(getattr(world.a, who))
    assert client.get(reverse("family_child", args=[world.a.taught_pupil.pk])).status_code == 404


# ---------------------------------------------------------------- the meeting record
def test_it_takes_a_parents_answer_to_a_meeting_record(parent, world):
    meeting = f.make_shared_meeting(world.a.taught_pupil, agreed_actions="Reading together every evening.")
    page = parent.get(reverse("family_meeting", args=[meeting.pk]))
    assert "Reading together every evening." in _text(page)
    assert "This is a fair record" in _text(page)
    assert AuditEvent.objects.get(action="family.view", target_type="parent_meeting").target_id == str(
        meeting.pk
    )
    url = reverse("family_meeting_answer", args=[meeting.pk])
    refused = parent.post(url, with_form_token({"agrees": "no", "comment": ""}, world.a.parent))
    assert refused.status_code == 400 and "tell the school what is not right" in _text(refused).lower()
    assert not MeetingResponse.objects.exists()
    saved = parent.post(url, with_form_token({"agrees": "yes", "comment": ""}, world.a.parent))
    assert saved.status_code == 302 and saved["Location"] == reverse("family_child", args=[meeting.pupil_id])
    assert MeetingResponse.objects.get().agrees is True
    after = _text(parent.get(reverse("family_meeting", args=[meeting.pk])))
    assert "You said this is a fair record" in after and "Send my answer" not in after
    assert parent.get(url).status_code == 302  # answered: back to the record


def test_it_hides_a_meeting_record_that_is_not_shared(parent, world):
    for meeting in (
        f.make_meeting(world.a.taught_pupil),
        f.make_shared_meeting(world.a.untaught_pupil),
        f.make_shared_meeting(world.b.taught_pupil),
    ):
        assert parent.get(reverse("family_meeting", args=[meeting.pk])).status_code == 404


# ---------------------------------------------------------------- the school's questions
def test_it_takes_a_parents_views_once(parent, world):
    request = f.make_views_request(world.a.taught_pupil)
    url = reverse("family_views", args=[request.pk])
    page = _text(parent.get(url))
    for question in DEFAULT_QUESTIONS:
        assert question in page
    empty = parent.post(url, with_form_token({}, world.a.parent))
    assert empty.status_code == 400 and "Answer at least one question" in _text(empty)
    data = {"answer_0": "Reading at bedtime.", "answer_2": "Spelling."}
    saved = parent.post(url, with_form_token(data, world.a.parent))
    assert saved.status_code == 302
    views = ParentViews.objects.get()
    assert [a["answer"] for a in views.answers] == ["Reading at bedtime.", "Spelling."]
    again = _text(parent.get(url))
    assert "You sent your answers" in again and "Send my answers" not in again


def test_it_says_when_a_request_for_views_has_closed(parent, world):
    request = f.make_views_request(world.a.taught_pupil, reply_by=TODAY - dt.timedelta(days=1))
    page = _text(parent.get(reverse("family_views", args=[request.pk])))
    assert "this has closed" in page and "Send my answers" not in page


def test_it_sends_a_parents_request_for_a_meeting(parent, world):
    url = reverse("family_meeting_request", args=[world.a.taught_pupil.pk])
    assert "Ask for a meeting about Kai" in _text(parent.get(url))
    response = parent.post(
        url, with_form_token({"about": "Homework.", "good_times": "After 3"}, world.a.parent)
    )
    assert response.status_code == 302
    asked = MeetingRequest.objects.get()
    assert (asked.parent, asked.good_times) == (world.a.parent, "After 3")
    assert "the school has not answered yet" in _text(
        parent.get(reverse("family_child", args=[asked.pupil_id]))
    )


# ---------------------------------------------------------------- the staff's page
def test_it_shows_the_senco_the_parents_what_they_see_and_what_they_said(client, world):
    pupil = world.a.taught_pupil
    plan = f.make_plan(pupil)
    f.share_with_parents(plan, "plan")
    meeting = f.make_shared_meeting(pupil)
    MeetingResponse.objects.create(
        meeting=meeting,
        pupil=pupil,
        school=pupil.school,
        parent=world.a.parent,
        agrees=False,
        comment="Not Tuesdays.",
    )
    request = f.make_views_request(pupil)
    ParentViews.objects.create(
        request=request,
        pupil=pupil,
        school=pupil.school,
        given_by=world.a.parent,
        answers=[{"question": "What is worrying you?", "answer": "Spelling tests."}],
    )
    f.make_meeting_request(pupil, about="Talk about homework.")
    client.force_login(world.a.senco)
    response = client.get(reverse("pupil_parents", args=[pupil.pk]))
    assert response.status_code == 200
    page = _text(response)
    for expected in (
        "Parent A",
        "Mother",
        "Invited: has not signed in yet",
        "Support plan, cycle 1",
        "Stop sharing",
        "Not Tuesdays.",
        "Spelling tests.",
        "Talk about homework.",
        "Mark as answered",
        "Invite a parent or carer",
    ):
        assert expected in page, expected
    event = AuditEvent.objects.get(action="parent_access.view")
    assert (event.target_type, event.target_id) == ("pupil", str(pupil.pk))


def test_it_shows_the_head_the_page_without_buttons_and_keeps_others_out(client, world):
    client.force_login(world.a.head)
    page = _text(client.get(reverse("pupil_parents", args=[world.a.taught_pupil.pk])))
    assert "Parent A" in page and "Invite a parent or carer" not in page and "End link" not in page
    for who, pupil in ((world.a.teacher, world.a.untaught_pupil), (world.a.ta, world.a.taught_pupil)):
        client.force_login(who)
        assert client.get(reverse("pupil_parents", args=[pupil.pk])).status_code == 404
    client.force_login(world.a.senco)
    assert client.get(reverse("pupil_parents", args=[world.b.taught_pupil.pk])).status_code == 404


def test_it_links_a_parent_from_the_page(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.a.senco)
    url = reverse("parent_invite", args=[world.a.taught_pupil.pk])
    data = {"email": "dad@test.example", "full_name": "Dev Dad", "relationship": "Father"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, with_form_token(data, world.a.senco), follow=True)
    assert "Dev Dad is linked as Father. An invitation to sign in is on its way to dad@test.example" in _text(
        response
    )
    again = client.post(url, with_form_token({**data, "relationship": "Dad"}, world.a.senco))
    assert again.status_code == 400 and "already linked" in _text(again)
    assert ParentLink.objects.filter(user__email="dad@test.example").count() == 1


def test_it_shares_and_stops_sharing_from_the_page(client, world):
    plan = f.make_plan(world.a.taught_pupil)
    client.force_login(world.a.teacher)
    url = reverse("plan_share", args=[plan.pk])
    shared = client.post(url, {"share": "yes"}, follow=True)
    assert "Shared: the parents have been emailed" in _text(shared)
    assert Sharing.objects.filter(record_id=plan.pk, stopped_at__isnull=True).exists()
    twice = client.post(url, {"share": "yes"}, follow=True)
    assert "already shared" in _text(twice)
    client.post(url, {"share": "no"})
    assert not Sharing.objects.filter(record_id=plan.pk, stopped_at__isnull=True).exists()
    assert client.get(url).status_code == 405


def test_it_ends_a_link_and_marks_a_request_answered_from_the_page(client, world):
    link = ParentLink.objects.get(user=world.a.parent)
    asked = f.make_meeting_request(world.a.taught_pupil)
    client.force_login(world.a.senco)
    client.post(reverse("meeting_request_answered", args=[asked.pk]))
    response = client.post(reverse("parent_link_end", args=[link.pk]), follow=True)
    assert "Parent A no longer sees this pupil's records." in _text(response)
    assert "Ended on" in _text(response) and "Answered on" in _text(response)
    client.force_login(world.a.parent)
    assert client.get(reverse("family_child", args=[world.a.taught_pupil.pk])).status_code == 404


def test_it_asks_for_views_with_the_default_questions_for_the_open_plan(client, world):
    plan = f.make_plan(world.a.taught_pupil, review_on=TODAY + dt.timedelta(days=40))
    client.force_login(world.a.teacher)
    url = reverse("parent_views_ask", args=[world.a.taught_pupil.pk])
    form = client.get(url).content.decode()
    for question in DEFAULT_QUESTIONS:
        assert question.replace("'", "&#x27;") in form
    data = {
        "purpose": "Before the review",
        "reply_by": (TODAY + dt.timedelta(days=7)).isoformat(),
        "questions": "What is going well?\r\n\r\nWhat is hard at home?\r\n",
        "for_plan": "on",
    }
    assert client.post(url, with_form_token(data, world.a.teacher)).status_code == 302
    request = ViewsRequest.objects.get()
    assert (request.plan, request.questions) == (plan, ["What is going well?", "What is hard at home?"])


def test_it_shows_the_parents_views_on_the_plans_review_page(client, world):
    pupil = world.a.taught_pupil
    plan = f.make_plan(pupil)
    request = f.make_views_request(pupil, plan=plan)
    ParentViews.objects.create(
        request=request,
        pupil=pupil,
        school=pupil.school,
        given_by=world.a.parent,
        answers=[{"question": "What is going well for your child?", "answer": "Loves the reading club."}],
    )
    f.make_views_request(pupil, purpose="SENTINEL-NOT-FOR-THIS-PLAN")
    client.force_login(world.a.senco)
    page = _text(client.get(reverse("plan_review", args=[plan.pk])))
    assert "What parents told us before this review" in page
    assert "Parent A (Mother)" in page and "Loves the reading club." in page
    assert "SENTINEL-NOT-FOR-THIS-PLAN" not in page
    assert AuditEvent.objects.filter(action="parent_views.view", target_id=str(plan.pk)).count() == 1


@pytest.mark.parametrize(
    ("who", "shown"), [("senco", True), ("teacher", True), ("head", True), ("ta", False)]
)
def test_it_links_the_parents_page_from_the_pupil_page_for_those_who_may_open_it(client, world, who, shown):
    client.force_login(getattr(world.a, who))
    response = client.get(reverse("pupil_detail", args=[world.a.taught_pupil.pk]))
    assert response.status_code == 200
    assert (reverse("pupil_parents", args=[world.a.taught_pupil.pk]) in response.content.decode()) is shown
