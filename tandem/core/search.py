"""Accent-insensitive search in the database: "Jose" finds "José" on SQLite and PostgreSQL alike.

`Folded(field)` is the field in lower case without accents, by the same one-for-one table as
`tandem.lib.text.fold` (which folds what the person typed): translate() on PostgreSQL, and on SQLite a
function registered on each connection. No extension and no extra column, so nothing to keep in step on
import.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Func, Q

from tandem.lib.text import FOLD_FROM, FOLD_TO, fold

SQLITE_FUNCTION = "tandem_fold"


class Folded(Func):
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template=f"lower(translate(%(expressions)s, '{FOLD_FROM}', '{FOLD_TO}'))",
            **extra,
        )


def _fold_or_none(value: str | None) -> str | None:
    return None if value is None else fold(value)


def register_sqlite_fold(*, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created receiver: SQLite has no translate(), so it calls the Python fold itself."""
    if connection.vendor == "sqlite":
        raw: sqlite3.Connection = connection.connection
        raw.create_function(SQLITE_FUNCTION, 1, _fold_or_none, deterministic=True)


def words_match(words: str, *fields: str, exact: tuple[str, ...] = ()) -> Q:
    """Every word the person typed appears in one of `fields`, accents and case aside (or is exactly one of
    `exact`, e.g. a UPN). Use on a queryset annotated with `folded(fields)`."""
    condition = Q()
    for word in words.split():
        folded = fold(word)
        either = Q()
        for name in fields:
            either |= Q(**{f"{name}_folded__contains": folded})
        for name in exact:
            either |= Q(**{f"{name}__iexact": word})
        condition &= either
    return condition


def folded(*fields: str) -> dict[str, Folded]:
    """Aliases for `words_match`: each field folded, as `<field>_folded`."""
    return {f"{name}_folded": Folded(name) for name in fields}
