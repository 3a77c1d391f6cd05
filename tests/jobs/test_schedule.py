"""Daily jobs: queued once a day per school from their local hour, by whichever worker comes first."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from tandem.jobs.models import Job, ScheduledRun
from tandem.jobs.schedule import DAILY, schedule_due
from tandem.progress.services import ANALYSIS_JOB

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _at(day: int, hour: int, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 5, tzinfo=LONDON)


def test_it_queues_each_schools_nightly_analysis_once_from_2_am(world):
    assert "nightly_analysis" in DAILY
    schedule_due(now=_at(7, 1))  # 1 am: the backup, no analysis yet
    jobs = Job.objects.filter(kind=ANALYSIS_JOB)
    assert not jobs.exists()
    queued = schedule_due(now=_at(7, 2))
    schools = {world.a.school.pk, world.b.school.pk}
    assert queued >= 2
    assert set(jobs.values_list("school_id", flat=True)) >= schools
    assert {job.arguments["reason"] for job in jobs} == {"nightly"}
    schedule_due(now=_at(7, 14))  # later the same day: already queued (the 7 am emails are queued now)
    assert jobs.count() == queued
    nightly = ScheduledRun.objects.filter(name="nightly_analysis")
    before = nightly.count()
    schedule_due(now=_at(8, 3))  # the next night: every school again
    assert nightly.count() == before + queued


def test_it_keeps_to_local_time_in_summer(world):
    # 01:30 UTC in July is 02:30 in London: due; 00:30 UTC (01:30 London) is not.
    analyses = Job.objects.filter(kind=ANALYSIS_JOB)
    schedule_due(now=dt.datetime(2026, 7, 1, 0, 30, tzinfo=dt.UTC))
    assert not analyses.exists()
    schedule_due(now=dt.datetime(2026, 7, 1, 1, 30, tzinfo=dt.UTC))
    assert analyses.exists()


def test_it_queues_a_missed_night_when_a_worker_next_starts_that_day(world):
    assert schedule_due(now=_at(9, 11)) > 0  # the server was off at 2 am; a worker started at 11


def test_it_records_which_job_each_day_queued(world):
    schedule_due(now=_at(7, 2))
    run = ScheduledRun.objects.get(name="nightly_analysis", school=world.a.school, on=dt.date(2026, 12, 7))
    assert run.job is not None and run.job.school_id == world.a.school.pk


def test_it_forgets_used_form_tokens_each_night(world):
    schedule_due(now=_at(7, 3))
    assert Job.objects.filter(kind="prune_form_tokens", school__isnull=True).count() == 1


def test_it_queues_one_nightly_backup_for_everyone_from_1_am(world):
    assert schedule_due(now=_at(7, 0)) == 0
    schedule_due(now=_at(7, 1))
    backups = Job.objects.filter(kind="backup")
    assert backups.count() == 1 and backups.get().school_id is None
    schedule_due(now=_at(7, 5))
    assert backups.count() == 1
