"""What each email says: counts from the To do list and the compliance reads, a link, never a pupil."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.notifications.models import EmailKind, EmailPreferences
from tandem.notifications.selectors import overdue_counts, reminder_days, week_key, weekly_due
from tandem.notifications.services import Email, school_emails_build
from tandem.plans.selectors import compliance_view
from tests import factories as f

pytestmark = pytest.mark.django_db


def _monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


def _tuesday() -> dt.date:
    return _monday() + dt.timedelta(days=1)


def _to(emails: list[Email], user: object, kind: EmailKind) -> list[Email]:
    return [e for e in emails if e.user == user and e.kind == kind]


def _assert_no_pupil_in(email: Email, *pupils: object) -> None:
    for pupil in pupils:
        for name in (pupil.legal_forename, pupil.legal_surname, pupil.display_name):  # type: ignore[attr-defined]
            assert name not in email.subject and name not in email.body


def test_it_counts_the_teachers_to_do_list_in_the_weekly_digest(world):
    today = timezone.localdate()
    f.make_first_response(world.a.taught_pupil, review_on=today + dt.timedelta(days=3))
    plan = f.make_plan(world.a.ehc_pupil, review_on=today + dt.timedelta(days=10))
    f.make_target(plan=plan)
    f.make_target(plan=plan)
    emails = school_emails_build(school=world.a.school, on=_monday())
    (digest,) = _to(emails, world.a.teacher, EmailKind.DIGEST)
    assert "- First responses to review: 1\n" in digest.body
    assert "- Support plan reviews due: 1\n" in digest.body
    assert "- Targets overdue or ending soon: 2\n" in digest.body
    assert digest.subject == "Tandem: 4 things on your To do list at School A"
    assert "http://127.0.0.1:8000/to-do/" in digest.body
    assert digest.period == week_key(_monday())
    _assert_no_pupil_in(digest, world.a.taught_pupil, world.a.ehc_pupil)


def test_it_sends_no_digest_to_someone_with_nothing_to_do(world):
    emails = school_emails_build(school=world.a.school, on=_monday())
    assert _to(emails, world.a.ta, EmailKind.DIGEST) == []
    assert _to(emails, world.a.teacher, EmailKind.DIGEST) == []


def test_it_sends_the_weekly_emails_only_on_mondays(world):
    f.make_first_response(world.a.taught_pupil, review_on=timezone.localdate())
    assert _to(school_emails_build(school=world.a.school, on=_monday()), world.a.teacher, EmailKind.DIGEST)
    assert not _to(
        school_emails_build(school=world.a.school, on=_tuesday()), world.a.teacher, EmailKind.DIGEST
    )
    assert weekly_due(dt.date(2026, 12, 7)) and not weekly_due(dt.date(2026, 12, 8))
    assert week_key(dt.date(2026, 12, 7)) == week_key(dt.date(2026, 12, 13)) == "2026-W50"


def test_it_reminds_7_days_and_1_day_before_a_review_or_meeting_falls_due(world):
    on = _tuesday()
    f.make_plan(
        world.a.taught_pupil, starts_on=on - dt.timedelta(days=30), review_on=on + dt.timedelta(days=7)
    )
    f.make_plan(world.a.ehc_pupil, starts_on=on - dt.timedelta(days=30), review_on=on + dt.timedelta(days=3))
    f.make_meeting(
        world.a.ehc_pupil, held_on=on - dt.timedelta(days=60), next_meeting_on=on + dt.timedelta(days=1)
    )
    emails = school_emails_build(school=world.a.school, on=on)

    (teacher,) = _to(emails, world.a.teacher, EmailKind.REMINDERS)
    assert "- Support plan reviews due in 7 days: 1\n" in teacher.body
    assert "- Meetings with parents due tomorrow: 1\n" in teacher.body
    assert "in 3 days" not in teacher.body
    assert "coming up that you are responsible for at School A:" in teacher.body and "/to-do/" in teacher.body
    (senco,) = _to(emails, world.a.senco, EmailKind.REMINDERS)
    assert "coming up at School A:" in senco.body and "/compliance/" in senco.body
    assert senco.period == on.isoformat()
    assert not _to(emails, world.a.ta, EmailKind.REMINDERS)
    assert not [e for e in emails if e.school != world.a.school]
    for email in (teacher, senco):
        _assert_no_pupil_in(email, world.a.taught_pupil, world.a.ehc_pupil)


def test_it_reminds_on_the_days_the_settings_say(world, settings):
    settings.TANDEM_REMINDER_DAYS = [14]
    assert reminder_days() == (14,)
    on = _tuesday()
    f.make_plan(
        world.a.taught_pupil, starts_on=on - dt.timedelta(days=30), review_on=on + dt.timedelta(days=7)
    )
    assert not _to(school_emails_build(school=world.a.school, on=on), world.a.teacher, EmailKind.REMINDERS)
    f.make_plan(world.a.ehc_pupil, starts_on=on - dt.timedelta(days=30), review_on=on + dt.timedelta(days=14))
    (email,) = _to(school_emails_build(school=world.a.school, on=on), world.a.teacher, EmailKind.REMINDERS)
    assert "- Support plan reviews due in 14 days: 1\n" in email.body


def test_it_counts_overdue_work_as_the_compliance_page_does(world):
    today = timezone.localdate()
    f.make_first_response(
        world.a.taught_pupil, starts_on=today - dt.timedelta(days=40), review_on=today - dt.timedelta(days=2)
    )
    f.make_plan(
        world.a.ehc_pupil, starts_on=today - dt.timedelta(days=90), review_on=today - dt.timedelta(days=1)
    )
    f.make_meeting(
        world.a.taught_pupil,
        held_on=today - dt.timedelta(days=120),
        next_meeting_on=today - dt.timedelta(days=5),
    )
    f.make_first_response(world.a.untaught_pupil, outcome="refer", reviewed_on=today, review_on=today)
    senco = actor_for(world.a.senco)
    counts = overdue_counts(actor=senco, today=today)
    page = compliance_view(actor=senco)
    assert counts.first_responses == len(page.first_responses_overdue) == 1
    assert counts.reviews == len(page.reviews_overdue) == 1
    assert counts.meetings == len([d for _, d in page.meetings_due if d < today]) == 1
    assert counts.without_plan == len(page.without_plan)
    assert counts.awaiting_decision == len(page.referred_awaiting_decision)
    assert counts.total >= 3

    (summary,) = _to(
        school_emails_build(school=world.a.school, on=_monday()), world.a.senco, EmailKind.OVERDUE
    )
    assert "- Support plan reviews overdue: 1\n" in summary.body
    assert "/compliance/" in summary.body
    _assert_no_pupil_in(summary, world.a.taught_pupil, world.a.ehc_pupil, world.a.untaught_pupil)
    assert not _to(
        school_emails_build(school=world.a.school, on=_monday()), world.a.teacher, EmailKind.OVERDUE
    )


def test_it_sends_only_the_emails_each_person_chose(world):
    on = _monday()
    f.make_first_response(world.a.taught_pupil, review_on=timezone.localdate())
    f.make_plan(world.a.ehc_pupil, starts_on=on - dt.timedelta(days=30), review_on=on + dt.timedelta(days=7))
    EmailPreferences.objects.create(user=world.a.teacher, digest=False)
    EmailPreferences.objects.create(user=world.a.senco, reminders=False)
    emails = school_emails_build(school=world.a.school, on=on)
    assert not _to(emails, world.a.teacher, EmailKind.DIGEST)
    assert _to(emails, world.a.teacher, EmailKind.REMINDERS)
    assert not _to(emails, world.a.senco, EmailKind.REMINDERS)
    assert _to(emails, world.a.senco, EmailKind.OVERDUE)


def test_it_sends_nothing_to_someone_who_has_left(world):
    f.make_first_response(world.a.taught_pupil, review_on=timezone.localdate())
    world.a.teacher.memberships.update(is_active=False)
    assert not [
        e for e in school_emails_build(school=world.a.school, on=_monday()) if e.user == world.a.teacher
    ]


def test_it_says_why_and_how_to_stop_at_the_foot_of_every_email(world):
    f.make_first_response(world.a.taught_pupil, review_on=timezone.localdate())
    (digest,) = _to(
        school_emails_build(school=world.a.school, on=_monday()), world.a.teacher, EmailKind.DIGEST
    )
    assert "because you teach or support pupils" in digest.body
    assert "Choose which emails you get: http://127.0.0.1:8000/accounts/emails/\n" in digest.body
    assert f"Stop this email: {digest.unsubscribe_url}\n" in digest.body
    message = digest.message()
    assert message.extra_headers["List-Unsubscribe"] == f"<{digest.unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
