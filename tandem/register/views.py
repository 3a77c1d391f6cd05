from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.core.forms import FormPage, form_flow
from tandem.core.listing import sorting_from
from tandem.people.forms import PupilFilterForm
from tandem.people.selectors import pupil_sorts
from tandem.progress.selectors import responses_tried
from tandem.pupil_voice.selectors import about_me_latest
from tandem.register.forms import ConcernForm, ConcernNextStepForm, PassportForm, SenSupportForm
from tandem.register.models import Concern, Passport, SenSupportDecision
from tandem.register.selectors import (
    concern_detail,
    passport_current,
    passport_view,
    register_list,
    register_summary,
    register_viewed,
)
from tandem.register.services import (
    concern_correct,
    concern_next_step,
    concern_raise,
    concern_withdraw,
    passport_mark_read,
    passport_withdraw,
    passport_write,
    sen_support_start,
)
from tandem.revisions.forms import add_correction_fields, correction_data
from tandem.revisions.kinds import CONCERN
from tandem.revisions.selectors import record_version_number
from tandem.revisions.views import correction_page, withdraw_page

PAGE_SIZE = 50


@allow(Resource.REGISTER)
def register_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PupilFilterForm(request.GET or None, actor=actor, register_only=True)
    filters = form.filters()
    sorting = sorting_from(request.GET, columns=pupil_sorts(actor=actor), default="name")
    pupils = register_list(actor=actor, filters=filters, order=sorting.order_by())
    page = Paginator(pupils, PAGE_SIZE).get_page(request.GET.get("page"))
    register_viewed(actor=actor, filters=filters)
    return render(
        request,
        "register/register.html",
        {
            "form": form,
            "sorting": sorting,
            "page": page,
            "summary": register_summary(actor=actor),
            "shows_sen": True,
            "show_school": actor.school_id is None,
            "caption": f"Register pupils matching the filters: {page.paginator.count}",
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.CONCERN, Action.ADD)
def concern_new_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.CONCERN, Action.ADD)
    form = ConcernForm(request.POST or None, initial={"raised_on": timezone.localdate()})

    return form_flow(
        request,
        form,
        save=lambda: concern_raise(actor=actor, pupil_id=pupil.pk, **form.cleaned_data),
        success="Concern recorded. The pupil's teachers and the SENCo can see it.",
        next_url=lambda concern: reverse("concern_detail", args=[concern.pk]),
        page=FormPage(
            pupil=pupil,
            heading="Raise a concern",
            intro="Anyone who works with the pupil can raise a concern. It is not the SEN register: "
            "it asks the pupil's teachers and the SENCo to look and decide what happens next.",
            submit_label="Raise concern",
            cancel_url=reverse("pupil_detail", args=[pupil.pk]),
        ),
    )


@allow(Resource.CONCERN)
def concern_detail_view(request: HttpRequest, actor: Actor, concern_id: uuid.UUID) -> HttpResponse:
    detail = concern_detail(actor=actor, concern_id=concern_id)
    concern = detail.concern
    return render(
        request,
        "register/concern_detail.html",
        {
            "concern": concern,
            "history": detail.history,
            "pupil": concern.pupil,
            "can_correct": actor.can(Resource.CONCERN, Action.ADD),
            "responses": concern.first_responses.filter(withdrawn_at__isnull=True).select_related(
                "accountable_teacher"
            ),
            "can_manage": actor.can(Resource.CONCERN, Action.MANAGE),
            "can_respond": actor.can(Resource.FIRST_RESPONSE, Action.MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.CONCERN, Action.MANAGE)
def concern_next_step_view(request: HttpRequest, actor: Actor, concern_id: uuid.UUID) -> HttpResponse:
    concern = pupil_record_or_404(actor, Concern, concern_id, Resource.CONCERN, Action.MANAGE)
    form = ConcernNextStepForm(request.POST or None)
    return form_flow(
        request,
        form,
        save=lambda: concern_next_step(actor=actor, concern_id=concern.pk, **form.cleaned_data),
        next_url=lambda saved: reverse("concern_detail", args=[saved.pk]),
        page=FormPage(
            pupil=concern.pupil,
            heading="Decide the next step",
            intro="To change teaching first, record a first response from the concern page instead.",
            submit_label="Save next step",
            cancel_url=reverse("concern_detail", args=[concern.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.CONCERN, Action.ADD)
def concern_edit_view(request: HttpRequest, actor: Actor, concern_id: uuid.UUID) -> HttpResponse:
    concern = pupil_record_or_404(actor, Concern, concern_id, Resource.CONCERN, Action.ADD)
    initial = {name: getattr(concern, name) for name in ConcernForm.base_fields}
    form = ConcernForm(request.POST or None, initial=initial)
    add_correction_fields(
        form, version=record_version_number(record_type=CONCERN.record_type, record_id=concern.pk)
    )

    def save() -> Concern:
        data, version, reason = correction_data(form)
        return concern_correct(actor=actor, concern_id=concern.pk, version=version, reason=reason, **data)

    back = reverse("concern_detail", args=[concern.pk])
    return correction_page(
        request,
        form,
        pupil=concern.pupil,
        heading="Correct a concern",
        save=save,
        back=back,
        success="Concern corrected. Its history shows what changed.",
        intro="Correct a mistake in what was saved. The concern's history keeps every version: who "
        "changed what, and when.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.CONCERN, Action.MANAGE)
def concern_withdraw_view(request: HttpRequest, actor: Actor, concern_id: uuid.UUID) -> HttpResponse:
    concern = pupil_record_or_404(actor, Concern, concern_id, Resource.CONCERN, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=concern.pupil,
        what=f"the concern raised on {concern.raised_on:%-d %B %Y}",
        version=record_version_number(record_type=CONCERN.record_type, record_id=concern.pk),
        withdraw=lambda version, reason: concern_withdraw(
            actor=actor, concern_id=concern.pk, version=version, reason=reason
        ),
        back=reverse("concern_detail", args=[concern.pk]),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SEN_RECORD, Action.MANAGE)
def sen_support_start_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.SEN_RECORD, Action.MANAGE)
    form = SenSupportForm(request.POST or None, initial={"decided_on": timezone.localdate()})

    def save() -> SenSupportDecision:
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("primary_need", "secondary_need")}
        return sen_support_start(actor=actor, pupil_id=pupil.pk, need_codes=form.need_codes(), **data)

    return form_flow(
        request,
        form,
        save=save,
        success="SEN support recorded. Next, write the support plan with the parents.",
        next_url=lambda decision: reverse("pupil_timeline", args=[pupil.pk]),
        page=FormPage(
            pupil=pupil,
            heading="Start SEN support",
            intro="Record the decision, the evidence and the views of the pupil and parents. "
            "Parents must be told and given a short note (Code 6.38 to 6.43).",
            submit_label="Start SEN support",
            cancel_url=reverse("pupil_timeline", args=[pupil.pk]),
            extra={
                "aside_template": "register/_responses_tried.html",
                "responses_tried": responses_tried(pupil=pupil),
            },
        ),
    )


@allow(Resource.PASSPORT)
def passport_detail_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    view = passport_view(actor=actor, pupil_id=pupil_id)
    return render(
        request,
        "register/passport.html",
        {
            "view": view,
            "pupil": view.pupil,
            "can_edit": actor.can(Resource.PASSPORT, Action.MANAGE),
            "can_mark_read": actor.can(Resource.PASSPORT, Action.ADD),
            # The pupil's own words beside the adults' one-page profile of them.
            "about_me": about_me_latest(actor=actor, pupil_id=view.pupil.pk)
            if actor.can(Resource.PUPIL_VIEWS)
            else None,
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.PASSPORT, Action.MANAGE)
def passport_edit_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.PASSPORT, Action.MANAGE)
    current = passport_current(pupil=pupil)
    initial = {f: getattr(current, f) for f in ("strengths", "needs", "what_helps")} if current else {}
    form = PassportForm(request.POST or None, initial=initial)
    # The version the writer starts from: one saved by someone else meanwhile is not overwritten.
    form.fields["version"] = forms.IntegerField(
        widget=forms.HiddenInput, initial=current.version if current else 0, required=False
    )
    return form_flow(
        request,
        form,
        save=lambda: passport_write(actor=actor, pupil_id=pupil.pk, **form.cleaned_data),
        next_url=lambda saved: reverse("passport", args=[pupil.pk]),
        page=FormPage(
            pupil=pupil,
            heading="Write the pupil passport",
            intro="One page every adult who works with the pupil reads. Saving makes a new version, "
            "and everyone is asked to read it again.",
            submit_label="Save passport",
            cancel_url=reverse("passport", args=[pupil.pk]),
        ),
        repeats_by_typing=False,
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.PASSPORT, Action.MANAGE)
def passport_withdraw_view(request: HttpRequest, actor: Actor, passport_id: uuid.UUID) -> HttpResponse:
    passport = pupil_record_or_404(actor, Passport, passport_id, Resource.PASSPORT, Action.MANAGE)
    back = reverse("passport", args=[passport.pupil_id])
    return withdraw_page(
        request,
        pupil=passport.pupil,
        what=f"version {passport.version} of the passport",
        version=passport.version,
        withdraw=lambda version, reason: passport_withdraw(
            actor=actor, passport_id=passport.pk, version=version, reason=reason
        ),
        back=back,
    )


@require_POST
@allow(Resource.PASSPORT, Action.ADD)
def passport_read_view(request: HttpRequest, actor: Actor, passport_id: uuid.UUID) -> HttpResponse:
    try:
        receipt = passport_mark_read(actor=actor, passport_id=passport_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        passport = pupil_record_or_404(actor, Passport, passport_id, Resource.PASSPORT, Action.ADD)
        return redirect("passport", passport.pupil_id)
    messages.success(request, "Thank you: recorded that you have read the passport.")
    return redirect("passport", receipt.passport.pupil_id)
