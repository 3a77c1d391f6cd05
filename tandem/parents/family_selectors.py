"""Reads for a parent's or carer's own pages: their home, their child, a meeting record, the school's
questions.

Each page is built from small dataclasses holding only what a parent may read, so a staff-only field (a
plan's "do" notes and evidence, its progress figures, a progress note's evidence) never reaches their
templates. Every read starts from the access scopes (a parent reaches only their own children, and only
records staff share with them now), records an audit event, and runs a fixed number of queries however many
targets, meetings or requests there are.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import (
    pupil_or_404,
    pupil_record_or_404,
    pupils_in_scope,
    running_on,
    shared_ids,
    shared_meeting_or_404,
)
from tandem.audit.services import audit_record
from tandem.lib.family_words import days_in_words, how_often
from tandem.parents.models import (
    MeetingRequest,
    MeetingResponse,
    ParentViews,
    SharedKind,
    ViewsRequest,
)
from tandem.parents.selectors import first_name, views_request_is_open
from tandem.people.models import Pupil
from tandem.plans.models import ParentMeeting, SupportPlan, Target, TargetProgress
from tandem.provision.models import Placement
from tandem.register.models import Passport

MEETING_REQUESTS_SHOWN = 20
VIEWS_REQUESTS_SHOWN = 20


def _open_views() -> Q:
    return Q(closed_at__isnull=True, reply_by__gte=timezone.localdate())


# ---------------------------------------------------------------- the parent's home
@dataclass(frozen=True)
class ChildWaiting:
    pupil: Pupil
    first_name: str
    views_requests: list[ViewsRequest]  # open, not yet answered by this parent
    meetings: list[ParentMeeting]  # shared records this parent has not answered

    @property
    def waiting(self) -> int:
        return len(self.views_requests) + len(self.meetings)


@dataclass(frozen=True)
class FamilyHome:
    school_name: str
    children: list[ChildWaiting]


def family_home(*, actor: Actor) -> FamilyHome:
    """The parent's children at the school they are signed in to, and what is waiting for them."""
    children = list(pupils_in_scope(actor, Resource.FAMILY, Action.VIEW))
    ids = [child.pk for child in children]
    mine = actor.user_id
    views = (
        ViewsRequest.objects.filter(_open_views(), pupil_id__in=ids)
        .filter(~Exists(ParentViews.objects.filter(request=OuterRef("pk"), given_by_id=mine)))
        .order_by("reply_by", "asked_at")
    )
    meetings = (
        ParentMeeting.objects.filter(
            pupil_id__in=ids, pk__in=shared_ids(SharedKind.MEETING), withdrawn_at__isnull=True
        )
        .filter(~Exists(MeetingResponse.objects.filter(meeting=OuterRef("pk"), parent_id=mine)))
        .only("id", "pupil_id", "held_on")
        .order_by("-held_on", "-created_at")
    )
    views_by_child: dict[uuid.UUID, list[ViewsRequest]] = {pk: [] for pk in ids}
    meetings_by_child: dict[uuid.UUID, list[ParentMeeting]] = {pk: [] for pk in ids}
    for request in views:
        views_by_child[request.pupil_id].append(request)
    for meeting in meetings:
        meetings_by_child[meeting.pupil_id].append(meeting)
    for child in children:
        audit_record(
            actor=actor,
            action="family.home",
            target_type="pupil",
            target_id=child.pk,
            school_id=child.school_id,
            fields=["name", "views_requests", "meetings"],
        )
    return FamilyHome(
        school_name=actor.organisation_name,
        children=[
            ChildWaiting(
                pupil=child,
                first_name=first_name(child),
                views_requests=views_by_child[child.pk],
                meetings=meetings_by_child[child.pk],
            )
            for child in children
        ],
    )


# ---------------------------------------------------------------- a child's page
@dataclass(frozen=True)
class ProgressNote:
    recorded_on: dt.date
    note: str


@dataclass(frozen=True)
class TargetForParent:
    what: str
    how_checked: str
    starting_point: str
    success_looks_like: str
    by_when: dt.date
    who_helps: str
    outcome: str  # "Met", "Partly met", "Not met" once reviewed; "" before
    progress: tuple[ProgressNote, ...]


@dataclass(frozen=True)
class PlanForParent:
    cycle: int
    starts_on: dt.date
    review_on: dt.date
    reviewed_on: dt.date | None
    class_teacher: str
    strengths: str
    needs: str
    what_helps: str
    extra_help: str
    expected_impact: str
    pupil_views: str
    parent_views: str
    targets: tuple[TargetForParent, ...]


@dataclass(frozen=True)
class PassportForParent:
    written_on: dt.date
    strengths: str
    needs: str
    what_helps: str


@dataclass(frozen=True)
class HelpForParent:
    name: str
    what: str
    how_often: str
    days: str
    time_of_day: str
    who_runs: str
    since: dt.date


@dataclass(frozen=True)
class MeetingForParent:
    id: uuid.UUID
    held_on: dt.date
    led_by: str
    answer: MeetingResponse | None  # this parent's own answer


@dataclass(frozen=True)
class ViewsForParent:
    id: uuid.UUID
    purpose: str
    reply_by: dt.date
    is_open: bool
    given_at: dt.datetime | None  # when this parent sent their answers


@dataclass(frozen=True)
class ChildOverview:
    pupil: Pupil
    first_name: str
    school_name: str
    plan: PlanForParent | None
    passport: PassportForParent | None
    help: list[HelpForParent]
    meetings: list[MeetingForParent]
    views_requests: list[ViewsForParent]
    meeting_requests: list[MeetingRequest]  # this parent's own

    @property
    def views_waiting(self) -> list[ViewsForParent]:
        return [v for v in self.views_requests if v.is_open and v.given_at is None]

    @property
    def meetings_waiting(self) -> list[MeetingForParent]:
        return [m for m in self.meetings if m.answer is None]


def _who_helps(target: Target) -> str:
    # The accountable teacher may be chosen as a supporter too: named once.
    names = [target.accountable_teacher.full_name, *(u.full_name for u in target.supporting_staff.all())]
    names.append(target.other_supporters)
    return ", ".join(dict.fromkeys(name for name in names if name))


def _plan_for_parent(pupil: Pupil) -> PlanForParent | None:
    """The newest plan staff share with the parents now (never a withdrawn one), without its internal
    notes: the staff's "do" notes, evidence and progress figures are not even read."""
    plan = (
        SupportPlan.objects.filter(pupil=pupil, pk__in=shared_ids(SharedKind.PLAN), withdrawn_at__isnull=True)
        .defer("do_notes", "evidence", "progress_snapshot", "summary")
        .select_related("accountable_teacher")
        .order_by("-cycle")
        .first()
    )
    if plan is None:
        return None
    progress = TargetProgress.objects.filter(withdrawn_at__isnull=True).only(
        "id", "target_id", "recorded_on", "note", "created_at"
    )
    targets = (
        Target.objects.filter(plan=plan, withdrawn_at__isnull=True)
        .select_related("accountable_teacher")
        .prefetch_related(
            "supporting_staff",
            Prefetch("progress", queryset=progress.order_by("recorded_on", "created_at"), to_attr="shown"),
        )
        .order_by("due_on", "created_at")
    )
    return PlanForParent(
        cycle=plan.cycle,
        starts_on=plan.starts_on,
        review_on=plan.review_on,
        reviewed_on=plan.reviewed_on,
        class_teacher=plan.accountable_teacher.full_name,
        strengths=plan.strengths,
        needs=plan.needs,
        what_helps=plan.strategies,
        extra_help=plan.interventions,
        expected_impact=plan.expected_impact,
        pupil_views=plan.pupil_views,
        parent_views=plan.parent_views,
        targets=tuple(
            TargetForParent(
                what=t.skill,
                how_checked=t.measure,
                starting_point=t.baseline,
                success_looks_like=t.success_criterion,
                by_when=t.due_on,
                who_helps=_who_helps(t),
                outcome=t.get_outcome_display() if t.outcome else "",
                progress=tuple(ProgressNote(p.recorded_on, p.note) for p in t.shown),
            )
            for t in targets
        ),
    )


def _passport_for_parent(pupil: Pupil) -> PassportForParent | None:
    """The newest version of the passport that staff share with the parents now."""
    passport = (
        Passport.objects.filter(
            pupil=pupil, pk__in=shared_ids(SharedKind.PASSPORT), withdrawn_at__isnull=True
        )
        .order_by("-version")
        .first()
    )
    if passport is None:
        return None
    return PassportForParent(
        written_on=timezone.localtime(passport.created_at).date(),
        strengths=passport.strengths,
        needs=passport.needs,
        what_helps=passport.what_helps,
    )


def _help_for_parent(pupil: Pupil) -> list[HelpForParent]:
    """What the school does for the child now: each intervention, how often, who runs it. Never who else
    is in the group, nor the staff's notes and scores."""
    placements = (
        Placement.objects.filter(running_on(timezone.localdate()), pupil=pupil, withdrawn_at__isnull=True)
        .select_related("group__intervention", "group__deliverer")
        .order_by("starts_on", "id")
    )
    return [
        HelpForParent(
            name=p.group.intervention.name,
            what=p.group.intervention.description,
            how_often=how_often(
                sessions_per_week=p.group.intervention.sessions_per_week,
                minutes_per_session=p.group.intervention.minutes_per_session,
                weeks=p.group.intervention.weeks,
            ),
            days=days_in_words(p.group.days),
            time_of_day=p.group.time_of_day,
            who_runs=p.group.deliverer.full_name,
            since=p.starts_on,
        )
        for p in placements
    ]


def child_overview(*, actor: Actor, pupil_id: uuid.UUID) -> ChildOverview:
    """Everything a parent may read about their child: the shared plan with its targets and progress, the
    newest shared passport, the help the school gives now, shared meeting records with the parent's answer,
    the school's questions for them, and the meetings they asked for."""
    pupil = pupil_or_404(actor, pupil_id, Resource.FAMILY, Action.VIEW)
    mine = actor.user_id
    plan = _plan_for_parent(pupil)
    passport = _passport_for_parent(pupil)
    help_now = _help_for_parent(pupil)
    meetings = (
        ParentMeeting.objects.filter(
            pupil=pupil, pk__in=shared_ids(SharedKind.MEETING), withdrawn_at__isnull=True
        )
        .select_related("led_by")
        .prefetch_related(
            Prefetch(
                "parent_responses", queryset=MeetingResponse.objects.filter(parent_id=mine), to_attr="mine"
            )
        )
        .order_by("-held_on", "-created_at")
    )
    given = ParentViews.objects.filter(request=OuterRef("pk"), given_by_id=mine).values("given_at")[:1]
    views = (
        ViewsRequest.objects.filter(pupil=pupil)
        .annotate(given_at=Subquery(given))
        .filter(_open_views() | Q(given_at__isnull=False))
        .order_by("-asked_at", "id")[:VIEWS_REQUESTS_SHOWN]
    )
    asked = list(
        MeetingRequest.objects.filter(pupil=pupil, parent_id=mine).order_by("-asked_at", "id")[
            :MEETING_REQUESTS_SHOWN
        ]
    )
    overview = ChildOverview(
        pupil=pupil,
        first_name=first_name(pupil),
        school_name=pupil.school.name,
        plan=plan,
        passport=passport,
        help=help_now,
        meetings=[
            MeetingForParent(
                id=m.pk,
                held_on=m.held_on,
                led_by=m.led_by.full_name,
                answer=m.mine[0] if m.mine else None,
            )
            for m in meetings
        ],
        views_requests=[
            ViewsForParent(
                id=v.pk,
                purpose=v.purpose,
                reply_by=v.reply_by,
                is_open=views_request_is_open(v),
                given_at=v.given_at,
            )
            for v in views
        ],
        meeting_requests=asked,
    )
    shown = {
        "plan": plan is not None,
        "targets": plan is not None and bool(plan.targets),
        "target_progress": plan is not None and any(t.progress for t in plan.targets),
        "passport": passport is not None,
        "provision": bool(help_now),
        "meetings": bool(overview.meetings),
        "views_requests": bool(overview.views_requests),
        "meeting_requests": bool(asked),
    }
    audit_record(
        actor=actor,
        action="family.view",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
        fields=["name", *(name for name, on in shown.items() if on)],
    )
    return overview


@dataclass(frozen=True)
class ChildName:
    pupil_id: uuid.UUID
    first_name: str
    school_name: str


def family_child_name(*, actor: Actor, pupil_id: uuid.UUID) -> ChildName:
    """Just the child's first name and school, for a parent's form about their child (asking for a
    meeting): a parent's own child only, and only with the right to add to their record."""
    pupil = pupil_or_404(actor, pupil_id, Resource.FAMILY, Action.ADD)
    audit_record(
        actor=actor,
        action="family.view",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
        fields=["name"],
    )
    return ChildName(pupil_id=pupil.pk, first_name=first_name(pupil), school_name=pupil.school.name)


# ---------------------------------------------------------------- a meeting record
@dataclass(frozen=True)
class MeetingRecordForParent:
    id: uuid.UUID
    pupil_id: uuid.UUID
    first_name: str
    school_name: str
    held_on: dt.date
    led_by: str
    who_attended: str
    parent_views: str
    pupil_views: str
    discussed: str
    agreed_actions: str
    next_meeting_on: dt.date | None
    answer: MeetingResponse | None


MEETING_FIELDS = [
    "held_on",
    "led_by",
    "who_attended",
    "parent_views",
    "pupil_views",
    "discussed",
    "agreed_actions",
    "next_meeting_on",
]


def family_meeting(
    *, actor: Actor, meeting_id: uuid.UUID, action: Action = Action.VIEW
) -> MeetingRecordForParent:
    """A shared meeting record about the parent's child, with the parent's own answer to it if given."""
    meeting = shared_meeting_or_404(actor, meeting_id, action)
    answer = MeetingResponse.objects.filter(meeting=meeting, parent_id=actor.user_id).first()
    audit_record(
        actor=actor,
        action="family.view",
        target_type="parent_meeting",
        target_id=meeting.pk,
        school_id=meeting.school_id,
        fields=MEETING_FIELDS + (["answer"] if answer else []),
    )
    return MeetingRecordForParent(
        id=meeting.pk,
        pupil_id=meeting.pupil_id,
        first_name=first_name(meeting.pupil),
        school_name=meeting.school.name,
        held_on=meeting.held_on,
        led_by=meeting.led_by.full_name,
        who_attended=meeting.who_attended,
        parent_views=meeting.parent_views,
        pupil_views=meeting.pupil_views,
        discussed=meeting.discussed,
        agreed_actions=meeting.agreed_actions,
        next_meeting_on=meeting.next_meeting_on,
        answer=answer,
    )


# ---------------------------------------------------------------- the school's questions
@dataclass(frozen=True)
class ViewsPageForParent:
    id: uuid.UUID
    pupil_id: uuid.UUID
    first_name: str
    school_name: str
    purpose: str
    questions: list[str]
    reply_by: dt.date
    is_open: bool
    given: ParentViews | None  # this parent's answers, once sent


def family_views_request(*, actor: Actor, views_request_id: uuid.UUID) -> ViewsPageForParent:
    """The school's questions to a parent about their child, and the parent's answers once sent."""
    request = pupil_record_or_404(actor, ViewsRequest, views_request_id, Resource.FAMILY, Action.ADD)
    given = ParentViews.objects.filter(request=request, given_by_id=actor.user_id).first()
    audit_record(
        actor=actor,
        action="family.view",
        target_type="views_request",
        target_id=request.pk,
        school_id=request.school_id,
        fields=["purpose", "questions", *(["answers"] if given else [])],
    )
    return ViewsPageForParent(
        id=request.pk,
        pupil_id=request.pupil_id,
        first_name=first_name(request.pupil),
        school_name=request.school.name,
        purpose=request.purpose,
        questions=[str(q) for q in request.questions],
        reply_by=request.reply_by,
        is_open=views_request_is_open(request),
        given=given,
    )
