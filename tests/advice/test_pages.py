"""Specialist advice pages: who sees what, uploads through the form, and the download served only
through the access layer (the file's place on disk never shown)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tandem.advice.models import AdviceDocument, SpecialistAdvice
from tandem.audit.models import AuditEvent
from tests import factories as f
from tests.advice import samples
from tests.once import with_form_token

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _get(client: Any, user: Any, name: str, *args: Any) -> Any:
    client.force_login(user)
    return client.get(reverse(name, args=args))


# ---------------------------------------------------------------- the download
def test_it_gives_the_document_to_the_pupils_teacher_as_a_download(client, world):
    data = samples.pdf()
    document = f.make_advice_document(f.make_advice(world.a.taught_pupil), data=data)
    response = _get(client, world.a.teacher, "advice_document", document.pk)
    assert response.status_code == 200
    assert response.content == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    event = AuditEvent.objects.get(action="advice_document.download")
    assert event.target_id == str(document.pk) and event.actor_id == world.a.teacher.pk


def test_it_offers_a_name_with_any_characters_safely(client, world):
    advice = f.make_advice(world.a.taught_pupil)
    document = f.make_advice_document(advice, data=samples.png())
    AdviceDocument.objects.filter(pk=document.pk).update(original_name='Zoë\'s "scan"\r\nX: 1.png')
    response = _get(client, world.a.senco, "advice_document", document.pk)
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.startswith("attachment;")
    assert response["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    "who",
    [
        "other_teacher",  # a teacher at the school who does not teach the pupil
        "ta",
        "admin",
        "other_school_senco",
        "other_school_head",
    ],
)
def test_it_refuses_the_document_to_anyone_else_with_a_plain_404(client, world, who):
    teacher_elsewhere = f.make_user(email="other.teacher@test.example", full_name="Other Teacher")
    f.make_membership(user=teacher_elsewhere, role="teacher", school=world.a.school)
    user = {
        "other_teacher": teacher_elsewhere,
        "ta": world.a.ta,
        "admin": world.a.admin,
        "other_school_senco": world.b.senco,
        "other_school_head": world.b.head,
    }[who]
    document = f.make_advice_document(f.make_advice(world.a.taught_pupil))
    response = _get(client, user, "advice_document", document.pk)
    missing = client.get(reverse("advice_document", args=[world.missing_id]))
    assert response.status_code == 404
    assert response.content == missing.content
    assert not AuditEvent.objects.filter(action="advice_document.download").exists()


def test_it_refuses_the_teacher_a_document_about_a_pupil_they_do_not_teach(client, world):
    document = f.make_advice_document(f.make_advice(world.a.untaught_pupil))
    assert _get(client, world.a.teacher, "advice_document", document.pk).status_code == 404


def test_it_gives_the_trust_lead_their_trusts_documents_only(client, world):
    mine = f.make_advice_document(f.make_advice(world.a.taught_pupil))
    other_trust = f.make_advice_document(f.make_advice(world.b.taught_pupil))
    assert _get(client, world.trust_lead, "advice_document", mine.pk).status_code == 200
    assert _get(client, world.trust_lead, "advice_document", other_trust.pk).status_code == 404


def test_it_answers_404_when_the_file_is_gone_or_changed(client, world, documents_dir):
    document = f.make_advice_document(f.make_advice(world.a.taught_pupil))
    path = Path(documents_dir) / document.stored_name
    path.write_bytes(samples.pdf("Something else"))
    assert _get(client, world.a.senco, "advice_document", document.pk).status_code == 404
    path.unlink()
    assert _get(client, world.a.senco, "advice_document", document.pk).status_code == 404


def test_it_never_shows_where_the_file_is_kept(client, world, documents_dir):
    advice = f.make_advice(world.a.taught_pupil)
    document = f.make_advice_document(advice)
    for user in (world.a.senco, world.a.teacher):
        page = _get(client, user, "advice_detail", advice.pk).content.decode()
        assert reverse("advice_document", args=[document.pk]) in page
        assert document.stored_name not in page
        assert str(documents_dir) not in page
        assert "report.pdf" in page


# ---------------------------------------------------------------- pages per persona
def test_it_shows_the_list_to_those_who_may_see_it(client, world):
    advice = f.make_advice(world.a.taught_pupil, received_on=None)
    withdrawn = f.make_advice(world.a.taught_pupil, profession="physiotherapy")
    SpecialistAdvice.objects.filter(pk=withdrawn.pk).update(
        withdrawn_at=timezone.now(), withdrawn_by=world.a.senco, withdrawn_reason="Wrong pupil."
    )
    senco_page = _get(client, world.a.senco, "advice_list", world.a.taught_pupil.pk)
    assert senco_page.status_code == 200
    html = senco_page.content.decode()
    assert "Ask for or record advice" in html
    assert reverse("advice_detail", args=[advice.pk]) in html
    assert "Awaited" in html
    assert "Withdrawn" in html
    teacher_page = _get(client, world.a.teacher, "advice_list", world.a.taught_pupil.pk)
    assert teacher_page.status_code == 200
    assert "Ask for or record advice" not in teacher_page.content.decode()
    assert AuditEvent.objects.filter(action="specialist_advice.list", actor_id=world.a.teacher.pk).exists()
    for user, pupil in [
        (world.a.teacher, world.a.untaught_pupil),
        (world.a.ta, world.a.taught_pupil),
        (world.a.admin, world.a.taught_pupil),
        (world.b.senco, world.a.taught_pupil),
    ]:
        assert _get(client, user, "advice_list", pupil.pk).status_code == 404


def test_it_links_the_pupil_page_to_advice_only_for_those_who_can(client, world):
    url = reverse("advice_list", args=[world.a.taught_pupil.pk])
    assert url in _get(client, world.a.senco, "pupil_detail", world.a.taught_pupil.pk).content.decode()
    assert url in _get(client, world.a.teacher, "pupil_detail", world.a.taught_pupil.pk).content.decode()
    ta_page = _get(client, world.a.ta, "pupil_detail", world.a.taught_pupil.pk)
    assert ta_page.status_code == 200
    assert url not in ta_page.content.decode()


# ---------------------------------------------------------------- forms
def _advice_form(**overrides: Any) -> dict[str, Any]:
    return {
        "profession": "speech_language",
        "organisation": "NHS Speech and Language Therapy",
        "professional_name": "",
        "requested_on": (TODAY - dt.timedelta(days=20)).isoformat(),
        "received_on": TODAY.isoformat(),
        "summary": "Pre-teach topic vocabulary; check understanding with visuals.",
        **overrides,
    }


def test_it_uploads_a_document_with_new_advice_through_a_multipart_form(client, world, documents_dir):
    client.force_login(world.a.senco)
    url = reverse("advice_new", args=[world.a.taught_pupil.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    data = samples.pdf()
    upload = SimpleUploadedFile("SALT report.pdf", data, content_type="application/octet-stream")
    response = client.post(url, with_form_token({**_advice_form(), "document": upload}, world.a.senco))
    assert response.status_code == 302
    advice = SpecialistAdvice.objects.get()
    assert response["Location"] == reverse("advice_detail", args=[advice.pk])
    document = advice.documents.get()
    # The type is what the bytes are, not what the browser said.
    assert document.content_type == "application/pdf"
    assert (Path(documents_dir) / document.stored_name).read_bytes() == data


def test_it_shows_a_refused_file_beside_the_field_and_saves_nothing(client, world, documents_dir):
    client.force_login(world.a.senco)
    url = reverse("advice_new", args=[world.a.taught_pupil.pk])
    upload = SimpleUploadedFile("report.pdf", samples.windows_program(), content_type="application/pdf")
    response = client.post(url, with_form_token({**_advice_form(), "document": upload}, world.a.senco))
    assert response.status_code == 400
    assert "This file is a Windows program, not a document." in response.content.decode()
    assert SpecialistAdvice.objects.count() == 0
    assert not Path(documents_dir).exists() or list(Path(documents_dir).iterdir()) == []


def test_it_refuses_an_empty_file_on_the_form(client, world):
    client.force_login(world.a.senco)
    url = reverse("advice_new", args=[world.a.taught_pupil.pk])
    upload = SimpleUploadedFile("report.pdf", b"", content_type="application/pdf")
    response = client.post(url, with_form_token({**_advice_form(), "document": upload}, world.a.senco))
    assert response.status_code == 400
    assert "The file is empty" in response.content.decode()
    assert SpecialistAdvice.objects.count() == 0


def test_it_records_arrival_then_takes_further_documents(client, world):
    client.force_login(world.a.senco)
    advice = f.make_advice(world.a.taught_pupil, received_on=None, summary="")
    url = reverse("advice_received", args=[advice.pk])
    assert "Record that the advice has arrived" in client.get(url).content.decode()
    form = {
        "received_on": TODAY.isoformat(),
        "summary": "Seat near the front; written copies of instructions.",
        "document": SimpleUploadedFile("letter.jpg", samples.jpeg()),
    }
    assert client.post(url, with_form_token(form, world.a.senco)).status_code == 302
    advice.refresh_from_db()
    assert advice.received_on == TODAY
    assert "Add a document to this advice" in client.get(url).content.decode()
    for name, data in [("a.docx", samples.docx()), ("b.png", samples.png())]:
        form = {"document": SimpleUploadedFile(name, data)}
        assert client.post(url, with_form_token(form, world.a.senco)).status_code == 302
    assert sorted(advice.documents.values_list("content_type", flat=True)) == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/jpeg",
        "image/png",
    ]


def test_it_offers_only_the_pupils_own_targets_and_the_schools_own_interventions(client, world):
    advice = f.make_advice(world.a.taught_pupil)
    own_target = f.make_target(plan=f.make_plan(world.a.taught_pupil))
    others_target = f.make_target(plan=f.make_plan(world.a.untaught_pupil))
    own = f.make_intervention(world.a.school, name="Talk Boost")
    elsewhere = f.make_intervention(world.b.school, name="Elsewhere Boost")
    client.force_login(world.a.senco)
    url = reverse("recommendation_new", args=[advice.pk])
    page = client.get(url).content.decode()
    assert str(own_target.pk) in page and str(own.pk) in page
    assert str(others_target.pk) not in page and str(elsewhere.pk) not in page
    refused = client.post(
        url,
        with_form_token(
            {"text": "Daily talk group.", "status": "planned", "target": str(others_target.pk)}, world.a.senco
        ),
    )
    assert refused.status_code == 400
    done = client.post(
        url,
        with_form_token(
            {
                "text": "Daily talk group.",
                "status": "in_place",
                "target": str(own_target.pk),
                "intervention": str(own.pk),
            },
            world.a.senco,
        ),
    )
    assert done.status_code == 302
    detail = client.get(reverse("advice_detail", args=[advice.pk])).content.decode()
    assert "Daily talk group." in detail and "Talk Boost" in detail and "In place" in detail


def test_it_says_recommendations_wait_for_the_advice_to_arrive(client, world):
    advice = f.make_advice(world.a.taught_pupil, received_on=None)
    page = _get(client, world.a.senco, "recommendation_new", advice.pk)
    assert page.status_code == 200
    assert "has not arrived yet" in page.content.decode()


def test_it_withdraws_advice_from_its_page(client, world):
    advice = f.make_advice(world.a.taught_pupil)
    client.force_login(world.a.senco)
    url = reverse("advice_withdraw", args=[advice.pk])
    response = client.post(url, with_form_token({"reason": "Wrong pupil.", "version": 1}, world.a.senco))
    assert response.status_code == 302
    advice.refresh_from_db()
    assert advice.is_withdrawn
    listing = client.get(reverse("advice_list", args=[world.a.taught_pupil.pk])).content.decode()
    assert "Withdrawn" in listing
