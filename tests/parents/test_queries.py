"""The parents' reads run a fixed number of queries: 10 targets, meetings or requests cost what 2 do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.parents.family_selectors import child_overview, family_home
from tandem.parents.models import MeetingResponse, ParentViews
from tandem.parents.selectors import parent_views_for_plan, parents_page
from tandem.plans.models import TargetProgress
from tests import factories as f


def _fill(world: Any, plan: Any, count: int) -> None:
    """`count` more targets on the shared plan (each with progress and a supporter), shared meeting records
    (every other one answered), requests for views (answered), meetings asked for and interventions."""
    pupil = world.a.taught_pupil
    today = timezone.localdate()
    for n in range(count):
        target = f.make_target(plan=plan, skill=f"Target {n}")
        target.supporting_staff.add(world.a.ta)
        TargetProgress.objects.create(
            target=target,
            pupil=pupil,
            school=pupil.school,
            recorded_on=today,
            note=f"Progress {n}",
            recorded_by=world.a.teacher,
        )
        meeting = f.make_shared_meeting(pupil, held_on=today - dt.timedelta(days=n))
        if n % 2:
            MeetingResponse.objects.create(
                meeting=meeting, pupil=pupil, school=pupil.school, parent=world.a.parent, agrees=True
            )
        request = f.make_views_request(pupil, plan=plan)
        ParentViews.objects.create(
            request=request,
            pupil=pupil,
            school=pupil.school,
            given_by=world.a.parent,
            answers=[{"question": "Q?", "answer": f"A{n}"}],
        )
        f.make_meeting_request(pupil)
        group = f.make_intervention_group(deliverer=world.a.ta)
        f.make_placement(group=group, pupil=pupil)


def _count(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries.captured_queries)


def _compare(world: Any, read: Callable[[Any], Any]) -> tuple[int, int]:
    """Queries to read with 2 of everything, then with 10."""
    plan = f.share_with_parents(f.make_plan(world.a.taught_pupil), "plan")
    f.share_with_parents(f.make_passport(world.a.taught_pupil), "passport")
    _fill(world, plan, 2)
    small = _count(lambda: read(plan))
    _fill(world, plan, 8)
    large = _count(lambda: read(plan))
    assert small > 3  # the read did read
    return small, large


def test_it_reads_a_childs_page_in_a_fixed_number_of_queries(world):
    parent = actor_for(world.a.parent)
    small, large = _compare(
        world, lambda plan: child_overview(actor=parent, pupil_id=world.a.taught_pupil.pk)
    )
    assert small == large


def test_it_reads_the_parents_home_in_a_fixed_number_of_queries(world):
    parent = actor_for(world.a.parent)
    small, large = _compare(world, lambda plan: family_home(actor=parent))
    assert small == large


def test_it_reads_the_staff_page_and_the_review_views_in_a_fixed_number_of_queries(world):
    senco = actor_for(world.a.senco)
    small, large = _compare(
        world,
        lambda plan: (
            parents_page(actor=senco, pupil_id=world.a.taught_pupil.pk),
            parent_views_for_plan(actor=senco, plan_id=plan.pk),
        ),
    )
    assert small == large
