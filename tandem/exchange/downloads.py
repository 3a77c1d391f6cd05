"""Large downloads are made by the background worker, not inside the request.

A school's marks can run to hundreds of thousands of rows, and writing them as an Excel file takes longer
than a page should. Above TANDEM_DOWNLOAD_BACKGROUND_ROWS rows the download page offers to prepare the
file instead: a "download" job builds it with the rights of the person who asked (checked again when it
runs, and audited as any download is), keeps it for them alone for a day, and their page follows the job
and then offers the file. Fetching it is audited too; the nightly clean-up deletes expired files.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.audit.services import audit_record
from tandem.exchange.exports import marks_size, marks_table, roll_size, roll_table
from tandem.exchange.models import PreparedDownload
from tandem.exchange.tables import Cell, DataTable, table_csv, table_xlsx
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_enqueue

DOWNLOAD_JOB = "download"
KEEP_FOR = dt.timedelta(days=1)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Format -> (content type, writer).
FORMATS: dict[str, tuple[str, Callable[[DataTable], bytes]]] = {
    "csv": ("text/csv; charset=utf-8", table_csv),
    "xlsx": (XLSX_TYPE, table_xlsx),
}
PROGRESS_EVERY = 5_000


@dataclass(frozen=True)
class Download:
    name: str  # the file name's start, and the URL's word
    label: str  # in a sentence: "your file of {label}"
    resource: Resource
    table: Callable[..., DataTable]
    size: Callable[..., int]


DOWNLOADS = {
    "pupils": Download("pupils", "pupils", Resource.PUPIL, roll_table, roll_size),
    "marks": Download("marks", "marks", Resource.PROGRESS, marks_table, marks_size),
}


def _download(actor: Actor, what: str, file_format: str) -> Download:
    spec = DOWNLOADS.get(what)
    if spec is None or file_format not in FORMATS:
        raise ValidationError("Tandem does not prepare that download.")
    if not actor.can(spec.resource):
        raise ValidationError("You cannot download that list.")
    return spec


def download_rows_if_large(*, actor: Actor, what: str) -> int | None:
    """The download's row count when it is large enough to be prepared by the worker, else None."""
    rows = int(DOWNLOADS[what].size(actor=actor))
    return rows if rows > settings.TANDEM_DOWNLOAD_BACKGROUND_ROWS else None


def download_request(*, actor: Actor, what: str, file_format: str) -> Job:
    """Queue the job that prepares this download, or return the one already waiting or running for the
    same person, list and format (a second click does not make a second file)."""
    spec = _download(actor, what, file_format)
    arguments = {"what": what, "format": file_format}
    with transaction.atomic():
        waiting = (
            Job.objects.select_for_update()
            .filter(
                kind=DOWNLOAD_JOB,
                requested_by_id=actor.user_id,
                membership_id=actor.membership.pk,
                status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
                arguments__what=what,
                arguments__format=file_format,
            )
            .first()
        )
        if waiting is not None:
            return waiting
        rows = int(spec.size(actor=actor))
        return job_enqueue(
            kind=DOWNLOAD_JOB, actor=actor, school_id=actor.school_id, arguments={**arguments, "rows": rows}
        )


def download_prepare(
    *, actor: Actor, job: Job, progress: Callable[[str, int, int], None] | None = None
) -> PreparedDownload:
    """The job's work: build the file with the asker's rights and keep it for them. Idempotent: a job run
    again after its worker died finds the file it made."""
    made = PreparedDownload.objects.filter(job=job).first()
    if made is not None:
        return made
    spec = _download(actor, str(job.arguments.get("what")), str(job.arguments.get("format")))
    file_format = str(job.arguments["format"])
    expected = int(job.arguments.get("rows", 0))
    table = spec.table(actor=actor)  # leaves the download's audit event, as a download in the page does
    written = 0

    def counted(rows: Iterator[Sequence[Cell]]) -> Iterator[Sequence[Cell]]:
        nonlocal written
        for row in rows:
            yield row
            written += 1
            if progress and written % PROGRESS_EVERY == 0:
                progress("writing", written, max(expected, written))

    content_type, writer = FORMATS[file_format]
    data = writer(DataTable(table.title, table.headers, counted(iter(table.rows))))
    return PreparedDownload.objects.create(
        job=job,
        school_id=job.school_id,
        requested_by_id=actor.user_id,
        file_name=f"{spec.name}-{timezone.localdate()}.{file_format}",
        content_type=content_type,
        content=data,
        rows=written,
        expires_at=timezone.now() + KEEP_FOR,
    )


def download_job_for_actor(*, actor: Actor, job_id: uuid.UUID) -> Job:
    """A download job as its asker sees it; anyone else's (even at the same school) is a 404."""
    job = Job.objects.filter(
        pk=job_id, kind=DOWNLOAD_JOB, requested_by_id=actor.user_id, membership_id=actor.membership.pk
    ).first()
    if job is None:
        raise Http404
    return job


def prepared_file_for_actor(*, actor: Actor, job_id: uuid.UUID) -> PreparedDownload | None:
    """The prepared file of the asker's job, or None once it has expired (or before it is ready)."""
    job = download_job_for_actor(actor=actor, job_id=job_id)
    return PreparedDownload.objects.filter(job=job, expires_at__gt=timezone.now()).first()


def prepared_file_fetch(*, actor: Actor, job_id: uuid.UUID) -> PreparedDownload:
    """The file itself, for sending: its fetch is recorded, as every download of pupils' data is."""
    prepared = prepared_file_for_actor(actor=actor, job_id=job_id)
    if prepared is None:
        raise Http404
    audit_record(
        actor=actor,
        action="export.fetch",
        target_type="prepared_download",
        target_id=prepared.pk,
        school_id=prepared.school_id,
    )
    return prepared


def prepared_downloads_prune(*, now: dt.datetime | None = None) -> int:
    deleted, _ = PreparedDownload.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return int(deleted)
