"""Every role's pages pass axe and fit a tablet held upright, signed in through the real form; each role's
home page is photographed at desktop and phone widths (test-results/screenshots/home_<persona>_<width>.png).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

PASSWORD = "correct-horse-battery-42"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
WIDTHS = {1366: 768, 390: 844}

PAGES_BY_PERSONA = {
    "a_teacher": ["/", "/pupils/", "/groups/"],
    "a_ta": ["/", "/pupils/"],
    "a_head": ["/", "/staff/"],
    "a_admin": ["/", "/staff/", "/staff/add/"],
    "trust_lead": ["/", "/register/", "/trust/"],
    "trust_admin": ["/"],
    "a_dpo": [
        "/",
        "/audit/",
        "/audit/?action=signin",
        "/subject-access/",
        "/subject-access/new/",
        "/retention/",
    ],
    "trust_dpo": ["/", "/audit/", "/retention/", "/retention/periods/"],
}


@pytest.mark.parametrize("persona", sorted(PAGES_BY_PERSONA))
def test_it_serves_each_roles_pages_accessibly(
    page: Page, live_server, world, persona, sign_in, assert_no_serious_axe_violations
):
    user = world.persona(persona)
    user.set_password(PASSWORD)
    user.save()
    sign_in(page, live_server, user.email, PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"home_{persona}_{width}.png"), full_page=True)
    page.set_viewport_size({"width": 768, "height": 1024})
    for path in PAGES_BY_PERSONA[persona]:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_no_serious_axe_violations(page)
        # Wide tables scroll inside their own region; the page itself never scrolls sideways.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px too wide for a tablet"


def test_it_lets_a_teacher_reach_a_pupils_accountable_teachers(page: Page, live_server, world, sign_in):
    world.a.teacher.set_password(PASSWORD)
    world.a.teacher.save()
    sign_in(page, live_server, world.a.teacher.email, PASSWORD)
    page.get_by_role("link", name=world.a.group.name, exact=True).first.click()
    page.get_by_role("link", name="Ellis SentinelaEhc").click()
    teachers = page.locator("section").filter(has=page.get_by_role("heading", name="Accountable teachers"))
    expect(teachers).to_contain_text(world.a.teacher.full_name)
    expect(teachers).to_contain_text(world.a.ta.full_name)  # listed as the group's teaching assistant
