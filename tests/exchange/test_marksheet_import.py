"""A wide marksheet (a row per pupil, a column per subject and term) imports as results, cell by cell."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tandem.access.actor import actor_for
from tandem.assessment.models import Assessment
from tandem.exchange.fields import Aspect, parse_aspect_header
from tandem.exchange.selectors import import_preview
from tandem.exchange.services import import_apply, import_upload
from tests import factories as f

SUBJECTS = {"maths": "maths", "mathematics": "maths", "reading": "reading"}


@pytest.mark.parametrize(
    ("header", "aspect"),
    [
        ("Maths Spring 2024/25", Aspect("maths", "spring", 2024)),
        ("Reading Aut 2024-25", Aspect("reading", "autumn", 2024)),
        ("Mathematics Summer 1 2025", Aspect("maths", "summer", 2024)),
        ("maths_autumn_2024", Aspect("maths", "autumn", 2024)),
        ("Maths Target", None),
        ("Maths Spring 2024/26", None),
        ("Surname", None),
        ("Spring 2025", None),
    ],
)
def test_it_reads_subject_term_and_year_from_a_column_name(header, aspect):
    assert parse_aspect_header(header, SUBJECTS) == aspect


def _upload(user, text: str):
    return import_upload(
        actor=actor_for(user), kind="marksheet", file_name="marksheet.csv", data=text.encode()
    )


def test_it_imports_each_filled_cell_as_a_result_in_its_terms_window(world):
    a = world.a
    spring = f.make_window(school=a.school, start_year=2024, term="spring")
    text = (
        "UPN,Surname,Forename,Maths Spring 2024/25,Reading Spring 2024/25,Maths Autumn 2024/25,Maths Target\n"
        f"{a.taught_pupil.upn},X,Y,97,101,,100\n"
        f"{a.ehc_pupil.upn},X,Y,88,,92,95\n"
    )
    record = _upload(a.admin, text)
    preview = import_preview(actor=actor_for(a.admin), record=record)
    assert preview.plan.created == 4 and not preview.plan.error_lines
    assert any("Not read as results: 'Maths Target'." in n for n in preview.file_notices)
    assert any("Autumn 2024/25, will be added" in n for n in preview.file_notices)
    import_apply(actor=actor_for(a.admin), record_id=record.pk)
    got = set(
        Assessment.objects.filter(school=a.school).values_list(
            "pupil_id", "subject_id", "result", "window__term", "assessed_on"
        )
    )
    assert got == {
        (a.taught_pupil.pk, "maths", "97", "spring", spring.closes_on),
        (a.taught_pupil.pk, "reading", "101", "spring", spring.closes_on),
        (a.ehc_pupil.pk, "maths", "88", "spring", spring.closes_on),
        (a.ehc_pupil.pk, "maths", "92", "autumn", dt.date(2024, 12, 31)),
    }
    again = import_apply(actor=actor_for(a.admin), record_id=_upload(a.admin, text).pk)
    assert (again.created, again.unchanged) == (0, 4)


def test_it_names_the_column_of_a_bad_cell_and_writes_nothing(world):
    a = world.a
    text = f"UPN,Maths Spring 2024/25,Reading Spring 2024/25\n{a.taught_pupil.upn},97,absent\n"
    record = _upload(a.admin, text)
    issues = import_preview(actor=actor_for(a.admin), record=record).plan.issues
    assert [(i.line, i.field, i.is_error) for i in issues] == [(2, "Reading Spring 2024/25", True)]
    with pytest.raises(ValidationError):
        import_apply(actor=actor_for(a.admin), record_id=record.pk)
    assert not Assessment.objects.filter(school=a.school).exists()


def test_it_says_when_no_column_holds_results(world):
    record = _upload(world.a.admin, f"UPN,Maths Target\n{world.a.taught_pupil.upn},100\n")
    issues = import_preview(actor=actor_for(world.a.admin), record=record).plan.issues
    assert "No column is named by a subject, a term and a year" in issues[0].message and issues[0].is_error


def test_it_says_each_thing_about_a_line_once_however_many_columns_it_has(world):
    text = "UPN,Maths Spring 2024/25,Reading Spring 2024/25\nX000000000000,97,99\n"
    issues = import_preview(actor=actor_for(world.a.admin), record=_upload(world.a.admin, text)).plan.issues
    assert [i.message for i in issues if "No pupil" in i.message] == [
        "No pupil at this school has UPN X000000000000. Import the roll (pupils) first."
    ]
