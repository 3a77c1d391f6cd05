"""A teacher sees two lists of flags, by SEN status, and follows a pupil off the register to their page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories as f

PASSWORD = "correct-horse-battery-42"
REASON = "Made less progress than most pupils who started from a similar score: growth percentile 12."


def test_it_shows_a_teacher_one_list_for_a_first_response_and_one_for_the_next_review(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations
):
    school = world.a
    # Kai is on SEN support; Noor, in the same class, is not on the register.
    noor = f.make_pupil(school=school.school, forename="Noor", surname="SentinelaOffRegister")
    f.enrol(group=school.group, pupils=[noor])
    windows = [f.make_window(school=school.school, start_year=2025, term=t) for t in ("autumn", "spring")]
    results = []
    for i, window in enumerate(windows):
        last = i == len(windows) - 1
        for pupil in (school.taught_pupil, noor, school.ehc_pupil):
            flagged = last and pupil != school.ehc_pupil
            results.append(
                {
                    "pupil": pupil,
                    "subject_id": "reading",
                    "window": window,
                    "percentile": 12 if flagged else 50,
                    "percentile_low": 6 if flagged else 40,
                    "percentile_high": 17 if flagged else 60,
                    "peers": int(flagged),
                    "flagged": flagged,
                    "is_current": last,
                    "reasons": {"peers": REASON} if flagged else {},
                    "figures": {"score": 100 - 5 * i, "peer_p25": 95, "peer_median": 100, "peer_p75": 105},
                    "norm_n": 400,
                }
            )
    f.make_progress_run(school=school.school, results=results)
    school.teacher.set_password(PASSWORD)
    school.teacher.save()

    sign_in(page, live_server, school.teacher.email, PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Less than expected progress").click()
    expect(
        page.get_by_role("heading", name="Not on the SEN register: consider a first response (1)")
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name="On the SEN register: bring to their next review (1)")
    ).to_be_visible()

    first = page.get_by_role("table", name=re.compile("pupils not on the SEN register"))
    review = page.get_by_role("table", name=re.compile("pupils on the SEN register"))
    expect(first.get_by_role("row")).to_have_count(2)  # header and Noor
    expect(first).to_contain_text("Noor SentinelaOffRegister")
    expect(first).not_to_contain_text("SentinelaSupport")
    expect(first.get_by_role("link", name=re.compile("Record a first response"))).to_have_count(1)
    expect(review.get_by_role("row")).to_have_count(2)  # header and Kai
    expect(review).to_contain_text("Kai SentinelaSupport")
    expect(review).not_to_contain_text("SentinelaOffRegister")
    expect(review).to_contain_text(REASON)  # staff keep the figures
    expect(review.get_by_role("link", name=re.compile("Record a first response"))).to_have_count(0)
    assert_no_serious_axe_violations(page)

    first.get_by_role("link", name="Noor SentinelaOffRegister", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Noor SentinelaOffRegister")
    family = page.locator("p", has_text="In words for the family:")
    expect(family).to_contain_text(
        "Noor made less progress in reading in the spring term than most pupils who started at the same "
        "level."
    )
    expect(page.get_by_role("table", name=re.compile("Reading: scores and standing"))).to_contain_text(
        "12, below 20 even allowing for measurement error: flagged"
    )
    assert_no_serious_axe_violations(page)
