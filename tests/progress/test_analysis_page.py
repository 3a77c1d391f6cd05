"""The "Run the analysis now" button and the page that follows the job."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_run, worker_beat
from tandem.progress.models import AnalysisRun, RunStatus
from tandem.progress.services import ANALYSIS_JOB


def test_it_offers_the_button_to_those_who_may_run_the_analysis(client, world):
    client.force_login(world.a.senco)
    assert "Run the analysis now" in client.get("/progress/").content.decode()
    client.force_login(world.a.teacher)
    page = client.get("/progress/").content.decode()
    assert "Run the analysis now" not in page
    assert "It runs by itself after marks are imported." in page


def test_it_queues_one_analysis_and_shows_it_waiting(client, world):
    client.force_login(world.a.senco)
    first = client.post("/progress/analyse/")
    second = client.post("/progress/analyse/")  # a second press while it waits: the same job
    job = Job.objects.get(kind=ANALYSIS_JOB)
    assert first.url == second.url == f"/progress/analyses/{job.pk}/"
    assert (job.school_id, job.requested_by_id, job.arguments) == (
        world.a.school.pk,
        world.a.senco.pk,
        {"reason": "asked"},
    )
    page = client.get(first.url).content.decode()
    assert "Waiting to start" in page and 'role="status"' in page and "data-poll" in page
    assert "No background worker has been seen" in page


def test_it_says_nothing_of_a_missing_worker_when_one_is_running(client, world):
    worker_beat(worker_id="w1", started_at=timezone.now())
    client.force_login(world.a.head)
    url = client.post("/progress/analyse/").url
    assert "No background worker" not in client.get(url).content.decode()


def test_it_shows_how_the_analysis_ended(client, world):
    client.force_login(world.a.senco)
    url = client.post("/progress/analyse/").url
    job = Job.objects.get(kind=ANALYSIS_JOB)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    run = AnalysisRun.objects.get(pk=job.result["run_id"])
    assert run.status == RunStatus.DONE
    page = client.get(url).content.decode()
    assert job.outcome in page and "See the pupils flagged" in page and "data-poll" not in page


def test_it_lets_the_data_lead_run_it_and_follow_it_without_seeing_flags(client, world):
    client.force_login(world.a.admin)
    url = client.post("/progress/analyse/").url
    page = client.get(url).content.decode()
    assert "Waiting to start" in page and "See the pupils flagged" not in page
    assert client.get("/progress/").status_code == 404


def test_it_hides_another_schools_analysis(client, world):
    client.force_login(world.a.senco)
    url = client.post("/progress/analyse/").url
    client.force_login(world.b.senco)
    assert client.get(url).status_code == 404


def test_it_marks_an_interrupted_run_failed_and_runs_again(world):
    from tandem.progress.services import analysis_request

    job = analysis_request(actor=None, school_id=world.a.school.pk)
    cut_off = AnalysisRun.objects.create(school=world.a.school, settings={}, engine_version="1.0")
    Job.objects.filter(pk=job.pk).update(result={"run_id": cut_off.pk}, status=JobStatus.RUNNING)
    job_run(job_id=job.pk)
    cut_off.refresh_from_db()
    job.refresh_from_db()
    assert cut_off.status == RunStatus.FAILED
    assert job.result["run_id"] != cut_off.pk and job.status == JobStatus.DONE
    assert AnalysisRun.objects.filter(school=world.a.school, status=RunStatus.DONE).count() == 1
    assert dt.timedelta(0) <= timezone.now() - job.finished_at < dt.timedelta(minutes=1)
