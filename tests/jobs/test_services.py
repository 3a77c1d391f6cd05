"""Jobs: recorded and queued together, run once, ended in plain words, and recovered from a dead worker."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tandem.access.actor import actor_for as actor_of
from tandem.audit.models import AuditEvent
from tandem.jobs.models import Job, JobStatus, WorkerBeat
from tandem.jobs.registry import HANDLERS, JobContext, JobRefused
from tandem.jobs.selectors import job_for_actor, worker_heartbeat_age
from tandem.jobs.services import job_enqueue, job_run, this_host, worker_beat, workers_recover_stale

pytestmark = pytest.mark.django_db

CALLS: list[uuid.UUID] = []


@pytest.fixture
def kinds() -> Iterator[None]:
    def counting(context: JobContext) -> str:
        CALLS.append(context.job.pk)
        context.progress("Counting", 1, 2)
        return "Counted."

    def refusing(context: JobContext) -> str:
        raise JobRefused("The import was discarded before it could be applied.")

    def breaking(context: JobContext) -> str:
        raise RuntimeError("Ada Lovelace's row 12 is broken")  # must not reach the job's outcome

    HANDLERS.update({"test_count": counting, "test_refuse": refusing, "test_break": breaking})
    CALLS.clear()
    yield
    for kind in ("test_count", "test_refuse", "test_break"):
        HANDLERS.pop(kind)


def test_it_records_and_queues_a_job_together(world, kinds):
    actor = actor_of(world.a.senco)
    job = job_enqueue(kind="test_count", actor=actor, school_id=world.a.school.pk, arguments={"n": 1})
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.status == TaskResultStatus.READY
    assert task.args_kwargs["args"] == [str(job.pk)]
    assert job.status == JobStatus.QUEUED and job.requested_by_id == world.a.senco.pk
    assert AuditEvent.objects.filter(action="job.queued", target_id=str(job.pk)).exists()


def test_it_refuses_a_kind_it_does_not_know(world):
    with pytest.raises(ValueError):
        job_enqueue(kind="no_such_kind", actor=None, school_id=world.a.school.pk)
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_it_runs_a_job_once_however_often_it_is_delivered(world, kinds):
    job = job_enqueue(kind="test_count", actor=actor_of(world.a.senco), school_id=world.a.school.pk)
    job_run(job_id=job.pk)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert [job.pk] == CALLS
    assert (job.status, job.outcome, job.stage, job.done, job.total) == ("done", "Counted.", "Counting", 1, 2)
    assert job.attempts == 1 and job.finished_at is not None


def test_it_ends_a_refused_job_with_the_reason(world, kinds):
    job = job_enqueue(kind="test_refuse", actor=None, school_id=world.a.school.pk)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.outcome == "The import was discarded before it could be applied."


def test_it_ends_a_broken_job_in_plain_words_without_the_error_text(world, kinds):
    job = job_enqueue(kind="test_break", actor=None, school_id=world.a.school.pk)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "stopped unexpectedly" in job.outcome and "Lovelace" not in job.outcome


def test_it_refuses_to_act_for_someone_who_lost_the_role(world, kinds):
    job = job_enqueue(kind="test_count", actor=actor_of(world.a.senco), school_id=world.a.school.pk)
    world.a.senco.memberships.update(is_active=False)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "no longer has that role" in job.outcome
    assert CALLS == []


def _running_task(job: Job, worker_id: str) -> DBTaskResult:
    task = DBTaskResult.objects.get(pk=job.task_id)
    task.claim(worker_id)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    return task


def _ended_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_it_queues_again_the_job_of_a_worker_whose_process_has_ended(world, kinds):
    job = job_enqueue(kind="test_count", actor=None, school_id=world.a.school.pk)
    task = _running_task(job, "dead-worker")
    now = timezone.now()
    WorkerBeat.objects.create(
        worker_id="dead-worker", host=this_host(), pid=_ended_pid(), started_at=now, seen_at=now
    )

    assert workers_recover_stale() == 1

    task.refresh_from_db()
    job.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert job.status == JobStatus.QUEUED


def test_it_leaves_a_live_workers_job_alone(world, kinds):
    job = job_enqueue(kind="test_count", actor=None, school_id=world.a.school.pk)
    task = _running_task(job, "live-worker")
    worker_beat(worker_id="live-worker", started_at=timezone.now())  # this very process

    assert workers_recover_stale() == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_it_takes_a_silent_worker_on_another_machine_as_gone_after_two_minutes(world, kinds):
    job = job_enqueue(kind="test_count", actor=None, school_id=world.a.school.pk)
    _running_task(job, "far-worker")
    now = timezone.now()
    beat = WorkerBeat.objects.create(
        worker_id="far-worker",
        host="another-machine",
        pid=1,
        started_at=now,
        seen_at=now - dt.timedelta(seconds=90),
    )
    assert workers_recover_stale(now=now) == 0  # silent for 90 s: still counted as working
    assert workers_recover_stale(now=now + dt.timedelta(seconds=31)) == 1
    assert not WorkerBeat.objects.filter(pk=beat.pk).exists()


def test_it_reports_how_long_since_a_worker_was_seen(world):
    assert worker_heartbeat_age() is None
    worker_beat(worker_id="w", started_at=timezone.now(), now=timezone.now() - dt.timedelta(minutes=3))
    age = worker_heartbeat_age()
    assert age is not None and dt.timedelta(minutes=3) <= age < dt.timedelta(minutes=4)


def test_it_shows_a_job_only_at_its_own_school(world, kinds):
    job = job_enqueue(kind="test_count", actor=None, school_id=world.a.school.pk)
    assert job_for_actor(actor=actor_of(world.a.senco), job_id=job.pk, kinds=("test_count",)) == job
    from django.http import Http404

    with pytest.raises(Http404):
        job_for_actor(actor=actor_of(world.b.senco), job_id=job.pk, kinds=("test_count",))
    with pytest.raises(Http404):
        job_for_actor(actor=actor_of(world.a.senco), job_id=job.pk, kinds=("analysis",))
