"""The intervention catalogue sorts by its columns (in Python, the costs being worked out there), finds an
intervention by name without minding accents, and pages with the search and order kept in the links."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tandem.provision.models import StaffRate
from tests import factories as f

pytestmark = pytest.mark.django_db


def _names(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/interventions/[^"]+/">([^<]+)</a></th>', page)


@pytest.fixture
def catalogue(world):
    StaffRate.objects.create(school=world.a.school, staff_type="ta", hourly_rate=Decimal("15.00"))
    f.make_intervention(world.a.school, name="Alpha maths", evidence_strength=1, area="cognition")
    f.make_intervention(world.a.school, name="Beta talk", evidence_strength=5, area="communication")
    f.make_intervention(world.a.school, name="Élan phonics", evidence_strength=3, area="cognition", weeks=20)
    f.make_intervention(
        world.a.school, name="Calm club", evidence_strength=2, area="semh", staff_type="teacher"
    )
    f.make_intervention(world.b.school, name="Elsewhere", evidence_strength=4, area="cognition")


def test_it_sorts_by_evidence_strongest_first(client, world, catalogue):
    client.force_login(world.a.senco)

    page = client.get(reverse("intervention_list"), {"sort": "evidence", "dir": "desc"}).content.decode()

    assert _names(page) == ["Beta talk", "Élan phonics", "Calm club", "Alpha maths"]
    assert 'aria-sort="descending"' in page


def test_it_sorts_by_name_and_area_as_they_read(client, world, catalogue):
    client.force_login(world.a.senco)

    by_name = client.get(reverse("intervention_list")).content.decode()
    by_area = client.get(reverse("intervention_list"), {"sort": "area"}).content.decode()

    assert _names(by_name) == ["Alpha maths", "Beta talk", "Calm club", "Élan phonics"]  # É as E
    # Cognition and learning, Communication and interaction, Social, emotional and mental health.
    assert _names(by_area) == ["Alpha maths", "Élan phonics", "Beta talk", "Calm club"]


def test_it_puts_interventions_with_no_cost_last_either_way(client, world, catalogue):
    client.force_login(world.a.senco)

    cheap_first = client.get(reverse("intervention_list"), {"sort": "cost"}).content.decode()
    dear_first = client.get(reverse("intervention_list"), {"sort": "cost", "dir": "desc"}).content.decode()

    # A TA at £15 an hour: £37.50 a place for 10 weeks, £75.00 for 20; no teacher rate is set.
    assert _names(cheap_first) == ["Alpha maths", "Beta talk", "Élan phonics", "Calm club"]
    # Highest first turns the whole order round, the names of equal costs too, as on the other lists.
    assert _names(dear_first) == ["Élan phonics", "Beta talk", "Alpha maths", "Calm club"]


def test_it_finds_an_intervention_by_name_without_minding_accents(client, world, catalogue):
    client.force_login(world.a.senco)

    found = client.get(reverse("intervention_list"), {"q": "ELAN"}).content.decode()
    nothing = client.get(reverse("intervention_list"), {"q": "elsewhere"}).content.decode()

    assert _names(found) == ["Élan phonics"]
    assert _names(nothing) == []  # another school's
    assert "No intervention in the catalogue is called that." in nothing


def test_it_pages_with_the_search_and_order_kept(client, world):
    for n in range(53):
        f.make_intervention(world.a.school, name=f"Paged {n:02d}")
    client.force_login(world.a.senco)
    query = {"q": "paged", "sort": "name", "dir": "desc"}

    first = client.get(reverse("intervention_list"), query).content.decode()
    second = client.get(reverse("intervention_list"), {**query, "page": 2}).content.decode()

    assert _names(first)[0] == "Paged 52" and len(_names(first)) == 50
    assert 'href="?q=paged&amp;sort=name&amp;dir=desc&amp;page=2"' in first
    assert _names(second) == ["Paged 02", "Paged 01", "Paged 00"]
    assert "Page 2 of 2 (53 interventions)" in second


def test_it_ignores_a_column_it_does_not_sort_by(client, world, catalogue):
    client.force_login(world.a.senco)

    page = client.get(reverse("intervention_list"), {"sort": "description", "dir": "desc"}).content.decode()

    assert _names(page) == ["Élan phonics", "Calm club", "Beta talk", "Alpha maths"]  # by name, Z to A
