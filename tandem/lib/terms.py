"""Terms as date ranges, for reports that look back term by term (the governors' termly report).

Pure Python. Terms are counted as `tandem.lib.dates` counts them: autumn September to December, spring
January to March, summer April to August.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tandem.lib.dates import academic_year_start, term_label, term_of, term_start


@dataclass(frozen=True)
class Term:
    name: str  # "autumn", "spring" or "summer"
    start_year: int  # the school year's first calendar year: 2026 for 2026/27
    starts_on: dt.date
    ends_on: dt.date

    @property
    def label(self) -> str:
        """ "Autumn 2026/27"."""
        return term_label(self.name, self.start_year)


def term_end(day: dt.date) -> dt.date:
    """The last day of the term that contains `day`."""
    term = term_of(day)
    if term == "autumn":
        return dt.date(day.year, 12, 31)
    if term == "spring":
        return dt.date(day.year, 3, 31)
    return dt.date(day.year, 8, 31)


def term_containing(day: dt.date) -> Term:
    return Term(
        name=term_of(day),
        start_year=academic_year_start(day).year,
        starts_on=term_start(day),
        ends_on=term_end(day),
    )


def terms_up_to(day: dt.date, count: int) -> list[Term]:
    """The term containing `day` and the `count - 1` terms before it, oldest first."""
    if count < 1:
        raise ValueError("Ask for at least one term.")
    terms = [term_containing(day)]
    while len(terms) < count:
        terms.append(term_containing(terms[-1].starts_on - dt.timedelta(days=1)))
    return list(reversed(terms))


def period_in_words(start: dt.date, end: dt.date) -> str:
    """ "Autumn 2026/27" when the dates are exactly one term, else "1 September 2026 to 31 December 2026"."""
    term = term_containing(start)
    if term.starts_on == start and term.ends_on == end:
        return term.label
    return f"{day_in_words(start)} to {day_in_words(end)}"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day_in_words(day: dt.date) -> str:
    """ "7 December 2026", whatever the machine's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
