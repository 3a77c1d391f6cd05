from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.core.downloads import attachment
from tandem.core.forms import FormPage, form_flow
from tandem.core.listing import sorting_from
from tandem.jobs.models import Job
from tandem.subject_access.forms import RequestAnswerForm, RequestOpenForm
from tandem.subject_access.selectors import REQUEST_SORTS, request_list, request_or_404
from tandem.subject_access.services import (
    EXPORT_JOB,
    export_fetch,
    export_request,
    request_answer,
    request_open,
)

PAGE_SIZE = 50


@allow(Resource.SUBJECT_ACCESS)
def request_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    sorting = sorting_from(request.GET, columns=REQUEST_SORTS, default="due")
    page = Paginator(request_list(actor=actor, order=sorting.order_by()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "subject_access/list.html",
        {
            "requests": page.object_list,
            "page": page,
            "sorting": sorting,
            "today": timezone.localdate(),
            "can_open": actor.can(Resource.SUBJECT_ACCESS, Action.MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUBJECT_ACCESS, Action.MANAGE)
def request_new_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = RequestOpenForm(request.POST or None, actor=actor, initial={"received_on": timezone.localdate()})
    return form_flow(
        request,
        form,
        save=lambda: request_open(
            actor=actor,
            pupil=form.cleaned_data["upn"],
            staff=form.cleaned_data["staff_email"][0] if form.cleaned_data["staff_email"] else None,
            school_id=form.cleaned_data["staff_email"][1] if form.cleaned_data["staff_email"] else None,
            requester=form.cleaned_data["requester"],
            received_on=form.cleaned_data["received_on"],
        ),
        success=lambda made: f"Request recorded. It is due by {made.due_on:%-d %B %Y}.",
        next_url=lambda made: reverse("subject_access_detail", args=[made.pk]),
        page=FormPage(
            heading="Record a subject access request",
            intro="A pupil, a parent for their child, or a member of staff may ask for a copy of everything "
            "the school holds about them. The school must answer within one calendar month of receiving it.",
            submit_label="Record request",
            cancel_url=reverse("subject_access_list"),
        ),
    )


@allow(Resource.SUBJECT_ACCESS)
def request_detail_view(request: HttpRequest, actor: Actor, request_id: uuid.UUID) -> HttpResponse:
    found = request_or_404(actor, request_id)
    job = (
        Job.objects.filter(kind=EXPORT_JOB, arguments__request_id=str(found.pk))
        .order_by("-created_at")
        .first()
    )
    return render(
        request,
        "subject_access/detail.html",
        {
            "sar": found,
            "job": job,
            "today": timezone.localdate(),
            "answer_form": RequestAnswerForm(initial={"answered_on": timezone.localdate()}),
            "can_manage": actor.can(Resource.SUBJECT_ACCESS, Action.MANAGE),
        },
    )


@require_POST
@allow(Resource.SUBJECT_ACCESS, Action.MANAGE)
def request_export_view(request: HttpRequest, actor: Actor, request_id: uuid.UUID) -> HttpResponse:
    export_request(actor=actor, request_id=request_id)
    return redirect("subject_access_detail", request_id=request_id)


@allow(Resource.SUBJECT_ACCESS, Action.MANAGE)
def request_download_view(request: HttpRequest, actor: Actor, request_id: uuid.UUID) -> HttpResponse:
    try:
        found = export_fetch(actor=actor, request_id=request_id)
    except ValidationError:
        raise Http404 from None
    response = HttpResponse(bytes(found.export or b""), content_type="application/zip")
    return attachment(response, f"subject-access-{found.received_on:%Y-%m-%d}.zip")


@require_http_methods(["GET", "POST"])
@allow(Resource.SUBJECT_ACCESS, Action.MANAGE)
def request_answer_view(request: HttpRequest, actor: Actor, request_id: uuid.UUID) -> HttpResponse:
    found = request_or_404(actor, request_id, Action.MANAGE)
    form = RequestAnswerForm(request.POST or None, initial={"answered_on": timezone.localdate()})
    return form_flow(
        request,
        form,
        save=lambda: request_answer(actor=actor, request_id=found.pk, **form.cleaned_data),
        success="Request marked as answered.",
        next_url=lambda saved: reverse("subject_access_detail", args=[saved.pk]),
        page=FormPage(
            heading="Mark the request as answered",
            submit_label="Mark as answered",
            cancel_url=reverse("subject_access_detail", args=[found.pk]),
        ),
        repeats_by_typing=False,
    )
