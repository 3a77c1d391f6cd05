"""The trust SEND lead walks from the home page to the trust page and into one school's figures."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.browser.conftest import ARTIFACTS

PASSWORD = "correct-horse-battery-42"
SCREENSHOTS = ARTIFACTS / "screenshots"
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def _page_overflow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className)"""


def test_it_takes_the_trust_lead_from_home_to_a_schools_overdue_review(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations
):
    a = world.a
    f.make_school(name="School C", trust=a.school.trust)
    f.make_plan(a.taught_pupil, review_on=timezone.localdate() - dt.timedelta(days=5))
    world.trust_lead.set_password(PASSWORD)
    world.trust_lead.save()
    sign_in(page, live_server, world.trust_lead.email, PASSWORD)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", level=2, name="Across the trust")).to_be_visible()
        assert _page_overflow(page) <= 0, (
            f"the home page scrolls sideways on a {name}: {page.evaluate(WIDEST)}"
        )
        page.screenshot(path=SCREENSHOTS / f"trust-home-{name}.png", full_page=True)
    assert_no_serious_axe_violations(page)

    page.set_viewport_size(SIZES["desktop"])
    page.get_by_role("link", name="Compare the schools side by side").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trust schools")
    table = page.get_by_role("table", name=re.compile("The trust's schools side by side"))
    expect(table.get_by_role("rowheader", name="School A")).to_be_visible()
    expect(table.get_by_role("rowheader", name="School C")).to_be_visible()
    expect(page.get_by_text("School B", exact=True)).to_have_count(0)
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="1 plan review overdue at School A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("School A")
    reviews = page.get_by_role("table", name="Support plans whose review date has passed without a review")
    expect(reviews.get_by_role("link", name=re.compile("SentinelaSupport"))).to_be_visible()
    assert_no_serious_axe_violations(page)
