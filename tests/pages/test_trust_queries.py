"""The trust pages run as many SQL queries for 2 schools as for 10, and for 10 pupils as for 500."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.schools.models import School
from tests import factories as f
from tests.pages.test_query_counts import _queries as _list_queries
from tests.pages.test_query_counts import _school_with


def _queries(client, user, url: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _trust_of(schools: int, first: int):
    """A trust of `schools` schools, each seeded like the list pages' query-count school (10 pupils and up,
    flags, plans, meetings, placements); the SEND lead and the admin of the first school's trust."""
    people, group = _school_with(first)
    school = group.school
    for n in range(first + 1, first + schools):
        _, other = _school_with(n)
        School.objects.filter(pk=other.school_id).update(trust=school.trust)
    admin = f.make_user(email=f"trustadmin.{first}@test.example", full_name="Trust Admin")
    f.make_membership(user=admin, role="trust_admin", trust=school.trust)
    return {"trust_send_lead": people["trust_send_lead"], "trust_admin": admin}, school


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["trust_send_lead", "trust_admin"])
@pytest.mark.parametrize("page", ["trust", "home"])
def test_it_runs_as_many_queries_for_2_schools_as_for_10(client, role, page):
    few_people, _ = _trust_of(2, first=10)
    many_people, _ = _trust_of(10, first=20)
    few = _queries(client, few_people[role], reverse(page))
    many = _queries(client, many_people[role], reverse(page))
    assert few == many, f"{page} as {role}: {few} queries for 2 schools, {many} for 10"
    assert many <= 30


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["trust_send_lead", "trust_admin"])
@pytest.mark.parametrize("page", ["trust", "home", "trust_school"])
def test_it_runs_as_many_queries_for_10_pupils_as_for_500(client, role, page):
    small_people, small_school = _trust_of(1, first=10)
    large_people, large_school = _trust_of(1, first=500)

    def url(school: School) -> str:
        return reverse(page, args=[school.pk]) if page == "trust_school" else reverse(page)

    few = _queries(client, small_people[role], url(small_school))
    many = _queries(client, large_people[role], url(large_school))
    assert few == many, f"{page} as {role}: {few} queries for 10 pupils, {many} for 500"
    assert many <= 30


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", ["progress_list", "group_list", "pupil_list", "export_roll", "export_register", "export_flags"]
)
def test_it_adds_the_school_column_without_a_query_per_row(client, page):
    small = _school_with(10)
    large = _school_with(500)
    few = _list_queries(client, *small, "trust_send_lead", page)
    many = _list_queries(client, *large, "trust_send_lead", page)
    assert few == many, f"{page} as the trust SEND lead: {few} queries for 10 pupils, {many} for 500"
