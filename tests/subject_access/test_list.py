"""The list of subject access requests: soonest due first until a header says otherwise, sorts by when each
arrived and by status, and pages with the order kept."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def _who_asked(page: str) -> list[str]:
    return re.findall(r"</th>\s*<td>([^<]+)</td>", page)


@pytest.fixture
def recorded(world):
    pupil = world.a.taught_pupil
    f.make_subject_access_request(
        pupil, requester="Answered", received_on=dt.date(2026, 9, 1), status="answered"
    )
    f.make_subject_access_request(pupil, requester="Latest", received_on=dt.date(2026, 11, 20))
    f.make_subject_access_request(
        pupil, requester="Soonest", received_on=dt.date(2026, 11, 25), due_on=dt.date(2026, 11, 30)
    )
    f.make_subject_access_request(world.b.taught_pupil, requester="Elsewhere")


def test_it_shows_the_soonest_due_first(client, world, recorded):
    client.force_login(world.a.dpo)

    page = client.get(reverse("subject_access_list")).content.decode()

    assert _who_asked(page) == ["Answered", "Soonest", "Latest"]  # never another school's
    assert "Requests, soonest due first" in page
    assert re.search(r'aria-sort="ascending"><a href="\?sort=due&amp;dir=desc"', page)


def test_it_sorts_by_when_each_arrived_and_by_status(client, world, recorded):
    client.force_login(world.a.dpo)

    received = client.get(reverse("subject_access_list"), {"sort": "received", "dir": "desc"})
    status = client.get(reverse("subject_access_list"), {"sort": "status", "dir": "desc"})

    assert _who_asked(received.content.decode()) == ["Soonest", "Latest", "Answered"]
    # "Open" before "Answered", Z to A; the open ones latest due first.
    assert _who_asked(status.content.decode()) == ["Latest", "Soonest", "Answered"]


def test_it_ignores_a_column_it_does_not_sort_by(client, world, recorded):
    client.force_login(world.a.dpo)

    page = client.get(reverse("subject_access_list"), {"sort": "export", "dir": "desc"}).content.decode()

    assert _who_asked(page) == ["Latest", "Soonest", "Answered"]  # by due date, latest first


def test_it_pages_with_the_order_kept(client, world):
    start = dt.date(2026, 1, 1)
    for n in range(51):
        f.make_subject_access_request(
            world.a.taught_pupil, requester=f"Asker {n:02d}", received_on=start + dt.timedelta(days=n)
        )
    client.force_login(world.a.dpo)
    query = {"sort": "received", "dir": "desc"}

    first = client.get(reverse("subject_access_list"), query).content.decode()
    second = client.get(reverse("subject_access_list"), {**query, "page": 2}).content.decode()

    assert _who_asked(first)[0] == "Asker 50" and len(_who_asked(first)) == 50
    assert 'href="?sort=received&amp;dir=desc&amp;page=2"' in first
    assert _who_asked(second) == ["Asker 00"]
    assert "Page 2 of 2 (51 requests)" in second
