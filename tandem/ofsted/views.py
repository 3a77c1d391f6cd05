"""The Ofsted inclusion pack: pupil lists by the groups inspectors ask about, and each pupil's trail as a
page and a PDF. For the SENCo and the head only (the compliance row of the policy)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.core.downloads import attachment
from tandem.needs_assessment.pdf import pack_pdf
from tandem.ofsted.selectors import inspection_lists, inspection_trail


@allow(Resource.COMPLIANCE, Action.VIEW)
def inspection_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "ofsted/inspection.html", {"lists": inspection_lists(actor=actor)})


@allow(Resource.COMPLIANCE, Action.VIEW)
def inspection_trail_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pack = inspection_trail(actor=actor, pupil_id=pupil_id)
    return render(request, "ofsted/trail.html", {"pack": pack, "pupil_id": pupil_id})


@allow(Resource.COMPLIANCE, Action.VIEW)
def inspection_trail_pdf_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pack = inspection_trail(actor=actor, pupil_id=pupil_id, taken_as="pdf")
    response = HttpResponse(pack_pdf(pack), content_type="application/pdf")
    return attachment(response, "inclusion-trail.pdf")
