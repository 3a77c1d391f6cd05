"""Reads for the graduated approach: a pupil's timeline, a plan, the teacher's to-do list, the SENCo's
compliance view. Each reads through the access scopes; each view of SEN or plan data is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import (
    current_enrolments,
    interventions_in_scope,
    pupil_or_404,
    pupil_record_or_404,
    pupil_records_in_scope,
    pupils_in_scope,
)
from tandem.audit.services import audit_record
from tandem.ehc.selectors import EhcCompliance, ehc_compliance
from tandem.exchange.parent_pdf import ParentMeetingRecord, ParentPlan, ParentTarget
from tandem.lib.dates import academic_year_label, academic_year_start, term_start, terms_ended
from tandem.people.accountability import accountable_teachers, school_staff
from tandem.people.models import GroupStaff, GroupStaffRole, Membership, Pupil, Role, User
from tandem.plans.models import ParentMeeting, SupportPlan, Target, TargetProgress
from tandem.progress.models import FirstResponse, ResponseOutcome
from tandem.provision.models import Intervention
from tandem.register.models import (
    Concern,
    ConcernStatus,
    Provision,
    SenNeed,
    SenStatusPeriod,
    SenSupportDecision,
)
from tandem.revisions.kinds import MEETING, PLAN, TARGET, TARGET_PROGRESS
from tandem.revisions.selectors import (
    GivenToParents,
    HistoryRow,
    given_to_parents,
    last_changed,
    record_histories,
    record_history,
)

SOON = dt.timedelta(days=21)
FIRST_RESPONSE_SOON = dt.timedelta(days=7)
MEETINGS_A_YEAR = 3  # Code 6.65: at least three times a year for pupils on SEN support: one a term
# Who may be named as supporting a target: the staff who work with pupils (not the data lead or the DPO).
SUPPORTING_ROLES = (Role.TEACHER, Role.TEACHING_ASSISTANT, Role.SENCO, Role.HEAD)


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
    withdrawn: list[TimelineEntry] = field(default_factory=list)  # still reachable, out of the story


def _withdrawn_entries(
    plans: list[SupportPlan],
    meetings: list[ParentMeeting],
    concerns: list[Concern],
    responses: list[FirstResponse],
) -> list[TimelineEntry]:
    """The pupil's withdrawn records, each with a link to its page (where its history stays)."""
    found: list[tuple[Any, str, str, str]] = [
        *((c, "Concern", f"Concern raised on {c.raised_on:%-d %b %Y}", "concern_detail") for c in concerns),
        *(
            (r, "First response", f"First response from {r.starts_on:%-d %b %Y}", "first_response_detail")
            for r in responses
        ),
        *((p, "Support plan", f"Support plan cycle {p.cycle}", "plan_detail") for p in plans),
        *(
            (m, "Parent meeting", f"Meeting with parents on {m.held_on:%-d %b %Y}", "meeting_detail")
            for m in meetings
        ),
    ]
    entries = [
        TimelineEntry(
            timezone.localdate(record.withdrawn_at),
            kind,
            title,
            record.withdrawn_reason,
            reverse(url_name, args=[record.pk]),
        )
        for record, kind, title, url_name in found
        if record.withdrawn_at is not None
    ]
    return sorted(entries, key=lambda e: e.day)


def pupil_timeline(*, actor: Actor, pupil_id: uuid.UUID) -> Timeline:
    """Concerns, first responses, the SEN decision, plans, reviews, target progress and meetings, in order."""
    pupil = pupil_or_404(actor, pupil_id, Resource.SEN_RECORD)
    all_concerns = list(Concern.objects.filter(pupil=pupil).select_related("raised_by"))
    concerns = [c for c in all_concerns if not c.is_withdrawn]
    all_responses = list(FirstResponse.objects.filter(pupil=pupil).select_related("accountable_teacher"))
    responses = [r for r in all_responses if not r.is_withdrawn]
    all_plans = list(SupportPlan.objects.filter(pupil=pupil))
    plans = [p for p in all_plans if not p.is_withdrawn]
    meetings = list(ParentMeeting.objects.filter(pupil=pupil).select_related("led_by"))
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
    for progress in TargetProgress.objects.filter(
        pupil=pupil,
        withdrawn_at__isnull=True,
        target__withdrawn_at__isnull=True,
        target__plan__withdrawn_at__isnull=True,
    ).select_related("target", "recorded_by"):
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
    for meeting in (m for m in meetings if not m.is_withdrawn):
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
        withdrawn=_withdrawn_entries(all_plans, meetings, all_concerns, all_responses),
    )


# ---------------------------------------------------------------- plan
@dataclass(frozen=True)
class Named:
    """A person or an intervention on the plan page: a link when the viewer may open its page."""

    name: str
    url: str = ""


@dataclass
class TargetView:
    target: Target
    progress: list[TargetProgress]
    history: list[HistoryRow] = field(default_factory=list)
    # Corrected or withdrawn progress entries: (entry, its history), shown below the table.
    progress_history: list[tuple[TargetProgress, list[HistoryRow]]] = field(default_factory=list)
    supporters: list[Named] = field(default_factory=list)  # the staff chosen, by name


@dataclass
class PlanDetail:
    plan: SupportPlan
    targets: list[TargetView]
    meetings: list[ParentMeeting]
    cycles: list[SupportPlan]
    withdrawn_targets: list[TargetView] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    given: GivenToParents | None = None
    interventions: list[Named] = field(default_factory=list)  # chosen from the catalogue, by name


def _staff_link(staff_page: str, user: User) -> str:
    return f"{staff_page}?{urlencode({'q': user.email})}#staff-{user.pk}"


def _staff_named(actor: Actor, school_id: int, targets: list[Target]) -> dict[int, Named]:
    """Each supporter of these targets by name, linked to their row on the staff page when the viewer may
    open it and they are on it (one query for every target: the targets' staff were prefetched)."""
    people = {u.pk: u for t in targets for u in t.supporting_staff.all()}
    listed: set[int] = set()
    if people and actor.can(Resource.STAFF) and actor.school_id == school_id:
        listed = set(
            Membership.objects.filter(school_id=school_id, is_active=True, user_id__in=people).values_list(
                "user_id", flat=True
            )
        )
    staff_page = reverse("staff")
    # The staff page is searched by email, so the person is on the page that opens however long the list.
    return {
        pk: Named(
            user.full_name, f"{staff_page}?{urlencode({'q': user.email})}#staff-{pk}" if pk in listed else ""
        )
        for pk, user in people.items()
    }


def _interventions_named(actor: Actor, plan: SupportPlan) -> list[Named]:
    """The plan's catalogue interventions, each linked to its catalogue page when the viewer may open it."""
    chosen = list(plan.catalogue_interventions.order_by("name"))
    if not chosen:
        return []
    visible = set(
        interventions_in_scope(actor).filter(pk__in=[i.pk for i in chosen]).values_list("pk", flat=True)
    )
    return [
        Named(i.name, reverse("intervention_detail", args=[i.pk]) if i.pk in visible else "") for i in chosen
    ]


def _target_views(actor: Actor, plan: SupportPlan) -> tuple[list[TargetView], list[TargetView]]:
    """The plan's targets and, apart, its withdrawn ones, each with its progress, history and supporters."""
    targets = list(
        plan.targets.select_related("accountable_teacher", "withdrawn_by")
        .prefetch_related("supporting_staff")
        .order_by("due_on", "created_at")
    )
    entries = list(
        TargetProgress.objects.filter(target__plan=plan).select_related("recorded_by", "withdrawn_by")
    )
    target_history = record_histories(actor=actor, kind=TARGET, record_ids=[t.pk for t in targets])
    entry_history = record_histories(actor=actor, kind=TARGET_PROGRESS, record_ids=[e.pk for e in entries])
    named = _staff_named(actor, plan.school_id, targets)
    views = {
        t.pk: TargetView(
            t,
            [],
            target_history.get(t.pk, []),
            supporters=sorted(
                (named[u.pk] for u in t.supporting_staff.all()), key=lambda n: n.name.casefold()
            ),
        )
        for t in targets
    }
    for entry in entries:
        view = views[entry.target_id]
        if not entry.is_withdrawn:
            view.progress.append(entry)
        if entry.pk in entry_history:
            view.progress_history.append((entry, entry_history[entry.pk]))
    current = [views[t.pk] for t in targets if not t.is_withdrawn]
    return current, [views[t.pk] for t in targets if t.is_withdrawn]


def plan_detail(*, actor: Actor, plan_id: uuid.UUID) -> PlanDetail:
    """The plan with its targets, progress and meetings (withdrawn ones apart), its history, and which
    version the parents were given."""
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN)
    targets, withdrawn_targets = _target_views(actor, plan)
    parts = [plan.pk, *(v.target.pk for v in targets + withdrawn_targets)]
    parts += [entry.pk for v in targets + withdrawn_targets for entry, _ in v.progress_history]
    _audit_view(actor, "support_plan.view", "support_plan", plan.pk, plan.school_id)
    return PlanDetail(
        plan=plan,
        targets=targets,
        meetings=list(plan.meetings.filter(withdrawn_at__isnull=True).select_related("led_by")),
        cycles=list(
            SupportPlan.objects.filter(pupil_id=plan.pupil_id)
            .filter(Q(withdrawn_at__isnull=True) | Q(pk=plan.pk))
            .order_by("cycle")
        ),
        withdrawn_targets=withdrawn_targets,
        history=record_history(actor=actor, kind=PLAN, record_id=plan.pk),
        given=given_to_parents(
            actor=actor, kind=PLAN, record_id=plan.pk, changed_after=last_changed(record_ids=parts)
        ),
        interventions=_interventions_named(actor, plan),
    )


def supporter_choices(*, pupil: Pupil, keep: Iterable[int] = ()) -> list[tuple[int, str]]:
    """Staff who may be named as supporting a target: the pupil's teachers and the teaching assistants of
    their classes first (said so beside the name), then the school's other staff, by name. `keep`: people
    a target already names, still offered when a correction is made after they left."""
    teachers = list(accountable_teachers(pupil=pupil))
    groups = current_enrolments().filter(pupil=pupil).values("group_id")
    assistants = list(
        school_staff(school_id=pupil.school_id, roles=[Role.TEACHING_ASSISTANT]).filter(
            pk__in=GroupStaff.objects.filter(group_id__in=groups, role=GroupStaffRole.SUPPORT).values(
                "user_id"
            )
        )
    )
    choices: dict[int, str] = {t.pk: f"{t.full_name} (teaches this pupil)" for t in teachers}
    for ta in assistants:
        choices.setdefault(ta.pk, f"{ta.full_name} (teaching assistant in this pupil's class)")
    for user in school_staff(school_id=pupil.school_id, roles=SUPPORTING_ROLES):
        choices.setdefault(user.pk, user.full_name)
    for user in User.objects.filter(pk__in=set(keep) - set(choices)).order_by("full_name"):
        choices[user.pk] = f"{user.full_name} (no longer on the staff list)"
    return list(choices.items())


def intervention_choices(*, school_id: int, keep: Iterable[uuid.UUID | str] = ()) -> list[tuple[str, str]]:
    """The school's catalogue in use, by name; `keep`: entries a plan already names, even if retired."""
    entries = Intervention.objects.filter(school_id=school_id).filter(
        Q(is_active=True) | Q(pk__in=list(keep))
    )
    return [(str(i.pk), i.name) for i in entries.order_by("name")]


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
                outcome="", withdrawn_at__isnull=True
            ),
            "first_response_owner",
        ),
        (
            "Support plan",
            pupil_records_in_scope(actor, SupportPlan, Resource.SUPPORT_PLAN, Action.VIEW).filter(
                reviewed_on__isnull=True, withdrawn_at__isnull=True
            ),
            "plan_owner",
        ),
        (
            "Target",
            pupil_records_in_scope(actor, Target, Resource.SUPPORT_PLAN, Action.VIEW).filter(
                outcome="",
                plan__reviewed_on__isnull=True,
                withdrawn_at__isnull=True,
                plan__withdrawn_at__isnull=True,
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
    # One meeting a term: behind = fewer meetings this year than terms ended so far (none in the autumn
    # term); not yet this term = no meeting since the term began (due, not yet a failure).
    meetings_expected: int
    meetings_behind: list[tuple[Pupil, int]]
    no_meeting_this_term: list[Pupil]
    meetings_due: list[tuple[Pupil, dt.date]]
    without_ranked_need: list[Pupil]
    nsa_count: int
    needing_owner: list[OwnerlessRecord]
    # EHC plans' annual reviews: due and overdue, papers and reports late (Code 9.166 to 9.176).
    ehc: EhcCompliance = field(default_factory=EhcCompliance)


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
    responses = pupil_records_in_scope(actor, FirstResponse, Resource.FIRST_RESPONSE, Action.VIEW).filter(
        withdrawn_at__isnull=True
    )
    return ComplianceQueries(
        pupils=pupils,
        k_pupils=pupils.filter(Exists(open_k)),
        on_register=SenStatusPeriod.objects.filter(
            pupil_id=OuterRef("pk"),
            ends_on__isnull=True,
            provision__in=[Provision.SEN_SUPPORT, Provision.EHC_PLAN],
        ),
        open_plan=SupportPlan.objects.filter(
            pupil_id=OuterRef("pk"), reviewed_on__isnull=True, withdrawn_at__isnull=True
        ),
        latest_meeting=ParentMeeting.objects.filter(
            pupil_id=OuterRef("pk"), withdrawn_at__isnull=True
        ).order_by("-held_on", "-created_at"),
        responses=responses,
        plans=pupil_records_in_scope(actor, SupportPlan, Resource.SUPPORT_PLAN, Action.VIEW).filter(
            withdrawn_at__isnull=True
        ),
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
    held = Q(parent_meetings__withdrawn_at__isnull=True)
    meetings = Count("parent_meetings", filter=held & Q(parent_meetings__held_on__gte=year_start))
    meetings_this_term = Count(
        "parent_meetings", filter=held & Q(parent_meetings__held_on__gte=term_start(today))
    )
    expected_meetings = min(terms_ended(today), MEETINGS_A_YEAR)
    concerns = pupil_records_in_scope(actor, Concern, Resource.CONCERN, Action.VIEW)
    targets = pupil_records_in_scope(actor, Target, Resource.SUPPORT_PLAN, Action.VIEW).filter(
        withdrawn_at__isnull=True, plan__withdrawn_at__isnull=True
    )
    recent = TargetProgress.objects.filter(
        target_id=OuterRef("pk"), recorded_on__gte=today - dt.timedelta(weeks=6), withdrawn_at__isnull=True
    )
    by_name = ("legal_surname", "legal_forename")
    result = Compliance(
        today=today,
        year_label=academic_year_label(today),
        open_concerns=concerns.filter(status=ConcernStatus.OPEN, withdrawn_at__isnull=True).count(),
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
        .filter(held_on__gte=year_start, withdrawn_at__isnull=True)
        .count(),
        meetings_expected=expected_meetings,
        meetings_behind=[
            (p, p.meetings_this_year)
            for p in k_pupils.annotate(meetings_this_year=meetings)
            .filter(meetings_this_year__lt=expected_meetings)
            .order_by("meetings_this_year", *by_name)
        ],
        no_meeting_this_term=list(
            k_pupils.annotate(this_term=meetings_this_term).filter(this_term=0).order_by(*by_name)
        ),
        meetings_due=[(p, p.next_meeting) for p in q.meetings_due(by=today + SOON, including=True)],
        without_ranked_need=list(
            pupils.filter(Exists(on_register)).exclude(Exists(ranked_need)).order_by(*by_name)
        ),
        nsa_count=SenNeed.objects.filter(
            pupil__in=k_pupils, ends_on__isnull=True, rank=1, need_type_id="NSA"
        ).count(),
        needing_owner=records_needing_owner(actor=actor),
        ehc=ehc_compliance(actor=actor, today=today, soon_days=SOON.days),
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
    if plan.is_withdrawn:
        raise Http404("A withdrawn plan is not given to parents.")
    targets = tuple(
        ParentTarget(
            what=view.target.skill,
            how_measured=view.target.measure,
            starting_point=view.target.baseline,
            success_looks_like=view.target.success_criterion,
            by_when=view.target.due_on,
            # The accountable teacher may be chosen as a supporter too: named once.
            who_helps=", ".join(
                dict.fromkeys(
                    part
                    for part in (
                        view.target.accountable_teacher.full_name,
                        *(person.name for person in view.supporters),
                        view.target.other_supporters,
                    )
                    if part
                )
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
        extra_support="\n".join(
            part
            for part in (", ".join(i.name for i in detail.interventions), plan.other_interventions)
            if part
        ),
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
        **plan.isp_for_parents(),
    )


@dataclass(frozen=True)
class MeetingDetail:
    meeting: ParentMeeting
    history: list[HistoryRow]
    given: GivenToParents | None


def meeting_detail(*, actor: Actor, meeting_id: uuid.UUID) -> MeetingDetail:
    meeting = pupil_record_or_404(actor, ParentMeeting, meeting_id, Resource.PARENT_MEETING)
    history = record_history(actor=actor, kind=MEETING, record_id=meeting.pk)
    _audit_view(actor, "parent_meeting.view", "parent_meeting", meeting.pk, meeting.school_id)
    return MeetingDetail(
        meeting=meeting,
        history=history,
        given=given_to_parents(
            actor=actor,
            kind=MEETING,
            record_id=meeting.pk,
            changed_after=last_changed(record_ids=[meeting.pk]),
        ),
    )


def meeting_for_parents(*, actor: Actor, meeting_id: uuid.UUID) -> ParentMeetingRecord:
    meeting = pupil_record_or_404(actor, ParentMeeting, meeting_id, Resource.PARENT_MEETING)
    if meeting.is_withdrawn:
        raise Http404("A withdrawn meeting record is not given to parents.")
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
