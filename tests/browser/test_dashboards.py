"""The head and the SENCo see their school at a glance: tiles, the progress-gaps chart with its table, and
accountability by teacher; each home page passes axe and is photographed at desktop and phone sizes
(test-results/screenshots/home_<role>_<width>.png)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.dashboards import seed

PASSWORD = "correct-horse-battery-42"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
SIZES = {1366: {"width": 1366, "height": 768}, 390: {"width": 390, "height": 844}}
TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize("role", ["head", "senco"])
def test_it_shows_the_school_at_a_glance(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations, monkeypatch, role
):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    seed.seed_school(world.a)
    seed.seed_school(world.b)
    user = getattr(world.a, role)
    user.set_password(PASSWORD)
    user.save()

    sign_in(page, live_server, user.email, PASSWORD)
    tiles = page.get_by_role("region", name="What needs attention")
    expect(tiles.get_by_role("link", name=re.compile(r"^2 pupils flagged"))).to_have_attribute(
        "href", "/progress/"
    )
    expect(tiles.get_by_role("link", name=re.compile(r"provision cost this term"))).to_contain_text(seed.COST)

    page.get_by_label("Year group", exact=True).select_option(label="Year 4")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"\?year=4$"))
    chart = page.get_by_role(
        "img", name=re.compile("Gap between pupils on the SEN register and others, Year 4")
    )
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Average gap to peers by assessment and subject"))
    expect(table.get_by_role("row")).to_have_count(3)  # header and two assessments
    expect(
        page.get_by_role("paragraph").filter(
            has_text=re.compile("narrowed from 1.00 to 0.60 standard deviations since Autumn 2025/26")
        )
    ).to_be_visible()
    accountability = page.get_by_role("table", name="What each class teacher has outstanding")
    expect(accountability).to_contain_text("Other Teacher A")
    expect(accountability).not_to_contain_text("Teacher B")
    assert_no_serious_axe_violations(page)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, size in SIZES.items():
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"home_{role}_{width}.png", full_page=True)
    assert_no_serious_axe_violations(page)  # and at phone size
