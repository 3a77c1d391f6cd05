"""Choosing which emails you get, and the one-click unsubscribe link in every email (no sign-in needed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.core.forms import FormPage, form_flow
from tandem.notifications import services
from tandem.notifications.forms import EmailPreferencesForm
from tandem.notifications.models import EmailKind
from tandem.notifications.selectors import email_preferences_of, kinds_for_roles


@allow(Resource.EMAIL_PREFERENCES, Action.MANAGE)
def email_preferences_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    preferences = email_preferences_of(actor.user)
    # Every role the person holds, not only the one they act in: the emails go by role.
    kinds = kinds_for_roles({m.role for m in actor.memberships if m.school_id is not None})
    initial = {kind.value: preferences.wants(kind) for kind in kinds}
    form = EmailPreferencesForm(
        request.POST if request.method == "POST" else None, initial=initial, kinds=kinds
    )
    intro = (
        "Tandem's emails carry counts and a link, never a pupil's name or SEN details. "
        "Untick an email to stop it."
        if kinds
        else "Tandem sends no reminders or digests to your roles, only sign-in emails such as invitations."
    )

    def save() -> object:
        chosen = {kind.value: bool(form.cleaned_data.get(kind.value)) for kind in kinds}
        # An email this person cannot get in their roles keeps its setting.
        keep = {kind.value: preferences.wants(kind) for kind in EmailKind if kind not in kinds}
        values = keep | chosen
        return services.email_preferences_update(
            actor=actor, digest=values["digest"], reminders=values["reminders"], overdue=values["overdue"]
        )

    return form_flow(
        request,
        form,
        save=save,
        next_url=lambda _: reverse("email_preferences"),
        success="Your email choices are saved.",
        page=FormPage(
            heading="Emails from Tandem", submit_label="Save", cancel_url=reverse("home"), intro=intro
        ),
        template="notifications/preferences.html",
        repeats_by_typing=False,
    )


# Mail programs send the one-click unsubscribe (RFC 8058) as a POST without a CSRF token or cookies; the
# signed token in the address is what authorises it, and all it can do is turn one email off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = services.unsubscribe_check(token=token)
    except services.UnsubscribeRefused:
        return render(request, "notifications/unsubscribe_problem.html", status=400)
    if request.method == "POST":
        services.email_unsubscribe(token=token)
        return render(request, "notifications/unsubscribed.html", {"kind": found.kind})
    return render(request, "notifications/unsubscribe.html", {"kind": found.kind})
