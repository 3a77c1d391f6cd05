"""A teaching assistant logs a session on a phone in a handful of taps; the class teacher sees it on their
to-do list and acknowledges it (Code 6.52: intervention work reaches the classroom)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests import factories as f
from tests.browser.conftest import TIMEOUT_MS

PASSWORD = "correct-horse-battery-42"
PHONE = {"width": 390, "height": 844}
MOST_INTERACTIONS = 10


class Counted:
    """Counts the TA's interactions with the page (clicks, ticks, typing into a field)."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()

    def fill(self, locator, text: str) -> None:
        self.count += 1
        locator.fill(text)


def test_it_lets_a_ta_log_a_session_on_a_phone_and_the_teacher_acknowledge_it(
    page: Page, browser: Browser, live_server, world, sign_in, assert_no_serious_axe_violations
):
    school = world.a
    group = f.make_intervention_group(deliverer=school.ta, name="Phonics catch-up", weekdays="0,1,2,3,4,5,6")
    pupils = [school.taught_pupil, school.ehc_pupil]
    for name in ("Amara", "Bilal"):
        pupil = f.make_pupil(school=school.school, forename=name, surname="Phonics")
        f.enrol(group=school.group, pupils=[pupil])
        pupils.append(pupil)
    for pupil in pupils:
        f.make_placement(group=group, pupil=pupil, teacher=school.teacher)
    for user in (school.ta, school.teacher):
        user.set_password(PASSWORD)
        user.save()

    phone = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London", is_mobile=True)
    phone.set_default_timeout(TIMEOUT_MS)
    ta = phone.new_page()
    sign_in(ta, live_server, school.ta.email, PASSWORD)
    taps = Counted(ta)
    taps.click(ta.get_by_role("link", name="Log a session for Phonics catch-up"))
    who = ta.get_by_role("group", name="Who came")
    expect(who.get_by_role("checkbox")).to_have_count(4)
    assert_no_serious_axe_violations(ta)
    taps.click(who.get_by_label("Bilal Phonics"))  # absent today: everyone else is ticked already
    taps.fill(ta.get_by_label("What you covered"), "Blending CVC words; tricky words 'said' and 'was'.")
    taps.click(ta.get_by_label("Went well"))
    taps.click(ta.get_by_role("button", name="Save session"))
    expect(ta.get_by_text("Session logged")).to_be_visible()
    expect(ta.get_by_text("logged", exact=True)).to_be_visible()
    assert taps.count < MOST_INTERACTIONS, f"{taps.count} interactions to log a session"
    phone.close()

    sign_in(page, live_server, school.teacher.email, PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="To do").click()
    waiting = page.get_by_role("region", name=re.compile("Intervention sessions to acknowledge")).or_(
        page.locator("section", has=page.get_by_role("heading", name=re.compile("Intervention sessions")))
    )
    expect(waiting).to_contain_text("Blending CVC words")
    expect(waiting).to_contain_text("Bilal Phonics (absent)")
    assert_no_serious_axe_violations(page)
    waiting.get_by_role("button", name=re.compile("Acknowledge")).click()
    expect(page.get_by_text("Acknowledged. Thank you.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Intervention sessions to acknowledge this term (0)")
    ).to_be_visible()
