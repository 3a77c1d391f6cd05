"""The sign-in page loads in a real browser and passes the axe accessibility check."""

import re

from playwright.sync_api import expect


def test_it_serves_an_accessible_sign_in_page(page, live_server, assert_no_serious_axe_violations):
    page.goto(f"{live_server.url}/accounts/login/")

    expect(page).to_have_title(re.compile(r"\S"))
    expect(page.get_by_label("Email address")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert_no_serious_axe_violations(page)
