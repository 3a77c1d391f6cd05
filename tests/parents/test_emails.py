"""Emails to parents go over SMTP to a real server on the loopback and say only that something is waiting at
the school, with the sign-in link: never the child's name, never what was shared or asked. A mail server
that refuses them loses nothing the member of staff saved."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from typing import Any

from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.parents.models import Sharing, ViewsRequest
from tandem.parents.services import parent_invite, record_share, views_request_create
from tests import factories as f
from tests.mail import SmtpServer, first_link

PASSWORD = "a long and unusual passphrase 47"
SHARED_TEXT = [
    "Kind to others and loves drawing.",
    "Finding the right words when speaking in class.",
    "Visual prompts and extra thinking time.",
    "Retell a short story in order",
    "A visual timetable helps.",
    "We agreed reading every evening.",
    "What does Kai enjoy most at home?",
]


def _senco(world: Any) -> Any:
    return actor_for(world.a.senco)


def test_it_emails_parents_that_something_waits_and_nothing_more(
    world, smtp_server: SmtpServer, django_capture_on_commit_callbacks
):
    pupil = world.a.taught_pupil
    world.a.parent.set_password(PASSWORD)
    world.a.parent.save()
    plan = f.make_plan(
        pupil,
        strengths=SHARED_TEXT[0],
        needs=SHARED_TEXT[1],
        strategies=SHARED_TEXT[2],
    )
    f.make_target(plan=plan, skill=SHARED_TEXT[3])
    passport = f.make_passport(pupil, what_helps=SHARED_TEXT[4])
    meeting = f.make_meeting(pupil, agreed_actions=SHARED_TEXT[5])
    senco = _senco(world)
    base = "http://school.example"
    with django_capture_on_commit_callbacks(execute=True):
        record_share(actor=senco, kind="plan", record_id=plan.pk, base_url=base)
        record_share(actor=senco, kind="passport", record_id=passport.pk, base_url=base)
        record_share(actor=senco, kind="meeting", record_id=meeting.pk, base_url=base)
        views_request_create(
            actor=senco,
            pupil_id=pupil.pk,
            purpose="Before the review of Kai's plan",
            reply_by=timezone.localdate() + dt.timedelta(days=7),
            questions=[SHARED_TEXT[6]],
            base_url=base,
        )
        # A new carer's invitation, and an email to a parent who can already sign in about a second child.
        parent_invite(
            actor=senco,
            pupil_id=pupil.pk,
            email="gran@test.example",
            full_name="Gran Carer",
            relationship="Grandmother",
            base_url=base,
        )
        parent_invite(
            actor=senco,
            pupil_id=world.a.ehc_pupil.pk,
            email=world.a.parent.email,
            full_name="",
            relationship="Mother",
            base_url=base,
        )
    waiting = [smtp_server.wait_for(world.a.parent.email, subject="waiting", count=n) for n in range(1, 6)]
    invitation = smtp_server.wait_for("gran@test.example", subject="invited to Tandem")
    for message in [*waiting, invitation]:
        text = f"{message.subject}\n{message.text}"
        for name in (pupil.legal_forename, pupil.legal_surname, world.a.ehc_pupil.legal_forename, "Ellis"):
            assert name not in text, f"{name!r} in {message.subject!r}"
        for shared in SHARED_TEXT:
            assert shared not in text
        assert "School A" in text
    for message in waiting:
        assert first_link(message) == f"{base}/accounts/login/"
    # Written for a family, not for staff: what Tandem is for them and whom to ask.
    assert "shares the support it plans for your child" in invitation.text
    assert "ask the school's SENCo" in invitation.text
    assert "keeps track of pupils" not in invitation.text
    assert len(smtp_server.messages) == 6


def test_it_keeps_the_share_when_the_mail_server_refuses(
    world, settings, caplog, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    world.a.parent.set_password(PASSWORD)
    world.a.parent.save()
    plan = f.make_plan(world.a.taught_pupil)
    with (
        caplog.at_level(logging.WARNING, logger="tandem.parents"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        record_share(actor=_senco(world), kind="plan", record_id=plan.pk)
        views_request_create(
            actor=_senco(world),
            pupil_id=world.a.taught_pupil.pk,
            purpose="Before the review",
            reply_by=timezone.localdate(),
            questions=["How is it going?"],
        )
    assert Sharing.objects.filter(record_id=plan.pk, stopped_at__isnull=True).exists()
    assert ViewsRequest.objects.count() == 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "tandem.parents"]
    assert warnings and all(world.a.parent.email not in line for line in warnings)
