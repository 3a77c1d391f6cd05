"""What changed between versions of a record (tandem/lib/revisions.py)."""

from __future__ import annotations

from tandem.lib.revisions import changed_fields, version_changes


def test_it_names_only_the_fields_that_changed_with_before_and_after():
    before = {"needs": "Reding", "strengths": "Drawing", "review_on": "2026-12-01"}
    after = {"needs": "Reading", "strengths": "Drawing", "review_on": "2027-01-10"}
    assert changed_fields(before, after) == {
        "needs": ("Reding", "Reading"),
        "review_on": ("2026-12-01", "2027-01-10"),
    }


def test_it_counts_a_field_only_one_side_has_as_changed_from_or_to_nothing():
    assert changed_fields({"a": 1}, {"b": 2}) == {"b": (None, 2), "a": (1, None)}


def test_it_compares_each_version_with_the_one_before_and_the_first_with_nothing():
    versions = [{"note": "Read 20"}, {"note": "Read 30"}, {"note": "Read 30"}]
    assert version_changes(versions) == [{}, {"note": ("Read 20", "Read 30")}, {}]
