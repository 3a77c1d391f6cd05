"""Large imports are applied by a background worker (tandem/jobs), so the page shows how far they have got
and a restart of the web server loses nothing.

Applying queues an "import_apply" job in the same transaction that marks the record "applying". The job's
row holds its stage and counts (checking rows, then writing), which every web process reads, so the
progress shows whichever server answers the page. The apply itself is all or nothing (services.py): if the
worker is killed part-way, nothing it wrote is kept, and the job runs again on a live worker
(tandem/jobs/worker.py), finding the record still "applying" and applying it once.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from tandem.access.actor import Actor
from tandem.exchange.models import ImportRecord, ImportStatus
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_enqueue

IMPORT_JOB = "import_apply"


def import_job(record_id: uuid.UUID) -> Job | None:
    """The newest job that applies (or applied) this import."""
    return (
        Job.objects.filter(kind=IMPORT_JOB, arguments__record_id=str(record_id))
        .order_by("-created_at")
        .first()
    )


def import_progress(record_id: uuid.UUID) -> tuple[str, int, int] | None:
    """(stage, done, total) of an apply waiting or running ("checking" rows, then "writing"), or None."""
    job = import_job(record_id)
    if job is None or job.finished:
        return None
    if job.status == JobStatus.QUEUED:
        return ("waiting", 0, 0)
    return (job.stage or "checking", job.done, job.total)


def import_apply_in_background(
    *, actor: Actor, record_id: uuid.UUID, skip_errors: bool, base_url: str | None = None
) -> Job:
    """Mark the import as applying and queue the job that applies it; the record says how it ended."""
    with transaction.atomic():
        statuses = [ImportStatus.PREVIEWED, ImportStatus.FAILED]
        record = ImportRecord.objects.filter(pk=record_id, school_id=actor.school_id or 0).first()
        if record is not None and interrupted(record):
            statuses.append(ImportStatus.APPLYING)  # its job ended without applying it: apply it again
        claimed = ImportRecord.objects.filter(
            pk=record_id, school_id=actor.school_id or 0, status__in=statuses
        ).update(status=ImportStatus.APPLYING, failure="")
        if not claimed:
            raise ValidationError("This import is already being applied, or has been.")
        return job_enqueue(
            kind=IMPORT_JOB,
            actor=actor,
            school_id=actor.school_id,
            arguments={"record_id": str(record_id), "skip_errors": skip_errors, "base_url": base_url},
        )


def interrupted(record: ImportRecord) -> bool:
    """The record says "applying" but no job is waiting or running for it (it ended without applying)."""
    if record.status != ImportStatus.APPLYING:
        return False
    job = import_job(record.pk)
    return job is None or job.finished
