"""Another school's pupils never appear in a list, a search, a count or a page (sentinel names)."""

import pytest
from django.urls import reverse

from tandem.people.models import Pupil
from tests.conftest import PERSONA_NAMES_A

LIST_PAGES = [
    "home",
    "pupil_list",
    "register",
    "group_list",
    "trust",
    "staff",
    "import_list",
    "export_roll",
    "export_register",
    "export_marks",
    "export_flags",
]


def _pages_for(world):
    yield from (reverse(name) for name in LIST_PAGES)
    yield reverse("group_detail", args=[world.a.group.pk])
    yield reverse("pupil_detail", args=[world.a.taught_pupil.pk])
    for query in ("Sentinelb", "Zara", world.b.taught_pupil.upn, "Ellis"):
        yield reverse("pupil_list") + f"?q={query}"
        yield reverse("register") + f"?q={query}"
    yield reverse("register") + "?status=E"
    yield reverse("pupil_list") + "?need=ASD"


@pytest.mark.parametrize("persona", [*PERSONA_NAMES_A, "trust_lead", "trust_admin"])
def test_it_never_shows_another_schools_pupil(client, world, persona):
    client.force_login(world.persona(persona))
    b_pupils = list(Pupil.objects.filter(school=world.b.school))
    checked = 0
    for url in _pages_for(world):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        body = response.content.decode()
        for pupil in b_pupils:
            # The search box echoes the query, so look for whole surnames, ids and (unsearched) UPNs.
            assert pupil.legal_surname not in body, f"{persona} saw school B's pupil at {url}"
            assert str(pupil.pk) not in body
            if pupil.upn not in url:
                assert pupil.upn not in body
        checked += response.status_code == 200
    assert checked >= 2  # the persona saw real pages, not only refusals


def test_it_counts_only_the_schools_own_pupils(client, world):
    client.force_login(world.a.senco)
    response = client.get(reverse("home"))
    summary = response.context["summary"]
    assert summary.on_roll == 3
    assert summary.by_provision == {"K": 2, "E": 1}
    assert sorted((need.code, n) for need, n in summary.by_need) == [("ASD", 1), ("SLCN", 1), ("SPLD", 1)]


def test_it_counts_a_trusts_schools_and_no_others(client, world):
    client.force_login(world.trust_admin)
    rows = client.get(reverse("trust")).context["compared"].schools
    assert [(row.name, row.on_roll, row.sen_support, row.ehc_plan) for row in rows] == [("School A", 3, 2, 1)]


def test_it_shows_a_teacher_only_the_pupils_they_teach(client, world):
    client.force_login(world.a.teacher)
    body = client.get(reverse("pupil_list")).content.decode()
    assert "SentinelaSupport" in body and "SentinelaEhc" in body
    assert "SentinelaUntaught" not in body


def test_it_shows_a_trust_admin_no_pupil_rows(client, world):
    client.force_login(world.trust_admin)
    body = client.get(reverse("home")).content.decode()
    assert "Sentinela" not in body
    assert client.get(reverse("pupil_list")).status_code == 404


def test_it_hides_sen_records_from_the_school_admin(client, world):
    client.force_login(world.a.admin)
    body = client.get(reverse("pupil_detail", args=[world.a.ehc_pupil.pk])).content.decode()
    assert "SentinelaEhc" in body
    assert "SEN history" not in body and "EHC plan" not in body
