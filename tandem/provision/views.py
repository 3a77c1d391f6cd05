"""Pages for interventions: the catalogue, staff rates, groups, placements, session logs and their
acknowledgement. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.access.scopes import (
    intervention_group_or_404,
    intervention_or_404,
    placement_or_404,
    pupils_in_scope,
    session_log_or_404,
)
from tandem.core.downloads import attachment, download_limited
from tandem.core.forms import FormPage, form_flow
from tandem.core.listing import sorting_from
from tandem.exchange.provision_map import (
    TOTALS_KEYS,
    format_money,
    provision_map_csv,
    provision_map_pdf,
    provision_map_xlsx,
)
from tandem.people.accountability import school_staff, school_teachers
from tandem.people.models import Subject
from tandem.provision.forms import (
    ExitForm,
    FundingForm,
    GroupForm,
    InterventionForm,
    LayerForm,
    PlacementCorrectionForm,
    PlacementForm,
    ProgrammeForm,
    SessionLogCorrectionForm,
    SessionLogForm,
    StaffRateForm,
)
from tandem.provision.provision_map import provision_map
from tandem.provision.selectors import (
    CATALOGUE_SORTS,
    attendance_to_correct,
    group_detail,
    intervention_catalogue,
    intervention_detail,
    placements_on,
    session_log_to_change,
    staff_rates,
)
from tandem.provision.services import (
    DELIVERER_ROLES,
    InterventionFields,
    PlacementCorrection,
    PlacementFields,
    group_create,
    group_funding_set,
    intervention_create,
    intervention_funding_set,
    intervention_layer_set,
    intervention_programme_set,
    log_acknowledge,
    logs_acknowledge,
    placement_add,
    placement_correct,
    placement_exit,
    placement_withdraw,
    session_log_correct,
    session_log_record,
    session_log_withdraw,
    staff_rate_set,
)
from tandem.revisions.forms import add_correction_fields, correction_data
from tandem.revisions.kinds import PLACEMENT, SESSION_LOG
from tandem.revisions.selectors import record_version_number
from tandem.revisions.views import correction_page, withdraw_page

PAGE_SIZE = 50


@allow(Resource.INTERVENTION)
def intervention_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    sorting = sorting_from(request.GET, columns=CATALOGUE_SORTS, default="name")
    rows = intervention_catalogue(actor=actor, search=search, order=sorting.order_by())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "provision/catalogue.html",
        {
            "rows": page.object_list,
            "page": page,
            "sorting": sorting,
            "search": search,
            "rates": staff_rates(school_id=actor.school_id or 0),
            "can_manage": actor.can(Resource.INTERVENTION, Action.MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION, Action.MANAGE)
def intervention_new_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = InterventionForm(request.POST or None)
    return form_flow(
        request,
        form,
        save=lambda: intervention_create(actor=actor, fields=InterventionFields(**form.cleaned_data)),
        success="Added to the catalogue. Next, start a group.",
        next_url=lambda intervention: reverse("intervention_detail", args=[intervention.pk]),
        page=FormPage(
            heading="Add an intervention to the catalogue",
            intro="Interventions should be evidence-based and delivered by trained staff (Code 6.50).",
            submit_label="Add intervention",
            cancel_url=reverse("intervention_list"),
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION, Action.MANAGE)
def staff_rates_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = StaffRateForm(request.POST or None)
    return form_flow(
        request,
        form,
        save=lambda: staff_rate_set(actor=actor, **form.cleaned_data),
        success="Rate saved. Costs now follow it.",
        next_url=lambda _: reverse("intervention_list"),
        page=FormPage(
            heading="Staff hourly costs",
            intro="Set what an hour of each kind of staff time costs, with on-costs.",
            submit_label="Save rate",
            cancel_url=reverse("intervention_list"),
        ),
        repeats_by_typing=False,
    )


@allow(Resource.INTERVENTION)
def intervention_detail_view(request: HttpRequest, actor: Actor, intervention_id: uuid.UUID) -> HttpResponse:
    detail = intervention_detail(actor=actor, intervention_id=intervention_id)
    return render(
        request,
        "provision/intervention.html",
        {"detail": detail, "can_manage": actor.can(Resource.INTERVENTION, Action.MANAGE)},
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION, Action.MANAGE)
def intervention_programme_view(
    request: HttpRequest, actor: Actor, intervention_id: uuid.UUID
) -> HttpResponse:
    """The SENCo lists the programme's steps: the quick picks on the session log."""
    intervention = intervention_or_404(actor, intervention_id, Action.MANAGE)
    form = ProgrammeForm(request.POST or None, initial={"steps": "\n".join(intervention.programme_steps)})
    return form_flow(
        request,
        form,
        save=lambda: intervention_programme_set(
            actor=actor, intervention_id=intervention.pk, steps=form.cleaned_data["steps"].splitlines()
        ),
        success="Programme saved. Session logs now offer its steps to tick.",
        next_url=lambda _: reverse("intervention_detail", args=[intervention.pk]),
        page=FormPage(
            heading=f"Programme: {intervention.name}",
            intro="The steps or topics the intervention works through. Whoever runs a group ticks the ones "
            "covered in each session, and can still add their own words.",
            submit_label="Save programme",
            cancel_url=reverse("intervention_detail", args=[intervention.pk]),
        ),
        repeats_by_typing=False,
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION, Action.MANAGE)
def intervention_layer_view(request: HttpRequest, actor: Actor, intervention_id: uuid.UUID) -> HttpResponse:
    """The SENCo moves a catalogue entry to another layer of support (entries written before "targeted
    plus" existed are all targeted)."""
    intervention = intervention_or_404(actor, intervention_id, Action.MANAGE)
    form = LayerForm(request.POST or None, initial={"layer": intervention.layer})
    return form_flow(
        request,
        form,
        save=lambda: intervention_layer_set(
            actor=actor, intervention_id=intervention.pk, layer=form.cleaned_data["layer"]
        ),
        success="Layer saved. The provision map counts the intervention in it.",
        next_url=lambda _: reverse("intervention_detail", args=[intervention.pk]),
        page=FormPage(
            heading=f"Layer of provision: {intervention.name}",
            intro="Which layer of support this intervention belongs to. The provision map totals pupils and "
            "costs by layer.",
            submit_label="Save layer",
            cancel_url=reverse("intervention_detail", args=[intervention.pk]),
        ),
        repeats_by_typing=False,
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION, Action.MANAGE)
def intervention_funding_view(request: HttpRequest, actor: Actor, intervention_id: uuid.UUID) -> HttpResponse:
    """The SENCo says what usually pays for a catalogue entry: the source each new group starts with."""
    intervention = intervention_or_404(actor, intervention_id, Action.MANAGE)
    form = FundingForm(
        request.POST or None,
        label="Usually paid for from",
        help_text="Groups started from now on begin with this. Groups already running keep their own.",
        initial={"funding_source": intervention.funding_source, "funding_other": intervention.funding_other},
    )
    return form_flow(
        request,
        form,
        save=lambda: intervention_funding_set(
            actor=actor, intervention_id=intervention.pk, **form.cleaned_data
        ),
        success="Saved. New groups of this intervention start with this funding source.",
        next_url=lambda _: reverse("intervention_detail", args=[intervention.pk]),
        page=FormPage(
            heading=f"What pays for it: {intervention.name}",
            intro="The budget or grant that usually pays for this intervention. The provision map totals "
            "costs by what pays for each group.",
            submit_label="Save funding source",
            cancel_url=reverse("intervention_detail", args=[intervention.pk]),
        ),
        repeats_by_typing=False,
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION, Action.MANAGE)
def group_new_view(request: HttpRequest, actor: Actor, intervention_id: uuid.UUID) -> HttpResponse:
    intervention = intervention_or_404(actor, intervention_id, Action.MANAGE)
    form = GroupForm(
        request.POST or None,
        deliverers=[
            (u.pk, u.full_name) for u in school_staff(school_id=intervention.school_id, roles=DELIVERER_ROLES)
        ],
        initial={
            "starts_on": timezone.localdate(),
            "name": intervention.name,
            "funding_source": intervention.funding_source,
            "funding_other": intervention.funding_other,
        },
    )

    def save() -> object:
        data = dict(form.cleaned_data)
        return group_create(
            actor=actor, intervention_id=intervention.pk, deliverer_id=data.pop("deliverer"), **data
        )

    return form_flow(
        request,
        form,
        save=save,
        success="Group started. Now place its pupils.",
        next_url=lambda group: reverse("intervention_group", args=[group.pk]),  # type: ignore[attr-defined]
        page=FormPage(
            heading=f"Start a group: {intervention.name}",
            submit_label="Start group",
            cancel_url=reverse("intervention_detail", args=[intervention.pk]),
        ),
    )


@allow(Resource.INTERVENTION_GROUP)
def group_detail_view(request: HttpRequest, actor: Actor, igroup_id: uuid.UUID) -> HttpResponse:
    detail = group_detail(actor=actor, group_id=igroup_id)
    return render(
        request,
        "provision/group.html",
        {"detail": detail, "can_manage": actor.can(Resource.INTERVENTION_GROUP, Action.MANAGE)},
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION_GROUP, Action.MANAGE)
def group_funding_view(request: HttpRequest, actor: Actor, igroup_id: uuid.UUID) -> HttpResponse:
    """The SENCo says what pays for a running group."""
    group = intervention_group_or_404(actor, igroup_id, Action.MANAGE)
    form = FundingForm(
        request.POST or None,
        label="Paid for from",
        help_text="What pays for this group's sessions. The provision map totals costs by it.",
        initial={"funding_source": group.funding_source, "funding_other": group.funding_other},
    )
    return form_flow(
        request,
        form,
        save=lambda: group_funding_set(actor=actor, group_id=group.pk, **form.cleaned_data),
        success="Saved. The provision map counts this group's cost under its new funding source.",
        next_url=lambda _: reverse("intervention_group", args=[group.pk]),
        page=FormPage(
            heading=f"What pays for {group.name}",
            submit_label="Save funding source",
            cancel_url=reverse("intervention_group", args=[group.pk]),
        ),
        repeats_by_typing=False,
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION_GROUP, Action.MANAGE)
def placement_new_view(request: HttpRequest, actor: Actor, igroup_id: uuid.UUID) -> HttpResponse:
    group = intervention_group_or_404(actor, igroup_id, Action.MANAGE)
    pupils = pupils_in_scope(actor, Resource.INTERVENTION_GROUP, Action.MANAGE).order_by(
        "year_group", "legal_surname", "legal_forename"
    )
    today = timezone.localdate()
    form = PlacementForm(
        request.POST or None,
        pupils=[(str(p.pk), f"{p.display_name} (Year {p.year_group})") for p in pupils],
        teachers=[(t.pk, t.full_name) for t in school_teachers(school_id=group.school_id)],
        subjects=list(Subject.objects.order_by("name").values_list("code", "name")),
        initial={"starts_on": today, "entry_on": today},
    )

    def save() -> object:
        data = dict(form.cleaned_data)
        fields = PlacementFields(
            pupil_id=data.pop("pupil"), accountable_teacher_id=data.pop("accountable_teacher"), **data
        )
        return placement_add(actor=actor, group_id=group.pk, fields=fields)

    return form_flow(
        request,
        form,
        save=save,
        success="Pupil placed. Their teacher will see the session logs.",
        next_url=lambda _: reverse("intervention_group", args=[group.pk]),
        page=FormPage(
            heading=f"Place a pupil in {group.name}",
            intro="Every placement names the pupil's accountable teacher and how the sessions link back to "
            "lessons (Code 6.52).",
            submit_label="Place pupil",
            cancel_url=reverse("intervention_group", args=[group.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION_GROUP, Action.MANAGE)
def placement_exit_view(request: HttpRequest, actor: Actor, placement_id: uuid.UUID) -> HttpResponse:
    placement = placement_or_404(actor, placement_id, Action.MANAGE)
    form = ExitForm(request.POST or None, initial={"exit_on": timezone.localdate()})
    return form_flow(
        request,
        form,
        save=lambda: placement_exit(actor=actor, placement_id=placement.pk, **form.cleaned_data),
        success="Exit measure recorded; the placement has ended.",
        next_url=lambda _: reverse("intervention_group", args=[placement.group_id]),
        page=FormPage(
            pupil=placement.pupil,
            heading=f"Exit measure: {placement.pupil.display_name}",
            intro=f"Entry: {placement.entry_score:g} ({placement.get_measure_kind_display()}) on "
            f"{placement.entry_on:%d %B %Y}.",
            submit_label="Record exit",
            cancel_url=reverse("intervention_group", args=[placement.group_id]),
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION_GROUP, Action.MANAGE)
def placement_edit_view(request: HttpRequest, actor: Actor, placement_id: uuid.UUID) -> HttpResponse:
    placement = placement_or_404(actor, placement_id, Action.MANAGE)
    names = ("classroom_link", "measure_kind", "entry_score", "entry_on", "exit_score", "exit_on")
    form = PlacementCorrectionForm(
        request.POST or None,
        subjects=list(Subject.objects.order_by("name").values_list("code", "name")),
        exited=placement.exit_on is not None,
        initial={**{name: getattr(placement, name) for name in names}, "subject_code": placement.subject_id},
    )
    add_correction_fields(
        form, version=record_version_number(record_type=PLACEMENT.record_type, record_id=placement.pk)
    )

    def save() -> object:
        data, version, reason = correction_data(form)
        return placement_correct(
            actor=actor,
            placement_id=placement.pk,
            version=version,
            fields=PlacementCorrection(**data),
            reason=reason,
        )

    back = reverse("intervention_group", args=[placement.group_id])
    return correction_page(
        request,
        form,
        pupil=placement.pupil,
        heading=f"Correct the placement of {placement.pupil.display_name} in {placement.group.name}",
        save=save,
        back=back,
        success="Placement corrected. The group page shows what changed.",
        intro="Correct a mistake in what was saved. A placement for the wrong pupil or group is "
        "withdrawn instead. The history keeps every version: who changed what, and when.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.INTERVENTION_GROUP, Action.MANAGE)
def placement_withdraw_view(request: HttpRequest, actor: Actor, placement_id: uuid.UUID) -> HttpResponse:
    placement = placement_or_404(actor, placement_id, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=placement.pupil,
        what=f"the placement of {placement.pupil.display_name} in {placement.group.name}",
        version=record_version_number(record_type=PLACEMENT.record_type, record_id=placement.pk),
        withdraw=lambda version, reason: placement_withdraw(
            actor=actor, placement_id=placement.pk, version=version, reason=reason
        ),
        back=reverse("intervention_group", args=[placement.group_id]),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SESSION_LOG, Action.ADD)
def session_log_edit_view(request: HttpRequest, actor: Actor, own_log_id: uuid.UUID) -> HttpResponse:
    log = session_log_to_change(actor=actor, log_id=own_log_id)
    rows = attendance_to_correct(actor=actor, log=log)
    form = SessionLogCorrectionForm(
        request.POST or None,
        pupils=[(str(row.pupil_id), row.pupil.display_name) for row in rows],
        initial={
            "covered": log.covered,
            "rating": log.rating,
            "note": log.note,
            "present": [str(row.pupil_id) for row in rows if row.present],
        },
    )
    add_correction_fields(
        form, version=record_version_number(record_type=SESSION_LOG.record_type, record_id=log.pk)
    )

    def save() -> object:
        data, version, reason = correction_data(form)
        present = {uuid.UUID(value) for value in data.pop("present")}
        return session_log_correct(
            actor=actor, log_id=log.pk, version=version, present=present, reason=reason, **data
        )

    back = reverse("intervention_group", args=[log.group_id])
    return correction_page(
        request,
        form,
        pupil=None,
        heading=f"Correct the session of {log.held_on:%-d %B %Y}: {log.group.name}",
        save=save,
        back=back,
        success="Session log corrected. The group page shows what changed.",
        intro="Correct what was covered, how it went or who came. A session logged for the wrong "
        "group or day is withdrawn instead. The history keeps every version.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SESSION_LOG, Action.ADD)
def session_log_withdraw_view(request: HttpRequest, actor: Actor, own_log_id: uuid.UUID) -> HttpResponse:
    log = session_log_to_change(actor=actor, log_id=own_log_id)
    return withdraw_page(
        request,
        pupil=None,
        what=f"the session of {log.held_on:%-d %B %Y} ({log.group.name})",
        version=record_version_number(record_type=SESSION_LOG.record_type, record_id=log.pk),
        withdraw=lambda version, reason: session_log_withdraw(
            actor=actor, log_id=log.pk, version=version, reason=reason
        ),
        back=reverse("intervention_group", args=[log.group_id]),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SESSION_LOG, Action.ADD)
def session_log_view(request: HttpRequest, actor: Actor, igroup_id: uuid.UUID) -> HttpResponse:
    group = intervention_group_or_404(actor, igroup_id)
    today = timezone.localdate()
    expected = placements_on(group=group, day=today)
    form = SessionLogForm(
        request.POST or None,
        pupils=[(str(p.pk), p.pupil.display_name) for p in expected],
        programme=group.intervention.programme_steps,
        initial={"held_on": today, "present": [str(p.pk) for p in expected]},
    )

    def save() -> object:
        data = dict(form.cleaned_data)
        present = {uuid.UUID(value) for value in data.pop("present")}
        return session_log_record(actor=actor, group_id=group.pk, present=present, **data)

    return form_flow(
        request,
        form,
        save=save,
        success="Session logged. The pupils' teachers will see it.",
        next_url=lambda _: reverse("home"),
        page=FormPage(
            heading=f"Log a session: {group.name}",
            submit_label="Save session",
            cancel_url=reverse("intervention_group", args=[group.pk]),
        ),
        template="provision/log_session.html",
    )


@require_POST
@allow(Resource.SESSION_LOG, Action.MANAGE)
def log_acknowledge_view(request: HttpRequest, actor: Actor, log_id: uuid.UUID) -> HttpResponse:
    log = session_log_or_404(actor, log_id, Action.MANAGE)
    try:
        log_acknowledge(actor=actor, log_id=log.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Acknowledged. Thank you.")
    return redirect("to_do")


@require_POST
@allow(Resource.SESSION_LOG, Action.MANAGE)
def logs_acknowledge_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        log_ids = [uuid.UUID(value) for value in request.POST.getlist("log")]
    except ValueError as error:
        raise Http404 from error
    try:
        count = logs_acknowledge(actor=actor, log_ids=log_ids)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Acknowledged {count} session{pluralize(count)}. Thank you.")
    return redirect("to_do")


EXPORTS = {
    "csv": (provision_map_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (
        provision_map_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "pdf": (provision_map_pdf, "application/pdf", "pdf"),
}


@allow(Resource.PROVISION_MAP)
@download_limited(when=lambda request: bool(request.GET.get("format")))
def provision_map_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The map on screen, or as CSV, XLSX or PDF with ?format=."""
    export = request.GET.get("format", "")
    if export and export not in EXPORTS:
        raise Http404()
    pm, missing_rates = provision_map(actor=actor, export=export)
    if export:
        write, content_type, extension = EXPORTS[export]
        response = HttpResponse(write(pm), content_type=content_type)
        return attachment(response, f"provision-map-{pm.generated_on}.{extension}")
    return render(
        request,
        "provision/provision_map.html",
        {
            "pm": pm,
            "missing_rates": missing_rates,
            "totals": [(key, pm.totals_by(key)) for key in TOTALS_KEYS],
            "funding": pm.cost_by_funding_and_layer(),
            "total_cost": format_money(pm.total_cost),
            "cost_per_pupil": format_money(pm.cost_per_pupil),
        },
    )
