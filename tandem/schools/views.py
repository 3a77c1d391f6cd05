from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Resource
from tandem.schools.selectors import trust_school_detail, trust_schools_compared, trust_schools_viewed


@allow(Resource.TRUST_OVERVIEW)
def trust_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    compared = trust_schools_compared(actor=actor)
    trust_schools_viewed(actor=actor)
    return render(request, "schools/trust.html", {"compared": compared})


@allow(Resource.TRUST_OVERVIEW)
def trust_school_view(request: HttpRequest, actor: Actor, school_id: int) -> HttpResponse:
    detail = trust_school_detail(actor=actor, school_id=school_id)
    return render(request, "schools/trust_school.html", {"detail": detail})
