"""The DPO records a subject access request (due one month later), builds its export in the background,
downloads it and marks it answered; `tandem sar export` does the same from the command line."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_run
from tandem.subject_access.models import RequestStatus, SubjectAccessRequest
from tests.once import with_form_token

pytestmark = pytest.mark.django_db


def _open(client, world, **overrides: object):
    data = {
        "upn": world.a.taught_pupil.upn,
        "requester": "The pupil's mother",
        "received_on": "2026-11-30",
        **overrides,
    }
    return client.post(reverse("subject_access_new"), with_form_token(data, world.a.dpo))


def test_it_records_a_request_due_one_calendar_month_after_it_arrived(client, world):
    client.force_login(world.a.dpo)

    response = _open(client, world)

    made = SubjectAccessRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "subject_access_detail", args=[made.pk]
    )
    assert (made.pupil, made.received_on, made.due_on) == (
        world.a.taught_pupil,
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 30),
    )
    assert AuditEvent.objects.filter(action="subject_access.open", target_id=str(made.pk)).exists()
    page = client.get(reverse("subject_access_list")).content.decode()
    assert world.a.taught_pupil.display_name in page and "30 Dec 2026" in page


def test_it_refuses_another_schools_pupil_and_a_future_date_with_nothing_saved(client, world):
    client.force_login(world.a.dpo)

    other = _open(client, world, upn=world.b.taught_pupil.upn)
    future = _open(client, world, received_on="2099-01-01")

    assert other.status_code == 400 and "No pupil with UPN" in other.content.decode()
    assert future.status_code == 400 and "cannot be in the future" in future.content.decode()
    assert not SubjectAccessRequest.objects.exists()


def test_it_builds_the_export_in_the_background_and_records_each_step(client, world):
    client.force_login(world.a.dpo)
    _open(client, world)
    made = SubjectAccessRequest.objects.get()

    client.post(reverse("subject_access_export", args=[made.pk]))
    client.post(reverse("subject_access_export", args=[made.pk]))  # a second click: the same job
    job = Job.objects.get(kind="subject_access_export")
    waiting = client.get(reverse("subject_access_detail", args=[made.pk])).content.decode()
    assert "Waiting for the background worker" in waiting

    job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.outcome
    response = client.get(reverse("subject_access_download", args=[made.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "subject-access.json" in names and "subject-access.pdf" in names
    actions = set(AuditEvent.objects.filter(target_id=str(made.pk)).values_list("action", flat=True))
    assert {"subject_access.open", "subject_access.export", "subject_access.download"} <= actions


def test_it_marks_a_request_answered(client, world):
    client.force_login(world.a.dpo)
    _open(client, world)
    made = SubjectAccessRequest.objects.get()
    url = reverse("subject_access_answer", args=[made.pk])

    client.post(url, with_form_token({"answered_on": "2026-12-03"}, world.a.dpo))

    made.refresh_from_db()
    assert (made.status, made.answered_on) == (RequestStatus.ANSWERED, dt.date(2026, 12, 3))


@pytest.mark.parametrize("persona", ["a_senco", "a_head", "a_teacher", "a_admin", "b_dpo"])
def test_it_keeps_requests_to_the_schools_dpo(client, world, persona):
    client.force_login(world.a.dpo)
    _open(client, world)
    made = SubjectAccessRequest.objects.get()
    client.force_login(world.persona(persona))

    assert client.get(reverse("subject_access_detail", args=[made.pk])).status_code == 404
    assert client.get(reverse("subject_access_download", args=[made.pk])).status_code == 404


def test_it_writes_the_export_from_the_command_line(client, world, tmp_path):
    client.force_login(world.a.dpo)
    _open(client, world)
    made = SubjectAccessRequest.objects.get()
    out = tmp_path / "export.zip"

    call_command("sar", "export", str(made.pk), "--out", str(out))

    assert "subject-access.pdf" in zipfile.ZipFile(out).namelist()
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CommandError, match="exists already"):
        call_command("sar", "export", str(made.pk), "--out", str(out))
    with pytest.raises(CommandError, match="No subject access request"):
        call_command(
            "sar", "export", "0d5f7c9e-0000-4000-8000-000000000000", "--out", str(tmp_path / "x.zip")
        )


def test_it_exports_a_staff_members_records_without_any_pupils_name(client, world):
    from tandem.access.actor import actor_for
    from tandem.audit.services import audit_record
    from tests import factories as f

    teacher = world.a.teacher
    audit_record(
        actor=actor_for(teacher),
        action="sen_record.view",
        target_type="pupil",
        target_id=world.a.taught_pupil.pk,
    )
    group = f.make_intervention_group(deliverer=teacher)
    f.make_placement(group=group, pupil=world.a.taught_pupil)
    pupil = world.a.taught_pupil
    f.make_session_log(
        group=group,
        note=f"{pupil.legal_forename} {pupil.legal_surname} read well; {pupil.legal_forename} smiled.",
    )
    client.force_login(world.a.dpo)

    response = client.post(
        reverse("subject_access_new"),
        with_form_token(
            {"staff_email": teacher.email, "requester": "The teacher", "received_on": "2026-12-01"},
            world.a.dpo,
        ),
    )

    made = SubjectAccessRequest.objects.get()
    assert response.status_code == 302 and made.staff == teacher and made.pupil is None
    from tandem.subject_access.services import export_build

    built = export_build(actor=None, request_id=made.pk)
    zipped = zipfile.ZipFile(io.BytesIO(bytes(built.export)))
    text = zipped.read("subject-access.json").decode()
    assert teacher.email in text and "sen_record.view" in text
    assert "password" not in text
    assert pupil.legal_surname not in text and pupil.legal_forename not in text
    assert "[another pupil] read well" in text


def test_it_needs_exactly_one_subject(client, world):
    client.force_login(world.a.dpo)
    both = client.post(
        reverse("subject_access_new"),
        with_form_token(
            {
                "upn": world.a.taught_pupil.upn,
                "staff_email": world.a.teacher.email,
                "requester": "x",
                "received_on": "2026-12-01",
            },
            world.a.dpo,
        ),
    )
    neither = client.post(
        reverse("subject_access_new"),
        with_form_token({"requester": "x", "received_on": "2026-12-01"}, world.a.dpo),
    )
    elsewhere = client.post(
        reverse("subject_access_new"),
        with_form_token(
            {"staff_email": world.b.teacher.email, "requester": "x", "received_on": "2026-12-01"}, world.a.dpo
        ),
    )

    assert both.status_code == neither.status_code == elsewhere.status_code == 400
    assert "one of them" in both.content.decode() and "one of them" in neither.content.decode()
    assert "Nobody with the address" in elsewhere.content.decode()
    assert not SubjectAccessRequest.objects.exists()
