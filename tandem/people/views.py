from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.audit.services import audit_record
from tandem.people.forms import MembershipCreateForm, PupilFilterForm
from tandem.people.models import Membership
from tandem.people.selectors import (
    pending_invitations,
    pupil_detail,
    pupil_list,
    staff_list,
    teaching_group_detail,
    teaching_group_list,
)
from tandem.people.services import membership_create, membership_deactivate
from tandem.progress.selectors import pupil_progress
from tandem.register.selectors import sen_record_view

PAGE_SIZE = 50


@allow(Resource.PUPIL)
def pupil_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PupilFilterForm(request.GET or None, actor=actor)
    filters = form.filters()
    page = Paginator(pupil_list(actor=actor, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    shows_sen = actor.can(Resource.SEN_RECORD)
    if shows_sen:
        audit_record(
            actor=actor,
            action="pupil_list.view",
            target_type="school",
            target_id=actor.school_id or "",
            fields=["sen_status", "primary_need"],
        )
    return render(
        request,
        "people/pupil_list.html",
        {
            "form": form,
            "page": page,
            "shows_sen": shows_sen,
            "show_school": actor.school_id is None,
            "caption": f"Pupils matching the filters: {page.paginator.count}",
        },
    )


@allow(Resource.PUPIL)
def pupil_detail_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    detail = pupil_detail(actor=actor, pupil_id=pupil_id)
    sen = sen_record_view(actor=actor, pupil=detail.pupil) if actor.can(Resource.SEN_RECORD) else None
    progress = pupil_progress(actor=actor, pupil_id=pupil_id) if actor.can(Resource.PROGRESS) else None
    return render(
        request,
        "people/pupil_detail.html",
        {
            "detail": detail,
            "pupil": detail.pupil,
            "sen": sen,
            "progress": progress,
            "can_respond": actor.can(Resource.FIRST_RESPONSE, Action.MANAGE),
        },
    )


@allow(Resource.TEACHING_GROUP)
def group_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "people/group_list.html", {"groups": teaching_group_list(actor=actor)})


@allow(Resource.TEACHING_GROUP)
def group_detail_view(request: HttpRequest, actor: Actor, group_id: uuid.UUID) -> HttpResponse:
    detail = teaching_group_detail(actor=actor, group_id=group_id)
    shows_sen = actor.can(Resource.SEN_RECORD)
    if shows_sen:
        audit_record(
            actor=actor,
            action="teaching_group.view",
            target_type="teaching_group",
            target_id=group_id,
            fields=["sen_status", "primary_need"],
        )
    return render(request, "people/group_detail.html", {"detail": detail, "shows_sen": shows_sen})


@allow(Resource.STAFF)
def staff_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = MembershipCreateForm() if actor.can(Resource.STAFF, Action.MANAGE) else None
    return render(
        request,
        "people/staff.html",
        {
            "memberships": staff_list(actor=actor),
            "form": form,
            "invitations": pending_invitations(actor=actor) if form else [],
            "can_reset_factors": actor.can(Resource.STAFF_SECURITY, Action.MANAGE),
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.STAFF, Action.MANAGE)
def staff_add_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = MembershipCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_create(
                actor=actor, base_url=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            invited = membership.user.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
            note = (
                f" An invitation to sign in is on its way to {membership.user.email}."
                if invited.exists()
                else ""
            )
            messages.success(
                request, f"{membership.user.full_name} is now {membership.get_role_display()}.{note}"
            )
            return redirect("staff")
    return render(request, "people/staff_add.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
@allow(Resource.STAFF, Action.MANAGE)
def staff_remove_view(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    try:
        membership = membership_deactivate(actor=actor, membership_id=membership_id)
    except Membership.DoesNotExist as error:
        from django.http import Http404

        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Removed the role {membership.get_role_display()} from {membership.user.full_name}."
        )
    return redirect("staff")
