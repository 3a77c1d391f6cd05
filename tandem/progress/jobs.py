"""The analysis as a background job: queued by "Run the analysis now", after a marks import and nightly."""

from __future__ import annotations

from django.utils import timezone

from tandem.jobs.models import Job
from tandem.jobs.registry import JobContext, JobRefused, job_handler
from tandem.jobs.schedule import Daily, daily_job
from tandem.progress.models import AnalysisRun, RunStatus
from tandem.progress.services import ANALYSIS_JOB, analysis_request, analysis_run_create
from tandem.schools.models import School


def _finished_sentence(run: AnalysisRun) -> str:
    return f"Done: {run.flagged:,} of {run.results:,} results flagged."


@job_handler(ANALYSIS_JOB)
def analysis_job(context: JobContext) -> str:
    school = School.objects.filter(pk=context.job.school_id or 0).first()
    if school is None:
        raise JobRefused("The school is no longer in Tandem.")
    # Idempotent: a retry after the worker died finds the run this job already made. A finished run is
    # reported as it is; one cut off part-way (its results land in one transaction, so it has none) is
    # marked as interrupted and the analysis runs again.
    earlier = context.job.result.get("run_id")
    if earlier is not None:
        run = AnalysisRun.objects.filter(pk=earlier).first()
        if run is not None and run.status == RunStatus.DONE:
            return _finished_sentence(run)
        AnalysisRun.objects.filter(pk=earlier, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, finished_at=timezone.now()
        )
    run = analysis_run_create(
        actor=context.actor,
        school=school,
        progress=lambda message: context.progress(message, 0, 0),
        started=lambda run: context.remember(run_id=run.pk),
    )
    return _finished_sentence(run)


def _nightly_analysis(school: School | None) -> Job | None:
    if school is None:
        return None
    return analysis_request(actor=None, school_id=school.pk, reason="nightly")


#: Every school's analysis runs each night, so flags follow marks entered by hand as well as imports.
daily_job(Daily(name="nightly_analysis", hour=2, enqueue=_nightly_analysis))
