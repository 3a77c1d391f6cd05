"""The background job that builds a subject access export (a pupil with years of records takes a while)."""

from __future__ import annotations

import uuid

from tandem.jobs.registry import JobContext, JobRefused, job_handler
from tandem.subject_access.models import SubjectAccessRequest
from tandem.subject_access.services import EXPORT_JOB, export_build


@job_handler(EXPORT_JOB)
def subject_access_export_job(context: JobContext) -> str:
    if context.actor is None:
        raise JobRefused("Nobody asked for this export.")
    request_id = uuid.UUID(context.arguments["request_id"])
    if not SubjectAccessRequest.objects.filter(pk=request_id).exists():
        raise JobRefused("The request is no longer there.")
    context.progress("gathering the records", 0, 1)
    # Rebuilding is harmless (the same records, a newer time), so a retry after a dead worker just builds.
    built = export_build(actor=context.actor, request_id=request_id)
    context.progress("done", 1, 1)
    size = len(built.export or b"")
    return f"The export is ready ({size / 1024:,.0f} KB)."
