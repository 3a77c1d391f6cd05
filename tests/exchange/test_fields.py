"""Each kind's fields and MIS column names, and the template headers offered for them."""

from __future__ import annotations

import pytest

from tandem.exchange.fields import (
    FIELDS,
    ImportKind,
    guess_kind,
    match_columns,
    normalise_header,
    template_headers,
)


@pytest.mark.parametrize("kind", list(ImportKind))
def test_it_offers_template_headers_that_it_recognises_for_every_field(kind):
    headers = template_headers(kind)
    match = match_columns(headers, kind)
    assert match.ok, [p.message for p in match.problems]
    assert set(match.columns) == {spec.key for spec in FIELDS[kind]}
    assert match.unused == ()


@pytest.mark.parametrize("kind", list(ImportKind))
def test_it_writes_every_alias_as_a_header_would_normalise(kind):
    for spec in FIELDS[kind]:
        assert all(normalise_header(alias) == alias for alias in spec.aliases), spec.key


def test_it_matches_mis_headers_whatever_their_case_and_punctuation():
    match = match_columns(
        ["upn", "Date_of_Birth", "LEGAL SURNAME", "Forename", "Gender", "NC Year"], ImportKind.PUPILS
    )
    assert match.ok and match.columns["dob"] == 1 and match.columns["year"] == 5


def test_it_takes_one_name_column_written_surname_comma_forename():
    match = match_columns(["UPN", "Name", "DOB", "Sex", "Year"], ImportKind.PUPILS)
    assert match.ok and match.columns["full_name"] == 1


def test_it_guesses_each_kind_from_its_own_template():
    subjects = {"maths": "maths", "reading": "reading"}
    for kind in ImportKind:
        extra = ["Maths Spring 2025/26"] if kind is ImportKind.MARKSHEET else []
        assert guess_kind([*template_headers(kind), *extra], subjects) is kind
