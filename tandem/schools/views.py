from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Resource
from tandem.schools.selectors import trust_overview


@allow(Resource.TRUST_OVERVIEW)
def trust_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "schools/trust.html", {"schools": trust_overview(actor=actor)})
