"""Writes for jobs: enqueue, run, report progress, and recover the jobs of a worker that died."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tandem.access.actor import Actor, actor_for
from tandem.audit.services import audit_record
from tandem.jobs.models import Job, JobStatus, WorkerBeat
from tandem.jobs.registry import HANDLERS, JobContext, JobRefused
from tandem.jobs.tasks import run_job

logger = logging.getLogger("tandem.jobs")

#: A worker that has not written its heartbeat for this long is taken to be gone (health, recovery).
STALE_AFTER = timedelta(minutes=2)

STOPPED_UNEXPECTEDLY = "It stopped unexpectedly, so nothing was changed. Try again, or tell your IT support."


@transaction.atomic
def job_enqueue(
    *, kind: str, actor: Actor | None, school_id: int | None, arguments: dict[str, Any] | None = None
) -> Job:
    """Record a job and put it on the queue, in one transaction: a job is never recorded but not queued."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job.objects.create(
        kind=kind,
        school_id=school_id,
        requested_by_id=actor.user_id if actor else None,
        membership_id=actor.membership.pk if actor else None,
        arguments=arguments or {},
    )
    result = run_job.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    audit_record(
        actor=actor, action="job.queued", target_type=f"job:{kind}", target_id=job.pk, school_id=school_id
    )
    return job


def job_progress(*, job_id: uuid.UUID, stage: str, done: int, total: int) -> None:
    Job.objects.filter(pk=job_id).update(stage=stage[:64], done=done, total=total)


def _actor_of(job: Job) -> Actor | None:
    if job.requested_by is None:
        return None
    actor = actor_for(job.requested_by, job.membership_id)
    if actor is None or (job.membership_id is not None and actor.membership.pk != job.membership_id):
        raise JobRefused("The person who asked for this no longer has that role, so it was not run.")
    return actor


def job_run(*, job_id: uuid.UUID) -> None:
    """Run a job's handler and record how it ended. A finished job is never run again (a task delivered
    twice, or recovered after its worker died once the job had finished, does nothing)."""
    claimed = Job.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise JobRefused("This kind of job is not known to this version of Tandem.")
        context = JobContext(
            job=job,
            actor=_actor_of(job),
            progress=lambda stage, done, total: job_progress(
                job_id=job.pk, stage=stage, done=done, total=total
            ),
        )
        outcome = handler(context)
    except JobRefused as refusal:
        _finish(job, JobStatus.FAILED, str(refusal))
    except Exception:
        # Ids only: the exception text may quote data.
        logger.exception("job %s (%s) stopped unexpectedly", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, STOPPED_UNEXPECTEDLY)
    else:
        _finish(job, JobStatus.DONE, outcome)


def _finish(job: Job, status: str, outcome: str) -> None:
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(status=status, outcome=outcome, finished_at=timezone.now())
        audit_record(
            actor=None,
            action=f"job.{status}",
            target_type=f"job:{job.kind}",
            target_id=job.pk,
            school_id=job.school_id,
        )


# ------------------------------------------------------------------------------------------- workers
def this_host() -> str:
    return socket.gethostname()[:255]


def worker_beat(*, worker_id: str, started_at: datetime, now: datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": this_host(), "pid": os.getpid(), "started_at": started_at, "seen_at": now},
    )


def worker_gone(*, worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _gone(beat: WorkerBeat | None, now: datetime) -> bool:
    """A worker is gone when its heartbeat is stale, or at once when it ran on this machine and its process
    has ended (a killed worker's job need not wait two minutes)."""
    if beat is None or beat.seen_at < now - STALE_AFTER:
        return True
    return beat.host == this_host() and not _process_alive(beat.pid)


def workers_recover_stale(*, now: datetime | None = None) -> int:
    """Put back on the queue every task whose worker is gone; returns how many. Each is claimed again by a
    live worker and runs from the start: handlers are idempotent (tandem.jobs.registry)."""
    now = now or timezone.now()
    beats = {beat.worker_id: beat for beat in WorkerBeat.objects.all()}
    recovered = 0
    for result in DBTaskResult.objects.running().only("id", "worker_ids"):
        last = result.worker_ids[-1] if result.worker_ids else None
        if not _gone(beats.get(last) if last else None, now):
            continue
        with transaction.atomic():
            moved = DBTaskResult.objects.filter(pk=result.pk, status=result.status).update(
                status=TaskResultStatus.READY, started_at=None
            )
            if moved:
                Job.objects.filter(task_id=str(result.pk), status=JobStatus.RUNNING).update(
                    status=JobStatus.QUEUED, stage="Waiting to start again"
                )
                logger.warning("task %s of a worker that stopped is queued again", result.pk)
                recovered += moved
    gone = [worker_id for worker_id, beat in beats.items() if _gone(beat, now)]
    WorkerBeat.objects.filter(worker_id__in=gone, seen_at__lt=now - STALE_AFTER).delete()
    return recovered
