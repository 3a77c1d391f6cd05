"""Small things that add up (issue 15's polish list): each has a page-level test here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from tests import factories as f


def test_it_gives_every_page_an_icon_and_answers_favicon_ico(client, world):
    client.force_login(world.a.teacher)
    page = client.get(reverse("home")).content.decode()
    assert 'rel="icon" href="/static/tandem/favicon.svg"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    # Anonymous visitors (the sign-in page) ask for it too, and must not be sent to sign in.
    client.logout()
    assert client.get("/favicon.ico").status_code == 200


def test_it_lists_the_pupils_interventions_on_their_page(client, world):
    group = f.make_intervention_group(
        deliverer=world.a.ta, intervention=f.make_intervention(world.a.school, name="Talk Boost")
    )
    f.make_placement(group=group, pupil=world.a.taught_pupil, teacher=world.a.teacher)
    for persona in ("a_teacher", "a_senco", "a_head"):
        client.force_login(world.persona(persona))
        page = client.get(reverse("pupil_detail", args=[world.a.taught_pupil.pk])).content.decode()
        assert "Interventions this school year" in page
        assert "Talk Boost" in page and "now (running)" in page
    client.force_login(world.a.teacher)
    assert client.get(reverse("intervention_group", args=[group.pk])).status_code == 200
    # A pupil with none says so.
    page = client.get(reverse("pupil_detail", args=[world.a.ehc_pupil.pk])).content.decode()
    assert "No interventions this school year." in page


def test_it_says_reception_and_counts_in_the_singular(client, world):
    f.make_group(school=world.a.school, name="Robins", year_group=0, teachers=[world.a.teacher])
    once = f.make_intervention(
        world.a.school, name="Lego therapy", sessions_per_week=1, weeks=1, minutes_per_session=1
    )
    client.force_login(world.a.senco)
    groups = client.get(reverse("group_list")).content.decode()
    assert "<td>Reception</td>" in groups
    page = client.get(reverse("intervention_detail", args=[once.pk])).content.decode()
    assert "1 session a week of 1 minute, for 1 week (1 session)" in page


def test_it_words_every_empty_required_field_the_same_way(client, world):
    client.force_login(world.a.teacher)
    page = client.post(
        reverse("concern_new", args=[world.a.taught_pupil.pk]), {"observed": ""}
    ).content.decode()
    assert "This cannot be left empty." in page
    assert "This field is required" not in page


def test_it_labels_terms_with_their_school_year_so_they_read_in_order(world):
    window = f.make_window(school=world.a.school, start_year=2024, term="spring")
    assert str(window) == "Spring 2024/25"


def test_it_gives_data_tables_a_wider_page(client, world):
    client.force_login(world.a.senco)
    for name in ("pupil_list", "register", "progress_list", "provision_map", "audit_list"):
        assert '<main id="main" tabindex="-1" class="wide">' in client.get(reverse(name)).content.decode(), (
            name
        )
    assert '<main id="main" tabindex="-1">' in client.get(reverse("home")).content.decode()


def test_it_ends_the_test_run_saying_how_many_browser_tests_ran_or_why_not(tmp_path):
    """`make test` on a machine without Chromium: the run ends saying the browser tests were skipped, and why.
    (Its own SQLite database, so it never meets the suite's, whichever database that is.)"""
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "TANDEM_CHROMIUM": str(tmp_path / "no-chromium"),
        "TANDEM_REQUIRE_BROWSER": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tandem.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/browser/test_smoke.py"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    last = done.stdout.strip().splitlines()[-2:]
    assert last[0].startswith("Browser tests (real Chromium): ") and last[0].endswith(" skipped."), last
    missing = tmp_path / "no-chromium"
    reason = f"Chromium not found at {missing}; install Debian's package: apt-get install chromium"
    assert last[1] == f"  Skipped because: {reason}"


def test_it_labels_the_summarys_terms_with_their_school_year_in_order(client, world):
    windows = [
        f.make_window(school=world.a.school, start_year=2024, term=t) for t in ("autumn", "spring", "summer")
    ]
    results = [
        {
            "pupil": pupil,
            "subject_id": "maths",
            "window": window,
            "gap": -0.5,
            "is_current": window is windows[-1],
        }
        for window in windows
        for pupil in (world.a.taught_pupil, world.a.untaught_pupil)
    ]
    f.make_progress_run(school=world.a.school, results=results)
    client.force_login(world.a.senco)
    page = client.get(reverse("progress_summary")).content.decode()
    found = re.findall(r'<th scope="row">((?:Autumn|Spring|Summer) \d{4}/\d\d)</th>', page)
    assert found == ["Autumn 2024/25", "Spring 2024/25", "Summer 2024/25"]


def test_it_counts_the_heads_staff_in_the_singular_and_plural(client, world):
    client.force_login(world.a.head)
    page = client.get(reverse("home")).content.decode()
    # School A: the teacher and another teacher, one TA, one SENCo.
    assert "2 teachers, 1 teaching assistant, 1 SENCo." in page
