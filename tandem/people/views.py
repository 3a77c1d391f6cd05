from __future__ import annotations

import uuid
from collections.abc import Callable

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.accounts.reauthentication import sign_in_is_stale
from tandem.audit.selectors import pupil_access_list
from tandem.audit.services import audit_record
from tandem.core.forms import add_service_errors
from tandem.core.listing import sorting_from
from tandem.people.forms import MembershipCreateForm, PupilFilterForm
from tandem.people.models import Membership, RoleProposal
from tandem.people.profile import group_profile
from tandem.people.selectors import (
    STAFF_SORTS,
    group_sorts,
    pending_invitations,
    pupil_detail,
    pupil_list,
    pupil_sorts,
    role_changes,
    role_proposals_pending,
    staff_list,
    staff_school,
    staff_schools,
    teaching_group_detail,
    teaching_group_list,
)
from tandem.people.services import (
    grant_schools,
    grantable_roles,
    membership_create,
    membership_deactivate,
    role_proposal_approve,
    role_proposal_reject,
)
from tandem.progress.selectors import pupil_progress
from tandem.provision.pupil_figures import pupil_interventions
from tandem.register.selectors import sen_record_view

PAGE_SIZE = 50


@allow(Resource.PUPIL)
def pupil_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PupilFilterForm(request.GET or None, actor=actor)
    filters = form.filters()
    sorting = sorting_from(request.GET, columns=pupil_sorts(actor=actor), default="name")
    pupils = pupil_list(actor=actor, filters=filters, order=sorting.order_by())
    page = Paginator(pupils, PAGE_SIZE).get_page(request.GET.get("page"))
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
            "sorting": sorting,
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
            "access": pupil_access_list(actor=actor, pupil=detail.pupil),
            "placements": pupil_interventions(actor=actor, pupil_id=pupil_id),
            "can_respond": actor.can(Resource.FIRST_RESPONSE, Action.MANAGE),
        },
    )


@allow(Resource.TEACHING_GROUP)
def group_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    sorting = sorting_from(request.GET, columns=group_sorts(actor=actor), default="year")
    groups = teaching_group_list(actor=actor, search=search, order=sorting.order_by())
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/group_list.html",
        {"groups": page.object_list, "page": page, "sorting": sorting, "search": search},
    )


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


@allow(Resource.SEN_RECORD)
def group_profile_view(request: HttpRequest, actor: Actor, group_id: uuid.UUID) -> HttpResponse:
    """The class profile: the group's pupils with SEN or a progress flag, printable on A4."""
    return render(
        request, "people/group_profile.html", {"profile": group_profile(actor=actor, group_id=group_id)}
    )


# Role changes ask for the password or second factor again when the last proof of who the person is
# (signing in included) is over 10 minutes old; allauth keeps the POST and carries it out once they have.
fresh_sign_in_required = reauthentication_required(allow_get=True, enabled=sign_in_is_stale)


@allow(Resource.STAFF)
def staff_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    grantable = grantable_roles(actor)
    # A trust admin looks at one of the trust's schools at a time.
    chosen = request.GET.get("school", "")
    school_id = int(chosen) if chosen.isdigit() else None
    schools = list(staff_schools(actor=actor).values_list("pk", "name")) if actor.school_id is None else []
    if school_id is not None and school_id not in dict(schools):
        raise Http404
    search = request.GET.get("q", "")[:100]
    sorting = sorting_from(request.GET, columns=STAFF_SORTS, default="name")
    roles = staff_list(actor=actor, school_id=school_id, search=search, order=sorting.order_by())
    page = Paginator(roles, PAGE_SIZE).get_page(request.GET.get("page"))
    memberships = list(page.object_list)
    # Plans link to a person's row: one anchor each, on their first row (sorted by role, their rows part).
    first_rows: dict[int, int] = {}
    for membership in memberships:
        first_rows.setdefault(membership.user_id, membership.pk)
    can_manage = actor.can(Resource.STAFF, Action.MANAGE)
    can_decide = actor.can(Resource.ROLE_APPROVAL, Action.MANAGE)
    remove_url = "staff_remove" if can_manage else ("role_remove" if can_decide else None)
    can_reset_factors = actor.can(Resource.STAFF_SECURITY, Action.MANAGE)
    return render(
        request,
        "people/staff.html",
        {
            "memberships": memberships,
            "page": page,
            "sorting": sorting,
            "search": search,
            "anchored": set(first_rows.values()),
            "columns": 3 + can_reset_factors + (remove_url is not None),
            "schools": schools,
            "shown_school": staff_school(actor=actor, school_id=school_id),
            "grant_url": "staff_add" if can_manage else ("role_grant" if can_decide else None),
            "remove_url": remove_url,
            # Never one's own: nobody removes their own roles.
            "removable": {m.pk for m in memberships if m.role in grantable and m.user_id != actor.user_id},
            "invitations": pending_invitations(actor=actor) if can_manage else [],
            "can_reset_factors": can_reset_factors,
            "can_set_sign_in": actor.can(Resource.SIGN_IN_POLICY, Action.MANAGE),
            # The head's view of who holds which role, and how it came to be.
            "shows_roles": actor.can(Resource.ROLE_APPROVAL),
            "can_decide": can_decide,
            "proposals": role_proposals_pending(actor=actor) if can_decide else [],
            "changes": role_changes(actor=actor) if actor.can(Resource.ROLE_APPROVAL) else [],
            "now": timezone.now(),
        },
    )


def _grant_page(request: HttpRequest, actor: Actor, cancel_url: str) -> HttpResponse:
    schools = None
    if actor.school_id is None:
        schools = list(grant_schools(actor).order_by("name").values_list("pk", "name"))
    form = MembershipCreateForm(request.POST or None, grantable=grantable_roles(actor), schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = membership_create(
                actor=actor,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                school_id=data.get("school"),
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
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
            return redirect(cancel_url)
    return render(
        request,
        "people/staff_add.html",
        {"form": form, "cancel_url": cancel_url},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.STAFF, Action.MANAGE)
@fresh_sign_in_required
def staff_add_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The school admin gives teachers, TAs and admins their roles."""
    return _grant_page(request, actor, "staff")


@require_http_methods(["GET", "POST"])
@allow(Resource.ROLE_APPROVAL, Action.MANAGE)
@fresh_sign_in_required
def role_grant_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The head (or a trust admin, choosing the school) gives any school role, the SENCo and head too."""
    return _grant_page(request, actor, "staff" if actor.can(Resource.STAFF) else "role_requests")


def _remove(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    try:
        membership = membership_deactivate(actor=actor, membership_id=membership_id)
    except Membership.DoesNotExist as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Removed the role {membership.get_role_display()} from {membership.user.full_name}."
        )
    return redirect("staff" if actor.can(Resource.STAFF) else "role_requests")


@require_POST
@allow(Resource.STAFF, Action.MANAGE)
@fresh_sign_in_required
def staff_remove_view(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    return _remove(request, actor, membership_id)


@require_POST
@allow(Resource.ROLE_APPROVAL, Action.MANAGE)
@fresh_sign_in_required
def role_remove_view(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    """The head or a trust admin removes a role, the SENCo's and head's included (never their own)."""
    return _remove(request, actor, membership_id)


@allow(Resource.ROLE_APPROVAL)
def role_requests_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Roles a staff import asked for, waiting for a decision, and the latest role changes."""
    return render(
        request,
        "people/role_requests.html",
        {
            "proposals": role_proposals_pending(actor=actor),
            "changes": role_changes(actor=actor),
            "can_decide": actor.can(Resource.ROLE_APPROVAL, Action.MANAGE),
            "show_school": actor.school_id is None,
        },
    )


def _decided(
    request: HttpRequest, actor: Actor, decide: Callable[[], RoleProposal], done: str
) -> HttpResponse:
    try:
        proposal = decide()
    except RoleProposal.DoesNotExist as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(name=proposal.user.full_name, role=proposal.get_role_display()))
    return redirect("staff" if actor.can(Resource.STAFF) else "role_requests")


@require_POST
@allow(Resource.ROLE_APPROVAL, Action.MANAGE)
@fresh_sign_in_required
def role_approve_view(request: HttpRequest, actor: Actor, proposal_id: int) -> HttpResponse:
    base_url = request.build_absolute_uri("/")
    return _decided(
        request,
        actor,
        lambda: role_proposal_approve(actor=actor, proposal_id=proposal_id, base_url=base_url),
        "{name} is now {role}.",
    )


@require_POST
@allow(Resource.ROLE_APPROVAL, Action.MANAGE)
@fresh_sign_in_required
def role_reject_view(request: HttpRequest, actor: Actor, proposal_id: int) -> HttpResponse:
    return _decided(
        request,
        actor,
        lambda: role_proposal_reject(actor=actor, proposal_id=proposal_id),
        "Turned down the request for {name} to be {role}.",
    )
