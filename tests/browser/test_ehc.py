"""The SENCo on a phone (390 pixels): the EHC plan page and a review's page read without scrolling sideways,
pass axe, and a review is booked from the plan page, its deadlines then said in words."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories as f

PASSWORD = "correct-horse-battery-42"
PHONE = {"width": 390, "height": 844}


def test_it_books_a_review_from_the_plan_page_on_a_phone(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations
):
    pupil = world.a.ehc_pupil
    today = timezone.localdate()
    plan = f.make_ehc_plan(
        pupil, issued_on=today - dt.timedelta(days=350), local_authority="Alder County Council"
    )
    f.make_ehc_need(
        plan=plan, text="Finds changes of routine very hard; needs warning and a visual timetable."
    )
    outcome = f.make_ehc_outcome(plan=plan, text="Moves between activities calmly with a visual timetable.")
    outcome.targets.add(
        f.make_target(plan=f.make_plan(pupil), skill="Follows a visual timetable for the morning")
    )
    f.make_ehc_provision(plan=plan, text="Weekly social communication group, 30 minutes.")
    senco = world.a.senco
    senco.set_password(PASSWORD)
    senco.save()
    sign_in(page, live_server, senco.email, PASSWORD)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/pupils/{pupil.pk}/ehc/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("EHC plan")
    expect(page.locator("[data-deadline=review] .tag")).to_have_text("Due soon")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="Book an annual review").click()
    page.get_by_label("Date of the review meeting").fill((today + dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Book review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annual review booked for")
    # Ten days ahead: the invitations and papers were due four days ago, and nothing is recorded.
    expect(page.locator("[data-deadline=papers] .tag")).to_have_text("Late")
    expect(page.locator("[data-deadline=papers]")).to_contain_text("Papers not circulated")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_serious_axe_violations(page)
