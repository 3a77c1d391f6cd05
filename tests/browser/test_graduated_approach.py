"""The graduated approach end to end, in a real browser, as the people involved:

a teacher raises a concern and records a first response, and at review refers to the SENCo; the SENCo
starts SEN support with the parent note and writes a plan with a SMART target and a review date; the
teacher and the teaching assistant record progress on the target; the SENCo runs the review and records
a meeting with the parents. The SENCo's compliance view is checked after every step.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests import factories as f
from tests.browser.conftest import CHROMIUM_ARGS, TIMEOUT_MS, VIEWPORT  # noqa: F401

PASSWORD = "correct-horse-battery-42"


def _iso(day: dt.date) -> str:
    return day.isoformat()


class Compliance:
    """The SENCo's compliance page in its own browser window, read after each step."""

    def __init__(self, page: Page, url: str) -> None:
        self.page, self.url = page, url

    def measure(self, name: str) -> int:
        self.page.goto(self.url)
        # A count that has a list behind it is a link, its hidden words after the number.
        return int(self.page.locator(f'td[data-measure="{name}"]').inner_text().split()[0])

    def expect(self, **expected: int) -> None:
        self.page.goto(self.url)
        for name, value in expected.items():
            cell = self.page.locator(f'td[data-measure="{name}"]')
            expect(cell, name).to_have_text(re.compile(rf"^{value}(\D|$)"))


def _new_window(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def test_it_walks_the_graduated_approach_as_teacher_ta_and_senco(
    page: Page, browser: Browser, live_server, world, sign_in, assert_no_serious_axe_violations
):
    school = world.a
    pupil = f.make_pupil(school=school.school, forename="Noor", surname="Journeyman")
    f.enrol(group=school.group, pupils=[pupil])
    for user in (school.teacher, school.senco, school.ta):
        user.set_password(PASSWORD)
        user.save()
    today = timezone.localdate()

    senco_page = _new_window(browser)
    sign_in(senco_page, live_server, school.senco.email, PASSWORD)
    compliance = Compliance(senco_page, f"{live_server.url}/compliance/")
    compliance.expect(open_concerns=0, open_first_responses=0, referred=0)
    assert_no_serious_axe_violations(senco_page)
    sen_support_before = compliance.measure("sen_support")
    without_plan_before = compliance.measure("without_plan")  # the world's pupils on SEN support have none

    # The teacher raises a concern from the pupil's support record.
    sign_in(page, live_server, school.teacher.email, PASSWORD)
    page.goto(f"{live_server.url}/pupils/{pupil.pk}/")
    page.get_by_role("link", name=re.compile("Support record")).click()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Raise a concern").click()
    page.get_by_label("Area of need").select_option("cognition")
    page.get_by_label("What did you see?").fill(
        "Guesses long words from the first letter; avoids reading aloud."
    )
    page.get_by_role("button", name="Raise concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Concern about Noor"))
    compliance.expect(open_concerns=1)

    # ...and records a first response from it: targeted high-quality teaching, with a review date.
    page.get_by_role("link", name="Record a first response").click()
    assert_no_serious_axe_violations(page)
    page.get_by_label("The weakness to target").fill("Decoding words of more than one syllable")
    page.get_by_label("What you will change in class").fill(
        "Pre-teach topic words daily; chunk words on the board."
    )
    page.get_by_label("Start date").fill(_iso(today - dt.timedelta(days=42)))
    page.get_by_label("Review date").fill(_iso(today))
    page.get_by_role("button", name="Save first response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("First response for Noor"))
    compliance.expect(open_concerns=0, open_first_responses=1)

    # At review, progress is still less than expected: refer to the SENCo.
    page.get_by_role("link", name="Review this first response").click()
    page.get_by_label(re.compile("Refer to the SENCo")).check()
    page.get_by_label("What you found").fill("Still guessing; reading age unchanged after six weeks.")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Refer to the SENCo: progress is still less than expected")).to_be_visible()
    compliance.expect(open_first_responses=0, referred=1)

    # The SENCo starts SEN support from the referral, with the note given to the parents.
    senco_page.get_by_role("link", name="Noor Journeyman").first.click()
    senco_page.get_by_role("link", name="Start SEN support").click()
    expect(senco_page.get_by_role("heading", name="First responses tried in class")).to_be_visible()
    expect(senco_page.get_by_text("Decoding words of more than one syllable")).to_be_visible()
    assert_no_serious_axe_violations(senco_page)
    senco_page.get_by_label("Evidence").fill("Six weeks of targeted teaching; reading age 18 months behind.")
    senco_page.get_by_label("The pupil's views").fill("Long words are hard.")
    senco_page.get_by_label("The parents' views").fill("Agree; would like ideas for home.")
    senco_page.get_by_role("button", name="Start SEN support").click()
    expect(senco_page.get_by_text("Note given to the parents: This cannot be left empty.")).to_be_visible()
    senco_page.get_by_label("Date the parents were told").fill(_iso(today))
    senco_page.get_by_label("Note given to the parents").fill("We will give Noor extra help with reading.")
    senco_page.get_by_label("Primary need (rank 1)").select_option("SPLD")
    senco_page.get_by_role("button", name="Start SEN support").click()
    expect(senco_page.get_by_text("SEN support recorded")).to_be_visible()
    compliance.expect(referred=0, sen_support=sen_support_before + 1, without_plan=without_plan_before + 1)

    # ...writes the plan; a missing review date is refused with the Code's reason.
    senco_page.goto(f"{live_server.url}/pupils/{pupil.pk}/support/")
    senco_page.get_by_role("link", name="Write a support plan").click()
    fields = {
        "Assess: summary": "Decoding well below peers.",
        "Strengths": "Good oral vocabulary.",
        "Needs": "Reading longer words.",
        "The pupil's views": "I like reading with a grown-up.",
        "The parents' views": "Reads at home most nights.",
        "Plan: what every adult does in class": "Pre-teach key words; paired reading.",
        "Expected impact": "Reads Year 3 texts fluently.",
    }
    for label, value in fields.items():
        senco_page.get_by_label(label, exact=True).fill(value)
    senco_page.get_by_label("Accountable teacher").select_option(label=school.teacher.full_name)
    senco_page.get_by_role("button", name="Save plan").click()
    expect(senco_page.get_by_role("alert")).to_contain_text("Enter a review date")
    senco_page.get_by_label("Review date").fill(_iso(today + dt.timedelta(days=70)))
    senco_page.get_by_role("button", name="Save plan").click()
    expect(senco_page.get_by_role("heading", level=1)).to_have_text(re.compile("support plan, cycle 1"))
    compliance.expect(without_plan=without_plan_before, open_plans=1)

    # ...and a SMART target; the checker explains what is missing first.
    senco_page.goto(f"{live_server.url}/pupils/{pupil.pk}/support/")
    senco_page.get_by_role("link", name="Open the current support plan").click()
    plan_url = senco_page.url
    senco_page.get_by_role("link", name="Add a SMART target").click()
    senco_page.get_by_label("The skill or behaviour").fill("Improve reading")
    senco_page.get_by_label("How it is measured").fill("Fortnightly check of the Year 3 word list")
    senco_page.get_by_label("Where the pupil is now").fill("Reads 20 of the 64 words")
    senco_page.get_by_label("What counts as met").fill("Reads 50 of the 64 words on two checks in a row")
    senco_page.get_by_label("Accountable teacher").select_option(label=school.teacher.full_name)
    senco_page.get_by_role("checkbox", name=re.compile(re.escape(school.ta.full_name))).check()
    senco_page.get_by_role("button", name="Check and add target").click()
    expect(senco_page.get_by_role("alert")).to_contain_text("The skill or behaviour")
    assert_no_serious_axe_violations(senco_page)
    senco_page.get_by_label("The skill or behaviour").fill("Read aloud the Year 3 common exception words")
    senco_page.get_by_role("button", name="Check and add target").click()
    expect(senco_page.get_by_text("Target added")).to_be_visible()
    # The SENCo may open the staff page: the teaching assistant's name links to their row on it.
    expect(senco_page.get_by_role("link", name=school.ta.full_name, exact=True)).to_have_attribute(
        "href", re.compile(r"/staff/\?q=[^#]+#staff-\d+$")
    )
    compliance.expect(targets_without_recent_progress=1)

    # The teacher sees the target and records progress with evidence.
    page.goto(plan_url)
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name=re.compile("Record progress")).click()
    page.get_by_label("Progress").fill("Reads 31 of the 64 words.")
    page.get_by_label("Evidence (optional)").fill("Fortnightly check, week 2")
    page.get_by_role("button", name="Save progress").click()
    expect(page.get_by_role("table", name="Progress recorded")).to_contain_text("Reads 31 of the 64 words.")
    compliance.expect(targets_without_recent_progress=0)

    # The teaching assistant who supports the group adds what happened in the reading sessions.
    ta_page = _new_window(browser)
    sign_in(ta_page, live_server, school.ta.email, PASSWORD)
    ta_page.goto(plan_url)
    expect(ta_page.get_by_role("link", name="Review this plan")).to_have_count(0)
    ta_page.get_by_role("link", name=re.compile("Record progress")).click()
    ta_page.get_by_label("Progress").fill("Reads 38 of the 64 words in the group session.")
    ta_page.get_by_role("button", name="Save progress").click()
    expect(ta_page.get_by_role("table", name="Progress recorded")).to_contain_text("38 of the 64")
    ta_page.context.close()

    # The SENCo runs the review; the next cycle opens with the target carried forward.
    reviews_before = compliance.measure("reviews_this_year")
    senco_page.goto(plan_url)
    senco_page.get_by_role("link", name="Review this plan").click()
    senco_page.get_by_label(re.compile("Target: Read aloud")).select_option("partly")
    senco_page.get_by_label("What the review found").fill("Good progress on words; fluency still slow.")
    senco_page.get_by_label("The pupil's views").fill("Reading is a bit easier.")
    senco_page.get_by_label("The parents' views").fill("Happy to carry on.")
    senco_page.get_by_label(re.compile("Continue: a new cycle")).check()
    senco_page.get_by_role("button", name="Save review").click()
    expect(senco_page.get_by_role("heading", level=1)).to_have_text(re.compile("cycle 2"))
    compliance.expect(reviews_this_year=reviews_before + 1, open_plans=1)

    # ...and records the meeting with the parents; the parent PDF is offered.
    meetings_before = compliance.measure("meetings_this_year")
    senco_page.goto(f"{live_server.url}/pupils/{pupil.pk}/support/")
    senco_page.get_by_role("link", name="Record a meeting with parents").click()
    senco_page.get_by_label("Who attended").fill("Mother, class teacher, SENCo")
    senco_page.get_by_label("The parents' views").fill("Pleased with the word games.")
    senco_page.get_by_label("What was discussed").fill("The review and the next plan.")
    senco_page.get_by_label("Agreed actions").fill("Word games at home three times a week.")
    senco_page.get_by_role("button", name="Save meeting").click()
    expect(senco_page.get_by_role("link", name=re.compile("record for parents"))).to_be_visible()
    compliance.expect(meetings_this_year=meetings_before + 1)

    # The pupil's timeline tells the story in order.
    senco_page.goto(f"{live_server.url}/pupils/{pupil.pk}/support/")
    kinds = senco_page.locator(".timeline .tag").all_inner_texts()
    assert kinds[0] == "First response" and "Concern" in kinds and kinds[-1] == "Parent meeting"
    assert_no_serious_axe_violations(senco_page)
