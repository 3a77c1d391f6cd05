"""Keyboard only: the skip link comes first and shows when focused, and signing in needs no mouse."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories as f

PASSWORD = "correct-horse-battery-42"
MAX_PRESSES = 20


def _focus_is_on_body(page: Page) -> bool:
    return bool(page.evaluate("document.activeElement === null || document.activeElement === document.body"))


def test_it_signs_in_with_the_keyboard_alone_after_a_visible_skip_link(page: Page, live_server):
    teacher = f.make_user(email="keys@sentinel.example", password=PASSWORD, full_name="Kim Keys")
    f.make_membership(user=teacher, role="teacher", school=f.make_school(name="Keys Primary"))
    page.goto(f"{live_server.url}/accounts/login/")

    # Back to the very start of the tab order (the page may autofocus a field), then forward once.
    for _ in range(MAX_PRESSES):
        if _focus_is_on_body(page):
            break
        page.keyboard.press("Shift+Tab")
    assert _focus_is_on_body(page), "Shift+Tab never reached the start of the page"
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    expect(skip_link).to_be_in_viewport()

    # The skip link jumps past the header: the next stop is the form's first field.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    email = page.get_by_label("Email address")
    expect(email).to_be_focused()
    page.keyboard.type("keys@sentinel.example")
    page.keyboard.press("Tab")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
