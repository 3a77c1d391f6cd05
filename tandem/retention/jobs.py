"""The monthly job that applies the retention schedule at every school (on the 1st, in the night)."""

from __future__ import annotations

from tandem.jobs.models import Job
from tandem.jobs.registry import JobContext, job_handler
from tandem.jobs.schedule import Daily, daily_job
from tandem.jobs.services import job_enqueue
from tandem.retention.services import retention_apply
from tandem.schools.models import School

RETENTION_JOB = "retention_monthly"


@job_handler(RETENTION_JOB)
def retention_job(context: JobContext) -> str:
    deleted = held = 0
    for school in School.objects.order_by("pk"):
        plan = retention_apply(school=school)
        deleted += sum(plan.due.values())
        held += sum(plan.held.values())
    return f"Deleted {deleted:,} records past their retention period; {held:,} pupils held back."


def _monthly(school: School | None) -> Job | None:
    return job_enqueue(kind=RETENTION_JOB, actor=None, school_id=None)


daily_job(Daily(name=RETENTION_JOB, hour=2, enqueue=_monthly, per_school=False, on_day=1))
