"""A school with enough records for the published documents to count: a register with one need held by
two pupils only (to be hidden), costed interventions in two layers paid from two funding sources, and
concerns, first responses, reviews, meetings, views and "about me" records dated this school year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.documents.models import DocumentVersion
from tandem.documents.services import document_version_start
from tandem.lib.dates import academic_year_start
from tandem.parents.models import ParentViews
from tandem.provision.models import StaffRate
from tandem.pupil_voice.models import AboutMe
from tests import factories as f

SMALL_NEED = "Hearing impairment (HI)"


@dataclass(frozen=True)
class Built:
    year_start: dt.date
    year_end: dt.date


def school_year() -> tuple[dt.date, dt.date]:
    start = academic_year_start(timezone.localdate())
    return start, start.replace(year=start.year + 1) - dt.timedelta(days=1)


def build(world: Any) -> Built:
    school = world.a.school
    today = timezone.localdate()
    recently = max(academic_year_start(today), today - dt.timedelta(days=10))
    pupils = []
    for n, (provision, need) in enumerate([("K", "SLCN")] * 12 + [("K", "HI")] * 2 + [("E", "ASD")] * 7):
        pupil = f.make_pupil(school=school, forename="Pub", surname=f"Lished{n:02d}")
        f.set_sen_status(pupil=pupil, provision=provision, need_codes=[need])
        pupils.append(pupil)
    StaffRate.objects.create(school=school, staff_type="ta", hourly_rate=Decimal("18.50"))
    StaffRate.objects.create(school=school, staff_type="teacher", hourly_rate=Decimal("42.00"))
    targeted = f.make_intervention(school, name="Talk Boost", layer="targeted", area="communication")
    specialist = f.make_intervention(
        school, name="Language therapy", layer="specialist", staff_type="teacher", funding_source="high_needs"
    )
    for intervention, group_pupils, funding in (
        (targeted, pupils[:8], "pupil_premium"),
        (specialist, pupils[12:14], "high_needs"),
    ):
        group = f.make_intervention_group(
            deliverer=world.a.ta, intervention=intervention, funding_source=funding
        )
        for n, pupil in enumerate(group_pupils):
            # Measured at the start and the end, so each intervention's page has a verdict to give.
            f.make_placement(
                group=group, pupil=pupil, teacher=world.a.teacher, exit_score=88.0 + n, exit_on=today
            )
    for pupil in pupils[:6]:
        f.make_concern(pupil, raised_on=recently)
        f.make_first_response(pupil, starts_on=recently)
        f.make_meeting(pupil, held_on=recently)
        AboutMe.objects.create(
            pupil=pupil,
            school=school,
            good_at="Drawing",
            how_recorded="typed",
            recorded_with=world.a.senco,
            recorded_on=recently,
        )
    for pupil in pupils[:5]:
        f.make_plan(pupil, starts_on=recently, reviewed_on=recently, next_step="continue")
    # Open plans: 7 specialist, 3 targeted plus (a count to hide).
    for pupil in pupils[14:21]:
        f.make_plan(pupil, layer="specialist")
    for pupil in pupils[5:8]:
        f.make_plan(pupil, layer="targeted_plus")
    for pupil in pupils[:5]:
        link = f.make_parent_link(pupil)
        ParentViews.objects.create(
            request=f.make_views_request(pupil),
            pupil=pupil,
            school=school,
            given_by=link.user,  # type: ignore[attr-defined]
            answers=[{"question": "What helps?", "answer": "Pictures"}],
        )
    start, end = school_year()
    return Built(year_start=start, year_end=end)


def draft(user: Any, kind: str) -> DocumentVersion:
    start, end = school_year()
    return document_version_start(actor=actor_for(user), kind=kind, period_start=start, period_end=end)
