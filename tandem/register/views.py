from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Resource
from tandem.people.forms import PupilFilterForm
from tandem.register.selectors import register_list, register_summary, register_viewed

PAGE_SIZE = 50


@allow(Resource.REGISTER)
def register_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PupilFilterForm(request.GET or None, actor=actor, register_only=True)
    filters = form.filters()
    page = Paginator(register_list(actor=actor, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    register_viewed(actor=actor, filters=filters)
    return render(
        request,
        "register/register.html",
        {
            "form": form,
            "page": page,
            "summary": register_summary(actor=actor),
            "shows_sen": True,
            "show_school": actor.school_id is None,
            "caption": f"Register pupils matching the filters: {page.paginator.count}",
        },
    )
