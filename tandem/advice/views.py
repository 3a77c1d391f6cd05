"""Pages for specialist advice: a pupil's list, asking for or recording advice, its page, its arrival and
documents, its recommendations, withdrawing it, and the download of a document. Thin: parse, call one
service or selector, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.advice.forms import AdviceForm, DocumentForm, ReceiveForm, RecommendationForm
from tandem.advice.kinds import ADVICE
from tandem.advice.models import SpecialistAdvice
from tandem.advice.selectors import advice_detail, advice_document_file, advice_list, target_choices
from tandem.advice.services import (
    AdviceFields,
    RecommendationFields,
    Upload,
    advice_document_add,
    advice_receive,
    advice_record,
    advice_withdraw,
    recommendation_add,
)
from tandem.core.forms import FormPage, form_flow
from tandem.core.middleware import CONTENT_SECURITY_POLICY
from tandem.plans.selectors import intervention_choices
from tandem.revisions.selectors import record_version_number
from tandem.revisions.views import withdraw_page

FORM_TEMPLATE = "advice/form_page.html"


def _max_bytes() -> int:
    return int(settings.TANDEM_DOCUMENT_MAX_BYTES)


def _posted(request: HttpRequest) -> tuple[Any, Any]:
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _upload(cleaned: dict[str, Any]) -> Upload | None:
    file = cleaned.get("document")
    if not file:
        return None
    return Upload(name=file.name or "", size=file.size or 0, read=file.read)


@allow(Resource.SPECIALIST_ADVICE)
def advice_list_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    listing = advice_list(actor=actor, pupil_id=pupil_id)
    return render(
        request,
        "advice/advice_list.html",
        {
            "listing": listing,
            "pupil": listing.pupil,
            "can_manage": actor.can(Resource.SPECIALIST_ADVICE, Action.MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SPECIALIST_ADVICE, Action.MANAGE)
def advice_new_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.SPECIALIST_ADVICE, Action.MANAGE)
    data, files = _posted(request)
    form = AdviceForm(data, files, max_bytes=_max_bytes(), initial={"requested_on": timezone.localdate()})

    def save() -> SpecialistAdvice:
        cleaned = dict(form.cleaned_data)
        document = _upload(cleaned)
        cleaned.pop("document", None)
        return advice_record(
            actor=actor, pupil_id=pupil.pk, fields=AdviceFields(**cleaned), document=document
        )

    back = reverse("advice_list", args=[pupil.pk])
    return form_flow(
        request,
        form,
        save=save,
        success="Advice saved.",
        next_url=lambda advice: reverse("advice_detail", args=[advice.pk]),
        template=FORM_TEMPLATE,
        page=FormPage(
            pupil=pupil,
            heading="Ask for or record specialist advice",
            intro="Record the day you asked for advice, and who from. If it has already arrived, give the "
            "date, its main points and the document; otherwise record its arrival later on its page.",
            submit_label="Save advice",
            cancel_url=back,
            extra={"back_url": back, "back_label": "Specialist advice", "multipart": True},
        ),
    )


@allow(Resource.SPECIALIST_ADVICE)
def advice_detail_view(request: HttpRequest, actor: Actor, advice_id: uuid.UUID) -> HttpResponse:
    detail = advice_detail(actor=actor, advice_id=advice_id)
    return render(
        request,
        "advice/advice_detail.html",
        {
            "detail": detail,
            "advice": detail.advice,
            "pupil": detail.advice.pupil,
            "can_manage": actor.can(Resource.SPECIALIST_ADVICE, Action.MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SPECIALIST_ADVICE, Action.MANAGE)
def advice_received_view(request: HttpRequest, actor: Actor, advice_id: uuid.UUID) -> HttpResponse:
    """While the advice is awaited: record its arrival (and its document). Once it has arrived: add another
    document to it."""
    advice = pupil_record_or_404(
        actor, SpecialistAdvice, advice_id, Resource.SPECIALIST_ADVICE, Action.MANAGE
    )
    back = reverse("advice_detail", args=[advice.pk])
    data, files = _posted(request)
    extra = {"back_url": back, "back_label": f"Advice from {advice.profession_name}", "multipart": True}
    if advice.received_on is None:
        receive_form = ReceiveForm(
            data,
            files,
            max_bytes=_max_bytes(),
            initial={"received_on": timezone.localdate(), "summary": advice.summary},
        )
        return form_flow(
            request,
            receive_form,
            save=lambda: advice_receive(
                actor=actor,
                advice_id=advice.pk,
                received_on=receive_form.cleaned_data["received_on"],
                summary=receive_form.cleaned_data["summary"],
                document=_upload(receive_form.cleaned_data),
            ),
            success="Recorded as received.",
            next_url=lambda _: back,
            template=FORM_TEMPLATE,
            page=FormPage(
                pupil=advice.pupil,
                heading="Record that the advice has arrived",
                intro="The date it arrived, its main points, and the report or letter it came as.",
                submit_label="Save",
                cancel_url=back,
                extra=extra,
            ),
        )
    document_form = DocumentForm(data, files, max_bytes=_max_bytes())
    return form_flow(
        request,
        document_form,
        save=lambda: advice_document_add(
            actor=actor,
            advice_id=advice.pk,
            document=_upload(document_form.cleaned_data),  # type: ignore[arg-type]
        ),
        success="Document added.",
        next_url=lambda _: back,
        template=FORM_TEMPLATE,
        # The form holds only the file, which the browser never puts back: every post is a new document.
        repeats_by_typing=False,
        page=FormPage(
            pupil=advice.pupil,
            heading="Add a document to this advice",
            intro=f"The advice arrived on {advice.received_on:%-d %B %Y}. Add another report or letter that "
            "came with it or followed it.",
            submit_label="Upload",
            cancel_url=back,
            extra=extra,
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SPECIALIST_ADVICE, Action.MANAGE)
def recommendation_new_view(request: HttpRequest, actor: Actor, advice_id: uuid.UUID) -> HttpResponse:
    advice = pupil_record_or_404(
        actor, SpecialistAdvice, advice_id, Resource.SPECIALIST_ADVICE, Action.MANAGE
    )
    back = reverse("advice_detail", args=[advice.pk])
    if advice.received_on is None or advice.is_withdrawn:
        return render(
            request, "advice/recommendation_blocked.html", {"advice": advice, "pupil": advice.pupil}
        )
    form = RecommendationForm(
        request.POST if request.method == "POST" else None,
        targets=target_choices(pupil=advice.pupil),
        interventions=intervention_choices(school_id=advice.school_id),
        initial={"status": "planned"},
    )

    def save() -> object:
        cleaned = form.cleaned_data
        return recommendation_add(
            actor=actor,
            advice_id=advice.pk,
            fields=RecommendationFields(
                text=cleaned["text"],
                status=cleaned["status"],
                target_id=cleaned["target"] or None,
                intervention_id=cleaned["intervention"] or None,
                not_taken_up_reason=cleaned["not_taken_up_reason"],
            ),
        )

    return form_flow(
        request,
        form,
        save=save,
        success="Recommendation added.",
        next_url=lambda _: back,
        template=FORM_TEMPLATE,
        page=FormPage(
            pupil=advice.pupil,
            heading="Add a recommendation",
            intro="What the specialist recommends, the target it serves and the provision that delivers it, "
            "and what the school has done about it.",
            submit_label="Add recommendation",
            cancel_url=back,
            extra={"back_url": back, "back_label": f"Advice from {advice.profession_name}"},
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SPECIALIST_ADVICE, Action.MANAGE)
def advice_withdraw_view(request: HttpRequest, actor: Actor, advice_id: uuid.UUID) -> HttpResponse:
    advice = pupil_record_or_404(
        actor, SpecialistAdvice, advice_id, Resource.SPECIALIST_ADVICE, Action.MANAGE
    )
    return withdraw_page(
        request,
        pupil=advice.pupil,
        what=f"the advice asked for on {advice.requested_on:%-d %B %Y}",
        version=record_version_number(record_type=ADVICE.record_type, record_id=advice.pk),
        withdraw=lambda version, reason: advice_withdraw(
            actor=actor, advice_id=advice.pk, version=version, reason=reason
        ),
        back=reverse("advice_detail", args=[advice.pk]),
    )


@require_http_methods(["GET", "HEAD"])
@allow(Resource.SPECIALIST_ADVICE)
def document_download_view(request: HttpRequest, actor: Actor, document_id: uuid.UUID) -> HttpResponse:
    document, data = advice_document_file(actor=actor, document_id=document_id)
    response = HttpResponse(data, content_type=document.content_type)
    # Always saved, never shown in the page: a file is opened by its own program, not by Tandem's origin.
    response["Content-Disposition"] = content_disposition_header(True, document.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway, it does so with no scripts and no access to Tandem's origin.
    response["Content-Security-Policy"] = f"{CONTENT_SECURITY_POLICY}; sandbox"
    return response
