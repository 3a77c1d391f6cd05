"""The SENCo's and the head's main journeys from their home page: a tile to the list behind it, a count on the
compliance page to the pupils behind it, the flags sorted by a column header, and a pupil's page. axe is clean
on every page (the home pages themselves are checked and photographed in test_dashboards.py)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.dashboards import seed

PASSWORD = "correct-horse-battery-42"
TODAY = dt.date(2026, 12, 7)


def _signed_in(page: Page, live_server, world, sign_in, monkeypatch, role: str) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    seed.seed_school(world.a)
    user = getattr(world.a, role)
    user.set_password(PASSWORD)
    user.save()
    sign_in(page, live_server, user.email, PASSWORD)


def test_it_walks_the_sencos_week_from_the_home_page(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations, monkeypatch
):
    _signed_in(page, live_server, world, sign_in, monkeypatch, "senco")
    tiles = page.get_by_role("region", name="What needs attention")
    tiles.get_by_role("link", name=re.compile("review")).click()
    expect(page.get_by_role("heading", name="Plan reviews overdue")).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name=re.compile("pupils with no meeting this term: see the list")).click()
    term = page.locator(
        "section", has=page.get_by_role("heading", name="No meeting with parents yet this term")
    )
    expect(term).to_contain_text("Not overdue")
    behind = page.locator("section", has=page.get_by_role("heading", name=re.compile("Fewer meetings")))
    expect(behind).to_contain_text("No term of this school year has ended yet, so nobody is behind.")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="SEN register").click()
    page.get_by_role("link", name=re.compile("^SEN status")).click()
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("SEN status")
    assert_no_serious_axe_violations(page)
    page.get_by_role("row").nth(1).get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Special educational needs")).to_be_visible()
    assert_no_serious_axe_violations(page)


def test_it_walks_the_heads_look_at_the_flags_from_the_home_page(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations, monkeypatch
):
    _signed_in(page, live_server, world, sign_in, monkeypatch, "head")
    page.get_by_role("region", name="What needs attention").get_by_role(
        "link", name=re.compile("flagged")
    ).click()
    expect(page.get_by_role("heading", level=1, name="Less than expected progress")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name=re.compile("^Subject")).first.click()
    expect(page.locator('th[aria-sort="ascending"]').first).to_contain_text("Subject")
    page.get_by_role("link", name=re.compile("^Subject")).first.click()
    expect(page.locator('th[aria-sort="descending"]').first).to_contain_text("Subject")
    assert_no_serious_axe_violations(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compliance").click()
    expect(page.get_by_role("table", name="The graduated approach at a glance")).to_be_visible()
    assert_no_serious_axe_violations(page)
