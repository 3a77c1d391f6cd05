"""A parent on a phone (390 x 844), end to end in a real browser with mail over SMTP:

the SENCo invites a carer from the pupil's "Parents and carers" page, shares the support plan and a meeting
record and asks for views before the review; the invitation arrives on the SMTP server; the carer opens its
link, sets a password, signs in on a phone, reads the plan, gives their views and says the meeting record is
fair; the SENCo sees the views on the plan's review page. Another family's child is a plain 404. Each
parent page passes axe, and no internal note reaches any of them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tandem.parents.models import MeetingResponse, ParentViews
from tandem.plans.models import TargetProgress
from tests import factories as f
from tests.browser.conftest import TIMEOUT_MS
from tests.mail import SmtpServer, first_link

SENCO_PASSWORD = "quarry-bramble-signal-26"
CARER_PASSWORD = "lantern-meadow-copper-58"
CARER_EMAIL = "morgan.carer@sentinel.example"
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
INTERNAL = ("SENTINEL-DO-NOTE-4411", "SENTINEL-EVIDENCE-4412", "SENTINEL-PROGRESS-EVIDENCE-4413")


def _phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London", is_mobile=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _no_internal_notes(page: Page) -> None:
    content = page.content()
    for sentinel in INTERNAL:
        assert sentinel not in content, f"{sentinel} on {page.url}"


def test_it_takes_a_carer_from_invitation_to_views_on_a_phone(
    page: Page,
    browser: Browser,
    live_server: Any,
    world: Any,
    smtp_server: SmtpServer,
    sign_in: Any,
    assert_no_serious_axe_violations: Any,
) -> None:
    base = live_server.url
    school = world.a
    pupil = school.taught_pupil
    today = timezone.localdate()
    plan = f.make_plan(
        pupil,
        strengths="Kind to others and loves drawing.",
        review_on=today + dt.timedelta(days=30),
        do_notes=INTERNAL[0],
        evidence=INTERNAL[1],
    )
    target = f.make_target(plan=plan, skill="Retell a short story in order")
    TargetProgress.objects.create(
        target=target,
        pupil=pupil,
        school=pupil.school,
        recorded_on=today,
        note="Retold three of five stories in order.",
        evidence=INTERNAL[2],
        recorded_by=school.teacher,
    )
    meeting = f.make_meeting(
        pupil, held_on=today - dt.timedelta(days=2), agreed_actions="Reading every evening."
    )
    school.senco.set_password(SENCO_PASSWORD)
    school.senco.save()

    # The SENCo: the pupil's page -> Parents and carers -> invite, share, ask for views.
    sign_in(page, live_server, school.senco.email, SENCO_PASSWORD)
    page.goto(f"{base}/pupils/{pupil.pk}/")
    page.get_by_role("link", name="Parents and carers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{pupil.display_name}: parents and carers")
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Invite a parent or carer").click()
    page.get_by_label("Email address").fill(CARER_EMAIL)
    page.get_by_label("Full name").fill("Morgan Carer")
    page.get_by_label("Relationship to the pupil").fill("Foster carer")
    page.get_by_role("button", name="Link and invite").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"An invitation to sign in is on its way to {CARER_EMAIL}"
    )
    page.get_by_role("button", name=re.compile(r"^Share\W+Support plan, cycle 1")).click()
    expect(page.get_by_role("status")).to_contain_text("Shared")
    page.get_by_role("button", name=re.compile(r"^Share\W+Meeting with parents")).click()
    expect(
        page.get_by_role("button", name=re.compile(r"^Stop sharing\W+Meeting with parents"))
    ).to_be_visible()
    page.get_by_role("link", name="Ask for their views").click()
    expect(page.get_by_label("Questions")).to_have_value(re.compile(r"^What is going well for your child\?"))
    expect(page.get_by_label(re.compile(r"For the review of support plan cycle 1"))).to_be_checked()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Send to the parents").click()
    expect(page.get_by_role("status")).to_contain_text("Sent")

    # The carer, on a phone: the invitation's link, a password, then signing in.
    invitation = smtp_server.wait_for(CARER_EMAIL, subject="invited to Tandem")
    assert pupil.legal_forename not in invitation.text and pupil.legal_surname not in invitation.text
    link = first_link(invitation)
    assert link.startswith(f"{base}/accounts/invitation/"), link
    carer = _phone(browser)
    try:
        carer.goto(link)
        carer.get_by_label("Choose a password").fill(CARER_PASSWORD)
        carer.get_by_label("Type the same password again").fill(CARER_PASSWORD)
        carer.get_by_role("button", name="Set my password").click()
        expect(carer.get_by_role("status")).to_contain_text("Your password is set")
        sign_in(carer, live_server, CARER_EMAIL, CARER_PASSWORD)

        expect(carer.get_by_role("heading", name=pupil.display_name)).to_be_visible()
        expect(carer.get_by_role("link", name=re.compile("Tell the school your views"))).to_be_visible()
        assert_no_serious_axe_violations(carer)
        _no_internal_notes(carer)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        carer.screenshot(path=SCREENSHOTS / "parent-home-390x844.png", full_page=True)

        carer.get_by_role("link", name="See Kai's support").click()
        expect(carer.get_by_text("Kind to others and loves drawing.")).to_be_visible()
        expect(carer.get_by_text("Retold three of five stories in order.", exact=False)).to_be_visible()
        expect(carer.get_by_text("An SEN support plan sets out the extra help", exact=False)).to_be_visible()
        assert_no_serious_axe_violations(carer)
        _no_internal_notes(carer)
        carer.screenshot(path=SCREENSHOTS / "parent-child-390x844.png", full_page=True)
        # Nothing is wider than the phone: no sideways scrolling.
        assert carer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        carer.get_by_role("link", name=re.compile("Tell the school your views")).first.click()
        assert_no_serious_axe_violations(carer)
        carer.get_by_label("What is going well for your child?").fill("Loves the reading club.")
        carer.get_by_label("What is worrying you?").fill("Spelling tests make Kai anxious.")
        carer.get_by_role("button", name="Send my answers").click()
        expect(carer.get_by_role("status")).to_contain_text("Thank you: your answers have been sent")

        carer.get_by_role("link", name=re.compile("Check the record of the meeting")).first.click()
        expect(carer.get_by_text("Reading every evening.")).to_be_visible()
        assert_no_serious_axe_violations(carer)
        _no_internal_notes(carer)
        carer.get_by_label("This is a fair record").check()
        carer.get_by_role("button", name="Send my answer").click()
        expect(carer.get_by_role("status")).to_contain_text("Thank you: the school can see your answer")
        assert MeetingResponse.objects.get(meeting=meeting).agrees is True

        carer.get_by_role("link", name="Ask for a meeting").click()
        expect(carer.get_by_role("heading", name="Ask for a meeting about Kai")).to_be_visible()
        assert_no_serious_axe_violations(carer)

        # Another family's child at the same school: the same 404 as a page that does not exist.
        refused = carer.goto(f"{base}/family/{school.untaught_pupil.pk}/")
        assert refused is not None and refused.status == 404
        refused_body = refused.body()
        missing = carer.goto(f"{base}/family/{world.missing_id}/")
        assert missing is not None and missing.status == 404
        assert refused_body == missing.body()
    finally:
        carer.context.close()

    views = ParentViews.objects.get()
    assert views.given_by.email == CARER_EMAIL

    # The SENCo, reviewing the plan, sees what the carer said.
    page.goto(f"{base}/plans/{plan.pk}/review/")
    aside = page.get_by_role("region", name="What parents told us before this review")
    expect(aside).to_contain_text("Morgan Carer (Foster carer)")
    expect(aside).to_contain_text("Loves the reading club.")
    assert_no_serious_axe_violations(page)
