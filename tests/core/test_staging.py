"""Rows staged in TEMP tables and copied in by one statement each: the same rows as the ORM would write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from tandem.assessment.models import Assessment
from tandem.core.staging import Staging, points_only_at
from tandem.schools.models import AcademicYear, AssessmentWindow
from tests import factories as f

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="staging is SQLite's")


def _temp_tables() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_temp_master WHERE name LIKE 'tandem_stage_%'")
        return int(cursor.fetchone()[0])


@pytest.fixture
def pupils(db):
    school = f.make_school(name="Staged School")
    return [f.make_pupil(school=school, forename="Ada", surname=f"Staged{i}") for i in range(5)]


def _result(pupil, window, points: float) -> Assessment:
    return Assessment(
        school=pupil.school,
        pupil=pupil,
        subject_id="reading",
        window=window,
        scale_id="standardised",
        assessed_on=dt.date(2025, 3, 10),
        year_group=4,
        result=str(int(points)),
        points=points,
        source="test",
    )


def test_it_copies_creates_and_updates_and_points_rows_at_objects_saved_just_before(pupils):
    year = AcademicYear.objects.get_or_create(start_year=2024)[0]
    new_window = AssessmentWindow(
        school=pupils[0].school,
        academic_year=year,
        term="spring",
        opens_on=dt.date(2025, 3, 1),
        closes_on=dt.date(2025, 3, 28),
    )
    old_window = f.make_window(school=pupils[0].school, start_year=2024, term="autumn")
    existing = [_result(p, old_window, 90) for p in pupils]
    Assessment.objects.bulk_create(existing)
    for row in existing:
        row.points, row.result = 91.5, "91.5"

    staged = Staging("test")
    counted: list[int] = []
    staged.add_updates(Assessment, existing, ("points", "result"), counted.append)
    staged.add_creates(Assessment, [_result(p, new_window, 100 + i) for i, p in enumerate(pupils[:3])])
    staged.add_creates(Assessment, [_result(p, new_window, 110) for p in pupils[3:]], counted.append)
    assert len(staged.tables) == 2 and counted == [5, 2]  # the two create batches share one table
    assert Assessment.objects.filter(window__term="spring").count() == 0  # nothing visible yet

    with transaction.atomic():
        new_window.save()
        staged.copy_in()
    staged.drop()

    assert set(Assessment.objects.filter(window=old_window).values_list("points", "result")) == {
        (91.5, "91.5")
    }
    spring = Assessment.objects.filter(window=new_window).order_by("points")
    assert [a.points for a in spring] == [100.0, 101.0, 102.0, 110.0, 110.0]
    assert _temp_tables() == 0


def test_it_writes_nothing_when_the_copy_fails(pupils):
    window = f.make_window(school=pupils[0].school, start_year=2024, term="autumn")
    Assessment.objects.bulk_create([_result(pupils[0], window, 90)])
    staged = Staging("test")
    # The second row repeats a pupil, subject, window and scale that is already there.
    staged.add_creates(Assessment, [_result(pupils[1], window, 95), _result(pupils[0], window, 99)])
    with pytest.raises(Exception, match="UNIQUE"), transaction.atomic():
        staged.copy_in()
    staged.drop()
    assert list(Assessment.objects.values_list("points", flat=True)) == [90.0]


def test_it_cannot_stage_rows_pointing_at_something_not_saved_first(pupils):
    window = AssessmentWindow(school=pupils[0].school, term="autumn")
    rows = [_result(pupils[0], f.make_window(school=pupils[0].school, start_year=2024, term="autumn"), 90)]
    assert points_only_at(Assessment, rows, [])
    rows.append(Assessment(pupil=pupils[0], school=pupils[0].school, window=window))
    assert not points_only_at(Assessment, rows, [])
    assert points_only_at(Assessment, rows, [window])
