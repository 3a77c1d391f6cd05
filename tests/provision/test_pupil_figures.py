"""A pupil's interventions with their figures, as the pupil page and the request pack show them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.provision.models import StaffRate
from tandem.provision.pupil_figures import pupil_interventions
from tests import factories as f


def _group_with_logs(world, *, attended: int, missed: int, **placement):
    intervention = f.make_intervention(world.a.school, minutes_per_session=20, group_size=4, weeks=10)
    group = f.make_intervention_group(deliverer=world.a.ta, intervention=intervention)
    f.make_placement(group=group, pupil=world.a.taught_pupil, teacher=world.a.teacher, **placement)
    # One session a day, going back from today (a group logs at most one session a day).
    for days_ago, present in enumerate([True] * attended + [False] * missed):
        f.make_session_log(
            group=group, present=present, held_on=timezone.localdate() - dt.timedelta(days_ago)
        )
    return group


def test_it_counts_sessions_time_change_and_cost(world):
    StaffRate.objects.create(school=world.a.school, staff_type="ta", hourly_rate=Decimal("18.00"))
    today = timezone.localdate()
    _group_with_logs(
        world,
        attended=2,
        missed=1,
        measure_kind="reading_age",
        entry_score=90,
        entry_on=today - dt.timedelta(days=92),
        exit_score=96,
        exit_on=today,
    )
    [row] = pupil_interventions(actor=actor_for(world.a.teacher), pupil_id=world.a.taught_pupil.pk)
    assert row.attendance == "2 of 3 sessions (40 min)"
    assert row.change.startswith("90 to 96 (+6), ratio gain 2.0")
    # 18.00 an hour x 20 minutes x 3 sessions a week x 10 weeks, shared by 4 pupils.
    assert row.cost_text == "£45.00"


def test_it_says_when_nothing_is_logged_or_measured(world):
    _group_with_logs(world, attended=0, missed=0)
    [row] = pupil_interventions(actor=actor_for(world.a.teacher), pupil_id=world.a.taught_pupil.pk)
    assert row.attendance == "No sessions logged yet"
    assert row.change == "85 at entry; no exit measure yet"
    assert row.cost_text == "No staff rate set"


def test_it_shows_the_same_figures_on_the_pupil_page(client, world):
    _group_with_logs(world, attended=3, missed=1)
    client.force_login(world.a.teacher)
    page = client.get(reverse("pupil_detail", args=[world.a.taught_pupil.pk])).content.decode()
    [row] = pupil_interventions(actor=actor_for(world.a.teacher), pupil_id=world.a.taught_pupil.pk)
    assert row.attendance == "3 of 4 sessions (1 h)"
    for text in (row.attendance, row.change, row.cost_text):
        assert text in page


def test_it_is_hidden_from_roles_without_intervention_groups(world):
    _group_with_logs(world, attended=1, missed=0)
    assert pupil_interventions(actor=actor_for(world.a.admin), pupil_id=world.a.taught_pupil.pk) is None


def test_it_reads_any_number_of_placements_in_the_same_queries(world):
    actor = actor_for(world.a.senco)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            pupil_interventions(actor=actor, pupil_id=world.a.taught_pupil.pk)
        return len(captured)

    _group_with_logs(world, attended=1, missed=1)
    one = queries()
    for _ in range(4):
        _group_with_logs(world, attended=2, missed=0)
    assert queries() == one
