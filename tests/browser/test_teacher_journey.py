"""A class teacher's morning, from the home page: the To do list (overdue apart from due soon, a group's
session logs acknowledged in one go), the class profile for planning, a pupil's page with their
interventions, and the flags list sorted by a column header. axe is clean on every page; the home page is
photographed at desktop and phone sizes (test-results/screenshots/)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.provision.models import LogAcknowledgement
from tests import factories as f

PASSWORD = "correct-horse-battery-42"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
SIZES = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}


def _teachers_week(world) -> object:
    school = world.a
    today = timezone.localdate()
    plan = f.make_plan(school.taught_pupil)
    f.make_target(plan=plan, skill="Count on in tens from any number", due_on=today - dt.timedelta(days=4))
    f.make_target(
        plan=plan, skill="Write two sentences joined by because", due_on=today + dt.timedelta(days=6)
    )
    group = f.make_intervention_group(
        deliverer=school.ta, intervention=f.make_intervention(school.school, name="Number sense")
    )
    f.make_placement(group=group, pupil=school.taught_pupil, teacher=school.teacher)
    for days_ago in (0, 1, 2):
        f.make_session_log(group=group, held_on=today - dt.timedelta(days=days_ago), covered="Bonds to 10.")
    school.teacher.set_password(PASSWORD)
    school.teacher.save()
    return group


def test_it_walks_a_teachers_morning_from_the_home_page(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations
):
    _teachers_week(world)
    sign_in(page, live_server, world.a.teacher.email, PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"home_teacher_{name}.png"), full_page=True)
    page.set_viewport_size(SIZES["1366"])
    assert_no_serious_axe_violations(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="To do").click()
    targets = page.locator("section", has=page.get_by_role("heading", name=re.compile("Targets to assess")))
    expect(targets.get_by_role("heading", name="Overdue (1)")).to_be_visible()
    expect(targets.get_by_role("heading", name="Due soon (1)")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name=re.compile("Acknowledge all 3")).click()
    expect(page.get_by_text("Acknowledged 3 sessions. Thank you.")).to_be_visible()
    assert LogAcknowledgement.objects.filter(teacher=world.a.teacher).count() == 3

    page.get_by_role("link", name="By pupil").click()
    expect(page.get_by_role("heading", name=re.compile(r"Kai SentinelaSupport \(2\)"))).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    page.get_by_role("link", name=re.compile("Class profile")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("4A")
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="Kai SentinelaSupport").first.click()
    interventions = page.locator(
        "section", has=page.get_by_role("heading", name="Interventions this school year")
    )
    expect(interventions).to_contain_text("Number sense")
    assert_no_serious_axe_violations(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pupils").click()
    page.get_by_role("link", name=re.compile("^Year")).click()
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Year")
    assert_no_serious_axe_violations(page)
