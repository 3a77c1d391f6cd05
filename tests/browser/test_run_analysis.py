"""Acceptance (issue 13): a SENCo presses "Run the analysis now", follows it on the page while a real worker
process runs it, and reaches the flags it found."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from playwright.sync_api import Page, expect

from tandem.demo.loader import load_demo
from tandem.people.models import Membership, Role
from tests.jobs.workers import kill, start_worker


def test_it_runs_the_analysis_from_a_button_and_shows_how_far_it_has_got(
    page: Page, live_server, sign_in, assert_no_serious_axe_violations
):
    load_demo(seed=21, as_of=dt.date(2026, 11, 23), schools=1, pupils_per_school=150)
    senco = Membership.objects.filter(role=Role.SENCO, school__isnull=False).select_related("user").first()
    assert senco is not None
    sign_in(page, live_server, senco.user.email, settings.TANDEM_DEMO_PASSWORD)

    page.get_by_role("navigation").get_by_role("link", name="Less than expected progress").click()
    expect(page.get_by_text("No analysis has been run yet")).to_be_visible()
    page.get_by_role("button", name="Run the analysis now").click()

    expect(page).to_have_url(re.compile(r"/progress/analyses/[0-9a-f-]+/$"))
    expect(page.get_by_role("heading", name="Waiting to start")).to_be_visible()
    status = page.get_by_role("status").filter(has_text="background worker")
    expect(status).to_contain_text("Waiting for the background worker to start it.")
    expect(status).to_contain_text("No background worker has been seen")
    assert_no_serious_axe_violations(page)

    worker = start_worker()
    try:
        # The page follows the job by itself (no reload by the user) until it is done.
        expect(page.get_by_text(re.compile(r"^Done: [\d,]+ of [\d,]+ results flagged\.$"))).to_be_visible(
            timeout=90_000
        )
    finally:
        kill(worker)
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="See the pupils flagged").click()
    expect(page.get_by_role("heading", name=re.compile("^Not on the SEN register"))).to_be_visible()
    expect(page.get_by_text("No analysis has been run yet")).to_have_count(0)
