"""Writes for support plans (APDR cycles), targets, reviews and parent meetings.

Each is one transaction with its audit event. Every plan and target names an accountable teacher
who teaches the pupil (Code 6.36); every plan has a review date (6.48).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.audit.services import audit_record
from tandem.core.validation import require_date, require_past_or_today, require_text
from tandem.exchange.parent_pdf import ParentMeetingRecord, ParentPlan
from tandem.lib.isp import DID_NOT_TAKE_PART, REASON_LIMIT, review_date_problem
from tandem.lib.smart import Complaint, TargetDraft, check_target
from tandem.people.accountability import (
    accountable_teacher_set,
    accountable_teachers,
    require_accountable_teacher,
)
from tandem.people.models import Membership, Pupil, Role
from tandem.plans.links import (
    catalogue_interventions,
    interventions_text,
    other_supporters,
    supporters_line,
    supporting_staff,
)
from tandem.plans.models import (
    NextStep,
    ParentMeeting,
    ParentParticipation,
    PlanType,
    PupilParticipation,
    SupportPlan,
    Target,
    TargetOutcome,
    TargetProgress,
)
from tandem.plans.selectors import meeting_for_parents, plan_for_parents
from tandem.progress.selectors import progress_snapshot
from tandem.provision.models import Layer
from tandem.register.models import Provision, SenStatusPeriod
from tandem.register.services import sen_support_end
from tandem.revisions.kinds import MEETING, PLAN, TARGET, TARGET_PROGRESS
from tandem.revisions.services import record_correct, record_withdraw, shared_document_record

NO_REVIEW_DATE = "Enter a review date: the Code asks for a clear date to review the plan (6.48)."


@dataclass(frozen=True)
class PlanFields:
    """What the SENCo writes in the Assess and Plan steps."""

    accountable_teacher_id: int | None
    summary: str
    strengths: str
    needs: str
    pupil_views: str
    parent_views: str
    strategies: str
    expected_impact: str
    starts_on: dt.date | None
    review_on: dt.date | None
    evidence: str = ""
    intervention_ids: Sequence[uuid.UUID | str] = ()  # from the school's catalogue
    other_interventions: str = ""  # anything not in the catalogue, in words
    # Ready for an Individual Support Plan (tandem/lib/isp.py): "" or None when not given.
    layer: str = ""  # targeted when not given
    plan_type: str = ""  # an SEN support plan when not given
    need_identified_on: dt.date | None = None
    agreed_on: dt.date | None = None
    parent_participation: str = ""
    parent_participation_reason: str = ""
    pupil_participation: str = ""
    pupil_participation_reason: str = ""


@dataclass(frozen=True)
class TargetFields:
    skill: str
    measure: str
    baseline: str
    success_criterion: str
    due_on: dt.date | None
    accountable_teacher_id: int | None
    supporter_ids: Sequence[int | str] = ()  # staff at the pupil's school
    other_supporters: str = ""  # anyone else, in words ("speech and language therapist")
    # The writer has read the advice and keeps the wording: only for the judgement rules below.
    advice_checked: bool = False


# Rules a careful writer may overrule (a criterion like "writes a sentence with a full stop" is
# measurable without a number); every other SMART complaint must be fixed before the target saves.
ADVISORY_RULES = frozenset({"vague_skill", "success_criterion_not_measurable"})


def require_on_register(pupil: Pupil) -> None:
    on_register = SenStatusPeriod.objects.filter(
        pupil=pupil, ends_on__isnull=True, provision__in=[Provision.SEN_SUPPORT, Provision.EHC_PLAN]
    ).exists()
    if not on_register:
        raise ValidationError(
            "This pupil is not on SEN support. Record the decision to start SEN support first: "
            "a support plan follows it."
        )


def plan_dates_checked(starts_on: dt.date | None, review_on: dt.date | None) -> tuple[dt.date, dt.date]:
    start = require_date(starts_on, "starts_on", "Enter the date the plan starts.")
    review = require_date(review_on, "review_on", NO_REVIEW_DATE)
    # After it starts, and no more than 12 months later (tandem/lib/isp.py).
    problem = review_date_problem(starts_on=start, review_on=review)
    if problem is not None:
        raise ValidationError({"review_on": problem})
    return start, review


ISP_NOT_ENABLED = (
    "The Individual Support Plan is proposed in the 2026 Schools White Paper but the law has not changed "
    "yet: choose an SEN support plan (or an EHC plan)."
)
# The plan's fields that make it ready for an Individual Support Plan, as `isp_values` returns them.
ISP_FIELDS = (
    "layer",
    "plan_type",
    "need_identified_on",
    "agreed_on",
    "parent_participation",
    "parent_participation_reason",
    "pupil_participation",
    "pupil_participation_reason",
)
_TAKING_PART = (
    ("parent", ParentParticipation, "the parents"),
    ("pupil", PupilParticipation, "the pupil"),
)


def isp_values(*, values: Mapping[str, Any], current: SupportPlan | None = None) -> dict[str, Any]:
    """A plan's layer, kind, dates and participation, checked, from `values` as a form or a plan file gives
    them ("" or None where not given). A new plan is targeted SEN support unless told otherwise; a correction
    keeps the layer and kind it has, and an Individual Support Plan written while they were offered."""
    layer = str(values.get("layer") or (current.layer if current else Layer.TARGETED))
    if layer not in Layer.values:
        raise ValidationError({"layer": "Choose a layer of support from the list."})
    plan_type = str(values.get("plan_type") or (current.plan_type if current else PlanType.SEN_SUPPORT))
    if plan_type not in PlanType.values:
        raise ValidationError({"plan_type": "Choose the kind of plan from the list."})
    kept_isp = current is not None and current.plan_type == PlanType.ISP
    if plan_type == PlanType.ISP and not settings.TANDEM_ISP_ENABLED and not kept_isp:
        raise ValidationError({"plan_type": ISP_NOT_ENABLED})
    identified, agreed = values.get("need_identified_on"), values.get("agreed_on")
    today = timezone.localdate()
    for name, day in (("need_identified_on", identified), ("agreed_on", agreed)):
        if day is not None and day > today:
            raise ValidationError({name: "This date is in the future: record it once it has happened."})
    if identified is not None and agreed is not None and agreed < identified:
        raise ValidationError({"agreed_on": "This is before the need was identified: check both dates."})
    result: dict[str, Any] = {
        "layer": layer,
        "plan_type": plan_type,
        "need_identified_on": identified,
        "agreed_on": agreed,
    }
    for who, choices, words in _TAKING_PART:
        how = str(values.get(f"{who}_participation") or "")
        reason = str(values.get(f"{who}_participation_reason") or "").strip()
        if how and how not in choices.values:
            raise ValidationError({f"{who}_participation": f"Choose how {words} took part from the list."})
        if how == DID_NOT_TAKE_PART and not reason:
            raise ValidationError(
                {f"{who}_participation_reason": f"Say why {words} did not take part, and what was tried."}
            )
        if reason and how != DID_NOT_TAKE_PART:
            raise ValidationError(
                {f"{who}_participation_reason": f"Give a reason only when {words} did not take part."}
            )
        if len(reason) > REASON_LIMIT:
            raise ValidationError(
                {f"{who}_participation_reason": f"Keep this to {REASON_LIMIT} characters or fewer."}
            )
        result[f"{who}_participation"] = how
        result[f"{who}_participation_reason"] = reason
    return result


def plan_create(*, actor: Actor, pupil_id: uuid.UUID, fields: PlanFields) -> SupportPlan:
    """The first cycle for a pupil on SEN support, or a fresh one when none is open."""
    pupil = pupil_or_404(actor, pupil_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    with transaction.atomic():
        require_on_register(pupil)
        start, review = plan_dates_checked(fields.starts_on, fields.review_on)
        isp = isp_values(values={name: getattr(fields, name) for name in ISP_FIELDS})
        text = require_text(
            summary=fields.summary,
            strengths=fields.strengths,
            needs=fields.needs,
            pupil_views=fields.pupil_views,
            parent_views=fields.parent_views,
            strategies=fields.strategies,
            expected_impact=fields.expected_impact,
        )
        teacher = require_accountable_teacher(
            pupil=pupil, user_id=fields.accountable_teacher_id, field="accountable_teacher"
        )
        chosen = catalogue_interventions(school_id=pupil.school_id, ids=fields.intervention_ids)
        other_interventions = fields.other_interventions.strip()
        # Locking the pupil's row makes two plans written at once for one pupil take turns, so the second
        # finds the first's open plan here instead of failing on plan_one_open_per_pupil (a 500).
        Pupil.objects.select_for_update(no_key=True).filter(pk=pupil.pk).first()
        if SupportPlan.objects.filter(
            pupil=pupil, reviewed_on__isnull=True, withdrawn_at__isnull=True
        ).exists():
            raise ValidationError("This pupil already has an open plan: review it to start the next cycle.")
        cycle = (SupportPlan.objects.filter(pupil=pupil).aggregate(c=Max("cycle"))["c"] or 0) + 1
        plan = SupportPlan.objects.create(
            pupil=pupil,
            school_id=pupil.school_id,
            cycle=cycle,
            accountable_teacher=teacher,
            evidence=fields.evidence.strip(),
            other_interventions=other_interventions,
            interventions=interventions_text(chosen=chosen, other=other_interventions),
            progress_snapshot=progress_snapshot(actor=actor, pupil_id=pupil.pk)
            if actor.can(Resource.PROGRESS)
            else [],
            starts_on=start,
            review_on=review,
            created_by_id=actor.user_id,
            **isp,
            **text,
        )
        plan.catalogue_interventions.set(chosen)
        audit_record(
            actor=actor,
            action="support_plan.create",
            target_type="support_plan",
            target_id=plan.pk,
            school_id=pupil.school_id,
            fields=sorted(
                {
                    "accountable_teacher",
                    "starts_on",
                    "review_on",
                    "evidence",
                    "catalogue_interventions",
                    "other_interventions",
                    *ISP_FIELDS,
                    *text,
                }
            ),
        )
        return plan


def target_complaints(
    *, plan: SupportPlan, fields: TargetFields, teacher_name: str, supporters: str = ""
) -> list[Complaint]:
    draft = TargetDraft(
        skill=fields.skill,
        measure=fields.measure,
        baseline=fields.baseline,
        success_criterion=fields.success_criterion,
        due_on=fields.due_on,
        accountable_teacher=teacher_name,
        supporters=supporters,
    )
    return check_target(draft, plan_review_on=plan.review_on, today=timezone.localdate())


def target_add(*, actor: Actor, plan_id: uuid.UUID, fields: TargetFields) -> Target:
    """A SMART target on an open plan. The SMART check must pass: each complaint is shown to the writer."""
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    with transaction.atomic():
        if not plan.is_open:
            raise ValidationError("This plan has been reviewed; add targets to the current cycle.")
        teacher = require_accountable_teacher(
            pupil=plan.pupil, user_id=fields.accountable_teacher_id, field="accountable_teacher"
        )
        staff = supporting_staff(pupil=plan.pupil, ids=fields.supporter_ids)
        other = other_supporters(fields.other_supporters)
        line = supporters_line(staff=staff, other=other)
        complaints = target_complaints(
            plan=plan, fields=fields, teacher_name=teacher.full_name, supporters=line
        )
        if fields.advice_checked:
            complaints = [c for c in complaints if c.rule not in ADVISORY_RULES]
        if complaints:
            errors: dict[str, list[str]] = {}
            for complaint in complaints:
                errors.setdefault(complaint.field, []).append(complaint.message)
            raise ValidationError(errors)
        assert fields.due_on is not None  # the SMART check refuses a target without a deadline
        target = Target.objects.create(
            plan=plan,
            pupil_id=plan.pupil_id,
            school_id=plan.school_id,
            skill=fields.skill.strip(),
            measure=fields.measure.strip(),
            baseline=fields.baseline.strip(),
            success_criterion=fields.success_criterion.strip(),
            due_on=fields.due_on,
            accountable_teacher=teacher,
            other_supporters=other,
            supporters=line,
        )
        target.supporting_staff.set(staff)
        audit_record(
            actor=actor,
            action="target.add",
            target_type="target",
            target_id=target.pk,
            school_id=plan.school_id,
            fields=[
                "skill",
                "measure",
                "baseline",
                "success_criterion",
                "due_on",
                "accountable_teacher",
                "supporting_staff",
                "other_supporters",
            ],
        )
        return target


def target_progress_record(
    *, actor: Actor, target_id: uuid.UUID, recorded_on: dt.date | None, note: str, evidence: str = ""
) -> TargetProgress:
    """Progress against a target, dated, with evidence: by its teacher, the SENCo or a supporting TA."""
    target = pupil_record_or_404(actor, Target, target_id, Resource.SUPPORT_PLAN, Action.ADD)
    with transaction.atomic():
        if target.outcome:
            raise ValidationError("This target has been closed at a review.")
        if target.is_withdrawn or target.plan.is_withdrawn:
            raise ValidationError("This target or its plan has been withdrawn.")
        day = require_past_or_today(recorded_on, "recorded_on")
        text = require_text(note=note)
        entry = TargetProgress.objects.create(
            target=target,
            pupil_id=target.pupil_id,
            school_id=target.school_id,
            recorded_on=day,
            note=text["note"],
            evidence=evidence.strip(),
            recorded_by_id=actor.user_id,
        )
        audit_record(
            actor=actor,
            action="target.progress",
            target_type="target",
            target_id=target.pk,
            school_id=target.school_id,
            fields=["recorded_on", "note", "evidence"],
        )
        return entry


def plan_do_record(*, actor: Actor, plan_id: uuid.UUID, note: str) -> SupportPlan:
    """Add a dated line to the Do step: what happened in class and in support."""
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.ADD)
    with transaction.atomic():
        if not plan.is_open:
            raise ValidationError("This plan has been reviewed; add notes to the current cycle.")
        text = require_text(note=note)["note"]
        line = f"{timezone.localdate():%d %b %Y}, {actor.user.full_name}: {text}"
        plan.do_notes = f"{plan.do_notes}\n{line}".strip()
        plan.save(update_fields=["do_notes"])
        audit_record(
            actor=actor,
            action="support_plan.do",
            target_type="support_plan",
            target_id=plan.pk,
            school_id=plan.school_id,
            fields=["do_notes"],
        )
        return plan


@dataclass(frozen=True)
class ReviewFields:
    reviewed_on: dt.date | None
    summary: str
    pupil_views: str
    parent_views: str
    target_outcomes: Mapping[str, str]  # target id -> TargetOutcome value
    next_step: str
    next_review_on: dt.date | None = None


def plan_review(*, actor: Actor, plan_id: uuid.UUID, fields: ReviewFields) -> SupportPlan | None:
    """Review the cycle (6.54-6.56). Unless support ends, the next cycle opens; it is returned."""
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    with transaction.atomic():
        plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        if not plan.is_open:
            raise ValidationError("This plan has already been reviewed.")
        day = require_past_or_today(fields.reviewed_on, "reviewed_on")
        text = require_text(
            summary=fields.summary, pupil_views=fields.pupil_views, parent_views=fields.parent_views
        )
        if fields.next_step not in NextStep.values:
            raise ValidationError({"next_step": "Choose the next step."})
        targets = list(plan.targets.filter(withdrawn_at__isnull=True))
        missing = [t for t in targets if fields.target_outcomes.get(str(t.pk)) not in TargetOutcome.values]
        if missing:
            raise ValidationError({"target_outcomes": "Record how far each target was met."})
        next_review = None
        if fields.next_step != NextStep.END:
            next_review = require_date(fields.next_review_on, "next_review_on", NO_REVIEW_DATE)
            plan_dates_checked(day, next_review)
        for target in targets:
            target.outcome = fields.target_outcomes[str(target.pk)]
        Target.objects.bulk_update(targets, ["outcome"])
        plan.reviewed_on = day
        plan.reviewed_by_id = actor.user_id
        plan.review_summary = text["summary"]
        plan.review_pupil_views = text["pupil_views"]
        plan.review_parent_views = text["parent_views"]
        plan.next_step = fields.next_step
        plan.save(
            update_fields=[
                "reviewed_on",
                "reviewed_by",
                "review_summary",
                "review_pupil_views",
                "review_parent_views",
                "next_step",
            ]
        )
        audit_record(
            actor=actor,
            action="support_plan.review",
            target_type="support_plan",
            target_id=plan.pk,
            school_id=plan.school_id,
            fields=[
                "reviewed_on",
                "review_summary",
                "review_pupil_views",
                "review_parent_views",
                "next_step",
            ],
        )
        if fields.next_step == NextStep.END:
            sen_support_end(actor=actor, pupil_id=plan.pupil_id, ends_on=day)
            return None
        assert next_review is not None
        return _next_cycle(actor=actor, plan=plan, starts_on=day, review_on=next_review)


def _next_cycle(*, actor: Actor, plan: SupportPlan, starts_on: dt.date, review_on: dt.date) -> SupportPlan:
    """Open the next cycle from the reviewed one: the assessment carries over, to be updated."""
    teacher_id = plan.accountable_teacher_id
    if not accountable_teachers(pupil=plan.pupil).filter(pk=teacher_id).exists():
        raise ValidationError(
            "The plan's accountable teacher no longer teaches this pupil: choose a new one on the "
            "compliance page before reviewing."
        )
    following = SupportPlan.objects.create(
        pupil_id=plan.pupil_id,
        school_id=plan.school_id,
        cycle=plan.cycle + 1,
        previous=plan,
        accountable_teacher_id=teacher_id,
        summary=plan.review_summary,
        strengths=plan.strengths,
        needs=plan.needs,
        pupil_views=plan.review_pupil_views,
        parent_views=plan.review_parent_views,
        evidence=plan.evidence,
        progress_snapshot=plan.progress_snapshot,
        strategies=plan.strategies,
        other_interventions=plan.other_interventions,
        interventions=plan.interventions,
        expected_impact=plan.expected_impact,
        starts_on=starts_on,
        review_on=review_on,
        # The layer and kind carry on; the new cycle's agreement and who took part are its own to record.
        layer=plan.layer,
        plan_type=plan.plan_type,
        created_by_id=actor.user_id,
    )
    following.catalogue_interventions.set(plan.catalogue_interventions.all())
    if plan.next_step in (NextStep.CONTINUE, NextStep.SPECIALIST):
        _carry_targets(plan=plan, following=following, due_on=review_on)
    audit_record(
        actor=actor,
        action="support_plan.create",
        target_type="support_plan",
        target_id=following.pk,
        school_id=plan.school_id,
        fields=["previous", "review_on", "targets", "layer", "plan_type"],
    )
    return following


def _carry_targets(*, plan: SupportPlan, following: SupportPlan, due_on: dt.date) -> None:
    """The reviewed plan's targets not met, into the next cycle, with the same people supporting them."""
    carried = [
        t
        for t in plan.targets.filter(withdrawn_at__isnull=True).prefetch_related("supporting_staff")
        if t.outcome != TargetOutcome.MET
    ]
    copies = Target.objects.bulk_create(
        Target(
            plan=following,
            pupil_id=t.pupil_id,
            school_id=t.school_id,
            skill=t.skill,
            measure=t.measure,
            baseline=t.baseline,
            success_criterion=t.success_criterion,
            due_on=due_on,
            accountable_teacher_id=t.accountable_teacher_id,
            other_supporters=t.other_supporters,
            supporters=t.supporters,
            carried_from=t,
        )
        for t in carried
    )
    links = Target.supporting_staff.through
    links.objects.bulk_create(
        links(target_id=copy.pk, user_id=user.pk)
        for copy, t in zip(copies, carried, strict=True)
        for user in t.supporting_staff.all()
    )


@dataclass(frozen=True)
class MeetingFields:
    held_on: dt.date | None
    led_by_id: int | None
    who_attended: str
    parent_views: str
    discussed: str
    agreed_actions: str
    pupil_views: str = ""
    shared_with_parents_on: dt.date | None = None
    next_meeting_on: dt.date | None = None


def _require_meeting_lead(pupil: Pupil, led_by_id: int | None) -> int:
    """A teacher who knows the pupil, or the SENCo, leads a meeting with parents (Code 6.67)."""
    if led_by_id is None:
        raise ValidationError({"led_by": "Choose who led the meeting."})
    is_senco = Membership.objects.filter(
        user_id=led_by_id, school_id=pupil.school_id, role=Role.SENCO, is_active=True
    ).exists()
    if not is_senco and not accountable_teachers(pupil=pupil).filter(pk=led_by_id).exists():
        raise ValidationError(
            {"led_by": "The meeting should be led by one of the pupil's teachers or the SENCo."}
        )
    return led_by_id


def _meeting_values(pupil: Pupil, fields: MeetingFields, recorded_lead: int | None = None) -> dict[str, Any]:
    """A meeting's fields, checked as the record of a meeting that has happened. A correction keeps the
    lead it recorded even if they no longer teach the pupil: they led it then."""
    held_on = require_past_or_today(fields.held_on, "held_on")
    if recorded_lead is not None and fields.led_by_id == recorded_lead:
        led_by_id = recorded_lead
    else:
        led_by_id = _require_meeting_lead(pupil, fields.led_by_id)
    text = require_text(
        who_attended=fields.who_attended,
        parent_views=fields.parent_views,
        discussed=fields.discussed,
        agreed_actions=fields.agreed_actions,
    )
    if fields.shared_with_parents_on is not None:
        require_past_or_today(fields.shared_with_parents_on, "shared_with_parents_on")
        if fields.shared_with_parents_on < held_on:
            raise ValidationError({"shared_with_parents_on": "The record is shared after the meeting."})
    if fields.next_meeting_on is not None and fields.next_meeting_on <= held_on:
        raise ValidationError({"next_meeting_on": "The next meeting must be after this one."})
    return {
        "held_on": held_on,
        "led_by_id": led_by_id,
        "pupil_views": fields.pupil_views.strip(),
        "shared_with_parents_on": fields.shared_with_parents_on,
        "next_meeting_on": fields.next_meeting_on,
        **text,
    }


def meeting_record(*, actor: Actor, pupil_id: uuid.UUID, fields: MeetingFields) -> ParentMeeting:
    pupil = pupil_or_404(actor, pupil_id, Resource.PARENT_MEETING, Action.MANAGE)
    with transaction.atomic():
        values = _meeting_values(pupil, fields)
        meeting = ParentMeeting.objects.create(
            pupil=pupil,
            school_id=pupil.school_id,
            plan=SupportPlan.objects.filter(
                pupil=pupil, reviewed_on__isnull=True, withdrawn_at__isnull=True
            ).first(),
            recorded_by_id=actor.user_id,
            **values,
        )
        audit_record(
            actor=actor,
            action="parent_meeting.record",
            target_type="parent_meeting",
            target_id=meeting.pk,
            school_id=pupil.school_id,
            fields=sorted(name.removesuffix("_id") for name in values),
        )
        return meeting


def plan_owner_change(*, actor: Actor, plan_id: uuid.UUID, teacher_id: int | None) -> SupportPlan:
    """A new accountable teacher for an open plan, and for its open targets the old one held."""
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    with transaction.atomic():
        if not plan.is_open:
            raise ValidationError("This plan has been reviewed; change the owner of the current cycle.")
        teacher = require_accountable_teacher(
            pupil=plan.pupil, user_id=teacher_id, field="accountable_teacher"
        )
        moved = plan.targets.filter(
            outcome="", withdrawn_at__isnull=True, accountable_teacher_id=plan.accountable_teacher_id
        ).update(accountable_teacher=teacher)
        accountable_teacher_set(
            actor=actor,
            record=plan,
            teacher=teacher,
            target_type="support_plan",
            also_changed=["targets.accountable_teacher"] if moved else [],
        )
    return plan


def target_owner_change(*, actor: Actor, target_id: uuid.UUID, teacher_id: int | None) -> Target:
    target = pupil_record_or_404(actor, Target, target_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    with transaction.atomic():
        teacher = require_accountable_teacher(
            pupil=target.pupil, user_id=teacher_id, field="accountable_teacher"
        )
        accountable_teacher_set(actor=actor, record=target, teacher=teacher, target_type="target")
    return target


# ---------------------------------------------------------------- corrections and withdrawals
PLAN_TEXT = ("summary", "strengths", "needs", "pupil_views", "parent_views", "strategies", "expected_impact")
PLAN_OPTIONAL_TEXT = ("evidence",)
REVIEW_TEXT = ("review_summary", "review_pupil_views", "review_parent_views")


def plan_correct(
    *, actor: Actor, plan_id: uuid.UUID, version: int | None, values: Mapping[str, Any], reason: str = ""
) -> SupportPlan:
    """Correct what a plan says, open or reviewed (a typo in the parents' copy); the history keeps the
    words it replaced. `values` holds the plan form's fields, and the review's words once reviewed."""
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    with transaction.atomic():
        start, review = plan_dates_checked(values.get("starts_on"), values.get("review_on"))
        isp = isp_values(values=values, current=plan)
        required = PLAN_TEXT + (REVIEW_TEXT if plan.reviewed_on is not None else ())
        text = require_text(**{name: str(values.get(name) or "") for name in required})
        optional = {name: str(values.get(name) or "").strip() for name in PLAN_OPTIONAL_TEXT}
        chosen = catalogue_interventions(school_id=plan.school_id, ids=values.get("intervention_ids") or ())
        other = str(values.get("other_interventions") or "").strip()
        # The history keeps the names as one text; the links and the words are saved beside it.
        corrected = record_correct(
            actor=actor,
            record=plan,
            kind=PLAN,
            version=version,
            values={
                **text,
                **optional,
                "interventions": interventions_text(chosen=chosen, other=other),
                "starts_on": start,
                "review_on": review,
                **isp,
            },
            reason=reason,
        )
        corrected.other_interventions = other
        corrected.save(update_fields=["other_interventions"])
        corrected.catalogue_interventions.set(chosen)
        return corrected


def plan_withdraw(*, actor: Actor, plan_id: uuid.UUID, version: int | None, reason: str) -> SupportPlan:
    """Withdraw a plan written by mistake; a new one can then be written for the pupil."""
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    with transaction.atomic():
        if SupportPlan.objects.filter(previous=plan, withdrawn_at__isnull=True).exists():
            raise ValidationError(
                "A later cycle carries on from this plan: correct this one instead, or withdraw the later "
                "cycle first."
            )
        return record_withdraw(actor=actor, record=plan, kind=PLAN, version=version, reason=reason)


def target_correct(
    *, actor: Actor, target_id: uuid.UUID, version: int | None, fields: TargetFields, reason: str = ""
) -> Target:
    """Correct a target's wording or deadline; the SMART check applies as when it was added."""
    target = pupil_record_or_404(actor, Target, target_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    with transaction.atomic():
        plan = target.plan
        staff = supporting_staff(
            pupil=target.pupil,
            ids=fields.supporter_ids,
            keep=target.supporting_staff.values_list("pk", flat=True),
        )
        other = other_supporters(fields.other_supporters)
        line = supporters_line(staff=staff, other=other)
        complaints = target_complaints(
            plan=plan, fields=fields, teacher_name=target.accountable_teacher.full_name, supporters=line
        )
        # A deadline that has passed since the target was set is history, not a mistake to correct.
        keeps_deadline = fields.due_on == target.due_on or plan.reviewed_on is not None
        complaints = [
            c
            for c in complaints
            if not (fields.advice_checked and c.rule in ADVISORY_RULES)
            and not (keeps_deadline and c.rule == "deadline_not_in_future")
        ]
        if complaints:
            errors: dict[str, list[str]] = {}
            for complaint in complaints:
                errors.setdefault(complaint.field, []).append(complaint.message)
            raise ValidationError(errors)
        corrected = record_correct(
            actor=actor,
            record=target,
            kind=TARGET,
            version=version,
            values={
                "skill": fields.skill.strip(),
                "measure": fields.measure.strip(),
                "baseline": fields.baseline.strip(),
                "success_criterion": fields.success_criterion.strip(),
                "due_on": fields.due_on,
                "supporters": line,
            },
            reason=reason,
        )
        # The history keeps the names as one line; the links and the words are saved beside it.
        corrected.other_supporters = other
        corrected.save(update_fields=["other_supporters"])
        corrected.supporting_staff.set(staff)
        return corrected


def target_withdraw(*, actor: Actor, target_id: uuid.UUID, version: int | None, reason: str) -> Target:
    target = pupil_record_or_404(actor, Target, target_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    with transaction.atomic():
        return record_withdraw(actor=actor, record=target, kind=TARGET, version=version, reason=reason)


def target_progress_correct(
    *,
    actor: Actor,
    progress_id: uuid.UUID,
    version: int | None,
    recorded_on: dt.date | None,
    note: str,
    evidence: str = "",
    reason: str = "",
) -> TargetProgress:
    """Correct a progress entry: by anyone who may record progress on the target."""
    entry = pupil_record_or_404(actor, TargetProgress, progress_id, Resource.SUPPORT_PLAN, Action.ADD)
    with transaction.atomic():
        day = require_past_or_today(recorded_on, "recorded_on")
        text = require_text(note=note)
        return record_correct(
            actor=actor,
            record=entry,
            kind=TARGET_PROGRESS,
            version=version,
            values={"recorded_on": day, "note": text["note"], "evidence": evidence.strip()},
            reason=reason,
        )


def target_progress_withdraw(
    *, actor: Actor, progress_id: uuid.UUID, version: int | None, reason: str
) -> TargetProgress:
    entry = pupil_record_or_404(actor, TargetProgress, progress_id, Resource.SUPPORT_PLAN, Action.ADD)
    with transaction.atomic():
        return record_withdraw(
            actor=actor, record=entry, kind=TARGET_PROGRESS, version=version, reason=reason
        )


def meeting_correct(
    *, actor: Actor, meeting_id: uuid.UUID, version: int | None, fields: MeetingFields, reason: str = ""
) -> ParentMeeting:
    """Correct a meeting record; the checks are those of recording it."""
    meeting = pupil_record_or_404(actor, ParentMeeting, meeting_id, Resource.PARENT_MEETING, Action.MANAGE)
    with transaction.atomic():
        values = _meeting_values(meeting.pupil, fields, recorded_lead=meeting.led_by_id)
        return record_correct(
            actor=actor, record=meeting, kind=MEETING, version=version, values=values, reason=reason
        )


def meeting_withdraw(
    *, actor: Actor, meeting_id: uuid.UUID, version: int | None, reason: str
) -> ParentMeeting:
    meeting = pupil_record_or_404(actor, ParentMeeting, meeting_id, Resource.PARENT_MEETING, Action.MANAGE)
    with transaction.atomic():
        return record_withdraw(actor=actor, record=meeting, kind=MEETING, version=version, reason=reason)


# ---------------------------------------------------------------- documents for parents
def plan_give_to_parents(*, actor: Actor, plan_id: uuid.UUID) -> ParentPlan:
    """The parents' copy of the plan, stamped with the version it was made from, which the plan's page
    then shows (so a correction made later is noticed and a new copy given)."""
    # Read outside the transaction: a refusal's audit event must stay when the 404 unwinds it.
    document = plan_for_parents(actor=actor, plan_id=plan_id)
    plan = SupportPlan.objects.get(pk=plan_id)  # reached through the access scope just above
    with transaction.atomic():
        shared = shared_document_record(actor=actor, record=plan, kind=PLAN)
    return replace(document, version=shared.version)


def meeting_give_to_parents(*, actor: Actor, meeting_id: uuid.UUID) -> ParentMeetingRecord:
    document = meeting_for_parents(actor=actor, meeting_id=meeting_id)
    meeting = ParentMeeting.objects.get(pk=meeting_id)  # reached through the access scope just above
    with transaction.atomic():
        shared = shared_document_record(actor=actor, record=meeting, kind=MEETING)
    return replace(document, version=shared.version)
