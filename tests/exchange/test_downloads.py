"""Large downloads are prepared by the background worker and kept for the person who asked, for a day."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent, AuditSeal
from tandem.exchange.downloads import (
    download_prepare,
    download_request,
    prepared_downloads_prune,
)
from tandem.exchange.models import PreparedDownload
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_run
from tests import factories as f
from tests.jobs.workers import run_worker_batch


def _marks(school, pupils: int) -> None:
    window = f.make_window(school=school, start_year=2024, term="autumn")
    for i in range(pupils):
        pupil = f.make_pupil(school=school, forename="Ada", surname=f"Download{i}")
        for subject in ("reading", "maths"):
            f.make_assessment(
                pupil=pupil, window=window, assessed_on=dt.date(2024, 11, 10), points=90 + i, subject=subject
            )


def test_it_offers_to_prepare_a_large_marks_file_instead_of_making_it_in_the_request(client, world, settings):
    settings.TANDEM_DOWNLOAD_BACKGROUND_ROWS = 3
    _marks(world.a.school, 2)
    client.force_login(world.a.senco)
    page = client.get(reverse("export_marks") + "?format=xlsx").content.decode()
    assert "This file has 4 rows" in page and "Prepare the Excel file" in page
    assert 'name="format" value="xlsx"' in page
    assert not AuditEvent.objects.filter(action="export.marks").exists()  # nothing read yet

    settings.TANDEM_DOWNLOAD_BACKGROUND_ROWS = 4  # at the limit: made at once, as before
    response = client.get(reverse("export_marks"))
    assert response["Content-Disposition"].startswith('attachment; filename="marks-')


@pytest.mark.django_db(transaction=True)
def test_it_prepares_the_file_in_a_worker_process_for_the_asker_alone(client, settings):
    settings.TANDEM_DOWNLOAD_BACKGROUND_ROWS = 10
    school = f.make_school(name="Download School")
    senco = f.make_user(email="senco@download.example", full_name="Download Senco")
    head = f.make_user(email="head@download.example", full_name="Download Head")
    f.make_membership(user=senco, role="senco", school=school)
    f.make_membership(user=head, role="head", school=school)
    _marks(school, 30)
    client.force_login(senco)

    response = client.post(reverse("export_prepare", args=["marks"]), {"format": "xlsx"})
    job = Job.objects.get(kind="download")
    assert response["Location"] == reverse("export_job", args=[job.pk])
    again = client.post(reverse("export_prepare", args=["marks"]), {"format": "xlsx"})
    assert again["Location"] == response["Location"] and Job.objects.filter(kind="download").count() == 1
    waiting = client.get(response["Location"]).content.decode()
    assert "Waiting for the background worker" in waiting and 'aria-live="polite"' in waiting

    run_worker_batch()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.outcome == "Your file is ready: 60 rows."
    # The worker seals the audit trail as it starts (and at every heartbeat): the request is in the chain.
    queued = AuditEvent.objects.get(action="job.queued", target_id=str(job.pk))
    assert AuditSeal.objects.filter(event_id=queued.pk).exists()
    ready = client.get(response["Location"]).content.decode()
    prepared = PreparedDownload.objects.get(job=job)
    assert f"Download {prepared.file_name}" in ready and prepared.file_name.endswith(".xlsx")
    file = client.get(reverse("export_job_file", args=[job.pk]))
    assert file["Content-Disposition"] == f'attachment; filename="{prepared.file_name}"'
    assert file["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(file.content)).active
    assert sheet.max_row == 61 and sheet["A1"].value == "UPN"
    # Built with the asker's rights and recorded as theirs, and the fetch recorded too.
    built = AuditEvent.objects.get(action="export.marks")
    assert built.actor_id == senco.pk
    assert AuditEvent.objects.filter(action="export.fetch", actor_id=senco.pk).count() == 1

    client.force_login(head)  # a colleague who could make the same list sees neither page nor file
    assert client.get(response["Location"]).status_code == 404
    assert client.get(reverse("export_job_file", args=[job.pk])).status_code == 404


def test_it_makes_one_file_per_job_even_when_run_again(world):
    _marks(world.a.school, 3)
    actor = actor_for(world.a.senco)
    job = download_request(actor=actor, what="marks", file_format="csv")
    first = download_prepare(actor=actor, job=job)
    assert download_prepare(actor=actor, job=job).pk == first.pk
    assert PreparedDownload.objects.count() == 1
    assert bytes(first.content).decode("utf-8-sig").count("\n") == 7  # header and 6 marks


def test_it_refuses_a_list_the_asker_may_not_download(world):
    job = Job.objects.create(
        kind="download",
        school=world.a.school,
        requested_by=world.a.admin,
        membership=world.a.admin.memberships.get(),
        arguments={"what": "marks", "format": "csv"},
    )
    job_run(job_id=job.pk)  # the school admin sees no marks
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.outcome == "You cannot download that list."
    assert not PreparedDownload.objects.exists()


def test_it_says_when_a_file_has_expired_and_the_nightly_clean_up_deletes_it(client, world):
    _marks(world.a.school, 1)
    actor = actor_for(world.a.senco)
    job = download_request(actor=actor, what="pupils", file_format="csv")
    job_run(job_id=job.pk)
    PreparedDownload.objects.filter(job=job).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(world.a.senco)
    page = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert "This file has expired" in page
    assert client.get(reverse("export_job_file", args=[job.pk])).status_code == 404

    assert prepared_downloads_prune() == 1
    assert not PreparedDownload.objects.exists()


def test_it_says_when_no_worker_is_there_to_prepare_the_file(client, world):
    from tandem.jobs.services import worker_beat

    job = download_request(actor=actor_for(world.a.senco), what="pupils", file_format="csv")
    client.force_login(world.a.senco)
    page = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert "No background worker has been seen in the last two minutes" in page
    worker_beat(worker_id="w1", started_at=timezone.now())
    page = client.get(reverse("export_job", args=[job.pk])).content.decode()
    assert "Waiting for the background worker" in page and "No background worker" not in page
