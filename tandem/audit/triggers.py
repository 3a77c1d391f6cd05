"""Database triggers that make the audit table append-only, on SQLite and PostgreSQL.

Used by the migration that installs them and by `flush`, the one command that may wipe
the whole database (tests between cases; an admin starting again on purpose).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditevent"
SEALS = "audit_auditseal"
# The events, and (since the chain) the seals that chain them.
TABLES = (TABLE, SEALS)
_FUNCTION = (
    "CREATE OR REPLACE FUNCTION tandem_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;"
)


def _install(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
        ]
    if vendor == "postgresql":
        return [
            _FUNCTION,
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tandem_audit_append_only();",
            # TRUNCATE skips row triggers; refuse it too.
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tandem_audit_append_only();",
        ]
    return []


def _remove(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        ]
    return []


#: The triggers each table must have, by name (`tandem check` looks for them: tandem/audit/checks.py).
def expected_triggers(vendor: str, table: str) -> set[str]:
    if vendor == "sqlite":
        return {f"{table}_no_update", f"{table}_no_delete"}
    if vendor == "postgresql":
        return {f"{table}_append_only", f"{table}_no_truncate"}
    return set()


def install(connection: BaseDatabaseWrapper, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            for statement in _install(connection.vendor, table):
                cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            for statement in _remove(connection.vendor, table):
                cursor.execute(statement)
