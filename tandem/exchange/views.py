"""Import pages: upload, preview (with the choice of columns), apply, discard, and the import records.
Thin: parse, call one service or selector, render."""

from __future__ import annotations

import uuid

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.access.scopes import groups_in_scope, import_or_404
from tandem.accounts.reauthentication import sign_in_is_stale
from tandem.assessment.models import Scale
from tandem.core.downloads import attachment, download_limited
from tandem.core.forms import FormPage, add_service_errors, render_form
from tandem.core.listing import sorting_from
from tandem.exchange.background import import_apply_in_background, import_progress, interrupted
from tandem.exchange.ctf import CtfSchool
from tandem.exchange.downloads import (
    DOWNLOADS,
    FORMATS,
    download_job_for_actor,
    download_request,
    download_rows_if_large,
    prepared_file_fetch,
    prepared_file_for_actor,
)
from tandem.exchange.exports import (
    PLANS_FOLDER,
    ctf_export,
    ctf_pupils,
    ctf_with_plans,
    flags_table,
    marks_table,
    register_table,
    roll_table,
    transfer_file_name,
)
from tandem.exchange.fields import FIELDS, ImportKind, template_headers
from tandem.exchange.forms import ApplyForm, ColumnsForm, TransferForm, UploadForm, kind_choices
from tandem.exchange.models import ImportRecord
from tandem.exchange.selectors import IMPORT_SORTS, import_preview, import_records, school_year_groups
from tandem.exchange.services import (
    CTF_KIND,
    DEFAULT_SCALE,
    GUESS_KIND,
    ImportFailed,
    import_apply,
    import_discard,
    import_set_columns,
    import_upload,
)
from tandem.exchange.tables import DataTable, table_csv
from tandem.jobs.selectors import job_may_not_start
from tandem.people.models import year_group_label
from tandem.plans.transfer import leaver_plan_files

PAGE_SIZE = 50


def _upload_form(request: HttpRequest, actor: Actor) -> UploadForm:
    scales = [(code, name) for code, name in Scale.objects.values_list("code", "name")]
    posted = request.method == "POST"
    return UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        kinds=kind_choices(
            can_import_sen=actor.can(Resource.SEN_RECORD, Action.MANAGE),
            can_import_staff=actor.can(Resource.STAFF, Action.MANAGE),
        ),
        scales=scales,
        initial={"default_scale": DEFAULT_SCALE, "kind": GUESS_KIND},
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
    kinds = dict(form.fields["kind"].choices) if form is not None else {}  # type: ignore[attr-defined]
    query: QueryDict = request.GET.copy()
    if "sort" not in query:
        # Newest first until a header says otherwise, announced as "descending" on the date column.
        query["sort"], query["dir"] = "date", "desc"
    sorting = sorting_from(query, columns=IMPORT_SORTS, default="date")
    page = Paginator(import_records(actor=actor, order=sorting.order_by()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "exchange/import_list.html",
        {
            "form": form,
            "records": page.object_list,
            "page": page,
            "sorting": sorting,
            "can_import": can_import,
            "columns_help": [
                (kind, kinds[kind], FIELDS[ImportKind(kind)]) for kind in kinds if kind in FIELDS
            ],
        },
        status=status,
    )


@allow(Resource.IMPORT, Action.MANAGE)
def import_template_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """An empty CSV with the columns an import of this kind reads, to fill in or to match an export to."""
    try:
        kind = ImportKind(request.GET.get("kind", ImportKind.PUPILS))
    except ValueError:
        raise Http404() from None
    headers = template_headers(kind)
    if kind is ImportKind.MARKSHEET:
        headers += ["Maths Autumn 2025/26", "Reading Autumn 2025/26"]
    table = DataTable(kind.value, headers, [])
    return attachment(
        HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8"), f"{kind}-template.csv"
    )


@allow(Resource.IMPORT)
def import_detail_view(request: HttpRequest, actor: Actor, import_id: uuid.UUID) -> HttpResponse:
    record = import_or_404(actor, import_id)
    return _detail(request, actor, record)


def _detail(
    request: HttpRequest,
    actor: Actor,
    record: ImportRecord,
    *,
    columns_form: ColumnsForm | None = None,
    apply_form: ApplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    preview = import_preview(actor=actor, record=record)
    kind = preview.record.kind
    if columns_form is None and preview.match is not None and kind != CTF_KIND:
        columns_form = ColumnsForm(
            kind=ImportKind(kind), headers=preview.headers, chosen=preview.match.columns
        )
    return render(
        request,
        "exchange/import_detail.html",
        {
            "preview": preview,
            "record": preview.record,
            "kind_label": preview.record.kind_label,
            "plan": preview.plan,
            "issues": preview.plan.listed_issues() if preview.plan else [],
            "columns_form": columns_form,
            "apply_form": apply_form or ApplyForm(),
            "can_manage": actor.can(Resource.IMPORT, Action.MANAGE),
            "fields": FIELDS.get(ImportKind(kind)) if kind != CTF_KIND else (),
            "progress": import_progress(preview.record.pk),
            "interrupted": interrupted(preview.record),
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
    skip_errors = form.cleaned_data.get("skip_errors", False)
    if record.rows_total >= settings.TANDEM_IMPORT_BACKGROUND_ROWS or interrupted(record):
        try:
            import_apply_in_background(
                actor=actor,
                record_id=record.pk,
                skip_errors=skip_errors,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Applying. This page shows how far it has got; you can leave it.")
        return redirect("import_detail", record.pk)
    try:
        applied = import_apply(
            actor=actor,
            record_id=record.pk,
            skip_errors=skip_errors,
            base_url=request.build_absolute_uri("/"),
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


# ------------------------------------------------------------------------------------------ downloads


def _file_format(request: HttpRequest) -> str:
    return "xlsx" if request.GET.get("format") == "xlsx" else "csv"


def _download(request: HttpRequest, table: DataTable, name: str) -> HttpResponse:
    file_format = _file_format(request)
    content_type, writer = FORMATS[file_format]
    response = HttpResponse(writer(table), content_type=content_type)
    return attachment(response, f"{name}-{timezone.localdate()}.{file_format}")


@allow(Resource.PUPIL)
def export_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(
        request,
        "exchange/exports.html",
        {
            "can_register": actor.can(Resource.SEN_RECORD),
            "can_progress": actor.can(Resource.PROGRESS),
            "can_transfer": actor.can(Resource.TRANSFER),
        },
    )


def _offer_to_prepare(request: HttpRequest, actor: Actor, what: str) -> HttpResponse | None:
    """A page offering to prepare the file in the background, when it is too large for the request."""
    rows = download_rows_if_large(actor=actor, what=what)
    if rows is None:
        return None
    label = DOWNLOADS[what].label
    context = {"what": what, "rows": rows, "file_format": _file_format(request), "label": label}
    return render(request, "exchange/download_prepare.html", context)


@allow(Resource.PUPIL)
@download_limited()
def export_roll_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    offer = _offer_to_prepare(request, actor, "pupils")
    return offer or _download(request, roll_table(actor=actor), "pupils")


@allow(Resource.SEN_RECORD)
# The whole school's SEN register in one file: a session left open on a shared PC must not hand it
# over, so the password (or second factor) is asked again once the sign-in is 10 minutes old.
@reauthentication_required(enabled=sign_in_is_stale)
@download_limited()
def export_register_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _download(request, register_table(actor=actor), "sen-register")


@allow(Resource.PROGRESS)
@download_limited()
def export_marks_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    offer = _offer_to_prepare(request, actor, "marks")
    return offer or _download(request, marks_table(actor=actor), "marks")


@require_POST
@allow(Resource.PUPIL)
@download_limited()
def export_prepare_view(request: HttpRequest, actor: Actor, what: str) -> HttpResponse:
    try:
        # The page's hidden field says which; a bare post gets the CSV.
        file_format = request.POST.get("format") or "csv"
        job = download_request(actor=actor, what=what, file_format=file_format)
    except ValidationError:
        raise Http404 from None
    return redirect("export_job", download_id=job.pk)


@allow(Resource.PUPIL)
def export_job_view(request: HttpRequest, actor: Actor, download_id: uuid.UUID) -> HttpResponse:
    """A prepared download: its job's progress, then the file. `download_id` is the job's id."""
    job = download_job_for_actor(actor=actor, job_id=download_id)
    context = {
        "job": job,
        "prepared": prepared_file_for_actor(actor=actor, job_id=job.pk) if job.finished else None,
        "label": DOWNLOADS.get(str(job.arguments.get("what")), DOWNLOADS["pupils"]).label,
        "no_worker": job_may_not_start(job),
    }
    return render(request, "exchange/download_job.html", context)


@allow(Resource.PUPIL)
def export_job_file_view(request: HttpRequest, actor: Actor, download_id: uuid.UUID) -> HttpResponse:
    prepared = prepared_file_fetch(actor=actor, job_id=download_id)
    response = HttpResponse(bytes(prepared.content), content_type=prepared.content_type)
    return attachment(response, prepared.file_name)


@allow(Resource.PROGRESS)
@download_limited()
def export_flags_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _download(request, flags_table(actor=actor), "less-than-expected-progress")


@require_http_methods(["GET", "POST"])
@allow(Resource.TRANSFER)
@download_limited(when=lambda request: request.method == "POST")
def transfer_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    groups = [(str(pk), name) for pk, name in groups_in_scope(actor).values_list("pk", "name")]
    years = [(y, year_group_label(y)) for y in school_year_groups(actor=actor)]
    form = TransferForm(request.POST if request.method == "POST" else None, years=years, groups=groups)
    if request.method == "POST" and form.is_valid():
        pupils = ctf_pupils(
            actor=actor,
            year_group=form.cleaned_data["year_group"],
            group_id=form.cleaned_data["group"] or None,
            left_since=form.cleaned_data["left_since"],
        )
        if not pupils:
            form.add_error(None, "No pupils are in that year group or class, or left since that date.")
        else:
            urn = form.cleaned_data["dest_urn"].strip()
            dfe = form.cleaned_data["dest_dfe_number"].replace("/", "")
            dest = CtfSchool(lea=dfe[:3] or "XXX", estab=dfe[3:] or "XXXX", urn=urn) if urn or dfe else None
            data, notes = ctf_export(actor=actor, pupils=pupils, dest=dest)
            name = transfer_file_name(pupils[0].school, dest if dfe else None)
            content_type = "application/xml"
            if form.cleaned_data["left_since"]:
                # Leavers' plans are out of every page's reach once they leave: they go beside the CTF.
                leaving = leaver_plan_files(actor=actor, pupils=pupils)
                if leaving.left_out:
                    notes.append(f"{leaving.left_out} support plans were left out: no valid UPN.")
                if leaving.files:
                    data, name = ctf_with_plans(ctf_name=name, ctf=data, plans=leaving.files)
                    content_type = "application/zip"
                    notes.append(f"Each leaver's support plan is in {PLANS_FOLDER}/ beside the CTF.")
            response = HttpResponse(data, content_type=content_type)
            if notes:
                response["X-Tandem-Notes"] = " ".join(notes)
            return attachment(response, name)
    intro = (
        "A Common Transfer File carries pupils' details, SEN history and statutory results to their next "
        "school. Tandem writes a partial file, as DfE services do; the receiving school's MIS imports it. "
        "Choose a year group or a class on roll, or the pupils who have left since a date."
    )
    if actor.can(Resource.SUPPORT_PLAN):
        intro += (
            " For pupils who have left, the download is a ZIP: the CTF and each leaver's latest support "
            "plan as a plan file the next school can bring in."
        )
    if not actor.can(Resource.SEN_RECORD):
        intro += " SEN history is left out: only the SENCo or the head can send it."
    return render_form(
        request,
        "form_page.html",
        form,
        FormPage(
            heading="Send a Common Transfer File",
            intro=intro,
            submit_label="Download the CTF",
            cancel_url=reverse("export_list"),
        ).context(),
    )
