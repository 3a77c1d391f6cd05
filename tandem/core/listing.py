"""Sorting a list page by its column headers, kept in the URL with the filters and the page.

A list declares its sortable columns (key -> the fields to order by); `sorting_from` reads
`?sort=key&dir=desc` from the request, ignores anything it does not know (an old or hand-made link still
shows the list in its default order) and gives each header its link and the aria-sort value a screen reader
announces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, CharField, F, Value, When
from django.http import QueryDict

# Query parameters that belong to sorting, not to the filters a header link keeps (nor do page numbers).
_SORT = ("sort", "dir")


@dataclass(frozen=True)
class SortLink:
    href: str
    aria_sort: str  # "ascending", "descending" or "none"
    next_direction: str  # what following the link does, in words, for the hidden label


@dataclass(frozen=True)
class Sorting:
    key: str
    descending: bool
    order: tuple[str, ...]
    links: dict[str, SortLink]

    def order_by(self) -> tuple[str, ...]:
        return self.order


def _descend(fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name[1:] if name.startswith("-") else f"-{name}" for name in fields)


def sorting_from(
    query: QueryDict,
    *,
    columns: Mapping[str, tuple[str, ...]],
    default: str,
    pages: tuple[str, ...] = ("page",),
) -> Sorting:
    """The list's order from `?sort=` and `?dir=`; the last field of each column should be unique (an id) so
    pages never overlap. A new order starts again at the first page (`pages`: the page parameters)."""
    key = query.get("sort", default)
    if key not in columns:
        key = default
    descending = query.get("dir") == "desc"
    order = _descend(columns[key]) if descending else columns[key]
    dropped = (*_SORT, *pages)
    kept = [(name, value) for name, values in query.lists() if name not in dropped for value in values]
    links = {}
    for column in columns:
        current = column == key
        flip = current and not descending
        params = [*kept, ("sort", column), *([("dir", "desc")] if flip else [])]
        links[column] = SortLink(
            href="?" + urlencode(params),
            aria_sort=("descending" if descending else "ascending") if current else "none",
            next_direction="sort Z to A, highest first" if flip else "sort A to Z, lowest first",
        )
    return Sorting(key=key, descending=descending, order=order, links=links)


def label_order(field: str, choices: Iterable[tuple[Any, Any]]) -> Case:
    """`field` as the words a person sees (its choice labels), to alias and sort by: a column then sorts
    A to Z the way it reads, not by the stored code. A code without a label sorts as itself."""
    return Case(
        *(When(**{field: value}, then=Value(str(label))) for value, label in choices),
        default=F(field),
        output_field=CharField(),
    )
