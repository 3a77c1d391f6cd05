"""A plan ready for an Individual Support Plan, in a real browser on a phone (390 x 844): the SENCo at
school A writes a plan with its layer, dates and how the parents and the pupil took part, sees the turnaround
on the plan page and downloads the plan file; the SENCo at school B brings the file in for the same pupil
(same UPN). Every page is checked with axe."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tandem.plans.models import SupportPlan
from tests import factories as f
from tests.browser.conftest import TIMEOUT_MS

PASSWORD = "correct-horse-battery-42"
PHONE = {"width": 390, "height": 844}


def test_it_writes_a_plan_with_its_layer_and_takes_it_to_another_school(
    page: Page,
    browser: Browser,
    live_server,
    world,
    sign_in,
    assert_no_serious_axe_violations,
    tmp_path: Path,
):
    for user in (world.a.senco, world.b.senco):
        user.set_password(PASSWORD)
        user.save()
    pupil = world.a.taught_pupil
    arrived = f.make_pupil(
        school=world.b.school, forename="Kai", surname="SentinelaSupport", upn=pupil.upn, year_group=4
    )
    f.enrol(group=world.b.group, pupils=[arrived])
    f.set_sen_status(pupil=arrived, provision="K", need_codes=["SLCN"])
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.a.senco.email, PASSWORD)

    page.goto(f"{live_server.url}/pupils/{pupil.pk}/plans/new/")
    today = timezone.localdate()
    page.get_by_label("Assess: summary").fill("Decoding well below peers.")
    page.get_by_label("Strengths").fill("Good oral vocabulary.")
    page.get_by_label("Needs", exact=True).fill("Reading longer words.")
    page.get_by_label("The pupil's views").fill("I like reading with a grown-up.")
    page.get_by_label("The parents' views").fill("Reads at home most nights.")
    page.get_by_label("Plan: what every adult does in class").fill("Pre-teach key words.")
    page.get_by_label("Expected impact").fill("Reads Year 3 texts fluently.")
    page.get_by_label("Review date").fill((today + dt.timedelta(days=70)).isoformat())
    page.get_by_label("Accountable teacher").select_option(str(world.a.teacher.pk))
    page.get_by_label("Targeted plus").check()
    page.get_by_label("Need first identified on").fill((today - dt.timedelta(days=14)).isoformat())
    page.get_by_label("Plan agreed with the parents on").fill(today.isoformat())
    page.get_by_label("How the parents took part").select_option("meeting")
    page.get_by_label("How the pupil took part").select_option("about_me")
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Save plan").click()

    expect(
        page.get_by_text("14 days from the need being identified to the plan being agreed")
    ).to_be_visible()
    expect(page.locator("dd", has_text="Targeted plus")).to_be_visible()
    assert_no_serious_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the plan file for another school (JSON)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert json.loads(saved.read_text(encoding="utf-8"))["plan"]["layer"] == "targeted_plus"

    other = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London")
    other.set_default_timeout(TIMEOUT_MS)
    receiving = other.new_page()
    try:
        sign_in(receiving, live_server, world.b.senco.email, PASSWORD)
        receiving.goto(f"{live_server.url}/pupils/{arrived.pk}/support/")
        receiving.get_by_role("link", name="Bring in a plan from the last school").click()
        assert_no_serious_axe_violations(receiving)
        receiving.get_by_label("Plan file").set_input_files(saved)
        receiving.get_by_role("button", name="Bring in the plan").click()
        expect(receiving.get_by_text("Imported from School A")).to_be_visible()
        assert_no_serious_axe_violations(receiving)
    finally:
        other.close()
    imported = SupportPlan.objects.get(pupil=arrived)
    assert (imported.layer, imported.parent_participation, imported.turnaround_days) == (
        "targeted_plus",
        "meeting",
        14,
    )
