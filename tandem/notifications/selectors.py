"""Reads for the emails: who gets which, and the counts each one carries (never a pupil, only numbers).

The counts come from the same reads as the pages they link to: the digest from the To do list
(tandem.plans.selectors.to_do), the SENCo's summary from what the compliance page counts as overdue.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery

from tandem.access.actor import Actor, actor_for
from tandem.notifications.models import EmailKind, EmailPreferences
from tandem.people.models import Membership, Pupil, Role, User
from tandem.plans.models import ParentMeeting, SupportPlan
from tandem.plans.selectors import compliance_queries
from tandem.plans.to_do import to_do
from tandem.schools.models import School

#: The weekly emails (digest, SENCo summary) go with Monday's run; datetime.weekday() numbering.
WEEKLY_ON = 0
DEFAULT_REMINDER_DAYS = (7, 1)
#: Who gets the weekly digest.
DIGEST_ROLES = (Role.TEACHER, Role.TEACHING_ASSISTANT)


def reminder_days() -> tuple[int, ...]:
    """How many days before a review or meeting falls due the reminders go: settings.TANDEM_REMINDER_DAYS,
    else the environment variable of that name ("7,1"), else 7 and 1."""
    configured = getattr(settings, "TANDEM_REMINDER_DAYS", None)
    if configured is None:
        raw = os.environ.get("TANDEM_REMINDER_DAYS", "")
        configured = [part for part in raw.split(",") if part.strip()] or DEFAULT_REMINDER_DAYS
    return tuple(sorted({int(days) for days in configured if int(days) >= 0}, reverse=True))


def weekly_due(on: dt.date) -> bool:
    return on.weekday() == WEEKLY_ON


def week_key(on: dt.date) -> str:
    year, week, _ = on.isocalendar()
    return f"{year}-W{week:02d}"


def email_preferences_of(user: User) -> EmailPreferences:
    """The person's choices; everything on (unsaved) when they have never changed them."""
    found = EmailPreferences.objects.filter(user=user).first()
    return found if found is not None else EmailPreferences(user=user)


def wanted_by(users: list[User], kind: str) -> list[User]:
    """Those of `users` who want emails of this kind."""
    said_no = set(
        EmailPreferences.objects.filter(user__in=users, **{EmailKind(kind).value: False}).values_list(
            "user_id", flat=True
        )
    )
    return [user for user in users if user.pk not in said_no]


def kinds_for_roles(roles: set[str]) -> list[EmailKind]:
    """The emails a person in these roles can get (the preferences page offers only these)."""
    kinds = []
    if roles & set(DIGEST_ROLES):
        kinds.append(EmailKind.DIGEST)
    if roles & {Role.TEACHER, Role.SENCO}:
        kinds.append(EmailKind.REMINDERS)
    if Role.SENCO in roles:
        kinds.append(EmailKind.OVERDUE)
    return kinds


def _members(school: School, roles: tuple[str, ...]) -> list[Membership]:
    return list(
        Membership.objects.filter(school=school, role__in=roles, is_active=True, user__is_active=True)
        .select_related("user", "school", "trust")
        .order_by("user_id", "pk")
    )


def _actor(membership: Membership) -> Actor | None:
    actor = actor_for(membership.user, membership.pk)
    return actor if actor is not None and actor.membership.pk == membership.pk else None


# ---------------------------------------------------------------- weekly To do digest
@dataclass(frozen=True)
class DigestCounts:
    first_responses: int = 0
    reviews: int = 0
    targets: int = 0
    logs: int = 0
    passports: int = 0
    concerns: int = 0

    @property
    def total(self) -> int:
        return self.first_responses + self.reviews + self.targets + self.logs + self.passports + self.concerns

    def lines(self) -> list[tuple[str, int]]:
        rows = [
            ("First responses to review", self.first_responses),
            ("Support plan reviews due", self.reviews),
            ("Targets overdue or ending soon", self.targets),
            ("Intervention session logs to acknowledge", self.logs),
            ("Pupil passports to read", self.passports),
            ("Concerns waiting for a next step", self.concerns),
        ]
        return [(label, count) for label, count in rows if count]


def digest_counts(*, actor: Actor) -> DigestCounts:
    """The To do list, counted."""
    items = to_do(actor=actor)
    return DigestCounts(
        first_responses=len(items.first_responses_due),
        reviews=len(items.reviews_due),
        targets=len(items.targets_overdue) + len(items.targets_ending),
        logs=len(items.logs_to_acknowledge),
        passports=len(items.passports_unread),
        concerns=len(items.concerns_waiting),
    )


def digest_actors(*, school: School) -> list[Actor]:
    """Each teacher and TA at the school once, acting as a teacher if they are one (the fuller list)."""
    chosen: dict[int, Membership] = {}
    for membership in _members(school, DIGEST_ROLES):
        if membership.user_id not in chosen or membership.role == Role.TEACHER:
            chosen[membership.user_id] = membership
    wanted = {user.pk for user in wanted_by([m.user for m in chosen.values()], EmailKind.DIGEST)}
    actors = [_actor(m) for m in chosen.values() if m.user_id in wanted]
    return [actor for actor in actors if actor is not None]


# ---------------------------------------------------------------- reminders before things fall due
@dataclass
class ReminderCounts:
    """Reviews and meetings falling due in exactly N days, by N. For a SENCo, the whole school's."""

    whole_school: bool = False
    reviews: dict[int, int] = field(default_factory=dict)
    meetings: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.reviews.values()) + sum(self.meetings.values())

    def lines(self) -> list[tuple[str, int]]:
        rows = []
        for days in sorted(set(self.reviews) | set(self.meetings)):
            when = _in_days(days)
            if self.reviews.get(days):
                rows.append((f"Support plan reviews due {when}", self.reviews[days]))
            if self.meetings.get(days):
                rows.append((f"Meetings with parents due {when}", self.meetings[days]))
        return rows


def _in_days(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def _latest_meetings(school: School) -> list[tuple[int, dt.date]]:
    """(who led it, the next meeting date it set) from each pupil's latest meeting with parents."""
    latest = ParentMeeting.objects.filter(pupil_id=OuterRef("pk"), withdrawn_at__isnull=True).order_by(
        "-held_on", "-created_at"
    )
    rows = (
        Pupil.objects.filter(school=school, left_on__isnull=True)
        .annotate(
            next_on=Subquery(latest.values("next_meeting_on")[:1]),
            leader=Subquery(latest.values("led_by_id")[:1]),
        )
        .filter(next_on__isnull=False)
        .values_list("leader", "next_on")
    )
    return list(rows)


def reminders_due(
    *, school: School, today: dt.date, days: tuple[int, ...] | None = None
) -> dict[int, ReminderCounts]:
    """By user id: the support plan reviews (to the accountable teacher) and meetings with parents (to
    whoever led the last one) falling due in exactly one of `days` days, and every one of them to each
    SENCo. Only people who still work at the school and want reminders are included."""
    days = days if days is not None else reminder_days()
    on_days = {today + dt.timedelta(days=n): n for n in days}
    reviews = SupportPlan.objects.filter(
        school=school,
        reviewed_on__isnull=True,
        review_on__in=list(on_days),
        pupil__left_on__isnull=True,
        withdrawn_at__isnull=True,
    ).values_list("accountable_teacher_id", "review_on")
    meetings = [(leader, on) for leader, on in _latest_meetings(school) if on in on_days]

    counts: dict[int, ReminderCounts] = defaultdict(ReminderCounts)
    school_counts = ReminderCounts(whole_school=True)
    for user_id, on in reviews:
        n = on_days[on]
        counts[user_id].reviews[n] = counts[user_id].reviews.get(n, 0) + 1
        school_counts.reviews[n] = school_counts.reviews.get(n, 0) + 1
    for user_id, on in meetings:
        n = on_days[on]
        counts[user_id].meetings[n] = counts[user_id].meetings.get(n, 0) + 1
        school_counts.meetings[n] = school_counts.meetings.get(n, 0) + 1

    staff = {m.user_id: m.user for m in _members(school, (Role.TEACHER, Role.SENCO))}
    sencos = {m.user_id for m in _members(school, (Role.SENCO,))}
    result: dict[int, ReminderCounts] = {}
    if school_counts.total:
        for user_id in sencos:
            result[user_id] = school_counts
    for user_id, own in counts.items():
        if user_id in staff and user_id not in result:
            result[user_id] = own
    wanted = {u.pk for u in wanted_by([staff[user_id] for user_id in result], EmailKind.REMINDERS)}
    return {user_id: c for user_id, c in result.items() if user_id in wanted}


def staff_by_id(user_ids: list[int]) -> dict[int, User]:
    return {user.pk: user for user in User.objects.filter(pk__in=user_ids)}


# ---------------------------------------------------------------- the SENCo's overdue summary
@dataclass(frozen=True)
class OverdueCounts:
    first_responses: int = 0
    reviews: int = 0
    meetings: int = 0
    without_plan: int = 0
    awaiting_decision: int = 0

    @property
    def total(self) -> int:
        return (
            self.first_responses + self.reviews + self.meetings + self.without_plan + self.awaiting_decision
        )

    def lines(self) -> list[tuple[str, int]]:
        rows = [
            ("First responses overdue for review", self.first_responses),
            ("Support plan reviews overdue", self.reviews),
            ("Meetings with parents overdue", self.meetings),
            ("Pupils on SEN support without a support plan", self.without_plan),
            ("Pupils referred by a first response, awaiting an SEN support decision", self.awaiting_decision),
        ]
        return [(label, count) for label, count in rows if count]


def overdue_counts(*, actor: Actor, today: dt.date) -> OverdueCounts:
    """What the compliance page (tandem.plans.selectors.compliance_view) shows as overdue or waiting,
    counted the same way, without the pupils behind each count and without auditing a page view."""
    q = compliance_queries(actor=actor)
    return OverdueCounts(
        first_responses=q.responses.filter(outcome="", review_on__lt=today).count(),
        reviews=q.plans.filter(reviewed_on__isnull=True, review_on__lt=today).count(),
        meetings=q.meetings_due(by=today, including=False).count(),
        without_plan=q.k_pupils.exclude(Exists(q.open_plan)).count(),
        awaiting_decision=q.awaiting_decision().count(),
    )


def overdue_actors(*, school: School) -> list[Actor]:
    """Each SENCo at the school who wants the weekly overdue summary."""
    memberships = list({m.user_id: m for m in reversed(_members(school, (Role.SENCO,)))}.values())
    wanted = {user.pk for user in wanted_by([m.user for m in memberships], EmailKind.OVERDUE)}
    actors = [_actor(m) for m in memberships if m.user_id in wanted]
    return [actor for actor in actors if actor is not None]
