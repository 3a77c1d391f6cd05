"""A teaching assistant on a phone (390 x 844): "Log a session" is on the first screen, the menu folds away,
and a session for a group of four is logged in a few taps by ticking the programme's steps. The class profile
and the home page are photographed at phone and desktop sizes (test-results/screenshots/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tandem.demo.interventions import PROGRAMMES
from tandem.provision.models import SessionLog
from tests import factories as f

PASSWORD = "correct-horse-battery-42"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
MOST_INTERACTIONS = 6
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
PHONICS = "Small-group phonics catch-up"


class Counted:
    """Counts the TA's interactions with the page: clicks, ticks and typing into a field."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, locator: Locator) -> None:
        self.count += 1
        locator.click()

    def check(self, locator: Locator) -> None:
        self.count += 1
        locator.check()

    def fill(self, locator: Locator, text: str) -> None:
        self.count += 1
        locator.fill(text)


@pytest.fixture
def phonics(world):
    """As in the demo: the TA runs a phonics group of four from class 4A, on the demo's own programme, every
    day; the class teacher is accountable for each pupil."""
    school = world.a
    intervention = f.make_intervention(school.school, name=PHONICS, programme_steps=list(PROGRAMMES[PHONICS]))
    group = f.make_intervention_group(
        deliverer=school.ta,
        intervention=intervention,
        name="Phonics catch-up",
        weekdays="0,1,2,3,4,5,6",
        time_of_day="9:10 to 9:30",
    )
    pupils = [school.taught_pupil, school.ehc_pupil]
    for name in ("Amara", "Bilal"):
        pupil = f.make_pupil(school=school.school, forename=name, surname="Phonics")
        f.enrol(group=school.group, pupils=[pupil])
        pupils.append(pupil)
    for pupil in pupils:
        f.make_placement(group=group, pupil=pupil, teacher=school.teacher)
    f.make_passport(school.taught_pupil, what_helps="Instructions one step at a time; a visual timetable.")
    school.ta.set_password(PASSWORD)
    school.ta.save()
    return group


def _in_first_screen(locator: Locator, height: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_it_lets_a_ta_log_a_session_from_the_home_page_of_a_phone_in_a_few_taps(
    page: Page, live_server, world, phonics, sign_in, assert_no_serious_axe_violations
):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.a.ta.email, PASSWORD)
    expect(page.get_by_role("heading", name="The groups you support")).to_be_visible()
    log_it = page.get_by_role("link", name="Log a session for Phonics catch-up")
    expect(log_it).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    assert _in_first_screen(log_it, PHONE["height"]), "'Log a session' is below the fold on a phone"
    assert_no_serious_axe_violations(page)

    taps = Counted()
    taps.click(log_it)
    who = page.get_by_role("group", name="Who came")
    expect(who.get_by_role("checkbox")).to_have_count(4)
    for box in who.get_by_role("checkbox").all():
        expect(box).to_be_checked()  # everyone expected is ticked present already
    covered = page.get_by_role("group", name="What you covered")
    expect(covered.get_by_role("checkbox")).to_have_count(len(PROGRAMMES[PHONICS]))
    assert_no_serious_axe_violations(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "ta-log-session-390x844.png", full_page=True)
    taps.check(covered.get_by_label("Blending for reading"))
    taps.check(covered.get_by_label("Tricky words"))
    taps.check(page.get_by_label("Went well"))
    taps.click(page.get_by_role("button", name="Save session"))

    expect(page.get_by_text("Session logged")).to_be_visible()
    expect(page.get_by_text("logged", exact=True)).to_be_visible()
    assert_no_serious_axe_violations(page)
    assert taps.count <= MOST_INTERACTIONS, f"{taps.count} interactions to log a session"
    log = SessionLog.objects.get(group=phonics)
    assert log.covered == "Blending for reading; Tricky words"
    assert log.attendance.filter(present=True).count() == 4


def test_it_folds_the_menu_behind_a_button_on_a_phone_and_not_on_a_desktop(
    page: Page, live_server, world, phonics, sign_in, assert_no_serious_axe_violations
):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.a.ta.email, PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    classes = nav.get_by_role("link", name="Classes and sets")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(classes).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(classes).to_be_visible()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    assert_no_serious_axe_violations(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "ta-menu-open-390x844.png")
    # From the keyboard: Escape folds it again and leaves the focus on the button.
    classes.focus()
    page.keyboard.press("Escape")
    expect(classes).to_be_hidden()
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(classes).to_be_visible()

    page.set_viewport_size(DESKTOP)
    page.reload()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    for name in ("Home", "To do", "Pupils", "Classes and sets"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def test_it_shows_every_link_on_a_phone_without_javascript(browser, live_server, world, phonics, sign_in):
    context = browser.new_context(viewport=PHONE, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, world.a.ta.email, PASSWORD)
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Classes and sets")).to_be_visible()
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    finally:
        context.close()


def test_it_prints_the_class_profile_without_the_menu_and_photographs_the_pages(
    page: Page, live_server, world, phonics, sign_in, assert_no_serious_axe_violations
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.a.ta.email, PASSWORD)
    page.screenshot(path=SCREENSHOTS / "ta-home-390x844.png")
    page.set_viewport_size(DESKTOP)
    page.reload()
    page.screenshot(path=SCREENSHOTS / "ta-home-1366x768.png")

    page.get_by_role("link", name="Class profile for 4A").click()
    expect(page.get_by_role("heading", name="Class profile: 4A")).to_be_visible()
    expect(page.get_by_role("article")).to_have_count(2)  # the SEN support and EHC plan pupils
    expect(page.get_by_text("Instructions one step at a time; a visual timetable.")).to_be_visible()
    expect(page.get_by_role("button", name="Print this profile")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.screenshot(path=SCREENSHOTS / "class-profile-1366x768.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    assert_no_serious_axe_violations(page)
    page.screenshot(path=SCREENSHOTS / "class-profile-390x844.png", full_page=True)

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("banner")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this profile")).to_be_hidden()
    expect(page.get_by_role("heading", name="Class profile: 4A")).to_be_visible()
    pupil = page.get_by_role("article").first
    assert pupil.evaluate("el => getComputedStyle(el).breakInside") == "avoid"


def test_it_prints_a_full_class_profile_on_two_sides_of_a4_at_most(
    page: Page, live_server, world, phonics, sign_in
):
    """Ten pupils with SEN in a class, each with two needs, a passport, three targets and two interventions:
    still two sides of A4."""
    school = world.a
    other = f.make_intervention_group(
        deliverer=school.ta, intervention=f.make_intervention(school.school, name="Maths catch-up")
    )
    for n in range(8):
        pupil = f.make_pupil(school=school.school, forename=f"Pupil{n}", surname="Profiled")
        f.enrol(group=school.group, pupils=[pupil])
        f.set_sen_status(pupil=pupil, provision="K", need_codes=["SPLD", "SLCN"])
        f.make_passport(
            pupil,
            what_helps="Instructions broken into steps and written down; a word mat for the topic; time to "
            "rehearse an answer with a partner before speaking to the class; a quiet place to work.",
        )
        plan = f.make_plan(pupil)
        for skill in (
            "Read the Year 3 common exception words",
            "Write a sentence with a capital letter and a full stop",
            "Recall number bonds to 20",
        ):
            f.make_target(plan=plan, skill=skill, success_criterion="In 4 of 5 checks over two weeks")
        f.make_placement(group=phonics, pupil=pupil, teacher=school.teacher)
        f.make_placement(group=other, pupil=pupil, teacher=school.teacher)
    sign_in(page, live_server, school.ta.email, PASSWORD)
    page.goto(f"{live_server.url}/groups/{school.group.pk}/profile/")
    expect(page.get_by_role("article")).to_have_count(10)
    page.emulate_media(media="print")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less its margins, at 96 dots an inch
    page.screenshot(path=SCREENSHOTS / "class-profile-print.png", full_page=True)
    pdf = page.pdf(path=SCREENSHOTS / "class-profile-print.pdf", format="A4", prefer_css_page_size=True)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 1 <= pages <= 2, f"the class profile prints on {pages} sides of A4"
