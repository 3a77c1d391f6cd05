"""The review's two documents, read back from real PDFs: the record of the meeting for the family and the
report for the local authority. Each read is audited, neither is cached, a withdrawn review has neither."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tandem.audit.models import AuditEvent
from tandem.exchange.parent_pdf import find_jargon
from tandem.plans.models import TargetProgress
from tandem.revisions.models import SharedDocument
from tests import factories as f

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def _text(content: bytes) -> str:
    # pypdf breaks lines where the PDF wraps them: join them so phrases can be found whole.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def _reviewed(world):
    pupil = world.a.ehc_pupil
    plan = f.make_ehc_plan(pupil, issued_on=dt.date(2025, 12, 1), local_authority="Birchshire Council")
    f.make_ehc_need(plan=plan, text="Finds social communication hard.", need_type_id="ASD")
    target = f.make_target(
        plan=f.make_plan(pupil), skill="Takes turns in a group game", due_on=dt.date(2027, 2, 5)
    )
    TargetProgress.objects.create(
        target=target,
        pupil=pupil,
        school=pupil.school,
        recorded_on=dt.date(2026, 11, 20),
        note="Waits for a turn in four games out of five.",
        recorded_by=world.a.teacher,
    )
    outcome = f.make_ehc_outcome(plan=plan, text="Plays with friends at break time.")
    outcome.targets.add(target)
    f.make_ehc_provision(
        plan=plan, text="Social skills group twice a week.", linked_provision="Intervention: Lego club"
    )
    return f.make_annual_review(
        plan=plan,
        meeting_on=dt.date(2026, 11, 30),
        invitations_sent_on=dt.date(2026, 11, 2),
        papers_circulated_on=dt.date(2026, 11, 20),
        recommendation="amend",
        amendments="Add speech and language therapy to section F.",
        differences="The family would like a full-time assistant.",
        report_sent_on=dt.date(2026, 12, 4),
    )


def test_it_gives_the_family_the_record_of_the_meeting_in_plain_words(client, world):
    review = _reviewed(world)
    client.force_login(world.a.senco)
    response = client.get(reverse("annual_review_record_pdf", args=[review.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = _text(response.content)
    assert "Notes from Ellis's annual review" in text
    assert "Ellis SentinelaEhc" in text and "Birchshire Council" in text
    assert "30 November 2026" in text
    assert "Plays with friends at break time." in text
    assert "Takes turns in a group game" in text and "Waits for a turn in four games out of five." in text
    assert "We recommend that the local authority changes (amends) the plan." in text
    assert "Add speech and language therapy to section F." in text
    assert "by 14 December 2026, two weeks after the meeting" in text
    assert "Senco A" in text
    assert find_jargon(text.replace("Ellis SentinelaEhc", "")) == []
    assert AuditEvent.objects.filter(action="annual_review.print", target_id=str(review.pk)).count() == 1
    shared = SharedDocument.objects.get(record_id=review.pk)
    assert (shared.record_type, shared.version) == ("annual_review", 1)
    assert "Version 1" in text


def test_it_reports_the_review_to_the_local_authority(client, world):
    review = _reviewed(world)
    client.force_login(world.a.teacher)  # those who read the plan may read its report
    response = client.get(reverse("annual_review_report_pdf", args=[review.pk]))
    assert "no-store" in response["Cache-Control"]
    text = _text(response.content)
    assert "Annual review of an EHC plan: the school's report" in text
    assert "Ellis SentinelaEhc" in text and "1 January 2016" in text and world.a.ehc_pupil.upn in text
    assert "Birchshire Council" in text and "Plan issued on 1 December 2025" in text
    assert "Review meeting held on 30 November 2026" in text
    # Invitations on time; the papers ten days before the meeting, which is late.
    assert "2 November 2026 (at least two weeks before the meeting)" in text
    assert (
        "20 November 2026 (late: the Code asks for at least two weeks before the meeting, by 16 November "
        "2026)" in text
    )
    assert (
        "Plays with friends at break time." in text and "Waits for a turn in four games out of five." in text
    )
    assert "Finds social communication hard." in text and "Autistic spectrum disorder (ASD)" in text
    assert "Social skills group twice a week." in text and "Intervention: Lego club" in text
    assert "Amend the plan." in text and "Add speech and language therapy to section F." in text
    assert "The family would like a full-time assistant." in text
    assert "4 December 2026 (within two weeks of the meeting)" in text
    assert "SEND Code of Practice 9.176" in text
    assert AuditEvent.objects.filter(action="annual_review.report", target_id=str(review.pk)).count() == 1


def test_it_gives_no_document_for_a_withdrawn_review_or_to_another_school(client, world):
    review = _reviewed(world)
    client.force_login(world.b.senco)
    assert client.get(reverse("annual_review_report_pdf", args=[review.pk])).status_code == 404
    review.withdrawn_at = timezone.now()
    review.withdrawn_reason = "Booked twice"
    review.save()
    client.force_login(world.a.senco)
    assert client.get(reverse("annual_review_record_pdf", args=[review.pk])).status_code == 404
    assert client.get(reverse("annual_review_report_pdf", args=[review.pk])).status_code == 404
    assert not SharedDocument.objects.exists()
