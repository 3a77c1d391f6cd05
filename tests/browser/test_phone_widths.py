"""On a 390-pixel phone no page scrolls sideways: wide tables scroll inside their own region (hidden labels
included) and long choices in filters shrink to the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.test_teacher_journey import PASSWORD, _teachers_week

PATHS = ["/", "/to-do/", "/pupils/", "/groups/", "/progress/", "/register/"]


@pytest.mark.parametrize("persona", ["a_teacher", "a_senco"])
def test_it_never_makes_a_phone_scroll_sideways(page: Page, live_server, world, sign_in, persona):
    _teachers_week(world)
    user = world.persona(persona)
    user.set_password(PASSWORD)
    user.save()
    sign_in(page, live_server, user.email, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    too_wide = {}
    for path in PATHS:
        response = page.goto(f"{live_server.url}{path}")
        if response is not None and response.status == 404:
            continue  # a page this role does not have
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    assert too_wide == {}
