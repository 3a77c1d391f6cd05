"""Pages for a pupil's own views: the dated list, and the "about me" form a pupil fills in with an adult."""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404
from tandem.core.forms import FormPage, form_flow
from tandem.lib.about_me import ANSWER_LIMIT
from tandem.pupil_voice.forms import AboutMeForm
from tandem.pupil_voice.selectors import about_me_list
from tandem.pupil_voice.services import about_me_record

# Each record is a block of four answers, so fewer a page than a list of rows.
RECORDS_A_PAGE = 20


@allow(Resource.PUPIL_VIEWS)
def about_me_list_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    listing = about_me_list(actor=actor, pupil_id=pupil_id)
    page = Paginator(listing.records, RECORDS_A_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "pupil_voice/list.html",
        {
            "pupil": listing.pupil,
            "page": page,
            "records": page.object_list,
            "can_add": actor.can(Resource.PUPIL_VIEWS, Action.ADD),
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.PUPIL_VIEWS, Action.ADD)
def about_me_new_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.PUPIL_VIEWS, Action.ADD)
    form = AboutMeForm(request.POST or None, initial={"recorded_on": timezone.localdate()})
    back = reverse("about_me", args=[pupil.pk])
    return form_flow(
        request,
        form,
        save=lambda: about_me_record(actor=actor, pupil=pupil, **form.cleaned_data),
        next_url=lambda about: back,
        success="Saved. Thank you for telling us about you.",
        template="pupil_voice/about_me_form.html",
        page=FormPage(
            pupil=pupil,
            heading="About me",
            submit_label="Save my answers",
            cancel_url=back,
            extra={"answer_limit": ANSWER_LIMIT},
        ),
    )
