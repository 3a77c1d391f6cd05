"""Writes for the emails: each person's choices, one-click unsubscribe, and sending a school's emails for a
day exactly once however often the job runs.

Every email carries counts and a link, never a pupil's name, need, SEN detail or health text: the counts
come from tandem.notifications.selectors and the text from fixed templates.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.accounts.actors import SignInActor
from tandem.audit.services import audit_record
from tandem.notifications.models import EmailKind, EmailPreferences, EmailSent
from tandem.notifications.selectors import (
    DigestCounts,
    OverdueCounts,
    ReminderCounts,
    digest_actors,
    digest_counts,
    overdue_actors,
    overdue_counts,
    reminders_due,
    staff_by_id,
    week_key,
    weekly_due,
)
from tandem.people.models import User
from tandem.schools.models import School

logger = logging.getLogger("tandem.notifications")

_SALT = "tandem.notifications.unsubscribe."


def _absolute(path: str) -> str:
    return settings.TANDEM_BASE_URL.rstrip("/") + path


# ---------------------------------------------------------------- preferences
@transaction.atomic
def email_preferences_update(
    *, actor: Actor, digest: bool, reminders: bool, overdue: bool
) -> EmailPreferences:
    """Save which emails the person gets (their own choices only: the actor is the person)."""
    preferences, _ = EmailPreferences.objects.select_for_update().get_or_create(user_id=actor.user_id)
    preferences.digest, preferences.reminders, preferences.overdue = digest, reminders, overdue
    preferences.save()
    audit_record(
        actor=actor,
        action="email_preferences.update",
        target_type="user",
        target_id=actor.user_id,
        fields=["digest", "reminders", "overdue"],
    )
    return preferences


# ---------------------------------------------------------------- one-click unsubscribe
class UnsubscribeRefused(Exception):
    """The link was altered or is not one Tandem made."""


def _signer(kind: str) -> signing.Signer:
    # A salt per kind: a link that stops the digest cannot be edited into one that stops the reminders.
    return signing.Signer(salt=_SALT + kind, sep=".")


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """A link token that stops one kind of email for one person. It does not expire: an old email's link
    still works, and all it can do is turn that email off."""
    return f"{EmailKind(kind).value}.{_signer(kind).sign(str(user_id))}"


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    return _absolute(
        reverse("email_unsubscribe", kwargs={"token": unsubscribe_token(user_id=user_id, kind=kind)})
    )


@dataclass(frozen=True)
class Unsubscribe:
    user: User
    kind: EmailKind


def unsubscribe_check(*, token: str) -> Unsubscribe:
    """Who and which email a link is for; UnsubscribeRefused if it was altered."""
    kind, _, signed = token.partition(".")
    if kind not in EmailKind.values:
        raise UnsubscribeRefused
    try:
        user_id = int(_signer(kind).unsign(signed))
    except (signing.BadSignature, ValueError) as error:
        raise UnsubscribeRefused from error
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise UnsubscribeRefused
    return Unsubscribe(user=user, kind=EmailKind(kind))


@transaction.atomic
def email_unsubscribe(*, token: str) -> Unsubscribe:
    """Turn off the email a link is for, without signing in. Doing it twice is harmless."""
    found = unsubscribe_check(token=token)
    preferences, _ = EmailPreferences.objects.select_for_update().get_or_create(user=found.user)
    if preferences.wants(found.kind):
        setattr(preferences, found.kind.value, False)
        preferences.save()
    audit_record(
        actor=SignInActor(user_id=found.user.pk),
        action="email_preferences.unsubscribe",
        target_type="user",
        target_id=found.user.pk,
        fields=[found.kind.value],
    )
    return found


# ---------------------------------------------------------------- building the emails
@dataclass(frozen=True)
class Email:
    """One email to one person: counts, a link, and the footer saying why they get it."""

    user: User
    school: School
    kind: EmailKind
    period: str
    subject: str
    body: str
    unsubscribe_url: str

    def message(self, connection: BaseEmailBackend | None = None) -> EmailMessage:
        return EmailMessage(
            subject=self.subject,
            body=self.body,
            to=[self.user.email],
            connection=connection,
            headers={
                # RFC 2369 and RFC 8058: mail programs show an Unsubscribe button that POSTs here.
                "List-Unsubscribe": f"<{self.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )


def _things(count: int) -> str:
    return "1 thing" if count == 1 else f"{count} things"


def _email(
    *,
    user: User,
    school: School,
    kind: EmailKind,
    period: str,
    subject: str,
    intro: str,
    lines: list[tuple[str, int]],
    link: str,
    link_label: str,
    reason: str,
) -> Email:
    unsubscribe = unsubscribe_url(user_id=user.pk, kind=kind)
    body = render_to_string(
        "notifications/email/message.txt",
        {
            "school": school.name,
            "intro": intro,
            "lines": lines,
            "link": _absolute(link),
            "link_label": link_label,
            "reason": reason,
            "kind_label": kind.label,
            "preferences_url": _absolute(reverse("email_preferences")),
            "unsubscribe_url": unsubscribe,
        },
    )
    return Email(
        user=user,
        school=school,
        kind=kind,
        period=period,
        subject=f"Tandem: {subject}",
        body=body,
        unsubscribe_url=unsubscribe,
    )


def digest_email(*, user: User, school: School, on: dt.date, counts: DigestCounts) -> Email | None:
    """The weekly To do digest; None when there is nothing to do."""
    if not counts.total:
        return None
    return _email(
        user=user,
        school=school,
        kind=EmailKind.DIGEST,
        period=week_key(on),
        subject=f"{_things(counts.total)} on your To do list at {school.name}",
        intro=f"This week your To do list at {school.name} has:",
        lines=counts.lines(),
        link=reverse("to_do"),
        link_label="See them on your To do list",
        reason="You get this each Monday because you teach or support pupils at the school.",
    )


def reminders_email(*, user: User, school: School, on: dt.date, counts: ReminderCounts) -> Email | None:
    if not counts.total:
        return None
    whose = "" if counts.whole_school else " that you are responsible for"
    return _email(
        user=user,
        school=school,
        kind=EmailKind.REMINDERS,
        period=on.isoformat(),
        subject=f"{counts.total} coming up at {school.name}",
        intro=f"Reviews and meetings with parents coming up{whose} at {school.name}:",
        lines=counts.lines(),
        link=reverse("compliance") if counts.whole_school else reverse("to_do"),
        link_label="See them in Tandem",
        reason=(
            "You get this because you are the SENCo."
            if counts.whole_school
            else "You get this because you lead these reviews or meetings."
        ),
    )


def overdue_email(*, user: User, school: School, on: dt.date, counts: OverdueCounts) -> Email | None:
    if not counts.total:
        return None
    return _email(
        user=user,
        school=school,
        kind=EmailKind.OVERDUE,
        period=week_key(on),
        subject=f"{_things(counts.total)} overdue or waiting at {school.name}",
        intro=f"What the compliance page shows as overdue or waiting at {school.name} this week:",
        lines=counts.lines(),
        link=reverse("compliance"),
        link_label="See the compliance page",
        reason="You get this each Monday because you are the SENCo.",
    )


def school_emails_build(*, school: School, on: dt.date) -> list[Email]:
    """Every email due for the school on this day: the reminders each day; on Mondays the digest and the
    SENCo's overdue summary too. Only to people who want them, and only when there is something in them."""
    emails: list[Email | None] = []
    due = reminders_due(school=school, today=on)
    people = staff_by_id(list(due))
    emails += [reminders_email(user=people[uid], school=school, on=on, counts=c) for uid, c in due.items()]
    if weekly_due(on):
        for actor in digest_actors(school=school):
            emails.append(
                digest_email(user=actor.user, school=school, on=on, counts=digest_counts(actor=actor))
            )
        for actor in overdue_actors(school=school):
            counts = overdue_counts(actor=actor, today=on)
            emails.append(overdue_email(user=actor.user, school=school, on=on, counts=counts))
    return [email for email in emails if email is not None]


# ---------------------------------------------------------------- sending, once
def _claim(email: Email) -> EmailSent | None:
    try:
        with transaction.atomic():
            return EmailSent.objects.create(
                user=email.user, school=email.school, kind=email.kind, period=email.period
            )
    except IntegrityError:
        return None  # sent already (this job ran before, or another worker is sending it)


@dataclass(frozen=True)
class Sending:
    sent: int
    already: int
    failed: int


def school_emails_send(
    *, school: School, on: dt.date, progress: Callable[[str, int, int], None] | None = None
) -> Sending:
    """Send the school's emails for the day. Each is claimed (a committed EmailSent row) before it goes,
    so a job run again skips what was sent: a worker killed between the claim and the send loses that one
    email rather than risk sending it twice. One the mail server refuses is unclaimed, for a later run."""
    emails = school_emails_build(school=school, on=on)
    sent = already = failed = 0
    if not emails:
        return Sending(sent=0, already=0, failed=0)
    with get_connection() as connection:
        for number, email in enumerate(emails, start=1):
            if progress is not None and number % 20 == 1:
                progress("Sending emails", number - 1, len(emails))
            claim = _claim(email)
            if claim is None:
                already += 1
                continue
            try:
                email.message(connection).send()
            except Exception as error:
                EmailSent.objects.filter(pk=claim.pk).delete()
                # Ids only: the error text can quote the address.
                logger.warning(
                    "%s email to user %s not sent (%s)", email.kind, email.user.pk, type(error).__name__
                )
                failed += 1
                continue
            EmailSent.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
            sent += 1
    with transaction.atomic():
        audit_record(
            actor=None,
            action="notifications.sent",
            target_type="school",
            target_id=school.pk,
            school_id=school.pk,
        )
    return Sending(sent=sent, already=already, failed=failed)
