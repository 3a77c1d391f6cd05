"""What a section builder is given, and what a document kind is.

A builder is a function `(ctx: Drafting) -> Section`: `ctx` carries the school, the period and the person
drafting (whose scope the figures are read through, with the very selectors the pages use, so a figure
in a document is the figure on the page). Counts are written through `ctx.count`, `ctx.counts` and
`ctx.count_rows`, so disclosure control is the mechanism's job, not each builder's: in a document meant
for the website every count passes `tandem.lib.disclosure`; in an internal one it is written as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings

from tandem.access.actor import Actor
from tandem.documents.content import Audience, Section
from tandem.lib.disclosure import shown, suppress_counts, suppress_table
from tandem.schools.models import School


@dataclass(frozen=True)
class Drafting:
    actor: Actor
    school: School
    period_start: dt.date
    period_end: dt.date
    audience: Audience
    today: dt.date

    @property
    def as_at(self) -> dt.date:
        """The day the figures describe: the period's end, or today while the period is still running."""
        return min(self.period_end, self.today)

    @property
    def controlled(self) -> bool:
        return self.audience is Audience.PUBLISHED

    @property
    def threshold(self) -> int:
        return int(settings.TANDEM_DISCLOSURE_THRESHOLD)

    def count(self, value: int) -> str:
        """One count as the document prints it."""
        if not self.controlled:
            return str(value)
        return shown(value, threshold=self.threshold)

    def counts(self, values: Sequence[int], *, total: int | None = None) -> list[str]:
        """Counts that add up to `total` (a row of a table): in a published document a small one is hidden,
        and so is a second one when the total would give the hidden one away."""
        if not self.controlled:
            return [str(value) for value in values]
        kept = suppress_counts(values, threshold=self.threshold, total=total)
        return [shown(value, threshold=self.threshold) for value in kept]

    def count_rows(self, rows: Sequence[Sequence[int]]) -> list[list[str]]:
        """A two-way table of counts whose row and column totals are shown (or could be worked out)."""
        if not self.controlled:
            return [[str(value) for value in row] for row in rows]
        return [
            [shown(value, threshold=self.threshold) for value in row]
            for row in suppress_table(rows, threshold=self.threshold)
        ]


SectionBuilder = Callable[[Drafting], Section]


@dataclass(frozen=True)
class SectionSpec:
    key: str  # stable: the school's text is kept under it from one version to the next
    build: SectionBuilder


@dataclass(frozen=True)
class DocumentKind:
    key: str
    title: str
    audience: Audience
    description: str  # what it is for, on the page that starts one
    sections: tuple[SectionSpec, ...]

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self.sections)
