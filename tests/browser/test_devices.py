"""Signed-in devices: a teacher signed in on two browsers signs the other one out from the first."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TIMEOUT_MS, VIEWPORT

PASSWORD = "heron-lattice-pepper-44"


def test_it_signs_out_everywhere_else_from_the_devices_page(
    page: Page,
    browser: Browser,
    live_server: Any,
    world: Any,
    sign_in: Any,
    assert_no_serious_axe_violations: Any,
) -> None:
    teacher = world.a.teacher
    teacher.set_password(PASSWORD)
    teacher.save()
    other = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London")
    other.set_default_timeout(TIMEOUT_MS)
    tablet = other.new_page()
    sign_in(tablet, live_server, teacher.email, PASSWORD)
    sign_in(page, live_server, teacher.email, PASSWORD)

    page.get_by_role("link", name="Your account").click()
    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Signed-in devices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed-in devices")
    expect(page.get_by_role("table")).to_contain_text("Yes, this one")
    expect(page.get_by_role("row")).to_have_count(3)  # the header and two browsers
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Sign out everywhere else").click()

    expect(page.get_by_role("row")).to_have_count(2)
    tablet.goto(f"{live_server.url}{reverse('pupil_list')}")
    expect(tablet).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}{reverse('pupil_list')}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    other.close()
