"""Reads for the graduated approach: a pupil's timeline, a plan, the teacher's to-do list, the SENCo's
compliance view. Each reads through the access scopes; each view of SEN or plan data is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import (
    current_enrolments,
    pupil_or_404,
    pupil_record_or_404,
    pupil_records_in_scope,
    pupils_in_scope,
)
from tandem.audit.services import audit_record
from tandem.exchange.parent_pdf import ParentMeetingRecord, ParentPlan, ParentTarget
from tandem.lib.dates import academic_year_label, academic_year_start
from tandem.people.accountability import accountable_teachers
from tandem.people.models import GroupStaff, GroupStaffRole, Membership, Pupil, Role
from tandem.plans.models import ParentMeeting, SupportPlan, Target, TargetProgress
from tandem.progress.models import FirstResponse, ResponseOutcome
from tandem.provision.selectors import LogToAcknowledge, logs_to_acknowledge
from tandem.register.models import (
    Concern,
    ConcernStatus,
    Passport,
    PassportRead,
    Provision,
    SenNeed,
    SenStatusPeriod,
    SenSupportDecision,
)

SOON = dt.timedelta(days=21)
FIRST_RESPONSE_SOON = dt.timedelta(days=7)
MEETINGS_A_YEAR = 3  # Code 6.65: at least three times a year for pupils on SEN support


def _audit_view(actor: Actor, action: str, target_type: str, target_id: object, school_id: int) -> None:
    audit_record(
        actor=actor, action=action, target_type=target_type, target_id=target_id, school_id=school_id
    )


# ---------------------------------------------------------------- timeline
@dataclass(frozen=True)
class TimelineEntry:
    day: dt.date
    kind: str
    title: str
    detail: str
    url: str = ""
    order: int = 0


def _concern_entries(concerns: list[Concern]) -> list[TimelineEntry]:
    entries = []
    for c in concerns:
        url = reverse("concern_detail", args=[c.pk])
        entries.append(
            TimelineEntry(
                c.raised_on,
                "Concern",
                f"Concern raised by {c.raised_by.full_name} ({c.get_area_display()})",
                c.observed,
                url,
            )
        )
        if c.next_step_on and c.status in (ConcernStatus.REFERRED, ConcernStatus.NO_ACTION):
            entries.append(
                TimelineEntry(
                    c.next_step_on,
                    "Concern",
                    f"Next step: {c.get_status_display()}",
                    c.next_step_note,
                    url,
                    1,
                )
            )
    return entries


def _response_entries(responses: list[FirstResponse]) -> list[TimelineEntry]:
    entries = []
    for r in responses:
        url = reverse("first_response_detail", args=[r.pk])
        entries.append(
            TimelineEntry(
                r.starts_on,
                "First response",
                f"First response by {r.accountable_teacher.full_name}, review {r.review_on:%d %b %Y}",
                f"{r.weakness}: {r.adjustments}",
                url,
                2,
            )
        )
        if r.reviewed_on is not None:
            entries.append(
                TimelineEntry(
                    r.reviewed_on,
                    "First response",
                    f"First response reviewed: {r.get_outcome_display()}",
                    r.outcome_note,
                    url,
                    3,
                )
            )
    return entries


def _plan_entries(plans: list[SupportPlan]) -> list[TimelineEntry]:
    entries = []
    for p in plans:
        url = reverse("plan_detail", args=[p.pk])
        entries.append(
            TimelineEntry(
                p.starts_on,
                "Support plan",
                f"Support plan cycle {p.cycle} started, review due {p.review_on:%d %b %Y}",
                p.summary,
                url,
                5,
            )
        )
        if p.reviewed_on is not None:
            entries.append(
                TimelineEntry(
                    p.reviewed_on,
                    "Review",
                    f"Cycle {p.cycle} reviewed: {p.get_next_step_display()}",
                    p.review_summary,
                    url,
                    4,
                )
            )
    return entries


@dataclass
class Timeline:
    pupil: Pupil
    entries: list[TimelineEntry]
    open_plan: SupportPlan | None
    provision: str
    responses_tried: list[FirstResponse]


def pupil_timeline(*, actor: Actor, pupil_id: uuid.UUID) -> Timeline:
    """Concerns, first responses, the SEN decision, plans, reviews, target progress and meetings, in order."""
    pupil = pupil_or_404(actor, pupil_id, Resource.SEN_RECORD)
    concerns = list(Concern.objects.filter(pupil=pupil).select_related("raised_by"))
    responses = list(FirstResponse.objects.filter(pupil=pupil).select_related("accountable_teacher"))
    plans = list(SupportPlan.objects.filter(pupil=pupil))
    entries = _concern_entries(concerns) + _response_entries(responses) + _plan_entries(plans)
    for d in SenSupportDecision.objects.filter(pupil=pupil).select_related("decided_by"):
        entries.append(
            TimelineEntry(
                d.decided_on,
                "SEN support",
                f"SEN support begun by {d.decided_by.full_name}; parents told {d.parents_informed_on:%d %b}",
                d.parent_note,
                order=4,
            )
        )
    for progress in TargetProgress.objects.filter(pupil=pupil).select_related("target", "recorded_by"):
        entries.append(
            TimelineEntry(
                progress.recorded_on,
                "Target progress",
                f"Progress on “{progress.target.skill}” recorded by {progress.recorded_by.full_name}",
                progress.note,
                reverse("plan_detail", args=[progress.target.plan_id]),
                6,
            )
        )
    for meeting in ParentMeeting.objects.filter(pupil=pupil).select_related("led_by"):
        entries.append(
            TimelineEntry(
                meeting.held_on,
                "Parent meeting",
                f"Meeting with parents led by {meeting.led_by.full_name}",
                meeting.agreed_actions,
                reverse("meeting_detail", args=[meeting.pk]),
                7,
            )
        )
    entries.sort(key=lambda e: (e.day, e.order))
    open_period = SenStatusPeriod.objects.filter(pupil=pupil, ends_on__isnull=True).first()
    _audit_view(actor, "timeline.view", "pupil", pupil.pk, pupil.school_id)
    return Timeline(
        pupil=pupil,
        entries=entries,
        open_plan=next((p for p in plans if p.is_open), None),
        provision=open_period.provision if open_period else Provision.NONE,
        responses_tried=sorted(responses, key=lambda r: r.starts_on),
    )


# ---------------------------------------------------------------- plan
@dataclass
class TargetView:
    target: Target
    progress: list[TargetProgress]


@dataclass
class PlanDetail:
    plan: SupportPlan
    targets: list[TargetView]
    meetings: list[ParentMeeting]
    cycles: list[SupportPlan]


def plan_detail(*, actor: Actor, plan_id: uuid.UUID) -> PlanDetail:
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN)
    targets = list(plan.targets.select_related("accountable_teacher").order_by("due_on", "created_at"))
    progress: dict[uuid.UUID, list[TargetProgress]] = {t.pk: [] for t in targets}
    for entry in TargetProgress.objects.filter(target__plan=plan).select_related("recorded_by"):
        progress[entry.target_id].append(entry)
    _audit_view(actor, "support_plan.view", "support_plan", plan.pk, plan.school_id)
    return PlanDetail(
        plan=plan,
        targets=[TargetView(t, progress[t.pk]) for t in targets],
        meetings=list(plan.meetings.select_related("led_by")),
        cycles=list(SupportPlan.objects.filter(pupil_id=plan.pupil_id).order_by("cycle")),
    )


# ---------------------------------------------------------------- ownership
def _still_accountable() -> Q:
    """True when the record's accountable teacher still holds the teacher role and teaches the pupil."""
    teaches = GroupStaff.objects.filter(
        user_id=OuterRef("accountable_teacher_id"),
        role=GroupStaffRole.TEACHER,
        group_id__in=current_enrolments().filter(pupil_id=OuterRef(OuterRef("pupil_id"))).values("group_id"),
    )
    holds_role = Membership.objects.filter(
        user_id=OuterRef("accountable_teacher_id"),
        school_id=OuterRef("school_id"),
        role=Role.TEACHER,
        is_active=True,
    )
    return Q(Exists(teaches)) & Q(Exists(holds_role))


@dataclass(frozen=True)
class OwnerlessRecord:
    kind: str
    pupil: Pupil
    owner: str
    url: str


def records_needing_owner(*, actor: Actor) -> list[OwnerlessRecord]:
    """Open records whose accountable teacher has left, lost the role, or no longer teaches the pupil."""
    open_records: list[tuple[str, QuerySet[Any], str]] = [
        (
            "First response",
            pupil_records_in_scope(actor, FirstResponse, Resource.FIRST_RESPONSE, Action.VIEW).filter(
                outcome=""
            ),
            "first_response_owner",
        ),
        (
            "Support plan",
            pupil_records_in_scope(actor, SupportPlan, Resource.SUPPORT_PLAN, Action.VIEW).filter(
                reviewed_on__isnull=True
            ),
            "plan_owner",
        ),
        (
            "Target",
            pupil_records_in_scope(actor, Target, Resource.SUPPORT_PLAN, Action.VIEW).filter(
                outcome="", plan__reviewed_on__isnull=True
            ),
            "target_owner",
        ),
    ]
    found: list[OwnerlessRecord] = []
    for kind, records, url_name in open_records:
        for record in records.exclude(_still_accountable()).select_related("pupil", "accountable_teacher"):
            found.append(
                OwnerlessRecord(
                    kind,
                    record.pupil,
                    record.accountable_teacher.full_name,
                    reverse(url_name, args=[record.pk]),
                )
            )
    return found


# ---------------------------------------------------------------- teacher to-do
@dataclass
class ToDo:
    first_responses_due: list[FirstResponse] = field(default_factory=list)
    reviews_due: list[SupportPlan] = field(default_factory=list)
    targets_ending: list[Target] = field(default_factory=list)
    passports_unread: list[Passport] = field(default_factory=list)
    concerns_waiting: list[Concern] = field(default_factory=list)
    logs_to_acknowledge: list[LogToAcknowledge] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(
            len(items)
            for items in (
                self.first_responses_due,
                self.reviews_due,
                self.targets_ending,
                self.passports_unread,
                self.concerns_waiting,
                self.logs_to_acknowledge,
            )
        )


def _current_passports(actor: Actor) -> QuerySet[Passport]:
    newer = Passport.objects.filter(pupil_id=OuterRef("pupil_id"), version__gt=OuterRef("version"))
    return pupil_records_in_scope(actor, Passport, Resource.PASSPORT, Action.VIEW).exclude(Exists(newer))


def to_do(*, actor: Actor) -> ToDo:
    """What is waiting for this person: their own first responses, reviews and targets; passports to read."""
    today = timezone.localdate()
    items = ToDo()
    if actor.can(Resource.FIRST_RESPONSE, Action.MANAGE):
        items.first_responses_due = list(
            pupil_records_in_scope(actor, FirstResponse, Resource.FIRST_RESPONSE, Action.VIEW)
            .filter(
                accountable_teacher_id=actor.user_id, outcome="", review_on__lte=today + FIRST_RESPONSE_SOON
            )
            .select_related("pupil")
            .order_by("review_on")
        )
    if actor.can(Resource.SUPPORT_PLAN):
        items.reviews_due = list(
            pupil_records_in_scope(actor, SupportPlan, Resource.SUPPORT_PLAN, Action.VIEW)
            .filter(
                accountable_teacher_id=actor.user_id, reviewed_on__isnull=True, review_on__lte=today + SOON
            )
            .select_related("pupil")
            .order_by("review_on")
        )
        items.targets_ending = list(
            pupil_records_in_scope(actor, Target, Resource.SUPPORT_PLAN, Action.VIEW)
            .filter(
                accountable_teacher_id=actor.user_id,
                outcome="",
                plan__reviewed_on__isnull=True,
                due_on__lte=today + SOON,
            )
            .select_related("pupil")
            .order_by("due_on")
        )
    if actor.can(Resource.PASSPORT):
        read = PassportRead.objects.filter(passport_id=OuterRef("pk"), user_id=actor.user_id)
        items.passports_unread = list(
            _current_passports(actor)
            .exclude(Exists(read))
            .select_related("pupil")
            .order_by("pupil__legal_surname")
        )
    items.logs_to_acknowledge = logs_to_acknowledge(actor=actor)
    if actor.can(Resource.CONCERN, Action.MANAGE):
        items.concerns_waiting = list(
            pupil_records_in_scope(actor, Concern, Resource.CONCERN, Action.MANAGE)
            .filter(status=ConcernStatus.OPEN)
            .select_related("pupil")
            .order_by("raised_on")
        )
    return items


# ---------------------------------------------------------------- SENCo compliance
@dataclass
class Compliance:
    today: dt.date
    year_label: str
    open_concerns: int
    open_first_responses: int
    first_responses_overdue: list[FirstResponse]
    referred_awaiting_decision: list[Pupil]
    sen_support: int
    without_plan: list[Pupil]
    reviews_overdue: list[SupportPlan]
    open_plans: int
    reviews_this_year: int
    targets_without_recent_progress: int
    meetings_this_year: int
    too_few_meetings: list[tuple[Pupil, int]]
    meetings_due: list[tuple[Pupil, dt.date]]
    without_ranked_need: list[Pupil]
    nsa_count: int
    needing_owner: list[OwnerlessRecord]


@dataclass(frozen=True)
class ComplianceQueries:
    """The querysets behind the compliance page's gaps, shared with the SENCo's weekly overdue email
    (tandem.notifications), so the two always count the same pupils and records."""

    pupils: QuerySet[Pupil]
    k_pupils: QuerySet[Pupil]  # on SEN support today
    on_register: QuerySet[SenStatusPeriod]  # an open SEN support or EHC plan period (OuterRef pupil)
    open_plan: QuerySet[SupportPlan]  # a plan not yet reviewed (OuterRef pupil)
    latest_meeting: QuerySet[ParentMeeting]  # the pupil's latest meeting first (OuterRef pupil)
    responses: QuerySet[FirstResponse]
    plans: QuerySet[SupportPlan]
    referred: QuerySet[Any]  # pupil ids whose first response referred them to the SENCo

    def meetings_due(self, *, by: dt.date, including: bool) -> QuerySet[Any]:
        """Pupils on SEN support whose next meeting with parents was set for before `by` (or on it, when
        `including`), each with that date as `next_meeting`, soonest first."""
        pupils = self.k_pupils.annotate(
            next_meeting=Subquery(self.latest_meeting.values("next_meeting_on")[:1])
        )
        due = pupils.filter(next_meeting__lte=by) if including else pupils.filter(next_meeting__lt=by)
        return due.order_by("next_meeting", "legal_surname", "legal_forename")

    def awaiting_decision(self) -> QuerySet[Pupil]:
        return self.pupils.filter(pk__in=self.referred).exclude(Exists(self.on_register))


def compliance_queries(*, actor: Actor) -> ComplianceQueries:
    pupils = pupils_in_scope(actor, Resource.COMPLIANCE)
    open_k = SenStatusPeriod.objects.filter(
        pupil_id=OuterRef("pk"), ends_on__isnull=True, provision=Provision.SEN_SUPPORT
    )
    responses = pupil_records_in_scope(actor, FirstResponse, Resource.FIRST_RESPONSE, Action.VIEW)
    return ComplianceQueries(
        pupils=pupils,
        k_pupils=pupils.filter(Exists(open_k)),
        on_register=SenStatusPeriod.objects.filter(
            pupil_id=OuterRef("pk"),
            ends_on__isnull=True,
            provision__in=[Provision.SEN_SUPPORT, Provision.EHC_PLAN],
        ),
        open_plan=SupportPlan.objects.filter(pupil_id=OuterRef("pk"), reviewed_on__isnull=True),
        latest_meeting=ParentMeeting.objects.filter(pupil_id=OuterRef("pk")).order_by(
            "-held_on", "-created_at"
        ),
        responses=responses,
        plans=pupil_records_in_scope(actor, SupportPlan, Resource.SUPPORT_PLAN, Action.VIEW),
        referred=responses.filter(outcome=ResponseOutcome.REFER).values("pupil_id"),
    )


def compliance_view(*, actor: Actor) -> Compliance:
    """The Code's requirements for the school, counted, with the pupils behind each gap."""
    today = timezone.localdate()
    year_start = academic_year_start(today)
    q = compliance_queries(actor=actor)
    pupils, k_pupils, on_register, open_plan = q.pupils, q.k_pupils, q.on_register, q.open_plan
    responses, plans = q.responses, q.plans
    ranked_need = SenNeed.objects.filter(pupil_id=OuterRef("pk"), ends_on__isnull=True)
    meetings = Count("parent_meetings", filter=Q(parent_meetings__held_on__gte=year_start))
    concerns = pupil_records_in_scope(actor, Concern, Resource.CONCERN, Action.VIEW)
    targets = pupil_records_in_scope(actor, Target, Resource.SUPPORT_PLAN, Action.VIEW)
    recent = TargetProgress.objects.filter(
        target_id=OuterRef("pk"), recorded_on__gte=today - dt.timedelta(weeks=6)
    )
    by_name = ("legal_surname", "legal_forename")
    result = Compliance(
        today=today,
        year_label=academic_year_label(today),
        open_concerns=concerns.filter(status=ConcernStatus.OPEN).count(),
        open_first_responses=responses.filter(outcome="").count(),
        first_responses_overdue=list(
            responses.filter(outcome="", review_on__lt=today).select_related("pupil", "accountable_teacher")
        ),
        referred_awaiting_decision=list(q.awaiting_decision().order_by(*by_name)),
        sen_support=k_pupils.count(),
        without_plan=list(k_pupils.exclude(Exists(open_plan)).order_by(*by_name)),
        reviews_overdue=list(
            plans.filter(reviewed_on__isnull=True, review_on__lt=today)
            .select_related("pupil", "accountable_teacher")
            .order_by("review_on")
        ),
        open_plans=plans.filter(reviewed_on__isnull=True).count(),
        reviews_this_year=plans.filter(reviewed_on__gte=year_start).count(),
        targets_without_recent_progress=targets.filter(outcome="", plan__reviewed_on__isnull=True)
        .exclude(Exists(recent))
        .count(),
        meetings_this_year=pupil_records_in_scope(actor, ParentMeeting, Resource.PARENT_MEETING, Action.VIEW)
        .filter(held_on__gte=year_start)
        .count(),
        too_few_meetings=[
            (p, p.meetings_this_year)
            for p in k_pupils.annotate(meetings_this_year=meetings)
            .filter(meetings_this_year__lt=MEETINGS_A_YEAR)
            .order_by("meetings_this_year", *by_name)
        ],
        meetings_due=[(p, p.next_meeting) for p in q.meetings_due(by=today + SOON, including=True)],
        without_ranked_need=list(
            pupils.filter(Exists(on_register)).exclude(Exists(ranked_need)).order_by(*by_name)
        ),
        nsa_count=SenNeed.objects.filter(
            pupil__in=k_pupils, ends_on__isnull=True, rank=1, need_type_id="NSA"
        ).count(),
        needing_owner=records_needing_owner(actor=actor),
    )
    audit_record(actor=actor, action="compliance.view", target_type="school", target_id=actor.school_id or "")
    return result


# ---------------------------------------------------------------- documents for parents
def _senco_name(school_id: int) -> str:
    senco = (
        Membership.objects.filter(school_id=school_id, role=Role.SENCO, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return senco.user.full_name if senco else ""


def plan_for_parents(*, actor: Actor, plan_id: uuid.UUID) -> ParentPlan:
    """The plan in plain words for the parents' copy; printing it is audited like a view."""
    detail = plan_detail(actor=actor, plan_id=plan_id)
    plan = detail.plan
    targets = tuple(
        ParentTarget(
            what=view.target.skill,
            how_measured=view.target.measure,
            starting_point=view.target.baseline,
            success_looks_like=view.target.success_criterion,
            by_when=view.target.due_on,
            who_helps=", ".join(
                part for part in (view.target.accountable_teacher.full_name, view.target.supporters) if part
            ),
            progress=view.progress[-1].note if view.progress else "",
        )
        for view in detail.targets
    )
    _audit_view(actor, "support_plan.print", "support_plan", plan.pk, plan.school_id)
    return ParentPlan(
        school_name=plan.school.name,
        pupil_name=plan.pupil.display_name,
        year_group=plan.pupil.year_group,
        written_on=plan.starts_on,
        review_on=plan.review_on,
        cycle=plan.cycle,
        class_teacher=plan.accountable_teacher.full_name,
        senco=_senco_name(plan.school_id),
        strengths=plan.strengths,
        needs=plan.needs,
        what_helps=plan.strategies,
        extra_support=plan.interventions,
        expected_impact=plan.expected_impact,
        pupil_views=plan.pupil_views,
        parent_views=plan.parent_views,
        targets=targets,
        # The parent sentences stored with the plan's progress figures; older plans stored none.
        progress=tuple(
            str(row["parent"])
            for row in plan.progress_snapshot
            if isinstance(row, dict) and row.get("parent")
        ),
    )


def meeting_detail(*, actor: Actor, meeting_id: uuid.UUID) -> ParentMeeting:
    meeting = pupil_record_or_404(actor, ParentMeeting, meeting_id, Resource.PARENT_MEETING)
    _audit_view(actor, "parent_meeting.view", "parent_meeting", meeting.pk, meeting.school_id)
    return meeting


def meeting_for_parents(*, actor: Actor, meeting_id: uuid.UUID) -> ParentMeetingRecord:
    meeting = pupil_record_or_404(actor, ParentMeeting, meeting_id, Resource.PARENT_MEETING)
    _audit_view(actor, "parent_meeting.print", "parent_meeting", meeting.pk, meeting.school_id)
    return ParentMeetingRecord(
        school_name=meeting.school.name,
        pupil_name=meeting.pupil.display_name,
        held_on=meeting.held_on,
        led_by=meeting.led_by.full_name,
        who_attended=meeting.who_attended,
        parent_views=meeting.parent_views,
        pupil_views=meeting.pupil_views,
        discussed=meeting.discussed,
        agreed_actions=meeting.agreed_actions,
        next_meeting_on=meeting.next_meeting_on,
    )


def meeting_leaders(*, pupil: Pupil) -> list[tuple[int, str]]:
    """Who may lead a meeting with this pupil's parents: their teachers and the SENCo."""
    teachers = {t.pk: t.full_name for t in accountable_teachers(pupil=pupil)}
    for m in Membership.objects.filter(
        school_id=pupil.school_id, role=Role.SENCO, is_active=True
    ).select_related("user"):
        teachers.setdefault(m.user_id, f"{m.user.full_name} (SENCo)")
    return sorted(teachers.items(), key=lambda item: item[1])
