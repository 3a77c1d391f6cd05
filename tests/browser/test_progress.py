"""A teacher opens their flags list, reads a reason, opens the pupil's chart and starts a first response."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories as f

PASSWORD = "correct-horse-battery-42"
REASON = (
    "Made less progress this term than most pupils who started from a similar score (growth percentile 12)."
)


def test_it_takes_a_teacher_from_a_flag_to_the_pupils_chart(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations
):
    school = world.a
    windows = [
        f.make_window(school=school.school, start_year=2025, term=t) for t in ("autumn", "spring", "summer")
    ]
    results = []
    for i, window in enumerate(windows):
        last = i == len(windows) - 1
        for pupil, score in ((school.taught_pupil, 100 - 6 * i), (school.ehc_pupil, 98)):
            flagged = last and pupil == school.taught_pupil
            results.append(
                {
                    "pupil": pupil,
                    "subject_id": "maths",
                    "window": window,
                    "percentile": 12 if flagged else 50,
                    "peers": int(flagged),
                    "flagged": flagged,
                    "is_current": last,
                    "reasons": {"peers": REASON} if flagged else {},
                    "figures": {"score": score, "peer_p25": 95, "peer_median": 100, "peer_p75": 105},
                    "norm_n": 140,
                    "norm_model": "prr",
                }
            )
    f.make_progress_run(school=school.school, results=results)
    school.teacher.set_password(PASSWORD)
    school.teacher.save()

    sign_in(page, live_server, school.teacher.email, PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Less than expected progress").click()
    flags = page.get_by_role("table", name=re.compile("less than expected progress", re.IGNORECASE))
    expect(flags).to_contain_text(REASON)
    expect(flags).not_to_contain_text("SentinelaEhc")
    assert_no_serious_axe_violations(page)

    flags.get_by_role("link", name="Kai SentinelaSupport", exact=True).click()
    chart = page.get_by_role("img", name=re.compile("Mathematics: the pupil's scores"))
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Mathematics: scores and standing"))
    expect(table).to_contain_text("95 to 105 (middle 100)")
    expect(table.get_by_role("row")).to_have_count(4)  # header and three assessments
    assert_no_serious_axe_violations(page)

    # From the chart, the teacher starts a first response; the flag's reason comes with it.
    page.get_by_role("link", name="Record a first response in Mathematics").click()
    expect(page.get_by_role("heading", name="Why Mathematics was flagged")).to_be_visible()
    expect(page.get_by_label("The weakness to target")).to_have_value(REASON)
    expect(page.get_by_label("Subject")).to_have_value("maths")
    page.get_by_label("What you will change in class").fill("Concrete resources at every starter; pre-teach.")
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Save first response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("First response for Kai SentinelaSupport")
    expect(page.get_by_text("a less than expected progress flag")).to_be_visible()
