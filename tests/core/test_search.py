"""Accent-insensitive search: what a person types and what the database holds fold the same way, on SQLite
and on PostgreSQL (the same test runs on both in CI)."""

from __future__ import annotations

import pytest
from django.db.models import CharField, Value
from django.urls import reverse

from tandem.core.search import Folded
from tandem.lib.text import FOLD_FROM, fold
from tandem.people.models import Pupil
from tests import factories as f


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Jose", "José"), ("jose", "JOSÉ"), ("zoe", "Zoë"), ("lukasz", "Łukasz"), ("nunez", "Núñez")],
)
def test_it_finds_a_name_whatever_its_accents(client, world, typed, stored):
    f.make_pupil(school=world.a.school, forename=stored, surname="Accented")
    client.force_login(world.a.senco)
    page = client.get(reverse("pupil_list"), {"q": typed}).content.decode()
    assert f"{stored} Accented" in page


def test_it_folds_in_the_database_exactly_as_in_python(world):
    every = "".join(FOLD_FROM)  # every letter with an accent, longer than a name column holds
    pupil = f.make_pupil(school=world.a.school, forename="ÉLODIE", surname="ABC xyz")
    row = Pupil.objects.filter(pk=pupil.pk).annotate(
        letters=Folded(Value(every, output_field=CharField())),
        fore=Folded("legal_forename"),
        sur=Folded("legal_surname"),
    )
    assert row.values_list("letters", "fore", "sur").get() == (fold(every), "elodie", "abc xyz")


def test_it_still_needs_every_word_to_match(client, world):
    f.make_pupil(school=world.a.school, forename="José", surname="Álvarez")
    f.make_pupil(school=world.a.school, forename="José", surname="Smith")
    client.force_login(world.a.senco)
    page = client.get(reverse("pupil_list"), {"q": "jose alvarez"}).content.decode()
    assert "José Álvarez" in page
    assert "José Smith" not in page
