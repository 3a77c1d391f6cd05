"""Reads for jobs: a job as the person who asked for it may see it, and the workers' heartbeats."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.http import Http404
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.jobs.models import Job, WorkerBeat


def job_for_actor(*, actor: Actor, job_id: uuid.UUID, kinds: tuple[str, ...]) -> Job:
    """A job of one of `kinds` at the actor's school; another school's (or none) is a 404."""
    job = Job.objects.filter(pk=job_id, kind__in=kinds, school_id=actor.school_id or -1).first()
    if job is None:
        raise Http404
    return job


def worker_heartbeat_age() -> timedelta | None:
    """How long since any worker last wrote its heartbeat; None when no worker has ever run."""
    newest = WorkerBeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return None if newest is None else timezone.now() - newest


def job_may_not_start(job: Job) -> bool:
    """An unfinished job with no worker seen lately: its page says so, and who to ask."""
    from tandem.jobs.services import STALE_AFTER

    age = worker_heartbeat_age()
    return not job.finished and (age is None or age > STALE_AFTER)
