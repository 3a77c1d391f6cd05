"""Background jobs of imports and exports: applying a large import (queued by
background.import_apply_in_background), preparing a large download (downloads.py), and every night
deleting expired downloads and the files of imports never applied."""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import ValidationError

from tandem.exchange.background import IMPORT_JOB
from tandem.exchange.downloads import DOWNLOAD_JOB, download_prepare, prepared_downloads_prune
from tandem.exchange.models import ImportRecord, ImportStatus
from tandem.exchange.services import ImportFailed, import_apply, import_uploads_expire
from tandem.jobs.models import Job
from tandem.jobs.registry import JobContext, JobRefused, job_handler
from tandem.jobs.schedule import Daily, daily_job
from tandem.jobs.services import job_enqueue
from tandem.schools.models import School

logger = logging.getLogger("tandem.exchange")
HOUSEKEEPING_JOB = "exchange_housekeeping"


def _applied_sentence(record: ImportRecord) -> str:
    left_out = f", {len(record.skipped)} rows left out" if record.skipped else ""
    return (
        f"Imported: {record.created:,} added, {record.updated:,} changed, "
        f"{record.unchanged:,} already up to date{left_out}."
    )


@job_handler(IMPORT_JOB)
def import_apply_job(context: JobContext) -> str:
    if context.actor is None:
        raise JobRefused("Nobody asked for this import to be applied.")
    arguments = context.arguments
    record_id = uuid.UUID(arguments["record_id"])
    record = ImportRecord.objects.filter(pk=record_id).first()
    if record is None:
        raise JobRefused("The import is no longer there.")
    # Idempotent: a retry after the worker died finds an apply that committed already, and reports it.
    if record.status == ImportStatus.APPLIED:
        return _applied_sentence(record)
    if record.status != ImportStatus.APPLYING:
        raise JobRefused("The import was changed or discarded before it could be applied.")
    try:
        applied = import_apply(
            actor=context.actor,
            record_id=record_id,
            skip_errors=bool(arguments.get("skip_errors")),
            progress=context.progress,
            background=True,
            base_url=arguments.get("base_url"),
        )
    except ValidationError as error:
        # Refused before writing (rows with errors, columns not chosen): back to the preview, with why.
        reason = " ".join(error.messages)
        ImportRecord.objects.filter(pk=record_id).update(status=ImportStatus.PREVIEWED, failure=reason)
        raise JobRefused(reason) from None
    except ImportFailed:
        raise JobRefused("The import failed, so nothing was changed. Its page says why.") from None
    except Exception:
        ImportRecord.objects.filter(pk=record_id, status=ImportStatus.APPLYING).update(
            status=ImportStatus.FAILED,
            failure="The import stopped unexpectedly, so nothing was changed. Try applying again.",
        )
        raise
    return _applied_sentence(applied)


@job_handler(DOWNLOAD_JOB)
def download_prepare_job(context: JobContext) -> str:
    if context.actor is None:
        raise JobRefused("Nobody asked for this download.")
    try:
        prepared = download_prepare(actor=context.actor, job=context.job, progress=context.progress)
    except ValidationError as error:
        raise JobRefused(" ".join(error.messages)) from None
    context.remember(file=str(prepared.pk))
    return f"Your file is ready: {prepared.rows:,} rows."


@job_handler(HOUSEKEEPING_JOB)
def housekeeping_job(context: JobContext) -> str:
    downloads, uploads = prepared_downloads_prune(), import_uploads_expire()
    return f"Deleted {downloads:,} expired downloads and {uploads:,} uploads not applied within 7 days."


def _nightly_prune(school: School | None) -> Job | None:
    return job_enqueue(kind=HOUSEKEEPING_JOB, actor=None, school_id=None)


daily_job(Daily(name=HOUSEKEEPING_JOB, hour=3, enqueue=_nightly_prune, per_school=False))
