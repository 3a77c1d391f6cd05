"""Correcting and withdrawing plans, targets, target progress and meetings with parents: who may, the
history (changed by, when, what), the audit trail without values, withdrawn records out of lists and
counts, the version parents were given, and stale edits refused."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.plans.models import ParentMeeting, SupportPlan, Target, TargetProgress
from tandem.plans.selectors import compliance_view, pupil_timeline
from tandem.plans.to_do import to_do
from tandem.revisions.models import RecordVersion, SharedDocument
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()


def _plan_post(plan: SupportPlan, version: int = 1, **overrides: str) -> dict[str, str]:
    data = {
        "summary": plan.summary,
        "strengths": plan.strengths,
        "needs": plan.needs,
        "pupil_views": plan.pupil_views,
        "parent_views": plan.parent_views,
        "evidence": plan.evidence,
        "strategies": plan.strategies,
        "interventions": plan.interventions,
        "expected_impact": plan.expected_impact,
        "starts_on": plan.starts_on.isoformat(),
        "review_on": plan.review_on.isoformat(),
        "version": str(version),
    }
    data.update(overrides)
    return data


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _page(client, name: str, pk: object) -> str:
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


# ---------------------------------------------------------------- plans
def test_it_lets_the_senco_correct_a_plan_and_keeps_the_first_version(client, world):
    plan = f.make_plan(world.a.taught_pupil, needs="Reding longer words.")
    client.force_login(world.a.senco)
    response = client.post(
        reverse("plan_edit", args=[plan.pk]),
        with_form_token(
            _plan_post(plan, needs="Reading longer words.", reason="Typing mistake"), world.a.senco
        ),
    )
    assert response.status_code == 302 and response["Location"] == reverse("plan_detail", args=[plan.pk])
    plan.refresh_from_db()
    assert plan.needs == "Reading longer words."
    first, second = RecordVersion.objects.filter(record_id=plan.pk).order_by("number")
    assert (first.kind, first.changed_by_id, first.fields["needs"]) == (
        "created",
        world.a.teacher.pk,
        "Reding longer words.",
    )
    assert (second.kind, second.changed_by_id, second.fields["needs"]) == (
        "corrected",
        world.a.senco.pk,
        "Reading longer words.",
    )
    assert second.reason == "Typing mistake"


def test_it_shows_who_changed_what_and_when_in_the_plans_history(client, world):
    plan = f.make_plan(world.a.taught_pupil, needs="Reding longer words.")
    client.force_login(world.a.senco)
    client.post(
        reverse("plan_edit", args=[plan.pk]),
        with_form_token(_plan_post(plan, needs="Reading longer words."), world.a.senco),
    )
    client.force_login(world.a.teacher)
    page = _page(client, "plan_detail", plan.pk)
    history = page[page.index("Versions of this plan") :]
    assert "Corrected" in history and "Senco A" in history and "Teacher A" in history
    assert "Needs: “Reding longer words.” changed to “Reading longer words.”" in history
    assert f"{timezone.localtime():%-d %b %Y}" in history


def test_it_audits_a_correction_by_field_name_without_the_words(client, world):
    plan = f.make_plan(world.a.taught_pupil, needs="Reding longer words.")
    client.force_login(world.a.senco)
    client.post(
        reverse("plan_edit", args=[plan.pk]),
        with_form_token(_plan_post(plan, needs="Reading longer words."), world.a.senco),
    )
    event = AuditEvent.objects.get(action="plan.correct")
    assert (event.target_type, event.target_id, event.fields) == ("support_plan", str(plan.pk), ["needs"])
    assert "Reading" not in str(event.__dict__)


def test_it_lets_a_reviewed_plan_be_corrected(client, world):
    f.make_plan(world.a.taught_pupil)
    closed = f.make_plan(world.a.taught_pupil, reviewed_on=TODAY, next_step="continue")
    closed.review_summary, closed.review_pupil_views, closed.review_parent_views = "Good", "Happy", "Plased"
    closed.save()
    client.force_login(world.a.senco)
    data = _plan_post(
        closed, review_summary="Good", review_pupil_views="Happy", review_parent_views="Pleased"
    )
    response = client.post(reverse("plan_edit", args=[closed.pk]), with_form_token(data, world.a.senco))
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.review_parent_views == "Pleased"


def test_it_refuses_a_teacher_and_another_schools_senco(client, world):
    plan = f.make_plan(world.a.taught_pupil, needs="Reding.")
    for user in (world.a.teacher, world.b.senco):
        client.force_login(user)
        url = reverse("plan_edit", args=[plan.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, with_form_token(_plan_post(plan, needs="Reading."), user)).status_code == 404
        assert (
            client.post(reverse("plan_withdraw", args=[plan.pk]), {"reason": "Wrong pupil"}).status_code
            == 404
        )
    plan.refresh_from_db()
    assert plan.needs == "Reding." and plan.withdrawn_at is None
    assert not RecordVersion.objects.exists()


def test_it_refuses_a_stale_correction_and_saves_nothing(client, world):
    plan = f.make_plan(world.a.taught_pupil, needs="Reding.")
    client.force_login(world.a.senco)
    url = reverse("plan_edit", args=[plan.pk])
    first = client.post(url, with_form_token(_plan_post(plan, needs="Reading."), world.a.senco))
    assert first.status_code == 302
    # A second form opened before the first was saved still says version 1.
    stale = client.post(
        url, with_form_token(_plan_post(plan, needs="Reading well.", version=1), world.a.senco)
    )
    assert stale.status_code == 400
    assert "someone else changed this record after you opened it" in stale.content.decode()
    plan.refresh_from_db()
    assert plan.needs == "Reading."
    assert RecordVersion.objects.filter(record_id=plan.pk).count() == 2
    assert AuditEvent.objects.filter(action="plan.correct").count() == 1


def test_it_refuses_a_correction_that_changes_nothing(client, world):
    plan = f.make_plan(world.a.taught_pupil)
    client.force_login(world.a.senco)
    response = client.post(
        reverse("plan_edit", args=[plan.pk]), with_form_token(_plan_post(plan), world.a.senco)
    )
    assert response.status_code == 400 and "Nothing was changed" in response.content.decode()
    assert not RecordVersion.objects.exists()


def test_it_withdraws_a_plan_from_lists_and_counts_but_keeps_its_page(client, world):
    pupil = world.a.taught_pupil
    plan = f.make_plan(pupil, review_on=TODAY + dt.timedelta(days=5))
    client.force_login(world.a.senco)
    before = compliance_view(actor=actor_for(world.a.senco))
    assert before.open_plans == 1 and pupil not in before.without_plan
    assert (
        client.post(
            reverse("plan_withdraw", args=[plan.pk]), with_form_token({"reason": ""}, world.a.senco)
        ).status_code
        == 400
    )
    response = client.post(
        reverse("plan_withdraw", args=[plan.pk]),
        with_form_token({"reason": "Written for the wrong pupil", "version": "1"}, world.a.senco),
    )
    assert response.status_code == 302
    after = compliance_view(actor=actor_for(world.a.senco))
    assert after.open_plans == 0 and pupil in after.without_plan
    assert to_do(actor=actor_for(world.a.teacher)).reviews_due == []
    timeline = pupil_timeline(actor=actor_for(world.a.senco), pupil_id=pupil.pk)
    assert [e for e in timeline.entries if e.kind == "Support plan"] == []
    assert [e.url for e in timeline.withdrawn] == [reverse("plan_detail", args=[plan.pk])]
    page = _page(client, "plan_detail", plan.pk)
    assert "Withdrawn</strong> on" in page and "by Senco A: Written for the wrong pupil" in page
    assert "Withdrawn: Written for the wrong pupil" in page  # the history row
    assert client.get(reverse("plan_pdf", args=[plan.pk])).status_code == 404
    event = AuditEvent.objects.get(action="plan.withdraw")
    assert event.fields == ["withdrawn_at", "withdrawn_by", "withdrawn_reason"]
    # A withdrawn plan no longer counts as the pupil's open plan: a new one can be written.
    assert f.make_plan(pupil).cycle == 2


def test_it_tells_the_school_which_version_parents_were_given(client, world):
    plan = f.make_plan(world.a.taught_pupil, needs="Reding.")
    client.force_login(world.a.senco)
    first = client.get(reverse("plan_pdf", args=[plan.pk]))
    assert "Version 1" in _pdf_text(first.content)
    page = _page(client, "plan_detail", plan.pk)
    assert f"Parents were given version 1 on {TODAY:%-d %B %Y}" in page
    assert "Corrected since parents were given it" not in page
    client.post(
        reverse("plan_edit", args=[plan.pk]),
        with_form_token(_plan_post(plan, needs="Reading."), world.a.senco),
    )
    assert "Corrected since parents were given it: give them the new version" in _page(
        client, "plan_detail", plan.pk
    )
    second = client.get(reverse("plan_pdf", args=[plan.pk]))
    assert "Version 2" in _pdf_text(second.content)
    assert list(SharedDocument.objects.order_by("shared_at", "pk").values_list("version", flat=True)) == [
        1,
        2,
    ]
    assert "Corrected since" not in _page(client, "plan_detail", plan.pk)


# ---------------------------------------------------------------- targets and progress
def _target_post(target: Target, version: int = 1, **overrides: str) -> dict[str, str]:
    data = {
        "skill": target.skill,
        "measure": target.measure,
        "baseline": target.baseline,
        "success_criterion": target.success_criterion,
        "due_on": target.due_on.isoformat(),
        "supporters": target.supporters,
        "version": str(version),
    }
    data.update(overrides)
    return data


def test_it_corrects_a_target_through_the_smart_check(client, world):
    target = f.make_target(plan=f.make_plan(world.a.taught_pupil), baseline="Reads 2 of the 64 words")
    client.force_login(world.a.senco)
    url = reverse("target_edit", args=[target.pk])
    refused = client.post(url, with_form_token(_target_post(target, due_on=""), world.a.senco))
    assert refused.status_code == 400
    response = client.post(
        url, with_form_token(_target_post(target, baseline="Reads 20 of the 64 words"), world.a.senco)
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.baseline == "Reads 20 of the 64 words"
    assert AuditEvent.objects.get(action="target.correct").fields == ["baseline"]
    page = _page(client, "plan_detail", target.plan_id)
    assert (
        "History of this target" in page
        and "“Reads 2 of the 64 words” changed to “Reads 20 of the 64 words”" in page
    )


def test_it_withdraws_a_target_from_the_to_do_list_and_the_parents_copy(client, world):
    plan = f.make_plan(world.a.taught_pupil)
    target = f.make_target(plan=plan, skill="Count to twenty", due_on=TODAY + dt.timedelta(days=3))
    assert to_do(actor=actor_for(world.a.teacher)).targets_ending == [target]
    client.force_login(world.a.teacher)
    assert client.get(reverse("target_withdraw", args=[target.pk])).status_code == 404  # the SENCo's to do
    client.force_login(world.a.senco)
    response = client.post(
        reverse("target_withdraw", args=[target.pk]),
        with_form_token({"reason": "Duplicate of another target", "version": "1"}, world.a.senco),
    )
    assert response.status_code == 302
    assert to_do(actor=actor_for(world.a.teacher)).targets_ending == []
    assert "Count to twenty" not in _pdf_text(client.get(reverse("plan_pdf", args=[plan.pk])).content)
    page = _page(client, "plan_detail", plan.pk)
    withdrawn = page[page.index("Withdrawn targets") :]
    assert "Count to twenty" in withdrawn and "Duplicate of another target" in withdrawn


def _progress(target: Target, user: object, note: str = "Reads 30 of the 64 words.") -> TargetProgress:
    return TargetProgress.objects.create(
        target=target,
        pupil=target.pupil,
        school=target.school,
        recorded_on=TODAY,
        note=note,
        recorded_by=user,
    )


def test_it_lets_a_supporting_assistant_correct_and_withdraw_progress(client, world):
    target = f.make_target(plan=f.make_plan(world.a.taught_pupil))
    entry = _progress(target, world.a.ta, note="Reads 03 of the 64 words.")
    client.force_login(world.a.ta)
    data = {
        "recorded_on": TODAY.isoformat(),
        "note": "Reads 30 of the 64 words.",
        "evidence": "",
        "version": "1",
    }
    response = client.post(
        reverse("target_progress_edit", args=[entry.pk]), with_form_token(data, world.a.ta)
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.note == "Reads 30 of the 64 words."
    assert AuditEvent.objects.get(action="target_progress.correct").fields == ["note"]
    response = client.post(
        reverse("target_progress_withdraw", args=[entry.pk]),
        with_form_token({"reason": "Recorded against the wrong target", "version": "2"}, world.a.ta),
    )
    assert response.status_code == 302
    timeline = pupil_timeline(actor=actor_for(world.a.senco), pupil_id=target.pupil_id)
    assert [e for e in timeline.entries if e.kind == "Target progress"] == []
    page = _page(client, "plan_detail", target.plan_id)
    assert "History of this progress entry" in page and "Recorded against the wrong target" in page
    assert "No progress recorded yet." in page


def test_it_hides_another_schools_progress_from_correction(client, world):
    entry = _progress(f.make_target(plan=f.make_plan(world.b.taught_pupil)), world.b.teacher)
    client.force_login(world.a.senco)
    assert client.get(reverse("target_progress_edit", args=[entry.pk])).status_code == 404


# ---------------------------------------------------------------- meetings
def _meeting_post(meeting: ParentMeeting, version: int = 1, **overrides: str) -> dict[str, str]:
    data = {
        "held_on": meeting.held_on.isoformat(),
        "led_by": str(meeting.led_by_id),
        "who_attended": meeting.who_attended,
        "parent_views": meeting.parent_views,
        "pupil_views": meeting.pupil_views,
        "discussed": meeting.discussed,
        "agreed_actions": meeting.agreed_actions,
        "shared_with_parents_on": "",
        "next_meeting_on": "",
        "version": str(version),
    }
    data.update(overrides)
    return data


def test_it_corrects_a_meeting_record_and_says_parents_have_an_older_version(client, world):
    meeting = f.make_meeting(world.a.taught_pupil, agreed_actions="Reading at hom.")
    client.force_login(world.a.teacher)
    assert "Version 1" in _pdf_text(client.get(reverse("meeting_pdf", args=[meeting.pk])).content)
    response = client.post(
        reverse("meeting_edit", args=[meeting.pk]),
        with_form_token(_meeting_post(meeting, agreed_actions="Reading at home."), world.a.teacher),
    )
    assert response.status_code == 302
    page = _page(client, "meeting_detail", meeting.pk)
    assert "Parents were given version 1" in page and "Corrected since parents were given it" in page
    assert "Agreed actions: “Reading at hom.” changed to “Reading at home.”" in page
    assert AuditEvent.objects.get(action="meeting.correct").fields == ["agreed_actions"]
    assert "Version 2" in _pdf_text(client.get(reverse("meeting_pdf", args=[meeting.pk])).content)


def test_it_withdraws_a_meeting_from_the_years_count(client, world):
    meeting = f.make_meeting(world.a.taught_pupil)
    assert compliance_view(actor=actor_for(world.a.senco)).meetings_this_year == 1
    client.force_login(world.a.senco)
    response = client.post(
        reverse("meeting_withdraw", args=[meeting.pk]),
        with_form_token({"reason": "Recorded twice", "version": "1"}, world.a.senco),
    )
    assert response.status_code == 302
    assert compliance_view(actor=actor_for(world.a.senco)).meetings_this_year == 0
    page = _page(client, "meeting_detail", meeting.pk)
    assert "Recorded twice" in page and "Correct this record" not in page
    assert client.get(reverse("meeting_pdf", args=[meeting.pk])).status_code == 404


def test_it_refuses_a_meeting_correction_by_an_assistant(client, world):
    meeting = f.make_meeting(world.a.taught_pupil)
    client.force_login(world.a.ta)
    response = client.post(
        reverse("meeting_edit", args=[meeting.pk]),
        with_form_token(_meeting_post(meeting, agreed_actions="Changed."), world.a.ta),
    )
    assert response.status_code == 404
    meeting.refresh_from_db()
    assert meeting.agreed_actions == "Reading at home."


def test_it_corrects_who_led_a_meeting_and_names_them_in_the_history(client, world):
    meeting = f.make_meeting(world.a.taught_pupil)
    client.force_login(world.a.senco)
    response = client.post(
        reverse("meeting_edit", args=[meeting.pk]),
        with_form_token(_meeting_post(meeting, led_by=str(world.a.senco.pk)), world.a.senco),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.led_by_id == world.a.senco.pk
    assert AuditEvent.objects.get(action="meeting.correct").fields == ["led_by"]
    assert "Led by: “Teacher A” changed to “Senco A”" in _page(client, "meeting_detail", meeting.pk)


def test_it_keeps_a_plan_a_later_cycle_carries_on_from(client, world):
    first = f.make_plan(world.a.taught_pupil, reviewed_on=TODAY, next_step="continue")
    f.make_plan(world.a.taught_pupil, previous=first)
    client.force_login(world.a.senco)
    response = client.post(
        reverse("plan_withdraw", args=[first.pk]),
        with_form_token({"reason": "Wrong pupil", "version": "1"}, world.a.senco),
    )
    assert (
        response.status_code == 400 and "A later cycle carries on from this plan" in response.content.decode()
    )
    first.refresh_from_db()
    assert first.withdrawn_at is None


def test_it_refuses_to_correct_a_withdrawn_record(client, world):
    meeting = f.make_meeting(world.a.taught_pupil, withdrawn_at=timezone.now(), withdrawn_reason="Twice")
    client.force_login(world.a.senco)
    response = client.post(
        reverse("meeting_edit", args=[meeting.pk]),
        with_form_token(_meeting_post(meeting, agreed_actions="Changed."), world.a.senco),
    )
    assert response.status_code == 400 and "has been withdrawn" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.agreed_actions == "Reading at home."
