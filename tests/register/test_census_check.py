"""The census check page: the SENCo and head see what would fail the census, for their school only, each
problem with its pupils and a link to put it right, read in the same number of queries for any roll."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.ehc.models import EhcPlan
from tandem.exchange.models import ImportRecord
from tandem.exchange.services import import_apply, import_upload
from tandem.lib.census_check import Code
from tandem.people.models import Pupil
from tandem.register.census_check import census_check
from tandem.register.models import SenNeed, SenStatusPeriod
from tandem.register.services import sen_support_end, sen_support_start
from tests import factories as f

URL = "/register/census-check/"


def _clean(world) -> None:
    """The world's EHC pupil has status E: give it the plan record it should have, so school A is clean."""
    f.make_ehc_plan(world.a.ehc_pupil)


def _found(world, user=None) -> set[tuple[str, object]]:
    result = census_check(actor=actor_for(user or world.a.senco))
    return {(row.problem.code.value, row.pupil.pk) for group in result.groups for row in group.rows}


def _start_support(world, pupil, *, on: dt.date | None = None) -> None:
    day = on or timezone.localdate()
    sen_support_start(
        actor=actor_for(world.a.senco),
        pupil_id=pupil.pk,
        decided_on=day,
        evidence="Assessed over a term.",
        pupil_views="Finds reading hard.",
        parent_views="Agree.",
        parents_informed_on=day,
        parent_note="SEN support from today.",
        need_codes=["SLCN"],
    )


def _sen_import(world, lines: str) -> ImportRecord:
    """A SEN file from the MIS, uploaded and applied by the SENCo through the real import."""
    actor = actor_for(world.a.senco)
    data = ("UPN,SEN Status,Start Date,Primary Need,Secondary Need\n" + lines).encode()
    record = import_upload(actor=actor, kind="sen", file_name="sen.csv", data=data)
    return import_apply(actor=actor, record_id=record.pk)


# ---------------------------------------------------------------- who may see it
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("senco", 200),
        ("head", 200),
        ("teacher", 404),
        ("ta", 404),
        ("admin", 404),
        ("dpo", 404),
        ("parent", 404),
    ],
)
def test_it_answers_the_senco_and_head_and_refuses_everyone_else(client, world, persona, status):
    client.force_login(getattr(world.a, persona))
    assert client.get(URL).status_code == status
    assert reverse("census_check") == URL


def test_it_is_linked_from_the_compliance_page(client, world):
    client.force_login(world.a.senco)
    assert f'href="{URL}"' in client.get(reverse("compliance")).content.decode()


# ---------------------------------------------------------------- what it finds
def test_it_lists_each_planted_problem_and_nothing_else(client, world):
    _clean(world)
    planted = f.plant_census_problems(world.a.school)
    other_school = f.plant_census_problems(world.b.school)
    assert set(planted) == {code.value for code in Code} - {Code.RANK_SHARED.value}
    assert _found(world) == {(code, pupil.pk) for code, pupil in planted.items()}
    assert _found(world, world.a.head) == _found(world)

    client.force_login(world.a.senco)
    page = client.get(URL).content.decode()
    for code, pupil in planted.items():
        assert re.search(rf'data-problem="{code}"><a href="#[^"]+">1<', page), code
        assert pupil.upn in page
    assert 'data-problem="rank_shared">0<' in page
    assert "No problems found" not in page
    for pupil in other_school.values():
        assert pupil.upn not in page
    assert world.b.taught_pupil.legal_surname not in page


def test_it_says_no_problems_found_for_a_clean_school(client, world):
    _clean(world)
    client.force_login(world.a.head)
    page = client.get(URL).content.decode()
    assert "No problems found." in page
    assert "No SEN file has been imported from the MIS yet" in page
    assert world.a.taught_pupil.legal_surname not in page


def test_it_links_each_problem_to_where_it_is_put_right(client, world):
    _clean(world)
    planted = f.plant_census_problems(world.a.school)
    client.force_login(world.a.senco)
    page = client.get(URL).content.decode()
    links = {
        Code.E_WITHOUT_EHC_RECORD: reverse("ehc_pupil", args=[planted[Code.E_WITHOUT_EHC_RECORD].pk]),
        Code.NSA_WITH_EHC_PLAN: reverse("ehc_pupil", args=[planted[Code.NSA_WITH_EHC_PLAN].pk]),
        Code.RANK_GAP: reverse("pupil_detail", args=[planted[Code.RANK_GAP].pk]) + "#needs-heading",
        Code.NO_PRIMARY_NEED: reverse("pupil_detail", args=[planted[Code.NO_PRIMARY_NEED].pk])
        + "#needs-heading",
    }
    for code, href in links.items():
        assert f'href="{href}"' in page, code
    mis = page.split('id="problem-differs-from-mis"')[1].split("</section>")[0]
    assert f'href="{reverse("import_list")}"' in mis
    assert planted[Code.DIFFERS_FROM_MIS].display_name in mis
    # Each link says whose record it opens, for a screen reader reading links on their own.
    assert f'SEN record<span class="visually-hidden"> for {planted[Code.RANK_GAP].display_name}' in page
    # NSA held: information, with the date it was recorded.
    nsa = page.split('id="nsa-held"')[1].split("</table>")[0]
    assert planted[Code.NSA_WITH_EHC_PLAN].display_name in nsa


def test_it_does_not_count_a_change_made_in_tandem_before_the_last_import(world):
    _clean(world)
    pupil = f.make_pupil(school=world.a.school, forename="Mis", surname="Compared")
    _start_support(world, pupil)  # no import yet: nothing to compare with
    assert _found(world) == set()
    # The MIS has it too: the next SEN import, applied after the change, said K.
    applied = _sen_import(world, f"{pupil.upn},K,,SLCN,\n")
    assert _found(world) == set()
    result = census_check(actor=actor_for(world.a.senco))
    assert result.last_import is not None and result.last_import.pk == applied.pk


def test_it_finds_a_status_changed_in_tandem_after_the_import_until_a_newer_import_agrees(world):
    _clean(world)
    pupil = f.make_pupil(school=world.a.school, forename="Mis", surname="Ended")
    _sen_import(world, f"{pupil.upn},K,,SLCN,\n")
    assert _found(world) == set()
    sen_support_end(actor=actor_for(world.a.senco), pupil_id=pupil.pk, ends_on=timezone.localdate())
    [group] = [g for g in census_check(actor=actor_for(world.a.senco)).groups if g.rows]
    assert group.rule.code is Code.DIFFERS_FROM_MIS
    assert [row.problem.message for row in group.rows] == [
        "Tandem says no SEN (N); the last SEN import from the MIS said SEN support (K)."
    ]
    # Another import that leaves the pupil out says nothing new about them: still flagged.
    _sen_import(world, f"{world.a.ehc_pupil.upn},E,,ASD,\n")
    assert _found(world) == {(Code.DIFFERS_FROM_MIS.value, pupil.pk)}
    # A newer import that agrees (the MIS has caught up) clears it.
    _sen_import(world, f"{pupil.upn},N,,,\n")
    assert _found(world) == set()


def test_it_compares_with_what_the_import_said_not_with_the_trail(world):
    """Changed in Tandem twice since the import and back where the MIS left it: nothing to put right."""
    _clean(world)
    pupil = f.make_pupil(school=world.a.school, forename="Mis", surname="Back")
    _sen_import(world, f"{pupil.upn},N,,,\n")
    _start_support(world, pupil)
    assert _found(world) == {(Code.DIFFERS_FROM_MIS.value, pupil.pk)}
    sen_support_end(actor=actor_for(world.a.senco), pupil_id=pupil.pk, ends_on=timezone.localdate())
    assert _found(world) == set()


def test_it_leaves_out_pupils_who_have_left(world):
    _clean(world)
    planted = f.plant_census_problems(world.a.school)
    Pupil.objects.filter(pk=planted[Code.RANK_GAP].pk).update(left_on=timezone.localdate())
    assert (Code.RANK_GAP.value, planted[Code.RANK_GAP].pk) not in _found(world)


def test_it_sorts_the_tables_by_the_column_asked(client, world):
    _clean(world)
    school = world.a.school
    for surname, upn_serial in (("Aardvark", 901), ("Zebra", 902)):
        pupil = f.make_pupil(school=school, forename="Sort", surname=surname, upn=f.valid_upn(upn_serial))
        f.set_sen_status(pupil=pupil, provision="K")
    client.force_login(world.a.senco)
    by_name = client.get(URL).content.decode()
    assert by_name.index("Sort Aardvark") < by_name.index("Sort Zebra")
    backwards = client.get(URL, {"sort": "name", "dir": "desc"}).content.decode()
    assert backwards.index("Sort Zebra") < backwards.index("Sort Aardvark")
    assert 'aria-sort="descending"' in backwards


def test_it_records_the_view_with_field_names_only(client, world):
    client.force_login(world.a.senco)
    client.get(URL)
    event = AuditEvent.objects.filter(action="census_check.view").get()
    assert event.actor_id == world.a.senco.pk
    assert event.target_id == str(world.a.school.pk)
    assert event.fields == ["ehc_plans", "mis_sen_statuses", "sen_needs", "sen_periods"]


# ---------------------------------------------------------------- queries
def _school_of(n: int):
    trust = f.make_trust(name=f"Census Trust {n}")
    school = f.make_school(name=f"Census School {n}", trust=trust)
    senco = f.make_user(email=f"senco.census{n}@test.example", full_name="Senco Census")
    f.make_membership(user=senco, role="senco", school=school)
    start = timezone.localdate() - dt.timedelta(days=60)
    pupils = Pupil.objects.bulk_create(
        Pupil(
            school=school,
            legal_forename="Counted",
            legal_surname=f"Census{i}",
            year_group=4,
            date_of_birth=dt.date(2016, 5, 1),
            sex="F",
            upn=f.valid_upn(i % 1000, estab=f"{n:04d}"),
        )
        for i in range(n)
    )
    SenStatusPeriod.objects.bulk_create(
        SenStatusPeriod(pupil=p, school=school, provision="NKE"[i % 3], starts_on=start)
        for i, p in enumerate(pupils)
    )
    SenNeed.objects.bulk_create(
        SenNeed(pupil=p, school=school, need_type_id=("NSA", "SLCN")[i % 2], rank=1 + i % 4, starts_on=start)
        for i, p in enumerate(pupils)
        if i % 5
    )
    EhcPlan.objects.bulk_create(
        EhcPlan(pupil=p, school=school, local_authority="Alder", issued_on=start, created_by=senco)
        for i, p in enumerate(pupils)
        if i % 4 == 0
    )
    f.plant_census_problems(school)
    return senco


def test_it_runs_the_same_queries_for_10_and_200_pupils(client, db):
    def queries(senco) -> tuple[int, int]:
        client.force_login(senco)
        client.get(URL)  # the first request of a session reads more
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
        assert response.status_code == 200
        problems = sum(len(g.rows) for g in response.context["c"].groups)
        return len(captured.captured_queries), problems

    small, small_problems = queries(_school_of(10))
    large, large_problems = queries(_school_of(200))
    assert large_problems > small_problems > 0
    assert small == large
