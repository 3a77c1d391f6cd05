"""Housekeeping on the worker: one-time form tokens are forgotten a day after they could last be used."""

from __future__ import annotations

from tandem.core.once import prune_form_submissions
from tandem.jobs.models import Job
from tandem.jobs.registry import JobContext, job_handler
from tandem.jobs.schedule import Daily, daily_job
from tandem.jobs.services import job_enqueue
from tandem.schools.models import School

PRUNE_JOB = "prune_form_tokens"


@job_handler(PRUNE_JOB)
def prune_job(context: JobContext) -> str:
    removed = prune_form_submissions()
    return f"Forgot {removed:,} used form tokens."


def _nightly_prune(school: School | None) -> Job | None:
    return job_enqueue(kind=PRUNE_JOB, actor=None, school_id=None)


daily_job(Daily(name="prune_form_tokens", hour=3, enqueue=_nightly_prune, per_school=False))
