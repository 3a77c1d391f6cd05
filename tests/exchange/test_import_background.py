"""Large imports are applied by a background worker; the page shows how far they have got, and a worker
killed part-way leaves nothing written and the import applied exactly once by the next."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.access.actor import actor_for
from tandem.exchange import background
from tandem.exchange.models import ImportStatus
from tandem.exchange.services import import_upload
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_run
from tandem.people.models import Pupil
from tests import factories as f
from tests.jobs.workers import kill, run_worker_batch, start_worker, wait_for

HEADER = "UPN,Adno,Legal Surname,Legal Forename,DOB,Gender,Year\n"


def _roll(rows: int) -> bytes:
    lines = "".join(
        f"{f.valid_upn(n % 1000, la='825', estab=f'{n // 1000:04d}')},{n:05d},Bgtest{n},Ada,14/03/2016,F,4\n"
        for n in range(rows)
    )
    return (HEADER + lines).encode()


def _school_and_admin():
    """A school of its own: these tests commit, so the shared personas are not used."""
    school = f.make_school(name="Background School")
    admin = f.make_user(email="admin@bg.example", full_name="Bg Admin")
    f.make_membership(user=admin, role="school_admin", school=school)
    return school, admin


@pytest.mark.django_db(transaction=True)
def test_it_applies_a_large_import_in_a_worker_process_and_records_it(client, settings):
    settings.TANDEM_IMPORT_BACKGROUND_ROWS = 100
    school, admin = _school_and_admin()
    record = import_upload(actor=actor_for(admin), kind="pupils", file_name="roll.csv", data=_roll(1200))
    client.force_login(admin)
    response = client.post(reverse("import_apply", args=[record.pk]))
    assert response.status_code == 302
    assert background.import_progress(record.pk) == ("waiting", 0, 0)
    page = client.get(reverse("import_detail", args=[record.pk])).content.decode()
    assert "Waiting for the background worker" in page and "poll.js" in page

    run_worker_batch()

    record.refresh_from_db()
    assert (record.status, record.created) == (ImportStatus.APPLIED, 1200)
    assert Pupil.objects.filter(school=school, legal_surname__startswith="Bgtest").count() == 1200
    assert background.import_progress(record.pk) is None
    job = background.import_job(record.pk)
    assert job is not None and job.status == JobStatus.DONE
    assert job.outcome == "Imported: 1,200 added, 0 changed, 0 already up to date."
    page = client.get(reverse("import_detail", args=[record.pk]))
    assert b"1200 added" in page.content


def test_it_sends_a_refused_background_apply_back_to_the_preview_with_the_reason(world, client, settings):
    settings.TANDEM_IMPORT_BACKGROUND_ROWS = 1
    admin = world.a.admin
    bad = _roll(3).replace(b"14/03/2016", b"31/02/2016", 1)
    record = import_upload(actor=actor_for(admin), kind="pupils", file_name="roll.csv", data=bad)
    client.force_login(admin)
    client.post(reverse("import_apply", args=[record.pk]))
    job = background.import_job(record.pk)
    assert job is not None
    job_run(job_id=job.pk)
    record.refresh_from_db()
    job.refresh_from_db()
    assert record.status == ImportStatus.PREVIEWED and "1 row has errors" in record.failure
    assert job.status == JobStatus.FAILED and "1 row has errors" in job.outcome
    assert not Pupil.objects.filter(legal_surname__startswith="Bgtest").exists()
    page = client.get(reverse("import_detail", args=[record.pk]))
    assert b"The last try to apply it was refused" in page.content


def test_it_shows_progress_while_applying_and_offers_an_apply_whose_job_ended_again(world, client):
    admin = world.a.admin
    record = import_upload(actor=actor_for(admin), kind="pupils", file_name="roll.csv", data=_roll(2))
    job = background.import_apply_in_background(
        actor=actor_for(admin), record_id=record.pk, skip_errors=False
    )
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, stage="writing", done=500, total=2000)
    client.force_login(admin)
    page = client.get(reverse("import_detail", args=[record.pk])).content.decode()
    assert '<progress max="2000" value="500"' in page and "Writing: 500 of 2000 records written" in page
    assert "poll.js" in page and "Apply this import" not in page
    # Its job ended without applying it: nothing was written, and it can be applied again.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    page = client.get(reverse("import_detail", args=[record.pk])).content.decode()
    assert "Applying was interrupted" in page and "Apply this import" in page
    again = background.import_apply_in_background(
        actor=actor_for(admin), record_id=record.pk, skip_errors=False
    )
    assert again.pk != job.pk


def test_it_refuses_to_queue_an_import_twice(world):
    admin = actor_for(world.a.admin)
    record = import_upload(actor=admin, kind="pupils", file_name="roll.csv", data=_roll(2))
    background.import_apply_in_background(actor=admin, record_id=record.pk, skip_errors=False)
    with pytest.raises(Exception, match="already being applied"):
        background.import_apply_in_background(actor=admin, record_id=record.pk, skip_errors=False)
    assert Job.objects.filter(kind=background.IMPORT_JOB).count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_applies_an_import_exactly_once_after_its_worker_is_killed_while_writing():
    school, admin = _school_and_admin()
    record = import_upload(actor=actor_for(admin), kind="pupils", file_name="roll.csv", data=_roll(20_000))
    job = background.import_apply_in_background(
        actor=actor_for(admin), record_id=record.pk, skip_errors=False
    )
    worker = start_worker()
    try:
        # Killed inside the transaction that writes the rows (its stage is set just before it opens).
        wait_for(lambda: Job.objects.get(pk=job.pk).stage == "writing", what="the import to start writing")
        kill(worker)
    finally:
        if worker.poll() is None:
            kill(worker)
    record.refresh_from_db()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING, "the worker finished before it was killed: nothing was tested"
    assert record.status == ImportStatus.APPLYING
    assert not Pupil.objects.filter(school=school).exists()  # nothing half-written

    run_worker_batch()  # a new worker finds the dead one's job and runs it again

    record.refresh_from_db()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert (record.status, record.created) == (ImportStatus.APPLIED, 20_000)
    # The same rows as an uninterrupted import: every pupil of the file, once.
    surnames = list(Pupil.objects.filter(school=school).values_list("legal_surname", flat=True))
    assert sorted(surnames) == sorted(f"Bgtest{n}" for n in range(20_000))
