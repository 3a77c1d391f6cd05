"""The list of imports: newest first until a header says otherwise, sorts by what a file contains and its
status as they read, and pages with the order kept."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.exchange.models import ImportRecord
from tests import factories as f

pytestmark = pytest.mark.django_db


def _files(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/imports/[^"]+/">([^<]+)</a></th>', page)


def _imported(school: object, name: str, *, kind: str, days_ago: int, status: str = "previewed") -> None:
    record = f.make_import(school, kind=kind)
    ImportRecord.objects.filter(pk=record.pk).update(
        file_name=name, status=status, uploaded_at=timezone.now() - dt.timedelta(days=days_ago)
    )


@pytest.fixture
def imports(world):
    _imported(world.a.school, "roll.csv", kind="pupils", days_ago=3, status="applied")
    _imported(world.a.school, "marks.xlsx", kind="marksheet", days_ago=1)
    _imported(world.a.school, "staff.csv", kind="staff", days_ago=2, status="discarded")
    _imported(world.b.school, "other.csv", kind="pupils", days_ago=0)


def test_it_shows_the_newest_first_and_says_so(client, world, imports):
    client.force_login(world.a.admin)

    page = client.get(reverse("import_list")).content.decode()

    assert _files(page) == ["marks.xlsx", "staff.csv", "roll.csv"]  # never another school's
    assert re.search(r'aria-sort="descending"><a href="\?sort=date"', page)  # the next click: oldest first
    assert "The school's imports, newest first" in page


def test_it_sorts_oldest_first_and_by_what_each_file_contains_and_its_status(client, world, imports):
    client.force_login(world.a.admin)

    oldest = client.get(reverse("import_list"), {"sort": "date"}).content.decode()
    by_kind = client.get(reverse("import_list"), {"sort": "kind"}).content.decode()
    by_status = client.get(reverse("import_list"), {"sort": "status", "dir": "desc"}).content.decode()

    assert _files(oldest) == ["roll.csv", "staff.csv", "marks.xlsx"]
    # "A marksheet: ...", "Pupils (the roll)", "Staff and their roles".
    assert _files(by_kind) == ["marks.xlsx", "roll.csv", "staff.csv"]
    # "Discarded", "Checked, waiting to be applied", "Applied", Z to A.
    assert _files(by_status) == ["staff.csv", "marks.xlsx", "roll.csv"]


def test_it_ignores_a_column_it_does_not_sort_by(client, world, imports):
    client.force_login(world.a.admin)

    page = client.get(reverse("import_list"), {"sort": "content"}).content.decode()

    assert _files(page) == ["roll.csv", "staff.csv", "marks.xlsx"]  # by date, as asked for no direction


def test_it_pages_with_the_order_kept(client, world):
    for n in range(52):
        _imported(world.a.school, f"file{n:02d}.csv", kind="pupils", days_ago=n)
    client.force_login(world.a.admin)

    first = client.get(reverse("import_list"), {"sort": "kind", "dir": "desc"}).content.decode()
    second = client.get(reverse("import_list"), {"sort": "kind", "dir": "desc", "page": 2}).content.decode()

    # One kind: oldest first within it, highest first turning the newest-first order round.
    assert _files(first)[:2] == ["file51.csv", "file50.csv"] and len(_files(first)) == 50
    assert 'href="?sort=kind&amp;dir=desc&amp;page=2"' in first
    assert _files(second) == ["file01.csv", "file00.csv"]
    assert "Page 2 of 2 (52 imports)" in second
