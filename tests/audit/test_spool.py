"""The SQLite audit spool: a view's event does not wait for another writer's lock; it is kept beside the
database and moved into the trail exactly once, with the time it happened."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, transaction

from tandem.audit.chain import audit_seal, audit_verify
from tandem.audit.models import AuditEvent, AuditSpoolDrained
from tandem.audit.services import audit_record
from tandem.audit.spool import _spool, audit_spool_drain, spool_count, spool_path, spool_rows_move

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL locks rows, and never spools"),
]


@contextmanager
def _write_lock_held() -> Iterator[None]:
    """Another writer (an import copying its rows in) holding SQLite's one write lock."""
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture(autouse=True)
def _empty_spool() -> Iterator[None]:
    path = spool_path()
    assert path is not None
    path.unlink(missing_ok=True)
    yield
    path.unlink(missing_ok=True)


def test_it_writes_straight_to_the_trail_when_nobody_holds_the_lock():
    event = audit_record(actor=None, action="pupil.view", target_type="pupil", target_id="p1")

    assert event is not None and event.pk is not None
    assert spool_count() == 0


def test_it_spools_a_view_while_another_writer_holds_the_lock_and_moves_it_in_with_its_time():
    with _write_lock_held():
        event = audit_record(
            actor=None, action="pupil.view", target_type="pupil", target_id="p1", fields=["name", "upn"]
        )
        assert event is not None and event.pk is None
        assert spool_count() == 1

    assert not AuditEvent.objects.filter(action="pupil.view").exists()
    assert audit_spool_drain() == 1

    moved = AuditEvent.objects.get(action="pupil.view")
    assert (moved.target_type, moved.target_id, moved.fields) == ("pupil", "p1", ["name", "upn"])
    assert moved.occurred_at == event.occurred_at
    assert spool_count() == 0
    assert audit_spool_drain() == 0


def test_it_never_spools_an_event_inside_the_transaction_it_records():
    with transaction.atomic():
        event = audit_record(actor=None, action="plan.create", target_type="plan", target_id="x")
    assert event is not None and event.pk is not None
    assert spool_count() == 0


def test_it_moves_each_event_once_when_a_drain_stopped_after_its_commit():
    with _write_lock_held():
        audit_record(actor=None, action="pupil.view", target_id="p1")
        audit_record(actor=None, action="pupil.view", target_id="p2")
    path = spool_path()
    assert path is not None
    with _spool(path) as spool:
        rows = spool.execute("SELECT * FROM event").fetchall()
    # The first drain commits the events, then stops before the spool forgets them.
    assert spool_rows_move(rows) == 2

    assert audit_spool_drain() == 0
    assert AuditEvent.objects.filter(action="pupil.view").count() == 2
    assert AuditSpoolDrained.objects.count() == 2
    assert spool_count() == 0


def test_it_seals_spooled_events_with_the_rest():
    audit_record(actor=None, action="home.view")
    with _write_lock_held():
        audit_record(actor=None, action="pupil.view", target_id="p1")

    assert audit_seal() == 2

    report = audit_verify()
    assert report.intact and report.unsealed == 0 and report.sealed == AuditEvent.objects.count()


def test_it_gives_the_spool_file_the_databases_permissions():
    database = Path(connection.settings_dict["NAME"])
    database.chmod(0o600)
    with _write_lock_held():
        audit_record(actor=None, action="pupil.view", target_id="p1")
    path = spool_path()
    assert path is not None and stat.S_IMODE(path.stat().st_mode) == 0o600
