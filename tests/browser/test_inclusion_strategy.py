"""The head (with the second factor) drafts the inclusion strategy, writes the universal offer, publishes it
and opens the published version from the documents list. Every page axe clean."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tandem.documents.models import DocumentVersion

PASSWORD = "correct-horse-battery-42"
UNIVERSAL = "The universal offer: inclusive teaching for every pupil"
OFFER = "Every class uses visual timetables and pre-teaches new words."


def test_it_lets_the_head_draft_write_and_publish_the_inclusion_strategy(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations
):
    head = world.a.head
    head.set_password(PASSWORD)
    head.save()
    sign_in(page, live_server, head.email, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Draft a document").click()
    page.get_by_label("Inclusion strategy").check()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Draft it from today's data").click()

    expect(page.get_by_text("Version 1 drafted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inclusion strategy")
    for title in ("Our pupils' needs", UNIVERSAL, "Targeted and specialist provision, and what it costs"):
        expect(page.get_by_role("heading", name=title, level=2)).to_be_visible()
    expect(page.get_by_text("Contains information about pupils")).to_have_count(0)
    assert_no_serious_axe_violations(page)

    page.get_by_label(f"Your text: {UNIVERSAL}").fill(OFFER)
    page.get_by_role("button", name="Save the text").click()
    expect(page.get_by_text("Text saved.")).to_be_visible()
    expect(page.get_by_label(f"Your text: {UNIVERSAL}")).to_have_value(OFFER)

    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Version 1 published.")).to_be_visible()
    assert DocumentVersion.objects.get().status == "published"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    page.get_by_role("link", name="Version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inclusion strategy")
    expect(page.get_by_text(OFFER)).to_be_visible()
    expect(page.get_by_text("A published version never changes.")).to_be_visible()
    expect(page.get_by_label(f"Your text: {UNIVERSAL}")).to_have_count(0)
    assert_no_serious_axe_violations(page)
