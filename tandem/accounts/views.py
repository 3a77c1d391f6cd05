"""Sign-in pages of Tandem's own: the invitation link, the second-factor requirement, and the staff
page's invitation and second-factor actions. Everything else is the sign-in library's (allauth)."""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.account.views import LoginView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.accounts import services
from tandem.accounts.forms import InvitationAcceptForm
from tandem.accounts.models import Invitation
from tandem.accounts.reauthentication import sign_in_is_stale
from tandem.accounts.second_factor import has_second_factor
from tandem.accounts.sso import sign_in_buttons
from tandem.people.models import User


class SignInView(LoginView):
    """The library's sign-in, with the school SSO buttons beside the password form."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_buttons"] = sign_in_buttons()
        return context


sign_in_view = SignInView.as_view()


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = services.invitation_open(token=token)
    except services.InvitationProblem as problem:
        return render(request, "accounts/invitation_problem.html", {"problem": str(problem)}, status=410)
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None, user=found.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except services.InvitationProblem as problem:
            return render(request, "accounts/invitation_problem.html", {"problem": str(problem)}, status=410)
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            messages.success(
                request, "Your password is set. Sign in with your email address and new password."
            )
            return redirect("account_login")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": found.invitation, "sso_buttons": sign_in_buttons()},
        status=400 if form.errors else 200,
    )


@login_required
def two_factor_required_view(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return render(
        request,
        "accounts/two_factor_required.html",
        {"has_factor": has_second_factor(request.user), "next": next_url},  # type: ignore[arg-type]
    )


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_POST
@allow(Resource.STAFF, Action.MANAGE)
def invitation_resend_view(request: HttpRequest, actor: Actor, invitation_id: uuid.UUID) -> HttpResponse:
    try:
        invitation = services.invitation_resend(
            actor=actor, invitation_id=invitation_id, base_url=_base_url(request)
        )
    except Invitation.DoesNotExist as error:
        raise Http404 from error
    messages.success(
        request, f"A new invitation is on its way to {invitation.user.email}; the old link no longer works."
    )
    return redirect("staff")


@require_POST
@allow(Resource.STAFF, Action.MANAGE)
def invitation_revoke_view(request: HttpRequest, actor: Actor, invitation_id: uuid.UUID) -> HttpResponse:
    try:
        invitation = services.invitation_revoke(actor=actor, invitation_id=invitation_id)
    except Invitation.DoesNotExist as error:
        raise Http404 from error
    messages.success(
        request, f"The invitation to {invitation.user.email} is withdrawn: its link no longer works."
    )
    return redirect("staff")


@require_POST
@allow(Resource.SIGN_IN_POLICY, Action.MANAGE)
@reauthentication_required(enabled=sign_in_is_stale)
def two_factor_policy_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    required = request.POST.get("required_for_all") == "on"
    services.school_two_factor_set(actor=actor, required_for_all=required)
    if required:
        messages.success(
            request,
            "Every member of staff now needs two-factor sign-in. Teachers and TAs without it will be "
            "asked to set it up the next time they open a page.",
        )
    else:
        messages.success(request, "Teachers and TAs may sign in without a second factor again.")
    return redirect("staff")


@require_POST
@allow(Resource.STAFF_SECURITY, Action.MANAGE)
# A second-factor change: the head confirms it is them if their own sign-in is over 10 minutes old.
@reauthentication_required(enabled=sign_in_is_stale)
def second_factors_reset_view(request: HttpRequest, actor: Actor, user_id: int) -> HttpResponse:
    try:
        removed = services.second_factors_reset(actor=actor, user_id=user_id)
    except User.DoesNotExist as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        person = User.objects.get(pk=user_id)
        messages.success(
            request,
            f"Removed {removed} second factor(s) from {person.full_name}. "
            "They will set up a new one the next time they sign in.",
        )
    return redirect("staff")
