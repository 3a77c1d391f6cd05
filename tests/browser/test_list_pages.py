"""The SENCo sorts and searches the intervention catalogue and pages through the imports by their headers,
each page passing axe, the order kept from page to page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories as f

PASSWORD = "correct-horse-battery-42"


def test_it_sorts_searches_and_pages_the_catalogue_and_the_imports(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations
):
    school = world.a.school
    f.make_intervention(school, name="Élan phonics", evidence_strength=5)
    f.make_intervention(school, name="Alpha maths", evidence_strength=1)
    for _ in range(51):
        f.make_import(school, kind="pupils")
    f.make_import(school, kind="staff")
    world.a.senco.set_password(PASSWORD)
    world.a.senco.save()
    sign_in(page, live_server, world.a.senco.email, PASSWORD)

    page.goto(f"{live_server.url}/interventions/")
    page.get_by_role("link", name=re.compile(r"^Evidence")).click()
    evidence = page.get_by_role("columnheader", name=re.compile(r"^Evidence"))
    expect(evidence).to_have_attribute("aria-sort", "ascending")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Alpha maths")
    page.get_by_label("Search by name").fill("elan")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=elan&sort=evidence"))
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Élan phonics")
    assert_no_serious_axe_violations(page)

    page.goto(f"{live_server.url}/imports/")
    page.get_by_role("link", name=re.compile(r"^Contains")).click()
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("Page 1 of 2 (52 imports)")
    assert_no_serious_axe_violations(page)
    pager.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"sort=kind&page=2"))
    expect(page.get_by_role("columnheader", name=re.compile(r"^Contains"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.get_by_role("table").get_by_role("row").nth(2)).to_contain_text("Staff and their roles")
