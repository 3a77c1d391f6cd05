"""Pages for the transferable support plan: download a plan's file for another school, and bring in a file
from the pupil's last school. Thin: parse, call one service, answer (tandem/plans/transfer.py)."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404
from tandem.core.downloads import attachment, download_limited
from tandem.core.forms import FormPage, form_flow
from tandem.lib.plan_schema import MEDIA_TYPE, SCHEMA_NAME
from tandem.plans.models import SupportPlan
from tandem.plans.transfer import FILE_FIELD, MAX_FILE_BYTES, plan_export, plan_import


@allow(Resource.SUPPORT_PLAN)
@download_limited()
def plan_export_view(request: HttpRequest, actor: Actor, plan_id: uuid.UUID) -> HttpResponse:
    try:
        plan_file = plan_export(actor=actor, plan_id=plan_id)
    except ValidationError as error:  # no UPN, or one the schema refuses: say why on the plan's page
        for message in error.messages:
            messages.error(request, message)
        return redirect("plan_detail", plan_id)
    return attachment(HttpResponse(plan_file.content, content_type=MEDIA_TYPE), plan_file.file_name)


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label="Plan file",
        help_text=f"The {SCHEMA_NAME} file (ending .json) the pupil's last school sent, up to "
        f"{MAX_FILE_BYTES // 1_000_000} MB.",
        error_messages={"required": "Choose the plan file to bring in."},
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.MANAGE)
def plan_import_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    posted = request.method == "POST"
    form = PlanImportForm(request.POST if posted else None, request.FILES if posted else None)
    assert FILE_FIELD in form.fields  # the service's refusals are shown beside it

    def save() -> SupportPlan:
        # One byte past the limit is enough to refuse it: a huge file is never read whole.
        data = form.cleaned_data["file"].read(MAX_FILE_BYTES + 1)
        return plan_import(actor=actor, pupil_id=pupil.pk, data=data)

    return form_flow(
        request,
        form,
        save=save,
        success="Plan brought in. Check it with the parents and the pupil, and correct anything that has "
        "changed.",
        next_url=lambda plan: reverse("plan_detail", args=[plan.pk]),
        page=FormPage(
            pupil=pupil,
            heading="Bring in a plan from the last school",
            intro=f"A support plan file ({SCHEMA_NAME}) from the pupil's last school becomes this pupil's "
            "next plan cycle, with its targets and their progress. The file must be for this pupil (the same "
            "UPN). The accountable teacher is you if you teach the pupil, else one of their teachers: change "
            "it on the plan's page.",
            submit_label="Bring in the plan",
            cancel_url=reverse("pupil_timeline", args=[pupil.pk]),
        ),
        template="plans/plan_import.html",
        # Each file is its own import: the same (empty) typing twice in a day is not a repeat.
        repeats_by_typing=False,
    )
