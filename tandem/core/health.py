"""What /health/ checks: that the database answers a query and can be written to, and that a background
worker (`tandem worker`) has written its heartbeat in the last two minutes. Each problem is a short
sentence with no secrets, addresses or file paths: load balancers and monitoring read it, and so might
anyone.

The database checks must not take SQLite's write lock for long or fail while a long import holds it:
a load balancer that took the only server out of service during an import would turn a slow page into
no page. So the write check is a schema change rolled back at once on its own connection, which waits at
most a tenth of a second for the lock; if another writer has it, that is a busy database, not a broken
one, and the check falls back to whether the file and its folder are writable.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta
from pathlib import Path

from django.db import DatabaseError, connection
from django.db.utils import InterfaceError, InternalError, OperationalError

from tandem.jobs.selectors import worker_heartbeat_age
from tandem.jobs.services import STALE_AFTER

WORKER_SILENT_AFTER = STALE_AFTER  # the same two minutes after which other workers take over its jobs
# How long the write check waits for SQLite's write lock before deciding another writer has it.
_PROBE_WAIT_SECONDS = 0.1

# SQLite's words (in Django's OperationalError) for "the database cannot do this now", as opposed to a
# mistake in a query ("no such table"), which stays a 500 and is fixed in the code.
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "database table is locked",
    "readonly database",
    "unable to open database",
    "disk i/o error",
    "database or disk is full",
)


def problems() -> list[str]:
    """Everything wrong, in plain words; empty when Tandem can serve."""
    database = database_problem()
    if database is not None:
        return [database]  # the heartbeat is read from the database, so it would only repeat the problem
    return [problem for problem in [worker_problem(worker_heartbeat_age())] if problem]


def database_problem() -> str | None:
    """None when the database answers a query and takes writes; otherwise what is wrong."""
    sqlite_file = _sqlite_file()
    if sqlite_file is not None and not sqlite_file.exists():
        # Connecting would create an empty database in its place: say so instead.
        return "The database file is missing."
    try:
        with connection.cursor() as cursor:
            # A real table, so an empty or half-made database fails here too.
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            cursor.fetchone()
    except DatabaseError:
        return "The database did not answer a query."
    if sqlite_file is not None:
        return _sqlite_query_only_problem() or sqlite_write_problem(sqlite_file)
    if connection.vendor == "postgresql":
        return _postgresql_write_problem()
    return None


def _sqlite_file() -> Path | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None  # the tests' shared in-memory database: nothing on disk to check
    return Path(name)


_READ_ONLY = "The database is read-only: its file or folder cannot be written to."


def _sqlite_query_only_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only")
            return _READ_ONLY if cursor.fetchone()[0] else None
    except DatabaseError:
        return "The database did not answer a query."


def sqlite_write_problem(path: Path) -> str | None:
    """A write to the SQLite file at `path`, rolled back at once, on a connection of its own."""
    read_only = _READ_ONLY
    probe = sqlite3.connect(path, timeout=_PROBE_WAIT_SECONDS, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        try:
            probe.execute("CREATE TABLE tandem_health_probe (x INTEGER)")
        finally:
            probe.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            # Another writer (an import) holds the lock: reads go on and writes queue behind it.
            writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
            return None if writable else read_only
        if "readonly" in str(error) or "read-only" in str(error):
            return read_only
        return "The database refused a test write."
    finally:
        probe.close()
    return None


def _postgresql_write_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('transaction_read_only'), pg_is_in_recovery()")
            read_only, standby = cursor.fetchone()
    except DatabaseError:
        return "The database did not answer a query."
    if standby or read_only == "on":
        return "The database is read-only (a standby, or read-only transactions are set)."
    return None


def worker_problem(age: timedelta | None) -> str | None:
    """`age`: since any worker's last heartbeat (tandem.jobs.selectors.worker_heartbeat_age); None when
    no worker has ever reported, which is a problem too: nothing would run the jobs."""
    if age is None:
        return "No background worker has reported: jobs (analyses, emails, backups) will not run."
    if age <= WORKER_SILENT_AFTER:
        return None
    return f"The background worker has not reported for {int(age.total_seconds() // 60)} minutes."


def database_unavailable(error: BaseException) -> bool:
    """Whether an exception means the database cannot serve right now (busy, read-only, unreachable),
    rather than a mistake in Tandem: the first is a 503 with "try again", the second a 500."""
    if isinstance(error, OperationalError):
        if connection.vendor != "sqlite":
            # PostgreSQL's OperationalError is the connection lost or refused, a timeout or a deadlock.
            return True
        return any(words in str(error).lower() for words in _SQLITE_UNAVAILABLE)
    if isinstance(error, InterfaceError):
        return True  # the connection is closed or unusable
    if isinstance(error, InternalError):
        return "read-only transaction" in str(error)
    return False
