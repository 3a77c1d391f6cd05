"""A pupil's "about me" on a school tablet: a teaching assistant opens the pupil, fills in the form with the
pupil using the keyboard only (the "Read this out" buttons are there wherever the browser can speak), and
saves; the SENCo starting the pupil's plan then finds the answers in the assess step, shown and already in
the pupil's views, and the teacher sees them beside the passport."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests import factories as f
from tests.browser.conftest import TIMEOUT_MS, VIEWPORT

PASSWORD = "correct-horse-battery-42"
PORTRAIT = {"width": 768, "height": 1024}  # the same tablet, held upright
MOST_TABS = 60


def _tab_to(page: Page, selector: str) -> list[str]:
    """Press Tab until the element matching the selector has the focus; what took the focus on the way (a
    date box takes several presses: day, month and year)."""
    passed: list[str] = []
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return passed
        passed.append(
            str(
                page.evaluate(
                    "document.activeElement.getAttribute('aria-label') || document.activeElement.id"
                )
            )
        )
    raise AssertionError(f"Tab never reached {selector}; it passed {passed}")


def _new_window(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def test_it_lets_a_pupil_tell_us_about_themselves_and_feeds_the_plan_and_passport(
    page: Page, browser: Browser, live_server, world, sign_in, assert_no_serious_axe_violations
):
    school = world.a
    pupil = school.taught_pupil
    f.make_passport(pupil)
    for user in (school.ta, school.senco, school.teacher):
        user.set_password(PASSWORD)
        user.save()
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # The teaching assistant, with the tablet upright, opens the pupil and their "About me".
    page.set_viewport_size(PORTRAIT)
    sign_in(page, live_server, school.ta.email, PASSWORD)
    page.goto(f"{live_server.url}/pupils/{pupil.pk}/")
    page.get_by_role("link", name="About me", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("about me"))
    expect(page.get_by_text("Kai has not filled in")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name=re.compile("Fill in .About me. with Kai")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About me")
    assert_no_serious_axe_violations(page)

    # Where the browser can speak, each question has its own "Read this out" button.
    speaks = bool(
        page.evaluate("'speechSynthesis' in window && typeof SpeechSynthesisUtterance === 'function'")
    )
    read_buttons = page.get_by_role("button", name=re.compile(r"^Read this out"))
    expect(read_buttons).to_have_count(4 if speaks else 0)

    # Keyboard only: Tab to each question's box (past its "Read this out" button) and type.
    answers = {
        "#id_good_at": "Football. Drawing dinosaurs.",
        "#id_what_helps": "When someone reads the question to me.",
        "#id_what_is_hard": "Loud rooms.",
        "#id_what_i_want": "To be in the school play.",
    }
    for box, words in answers.items():
        passed = _tab_to(page, box)
        if speaks:
            assert passed[-1].startswith("Read this out: "), passed
        page.keyboard.type(words)
    if speaks:
        # Back to the last question's button, to hear the answer read back: quiet in a headless browser (no
        # voices), but it must not fail.
        page.keyboard.press("Shift+Tab")
        expect(page.get_by_role("button", name="Read this out: What I want")).to_be_focused()
        page.keyboard.press("Enter")
    # The adult's part: how it was recorded (arrow keys choose within the group), and the date (today).
    _tab_to(page, "#id_how_recorded_0")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("The pupil said it and an adult wrote it down")).to_be_checked()
    _tab_to(page, "#id_recorded_on")
    _tab_to(page, "button[type=submit]")
    expect(page.get_by_role("button", name="Save my answers")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Saved. Thank you for telling us about you.")).to_be_visible()
    expect(page.get_by_text("Football. Drawing dinosaurs.")).to_be_visible()
    expect(
        page.get_by_text(f"With {school.ta.full_name}. The pupil said it and an adult wrote it down.")
    ).to_be_visible()
    assert_no_serious_axe_violations(page)
    assert script_errors == []

    # The SENCo starts a plan: the assess step shows what Kai told us, and the pupil's views start from it.
    senco = _new_window(browser)
    sign_in(senco, live_server, school.senco.email, PASSWORD)
    senco.goto(f"{live_server.url}/pupils/{pupil.pk}/support/")
    senco.get_by_role("link", name="Write a support plan").click()
    told = senco.get_by_role("complementary", name="What Kai told us")
    expect(told).to_contain_text("When someone reads the question to me.")
    expect(told).to_contain_text(f"with {school.ta.full_name}")
    views = senco.get_by_label("The pupil's views", exact=True)
    expect(views).to_have_value(re.compile(r"^What I am good at: Football\. Drawing dinosaurs\.\n"))
    expect(views).to_have_value(
        re.compile(r"What I want: To be in the school play\.\n\(From \"About me\" on ")
    )
    assert_no_serious_axe_violations(senco)
    senco.context.close()

    # The class teacher sees the answers beside the passport.
    teacher = _new_window(browser)
    sign_in(teacher, live_server, school.teacher.email, PASSWORD)
    teacher.goto(f"{live_server.url}/pupils/{pupil.pk}/passport/")
    expect(teacher.get_by_role("complementary", name="What Kai told us")).to_contain_text("Loud rooms.")
    teacher.context.close()
