"""Writes for EHC plans, their sections and their annual reviews.

Each is one transaction with its audit event (field names only). Reads go through the access scopes, so a
record of another school, or of a pupil the person does not reach, is a 404. The dates follow the Code's
annual review rules (tandem/lib/annual_review.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.audit.services import audit_record
from tandem.core.validation import require_past_or_today, require_text
from tandem.ehc.kinds import ANNUAL_REVIEW, EHC_NEED, EHC_OUTCOME, EHC_PLAN, EHC_PROVISION
from tandem.ehc.models import (
    AnnualReview,
    EhcNeed,
    EhcOutcome,
    EhcPlan,
    EhcProvision,
    EhcStatus,
    Recommendation,
)
from tandem.ehc.pdf import LocalAuthorityReport, ReviewRecord
from tandem.ehc.selectors import review_for_local_authority, review_for_parents
from tandem.lib.annual_review import in_words
from tandem.people.models import Pupil
from tandem.plans.links import catalogue_interventions
from tandem.plans.models import Target
from tandem.provision.models import Intervention, Placement
from tandem.register.models import NeedType
from tandem.revisions.services import record_correct, record_withdraw, shared_document_record

LOCAL_AUTHORITY_LIMIT = 120
ONE_OPEN_PLAN = (
    "This pupil already has a maintained EHC plan. Correct that one, or record that it has ceased, first."
)
PLAN_WITHDRAWN = "This EHC plan has been withdrawn, so nothing can be added to it."
NOT_THE_PUPILS_TARGET = "A target chosen is not one of this pupil's. Choose from the list."
NOT_THE_PUPILS_PLACEMENT = "A placement chosen is not one of this pupil's. Choose from the list."
NO_NEED_TYPE = "Choose the type of need this part of section B describes."
# Section B describes needs assessed by the local authority: "no specialist assessment" (NSA) is for SEN
# support only (reference 3.3).
NOT_FOR_EHC_PLANS = frozenset({"NSA"})


# ---------------------------------------------------------------- the plan
@dataclass(frozen=True)
class EhcPlanFields:
    local_authority: str
    issued_on: dt.date | None
    last_amended_on: dt.date | None = None
    status: str = EhcStatus.OPEN
    ceased_on: dt.date | None = None


def _plan_values(fields: EhcPlanFields) -> dict[str, Any]:
    """The plan's fields, checked: a plan already issued, amended after that, and ceased only with a date."""
    text = require_text(local_authority=fields.local_authority)
    if len(text["local_authority"]) > LOCAL_AUTHORITY_LIMIT:
        raise ValidationError(
            {"local_authority": f"Keep the local authority's name to {LOCAL_AUTHORITY_LIMIT} characters."}
        )
    if fields.issued_on is None:
        raise ValidationError({"issued_on": "Enter the date the local authority issued the final plan."})
    issued = require_past_or_today(fields.issued_on, "issued_on")
    amended = fields.last_amended_on
    if amended is not None:
        require_past_or_today(amended, "last_amended_on")
        if amended < issued:
            raise ValidationError(
                {"last_amended_on": "A plan is amended after it was issued: check the dates."}
            )
    if fields.status not in EhcStatus.values:
        raise ValidationError({"status": "Choose whether the local authority still maintains the plan."})
    ceased = fields.ceased_on
    if fields.status == EhcStatus.CEASED:
        if ceased is None:
            raise ValidationError({"ceased_on": "Enter the date the local authority ceased the plan."})
        require_past_or_today(ceased, "ceased_on")
        if ceased < issued:
            raise ValidationError({"ceased_on": "A plan ceases after it was issued: check the dates."})
    elif ceased is not None:
        raise ValidationError(
            {"ceased_on": "A maintained plan has no date it ceased: leave this empty, or choose Ceased."}
        )
    return {
        "local_authority": text["local_authority"],
        "issued_on": issued,
        "last_amended_on": amended,
        "status": fields.status,
        "ceased_on": ceased,
    }


def _refuse_second_open_plan(pupil_id: Any, *, other_than: Any = None) -> None:
    # Locking the pupil's row makes two plans recorded at once for one pupil take turns, so the second
    # finds the first here instead of failing on ehcplan_one_open_per_pupil (a 500).
    Pupil.objects.select_for_update(no_key=True).filter(pk=pupil_id).first()
    open_plans = EhcPlan.objects.filter(pupil_id=pupil_id, status=EhcStatus.OPEN, withdrawn_at__isnull=True)
    if open_plans.exclude(pk=other_than).exists():
        raise ValidationError(ONE_OPEN_PLAN)


def ehc_plan_create(*, actor: Actor, pupil_id: uuid.UUID, fields: EhcPlanFields) -> EhcPlan:
    """Record the EHC plan a local authority issued for the pupil (maintained until it ceases)."""
    pupil = pupil_or_404(actor, pupil_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        values = _plan_values(replace(fields, status=EhcStatus.OPEN, ceased_on=None))
        _refuse_second_open_plan(pupil.pk)
        plan = EhcPlan.objects.create(
            pupil=pupil, school_id=pupil.school_id, created_by_id=actor.user_id, **values
        )
        audit_record(
            actor=actor,
            action="ehc_plan.create",
            target_type="ehc_plan",
            target_id=plan.pk,
            school_id=pupil.school_id,
            fields=[name for name, value in values.items() if value not in (None, "")],
        )
        return plan


def ehc_plan_correct(
    *, actor: Actor, ehc_plan_id: uuid.UUID, version: int | None, fields: EhcPlanFields, reason: str = ""
) -> EhcPlan:
    """Correct the plan's details, or record that it has ceased (or that it had not); the history keeps
    each version."""
    plan = pupil_record_or_404(actor, EhcPlan, ehc_plan_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        values = _plan_values(fields)
        if values["status"] == EhcStatus.OPEN and plan.status != EhcStatus.OPEN:
            _refuse_second_open_plan(plan.pupil_id, other_than=plan.pk)
        return record_correct(
            actor=actor, record=plan, kind=EHC_PLAN, version=version, values=values, reason=reason
        )


def ehc_plan_withdraw(*, actor: Actor, ehc_plan_id: uuid.UUID, version: int | None, reason: str) -> EhcPlan:
    """Withdraw a plan recorded by mistake (for the wrong pupil): it leaves lists, counts and the To do."""
    plan = pupil_record_or_404(actor, EhcPlan, ehc_plan_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        return record_withdraw(actor=actor, record=plan, kind=EHC_PLAN, version=version, reason=reason)


def _plan_to_change(actor: Actor, ehc_plan_id: uuid.UUID) -> EhcPlan:
    plan = pupil_record_or_404(actor, EhcPlan, ehc_plan_id, Resource.EHC_PLAN, Action.MANAGE)
    if plan.is_withdrawn:
        raise ValidationError(PLAN_WITHDRAWN)
    return plan


def _section_added(actor: Actor, *, action: str, plan: EhcPlan, fields: Iterable[str]) -> None:
    # A section's entries are part of the plan: its events name the plan, so the plan's trail is whole.
    audit_record(
        actor=actor,
        action=action,
        target_type="ehc_plan",
        target_id=plan.pk,
        school_id=plan.school_id,
        fields=fields,
    )


# ---------------------------------------------------------------- section B: needs
def _need_type(code: str, *, keep: str = "") -> str:
    code = (code or "").strip()
    if code and code == keep:  # the type it was saved with, even if the census list has moved on
        return code
    if code in NOT_FOR_EHC_PLANS or not NeedType.objects.filter(code=code, is_current=True).exists():
        raise ValidationError({"need_type": NO_NEED_TYPE})
    return code


def ehc_need_add(*, actor: Actor, ehc_plan_id: uuid.UUID, text: str, need_type: str) -> EhcNeed:
    """A need as section B describes it, mapped to one type of need (Code 6.28 to 6.35's broad areas)."""
    plan = _plan_to_change(actor, ehc_plan_id)
    with transaction.atomic():
        words = require_text(text=text)["text"]
        need = EhcNeed.objects.create(
            ehc_plan=plan,
            pupil_id=plan.pupil_id,
            school_id=plan.school_id,
            text=words,
            need_type_id=_need_type(need_type),
            created_by_id=actor.user_id,
        )
        _section_added(actor, action="ehc_need.add", plan=plan, fields=["text", "need_type"])
        return need


def ehc_need_correct(
    *, actor: Actor, ehc_need_id: uuid.UUID, version: int | None, text: str, need_type: str, reason: str = ""
) -> EhcNeed:
    need = pupil_record_or_404(actor, EhcNeed, ehc_need_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        values = {
            "text": require_text(text=text)["text"],
            "need_type_id": _need_type(need_type, keep=need.need_type_id),
        }
        return record_correct(
            actor=actor, record=need, kind=EHC_NEED, version=version, values=values, reason=reason
        )


def ehc_need_withdraw(*, actor: Actor, ehc_need_id: uuid.UUID, version: int | None, reason: str) -> EhcNeed:
    need = pupil_record_or_404(actor, EhcNeed, ehc_need_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        return record_withdraw(actor=actor, record=need, kind=EHC_NEED, version=version, reason=reason)


# ---------------------------------------------------------------- section E: outcomes
def _uuids(values: Iterable[object], field: str, message: str) -> set[uuid.UUID]:
    try:
        return {uuid.UUID(str(value)) for value in values}
    except ValueError:
        raise ValidationError({field: message}) from None


def _targets(*, pupil_id: Any, ids: Iterable[object], keep: Iterable[uuid.UUID] = ()) -> list[Target]:
    """The pupil's targets chosen for an outcome: each current (not withdrawn, nor its plan); `keep`: those
    the outcome already links, accepted again even if withdrawn since."""
    wanted = _uuids(ids, "target_ids", NOT_THE_PUPILS_TARGET)
    kept = wanted & set(keep)
    current = Target.objects.filter(
        pupil_id=pupil_id, pk__in=wanted - kept, withdrawn_at__isnull=True, plan__withdrawn_at__isnull=True
    )
    found = [*current, *Target.objects.filter(pupil_id=pupil_id, pk__in=kept)]
    if len(found) != len(wanted):
        raise ValidationError({"target_ids": NOT_THE_PUPILS_TARGET})
    return sorted(found, key=lambda t: (t.due_on, t.skill.casefold()))


def targets_text(targets: Sequence[Target]) -> str:
    """An outcome's targets as the version history keeps them: one line each, with its deadline."""
    return "\n".join(f"{t.skill} (by {in_words(t.due_on)})" for t in targets)


def ehc_outcome_add(
    *, actor: Actor, ehc_plan_id: uuid.UUID, text: str, target_ids: Sequence[uuid.UUID | str] = ()
) -> EhcOutcome:
    """An outcome from section E, linked to the SMART targets that work towards it."""
    plan = _plan_to_change(actor, ehc_plan_id)
    with transaction.atomic():
        words = require_text(text=text)["text"]
        targets = _targets(pupil_id=plan.pupil_id, ids=target_ids)
        outcome = EhcOutcome.objects.create(
            ehc_plan=plan,
            pupil_id=plan.pupil_id,
            school_id=plan.school_id,
            text=words,
            linked_targets=targets_text(targets),
            created_by_id=actor.user_id,
        )
        outcome.targets.set(targets)
        _section_added(actor, action="ehc_outcome.add", plan=plan, fields=["text", "targets"])
        return outcome


def ehc_outcome_correct(
    *,
    actor: Actor,
    ehc_outcome_id: uuid.UUID,
    version: int | None,
    text: str,
    target_ids: Sequence[uuid.UUID | str] = (),
    reason: str = "",
) -> EhcOutcome:
    outcome = pupil_record_or_404(actor, EhcOutcome, ehc_outcome_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        words = require_text(text=text)["text"]
        keep = outcome.targets.values_list("pk", flat=True)
        targets = _targets(pupil_id=outcome.pupil_id, ids=target_ids, keep=keep)
        corrected = record_correct(
            actor=actor,
            record=outcome,
            kind=EHC_OUTCOME,
            version=version,
            values={"text": words, "linked_targets": targets_text(targets)},
            reason=reason,
        )
        corrected.targets.set(targets)
        return corrected


def ehc_outcome_withdraw(
    *, actor: Actor, ehc_outcome_id: uuid.UUID, version: int | None, reason: str
) -> EhcOutcome:
    outcome = pupil_record_or_404(actor, EhcOutcome, ehc_outcome_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        return record_withdraw(actor=actor, record=outcome, kind=EHC_OUTCOME, version=version, reason=reason)


# ---------------------------------------------------------------- section F: provision
def _placements(*, pupil_id: Any, ids: Iterable[object], keep: Iterable[uuid.UUID] = ()) -> list[Placement]:
    """The pupil's places in intervention groups chosen for a provision entry: each not withdrawn; `keep`:
    those the entry already links, accepted again even if withdrawn since."""
    wanted = _uuids(ids, "placement_ids", NOT_THE_PUPILS_PLACEMENT)
    kept = wanted & set(keep)
    placements = Placement.objects.filter(pupil_id=pupil_id).select_related("group__intervention")
    found = [
        *placements.filter(pk__in=wanted - kept, withdrawn_at__isnull=True),
        *placements.filter(pk__in=kept),
    ]
    if len(found) != len(wanted):
        raise ValidationError({"placement_ids": NOT_THE_PUPILS_PLACEMENT})
    return sorted(found, key=lambda p: (p.starts_on, str(p.pk)))


def placement_label(placement: Placement) -> str:
    return (
        f"{placement.group.intervention.name}, {placement.group.name}, from {in_words(placement.starts_on)}"
    )


def provision_text(*, interventions: Sequence[Intervention], placements: Sequence[Placement]) -> str:
    """What delivers a section F entry, as the version history keeps it: the catalogue entries, then the
    pupil's places in groups."""
    lines = [f"Intervention: {i.name}" for i in interventions]
    lines += [f"Placement: {placement_label(p)}" for p in placements]
    return "\n".join(lines)


def _provision_links(
    record: EhcPlan | EhcProvision,
    *,
    intervention_ids: Sequence[uuid.UUID | str],
    placement_ids: Sequence[uuid.UUID | str],
    keep_placements: Iterable[uuid.UUID] = (),
) -> tuple[list[Intervention], list[Placement]]:
    """What delivers a provision entry: interventions from the catalogue of the pupil's school, and the
    pupil's own places in groups."""
    interventions = catalogue_interventions(school_id=record.school_id, ids=intervention_ids)
    placements = _placements(pupil_id=record.pupil_id, ids=placement_ids, keep=keep_placements)
    return interventions, placements


def ehc_provision_add(
    *,
    actor: Actor,
    ehc_plan_id: uuid.UUID,
    text: str,
    intervention_ids: Sequence[uuid.UUID | str] = (),
    placement_ids: Sequence[uuid.UUID | str] = (),
) -> EhcProvision:
    """Provision from section F, linked to the catalogue interventions and the pupil's placements that
    deliver it (so the provision map and the review show it is being made)."""
    plan = _plan_to_change(actor, ehc_plan_id)
    with transaction.atomic():
        words = require_text(text=text)["text"]
        interventions, placements = _provision_links(
            plan, intervention_ids=intervention_ids, placement_ids=placement_ids
        )
        entry = EhcProvision.objects.create(
            ehc_plan=plan,
            pupil_id=plan.pupil_id,
            school_id=plan.school_id,
            text=words,
            linked_provision=provision_text(interventions=interventions, placements=placements),
            created_by_id=actor.user_id,
        )
        entry.interventions.set(interventions)
        entry.placements.set(placements)
        _section_added(
            actor, action="ehc_provision.add", plan=plan, fields=["text", "interventions", "placements"]
        )
        return entry


def ehc_provision_correct(
    *,
    actor: Actor,
    ehc_provision_id: uuid.UUID,
    version: int | None,
    text: str,
    intervention_ids: Sequence[uuid.UUID | str] = (),
    placement_ids: Sequence[uuid.UUID | str] = (),
    reason: str = "",
) -> EhcProvision:
    entry = pupil_record_or_404(actor, EhcProvision, ehc_provision_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        words = require_text(text=text)["text"]
        interventions, placements = _provision_links(
            entry,
            intervention_ids=intervention_ids,
            placement_ids=placement_ids,
            keep_placements=entry.placements.values_list("pk", flat=True),
        )
        corrected = record_correct(
            actor=actor,
            record=entry,
            kind=EHC_PROVISION,
            version=version,
            values={
                "text": words,
                "linked_provision": provision_text(interventions=interventions, placements=placements),
            },
            reason=reason,
        )
        corrected.interventions.set(interventions)
        corrected.placements.set(placements)
        return corrected


def ehc_provision_withdraw(
    *, actor: Actor, ehc_provision_id: uuid.UUID, version: int | None, reason: str
) -> EhcProvision:
    entry = pupil_record_or_404(actor, EhcProvision, ehc_provision_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        return record_withdraw(actor=actor, record=entry, kind=EHC_PROVISION, version=version, reason=reason)


# ---------------------------------------------------------------- annual reviews
@dataclass(frozen=True)
class ReviewFields:
    """An annual review as booked, prepared, held and reported. Only the meeting date is needed to book."""

    meeting_on: dt.date | None
    invitations_sent_on: dt.date | None = None
    advice_requested_on: dt.date | None = None
    papers_circulated_on: dt.date | None = None
    who_attended: str = ""
    parent_views: str = ""
    pupil_views: str = ""
    working: str = ""
    not_working: str = ""
    recommendation: str = ""
    amendments: str = ""
    differences: str = ""
    report_sent_on: dt.date | None = None


MEETING_TEXT = (
    "who_attended",
    "parent_views",
    "pupil_views",
    "working",
    "not_working",
    "amendments",
    "differences",
)


def _review_values(fields: ReviewFields) -> dict[str, Any]:
    """A review's fields, checked: what has happened is not dated in the future, papers go before the
    meeting and the report after it, and what was said at the meeting is recorded once it has been held."""
    if fields.meeting_on is None:
        raise ValidationError({"meeting_on": "Enter the date of the review meeting."})
    meeting = fields.meeting_on
    today = timezone.localdate()
    for name in ("invitations_sent_on", "advice_requested_on", "papers_circulated_on", "report_sent_on"):
        day = getattr(fields, name)
        if day is not None:
            require_past_or_today(day, name)
    before = {
        "invitations_sent_on": "The invitations go out before the meeting: check the dates.",
        "advice_requested_on": "Advice is asked for before the meeting: check the dates.",
        "papers_circulated_on": "The advice and information are circulated before the meeting: check the "
        "dates.",
    }
    for name, message in before.items():
        day = getattr(fields, name)
        if day is not None and day > meeting:
            raise ValidationError({name: message})
    if fields.report_sent_on is not None and fields.report_sent_on < meeting:
        raise ValidationError({"report_sent_on": "The report is sent after the meeting: check the dates."})
    text = {name: (getattr(fields, name) or "").strip() for name in MEETING_TEXT}
    recommendation = (fields.recommendation or "").strip()
    if recommendation and recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": "Choose the school's recommendation."})
    held = meeting <= today
    if not held and (recommendation or fields.report_sent_on or any(text.values())):
        raise ValidationError(
            f"The meeting is on {in_words(meeting)}: record what was said and recommended once it has been "
            "held, or change its date."
        )
    if fields.report_sent_on is not None and not recommendation:
        raise ValidationError(
            {
                "recommendation": "Record the school's recommendation: the report to the local authority "
                "sets it out."
            }
        )
    if recommendation == Recommendation.AMEND and not text["amendments"]:
        raise ValidationError(
            {"amendments": "Say which amendments the school recommends: the report must set them out."}
        )
    return {
        "meeting_on": meeting,
        "invitations_sent_on": fields.invitations_sent_on,
        "advice_requested_on": fields.advice_requested_on,
        "papers_circulated_on": fields.papers_circulated_on,
        "recommendation": recommendation,
        "report_sent_on": fields.report_sent_on,
        **text,
    }


def annual_review_book(*, actor: Actor, ehc_plan_id: uuid.UUID, fields: ReviewFields) -> AnnualReview:
    """Book the plan's annual review meeting (or record one held before Tandem), with what has been done
    to prepare it so far."""
    plan = _plan_to_change(actor, ehc_plan_id)
    with transaction.atomic():
        if plan.status != EhcStatus.OPEN:
            raise ValidationError("This EHC plan has ceased: no more annual reviews are due.")
        values = _review_values(fields)
        today = timezone.localdate()
        booked = (
            AnnualReview.objects.filter(ehc_plan=plan, withdrawn_at__isnull=True, meeting_on__gte=today)
            .order_by("meeting_on")
            .first()
        )
        if booked is not None and values["meeting_on"] >= today:
            raise ValidationError(
                {
                    "meeting_on": f"A review meeting is already booked for {in_words(booked.meeting_on)}: "
                    "change its date on its page instead."
                }
            )
        review = AnnualReview.objects.create(
            ehc_plan=plan,
            pupil_id=plan.pupil_id,
            school_id=plan.school_id,
            created_by_id=actor.user_id,
            **values,
        )
        audit_record(
            actor=actor,
            action="annual_review.book",
            target_type="annual_review",
            target_id=review.pk,
            school_id=plan.school_id,
            fields=[name for name, value in values.items() if value not in (None, "")],
        )
        return review


def annual_review_record(
    *, actor: Actor, annual_review_id: uuid.UUID, version: int | None, fields: ReviewFields, reason: str = ""
) -> AnnualReview:
    """Record how the review went, step by step: papers circulated, the meeting, the recommendation, the
    report sent. Each save is a version in the review's history (who changed what, when)."""
    review = pupil_record_or_404(actor, AnnualReview, annual_review_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        if review.ehc_plan.is_withdrawn:
            raise ValidationError(PLAN_WITHDRAWN)
        values = _review_values(fields)
        return record_correct(
            actor=actor, record=review, kind=ANNUAL_REVIEW, version=version, values=values, reason=reason
        )


def annual_review_withdraw(
    *, actor: Actor, annual_review_id: uuid.UUID, version: int | None, reason: str
) -> AnnualReview:
    """Withdraw a review booked by mistake (or cancelled): it leaves the deadlines, lists and counts."""
    review = pupil_record_or_404(actor, AnnualReview, annual_review_id, Resource.EHC_PLAN, Action.MANAGE)
    with transaction.atomic():
        return record_withdraw(actor=actor, record=review, kind=ANNUAL_REVIEW, version=version, reason=reason)


# ---------------------------------------------------------------- documents
def annual_review_give_to_parents(*, actor: Actor, annual_review_id: uuid.UUID) -> ReviewRecord:
    """The record of the review meeting for the parents, stamped with the version it was made from, which
    the review's page then shows (so a correction made later is noticed and a new copy given)."""
    # Read outside the transaction: a refusal's audit event must stay when the 404 unwinds it.
    document = review_for_parents(actor=actor, annual_review_id=annual_review_id)
    review = AnnualReview.objects.get(pk=annual_review_id)  # reached through the access scope just above
    with transaction.atomic():
        shared = shared_document_record(actor=actor, record=review, kind=ANNUAL_REVIEW)
    return replace(document, version=shared.version)


def annual_review_report(*, actor: Actor, annual_review_id: uuid.UUID) -> LocalAuthorityReport:
    """The school's report of the review for the local authority (its reading is audited)."""
    return review_for_local_authority(actor=actor, annual_review_id=annual_review_id)
