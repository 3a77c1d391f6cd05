"""The compliance page counts each EHC annual review deadline and names the pupils behind it; the SENCo's To
do lists them; neither runs more queries for more pupils."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.plans.to_do import to_do
from tandem.register.models import SenStatusPeriod
from tests import factories as f
from tests.pages.test_query_counts import _school_with

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def _pupil(world, surname: str):
    pupil = f.make_pupil(school=world.a.school, forename="Ehc", surname=surname)
    f.set_sen_status(pupil=pupil, provision="E", need_codes=["ASD"])
    return pupil


def _each_deadline(world) -> dict[str, object]:
    """A maintained plan for each deadline, at school A, and one of each that must not count."""
    overdue = f.make_ehc_plan(_pupil(world, "Overdue"), issued_on=dt.date(2025, 11, 30))  # due 30 Nov 2026
    due_soon = f.make_ehc_plan(_pupil(world, "Duesoon"), issued_on=dt.date(2025, 12, 20))  # due 20 Dec 2026
    papers = f.make_ehc_plan(_pupil(world, "Papers"), issued_on=dt.date(2026, 2, 1))
    f.make_annual_review(
        plan=papers,
        meeting_on=dt.date(2026, 12, 15),  # papers were due by 1 December
        papers_circulated_on=None,
        who_attended="",
        parent_views="",
        pupil_views="",
        working="",
        not_working="",
        recommendation="",
    )
    report = f.make_ehc_plan(_pupil(world, "Report"), issued_on=dt.date(2025, 3, 1))
    f.make_annual_review(plan=report, meeting_on=dt.date(2026, 11, 10))  # report due by 24 November
    # Not counted: a withdrawn plan, a ceased one, and one with everything done on time.
    withdrawn = f.make_ehc_plan(_pupil(world, "Withdrawn"), issued_on=dt.date(2025, 1, 1))
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.withdrawn_reason = "Wrong pupil"
    withdrawn.save()
    f.make_ehc_plan(
        _pupil(world, "Ceased"), issued_on=dt.date(2024, 1, 1), status="ceased", ceased_on=dt.date(2025, 1, 1)
    )
    done = f.make_ehc_plan(_pupil(world, "Done"), issued_on=dt.date(2025, 6, 1))
    f.make_annual_review(plan=done, meeting_on=dt.date(2026, 5, 20), report_sent_on=dt.date(2026, 5, 28))
    # Another school's overdue plan.
    f.make_ehc_plan(world.b.ehc_pupil, issued_on=dt.date(2025, 1, 1))
    return {"overdue": overdue, "due_soon": due_soon, "papers": papers, "report": report}


def _measure(page: str, name: str) -> int:
    cell = re.search(rf'data-measure="{name}">(?:<a [^>]*>)?(\d+)', page)
    assert cell is not None, name
    return int(cell.group(1))


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_it_counts_each_deadline_and_names_the_pupils_behind_it(client, world):
    _each_deadline(world)
    client.force_login(world.a.senco)
    page = client.get(reverse("compliance")).content.decode()
    # Five maintained: the withdrawn and the ceased plans are not, nor is the other school's counted here.
    assert _measure(page, "ehc_plans") == 5
    assert _measure(page, "ehc_reviews_overdue") == 1
    assert _measure(page, "ehc_reviews_due") == 1
    assert _measure(page, "ehc_papers_late") == 1
    assert _measure(page, "ehc_reports_late") == 1
    overdue = _section(page, "ehc-overdue-heading")
    assert (
        "Ehc Overdue" in overdue and "due by 30 November 2026" in overdue and "no meeting booked" in overdue
    )
    assert "Ehc Withdrawn" not in page and "Ehc Ceased" not in overdue and "SentinelbEhc" not in page
    assert "Ehc Duesoon" in _section(page, "ehc-due-heading")
    papers = _section(page, "ehc-papers-heading")
    assert "Ehc Papers" in papers and "due by 1 December 2026 for the meeting on 15 December 2026" in papers
    reports = _section(page, "ehc-reports-heading")
    assert "Ehc Report" in reports and "due by 24 November 2026" in reports
    assert "Ehc Done" not in page


def test_it_shows_the_head_the_same_counts(client, world):
    _each_deadline(world)
    client.force_login(world.a.head)
    page = client.get(reverse("compliance")).content.decode()
    assert _measure(page, "ehc_reviews_overdue") == 1 and _measure(page, "ehc_reports_late") == 1


def test_it_puts_each_deadline_on_the_sencos_to_do(client, world):
    plans = _each_deadline(world)
    items = to_do(actor=actor_for(world.a.senco))
    found = {
        (item.kind, item.pupil.legal_surname, item.overdue)
        for item in items.items
        if item.kind.startswith("ehc")
    }
    assert found == {
        ("ehc_review", "Overdue", True),
        ("ehc_review", "Duesoon", False),
        ("ehc_papers", "Papers", True),
        ("ehc_report", "Report", True),
    }
    # The report for the papers' review is not due until its meeting; its own review links to its page.
    (papers_item,) = [i for i in items.items if i.kind == "ehc_papers"]
    assert papers_item.url == reverse("annual_review_detail", args=[plans["papers"].reviews.get().pk])
    client.force_login(world.a.senco)
    page = client.get(reverse("to_do")).content.decode()
    assert "EHC plans&#x27; annual reviews due (2)" in page or "EHC plans' annual reviews due (2)" in page
    assert "EHC review papers to circulate (1)" in page
    assert "EHC review reports to send to the local authority (1)" in page
    assert "Circulate advice for the meeting on 15 Dec 2026" in page


def test_it_lists_papers_due_soon_and_reports_to_send_as_not_yet_late(world):
    plan = f.make_ehc_plan(_pupil(world, "Soon"), issued_on=dt.date(2026, 3, 1))
    f.make_annual_review(
        plan=plan,
        meeting_on=dt.date(2026, 12, 28),
        papers_circulated_on=None,
        who_attended="",
        parent_views="",
        pupil_views="",
        working="",
        not_working="",
        recommendation="",
    )
    other = f.make_ehc_plan(_pupil(world, "Held"), issued_on=dt.date(2026, 3, 1))
    f.make_annual_review(plan=other, meeting_on=dt.date(2026, 12, 1))
    items = to_do(actor=actor_for(world.a.senco))
    found = {
        (item.kind, item.pupil.legal_surname, item.overdue, item.due_on)
        for item in items.items
        if item.kind.startswith("ehc")
    }
    assert found == {
        ("ehc_papers", "Soon", False, dt.date(2026, 12, 14)),
        ("ehc_report", "Held", False, dt.date(2026, 12, 15)),
    }


def test_it_keeps_ehc_deadlines_off_everyone_elses_to_do(world):
    _each_deadline(world)
    for persona in (world.a.teacher, world.a.ta, world.a.head):
        items = to_do(actor=actor_for(persona))
        assert [i for i in items.items if i.kind.startswith("ehc")] == []


def _with_ehc_plans(n: int):
    people, _group = _school_with(n)
    pupils = [
        p.pupil
        for p in SenStatusPeriod.objects.filter(school__name=f"School {n}", provision="E").select_related(
            "pupil"
        )
    ]
    for i, pupil in enumerate(pupils):
        plan = f.make_ehc_plan(pupil, issued_on=TODAY - dt.timedelta(days=350 + 20 * (i % 3)))
        if i % 2:
            f.make_annual_review(
                plan=plan, meeting_on=TODAY - dt.timedelta(days=20), papers_circulated_on=None
            )
    return people


def _queries(client, user, name: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name))
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("role, name", [("senco", "compliance"), ("head", "compliance"), ("senco", "to_do")])
def test_it_counts_ehc_deadlines_in_the_same_queries_for_10_pupils_as_for_500(client, role, name):
    small, large = _with_ehc_plans(10), _with_ehc_plans(500)
    few, many = _queries(client, small[role], name), _queries(client, large[role], name)
    assert few == many, f"{name} as {role}: {few} queries for 10 pupils, {many} for 500"
    assert many <= 30
