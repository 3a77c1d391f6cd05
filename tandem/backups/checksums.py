"""Row counts and order-free checksums of every table, read through any DB-API cursor.

A table's checksum is the sum of a 60-bit hash (the first 15 hex digits of SHA-256) of each row's text,
so it does not depend on the order rows come back in, and a changed, added, removed or duplicated row
changes it. Row text is the database's own: on SQLite `quote()` of each column (exact, whatever the
connection's type converters do); on PostgreSQL the row's record text, with the session's time zone and
formats fixed first, summed on the server so no rows cross the wire. The two engines' checksums are not
comparable with each other, and never need to be: a backup is restored to the engine it came from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, TypedDict


class TableSum(TypedDict):
    rows: int
    checksum: str


PG_SESSION = (
    "SET {scope} TIME ZONE 'UTC'",
    "SET {scope} DateStyle = 'ISO, MDY'",
    "SET {scope} IntervalStyle = 'postgres'",
    "SET {scope} extra_float_digits = 1",
    "SET {scope} bytea_output = 'hex'",
)


def row_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:15], 16)


def rows_checksum(texts: Iterable[str]) -> TableSum:
    """The count and the order-free checksum of rows given as text."""
    count, total = 0, 0
    for text in texts:
        count += 1
        total += row_hash(text)
    return {"rows": count, "checksum": str(total)}


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_names(cursor: Any, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY 1"
        )
    return [row[0] for row in cursor.fetchall()]


def _sqlite_table(cursor: Any, table: str) -> TableSum:
    cursor.execute(f"PRAGMA table_info({quote_name(table)})")
    columns = [row[1] for row in cursor.fetchall()]
    expression = " || ',' || ".join(f"quote({quote_name(column)})" for column in columns) or "''"
    cursor.execute(f"SELECT {expression} FROM {quote_name(table)}")  # noqa: S608 - names from the catalogue, quoted

    def texts() -> Iterable[str]:
        while batch := cursor.fetchmany(5000):
            for (text,) in batch:
                yield text

    return rows_checksum(texts())


def _postgresql_table(cursor: Any, table: str) -> TableSum:
    # The same 60-bit hash as row_hash(), summed as numeric on the server.
    row_hash_sql = "('x' || substr(encode(sha256(convert_to(tandem_row::text, 'UTF8')), 'hex'), 1, 15))"
    # Table names come from the catalogue, quoted.
    sql = f"SELECT count(*), coalesce(sum({row_hash_sql}::bit(60)::bigint), 0)::text FROM {quote_name(table)}"  # noqa: S608
    cursor.execute(sql + " AS tandem_row")
    count, total = cursor.fetchone()
    return {"rows": int(count), "checksum": str(total)}


def database_sums(cursor: Any, vendor: str) -> dict[str, TableSum]:
    """Every table's row count and checksum. On PostgreSQL call inside a transaction (SET LOCAL)."""
    if vendor == "postgresql":
        for statement in PG_SESSION:
            cursor.execute(statement.format(scope="LOCAL"))
        one = _postgresql_table
    else:
        one = _sqlite_table
    return {table: one(cursor, table) for table in table_names(cursor, vendor)}


def applied_migrations(cursor: Any) -> list[tuple[str, str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [(app, name) for app, name in cursor.fetchall()]
