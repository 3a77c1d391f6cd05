"""The one task on the queue: run a Job by its id (the Job row holds everything else)."""

from __future__ import annotations

import uuid

from django_tasks import task


@task()
def run_job(job_id: str) -> None:
    from tandem.jobs.services import job_run

    job_run(job_id=uuid.UUID(job_id))
