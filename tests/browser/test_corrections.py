"""The SENCo corrects a typo in a plan parents already have, in a real browser: the correction form is the
plan form filled in, the plan's page then shows the history and says the parents' copy is out of date; the
pages pass axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories as f

PASSWORD = "correct-horse-battery-42"


def test_it_corrects_a_plan_and_shows_its_history(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations
):
    plan = f.make_plan(world.a.taught_pupil, needs="Reding longer words.")
    senco = world.a.senco
    senco.set_password(PASSWORD)
    senco.save()
    sign_in(page, live_server, senco.email, PASSWORD)

    assert page.request.get(f"{live_server.url}/plans/{plan.pk}/for-parents.pdf").ok  # given to parents
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(page.get_by_text(re.compile("Parents were given version 1 on"))).to_be_visible()
    page.get_by_role("link", name="Correct this plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct support plan cycle 1")
    needs = page.get_by_label("Needs")
    expect(needs).to_have_value("Reding longer words.")
    assert_no_serious_axe_violations(page)
    needs.fill("Reading longer words.")
    page.get_by_label("What was wrong (optional)").fill("Typing mistake")
    page.get_by_role("button", name="Save correction").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("support plan, cycle 1")
    history = page.get_by_role("table", name="Versions of this plan")
    expect(history.get_by_role("row")).to_have_count(3)  # header, as first saved, corrected
    expect(history).to_contain_text("Corrected: Typing mistake")
    expect(history).to_contain_text("Needs: “Reding longer words.” changed to “Reading longer words.”")
    expect(
        page.get_by_text("Corrected since parents were given it: give them the new version")
    ).to_be_visible()
    assert_no_serious_axe_violations(page)
