"""The EHC needs assessment request pack: every section, with the same figures as the pages."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.demo.loader import demo_analyse, load_demo
from tandem.needs_assessment.selectors import request_pack
from tandem.parents.models import ParentViews
from tandem.people.models import Membership, Pupil, Role
from tandem.plans.models import SupportPlan
from tandem.progress.models import ProgressResult
from tandem.progress.selectors import pupil_progress
from tandem.provision.models import Placement
from tandem.provision.pupil_figures import pupil_interventions
from tests import factories as f
from tests.pupil_voice.makers import make_about_me

SECTIONS = (
    "About the pupil",
    "The graduated approach so far",
    "Support plans: targets and outcomes",
    "Interventions: dosage, impact and cost",
    "Progress and less than expected progress (Code 6.17)",
    "Advice from specialists",
    "What the pupil and their parents say",
)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A small demo dated today (this year's interventions show on the pupil page), analysed; rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(seed=5, as_of=timezone.localdate(), schools=1, pupils_per_school=120)
        demo_analyse()
        yield
        transaction.set_rollback(True)


def _pupil_with_everything() -> Pupil:
    """A pupil with a support plan, a running intervention with logged sessions and progress results."""
    logged = Placement.objects.filter(ends_on__isnull=True, withdrawn_at__isnull=True).annotate(
        n=Count("attendance")
    )
    placed = set(logged.filter(n__gt=0).values_list("pupil_id", flat=True))
    planned = set(SupportPlan.objects.values_list("pupil_id", flat=True))
    analysed = set(ProgressResult.objects.values_list("pupil_id", flat=True))
    return Pupil.objects.filter(pk__in=placed & planned & analysed).order_by("legal_surname").first()


def _with_advice_and_views(pupil: Pupil) -> bytes:
    """Give the demo pupil a speech and language report (a real PDF), an "about me" and a parent's views, as
    a school would have before asking for an assessment; returns the report's bytes."""
    teacher = Membership.objects.filter(school=pupil.school, role=Role.TEACHER).first().user
    advice = f.make_advice(pupil, summary="Pre-teach topic words; check understanding with pictures.")
    report = f.small_pdf("Speech and language therapy report")
    f.make_advice_document(advice, data=report)
    make_about_me(pupil, recorded_with=teacher, good_at="Building models out of card.")
    request = f.make_views_request(pupil, purpose="Before the spring review")
    ParentViews.objects.create(
        request=request,
        pupil=pupil,
        school=pupil.school,
        given_by=f.make_parent(pupil=pupil, email="pack.parent@test.example"),
        answers=[{"question": "What is going well for your child?", "answer": "Reading at bedtime."}],
    )
    return report


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoPupilPack:
    def senco(self, pupil: Pupil) -> Any:
        return Membership.objects.get(school=pupil.school, role=Role.SENCO, is_active=True).user

    def test_it_holds_every_section_with_the_pages_figures(self, client):
        pupil = _pupil_with_everything()
        assert pupil is not None, "the demo has a pupil with a plan, a logged intervention and progress"
        senco = self.senco(pupil)
        _with_advice_and_views(pupil)
        client.force_login(senco)
        page = client.get(reverse("pupil_detail", args=[pupil.pk])).content.decode()
        pdf = client.get(reverse("ehc_request_pack_pdf", args=[pupil.pk]))
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        text = _text(pdf.content)
        for title in SECTIONS:
            assert title in text, title
        for said in (
            "Pre-teach topic words; check understanding with pictures.",
            "Building models out of card.",
            "Reading at bedtime.",
        ):
            assert said in text, said

        actor = actor_for(senco)
        rows = pupil_interventions(actor=actor, pupil_id=pupil.pk)
        assert rows
        for row in rows:
            for figure in (row.attendance, row.change, row.cost_text):
                assert figure in page, figure
                assert " ".join(figure.split()) in text, figure
        subjects = pupil_progress(actor=actor, pupil_id=pupil.pk)
        assert subjects
        for subject in subjects:
            for result, _note in subject.table:
                score = floatformat(result.figures.get("score"), 0)
                assert f"<td>{score}</td>" in page
                assert f"Assessment: {result.window} | Score: {score} |" in text
                assert result.outcome in text

    def test_it_zips_the_pdf_with_a_readme_and_the_documents(self, client):
        pupil = _pupil_with_everything()
        report = _with_advice_and_views(pupil)
        client.force_login(self.senco(pupil))
        response = client.get(reverse("ehc_request_pack_zip", args=[pupil.pk]))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            names = set(archive.namelist())
            assert {"request.pdf", "README.txt"} <= names
            [attached] = [n for n in names if n.startswith("attachments/")]
            assert archive.read(attached) == report
            assert "Interventions: dosage, impact and cost" in _text(archive.read("request.pdf"))

    def test_it_shows_the_senco_the_same_sections_and_audits_each_read(self, client):
        pupil = _pupil_with_everything()
        senco = self.senco(pupil)
        client.force_login(senco)
        page = client.get(reverse("ehc_request_pack", args=[pupil.pk])).content.decode()
        for title in SECTIONS:
            assert title in page
        pack = request_pack(actor=actor_for(senco), pupil_id=pupil.pk)
        for table in pack.section("interventions").tables:
            for row in table.rows:
                assert row[2] in page
        client.get(reverse("ehc_request_pack_pdf", args=[pupil.pk]))
        actions = set(AuditEvent.objects.filter(target_id=str(pupil.pk)).values_list("action", flat=True))
        assert {"ehc_request_pack.view", "ehc_request_pack.pdf"} <= actions

    def test_it_is_for_the_senco_only(self, client):
        pupil = _pupil_with_everything()
        teacher = Membership.objects.filter(school=pupil.school, role=Role.TEACHER).first().user
        client.force_login(teacher)
        assert client.get(reverse("ehc_request_pack_pdf", args=[pupil.pk])).status_code == 404
