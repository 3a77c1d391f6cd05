"""Acceptance: a SENCo signs in, filters the SEN register to EHC plans and opens a pupil's record."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories as f

PASSWORD = "correct-horse-battery-42"


def _name(forename: str, surname: str) -> re.Pattern[str]:
    """A pupil's name as shown, "Forename Surname" or "Surname, Forename"."""
    return re.compile(rf"{forename}\W+{surname}|{surname}\W+{forename}")


def test_it_lets_a_senco_filter_the_register_to_ehc_plans_and_open_a_pupil(
    page: Page, live_server, sign_in, assert_no_serious_axe_violations
):
    school_a = f.make_school(name="Sentinel Primary")
    school_b = f.make_school(name="Otherschool Primary")
    senco = f.make_user(email="senco@sentinel.example", full_name="Sam Senco")
    senco.set_password(PASSWORD)
    senco.save()
    f.make_membership(user=senco, role="senco", school=school_a)
    ehc = f.make_pupil(school=school_a, forename="Ellis", surname="Sentinel-EHC")
    support = f.make_pupil(school=school_a, forename="Kai", surname="Sentinel-Support")
    other = f.make_pupil(school=school_b, forename="Zara", surname="Otherschool")
    f.enrol(group=f.make_group(school=school_a, name="4 Oak"), pupils=[ehc, support])
    f.enrol(group=f.make_group(school=school_b, name="4 Ash"), pupils=[other])
    f.set_sen_status(pupil=ehc, provision="E", need_codes=["ASD"])
    f.set_sen_status(pupil=support, provision="K", need_codes=["SPLD"])
    f.set_sen_status(pupil=other, provision="E", need_codes=["SLCN"])

    sign_in(page, live_server, "senco@sentinel.example", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")

    page.get_by_role("navigation").get_by_role("link", name="SEN register").click()
    expect(page).to_have_url(re.compile(r"/register/"))
    pupils = page.get_by_role("table", name=re.compile("pupils", re.IGNORECASE))
    # Before filtering: both of school A's register pupils, never school B's.
    expect(pupils).to_contain_text("Sentinel-Support")
    expect(pupils.get_by_role("link", name=_name("Ellis", "Sentinel-EHC"))).to_be_visible()
    expect(pupils).not_to_contain_text("Otherschool")

    page.get_by_label("SEN status").select_option(label="EHC plan")
    page.get_by_role("button", name="Apply filters").click()

    expect(pupils).not_to_contain_text("Sentinel-Support")
    expect(pupils).not_to_contain_text("Otherschool")
    ehc_pupil = pupils.get_by_role("link", name=_name("Ellis", "Sentinel-EHC"))
    expect(ehc_pupil).to_be_visible()
    assert_no_serious_axe_violations(page)

    ehc_pupil.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(_name("Ellis", "Sentinel-EHC"))
    history_heading = page.get_by_role("heading", name="SEN history")
    # The innermost <section> holding the heading (sections come before their descendants).
    history = page.locator("section").filter(has=history_heading).last
    expect(history).to_contain_text("EHC plan")
    assert_no_serious_axe_violations(page)
