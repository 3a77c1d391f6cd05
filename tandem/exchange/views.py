"""Import pages: upload, preview (with the choice of columns), apply, discard, and the import records.
Thin: parse, call one service or selector, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.access.scopes import import_or_404
from tandem.assessment.models import Scale
from tandem.core.forms import add_service_errors
from tandem.exchange.fields import FIELDS, ImportKind
from tandem.exchange.forms import ApplyForm, ColumnsForm, UploadForm, kind_choices
from tandem.exchange.selectors import import_preview, import_records
from tandem.exchange.services import (
    CTF_KIND,
    DEFAULT_SCALE,
    ImportFailed,
    import_apply,
    import_discard,
    import_set_columns,
    import_upload,
)


def _upload_form(request: HttpRequest, actor: Actor) -> UploadForm:
    scales = [(code, name) for code, name in Scale.objects.values_list("code", "name")]
    return UploadForm(
        request.POST or None,
        request.FILES or None,
        kinds=kind_choices(can_import_sen=actor.can(Resource.SEN_RECORD, Action.MANAGE)),
        scales=scales,
        initial={"default_scale": DEFAULT_SCALE},
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.IMPORT)
def import_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    can_import = actor.can(Resource.IMPORT, Action.MANAGE)
    form = _upload_form(request, actor) if can_import else None
    if request.method == "POST" and form is not None and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = import_upload(
                actor=actor,
                kind=form.cleaned_data["kind"],
                file_name=upload.name or "",
                data=upload.read(),
                default_scale=form.cleaned_data.get("default_scale") or DEFAULT_SCALE,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("import_detail", record.pk)
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "exchange/import_list.html",
        {"form": form, "records": import_records(actor=actor)[:100], "can_import": can_import},
        status=status,
    )


@allow(Resource.IMPORT)
def import_detail_view(request: HttpRequest, actor: Actor, import_id: uuid.UUID) -> HttpResponse:
    record = import_or_404(actor, import_id)
    return _detail(request, actor, record)


def _detail(
    request: HttpRequest,
    actor: Actor,
    record: object,
    *,
    columns_form: ColumnsForm | None = None,
    apply_form: ApplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    preview = import_preview(actor=actor, record=record)  # type: ignore[arg-type]
    kind = preview.record.kind
    if columns_form is None and preview.match is not None and kind != CTF_KIND:
        columns_form = ColumnsForm(
            kind=ImportKind(kind), headers=preview.headers, chosen=preview.match.columns
        )
    labels = dict(kind_choices(can_import_sen=True))
    return render(
        request,
        "exchange/import_detail.html",
        {
            "preview": preview,
            "record": preview.record,
            "kind_label": labels.get(kind, kind),
            "plan": preview.plan,
            "issues": preview.plan.listed_issues() if preview.plan else [],
            "columns_form": columns_form,
            "apply_form": apply_form or ApplyForm(),
            "can_manage": actor.can(Resource.IMPORT, Action.MANAGE),
            "fields": FIELDS.get(ImportKind(kind)) if kind != CTF_KIND else (),
        },
        status=status,
    )


@require_POST
@allow(Resource.IMPORT, Action.MANAGE)
def import_columns_view(request: HttpRequest, actor: Actor, import_id: uuid.UUID) -> HttpResponse:
    record = import_or_404(actor, import_id, Action.MANAGE)
    columns = {key: str(request.POST.get(key, "")) for key in request.POST if key != "csrfmiddlewaretoken"}
    try:
        import_set_columns(actor=actor, record=record, columns=columns)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Columns saved; the preview below uses them. They are remembered for next time."
        )
    return redirect("import_detail", record.pk)


@require_POST
@allow(Resource.IMPORT, Action.MANAGE)
def import_apply_view(request: HttpRequest, actor: Actor, import_id: uuid.UUID) -> HttpResponse:
    record = import_or_404(actor, import_id, Action.MANAGE)
    form = ApplyForm(request.POST)
    form.is_valid()
    try:
        applied = import_apply(
            actor=actor, record_id=record.pk, skip_errors=form.cleaned_data.get("skip_errors", False)
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, actor, record, apply_form=form, status=400)
    except ImportFailed:
        messages.error(request, "The import failed and nothing was changed. See the record below.")
        return redirect("import_detail", record.pk)
    messages.success(
        request,
        f"Imported: {applied.created} added, {applied.updated} changed, "
        f"{applied.unchanged} already up to date"
        + (f", {len(applied.skipped)} rows left out." if applied.skipped else "."),
    )
    return redirect("import_detail", record.pk)


@require_POST
@allow(Resource.IMPORT, Action.MANAGE)
def import_discard_view(request: HttpRequest, actor: Actor, import_id: uuid.UUID) -> HttpResponse:
    record = import_or_404(actor, import_id, Action.MANAGE)
    try:
        import_discard(actor=actor, record_id=record.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Discarded: the file is deleted and nothing was imported.")
    return redirect(reverse("import_list"))
