"""The To do page: what is waiting for one person, triaged (overdue apart from due soon, by kind or by
pupil, this term's session logs by intervention group), and only what their role is for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource, Scope
from tandem.access.scopes import pupil_records_in_scope
from tandem.ehc.selectors import PlanDeadline, ehc_compliance
from tandem.lib.dates import term_start
from tandem.people.models import Pupil
from tandem.plans.models import SupportPlan, Target
from tandem.plans.selectors import FIRST_RESPONSE_SOON, SOON
from tandem.progress.models import FirstResponse
from tandem.provision.selectors import LogToAcknowledge, logs_to_acknowledge
from tandem.register.models import Concern, ConcernStatus, Passport, PassportRead


@dataclass(frozen=True)
class ToDoItem:
    """One thing waiting for the person, in a form the page can group by kind or by pupil."""

    kind: str  # a key of TO_DO_KINDS
    pupil: Pupil
    what: str
    url: str
    due_on: dt.date | None = None
    overdue: bool = False

    @property
    def kind_label(self) -> str:
        return TO_DO_KIND_NAMES[self.kind]


# The kinds in the order the page lists them, with their headings.
TO_DO_KINDS = {
    "first_response": "First responses to review",
    "review": "Support plan reviews",
    "target": "Targets to assess",
    "concern": "Concerns waiting for a next step",
    "passport": "Pupil passports to read",
    "ehc_review": "EHC plans' annual reviews due",
    "ehc_papers": "EHC review papers to circulate",
    "ehc_report": "EHC review reports to send to the local authority",
}
TO_DO_KIND_NAMES = {
    "first_response": "first response",
    "review": "plan review",
    "target": "target",
    "concern": "concern",
    "passport": "passport",
    "ehc_review": "EHC annual review",
    "ehc_papers": "EHC review papers",
    "ehc_report": "EHC review report",
}


@dataclass(frozen=True)
class LogGroup:
    """Unacknowledged session logs of one intervention group, to acknowledge together."""

    label: str
    logs: list[LogToAcknowledge]


@dataclass
class ToDo:
    first_responses_due: list[FirstResponse] = field(default_factory=list)
    reviews_due: list[SupportPlan] = field(default_factory=list)
    targets_overdue: list[Target] = field(default_factory=list)
    targets_ending: list[Target] = field(default_factory=list)
    passports_unread: list[Passport] = field(default_factory=list)
    concerns_waiting: list[Concern] = field(default_factory=list)
    # This term's logs; logs from before the term are only counted (and can be acknowledged in one go).
    logs_to_acknowledge: list[LogToAcknowledge] = field(default_factory=list)
    earlier_logs: list[LogToAcknowledge] = field(default_factory=list)
    # The SENCo's EHC annual review deadlines: reviews due soon or overdue, papers to circulate two weeks
    # before a meeting, reports to send two weeks after one (Code 9.169, 9.176).
    ehc_deadlines: list[tuple[str, PlanDeadline]] = field(default_factory=list)
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def count(self) -> int:
        return len(self.items) + len(self.logs_to_acknowledge) + len(self.earlier_logs)

    @cached_property
    def items(self) -> list[ToDoItem]:
        """Every dated or pupil item (not the session logs), overdue first, then by date; worked out once,
        when first read (`to_do` fills the lists before anything reads it)."""
        today = self.today
        found = [
            *(
                ToDoItem(
                    "first_response",
                    r.pupil,
                    r.weakness,
                    reverse("first_response_review", args=[r.pk]),
                    r.review_on,
                    r.review_on < today,
                )
                for r in self.first_responses_due
            ),
            *(
                ToDoItem(
                    "review",
                    p.pupil,
                    f"Review of support plan, cycle {p.cycle}",
                    reverse("plan_detail", args=[p.pk]),
                    p.review_on,
                    p.review_on < today,
                )
                for p in self.reviews_due
            ),
            *(
                ToDoItem(
                    "target", t.pupil, t.skill, reverse("plan_detail", args=[t.plan_id]), t.due_on, overdue
                )
                for overdue, targets in ((True, self.targets_overdue), (False, self.targets_ending))
                for t in targets
            ),
            *(
                ToDoItem(
                    "concern",
                    c.pupil,
                    f"{c.get_area_display()}, raised {c.raised_on:%-d %b %Y}",
                    reverse("concern_detail", args=[c.pk]),
                )
                for c in self.concerns_waiting
            ),
            *(
                ToDoItem("passport", p.pupil, f"Version {p.version}", reverse("passport", args=[p.pupil_id]))
                for p in self.passports_unread
            ),
            *(
                ToDoItem(
                    kind,
                    row.pupil,
                    _ehc_what(kind, row),
                    row.url,
                    row.deadline.due_on,
                    row.deadline.due_on < today,
                )
                for kind, row in self.ehc_deadlines
            ),
        ]
        return sorted(found, key=lambda i: (not i.overdue, i.due_on or dt.date.max))

    def by_kind(self) -> list[tuple[str, str, list[ToDoItem], list[ToDoItem]]]:
        """(kind, heading, overdue, the rest) for each kind with anything in it."""
        items = self.items
        grouped = []
        for kind, heading in TO_DO_KINDS.items():
            mine = [i for i in items if i.kind == kind]
            if mine:
                grouped.append(
                    (kind, heading, [i for i in mine if i.overdue], [i for i in mine if not i.overdue])
                )
        return grouped

    def by_pupil(self) -> list[tuple[Pupil, list[ToDoItem]]]:
        """Each pupil with everything waiting about them, pupils with something overdue first."""
        grouped: dict[Any, list[ToDoItem]] = {}
        for item in self.items:
            grouped.setdefault(item.pupil.pk, []).append(item)
        rows = [(items[0].pupil, items) for items in grouped.values()]
        return sorted(
            rows, key=lambda row: (not row[1][0].overdue, row[0].legal_surname, row[0].legal_forename)
        )

    def overdue_count(self) -> int:
        return sum(1 for i in self.items if i.overdue)

    def log_groups(self) -> list[LogGroup]:
        """This term's logs, one group per intervention group (in the order their first log was held)."""
        grouped: dict[Any, list[LogToAcknowledge]] = {}
        for item in self.logs_to_acknowledge:
            grouped.setdefault(item.log.group_id, []).append(item)
        return [
            LogGroup(f"{logs[0].log.group.intervention.name}, {logs[0].log.group.name}", logs)
            for logs in grouped.values()
        ]


def _ehc_what(kind: str, row: PlanDeadline) -> str:
    """A short line for an EHC deadline; the page beside it gives the date and whether it is overdue."""
    meeting = row.deadline.meeting_on
    if kind == "ehc_review":
        return f"Annual review ({f'meeting {meeting:%-d %b %Y}' if meeting else 'no meeting booked'})"
    if kind == "ehc_papers":
        return f"Circulate advice for the meeting on {meeting:%-d %b %Y}" if meeting else "Circulate advice"
    return f"Report of the meeting on {meeting:%-d %b %Y}" if meeting else "Report to the local authority"


def _ehc_deadlines(actor: Actor, today: dt.date) -> list[tuple[str, PlanDeadline]]:
    """The annual review deadlines the SENCo acts on, from what the compliance page counts."""
    found = ehc_compliance(actor=actor, today=today, soon_days=SOON.days)
    return [
        *(("ehc_review", row) for row in found.reviews_overdue + found.reviews_due_soon),
        *(("ehc_papers", row) for row in found.papers_late + found.papers_to_do),
        *(("ehc_report", row) for row in found.reports_late + found.reports_to_do),
    ]


def _current_passports(actor: Actor) -> QuerySet[Passport]:
    newer = Passport.objects.filter(
        pupil_id=OuterRef("pupil_id"), version__gt=OuterRef("version"), withdrawn_at__isnull=True
    )
    return (
        pupil_records_in_scope(actor, Passport, Resource.PASSPORT, Action.VIEW)
        .filter(withdrawn_at__isnull=True)
        .exclude(Exists(newer))
    )


def _reads_passports(actor: Actor) -> bool:
    """Passports are for the adults who work with the pupil: their teachers and the TAs who support them.
    A SENCo, head or trust lead can open every passport but is not asked to read them all."""
    return actor.scope(Resource.PASSPORT, Action.ADD) in (Scope.OWN, Scope.SUPPORTED)


def to_do(*, actor: Actor) -> ToDo:
    """What is waiting for this person: their own first responses, reviews and targets (overdue ones and
    those due soon), concerns to act on, passports to read, and this term's session logs to acknowledge."""
    today = timezone.localdate()
    items = ToDo(today=today)
    if actor.can(Resource.FIRST_RESPONSE, Action.MANAGE):
        items.first_responses_due = list(
            pupil_records_in_scope(actor, FirstResponse, Resource.FIRST_RESPONSE, Action.VIEW)
            .filter(
                accountable_teacher_id=actor.user_id, outcome="", review_on__lte=today + FIRST_RESPONSE_SOON
            )
            .filter(withdrawn_at__isnull=True)
            .select_related("pupil")
            .order_by("review_on")
        )
    if actor.can(Resource.SUPPORT_PLAN):
        items.reviews_due = list(
            pupil_records_in_scope(actor, SupportPlan, Resource.SUPPORT_PLAN, Action.VIEW)
            .filter(
                accountable_teacher_id=actor.user_id, reviewed_on__isnull=True, review_on__lte=today + SOON
            )
            .filter(withdrawn_at__isnull=True)
            .select_related("pupil")
            .order_by("review_on")
        )
        targets = list(
            pupil_records_in_scope(actor, Target, Resource.SUPPORT_PLAN, Action.VIEW)
            .filter(
                accountable_teacher_id=actor.user_id,
                outcome="",
                plan__reviewed_on__isnull=True,
                due_on__lte=today + SOON,
                withdrawn_at__isnull=True,
                plan__withdrawn_at__isnull=True,
            )
            .select_related("pupil")
            .order_by("due_on")
        )
        items.targets_overdue = [t for t in targets if t.due_on < today]
        items.targets_ending = [t for t in targets if t.due_on >= today]
    if _reads_passports(actor):
        read = PassportRead.objects.filter(passport_id=OuterRef("pk"), user_id=actor.user_id)
        items.passports_unread = list(
            _current_passports(actor)
            .exclude(Exists(read))
            .select_related("pupil")
            .order_by("pupil__legal_surname")
        )
    term_begins = term_start(today)
    for log in logs_to_acknowledge(actor=actor):
        (items.logs_to_acknowledge if log.log.held_on >= term_begins else items.earlier_logs).append(log)
    if actor.can(Resource.EHC_PLAN, Action.MANAGE):
        items.ehc_deadlines = _ehc_deadlines(actor, today)
    if actor.can(Resource.CONCERN, Action.MANAGE):
        items.concerns_waiting = list(
            pupil_records_in_scope(actor, Concern, Resource.CONCERN, Action.MANAGE)
            .filter(status=ConcernStatus.OPEN, withdrawn_at__isnull=True)
            .select_related("pupil")
            .order_by("raised_on")
        )
    return items
