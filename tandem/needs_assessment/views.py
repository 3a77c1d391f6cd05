"""The EHC needs assessment request pack: a page to check it, and the PDF and ZIP to send."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.core.downloads import attachment
from tandem.needs_assessment.pdf import pack_pdf, pack_zip
from tandem.needs_assessment.selectors import request_pack


@allow(Resource.EHC_PLAN, Action.MANAGE)
def request_pack_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pack = request_pack(actor=actor, pupil_id=pupil_id)
    return render(request, "needs_assessment/pack.html", {"pack": pack, "pupil_id": pupil_id})


@allow(Resource.EHC_PLAN, Action.MANAGE)
def request_pack_pdf_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pack = request_pack(actor=actor, pupil_id=pupil_id, taken_as="pdf")
    response = HttpResponse(pack_pdf(pack), content_type="application/pdf")
    return attachment(response, "ehc-needs-assessment-request.pdf")


@allow(Resource.EHC_PLAN, Action.MANAGE)
def request_pack_zip_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pack = request_pack(actor=actor, pupil_id=pupil_id, taken_as="zip")
    response = HttpResponse(pack_zip(pack, pack_pdf(pack)), content_type="application/zip")
    return attachment(response, "ehc-needs-assessment-request.zip")
