from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Resource
from tandem.audit.forms import AuditFilterForm
from tandem.audit.selectors import (
    CSV_HEADER,
    EXPORT_MAX_ROWS,
    audit_csv_rows,
    audit_events,
    audit_exported,
    audit_page_viewed,
    audit_rows,
)
from tandem.core.downloads import attachment, download_limited

PAGE_SIZE = 50


@allow(Resource.AUDIT)
def audit_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, actor=actor)
    filters = form.filters()
    page, rows = None, []
    if filters is not None:
        events = audit_events(actor=actor, filters=filters)
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = audit_rows(page.object_list)  # before this look is recorded: the page shows what it counted
        audit_page_viewed(actor=actor, filters=filters)
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "pupil": filters.pupil if filters else None,
            "query": request.GET.urlencode(),
            "export_max": EXPORT_MAX_ROWS,
        },
    )


@allow(Resource.AUDIT)
@download_limited()
def audit_export_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, actor=actor)
    filters = form.filters()
    if filters is None:
        return render(request, "audit/list.html", {"form": form, "page": None, "rows": []}, status=400)
    audit_exported(actor=actor, filters=filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(audit_csv_rows(actor=actor, filters=filters))
    return attachment(response, f"audit-{timezone.localdate():%Y-%m-%d}.csv")
