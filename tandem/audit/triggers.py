"""Database triggers that make the audit table append-only, on SQLite and PostgreSQL.

Used by the migration that installs them and by `flush`, the one command that may wipe
the whole database (tests between cases; an admin starting again on purpose).
"""

from __future__ import annotations

from django.db.backends.base.schema import BaseDatabaseSchemaEditor

TABLE = "audit_auditevent"

INSTALL = {
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION tandem_audit_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;",
        f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION tandem_audit_append_only();",
        # TRUNCATE skips row triggers; refuse it too.
        f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION tandem_audit_append_only();",
    ],
}

REMOVE = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {TABLE}_no_update;", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;"],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
        f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
    ],
}


def install(schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in INSTALL.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def remove(schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in REMOVE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)
