"""The default retention schedule, from the Information and Records Management Society's Information
Management Toolkit for Schools (the edition followed, and why, in docs/data-protection.md "Retention").

Both periods count from the pupil's date of birth, as the toolkit's pupil rows do:
- SEN records: date of birth + 31 years (an EHC plan can last to 25, and a claim can be brought for 6 years
  after it ends);
- a leaver's pupil record: date of birth + 25 years (the toolkit's period for the pupil's file at the last
  school they attended).
A pupil's record is never removed before their SEN records: it is what they hang from.
"""

from __future__ import annotations

import datetime as dt

DEFAULT_YEARS = {"sen_records": 31, "pupil": 25}


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February to 28 February in a year with no leap day)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def born_before(today: dt.date, years: int) -> dt.date:
    """Pupils born before this day are more than `years` past their date of birth on `today` (their period
    ended before today)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February
        return today.replace(year=today.year - years, day=28)
