"""Acceptance 4: every email the demo trust would get, sent through a real SMTP server on the loopback,
and not one pupil's name in any subject or body."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.demo.loader import load_demo
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_run
from tandem.notifications.jobs import school_emails_enqueue
from tandem.notifications.models import EmailKind, EmailSent
from tandem.people.models import Pupil
from tandem.schools.models import School
from tests.conftest import find_names

pytestmark = pytest.mark.django_db


def test_it_sends_the_demo_trusts_emails_without_a_pupils_name(smtp_server):
    today = timezone.localdate()
    load_demo(seed=13, as_of=today, schools=2, pupils_per_school=120)
    monday = today - dt.timedelta(days=today.weekday())
    # A Monday (every kind of email) and the days the reminders fall on through the week.
    for day in [monday + dt.timedelta(days=n) for n in range(7)]:
        for school in School.objects.order_by("pk"):
            job = school_emails_enqueue(school, on=day)
            assert job is not None
            job_run(job_id=job.pk)
    assert set(Job.objects.filter(kind="school_emails").values_list("status", flat=True)) == {JobStatus.DONE}

    messages = smtp_server.messages
    assert len(messages) == EmailSent.objects.filter(sent_at__isnull=False).count()
    kinds = set(EmailSent.objects.values_list("kind", flat=True))
    assert {EmailKind.DIGEST, EmailKind.OVERDUE} <= kinds, kinds
    assert len(messages) >= 10

    names: set[str] = set()
    for legal, preferred, surname in Pupil.objects.values_list(
        "legal_forename", "preferred_forename", "legal_surname"
    ):
        names.update(name for name in (legal, preferred, surname) if name)
    assert len(names) > 50
    texts = [m.subject for m in messages] + [m.text for m in messages]
    assert find_names(texts, names) == []
    # ...in any case.
    assert find_names([text.lower() for text in texts], {name.lower() for name in names}) == []
