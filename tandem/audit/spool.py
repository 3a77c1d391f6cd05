"""The audit spool: on SQLite, an event that would wait for another writer is kept beside the database.

SQLite has one write lock. While an import or an analysis copies its rows in (up to about a second for the
largest file), every page that records a view of SEN data would wait for it, holding one of the server's
threads, and the pages behind it wait too. So an event written on its own (not inside a transaction with the
write it records) tries the database for a moment (`SPOOL_AFTER_SECONDS`) and, if the lock is taken, is
committed to a small SQLite file of its own beside the database (`<database>-audit-spool`), which only other
spooled events ever lock. The worker moves spooled events into the trail at every heartbeat, before sealing
(`audit_spool_drain`, also run by `tandem audit seal`), keeping the time each happened.

Moving is exactly once: the events and their spool keys (`AuditSpoolDrained`) are written in one transaction,
and only then removed from the spool, so a drain stopped between the two skips what it already moved.
PostgreSQL locks rows, not the database, and never spools.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from tandem.audit.models import AuditEvent, AuditSpoolDrained

SPOOL_AFTER_SECONDS = 0.1
# Kept a week after an event is moved: a drain stopped halfway is finished long before that.
DRAINED_KEYS_KEPT = dt.timedelta(days=7)
_BATCH = 5_000
_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor_role",
    "school_id",
    "trust_id",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "request_id",
    "fields",
)
# Built from the constant column names above only: no value is ever formatted into SQL.
_SPOOL_INSERT = (
    f"INSERT INTO event (key, {', '.join(_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})"
)
_SPOOL_SELECT = f"SELECT key, {', '.join(_COLUMNS)} FROM event ORDER BY occurred_at, key LIMIT ?"  # noqa: S608
_TRAIL_INSERT = (
    f"INSERT INTO {AuditEvent._meta.db_table} ({', '.join(_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS event (key TEXT PRIMARY KEY, occurred_at TEXT NOT NULL, actor_id INTEGER, "
    "actor_role TEXT NOT NULL, school_id INTEGER, trust_id INTEGER, action TEXT NOT NULL, "
    "target_type TEXT NOT NULL, target_id TEXT NOT NULL, outcome TEXT NOT NULL, request_id TEXT NOT NULL, "
    "fields TEXT NOT NULL)"
)


def spool_path() -> Path | None:
    """The spool file beside the SQLite database file; None on PostgreSQL or an in-memory database."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(f"{name}-audit-spool")


def audit_event_write(values: dict[str, Any]) -> AuditEvent:
    """Write an event to the trail, or to the spool when it would wait for another writer's lock.

    Only an event written on its own is spooled: one inside a transaction lands with that transaction's
    writes or not at all, as before. A spooled event is returned unsaved (no id yet)."""
    path = spool_path()
    if path is None or connection.in_atomic_block:
        return AuditEvent.objects.create(**values)
    try:
        with _busy_timeout(SPOOL_AFTER_SECONDS):
            return AuditEvent.objects.create(**values)
    except OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise
    event = AuditEvent(**values, occurred_at=timezone.now())
    with _spool(path) as spool:
        spool.execute(_SPOOL_INSERT, [uuid.uuid4().hex, *_row(event)])
    return event


def audit_spool_drain() -> int:
    """Move every spooled event into the trail, oldest first, exactly once; returns how many moved."""
    path = spool_path()
    if path is None or not path.exists():
        return 0
    moved = 0
    with _spool(path) as spool:
        while True:
            rows = spool.execute(_SPOOL_SELECT, [_BATCH]).fetchall()
            if not rows:
                break
            moved += spool_rows_move(rows)
            spool.executemany("DELETE FROM event WHERE key = ?", [(row[0],) for row in rows])
            spool.commit()
    AuditSpoolDrained.objects.filter(drained_at__lt=timezone.now() - DRAINED_KEYS_KEPT).delete()
    return moved


def spool_rows_move(rows: list[tuple[Any, ...]]) -> int:
    """Write spooled rows (key first, then _COLUMNS) into the trail, with their keys, in one transaction;
    rows whose key was moved before are skipped. Returns how many were written."""
    keys = [row[0] for row in rows]
    with transaction.atomic():
        done = set(AuditSpoolDrained.objects.filter(key__in=keys).values_list("key", flat=True))
        fresh = [row for row in rows if row[0] not in done]
        if fresh:
            with connection.cursor() as cursor:
                # Raw SQL, because the model stamps occurred_at with "now" and the event happened earlier.
                cursor.executemany(_TRAIL_INSERT, [row[1:] for row in fresh])
            AuditSpoolDrained.objects.bulk_create(AuditSpoolDrained(key=row[0]) for row in fresh)
    return len(fresh)


def spool_count() -> int:
    path = spool_path()
    if path is None or not path.exists():
        return 0
    with _spool(path) as spool:
        return int(spool.execute("SELECT count(*) FROM event").fetchone()[0])


def _row(event: AuditEvent) -> list[Any]:
    ops = connection.ops
    return [
        ops.adapt_datetimefield_value(event.occurred_at),
        event.actor_id,
        event.actor_role,
        event.school_id,
        event.trust_id,
        event.action,
        event.target_type,
        str(event.target_id),
        event.outcome,
        event.request_id,
        json.dumps(list(event.fields)),
    ]


@contextlib.contextmanager
def _busy_timeout(seconds: float) -> Iterator[None]:
    connection.ensure_connection()
    raw = connection.connection
    timeout = float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5))
    raw.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


@contextlib.contextmanager
def _spool(path: Path) -> Iterator[sqlite3.Connection]:
    new = not path.exists()
    spool = sqlite3.connect(path, timeout=30)
    if new:
        # Readable by whoever may read the database, and nobody else.
        path.chmod(stat.S_IMODE(Path(connection.settings_dict["NAME"]).stat().st_mode))
    try:
        spool.execute("PRAGMA journal_mode=WAL")
        spool.execute(_SCHEMA)
        with spool:
            yield spool
    finally:
        spool.close()
