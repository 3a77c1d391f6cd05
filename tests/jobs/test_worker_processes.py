"""Real `tandem worker` processes: they run queued jobs, and a killed one's job finishes exactly once."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.management import CommandError, call_command

from tandem.access.actor import actor_for
from tandem.demo.loader import load_demo
from tandem.jobs.models import Job, JobStatus
from tandem.people.models import Membership, Role
from tandem.progress.models import AnalysisRun, ProgressResult, RunStatus
from tandem.progress.services import analysis_request, analysis_run_create
from tandem.schools.models import School
from tests.jobs.workers import kill, run_worker_batch, start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

AS_OF = dt.date(2026, 11, 23)


def _school_and_senco() -> tuple[School, object]:
    membership = Membership.objects.filter(role=Role.SENCO, school__isnull=False).order_by("id").first()
    assert membership is not None
    return membership.school, actor_for(membership.user, membership.pk)  # type: ignore[return-value]


def _results(run: AnalysisRun) -> list[tuple[object, ...]]:
    return sorted(
        ProgressResult.objects.filter(run=run).values_list(
            "pupil_id",
            "subject_id",
            "window_id",
            "percentile",
            "peers",
            "own_rate",
            "not_closing",
            "widening",
            "flagged",
            "gap",
        )
    )


def test_it_runs_a_queued_analysis_in_a_worker_process():
    load_demo(seed=11, as_of=AS_OF, schools=1, pupils_per_school=150)
    school, senco = _school_and_senco()
    job = analysis_request(actor=senco, school_id=school.pk)  # type: ignore[arg-type]

    run_worker_batch()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.outcome
    run = AnalysisRun.objects.get(pk=job.result["run_id"])
    assert run.status == RunStatus.DONE and run.results > 0
    assert job.outcome == f"Done: {run.flagged:,} of {run.results:,} results flagged."


def test_it_finishes_an_analysis_exactly_once_after_its_worker_is_killed():
    load_demo(seed=12, as_of=AS_OF, schools=1, pupils_per_school=None)
    school, senco = _school_and_senco()
    job = analysis_request(actor=senco, school_id=school.pk)  # type: ignore[arg-type]
    worker = start_worker()
    try:
        # Killed while it writes the results: after the engine, inside the transaction that stores them.
        wait_for(lambda: Job.objects.get(pk=job.pk).stage.startswith("Storing"), what="the analysis to store")
        kill(worker)
    finally:
        if worker.poll() is None:
            kill(worker)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING, "the worker finished before it was killed: nothing was tested"
    interrupted = AnalysisRun.objects.get(pk=job.result["run_id"])
    assert not ProgressResult.objects.filter(run=interrupted).exists()  # nothing half-written

    run_worker_batch()  # a new worker finds the dead one's job and runs it again

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2
    runs = AnalysisRun.objects.filter(school=school)
    assert runs.filter(status=RunStatus.DONE).count() == 1
    assert runs.get(pk=interrupted.pk).status == RunStatus.FAILED
    finished = runs.get(status=RunStatus.DONE)
    assert finished.pk == job.result["run_id"]
    # The same rows as an analysis nobody interrupted.
    uninterrupted = analysis_run_create(actor=None, school=school)
    assert _results(finished) == _results(uninterrupted)


def test_it_lowers_the_worker_process_cpu_priority_below_the_web_servers():
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    worker = start_worker()
    try:
        expected = min(19, ours + 10)
        wait_for(lambda: os.getpriority(os.PRIO_PROCESS, worker.pid) == expected, what="the worker's nice")
    finally:
        kill(worker)


def test_it_refuses_a_priority_outside_0_to_19():
    with pytest.raises(CommandError, match="--nice must be between 0 and 19"):
        call_command("worker", "--nice", "25", "--batch")
