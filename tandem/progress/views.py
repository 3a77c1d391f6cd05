from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

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
from tandem.jobs.selectors import job_for_actor, job_may_not_start
from tandem.people.forms import accountable_teacher_field
from tandem.people.models import Subject
from tandem.progress.forms import FirstResponseForm, FirstResponseReviewForm, ProgressSettingsForm
from tandem.progress.models import FirstResponse, ResponseOutcome
from tandem.progress.selectors import (
    CRITERIA,
    FLAG_SORTS,
    first_response_detail,
    flag_for_pupil,
    flag_lists,
    progress_settings_view,
    progress_summary,
)
from tandem.progress.services import (
    ANALYSIS_JOB,
    analysis_request,
    first_response_correct,
    first_response_create,
    first_response_review,
    first_response_withdraw,
    progress_settings_update,
)
from tandem.revisions.forms import add_correction_fields, correction_data
from tandem.revisions.kinds import FIRST_RESPONSE
from tandem.revisions.selectors import record_version_number
from tandem.revisions.views import correction_page, withdraw_page

# Each of the two flag lists pages on its own.
FLAG_PAGES = ("first_page", "review_page")
FLAGS_PER_PAGE = 50


@allow(Resource.PROGRESS)
def progress_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    subject = request.GET.get("subject") or None
    columns = {k: v for k, v in FLAG_SORTS.items() if k != "school" or actor.school_id is None}
    sorting = sorting_from(request.GET, columns=columns, default="name", pages=FLAG_PAGES)
    lists = flag_lists(actor=actor, subject=subject, order=sorting.order_by())
    first, review = (
        Paginator(rows, FLAGS_PER_PAGE).get_page(request.GET.get(param))
        for rows, param in zip((lists.first_response, lists.next_review), FLAG_PAGES, strict=True)
    )
    return render(
        request,
        "progress/list.html",
        {
            "run": lists.run,
            "lists": lists,
            "first_page": first,
            "review_page": review,
            "sorting": sorting,
            "criteria": CRITERIA,
            "subject": subject,
            "can_respond": actor.can(Resource.FIRST_RESPONSE, Action.MANAGE),
            "can_see_settings": actor.can(Resource.PROGRESS_SETTINGS),
            "can_run": actor.can(Resource.ANALYSIS_RUN, Action.MANAGE),
        },
    )


@require_POST
@allow(Resource.ANALYSIS_RUN, Action.MANAGE)
def analysis_request_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    job = analysis_request(actor=actor, school_id=actor.school_id or 0, reason="asked")
    return redirect("analysis_job", job_id=job.pk)


@allow(Resource.ANALYSIS_RUN)
def analysis_job_view(request: HttpRequest, actor: Actor, job_id: uuid.UUID) -> HttpResponse:
    job = job_for_actor(actor=actor, job_id=job_id, kinds=(ANALYSIS_JOB,))
    return render(
        request,
        "progress/analysis_job.html",
        {
            "job": job,
            "no_worker": job_may_not_start(job),
            "can_see_flags": actor.can(Resource.PROGRESS),
            "can_run": actor.can(Resource.ANALYSIS_RUN, Action.MANAGE),
        },
    )


@allow(Resource.PROGRESS)
def progress_summary_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "progress/summary.html", {"summary": progress_summary(actor=actor)})


def _subject_choices() -> list[tuple[str, str]]:
    return [("", "Not one subject"), *Subject.objects.order_by("name").values_list("code", "name")]


@require_http_methods(["GET", "POST"])
@allow(Resource.FIRST_RESPONSE, Action.MANAGE)
def first_response_new_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    """From a progress flag (?flag=) or a concern (?concern=): the teacher's targeted adjustments in class."""
    pupil = pupil_or_404(actor, pupil_id, Resource.FIRST_RESPONSE, Action.MANAGE)
    flag = flag_for_pupil(actor=actor, pupil_id=pupil.pk, result_id=_int_or_none(request.GET.get("flag")))
    today = timezone.localdate()
    initial: dict[str, Any] = {
        "starts_on": today,
        "review_on": today + dt.timedelta(weeks=6),
        "concern": request.GET.get("concern") or None,
        "flag": flag.pk if flag else None,
        "accountable_teacher": actor.user_id,
    }
    if flag is not None:
        initial["subject"] = flag.subject_id
        initial["weakness"] = " ".join(text for text in flag.reasons.values() if text)
    form = FirstResponseForm(request.POST or None, initial=initial)
    form.fields["subject"].choices = _subject_choices()  # type: ignore[attr-defined]
    form.fields["accountable_teacher"] = accountable_teacher_field(pupil=pupil)
    form.order_fields(["accountable_teacher"])

    def save() -> FirstResponse:
        data = form.cleaned_data
        return first_response_create(
            actor=actor,
            pupil_id=pupil.pk,
            accountable_teacher_id=data["accountable_teacher"],
            weakness=data["weakness"],
            adjustments=data["adjustments"],
            starts_on=data["starts_on"],
            review_on=data["review_on"],
            subject_code=data["subject"],
            concern_id=data["concern"],
            progress_result_id=data["flag"],
        )

    return form_flow(
        request,
        form,
        save=save,
        success=lambda response: f"First response recorded. Review it on {response.review_on:%d %B %Y}.",
        next_url=lambda response: reverse("first_response_detail", args=[response.pk]),
        page=FormPage(
            pupil=pupil,
            heading="Record a first response",
            intro="The first response to less than expected progress is high-quality teaching aimed at "
            "the pupil's weakness, by the class teacher (Code 6.19). Say what you will change and when you "
            "will check it has worked.",
            submit_label="Save first response",
            cancel_url=reverse("pupil_detail", args=[pupil.pk]),
            extra={"aside_template": "progress/_flag_reason.html" if flag else "", "flag": flag},
        ),
    )


@allow(Resource.FIRST_RESPONSE)
def first_response_detail_view(request: HttpRequest, actor: Actor, response_id: uuid.UUID) -> HttpResponse:
    detail = first_response_detail(actor=actor, response_id=response_id)
    response = detail.response
    can_manage = actor.can(Resource.FIRST_RESPONSE, Action.MANAGE) and not response.is_withdrawn
    return render(
        request,
        "progress/first_response.html",
        {
            "response": response,
            "history": detail.history,
            "pupil": response.pupil,
            "can_review": can_manage and not response.outcome,
            "can_correct": can_manage,
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.FIRST_RESPONSE, Action.MANAGE)
def first_response_review_view(request: HttpRequest, actor: Actor, response_id: uuid.UUID) -> HttpResponse:
    response = pupil_record_or_404(actor, FirstResponse, response_id, Resource.FIRST_RESPONSE, Action.MANAGE)
    form = FirstResponseReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()})

    return form_flow(
        request,
        form,
        save=lambda: first_response_review(actor=actor, response_id=response.pk, **form.cleaned_data),
        success=lambda reviewed: (
            "Referred: the SENCo will see this pupil on the compliance page."
            if reviewed.outcome == ResponseOutcome.REFER
            else "Review recorded."
        ),
        next_url=lambda reviewed: reverse("first_response_detail", args=[reviewed.pk]),
        page=FormPage(
            pupil=response.pupil,
            heading="Review the first response",
            intro=f"Adjustments: {response.adjustments}",
            submit_label="Save review",
            cancel_url=reverse("first_response_detail", args=[response.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.FIRST_RESPONSE, Action.MANAGE)
def first_response_edit_view(request: HttpRequest, actor: Actor, response_id: uuid.UUID) -> HttpResponse:
    response = pupil_record_or_404(actor, FirstResponse, response_id, Resource.FIRST_RESPONSE, Action.MANAGE)
    fields = ("weakness", "adjustments", "starts_on", "review_on")
    form = FirstResponseForm(request.POST or None, initial={name: getattr(response, name) for name in fields})
    for unused in ("subject", "concern", "flag"):  # where it started is not corrected here
        del form.fields[unused]
    if response.outcome:
        form.fields["outcome_note"] = copy.deepcopy(FirstResponseReviewForm.base_fields["note"])
        form.initial["outcome_note"] = response.outcome_note
    add_correction_fields(
        form, version=record_version_number(record_type=FIRST_RESPONSE.record_type, record_id=response.pk)
    )

    def save() -> FirstResponse:
        data, version, reason = correction_data(form)
        return first_response_correct(
            actor=actor, response_id=response.pk, version=version, reason=reason, **data
        )

    back = reverse("first_response_detail", args=[response.pk])
    return correction_page(
        request,
        form,
        pupil=response.pupil,
        heading="Correct a first response",
        save=save,
        back=back,
        success="First response corrected. Its history shows what changed.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.FIRST_RESPONSE, Action.MANAGE)
def first_response_withdraw_view(request: HttpRequest, actor: Actor, response_id: uuid.UUID) -> HttpResponse:
    response = pupil_record_or_404(actor, FirstResponse, response_id, Resource.FIRST_RESPONSE, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=response.pupil,
        what=f"the first response from {response.starts_on:%-d %B %Y}",
        version=record_version_number(record_type=FIRST_RESPONSE.record_type, record_id=response.pk),
        withdraw=lambda version, reason: first_response_withdraw(
            actor=actor, response_id=response.pk, version=version, reason=reason
        ),
        back=reverse("first_response_detail", args=[response.pk]),
    )


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_http_methods(["GET", "POST"])
@allow(Resource.PROGRESS_SETTINGS)
def progress_settings_page_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Every setting with its value, where it comes from and why; the editable ones as a form."""
    effective = progress_settings_view(actor=actor)
    can_manage = actor.can(Resource.PROGRESS_SETTINGS, Action.MANAGE)
    current = {row.name: row.value for row in effective.rows if row.editable}
    form = ProgressSettingsForm(
        request.POST if request.method == "POST" and can_manage else None,
        initial=current,
        reasons={row.name: row.reason for row in effective.rows},
    )

    return form_flow(
        request,
        form,
        save=lambda: progress_settings_update(actor=actor, values=form.cleaned_data),
        success="Settings saved. The next analysis uses them.",
        next_url=lambda _: reverse("progress_settings"),
        page=FormPage(
            heading="Settings for less than expected progress",
            submit_label="Save settings",
            cancel_url=reverse("progress_list"),
            extra={"effective": effective, "can_manage": can_manage},
        ),
        template="progress/settings.html",
        repeats_by_typing=False,
    )
