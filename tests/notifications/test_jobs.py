"""The morning emails as a job per school: queued once a day from 7 am, each email sent once however often
the job runs, through a real SMTP server on the loopback."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from tandem.jobs.models import Job, JobStatus
from tandem.jobs.schedule import DAILY, schedule_due
from tandem.jobs.services import job_run
from tandem.notifications.jobs import SCHOOL_EMAILS_JOB, school_emails_enqueue
from tandem.notifications.models import EmailKind, EmailSent
from tests import factories as f

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


def test_it_queues_one_job_per_school_each_morning_from_7_am(world):
    assert DAILY["school_emails"].hour == 7
    jobs = Job.objects.filter(kind=SCHOOL_EMAILS_JOB)
    schedule_due(now=dt.datetime(2026, 12, 8, 6, 55, tzinfo=LONDON))
    assert not jobs.exists()
    schedule_due(now=dt.datetime(2026, 12, 8, 7, 5, tzinfo=LONDON))
    assert set(jobs.values_list("school_id", flat=True)) >= {world.a.school.pk, world.b.school.pk}
    queued = jobs.count()
    schedule_due(now=dt.datetime(2026, 12, 8, 16, 0, tzinfo=LONDON))
    assert jobs.count() == queued  # later the same day: already queued
    # Summer time: 06:30 UTC in July is 07:30 in London.
    schedule_due(now=dt.datetime(2026, 7, 1, 5, 30, tzinfo=dt.UTC))
    assert jobs.count() == queued
    schedule_due(now=dt.datetime(2026, 7, 1, 6, 30, tzinfo=dt.UTC))
    assert jobs.count() > queued


def test_it_sends_each_email_once_when_the_job_runs_twice(world, smtp_server):
    monday = _monday()
    f.make_first_response(world.a.taught_pupil, review_on=timezone.localdate())
    f.make_plan(
        world.a.ehc_pupil, starts_on=monday - dt.timedelta(days=30), review_on=monday + dt.timedelta(days=7)
    )

    first = school_emails_enqueue(world.a.school, on=monday)
    assert first is not None and first.arguments == {"on": monday.isoformat()}
    job_run(job_id=first.pk)
    first.refresh_from_db()
    assert first.status == JobStatus.DONE, first.outcome
    digest = smtp_server.wait_for(world.a.teacher.email, subject="on your To do list")
    assert "First responses to review: 1" in digest.text
    smtp_server.wait_for(world.a.teacher.email, subject="coming up")
    smtp_server.wait_for(world.a.senco.email, subject="coming up")
    sent = len(smtp_server.messages)
    assert first.outcome == f"Sent {sent} emails."
    assert EmailSent.objects.filter(sent_at__isnull=False).count() == sent

    # The same day's job again (a retry after its worker died, or queued twice): nothing more is sent.
    again = school_emails_enqueue(world.a.school, on=monday)
    assert again is not None
    job_run(job_id=again.pk)
    again.refresh_from_db()
    assert again.status == JobStatus.DONE
    assert again.outcome == f"Sent 0 emails. {sent} had been sent already."
    assert len(smtp_server.messages) == sent
    assert EmailSent.objects.filter(user=world.a.teacher, kind=EmailKind.DIGEST).count() == 1


def test_it_gives_an_email_the_mail_server_refused_another_chance(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: the server is down
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    f.make_first_response(world.a.taught_pupil, review_on=timezone.localdate())
    job = school_emails_enqueue(world.a.school, on=_monday())
    assert job is not None
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not EmailSent.objects.exists()  # nothing recorded as sent, so the next run sends it
