"""The nightly backup as a job on the worker: one backup of the whole database, then pruning to
TANDEM_BACKUP_KEEP. Run twice (a worker killed after the backup was written), it makes one more backup,
and pruning still keeps the total in bounds, so a retry is harmless."""

from __future__ import annotations

from tandem.backups.services import backup_nightly
from tandem.jobs.models import Job
from tandem.jobs.registry import JobContext, job_handler
from tandem.jobs.schedule import Daily, daily_job
from tandem.jobs.services import job_enqueue
from tandem.schools.models import School

BACKUP_JOB = "backup"


@job_handler(BACKUP_JOB)
def backup_job(context: JobContext) -> str:
    context.progress("Backing up the database", 0, 0)
    info = backup_nightly()
    return f"Backed up to {info.path.name}."


def _nightly_backup(school: School | None) -> Job | None:
    return job_enqueue(kind=BACKUP_JOB, actor=None, school_id=None, arguments={"reason": "nightly"})


#: The whole database, once a night at 1 am, before the 2 am analyses write their new results.
daily_job(Daily(name="nightly_backup", hour=1, enqueue=_nightly_backup, per_school=False))
