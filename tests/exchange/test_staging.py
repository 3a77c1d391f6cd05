"""On SQLite a large import's rows are staged where nobody waits for them, and copied in by one short
transaction: other people can write (the audit event of a page view) while the rows are being written."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from tandem.access.actor import actor_for
from tandem.assessment.models import Assessment
from tandem.core import staging
from tandem.exchange.services import import_apply, import_upload
from tandem.schools.models import AssessmentWindow
from tests import factories as f

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one write lock")

HEADER = "UPN,Subject,Date,Result\n"


def _school_with_pupils(n: int):
    school = f.make_school(name="Staging School")
    admin = f.make_user(email="admin@staging.example", full_name="Staging Admin")
    f.make_membership(user=admin, role="school_admin", school=school)
    pupils = [f.make_pupil(school=school, forename="Ada", surname=f"Stage{i}") for i in range(n)]
    return admin, pupils


def _marks(pupils, day: str, points: int) -> bytes:
    rows = "".join(f"{p.upn},{subject},{day},{points}\n" for p in pupils for subject in ("reading", "maths"))
    return (HEADER + rows).encode()


def _write_from_another_connection() -> None:
    """Take SQLite's write lock from a second connection without waiting: fails if anyone holds it."""
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("COMMIT")
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_it_lets_others_write_while_the_rows_are_written_and_copies_them_in(monkeypatch):
    monkeypatch.setattr(staging, "VALUES_PER_STATEMENT", 200)  # several statements, as a large file has
    admin, pupils = _school_with_pupils(300)
    actor = actor_for(admin)
    writes_meanwhile: list[int] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "writing" and 0 < done < total:
            _write_from_another_connection()
            writes_meanwhile.append(done)

    marks = _marks(pupils, "20/11/2024", 97)
    record = import_upload(actor=actor, kind="assessments", file_name="m.csv", data=marks)
    applied = import_apply(actor=actor, record_id=record.pk, progress=progress)

    assert applied.created == 600 and len(writes_meanwhile) >= 3
    window = AssessmentWindow.objects.get(school=pupils[0].school)  # added by this import
    assert Assessment.objects.filter(window=window, points=97.0).count() == 600

    # A second file changing every mark: the updates are staged too.
    marks = _marks(pupils, "21/11/2024", 88)
    record = import_upload(actor=actor, kind="assessments", file_name="m2.csv", data=marks)
    writes_meanwhile.clear()
    applied = import_apply(actor=actor, record_id=record.pk, progress=progress)
    assert applied.updated == 600 and len(writes_meanwhile) >= 3
    changed = Assessment.objects.filter(window=window).values_list("points", "result")
    assert set(changed) == {(88.0, "88")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_temp_master WHERE name LIKE 'tandem_stage_%'")
        assert cursor.fetchone()[0] == 0
