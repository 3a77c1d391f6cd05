"""Pages for inclusion-base time: a pupil's list, planning time there, and withdrawing a record made by
mistake. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.core.forms import FormPage, form_flow
from tandem.inclusion.forms import PlacementForm
from tandem.inclusion.kinds import INCLUSION_BASE
from tandem.inclusion.models import InclusionBasePlacement
from tandem.inclusion.selectors import inclusion_list, leader_choices
from tandem.inclusion.services import (
    PlacementFields,
    inclusion_placement_record,
    inclusion_placement_withdraw,
)
from tandem.revisions.selectors import record_version_number
from tandem.revisions.views import withdraw_page


@allow(Resource.INCLUSION_BASE)
def inclusion_list_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    listing = inclusion_list(actor=actor, pupil_id=pupil_id)
    return render(
        request,
        "inclusion/inclusion_list.html",
        {
            "listing": listing,
            "pupil": listing.pupil,
            "can_manage": actor.can(Resource.INCLUSION_BASE, Action.MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INCLUSION_BASE, Action.MANAGE)
def inclusion_new_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.INCLUSION_BASE, Action.MANAGE)
    form = PlacementForm(
        request.POST if request.method == "POST" else None,
        leaders=leader_choices(school_id=pupil.school_id),
        initial={"starts_on": timezone.localdate()},
    )
    back = reverse("inclusion_list", args=[pupil.pk])

    def save() -> InclusionBasePlacement:
        data = dict(form.cleaned_data)
        return inclusion_placement_record(
            actor=actor, pupil_id=pupil.pk, fields=PlacementFields(led_by_id=data.pop("led_by"), **data)
        )

    return form_flow(
        request,
        form,
        save=save,
        success="Time in the inclusion base saved.",
        next_url=lambda _: back,
        template="inclusion/form_page.html",
        page=FormPage(
            pupil=pupil,
            heading="Plan time in the inclusion base",
            intro="What the time is for, the teacher who leads it, how much of the week it takes, and the "
            "planned return to mainstream lessons.",
            submit_label="Save",
            cancel_url=back,
            extra={"back_url": back},
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INCLUSION_BASE, Action.MANAGE)
def inclusion_withdraw_view(request: HttpRequest, actor: Actor, inclusion_id: uuid.UUID) -> HttpResponse:
    placement = pupil_record_or_404(
        actor, InclusionBasePlacement, inclusion_id, Resource.INCLUSION_BASE, Action.MANAGE
    )
    return withdraw_page(
        request,
        pupil=placement.pupil,
        what=f"the time in the inclusion base from {placement.starts_on:%-d %B %Y}",
        version=record_version_number(record_type=INCLUSION_BASE.record_type, record_id=placement.pk),
        withdraw=lambda version, reason: inclusion_placement_withdraw(
            actor=actor, placement_id=placement.pk, version=version, reason=reason
        ),
        back=reverse("inclusion_list", args=[placement.pupil_id]),
    )
