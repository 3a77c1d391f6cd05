"""Reading the audit trail: for the data protection officer, the head and the SENCo, within their school or
trust, filtered by person, pupil, action and date; and a pupil's "who has seen or changed this record"."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource, Scope
from tandem.access.scopes import schools_in_scope
from tandem.advice.models import AdviceDocument, SpecialistAdvice
from tandem.audit.models import AuditEvent, DeniedTally, Outcome
from tandem.audit.services import audit_record
from tandem.ehc.models import AnnualReview, EhcPlan
from tandem.inclusion.models import InclusionBasePlacement
from tandem.parents.models import MeetingRequest, MeetingResponse, ParentLink, ParentViews, ViewsRequest
from tandem.people.models import Membership, Pupil, User
from tandem.plans.models import ParentMeeting, SupportPlan, Target
from tandem.progress.models import FirstResponse
from tandem.provision.models import Placement
from tandem.pupil_voice.models import AboutMe
from tandem.register.models import Concern, Passport
from tandem.schools.models import School

# The record types an event can name that belong to one pupil, and their models.
PUPIL_RECORD_TYPES: dict[str, type[Model]] = {
    "concern": Concern,
    "first_response": FirstResponse,
    "support_plan": SupportPlan,
    "target": Target,
    "parent_meeting": ParentMeeting,
    "passport": Passport,
    "placement": Placement,
    "about_me": AboutMe,
    "specialist_advice": SpecialistAdvice,
    "advice_document": AdviceDocument,
    "inclusion_base": InclusionBasePlacement,
    "ehc_plan": EhcPlan,
    "annual_review": AnnualReview,
    "parent_link": ParentLink,
    "views_request": ViewsRequest,
    "parent_views": ParentViews,
    "meeting_response": MeetingResponse,
    "meeting_request": MeetingRequest,
}
EXPORT_MAX_ROWS = 100_000


@dataclass(frozen=True)
class AuditFilters:
    person_id: int | None = None
    pupil: Pupil | None = None
    action: str = ""  # the start of an action's name: "sen_record" finds sen_record.view and the rest
    outcome: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def used(self) -> list[str]:
        """The names of the filters in use, for the audit event of a view or a download (no values)."""
        names = ("person_id", "pupil", "action", "outcome", "since", "until")
        return [name for name in names if getattr(self, name) not in (None, "")]


def _schools_in_scope(actor: Actor) -> QuerySet[School]:
    return schools_in_scope(actor, Resource.AUDIT)


def audit_events_in_scope(actor: Actor) -> QuerySet[AuditEvent]:
    """Events at the actor's school (or, for a trust role, at the trust's schools and of the trust itself)."""
    scope = actor.scope(Resource.AUDIT, Action.VIEW)
    events = AuditEvent.objects.all()
    if scope is Scope.SCHOOL:
        return events.filter(school_id=actor.school_id or 0)
    if scope is Scope.TRUST:
        schools = list(_schools_in_scope(actor).values_list("pk", flat=True))
        return events.filter(
            Q(school_id__in=schools) | Q(school_id__isnull=True, trust_id=actor.trust_id or 0)
        )
    return events.none()


def audit_people(actor: Actor) -> QuerySet[User]:
    """Everyone who holds or held a role where the actor reads the trail: the choices of the person filter."""
    schools = _schools_in_scope(actor)
    memberships = Membership.objects.filter(
        Q(school__in=schools) | Q(trust_id=actor.trust_id or 0, school=None)
    )
    if actor.scope(Resource.AUDIT, Action.VIEW) is Scope.SCHOOL:
        memberships = memberships.filter(school__in=schools)
    return User.objects.filter(pk__in=memberships.values("user_id")).order_by("full_name", "email")


def pupil_targets(pupil: Pupil) -> Q:
    """Events about the pupil: the pupil themselves, or any record of theirs an event can name."""
    match = Q(target_type="pupil", target_id=str(pupil.pk))
    for target_type, model in PUPIL_RECORD_TYPES.items():
        ids = [str(pk) for pk in model._default_manager.filter(pupil=pupil).values_list("pk", flat=True)]
        if ids:
            match |= Q(target_type=target_type, target_id__in=ids)
    return match


def audit_events(*, actor: Actor, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The actor's events matching the filters, newest first."""
    events = audit_events_in_scope(actor)
    if filters.person_id is not None:
        events = events.filter(actor_id=filters.person_id)
    if filters.pupil is not None:
        events = events.filter(pupil_targets(filters.pupil))
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.since:
        events = events.filter(occurred_at__gte=_start_of(filters.since))
    if filters.until:
        events = events.filter(occurred_at__lt=_start_of(filters.until + dt.timedelta(days=1)))
    return events.order_by("-occurred_at", "-id")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    person: str
    target: str


def audit_rows(events: Iterable[AuditEvent]) -> list[EventRow]:
    """Events with the person's name and, for a pupil, the pupil's name and UPN: two queries a page."""
    events = list(events)
    people = dict(
        User.objects.filter(pk__in={e.actor_id for e in events if e.actor_id}).values_list("pk", "full_name")
    )
    pupil_ids = {e.target_id for e in events if e.target_type == "pupil"}
    pupils = {
        str(pupil.pk): f"{pupil.display_name} ({pupil.upn})"
        for pupil in Pupil.objects.filter(pk__in=[_uuid(i) for i in pupil_ids if _uuid(i)])
    }
    rows = []
    for event in events:
        person = people.get(event.actor_id, "") if event.actor_id else "Tandem (no person)"
        target = (
            pupils.get(event.target_id) or f"{event.target_type.replace('_', ' ')} {event.target_id}".strip()
        )
        rows.append(EventRow(event=event, person=person or f"person {event.actor_id}", target=target))
    return rows


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def audit_page_viewed(*, actor: Actor, filters: AuditFilters) -> None:
    """Reading the trail is itself recorded: who looked, and which filters they used (not their values)."""
    _trail_read(actor, "audit.view", filters)


def _trail_read(actor: Actor, action: str, filters: AuditFilters) -> None:
    audit_record(
        actor=actor,
        action=action,
        target_type="school" if actor.school_id else "trust",
        target_id=actor.school_id or actor.trust_id or "",
        fields=filters.used(),
    )


def denied_tallies(*, actor: Actor, since: dt.datetime) -> QuerySet[DeniedTally]:
    """Hours in which someone at the actor's school or trust was refused more often than the trail stores
    one by one, with how many."""
    people = audit_people(actor).values("pk")
    return DeniedTally.objects.filter(actor_id__in=people, hour__gte=since).order_by("-hour")


@dataclass(frozen=True)
class AuditOverview:
    events_this_week: int
    refused_this_week: int
    tallied_hours: list[DeniedTally]


def audit_overview(*, actor: Actor) -> AuditOverview:
    """The data protection officer's home page: the last seven days in figures."""
    week_ago = timezone.now() - dt.timedelta(days=7)
    recent = audit_events_in_scope(actor).filter(occurred_at__gte=week_ago)
    return AuditOverview(
        events_this_week=recent.count(),
        refused_this_week=recent.filter(outcome=Outcome.DENIED).count(),
        tallied_hours=list(denied_tallies(actor=actor, since=week_ago)[:10]),
    )


def pupil_access_list(*, actor: Actor, pupil: Pupil, limit: int = 20) -> list[EventRow] | None:
    """Who has seen or changed this pupil's record, newest first, for the pupil page; None for a role that
    does not read the trail (only the SENCo and the head see the list there)."""
    if not actor.can(Resource.AUDIT):
        return None
    events = audit_events_in_scope(actor).filter(pupil_targets(pupil)).order_by("-occurred_at", "-id")
    return audit_rows(events[:limit])


CSV_HEADER = [
    "When (UTC)",
    "Person",
    "Person id",
    "Role",
    "Action",
    "Outcome",
    "Record",
    "Record id",
    "Request",
]


def audit_csv_rows(*, actor: Actor, filters: AuditFilters) -> Iterator[list[Any]]:
    """The download's rows (at most EXPORT_MAX_ROWS), in pages of 2,000 events."""
    events = audit_events(actor=actor, filters=filters)[:EXPORT_MAX_ROWS]
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=2_000):
        batch.append(event)
        if len(batch) == 2_000:
            yield from _csv_lines(batch)
            batch = []
    yield from _csv_lines(batch)


def _csv_lines(batch: list[AuditEvent]) -> Iterator[list[Any]]:
    for row in audit_rows(batch):
        e = row.event
        yield [
            e.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            row.person,
            e.actor_id or "",
            e.actor_role,
            e.action,
            e.outcome,
            e.target_type,
            e.target_id,
            e.request_id,
        ]


def audit_exported(*, actor: Actor, filters: AuditFilters) -> None:
    """A download of the trail: recorded, and counted in the person's hourly download limit ("export.")."""
    _trail_read(actor, "export.audit", filters)
