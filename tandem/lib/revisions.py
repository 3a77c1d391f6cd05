"""What changed between two versions of a record: pure, so the history page and its tests need no database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Change = tuple[Any, Any]


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Change]:
    """Field name -> (before, after) for every field whose value differs, in the order `after` lists them;
    a field only one side has counts as changed from (or to) None."""
    names = [*after, *(name for name in before if name not in after)]
    return {
        name: (before.get(name), after.get(name)) for name in names if before.get(name) != after.get(name)
    }


def version_changes(versions: list[Mapping[str, Any]]) -> list[dict[str, Change]]:
    """For each version's fields, what changed from the version before; the first changed nothing."""
    return [{} if i == 0 else changed_fields(versions[i - 1], fields) for i, fields in enumerate(versions)]
