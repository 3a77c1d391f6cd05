"""Across a trust, each school's flags come from its own newest analysis (schools are analysed one by one,
after their imports and nightly), never only from whichever school was analysed last."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.progress.models import AnalysisRun
from tandem.progress.selectors import flag_lists, latest_runs
from tests import factories as f


def _flagged_run(school, pupil, *, minutes_ago: int, trust=None):
    from tandem.schools.models import AssessmentWindow

    window = AssessmentWindow.objects.filter(school=school).first() or f.make_window(
        school=school, start_year=2025, term="autumn"
    )
    run = f.make_progress_run(
        school=school,
        results=[
            {"pupil": pupil, "subject_id": "reading", "window": window, "flagged": True, "is_current": True}
        ],
    )
    AnalysisRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        school=None if trust else school,
        trust=trust,
    )
    return run


def test_it_shows_a_trust_lead_each_schools_flags_from_its_own_newest_run(world):
    trust = world.a.school.trust
    other = f.make_school(name="School C", trust=trust)
    pupil_c = f.make_pupil(school=other, forename="Cara", surname="Sentinel-C")
    older = _flagged_run(world.a.school, world.a.taught_pupil, minutes_ago=60)
    newer = _flagged_run(other, pupil_c, minutes_ago=5)

    lead = actor_for(world.trust_lead)
    assert latest_runs(actor=lead) == {world.a.school.pk: older, other.pk: newer}
    lists = flag_lists(actor=lead)
    pupils = {r.pupil_id for r in lists.first_response + lists.next_review}
    assert pupils == {world.a.taught_pupil.pk, pupil_c.pk}
    assert lists.run == newer


def test_it_prefers_a_schools_own_newer_run_to_an_older_trust_wide_one(world):
    trust = world.a.school.trust
    trust_wide = _flagged_run(world.a.school, world.a.ehc_pupil, minutes_ago=120, trust=trust)
    own = _flagged_run(world.a.school, world.a.taught_pupil, minutes_ago=10)
    senco = actor_for(world.a.senco)
    assert latest_runs(actor=senco) == {world.a.school.pk: own}
    pupils = {
        r.pupil_id for r in flag_lists(actor=senco).first_response + flag_lists(actor=senco).next_review
    }
    assert pupils == {world.a.taught_pupil.pk}
    assert trust_wide.pk != own.pk


def test_it_shows_nothing_of_another_trusts_runs(world):
    _flagged_run(world.b.school, world.b.taught_pupil, minutes_ago=1)
    assert latest_runs(actor=actor_for(world.trust_lead)) == {}
    assert flag_lists(actor=actor_for(world.trust_lead)).total == 0
