"""School calendar arithmetic. Pure Python: the English school year runs 1 September to 31 August."""

from __future__ import annotations

import datetime as dt


def academic_year_start(day: dt.date) -> dt.date:
    """1 September of the school year that contains `day`."""
    return dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def academic_year_label(day: dt.date) -> str:
    """ "2026/27" for any day from 1 September 2026 to 31 August 2027."""
    start = academic_year_start(day).year
    return f"{start}/{(start + 1) % 100:02d}"


def one_month_after(day: dt.date) -> dt.date:
    """The same day of the next month, or that month's last day when it is shorter (31 January -> 28 or 29
    February): the Information Commissioner's reading of "one month" for a subject access request."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    last = (following - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later, or that month's last day when it is shorter
    (29 February 2028 + 12 months -> 28 February 2029), as people count "within a year"."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month_index + 1
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    last = (following - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


# English school terms as Tandem counts them by default: autumn September to December, spring January to
# March, summer April to August. Real term dates move with Easter by a week or two; nothing here depends on
# that precision (it decides what a To do list calls "this term" and how many parent meetings are due).
TERMS = ("autumn", "spring", "summer")
_TERM_START_MONTH = {"autumn": 9, "spring": 1, "summer": 4}


def term_of(day: dt.date) -> str:
    """ "autumn", "spring" or "summer": the term `day` falls in."""
    if day.month >= 9:
        return "autumn"
    return "spring" if day.month <= 3 else "summer"


def term_start(day: dt.date) -> dt.date:
    """The first day of the term that contains `day`."""
    term = term_of(day)
    return dt.date(day.year, _TERM_START_MONTH[term], 1)


def terms_ended(day: dt.date) -> int:
    """How many terms of `day`'s school year have ended by `day` (0 in the autumn term, 2 in summer)."""
    return TERMS.index(term_of(day))


def term_label(term: str, start_year: int) -> str:
    """ "Autumn 2025/26", "Spring 2025/26": a term and its school year, so labels sort as they read."""
    return f"{term.title()} {start_year}/{(start_year + 1) % 100:02d}"
