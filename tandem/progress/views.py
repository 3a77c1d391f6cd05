from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Resource
from tandem.progress.selectors import CRITERIA, flagged_list, progress_summary


@allow(Resource.PROGRESS)
def progress_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    subject = request.GET.get("subject") or None
    run, results = flagged_list(actor=actor, subject=subject)
    return render(
        request,
        "progress/list.html",
        {"run": run, "results": results, "criteria": CRITERIA, "subject": subject},
    )


@allow(Resource.PROGRESS)
def progress_summary_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "progress/summary.html", {"summary": progress_summary(actor=actor)})
