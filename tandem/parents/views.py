"""Pages for parents and carers (their child, a meeting record, the school's questions, asking for a meeting)
and for the staff who link them and share records with them. Thin: parse, call one service or selector,
render. A parent's page is phone-first and in plain words; another family's child is the same 404 as a
page that does not exist."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
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
from tandem.core.once import FORM_FIELD_NAME, form_token_issue
from tandem.lib.family_words import DEFAULT_QUESTIONS
from tandem.parents.family_selectors import (
    child_overview,
    family_child_name,
    family_meeting,
    family_views_request,
)
from tandem.parents.forms import (
    MeetingRequestForm,
    MeetingResponseForm,
    ParentInviteForm,
    ParentViewsForm,
    ViewsRequestForm,
)
from tandem.parents.models import MeetingRequest, ParentLink, SharedKind
from tandem.parents.selectors import current_plan, parents_page
from tandem.parents.services import (
    SHARED_MODELS,
    meeting_request_answered,
    meeting_request_create,
    meeting_response_give,
    parent_invite,
    parent_link_end,
    parent_views_give,
    record_share,
    record_unshare,
    views_request_create,
)

# How long parents have to answer, when no plan review sets the date.
REPLY_WITHIN = dt.timedelta(days=14)


def _child_url(pupil_id: uuid.UUID) -> str:
    return reverse("family_child", args=[pupil_id])


# ---------------------------------------------------------------- parents' pages
@allow(Resource.FAMILY)
def family_child_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    overview = child_overview(actor=actor, pupil_id=pupil_id)
    return render(request, "parents/child.html", {"c": overview})


@allow(Resource.FAMILY)
def family_meeting_view(request: HttpRequest, actor: Actor, shared_meeting_id: uuid.UUID) -> HttpResponse:
    record = family_meeting(actor=actor, meeting_id=shared_meeting_id)
    can_answer = record.answer is None and actor.can(Resource.FAMILY, Action.ADD)
    context = {
        "record": record,
        "form": MeetingResponseForm() if can_answer else None,
        "action_url": reverse("family_meeting_answer", args=[record.id]),
        "heading": f"Meeting about {record.first_name} on {record.held_on:%-d %B %Y}",
        "submit_label": "Send my answer",
        "cancel_url": _child_url(record.pupil_id),
        FORM_FIELD_NAME: form_token_issue(user_id=actor.user_id) if can_answer else "",
    }
    return render(request, "parents/meeting.html", context)


@require_http_methods(["GET", "POST"])
@allow(Resource.FAMILY, Action.ADD)
def family_meeting_answer_view(
    request: HttpRequest, actor: Actor, shared_meeting_id: uuid.UUID
) -> HttpResponse:
    record = family_meeting(actor=actor, meeting_id=shared_meeting_id, action=Action.ADD)
    if record.answer is not None:
        messages.info(request, "You have already answered about this meeting record. Thank you.")
        return redirect("family_meeting", record.id)
    form = MeetingResponseForm(request.POST or None)
    return form_flow(
        request,
        form,
        save=lambda: meeting_response_give(
            actor=actor,
            meeting_id=record.id,
            agrees=form.cleaned_data["agrees"] == "yes",
            comment=form.cleaned_data["comment"],
        ),
        success="Thank you: the school can see your answer.",
        next_url=lambda _: _child_url(record.pupil_id),
        page=FormPage(
            heading=f"Meeting about {record.first_name} on {record.held_on:%-d %B %Y}",
            submit_label="Send my answer",
            cancel_url=_child_url(record.pupil_id),
            extra={"record": record, "action_url": ""},
        ),
        template="parents/meeting.html",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.FAMILY, Action.ADD)
def family_views_view(request: HttpRequest, actor: Actor, views_request_id: uuid.UUID) -> HttpResponse:
    page = family_views_request(actor=actor, views_request_id=views_request_id)
    heading = f"Your views about {page.first_name}"
    if page.given is not None or not page.is_open:
        # Answered already, or closed: the page says so, with the answers sent, and asks nothing.
        context = {"v": page, "heading": heading, "cancel_url": _child_url(page.pupil_id), "form": None}
        return render(request, "parents/views.html", context)
    form = ParentViewsForm(request.POST or None, questions=page.questions)
    return form_flow(
        request,
        form,
        save=lambda: parent_views_give(actor=actor, views_request_id=page.id, answers=form.answers()),
        success="Thank you: your answers have been sent to the school.",
        next_url=lambda _: _child_url(page.pupil_id),
        page=FormPage(
            heading=heading,
            submit_label="Send my answers",
            cancel_url=_child_url(page.pupil_id),
            extra={"v": page},
        ),
        template="parents/views.html",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.FAMILY, Action.ADD)
def family_meeting_request_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    child = family_child_name(actor=actor, pupil_id=pupil_id)
    form = MeetingRequestForm(request.POST or None)
    return form_flow(
        request,
        form,
        save=lambda: meeting_request_create(actor=actor, pupil_id=child.pupil_id, **form.cleaned_data),
        success="Your request has been sent. The school will be in touch.",
        next_url=lambda _: _child_url(child.pupil_id),
        page=FormPage(
            heading=f"Ask for a meeting about {child.first_name}",
            intro=f"Tell {child.school_name} what you would like to talk about. They will get in touch to "
            "find a time.",
            submit_label="Send my request",
            cancel_url=_child_url(child.pupil_id),
            extra={
                "back_url": _child_url(child.pupil_id),
                "back_label": f"Back to {child.first_name}'s page",
            },
        ),
        template="parents/form.html",
    )


# ---------------------------------------------------------------- staff pages
def _parents_url(pupil_id: uuid.UUID) -> str:
    return reverse("pupil_parents", args=[pupil_id])


@allow(Resource.PARENT_ACCESS)
def pupil_parents_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    page = parents_page(actor=actor, pupil_id=pupil_id)
    context = {
        "p": page,
        "pupil": page.pupil,
        "can_manage": actor.can(Resource.PARENT_ACCESS, Action.MANAGE),
        "can_add": actor.can(Resource.PARENT_ACCESS, Action.ADD),
    }
    return render(request, "parents/staff_page.html", context)


def _invited_message(link: ParentLink) -> str:
    user = link.user
    invited = user.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).exists()
    then = (
        f"An invitation to sign in is on its way to {user.email}."
        if invited
        else f"We have emailed {user.email} that something is waiting for them."
    )
    return f"{user.full_name} is linked as {link.relationship}. {then}"


@require_http_methods(["GET", "POST"])
@allow(Resource.PARENT_ACCESS, Action.MANAGE)
def parent_invite_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.PARENT_ACCESS, Action.MANAGE)
    form = ParentInviteForm(request.POST or None)
    back = _parents_url(pupil.pk)
    return form_flow(
        request,
        form,
        save=lambda: parent_invite(
            actor=actor, pupil_id=pupil.pk, base_url=request.build_absolute_uri("/"), **form.cleaned_data
        ),
        success=_invited_message,
        next_url=lambda _: back,
        page=FormPage(
            heading=f"Invite a parent or carer of {pupil.display_name}",
            intro="They will see only what you choose to share about this pupil, and can send you their "
            "views. Check the email address with the school office's records first.",
            submit_label="Link and invite",
            cancel_url=back,
            extra={"back_url": back, "back_label": f"{pupil.display_name}: parents and carers"},
        ),
        template="parents/form.html",
    )


@require_POST
@allow(Resource.PARENT_ACCESS, Action.MANAGE)
def parent_link_end_view(request: HttpRequest, actor: Actor, link_id: uuid.UUID) -> HttpResponse:
    link = pupil_record_or_404(actor, ParentLink, link_id, Resource.PARENT_ACCESS, Action.MANAGE)
    try:
        parent_link_end(actor=actor, link_id=link.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{link.user.full_name} no longer sees this pupil's records.")
    return redirect(_parents_url(link.pupil_id))


@require_http_methods(["GET", "POST"])
@allow(Resource.PARENT_ACCESS, Action.ADD)
def parent_views_ask_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.PARENT_ACCESS, Action.ADD)
    plan = current_plan(pupil=pupil)
    today = timezone.localdate()
    reply_by = today + REPLY_WITHIN
    if plan is not None and plan.review_on - dt.timedelta(days=7) > today:
        reply_by = min(reply_by, plan.review_on - dt.timedelta(days=7))
    plan_label = (
        f"For the review of support plan cycle {plan.cycle} (due {plan.review_on:%-d %B %Y})" if plan else ""
    )
    form = ViewsRequestForm(
        request.POST or None,
        plan_label=plan_label,
        initial={
            "purpose": "Before the review of the support plan" if plan else "Before our next meeting",
            "reply_by": reply_by,
            "questions": "\n".join(DEFAULT_QUESTIONS),
            "for_plan": plan is not None,
        },
    )
    back = _parents_url(pupil.pk)

    def save() -> object:
        data = form.cleaned_data
        return views_request_create(
            actor=actor,
            pupil_id=pupil.pk,
            purpose=data["purpose"],
            reply_by=data["reply_by"],
            questions=form.question_list(),
            plan_id=plan.pk if plan is not None and data.get("for_plan") else None,
            base_url=request.build_absolute_uri("/"),
        )

    return form_flow(
        request,
        form,
        save=save,
        success="Sent: the parents have been emailed that the school would like their views.",
        next_url=lambda _: back,
        page=FormPage(
            heading=f"Ask the parents of {pupil.display_name} for their views",
            intro="Plans are made with parents (Code 6.64 to 6.71). Parents see your questions on their "
            "phone or computer, and you see their answers here and on the plan's review page.",
            submit_label="Send to the parents",
            cancel_url=back,
            extra={"back_url": back, "back_label": f"{pupil.display_name}: parents and carers"},
        ),
        template="parents/form.html",
    )


def _share_toggle(request: HttpRequest, actor: Actor, kind: SharedKind, record_id: uuid.UUID) -> HttpResponse:
    model, _ = SHARED_MODELS[kind]
    record = pupil_record_or_404(actor, model, record_id, Resource.PARENT_ACCESS, Action.ADD)
    back = _parents_url(record.pupil_id)
    wanted = request.POST.get("share", "")
    try:
        if wanted == "yes":
            record_share(
                actor=actor, kind=kind, record_id=record.pk, base_url=request.build_absolute_uri("/")
            )
            messages.success(request, "Shared: the parents have been emailed that something is waiting.")
        elif wanted == "no":
            record_unshare(actor=actor, kind=kind, record_id=record.pk)
            messages.success(request, "Stopped sharing: the parents no longer see it.")
        else:
            messages.error(request, "Nothing changed: choose Share or Stop sharing.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


@require_POST
@allow(Resource.PARENT_ACCESS, Action.ADD)
def plan_share_view(request: HttpRequest, actor: Actor, plan_id: uuid.UUID) -> HttpResponse:
    return _share_toggle(request, actor, SharedKind.PLAN, plan_id)


@require_POST
@allow(Resource.PARENT_ACCESS, Action.ADD)
def passport_share_view(request: HttpRequest, actor: Actor, passport_id: uuid.UUID) -> HttpResponse:
    return _share_toggle(request, actor, SharedKind.PASSPORT, passport_id)


@require_POST
@allow(Resource.PARENT_ACCESS, Action.ADD)
def meeting_share_view(request: HttpRequest, actor: Actor, meeting_id: uuid.UUID) -> HttpResponse:
    return _share_toggle(request, actor, SharedKind.MEETING, meeting_id)


@require_POST
@allow(Resource.PARENT_ACCESS, Action.ADD)
def meeting_request_answered_view(
    request: HttpRequest, actor: Actor, meeting_request_id: uuid.UUID
) -> HttpResponse:
    asked = pupil_record_or_404(actor, MeetingRequest, meeting_request_id, Resource.PARENT_ACCESS, Action.ADD)
    try:
        meeting_request_answered(actor=actor, meeting_request_id=asked.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Marked as answered.")
    return redirect(_parents_url(asked.pupil_id))
