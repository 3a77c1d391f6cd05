"""The head's and the SENCo's home pages, with their tiles, gaps chart and accountability table, run the same
number of SQL queries for 10 pupils as for 500, with or without a year group chosen."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.progress.models import ProgressResult
from tests.pages.test_query_counts import _school_with


def _with_gaps(n: int):
    people, _group = _school_with(n)
    # Gaps for every result, so the chart and its table have rows for both groups of pupils.
    results = ProgressResult.objects.filter(school__name=f"School {n}")
    results.filter(flagged=True).update(gap=-0.8)
    results.filter(flagged=False).update(gap=0.1)
    return people


def _queries(client, user, query: str) -> tuple[int, str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home") + query)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["head", "senco"])
@pytest.mark.parametrize("query", ["", "?year=4"])
def test_it_runs_a_bounded_number_of_queries(client, role, query):
    small, large = _with_gaps(10), _with_gaps(500)
    few, _ = _queries(client, small[role], query)
    many, html = _queries(client, large[role], query)
    assert few == many, f"home{query} as {role}: {few} queries for 10 pupils, {many} for 500"
    assert many <= 30
    assert 'id="gap-chart-title"' in html  # the chart was drawn, so its queries were counted
