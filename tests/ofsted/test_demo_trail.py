"""The inspection trail of a demo pupil with a full history: each step kind on the page and in the PDF, the
dated steps in date order in both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from tandem.demo.loader import demo_analyse, load_demo
from tandem.people.models import Membership, Pupil, Role
from tandem.plans.models import ParentMeeting, SupportPlan
from tandem.progress.models import ProgressResult
from tandem.provision.models import Placement
from tests.documents.reading import page_tables, pdf_pages

OVERVIEW = "Every dated step, oldest first"
# The steps every pupil with a plan, a logged intervention and a parent meeting has.
KINDS = ("SEN status", "Need recorded", "Support plan", "Intervention", "Parent meeting")


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A small demo dated today, analysed; rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(seed=5, as_of=timezone.localdate(), schools=2, pupils_per_school=120)
        demo_analyse()
        yield
        transaction.set_rollback(True)


def _pupil_with_everything() -> Pupil:
    """A pupil with a support plan, an intervention with logged sessions, a parent meeting and progress."""
    logged = Placement.objects.annotate(n=Count("attendance")).filter(n__gt=0)
    placed = set(logged.values_list("pupil_id", flat=True))
    planned = set(SupportPlan.objects.values_list("pupil_id", flat=True))
    met = set(ParentMeeting.objects.values_list("pupil_id", flat=True))
    analysed = set(ProgressResult.objects.values_list("pupil_id", flat=True))
    return Pupil.objects.filter(pk__in=placed & planned & met & analysed).order_by("legal_surname").first()


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d %B %Y").replace(tzinfo=dt.UTC).date()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoTrail:
    def _signed_in(self, client: Any) -> Pupil:
        pupil = _pupil_with_everything()
        assert pupil is not None, "the demo has a pupil with a plan, sessions, a meeting and progress"
        senco = Membership.objects.get(school=pupil.school, role=Role.SENCO, is_active=True).user
        client.force_login(senco)
        return pupil

    def test_it_shows_each_step_kind_in_date_order_on_the_page(self, client):
        pupil = self._signed_in(client)
        response = client.get(reverse("inspection_trail", args=[pupil.pk]))
        assert response.status_code == 200
        rows = page_tables(response.content.decode()).tables[OVERVIEW][1:]
        kinds = {step for _, step, _ in rows}
        for kind in KINDS:
            assert kind in kinds, kind
        days = [_day(day) for day, _, _ in rows]
        assert days == sorted(days)
        assert len(rows) >= len(KINDS)

    def test_it_writes_the_same_steps_in_the_same_order_to_the_pdf(self, client):
        pupil = self._signed_in(client)
        rows = page_tables(client.get(reverse("inspection_trail", args=[pupil.pk])).content.decode()).tables[
            OVERVIEW
        ][1:]
        response = client.get(reverse("inspection_trail_pdf", args=[pupil.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text = " ".join(pdf_pages(response.content))
        assert pupil.display_name in text
        cursor = text.index("The trail in date order")
        found = []
        for day, step, _what in rows:  # each step found after the one before it
            cursor = text.index(f"Step: {step}", cursor + 1)
            found.append(step)
            assert day in text[max(0, cursor - 80) : cursor], (day, step)
        for kind in KINDS:
            assert kind in found, kind
        days = [_day(day) for day, _, _ in rows]
        assert days == sorted(days)
