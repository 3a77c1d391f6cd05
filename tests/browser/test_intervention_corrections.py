"""The assistant who ran a session corrects who came and then withdraws the log, in a real browser: the
correction form lists the group's pupils with boxes, the group page then shows the history apart from the
sessions that count; the pages pass axe."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests import factories as f

PASSWORD = "correct-horse-battery-42"


def test_it_corrects_and_withdraws_a_session_log(
    page: Page, live_server, world, sign_in, assert_no_serious_axe_violations
):
    school = world.a
    group = f.make_intervention_group(deliverer=school.ta, name="Phonics catch-up")
    for pupil in (school.taught_pupil, school.ehc_pupil):
        f.make_placement(group=group, pupil=pupil, teacher=school.teacher)
    log = f.make_session_log(group=group)
    school.ta.set_password(PASSWORD)
    school.ta.save()
    sign_in(page, live_server, school.ta.email, PASSWORD)

    page.goto(f"{live_server.url}/intervention-groups/{group.pk}/")
    page.get_by_role("link", name=f"Correct the session of {log.held_on:%-d %b %Y}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Correct the session of")
    absent = page.get_by_label(school.ehc_pupil.display_name)
    expect(absent).to_be_checked()
    assert_no_serious_axe_violations(page)
    absent.uncheck()
    page.get_by_label("What was wrong (optional)").fill("Ticked by mistake")
    page.get_by_role("button", name="Save correction").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Phonics catch-up")
    sessions = page.get_by_role("table", name="Session logs, newest first")
    expect(sessions).to_contain_text(school.ehc_pupil.display_name)  # now in the Absent column
    history = page.get_by_role("region", name="Corrected and withdrawn")
    expect(history).to_contain_text("Corrected: Ticked by mistake")
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name=f"Withdraw the session of {log.held_on:%-d %b %Y}").click()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Why is it being withdrawn?").fill("Logged for the wrong group")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("No sessions logged yet.")).to_be_visible()
    expect(page.get_by_role("region", name="Corrected and withdrawn")).to_contain_text(
        "Withdrawn: Logged for the wrong group"
    )
    assert_no_serious_axe_violations(page)
