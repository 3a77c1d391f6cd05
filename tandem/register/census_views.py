"""The census check page: what in the SEN items would fail the census or look wrong, with a link to put
each right (tandem/register/census_check.py reads it; tandem/lib/census_check.py holds the rules)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Resource
from tandem.core.listing import sorting_from
from tandem.register.census_check import CENSUS_SORTS, census_check


@allow(Resource.COMPLIANCE)
def census_check_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    sorting = sorting_from(request.GET, columns=CENSUS_SORTS, default="name")
    return render(
        request,
        "register/census_check.html",
        {"c": census_check(actor=actor, order=sorting.order_by()), "sorting": sorting},
    )
