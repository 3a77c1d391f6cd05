"""/health/ and the database checks behind it; which errors mean "the database cannot serve just now"."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.db.utils import InterfaceError, InternalError, OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.core import health
from tandem.jobs.services import worker_beat


def test_it_answers_ok_when_the_database_answers_and_a_worker_reported(db: None) -> None:
    worker_beat(worker_id="w1", started_at=timezone.now())
    response = Client().get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert health.database_problem() is None


def _scratch_database(path: Path) -> Path:
    file = path / "scratch.sqlite3"
    with sqlite3.connect(file) as made:
        made.execute("PRAGMA journal_mode=WAL")
        made.execute("CREATE TABLE kept (x INTEGER)")
        made.execute("INSERT INTO kept VALUES (1)")
    return file


def test_it_finds_a_writable_sqlite_file_writable_and_leaves_nothing_behind(tmp_path: Path) -> None:
    file = _scratch_database(tmp_path)

    assert health.sqlite_write_problem(file) is None

    with sqlite3.connect(file) as after:
        tables = [row[0] for row in after.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert tables == ["kept"]
        assert after.execute("SELECT x FROM kept").fetchall() == [(1,)]


def test_it_does_not_call_a_database_busy_with_a_long_write_broken(tmp_path: Path) -> None:
    # An import holding the write lock: pages still read, writes queue. Taking the only server out of a
    # load balancer for that would be worse than the wait.
    file = _scratch_database(tmp_path)
    importer = sqlite3.connect(file, isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")
    importer.execute("INSERT INTO kept VALUES (2)")
    try:
        assert health.sqlite_write_problem(file) is None
    finally:
        importer.execute("ROLLBACK")
        importer.close()


def test_it_names_a_silent_or_absent_worker_and_not_a_recent_one() -> None:
    assert health.worker_problem(None) == (
        "No background worker has reported: jobs (analyses, emails, backups) will not run."
    )
    assert health.worker_problem(timedelta(seconds=119)) is None
    assert health.worker_problem(timedelta(minutes=2)) is None
    assert health.worker_problem(timedelta(minutes=7, seconds=5)) == (
        "The background worker has not reported for 7 minutes."
    )


def test_it_answers_503_until_a_worker_reports_and_again_when_it_falls_silent(db: None) -> None:
    response = Client().get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["problems"] == [health.worker_problem(None)]
    started = timezone.now() - timedelta(minutes=10)
    worker_beat(worker_id="w1", started_at=started, now=timezone.now() - timedelta(minutes=3))
    response = Client().get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["problems"] == ["The background worker has not reported for 3 minutes."]
    worker_beat(worker_id="w1", started_at=started)
    assert Client().get(reverse("health")).status_code == 200


def test_it_tells_a_database_that_cannot_serve_from_a_mistake_in_a_query(db: None) -> None:
    for words in (
        "database is locked",
        "database table is locked",
        "attempt to write a readonly database",
        "unable to open database file",
    ):
        assert health.database_unavailable(OperationalError(words)), words
    if connection.vendor == "sqlite":
        # On PostgreSQL an OperationalError is always the connection or a timeout; on SQLite, not.
        assert not health.database_unavailable(OperationalError("no such table: people_pupil"))
    assert not health.database_unavailable(ValueError("database is locked"))
    assert health.database_unavailable(InterfaceError("connection already closed"))
    assert health.database_unavailable(InternalError("cannot execute UPDATE in a read-only transaction"))
    assert not health.database_unavailable(InternalError("something else"))
