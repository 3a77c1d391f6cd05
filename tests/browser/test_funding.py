"""The SENCo, on a phone, says a group is paid for by a trust grant; the provision map then totals its cost
under that source, in a summary that fits the screen by scrolling inside its own box."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Browser, expect

from tandem.access.actor import actor_for
from tandem.provision.services import staff_rate_set
from tests import factories as f
from tests.browser.conftest import TIMEOUT_MS

PASSWORD = "correct-horse-battery-42"
PHONE = {"width": 390, "height": 844}


def test_it_lets_the_senco_change_what_pays_for_a_group_on_a_phone(
    browser: Browser, live_server, world, sign_in, assert_no_serious_axe_violations
):
    school = world.a
    staff_rate_set(actor=actor_for(school.senco), staff_type="ta", hourly_rate=Decimal("18.00"))
    group = f.make_intervention_group(deliverer=school.ta, name="Phonics catch-up")
    f.make_placement(group=group, pupil=school.taught_pupil, teacher=school.teacher)
    school.senco.set_password(PASSWORD)
    school.senco.save()

    phone = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London", is_mobile=True)
    phone.set_default_timeout(TIMEOUT_MS)
    page = phone.new_page()
    sign_in(page, live_server, school.senco.email, PASSWORD)
    page.goto(f"{live_server.url}/intervention-groups/{group.pk}/")
    expect(page.get_by_text("Paid for from: Notional SEN budget")).to_be_visible()
    page.get_by_role("link", name="change what pays for this group").click()
    choices = page.get_by_role("group", name="Paid for from")
    expect(choices.get_by_label("Notional SEN budget")).to_be_checked()
    assert_no_serious_axe_violations(page)
    choices.get_by_label("Other").check()
    page.get_by_role("button", name="Save funding source").click()
    expect(page.locator(".field-error")).to_contain_text("Say in a few words what pays for it")
    page.get_by_label("If other, what pays for it").fill("Trust outreach grant")
    page.get_by_role("button", name="Save funding source").click()
    expect(page.get_by_text("Paid for from: Other: Trust outreach grant")).to_be_visible()

    page.goto(f"{live_server.url}/provision-map/")
    summary = page.get_by_role("table", name="Cost by funding source and layer (£)")
    expect(summary.get_by_role("rowheader", name="Other: Trust outreach grant")).to_be_visible()
    expect(summary.locator("tfoot")).to_contain_text("45.00")  # 18.00 x 20/60 x 30 sessions / 4 pupils
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_serious_axe_violations(page)
    phone.close()
