"""The graduated-approach pages: refusals shown on the form, parent PDFs, audit of every view."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tandem.audit.models import AuditEvent
from tandem.exchange.parent_pdf import find_jargon
from tandem.plans.models import SupportPlan
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()


def _plan_post(teacher_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "summary": "Decoding well below peers.",
        "strengths": "Good oral vocabulary.",
        "needs": "Reading longer words.",
        "pupil_views": "I like reading with a grown-up.",
        "parent_views": "Reads at home most nights.",
        "strategies": "Pre-teach key words; paired reading.",
        "expected_impact": "Reads Year 3 texts fluently.",
        "starts_on": TODAY.isoformat(),
        "review_on": (TODAY + dt.timedelta(days=70)).isoformat(),
        "accountable_teacher": str(teacher_id),
    }
    data.update(overrides)
    return data


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_it_refuses_a_teaching_assistant_as_accountable_on_the_page(client, world):
    client.force_login(world.a.senco)
    url = reverse("plan_new", args=[world.a.taught_pupil.pk])
    response = client.post(url, with_form_token(_plan_post(world.a.ta.pk), world.a.senco))
    assert response.status_code == 400
    assert "Assistant A is a teaching assistant" in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_it_refuses_a_plan_without_a_review_date_on_the_page(client, world):
    client.force_login(world.a.senco)
    url = reverse("plan_new", args=[world.a.taught_pupil.pk])
    response = client.post(url, with_form_token(_plan_post(world.a.teacher.pk, review_on=""), world.a.senco))
    assert response.status_code == 400
    assert (
        "Enter a review date: the Code asks for a clear date to review the plan" in response.content.decode()
    )
    assert not SupportPlan.objects.exists()


def test_it_saves_a_plan_and_audits_it(client, world):
    client.force_login(world.a.senco)
    response = client.post(
        reverse("plan_new", args=[world.a.taught_pupil.pk]),
        with_form_token(_plan_post(world.a.teacher.pk), world.a.senco),
    )
    plan = SupportPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("plan_detail", args=[plan.pk])
    assert AuditEvent.objects.filter(action="support_plan.create", target_id=str(plan.pk)).count() == 1


def test_it_prints_the_plan_for_parents_in_plain_words(client, world):
    pupil = world.a.taught_pupil  # on SEN support for speech, language and communication (SLCN)
    plan = f.make_plan(
        pupil,
        strengths="Kind to others and loves drawing.",
        needs="Finding the right words when speaking in class.",
        strategies="Visual prompts and extra thinking time before answering.",
    )
    f.make_target(plan=plan, skill="Retell a short story in the right order")
    client.force_login(world.a.teacher)
    response = client.get(reverse("plan_pdf", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = _pdf_text(response.content)
    for expected in ("Kai", "Kind to others and loves drawing.", "Retell a short story in the right order"):
        assert expected in text
    assert find_jargon(text) == []
    assert AuditEvent.objects.filter(action="support_plan.print", target_id=str(plan.pk)).count() == 1


def test_it_prints_the_meeting_record_for_parents(client, world):
    meeting = f.make_meeting(world.a.taught_pupil, agreed_actions="Reading together for ten minutes a day.")
    client.force_login(world.a.senco)
    response = client.get(reverse("meeting_pdf", args=[meeting.pk]))
    text = _pdf_text(response.content)
    assert "Reading together for ten minutes a day." in text
    assert find_jargon(text) == []
    assert AuditEvent.objects.filter(action="parent_meeting.print").count() == 1


def test_it_hides_another_schools_plan_pdf(client, world):
    plan = f.make_plan(world.b.taught_pupil)
    client.force_login(world.a.senco)
    assert client.get(reverse("plan_pdf", args=[plan.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="support_plan.view", outcome="denied").count() == 1


def test_it_audits_every_view_of_the_support_record(client, world):
    pupil = world.a.taught_pupil
    plan = f.make_plan(pupil)
    concern = f.make_concern(pupil)
    response = f.make_first_response(pupil)
    meeting = f.make_meeting(pupil)
    f.make_passport(pupil)
    client.force_login(world.a.teacher)
    pages = {
        "timeline.view": reverse("pupil_timeline", args=[pupil.pk]),
        "support_plan.view": reverse("plan_detail", args=[plan.pk]),
        "concern.view": reverse("concern_detail", args=[concern.pk]),
        "first_response.view": reverse("first_response_detail", args=[response.pk]),
        "parent_meeting.view": reverse("meeting_detail", args=[meeting.pk]),
        "passport.view": reverse("passport", args=[pupil.pk]),
    }
    for action, url in pages.items():
        assert client.get(url).status_code == 200, url
        assert AuditEvent.objects.filter(action=action, actor_id=world.a.teacher.pk).count() == 1, action


def test_it_records_that_an_adult_has_read_the_passport(client, world):
    passport = f.make_passport(world.a.taught_pupil)
    client.force_login(world.a.ta)
    assert "passport" in client.get(reverse("to_do")).content.decode().lower()
    page = client.get(reverse("to_do")).content.decode()
    assert "Kai SentinelaSupport: Version 1" in page
    client.post(reverse("passport_read", args=[passport.pk]))
    assert "Kai SentinelaSupport: Version 1" not in client.get(reverse("to_do")).content.decode()
    passport_page = client.get(reverse("passport", args=[world.a.taught_pupil.pk])).content.decode()
    assert "You have read this version." in passport_page
    assert AuditEvent.objects.filter(action="passport.read").count() == 1


def test_it_lists_records_whose_teacher_no_longer_teaches_the_pupil(client, world):
    pupil = world.a.taught_pupil
    plan = f.make_plan(pupil)
    client.force_login(world.a.senco)
    assert "Support plan for Kai" not in client.get(reverse("compliance")).content.decode()
    world.a.group.staff.filter(user=plan.accountable_teacher).delete()  # the teacher moves to another class
    page = client.get(reverse("compliance")).content.decode()
    assert "Support plan for Kai SentinelaSupport</a>: was Teacher A" in page


def test_it_lets_the_senco_give_an_orphaned_plan_a_new_accountable_teacher(client, world):
    pupil = world.a.taught_pupil
    plan = f.make_plan(pupil)
    target = f.make_target(plan=plan)
    newcomer = f.make_user(email="newcomer.a@test.example", full_name="Newcomer Teacher")
    f.make_membership(user=newcomer, role="teacher", school=world.a.school)
    maths = f.make_group(school=world.a.school, name="4 Maths", teachers=[newcomer], subject="maths")
    f.enrol(group=maths, pupils=[pupil])
    world.a.group.staff.filter(user=world.a.teacher).delete()
    client.force_login(world.a.senco)
    url = reverse("plan_owner", args=[plan.pk])
    assert url in client.get(reverse("compliance")).content.decode()

    refused = client.post(url, with_form_token({"accountable_teacher": world.a.ta.pk}, world.a.senco))
    assert refused.status_code == 400 and "is a teaching assistant" in refused.content.decode()
    assert (
        client.post(url, with_form_token({"accountable_teacher": newcomer.pk}, world.a.senco)).status_code
        == 302
    )
    plan.refresh_from_db()
    target.refresh_from_db()
    assert plan.accountable_teacher_id == newcomer.pk == target.accountable_teacher_id
    assert url not in client.get(reverse("compliance")).content.decode()
    assert AuditEvent.objects.filter(action="support_plan.owner_change", target_id=str(plan.pk)).count() == 1
