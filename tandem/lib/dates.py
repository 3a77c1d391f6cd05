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
