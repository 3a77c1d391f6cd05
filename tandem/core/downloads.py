"""What every download of pupils' data shares: no cache keeps it, and one person takes only so many lists
an hour (a leaver's last afternoon, or a stolen session, must not walk off with the school's records)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.audit.models import AuditEvent, Outcome
from tandem.audit.services import audit_record

R = TypeVar("R", bound=HttpResponseBase)
WINDOW = dt.timedelta(hours=1)
# The audit events of lists taken out of Tandem (a prepared file's fetch repeats its build, so only the
# build counts). The limit counts these: nothing else to keep in step.
_TAKEN_OUT = (Q(action__startswith="export.") & ~Q(action="export.fetch")) | Q(action="provision_map.export")

ActorView = Callable[..., HttpResponse]


def attachment(response: R, file_name: str) -> R:
    """Saved under this name, and never kept by a browser's or a proxy's cache."""
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def downloads_in_the_last_hour(*, user_id: int, now: dt.datetime | None = None) -> list[dt.datetime]:
    """When this person took lists of pupils' data out of Tandem in the last hour, oldest first."""
    since = (now or timezone.now()) - WINDOW
    taken = AuditEvent.objects.filter(
        _TAKEN_OUT, actor_id=user_id, outcome=Outcome.OK, occurred_at__gte=since
    )
    return list(taken.order_by("occurred_at").values_list("occurred_at", flat=True))


def _always(request: HttpRequest) -> bool:
    return True


def download_limited(when: Callable[[HttpRequest], bool] = _always) -> Callable[[ActorView], ActorView]:
    """Refuse a download (HTTP 429, a page saying until when, a denied audit event) once the person has
    taken TANDEM_DOWNLOADS_PER_HOUR lists in the last hour. Goes under `@allow`, which gives the actor;
    `when` says which requests of the view are downloads (a page that also offers a file)."""

    def decorator(view: ActorView) -> ActorView:
        @wraps(view)
        def wrapped(request: HttpRequest, actor: Actor, *args: Any, **kwargs: Any) -> HttpResponse:
            if actor.user_id is not None and when(request):
                taken = downloads_in_the_last_hour(user_id=actor.user_id)
                limit = settings.TANDEM_DOWNLOADS_PER_HOUR
                if len(taken) >= limit:
                    audit_record(actor=actor, action="export.limited", outcome=Outcome.DENIED)
                    free_at = timezone.localtime(taken[len(taken) - limit] + WINDOW)
                    context = {"limit": limit, "free_at": free_at}
                    return render(request, "core/download_limit.html", context, status=429)
            return view(request, actor, *args, **kwargs)

        return wrapped

    return decorator
