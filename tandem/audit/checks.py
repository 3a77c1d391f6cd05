"""`tandem check` (and every command that runs the checks) confirms the audit tables are still append-only:
their triggers can be dropped by whoever owns the database, and nothing else would notice."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error
from django.db import DatabaseError, connection

from tandem.audit import triggers


def _trigger_names() -> set[str] | None:
    """The trigger names on the audit tables, or None when the database cannot say (not migrated yet,
    unreachable: other checks and /health/ speak for that)."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if not set(triggers.TABLES) <= tables:
            return None
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            return None
        return {str(row[0]) for row in cursor.fetchall()}


def audit_triggers_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        present = _trigger_names()
    except DatabaseError:
        return []
    if present is None:
        return []
    missing = sorted(
        name
        for table in triggers.TABLES
        for name in triggers.expected_triggers(connection.vendor, table)
        if name not in present
    )
    if not missing:
        return []
    return [
        Error(
            f"The audit trail is no longer append-only: its triggers are missing ({', '.join(missing)}).",
            hint="Someone with the database owner's rights dropped them. `tandem audit verify` shows whether "
            "any sealed event was changed meanwhile; `tandem audit protect` puts the triggers back.",
            id="tandem.audit.E001",
        )
    ]
