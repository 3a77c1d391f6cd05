"""The census check in the demo: at each school it lists each planted problem (one pupil per problem the
database can hold) and nothing else, the MIS's word kept for every pupil on roll by the last SEN import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tandem.access.actor import actor_for
from tandem.demo.loader import LoadReport, load_demo
from tandem.exchange.models import ImportRecord, MisSenStatus
from tandem.lib.census_check import Code
from tandem.people.models import Pupil, Role, User
from tandem.register.census_check import census_check
from tandem.register.models import SenStatusPeriod
from tandem.schools.models import School

AS_OF = dt.date(2026, 3, 20)
SMALL = {"seed": 11, "as_of": AS_OF, "schools": 2, "pupils_per_school": 90}
# Every problem but two needs sharing a rank, which the database refuses to hold.
PLANTED = {code for code in Code if code is not Code.RANK_SHARED}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[LoadReport]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(**SMALL)  # type: ignore[arg-type]
        transaction.set_rollback(True)


def _senco(school: School) -> User:
    return (
        User.objects.filter(memberships__school=school, memberships__role=Role.SENCO).order_by("id").first()
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestCensusDemo:
    def test_it_lists_each_planted_problem_and_nothing_else(self, demo):
        schools = list(School.objects.order_by("id"))
        assert demo.rows["census problems planted"] == len(PLANTED) * len(schools)
        for school in schools:
            result = census_check(actor=actor_for(_senco(school)), today=AS_OF)
            found = [(row.problem.code, row.pupil.pk) for group in result.groups for row in group.rows]
            assert sorted(code for code, _ in found) == sorted(PLANTED)  # one pupil each, no other
            assert len({pupil for _, pupil in found}) == len(PLANTED)  # and each pupil has one problem
            assert all(row.pupil.school_id == school.pk for g in result.groups for row in g.rows)
            assert result.last_import is not None and result.last_import.applied_at.date() < AS_OF

    def test_the_last_import_agrees_with_tandem_but_for_the_one_pupil_changed_since(self, demo):
        for school in School.objects.order_by("id"):
            on_roll = set(
                Pupil.objects.filter(school=school, left_on__isnull=True).values_list("id", flat=True)
            )
            said = dict(MisSenStatus.objects.filter(school=school).values_list("pupil_id", "provision"))
            assert set(said) == on_roll
            now = dict(
                SenStatusPeriod.objects.filter(school=school, ends_on__isnull=True).values_list(
                    "pupil_id", "provision"
                )
            )
            differs = {p for p in on_roll if said[p] != now[p]}
            assert len(differs) == 1 and {said[p] for p in differs} == {"N"}
            [record] = ImportRecord.objects.filter(school=school, kind="sen")
            assert set(
                MisSenStatus.objects.filter(school=school).values_list("import_record_id", flat=True)
            ) == {record.pk}
            assert record.status == "applied" and record.content is None

    def test_the_census_page_shows_the_planted_problems(self, client, demo):
        school = School.objects.order_by("id").first()
        client.force_login(_senco(school))
        page = client.get("/register/census-check/").content.decode()
        assert "No problems found" not in page
        for code in PLANTED:
            assert f'data-problem="{code.value}"><a href=' in page
        assert 'data-problem="rank_shared">0<' in page
