"""EHC plan pages per persona: the SENCo manages, the pupil's teacher and the TA who supports them read,
the school admin, the DPO and another school get a 404; bad input comes back on the form with nothing saved;
every page read is audited; deadlines are written in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.ehc.models import AnnualReview, EhcNeed, EhcOutcome, EhcPlan, EhcProvision
from tests import factories as f
from tests.once import with_form_token

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def _plan_with_sections(pupil):
    plan = f.make_ehc_plan(pupil, issued_on=dt.date(2025, 12, 1), local_authority="Birchshire Council")
    f.make_ehc_need(plan=plan, text="Finds social communication hard.", need_type_id="ASD")
    target = f.make_target(plan=f.make_plan(pupil), skill="Takes turns in a group game")
    outcome = f.make_ehc_outcome(plan=plan, text="Plays with friends at break.")
    outcome.targets.add(target)
    group = f.make_intervention_group(
        deliverer=f.Membership.objects.get(role="teaching_assistant", school=pupil.school).user
    )
    placement = f.make_placement(group=group, pupil=pupil)
    provision = f.make_ehc_provision(plan=plan, text="Social skills group twice a week.")
    provision.placements.add(placement)
    return plan


def test_it_shows_the_senco_the_plan_its_mappings_and_each_deadline_in_words(client, world):
    plan = _plan_with_sections(world.a.ehc_pupil)
    client.force_login(world.a.senco)
    page = client.get(reverse("ehc_pupil", args=[world.a.ehc_pupil.pk])).content.decode()
    assert "Birchshire Council" in page and "1 December 2025" in page
    assert "Finds social communication hard." in page and "Autistic spectrum disorder (ASD)" in page
    assert "Plays with friends at break." in page and "Takes turns in a group game" in page
    assert "Social skills group twice a week." in page
    # Due on 1 December 2026, six days ago: said in words, not by colour alone.
    assert '<span class="tag">Overdue</span>' in page
    assert "The annual review was due by 1 December 2026" in page and "6 days overdue" in page
    assert reverse("annual_review_new", args=[plan.pk]) in page
    assert AuditEvent.objects.filter(action="ehc_plan.view", target_id=str(plan.pk)).count() == 1


def test_it_offers_to_record_a_plan_when_there_is_none(client, world):
    client.force_login(world.a.senco)
    page = client.get(reverse("ehc_pupil", args=[world.a.taught_pupil.pk])).content.decode()
    assert "No EHC plan is recorded" in page
    assert reverse("ehc_plan_new", args=[world.a.taught_pupil.pk]) in page
    assert AuditEvent.objects.filter(action="ehc_plan.view", target_type="pupil").exists()


@pytest.mark.parametrize("persona", ["teacher", "ta", "head"])
def test_it_lets_the_pupils_adults_read_without_managing(client, world, persona):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    review = f.make_annual_review(plan=plan)
    client.force_login(getattr(world.a, persona))
    page = client.get(reverse("ehc_pupil", args=[world.a.ehc_pupil.pk]))
    assert page.status_code == 200
    assert "Alder County Council" in page.content.decode()
    assert reverse("annual_review_new", args=[plan.pk]) not in page.content.decode()
    detail = client.get(reverse("annual_review_detail", args=[review.pk])).content.decode()
    assert reverse("annual_review_record", args=[review.pk]) not in detail
    assert client.get(reverse("ehc_plan_new", args=[world.a.ehc_pupil.pk])).status_code == 404
    assert client.get(reverse("annual_review_record", args=[review.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["admin", "dpo"])
def test_it_shows_the_school_admin_and_the_dpo_a_404(client, world, persona):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    client.force_login(getattr(world.a, persona))
    assert client.get(reverse("ehc_pupil", args=[world.a.ehc_pupil.pk])).status_code == 404
    assert client.get(reverse("ehc_plan_detail", args=[plan.pk])).status_code == 404


def test_it_shows_another_schools_senco_and_an_untaught_teacher_a_404(client, world):
    plan = f.make_ehc_plan(world.a.untaught_pupil)
    client.force_login(world.b.senco)
    assert client.get(reverse("ehc_plan_detail", args=[plan.pk])).status_code == 404
    client.force_login(world.a.teacher)
    assert client.get(reverse("ehc_pupil", args=[world.a.untaught_pupil.pk])).status_code == 404


def test_it_records_a_plan_from_the_page_and_refuses_a_missing_date(client, world):
    client.force_login(world.a.senco)
    url = reverse("ehc_plan_new", args=[world.a.ehc_pupil.pk])
    refused = client.post(url, with_form_token({"local_authority": "Alder County Council"}, world.a.senco))
    assert refused.status_code == 400
    assert "Enter the date the local authority issued the final plan." in refused.content.decode()
    assert not EhcPlan.objects.exists()
    saved = client.post(
        url,
        with_form_token(
            {"local_authority": "Alder County Council", "issued_on": "2026-03-02"}, world.a.senco
        ),
    )
    plan = EhcPlan.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse("ehc_plan_detail", args=[plan.pk])


def test_it_adds_each_section_from_its_form(client, world):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    target = f.make_target(plan=f.make_plan(world.a.ehc_pupil))
    intervention = f.make_intervention(world.a.school)
    client.force_login(world.a.senco)
    senco = world.a.senco
    need = client.post(
        reverse("ehc_need_new", args=[plan.pk]),
        with_form_token({"text": "Speech.", "need_type": "SLCN"}, senco),
    )
    outcome = client.post(
        reverse("ehc_outcome_new", args=[plan.pk]),
        with_form_token({"text": "Talks in class.", "target_ids": [str(target.pk)]}, senco),
    )
    provision = client.post(
        reverse("ehc_provision_new", args=[plan.pk]),
        with_form_token({"text": "Therapy weekly.", "intervention_ids": [str(intervention.pk)]}, senco),
    )
    assert [need.status_code, outcome.status_code, provision.status_code] == [302, 302, 302]
    assert EhcNeed.objects.get().need_type_id == "SLCN"
    assert list(EhcOutcome.objects.get().targets.all()) == [target]
    assert list(EhcProvision.objects.get().interventions.all()) == [intervention]
    refused = client.post(
        reverse("ehc_need_new", args=[plan.pk]), with_form_token({"text": "Speech."}, senco)
    )
    assert refused.status_code == 400
    assert "Choose the type of need this part of section B describes." in refused.content.decode()
    assert EhcNeed.objects.count() == 1


def test_it_books_and_then_records_a_review_from_the_pages(client, world):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    client.force_login(world.a.senco)
    senco = world.a.senco
    booked = client.post(
        reverse("annual_review_new", args=[plan.pk]),
        with_form_token({"meeting_on": "2026-12-01", "invitations_sent_on": "2026-11-10"}, senco),
    )
    review = AnnualReview.objects.get()
    assert booked["Location"] == reverse("annual_review_detail", args=[review.pk])
    page = client.get(booked["Location"]).content.decode()
    # Held on 1 December; papers were due by 17 November and never recorded; the report is due 15 December.
    assert '<span class="tag">Late</span>' in page and "No date is recorded for this" in page
    assert '<span class="tag">To do</span>' in page and "by 15 December 2026 (in 8 days)" in page
    recorded = client.post(
        reverse("annual_review_record", args=[review.pk]),
        with_form_token(
            {
                "meeting_on": "2026-12-01",
                "invitations_sent_on": "2026-11-10",
                "papers_circulated_on": "2026-11-16",
                "who_attended": "Mother, SENCo",
                "parent_views": "Settled this year.",
                "recommendation": "keep",
                "report_sent_on": "2026-12-04",
                "version": "1",
            },
            senco,
        ),
    )
    assert recorded.status_code == 302
    review.refresh_from_db()
    assert review.report_sent_on == dt.date(2026, 12, 4) and review.recommendation == "keep"
    page = client.get(reverse("annual_review_detail", args=[review.pk])).content.decode()
    assert "Report sent to the local authority on 4 December 2026, within two weeks" in page
    assert AuditEvent.objects.filter(action="annual_review.view", target_id=str(review.pk)).count() == 2


def test_it_refuses_a_report_date_before_the_meeting_on_the_page(client, world):
    review = f.make_annual_review(plan=f.make_ehc_plan(world.a.ehc_pupil))
    client.force_login(world.a.senco)
    response = client.post(
        reverse("annual_review_record", args=[review.pk]),
        with_form_token(
            {
                "meeting_on": review.meeting_on.isoformat(),
                "recommendation": "keep",
                "report_sent_on": "2026-11-01",
                "version": "1",
            },
            world.a.senco,
        ),
    )
    assert response.status_code == 400
    assert "The report is sent after the meeting: check the dates." in response.content.decode()
    review.refresh_from_db()
    assert review.report_sent_on is None


def test_it_links_the_pupil_page_to_the_ehc_plan_for_those_who_may_read_it(client, world):
    url = reverse("pupil_detail", args=[world.a.ehc_pupil.pk])
    link = reverse("ehc_pupil", args=[world.a.ehc_pupil.pk])
    client.force_login(world.a.senco)
    assert link in client.get(url).content.decode()
    client.force_login(world.a.admin)
    assert link not in client.get(url).content.decode()
