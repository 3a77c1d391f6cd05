"""The 503 page shown while the database cannot serve: readable by a screen reader, usable by keyboard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

PAGE = Path(__file__).resolve().parents[2] / "tandem" / "templates" / "503.html"


def test_it_offers_a_plain_accessible_way_on_when_the_database_is_unavailable(
    page: Page, assert_no_serious_axe_violations: Callable[[Page], None]
) -> None:
    # The template is served as it is (it has no template tags: it renders with no context, because the
    # database may be the thing that is down); tests/core/test_database_unavailable.py serves it for real.
    html = PAGE.read_text()
    assert "{%" not in html and "{{" not in html
    page.set_content(html)

    expect(page.get_by_role("heading", level=1)).to_have_text("Tandem cannot reach its records just now")
    assert_no_serious_axe_violations(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Try this page again")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="go to your home page")).to_be_focused()
