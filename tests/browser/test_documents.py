"""A SENCo drafts the governors' termly report, writes the commentary, publishes it and takes the PDF; the
page works at 390 pixels wide without scrolling sideways. Screenshots in test-results/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tandem.documents.models import DocumentVersion

PASSWORD = "correct-horse-battery-42"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
WARNING = "Contains information about pupils: do not publish"


def test_it_lets_a_senco_draft_write_and_publish_the_governors_report(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations
):
    senco = world.a.senco
    senco.set_password(PASSWORD)
    senco.save()
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, senco.email, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    page.get_by_role("link", name="Draft a document").click()
    expect(page.get_by_label("Termly SEND report to governors and the trust board")).to_be_checked()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Draft it from today's data").click()

    expect(page.get_by_text("Version 1 drafted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Termly SEND report to governors and the trust board"
    )
    expect(page.get_by_text(WARNING).first).to_be_visible()
    for title in ("The SEN register: its size and mix of needs", "Compliance with the SEND Code of Practice"):
        expect(page.get_by_role("heading", name=title, level=2)).to_be_visible()
    assert_no_serious_axe_violations(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "senco-governors-report-draft-1366.png", full_page=True)

    page.get_by_label("Your text: Commentary and next steps").fill("Reviews are on time; meetings are next.")
    page.get_by_role("button", name="Save the text").click()
    expect(page.get_by_text("Text saved.")).to_be_visible()
    expect(page.get_by_label("Your text: Commentary and next steps")).to_have_value(
        "Reviews are on time; meetings are next."
    )

    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_serious_axe_violations(page)
    page.screenshot(path=SCREENSHOTS / "senco-governors-report-draft-390.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Version 1 published.")).to_be_visible()
    expect(page.get_by_text("Reviews are on time; meetings are next.")).to_be_visible()
    expect(page.get_by_role("button", name="Start version 2 from this text")).to_be_visible()
    assert_no_serious_axe_violations(page)
    assert DocumentVersion.objects.get().status == "published"

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the PDF").click()
    download = downloading.value
    assert re.fullmatch(r"termly-send-report-.*-version-1-published-.*\.pdf", download.suggested_filename)
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
