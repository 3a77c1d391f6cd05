"""One seeded situation for the head's and the SENCo's dashboards, with the numbers it should give.

School A (world.a): the Year 4 class (teacher A) has Kai on SEN support, Ellis with an EHC plan and Noor,
not on the register; Robin (Year 5, SEN support) is in another teacher's class. School B gets the same
kinds of records, so any figure that counts them for school A is caught.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tandem.provision.models import LogAcknowledgement, StaffRate
from tests import factories as f

# What school A's head and SENCo should see.
FLAGS_WAITING = 2  # Noor (old first response only) and Ellis (no plan since); Kai has a new plan
REVIEWS_OVERDUE = 1  # Kai's plan
MEETINGS_DUE = 1  # Kai's next meeting with parents, in 5 days
LOGS_UNACKNOWLEDGED = 1  # the first log: teacher A acknowledged it, Robin's teacher has not
COST = "£100.00"  # two placements, each a quarter of 30 sessions of 20 minutes at £20 an hour
# The gap between pupils on the register and others, Year 4, in mathematics.
GAP_AUTUMN, GAP_SPRING = 1.0, 0.6


def _results(
    school: Any, pupils: dict[str, Any], gaps: dict[str, tuple[float, float]]
) -> list[dict[str, Any]]:
    autumn = f.make_window(school=school, start_year=2025, term="autumn")
    spring = f.make_window(school=school, start_year=2025, term="spring")
    rows = []
    for name, (first, second) in gaps.items():
        for window, gap, current in ((autumn, first, False), (spring, second, True)):
            flagged = current and name in ("noor", "ellis", "kai")
            rows.append(
                {
                    "pupil": pupils[name],
                    "subject_id": "maths",
                    "window": window,
                    "gap": gap,
                    "flagged": flagged,
                    "peers": int(flagged),
                    "is_current": current,
                }
            )
    return rows


def seed_school(s: Any) -> dict[str, Any]:
    """Seed one world school (world.a or world.b); returns the records a test may want."""
    today = timezone.localdate()
    noor = f.make_pupil(school=s.school, forename="Noor", surname=f"Flagged{s.school.pk}")
    f.enrol(group=s.group, pupils=[noor])
    pupils = {"kai": s.taught_pupil, "ellis": s.ehc_pupil, "noor": noor, "robin": s.untaught_pupil}
    # Year 4: register -1.0 and -0.8 then -0.6 and -0.4; Noor 0.1 both times. Robin (Year 5) only in autumn.
    gaps = {"kai": (-1.0, -0.6), "ellis": (-0.8, -0.4), "noor": (0.1, 0.1)}
    rows = _results(s.school, pupils, gaps)
    robin = dict(rows[0], pupil=s.untaught_pupil, gap=-2.0, flagged=False, peers=0)
    f.make_progress_run(school=s.school, results=[*rows, robin])

    # Noor's first response began before the spring assessment: not a response to this flag.
    f.make_first_response(noor, starts_on=dt.date(2026, 1, 10), review_on=today + dt.timedelta(days=60))
    f.make_plan(s.taught_pupil, review_on=today - dt.timedelta(days=1))  # new since the flag, overdue
    f.make_first_response(s.untaught_pupil, review_on=today + dt.timedelta(days=3))  # due this week
    f.make_meeting(s.taught_pupil, next_meeting_on=today + dt.timedelta(days=5))
    f.make_meeting(s.untaught_pupil, next_meeting_on=today + dt.timedelta(days=60))

    StaffRate.objects.create(school=s.school, staff_type="ta", hourly_rate=Decimal("20.00"))
    group = f.make_intervention_group(deliverer=s.ta)
    f.make_placement(group=group, pupil=s.taught_pupil, teacher=s.teacher)
    robin_placement = f.make_placement(group=group, pupil=s.untaught_pupil)
    waiting = f.make_session_log(group=group, held_on=today - dt.timedelta(days=2))
    done = f.make_session_log(group=group, held_on=today - dt.timedelta(days=1))
    LogAcknowledgement.objects.create(log=waiting, teacher=s.teacher)
    for teacher in (s.teacher, robin_placement.accountable_teacher):  # type: ignore[attr-defined]
        LogAcknowledgement.objects.create(log=done, teacher=teacher)
    return {"noor": noor, "robin_teacher": robin_placement.accountable_teacher}  # type: ignore[attr-defined]
