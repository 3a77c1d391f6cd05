"""Reads for EHC plans and their annual reviews: the plan page, a review's page, the two documents, and the
deadlines the compliance page and the SENCo's To do count. Each reads through the access scopes; each view of
a plan or review is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import (
    intervention_groups_in_scope,
    interventions_in_scope,
    pupil_or_404,
    pupil_record_or_404,
    pupil_records_in_scope,
)
from tandem.audit.services import audit_record
from tandem.ehc.kinds import ANNUAL_REVIEW, EHC_NEED, EHC_OUTCOME, EHC_PLAN, EHC_PROVISION
from tandem.ehc.models import AnnualReview, EhcNeed, EhcOutcome, EhcPlan, EhcProvision, EhcStatus
from tandem.ehc.pdf import LocalAuthorityReport, OutcomeLine, ReviewRecord, SectionLine, TargetLine
from tandem.lib.annual_review import Deadline, Kind, ReviewDates, State, deadlines, in_words
from tandem.people.models import Membership, Pupil, Role
from tandem.plans.models import Target, TargetProgress
from tandem.provision.models import Placement
from tandem.register.models import NeedType, Provision, SenNeed, SenStatusPeriod
from tandem.revisions.selectors import (
    GivenToParents,
    HistoryRow,
    given_to_parents,
    last_changed,
    record_histories,
    record_history,
)


def _audit_view(actor: Actor, action: str, target_type: str, target_id: object, school_id: int) -> None:
    audit_record(
        actor=actor, action=action, target_type=target_type, target_id=target_id, school_id=school_id
    )


def review_dates(reviews: Iterable[AnnualReview]) -> list[ReviewDates]:
    """The dates the deadline rules read, from the reviews that count (not withdrawn)."""
    return [
        ReviewDates(
            meeting_on=r.meeting_on,
            invitations_sent_on=r.invitations_sent_on,
            papers_circulated_on=r.papers_circulated_on,
            report_sent_on=r.report_sent_on,
            key=str(r.pk),
        )
        for r in reviews
        if not r.is_withdrawn
    ]


def plan_deadlines(
    plan: EhcPlan, reviews: Iterable[AnnualReview], *, today: dt.date, soon_days: int
) -> list[Deadline]:
    """A plan's deadlines on `today` (none for a withdrawn plan: it counts for nothing)."""
    if plan.is_withdrawn:
        return []
    return deadlines(
        issued_on=plan.issued_on,
        reviews=review_dates(reviews),
        today=today,
        soon_days=soon_days,
        is_open=plan.status == EhcStatus.OPEN,
    )


# ---------------------------------------------------------------- the plan page
@dataclass(frozen=True)
class Named:
    """Something a section entry links to: a link when the viewer may open its page."""

    name: str
    url: str = ""
    detail: str = ""


@dataclass
class Entry:
    """A section B, E or F entry with what it is mapped to and its history."""

    record: Any
    links: list[Named] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)


@dataclass
class ReviewRow:
    review: AnnualReview
    deadlines: list[Deadline]


@dataclass
class PlanView:
    plan: EhcPlan
    next_review: Deadline | None
    reviews: list[ReviewRow]
    needs: list[Entry]
    outcomes: list[Entry]
    provision: list[Entry]
    withdrawn: list[Entry]
    withdrawn_reviews: list[AnnualReview]
    history: list[HistoryRow]
    register_status: str  # the pupil's open SEN status code (N, K or E)
    not_on_register: list[NeedType]  # section B's types the register does not list for the pupil


@dataclass
class EhcPage:
    pupil: Pupil
    plan: PlanView | None
    other_plans: list[EhcPlan]
    today: dt.date


def _latest_progress(targets: list[Target]) -> dict[Any, TargetProgress]:
    latest: dict[Any, TargetProgress] = {}
    entries = TargetProgress.objects.filter(target__in=targets, withdrawn_at__isnull=True).order_by(
        "recorded_on", "created_at"
    )
    for entry in entries:
        latest[entry.target_id] = entry
    return latest


def _outcome_links(actor: Actor, outcomes: list[EhcOutcome]) -> dict[Any, list[Named]]:
    targets = {t.pk: t for o in outcomes for t in o.targets.all()}
    latest = _latest_progress(list(targets.values()))
    plans = actor.can(Resource.SUPPORT_PLAN)
    links: dict[Any, list[Named]] = {}
    for outcome in outcomes:
        links[outcome.pk] = [
            Named(
                t.skill,
                reverse("plan_detail", args=[t.plan_id]) if plans else "",
                f"by {in_words(t.due_on)}"
                + (
                    f"; latest progress: {latest[t.pk].note}"
                    if t.pk in latest
                    else "; no progress recorded yet"
                )
                + (" (withdrawn)" if t.is_withdrawn else ""),
            )
            for t in sorted(outcome.targets.all(), key=lambda t: (t.due_on, t.skill.casefold()))
        ]
    return links


def _provision_links(actor: Actor, entries: list[EhcProvision]) -> dict[Any, list[Named]]:
    interventions = {i.pk for e in entries for i in e.interventions.all()}
    placements = [p for e in entries for p in e.placements.all()]
    visible = set(interventions_in_scope(actor).filter(pk__in=interventions).values_list("pk", flat=True))
    groups = set(
        intervention_groups_in_scope(actor)
        .filter(pk__in={p.group_id for p in placements})
        .values_list("pk", flat=True)
    )
    links: dict[Any, list[Named]] = {}
    for entry in entries:
        links[entry.pk] = [
            Named(
                i.name,
                reverse("intervention_detail", args=[i.pk]) if i.pk in visible else "",
                "from the school's catalogue",
            )
            for i in sorted(entry.interventions.all(), key=lambda i: i.name.casefold())
        ] + [
            Named(
                f"{p.group.intervention.name}, {p.group.name}",
                reverse("intervention_group", args=[p.group_id]) if p.group_id in groups else "",
                f"placed from {in_words(p.starts_on)}"
                + (f" to {in_words(p.ends_on)}" if p.ends_on else ", running")
                + (" (withdrawn)" if p.is_withdrawn else ""),
            )
            for p in sorted(entry.placements.all(), key=lambda p: p.starts_on)
        ]
    return links


def _plan_view(actor: Actor, plan: EhcPlan, *, today: dt.date, soon_days: int) -> PlanView:
    needs = list(EhcNeed.objects.filter(ehc_plan=plan).select_related("need_type", "withdrawn_by"))
    outcomes = list(
        EhcOutcome.objects.filter(ehc_plan=plan).select_related("withdrawn_by").prefetch_related("targets")
    )
    provision = list(
        EhcProvision.objects.filter(ehc_plan=plan)
        .select_related("withdrawn_by")
        .prefetch_related("interventions", "placements__group__intervention")
    )
    reviews = list(AnnualReview.objects.filter(ehc_plan=plan).select_related("withdrawn_by"))
    found = plan_deadlines(plan, reviews, today=today, soon_days=soon_days)
    histories = {
        **record_histories(actor=actor, kind=EHC_NEED, record_ids=[n.pk for n in needs]),
        **record_histories(actor=actor, kind=EHC_OUTCOME, record_ids=[o.pk for o in outcomes]),
        **record_histories(actor=actor, kind=EHC_PROVISION, record_ids=[p.pk for p in provision]),
    }
    links = {**_outcome_links(actor, outcomes), **_provision_links(actor, provision)}
    entries = {
        record.pk: Entry(record, links.get(record.pk, []), histories.get(record.pk, []))
        for record in [*needs, *outcomes, *provision]
    }
    open_status = SenStatusPeriod.objects.filter(pupil_id=plan.pupil_id, ends_on__isnull=True).first()
    on_register = set(
        SenNeed.objects.filter(pupil_id=plan.pupil_id, ends_on__isnull=True).values_list(
            "need_type_id", flat=True
        )
    )
    current_needs = [n for n in needs if not n.is_withdrawn]
    return PlanView(
        plan=plan,
        next_review=next((d for d in found if d.kind is Kind.REVIEW), None),
        reviews=[
            ReviewRow(r, [d for d in found if d.review == str(r.pk)]) for r in reviews if not r.is_withdrawn
        ],
        needs=[entries[n.pk] for n in current_needs],
        outcomes=[entries[o.pk] for o in outcomes if not o.is_withdrawn],
        provision=[entries[p.pk] for p in provision if not p.is_withdrawn],
        withdrawn=[entries[r.pk] for r in [*needs, *outcomes, *provision] if r.is_withdrawn],
        withdrawn_reviews=[r for r in reviews if r.is_withdrawn],
        history=record_history(actor=actor, kind=EHC_PLAN, record_id=plan.pk),
        register_status=open_status.provision if open_status else Provision.NONE,
        not_on_register=list(
            {n.need_type_id: n.need_type for n in current_needs if n.need_type_id not in on_register}.values()
        ),
    )


def _current_plan(plans: list[EhcPlan]) -> EhcPlan | None:
    """The plan the pupil's EHC page shows: the maintained one, else the latest that was not withdrawn."""
    for wanted in (lambda p: p.is_open, lambda p: not p.is_withdrawn, lambda p: True):
        chosen = next((p for p in plans if wanted(p)), None)
        if chosen is not None:
            return chosen
    return None


def ehc_page(
    *,
    actor: Actor,
    today: dt.date,
    soon_days: int,
    pupil_id: uuid.UUID | None = None,
    ehc_plan_id: uuid.UUID | None = None,
) -> EhcPage:
    """The pupil's EHC plan (the maintained one, or the one asked for) with its sections, mappings, reviews
    and deadlines, and the pupil's other plans."""
    if ehc_plan_id is not None:
        pupil = pupil_record_or_404(actor, EhcPlan, ehc_plan_id, Resource.EHC_PLAN).pupil
    elif pupil_id is not None:
        pupil = pupil_or_404(actor, pupil_id, Resource.EHC_PLAN)
    else:
        raise Http404()
    plans = list(EhcPlan.objects.filter(pupil=pupil).select_related("created_by", "withdrawn_by"))
    chosen = next((p for p in plans if p.pk == ehc_plan_id), None) if ehc_plan_id else _current_plan(plans)
    view = _plan_view(actor, chosen, today=today, soon_days=soon_days) if chosen is not None else None
    if chosen is not None:
        _audit_view(actor, "ehc_plan.view", "ehc_plan", chosen.pk, chosen.school_id)
    else:
        _audit_view(actor, "ehc_plan.view", "pupil", pupil.pk, pupil.school_id)
    return EhcPage(
        pupil=pupil,
        plan=view,
        other_plans=[p for p in plans if chosen is None or p.pk != chosen.pk],
        today=today,
    )


# ---------------------------------------------------------------- a review's page
@dataclass
class ReviewDetail:
    review: AnnualReview
    plan: EhcPlan
    deadlines: list[Deadline]
    history: list[HistoryRow]
    given: GivenToParents | None


def annual_review_detail(
    *, actor: Actor, annual_review_id: uuid.UUID, today: dt.date, soon_days: int
) -> ReviewDetail:
    review = pupil_record_or_404(actor, AnnualReview, annual_review_id, Resource.EHC_PLAN)
    plan = review.ehc_plan
    found = plan_deadlines(plan, plan.reviews.all(), today=today, soon_days=soon_days)
    _audit_view(actor, "annual_review.view", "annual_review", review.pk, review.school_id)
    return ReviewDetail(
        review=review,
        plan=plan,
        deadlines=[d for d in found if d.review == str(review.pk)] if not review.is_withdrawn else [],
        history=record_history(actor=actor, kind=ANNUAL_REVIEW, record_id=review.pk),
        given=given_to_parents(
            actor=actor,
            kind=ANNUAL_REVIEW,
            record_id=review.pk,
            changed_after=last_changed(record_ids=[review.pk]),
        ),
    )


# ---------------------------------------------------------------- the two documents
def _reviewable(actor: Actor, annual_review_id: uuid.UUID) -> AnnualReview:
    review = pupil_record_or_404(actor, AnnualReview, annual_review_id, Resource.EHC_PLAN)
    if review.is_withdrawn or review.ehc_plan.is_withdrawn:
        raise Http404("A withdrawn review is not given to anyone.")
    return review


def _outcome_lines(plan: EhcPlan) -> tuple[OutcomeLine, ...]:
    outcomes = list(
        EhcOutcome.objects.filter(ehc_plan=plan, withdrawn_at__isnull=True).prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(withdrawn_at__isnull=True))
        )
    )
    latest = _latest_progress([t for o in outcomes for t in o.targets.all()])
    return tuple(
        OutcomeLine(
            outcome=o.text,
            targets=tuple(
                TargetLine(t.skill, t.due_on, latest[t.pk].note if t.pk in latest else "")
                for t in sorted(o.targets.all(), key=lambda t: (t.due_on, t.skill.casefold()))
            ),
        )
        for o in outcomes
    )


def _senco_name(school_id: int) -> str:
    senco = (
        Membership.objects.filter(school_id=school_id, role=Role.SENCO, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return senco.user.full_name if senco else ""


def review_for_parents(*, actor: Actor, annual_review_id: uuid.UUID) -> ReviewRecord:
    """The record of the review meeting in plain words for the family; printing it is audited."""
    review = _reviewable(actor, annual_review_id)
    plan = review.ehc_plan
    _audit_view(actor, "annual_review.print", "annual_review", review.pk, review.school_id)
    return ReviewRecord(
        school_name=review.school.name,
        pupil_name=review.pupil.display_name,
        local_authority=plan.local_authority,
        meeting_on=review.meeting_on,
        who_attended=review.who_attended,
        parent_views=review.parent_views,
        pupil_views=review.pupil_views,
        working=review.working,
        not_working=review.not_working,
        outcomes=_outcome_lines(plan),
        recommendation=review.recommendation,
        amendments=review.amendments,
        senco=_senco_name(review.school_id),
    )


def review_for_local_authority(*, actor: Actor, annual_review_id: uuid.UUID) -> LocalAuthorityReport:
    """The school's report of the review for the local authority; reading it is audited."""
    review = _reviewable(actor, annual_review_id)
    plan = review.ehc_plan
    pupil = review.pupil
    needs = EhcNeed.objects.filter(ehc_plan=plan, withdrawn_at__isnull=True).select_related("need_type")
    provision = EhcProvision.objects.filter(ehc_plan=plan, withdrawn_at__isnull=True)
    _audit_view(actor, "annual_review.report", "annual_review", review.pk, review.school_id)
    return LocalAuthorityReport(
        school_name=review.school.name,
        pupil_name=f"{pupil.legal_forename} {pupil.legal_surname}",
        date_of_birth=pupil.date_of_birth,
        upn=pupil.upn,
        year_group=pupil.year_group,
        local_authority=plan.local_authority,
        issued_on=plan.issued_on,
        last_amended_on=plan.last_amended_on,
        meeting_on=review.meeting_on,
        invitations_sent_on=review.invitations_sent_on,
        advice_requested_on=review.advice_requested_on,
        papers_circulated_on=review.papers_circulated_on,
        who_attended=review.who_attended,
        parent_views=review.parent_views,
        pupil_views=review.pupil_views,
        working=review.working,
        not_working=review.not_working,
        needs=tuple(
            SectionLine(
                n.text, f"{n.need_type.name} ({n.need_type.code}), {n.need_type.get_broad_area_display()}"
            )
            for n in needs
        ),
        outcomes=_outcome_lines(plan),
        provision=tuple(SectionLine(p.text, p.linked_provision.replace("\n", "; ")) for p in provision),
        recommendation=review.recommendation,
        amendments=review.amendments,
        differences=review.differences,
        prepared_by=_senco_name(review.school_id),
        report_sent_on=review.report_sent_on,
    )


# ---------------------------------------------------------------- form choices
def need_type_choices(*, keep: str = "") -> list[tuple[str, str]]:
    """The census types of need, by name (not "no specialist assessment": section B records assessed needs);
    `keep`: the type an entry already has, even if no longer current."""
    types = NeedType.objects.filter(is_current=True).exclude(code="NSA")
    chosen = list(types) + (
        [NeedType.objects.get(code=keep)] if keep and not types.filter(code=keep).exists() else []
    )
    return [(t.code, f"{t.name} ({t.get_broad_area_display()})") for t in chosen]


def target_choices(*, pupil_id: Any, keep: Iterable[Any] = ()) -> list[tuple[str, str]]:
    """The pupil's SMART targets on plans not withdrawn, newest cycle first; `keep`: those already linked."""
    targets = Target.objects.filter(pupil_id=pupil_id).select_related("plan")
    current = targets.filter(withdrawn_at__isnull=True, plan__withdrawn_at__isnull=True)
    chosen = list(current) + list(targets.filter(pk__in=list(keep)).exclude(pk__in=current.values("pk")))
    chosen.sort(key=lambda t: (-t.plan.cycle, t.due_on, t.skill.casefold()))
    return [
        (
            str(t.pk),
            f"{t.skill} (support plan cycle {t.plan.cycle}, by {in_words(t.due_on)}"
            + (f", {t.get_outcome_display().lower()}" if t.outcome else "")
            + ")",
        )
        for t in chosen
    ]


def placement_choices(*, pupil_id: Any, keep: Iterable[Any] = ()) -> list[tuple[str, str]]:
    """The pupil's places in intervention groups, newest first; `keep`: those already linked."""
    placements = Placement.objects.filter(pupil_id=pupil_id).select_related("group__intervention")
    current = placements.filter(withdrawn_at__isnull=True)
    chosen = list(current) + list(placements.filter(pk__in=list(keep)).exclude(pk__in=current.values("pk")))
    chosen.sort(key=lambda p: p.starts_on, reverse=True)
    return [
        (
            str(p.pk),
            f"{p.group.intervention.name}, {p.group.name}, from {in_words(p.starts_on)}"
            + (f" to {in_words(p.ends_on)}" if p.ends_on else ""),
        )
        for p in chosen
    ]


# ---------------------------------------------------------------- compliance and To do
@dataclass(frozen=True)
class PlanDeadline:
    """One deadline of one plan, with the pupil and the page to act on it."""

    pupil: Pupil
    plan: EhcPlan
    deadline: Deadline
    url: str


@dataclass
class EhcCompliance:
    """The annual review deadlines across the school's maintained EHC plans, each list soonest first."""

    reviews_due_soon: list[PlanDeadline] = field(default_factory=list)
    reviews_overdue: list[PlanDeadline] = field(default_factory=list)
    # Advice and information not circulated two weeks before a meeting still to come.
    papers_late: list[PlanDeadline] = field(default_factory=list)
    papers_to_do: list[PlanDeadline] = field(default_factory=list)  # not late yet, due within the window
    reports_late: list[PlanDeadline] = field(default_factory=list)
    reports_to_do: list[PlanDeadline] = field(
        default_factory=list
    )  # the meeting held, the report not yet due
    open_plans: int = 0


def _maintained_plans(actor: Actor) -> QuerySet[EhcPlan]:
    live_reviews = AnnualReview.objects.filter(withdrawn_at__isnull=True)
    return (
        pupil_records_in_scope(actor, EhcPlan, Resource.EHC_PLAN, Action.VIEW)
        .filter(status=EhcStatus.OPEN, withdrawn_at__isnull=True)
        .select_related("pupil")
        .prefetch_related(Prefetch("reviews", queryset=live_reviews))
    )


def ehc_compliance(*, actor: Actor, today: dt.date, soon_days: int) -> EhcCompliance:
    """What the Code's annual review rules ask of the school today (Code 9.166, 9.169, 9.176), with the
    pupils behind each count. Two queries however many plans: the dates are worked out in Python."""
    result = EhcCompliance()
    if not actor.can(Resource.EHC_PLAN):
        return result
    plans = list(_maintained_plans(actor))
    result.open_plans = len(plans)
    for plan in plans:
        reviews = list(plan.reviews.all())
        for deadline in plan_deadlines(plan, reviews, today=today, soon_days=soon_days):
            url = (
                reverse("annual_review_detail", args=[deadline.review])
                if deadline.review
                else reverse("ehc_pupil", args=[plan.pupil_id])
            )
            row = PlanDeadline(plan.pupil, plan, deadline, url)
            upcoming = deadline.meeting_on is not None and deadline.meeting_on >= today
            if deadline.kind is Kind.REVIEW and deadline.state is State.OVERDUE:
                result.reviews_overdue.append(row)
            elif deadline.kind is Kind.REVIEW and deadline.state is State.DUE_SOON:
                result.reviews_due_soon.append(row)
            elif deadline.kind is Kind.PAPERS and deadline.state is State.LATE and upcoming:
                result.papers_late.append(row)
            elif (
                deadline.kind is Kind.PAPERS
                and deadline.state is State.TO_DO
                and (deadline.due_on - today).days <= soon_days
            ):
                result.papers_to_do.append(row)
            elif deadline.kind is Kind.REPORT and deadline.state is State.LATE:
                result.reports_late.append(row)
            elif deadline.kind is Kind.REPORT and deadline.state is State.TO_DO:
                result.reports_to_do.append(row)
    for rows in (
        result.reviews_due_soon,
        result.reviews_overdue,
        result.papers_late,
        result.papers_to_do,
        result.reports_late,
        result.reports_to_do,
    ):
        rows.sort(key=lambda r: (r.deadline.due_on, r.pupil.legal_surname, r.pupil.legal_forename))
    return result
