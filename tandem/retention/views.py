from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.core.forms import FormPage, form_flow
from tandem.retention.forms import HoldForm, PeriodsForm
from tandem.retention.selectors import hold_or_404, retention_overview
from tandem.retention.services import (
    legal_hold_place,
    legal_hold_release_one,
    retention_periods_set,
    retention_trust_periods,
)


@allow(Resource.RETENTION)
def retention_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(
        request,
        "retention/overview.html",
        {
            "overview": retention_overview(actor=actor),
            "can_hold": actor.can(Resource.RETENTION, Action.ADD),
            "can_set": actor.can(Resource.RETENTION, Action.MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.RETENTION, Action.ADD)
def hold_new_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = HoldForm(request.POST or None, actor=actor)
    return form_flow(
        request,
        form,
        save=lambda: legal_hold_place(
            actor=actor, pupil=form.cleaned_data["upn"], reason=form.cleaned_data["reason"]
        ),
        success="Held: nothing about this pupil will be deleted until the hold is released.",
        next_url=lambda hold: reverse("retention"),
        page=FormPage(
            heading="Place a legal hold",
            intro="While a hold is in place, the retention schedule deletes nothing about the pupil, "
            "whatever their records' periods say.",
            submit_label="Place hold",
            cancel_url=reverse("retention"),
        ),
    )


@require_POST
@allow(Resource.RETENTION, Action.ADD)
def hold_release_view(request: HttpRequest, actor: Actor, hold_id: int) -> HttpResponse:
    legal_hold_release_one(actor=actor, hold=hold_or_404(actor, hold_id))
    return redirect("retention")


@require_http_methods(["GET", "POST"])
@allow(Resource.RETENTION, Action.MANAGE)
def periods_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    trust_id = actor.trust_id or 0
    form = PeriodsForm(request.POST or None, current=retention_trust_periods(trust_id=trust_id))
    return form_flow(
        request,
        form,
        save=lambda: retention_periods_set(actor=actor, trust_id=trust_id, years=form.cleaned_data),
        success="The trust's retention periods are saved. The next monthly run follows them.",
        next_url=lambda _: reverse("retention"),
        page=FormPage(
            heading="The trust's retention periods",
            intro="How long each kind of record is kept at every school in the trust, counted from the "
            "pupil's date of birth. Check them against the edition of the IRMS toolkit your trust "
            "has adopted.",
            submit_label="Save periods",
            cancel_url=reverse("retention"),
        ),
        repeats_by_typing=False,
    )
