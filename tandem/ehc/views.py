"""Pages for EHC plans and their annual reviews. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.core.forms import FormPage, form_flow
from tandem.ehc.forms import (
    EhcPlanEditForm,
    EhcPlanForm,
    NeedForm,
    OutcomeForm,
    ProvisionForm,
    ReviewBookingForm,
    ReviewRecordForm,
)
from tandem.ehc.kinds import ANNUAL_REVIEW, EHC_NEED, EHC_OUTCOME, EHC_PLAN, EHC_PROVISION
from tandem.ehc.models import AnnualReview, EhcNeed, EhcOutcome, EhcPlan, EhcProvision
from tandem.ehc.pdf import local_authority_report_pdf, review_record_pdf
from tandem.ehc.selectors import (
    annual_review_detail,
    ehc_page,
    need_type_choices,
    placement_choices,
    target_choices,
)
from tandem.ehc.services import (
    EhcPlanFields,
    ReviewFields,
    annual_review_book,
    annual_review_give_to_parents,
    annual_review_record,
    annual_review_report,
    annual_review_withdraw,
    ehc_need_add,
    ehc_need_correct,
    ehc_need_withdraw,
    ehc_outcome_add,
    ehc_outcome_correct,
    ehc_outcome_withdraw,
    ehc_plan_correct,
    ehc_plan_create,
    ehc_plan_withdraw,
    ehc_provision_add,
    ehc_provision_correct,
    ehc_provision_withdraw,
)
from tandem.lib.annual_review import CODE, in_words
from tandem.plans.selectors import SOON, intervention_choices
from tandem.revisions.forms import add_correction_fields, correction_data
from tandem.revisions.kinds import RecordKind
from tandem.revisions.selectors import record_version_number
from tandem.revisions.views import correction_page, withdraw_page

SOON_DAYS = SOON.days


def _version(kind: RecordKind, record: Model) -> int:
    return record_version_number(record_type=kind.record_type, record_id=record.pk)


def _initial(form_class: type[forms.Form], record: Model) -> dict[str, Any]:
    return {name: getattr(record, name) for name in form_class.base_fields if hasattr(record, name)}


def _plan_page(plan: EhcPlan) -> str:
    return reverse("ehc_plan_detail", args=[plan.pk])


# ---------------------------------------------------------------- the plan
def _render_plan(request: HttpRequest, actor: Actor, **kwargs: Any) -> HttpResponse:
    page = ehc_page(actor=actor, today=timezone.localdate(), soon_days=SOON_DAYS, **kwargs)
    context = {
        "page": page,
        "pupil": page.pupil,
        "view": page.plan,
        "can_manage": actor.can(Resource.EHC_PLAN, Action.MANAGE),
        "code": CODE,
    }
    return render(request, "ehc/plan.html", context)


@allow(Resource.EHC_PLAN)
def ehc_pupil_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    return _render_plan(request, actor, pupil_id=pupil_id)


@allow(Resource.EHC_PLAN)
def ehc_plan_detail_view(request: HttpRequest, actor: Actor, ehc_plan_id: uuid.UUID) -> HttpResponse:
    return _render_plan(request, actor, ehc_plan_id=ehc_plan_id)


def _plan_fields(data: dict[str, Any]) -> EhcPlanFields:
    return EhcPlanFields(**data)


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_plan_new_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.EHC_PLAN, Action.MANAGE)
    form = EhcPlanForm(request.POST or None)
    return form_flow(
        request,
        form,
        save=lambda: ehc_plan_create(actor=actor, pupil_id=pupil.pk, fields=_plan_fields(form.cleaned_data)),
        success="EHC plan recorded. Now add what its sections B, E and F say.",
        next_url=_plan_page,
        page=FormPage(
            pupil=pupil,
            heading=f"Record the EHC plan for {pupil.display_name}",
            intro="The local authority writes and maintains the plan; record here the plan it issued, so its "
            "annual reviews and their deadlines are kept with the pupil's support record.",
            submit_label="Save EHC plan",
            cancel_url=reverse("ehc_pupil", args=[pupil.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_plan_edit_view(request: HttpRequest, actor: Actor, ehc_plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, EhcPlan, ehc_plan_id, Resource.EHC_PLAN, Action.MANAGE)
    form = EhcPlanEditForm(request.POST or None, initial=_initial(EhcPlanEditForm, plan))
    add_correction_fields(form, version=_version(EHC_PLAN, plan))

    def save() -> EhcPlan:
        data, version, reason = correction_data(form)
        return ehc_plan_correct(
            actor=actor, ehc_plan_id=plan.pk, version=version, fields=_plan_fields(data), reason=reason
        )

    return correction_page(
        request,
        form,
        pupil=plan.pupil,
        heading="Correct the EHC plan, or record that it has ceased",
        save=save,
        back=_plan_page(plan),
        success="EHC plan saved.",
        intro="Correct the plan's details, or record that the local authority has ceased it. The plan's "
        "history keeps every version: who changed what, and when.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_plan_withdraw_view(request: HttpRequest, actor: Actor, ehc_plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, EhcPlan, ehc_plan_id, Resource.EHC_PLAN, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=plan.pupil,
        what=f"the EHC plan issued on {in_words(plan.issued_on)}",
        version=_version(EHC_PLAN, plan),
        withdraw=lambda version, reason: ehc_plan_withdraw(
            actor=actor, ehc_plan_id=plan.pk, version=version, reason=reason
        ),
        back=_plan_page(plan),
    )


# ---------------------------------------------------------------- sections B, E and F
def _section_page(plan: EhcPlan, heading: str, intro: str, submit: str) -> FormPage:
    return FormPage(
        pupil=plan.pupil, heading=heading, intro=intro, submit_label=submit, cancel_url=_plan_page(plan)
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_need_new_view(request: HttpRequest, actor: Actor, ehc_plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, EhcPlan, ehc_plan_id, Resource.EHC_PLAN, Action.MANAGE)
    form = NeedForm(request.POST or None, need_types=need_type_choices())
    return form_flow(
        request,
        form,
        save=lambda: ehc_need_add(actor=actor, ehc_plan_id=plan.pk, **form.cleaned_data),
        success="Need added to section B.",
        next_url=lambda _: _plan_page(plan),
        page=_section_page(
            plan,
            "Add a need from section B",
            "Section B describes the pupil's special educational needs. Map each to the type of need it is, "
            "so the plan and the register can be compared.",
            "Add need",
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_need_edit_view(request: HttpRequest, actor: Actor, ehc_need_id: uuid.UUID) -> HttpResponse:
    need = pupil_record_or_404(actor, EhcNeed, ehc_need_id, Resource.EHC_PLAN, Action.MANAGE)
    form = NeedForm(
        request.POST or None,
        need_types=need_type_choices(keep=need.need_type_id),
        initial={"text": need.text, "need_type": need.need_type_id},
    )
    add_correction_fields(form, version=_version(EHC_NEED, need))

    def save() -> EhcNeed:
        data, version, reason = correction_data(form)
        return ehc_need_correct(actor=actor, ehc_need_id=need.pk, version=version, reason=reason, **data)

    return correction_page(
        request,
        form,
        pupil=need.pupil,
        heading="Correct a need from section B",
        save=save,
        back=_plan_page(need.ehc_plan),
        success="Need corrected.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_need_withdraw_view(request: HttpRequest, actor: Actor, ehc_need_id: uuid.UUID) -> HttpResponse:
    need = pupil_record_or_404(actor, EhcNeed, ehc_need_id, Resource.EHC_PLAN, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=need.pupil,
        what="a need from section B",
        version=_version(EHC_NEED, need),
        withdraw=lambda version, reason: ehc_need_withdraw(
            actor=actor, ehc_need_id=need.pk, version=version, reason=reason
        ),
        back=_plan_page(need.ehc_plan),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_outcome_new_view(request: HttpRequest, actor: Actor, ehc_plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, EhcPlan, ehc_plan_id, Resource.EHC_PLAN, Action.MANAGE)
    form = OutcomeForm(request.POST or None, targets=target_choices(pupil_id=plan.pupil_id))
    return form_flow(
        request,
        form,
        save=lambda: ehc_outcome_add(
            actor=actor,
            ehc_plan_id=plan.pk,
            text=form.cleaned_data["text"],
            target_ids=form.cleaned_data.get("target_ids") or (),
        ),
        success="Outcome added to section E.",
        next_url=lambda _: _plan_page(plan),
        page=_section_page(
            plan,
            "Add an outcome from section E",
            "Section E sets the outcomes the plan works towards. Link each to the SMART targets that lead to "
            "it, so the annual review can show progress towards it.",
            "Add outcome",
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_outcome_edit_view(request: HttpRequest, actor: Actor, ehc_outcome_id: uuid.UUID) -> HttpResponse:
    outcome = pupil_record_or_404(actor, EhcOutcome, ehc_outcome_id, Resource.EHC_PLAN, Action.MANAGE)
    chosen = [str(pk) for pk in outcome.targets.values_list("pk", flat=True)]
    form = OutcomeForm(
        request.POST or None,
        targets=target_choices(pupil_id=outcome.pupil_id, keep=chosen),
        initial={"text": outcome.text, "target_ids": chosen},
    )
    add_correction_fields(form, version=_version(EHC_OUTCOME, outcome))

    def save() -> EhcOutcome:
        data, version, reason = correction_data(form)
        return ehc_outcome_correct(
            actor=actor,
            ehc_outcome_id=outcome.pk,
            version=version,
            text=data["text"],
            target_ids=data.get("target_ids") or (),
            reason=reason,
        )

    return correction_page(
        request,
        form,
        pupil=outcome.pupil,
        heading="Correct an outcome from section E",
        save=save,
        back=_plan_page(outcome.ehc_plan),
        success="Outcome corrected.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_outcome_withdraw_view(request: HttpRequest, actor: Actor, ehc_outcome_id: uuid.UUID) -> HttpResponse:
    outcome = pupil_record_or_404(actor, EhcOutcome, ehc_outcome_id, Resource.EHC_PLAN, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=outcome.pupil,
        what="an outcome from section E",
        version=_version(EHC_OUTCOME, outcome),
        withdraw=lambda version, reason: ehc_outcome_withdraw(
            actor=actor, ehc_outcome_id=outcome.pk, version=version, reason=reason
        ),
        back=_plan_page(outcome.ehc_plan),
    )


def _provision_form(
    request: HttpRequest, plan: EhcPlan, *, entry: EhcProvision | None = None
) -> ProvisionForm:
    interventions = [str(pk) for pk in entry.interventions.values_list("pk", flat=True)] if entry else []
    placements = [str(pk) for pk in entry.placements.values_list("pk", flat=True)] if entry else []
    initial = (
        {"text": entry.text, "intervention_ids": interventions, "placement_ids": placements} if entry else {}
    )
    return ProvisionForm(
        request.POST or None,
        interventions=intervention_choices(school_id=plan.school_id, keep=interventions),
        placements=placement_choices(pupil_id=plan.pupil_id, keep=placements),
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_provision_new_view(request: HttpRequest, actor: Actor, ehc_plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, EhcPlan, ehc_plan_id, Resource.EHC_PLAN, Action.MANAGE)
    form = _provision_form(request, plan)
    return form_flow(
        request,
        form,
        save=lambda: ehc_provision_add(
            actor=actor,
            ehc_plan_id=plan.pk,
            text=form.cleaned_data["text"],
            intervention_ids=form.cleaned_data.get("intervention_ids") or (),
            placement_ids=form.cleaned_data.get("placement_ids") or (),
        ),
        success="Provision added to section F.",
        next_url=lambda _: _plan_page(plan),
        page=_section_page(
            plan,
            "Add provision from section F",
            "Section F specifies the special educational provision the pupil must get. Link each entry to "
            "the interventions and places in groups that make it, so the review can show it is being made.",
            "Add provision",
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_provision_edit_view(request: HttpRequest, actor: Actor, ehc_provision_id: uuid.UUID) -> HttpResponse:
    entry = pupil_record_or_404(actor, EhcProvision, ehc_provision_id, Resource.EHC_PLAN, Action.MANAGE)
    form = _provision_form(request, entry.ehc_plan, entry=entry)
    add_correction_fields(form, version=_version(EHC_PROVISION, entry))

    def save() -> EhcProvision:
        data, version, reason = correction_data(form)
        return ehc_provision_correct(
            actor=actor,
            ehc_provision_id=entry.pk,
            version=version,
            text=data["text"],
            intervention_ids=data.get("intervention_ids") or (),
            placement_ids=data.get("placement_ids") or (),
            reason=reason,
        )

    return correction_page(
        request,
        form,
        pupil=entry.pupil,
        heading="Correct provision from section F",
        save=save,
        back=_plan_page(entry.ehc_plan),
        success="Provision corrected.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def ehc_provision_withdraw_view(
    request: HttpRequest, actor: Actor, ehc_provision_id: uuid.UUID
) -> HttpResponse:
    entry = pupil_record_or_404(actor, EhcProvision, ehc_provision_id, Resource.EHC_PLAN, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=entry.pupil,
        what="provision from section F",
        version=_version(EHC_PROVISION, entry),
        withdraw=lambda version, reason: ehc_provision_withdraw(
            actor=actor, ehc_provision_id=entry.pk, version=version, reason=reason
        ),
        back=_plan_page(entry.ehc_plan),
    )


# ---------------------------------------------------------------- annual reviews
def _review_page(review: AnnualReview) -> str:
    return reverse("annual_review_detail", args=[review.pk])


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def annual_review_new_view(request: HttpRequest, actor: Actor, ehc_plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, EhcPlan, ehc_plan_id, Resource.EHC_PLAN, Action.MANAGE)
    form = ReviewBookingForm(request.POST or None)
    return form_flow(
        request,
        form,
        save=lambda: annual_review_book(
            actor=actor, ehc_plan_id=plan.pk, fields=ReviewFields(**form.cleaned_data)
        ),
        success="Annual review booked. Its page shows what is due, and by when.",
        next_url=_review_page,
        page=FormPage(
            pupil=plan.pupil,
            heading=f"Book the annual review of {plan.pupil.display_name}'s EHC plan",
            intro="Book the meeting at least two weeks ahead: invitations and the advice gathered go to "
            f"everyone invited two weeks before it (Code {CODE['two_weeks_notice']}). Fill in what has "
            "already been done; the rest can be added on the review's page.",
            submit_label="Book review",
            cancel_url=_plan_page(plan),
        ),
    )


@allow(Resource.EHC_PLAN)
def annual_review_detail_view(
    request: HttpRequest, actor: Actor, annual_review_id: uuid.UUID
) -> HttpResponse:
    detail = annual_review_detail(
        actor=actor, annual_review_id=annual_review_id, today=timezone.localdate(), soon_days=SOON_DAYS
    )
    context = {
        "detail": detail,
        "review": detail.review,
        "plan": detail.plan,
        "pupil": detail.review.pupil,
        "can_manage": actor.can(Resource.EHC_PLAN, Action.MANAGE),
        "held": detail.review.meeting_on <= timezone.localdate(),
        "code": CODE,
    }
    return render(request, "ehc/review_detail.html", context)


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def annual_review_record_view(
    request: HttpRequest, actor: Actor, annual_review_id: uuid.UUID
) -> HttpResponse:
    review = pupil_record_or_404(actor, AnnualReview, annual_review_id, Resource.EHC_PLAN, Action.MANAGE)
    form = ReviewRecordForm(
        request.POST or None,
        initial={**_initial(ReviewRecordForm, review), "version": _version(ANNUAL_REVIEW, review)},
    )

    def save() -> AnnualReview:
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        return annual_review_record(
            actor=actor, annual_review_id=review.pk, version=version, fields=ReviewFields(**data)
        )

    return form_flow(
        request,
        form,
        save=save,
        success="Annual review saved.",
        next_url=_review_page,
        page=FormPage(
            pupil=review.pupil,
            heading=f"Record the annual review of {in_words(review.meeting_on)}",
            intro="Fill in each step as it happens: the papers circulated, then after the meeting what was "
            "said, the school's recommendation and when the report went to the local authority. The "
            "review's history keeps each version.",
            submit_label="Save review",
            cancel_url=_review_page(review),
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.EHC_PLAN, Action.MANAGE)
def annual_review_withdraw_view(
    request: HttpRequest, actor: Actor, annual_review_id: uuid.UUID
) -> HttpResponse:
    review = pupil_record_or_404(actor, AnnualReview, annual_review_id, Resource.EHC_PLAN, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=review.pupil,
        what=f"the annual review of {in_words(review.meeting_on)}",
        version=_version(ANNUAL_REVIEW, review),
        withdraw=lambda version, reason: annual_review_withdraw(
            actor=actor, annual_review_id=review.pk, version=version, reason=reason
        ),
        back=_review_page(review),
    )


def _pdf(document: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The documents hold SEN details: never keep them in a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@allow(Resource.EHC_PLAN)
def annual_review_record_pdf_view(
    request: HttpRequest, actor: Actor, annual_review_id: uuid.UUID
) -> HttpResponse:
    document = review_record_pdf(
        annual_review_give_to_parents(actor=actor, annual_review_id=annual_review_id)
    )
    return _pdf(document, "annual-review-record.pdf")


@allow(Resource.EHC_PLAN)
def annual_review_report_pdf_view(
    request: HttpRequest, actor: Actor, annual_review_id: uuid.UUID
) -> HttpResponse:
    document = local_authority_report_pdf(
        annual_review_report(actor=actor, annual_review_id=annual_review_id)
    )
    return _pdf(document, "annual-review-report.pdf")
