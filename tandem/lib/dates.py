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
