from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from tandem.access.policy import Action, Resource
from tandem.access.request import actor_from
from tandem.audit.models import Outcome
from tandem.audit.services import audit_record

View = Callable[..., HttpResponse]


def allow(resource: Resource, action: Action = Action.VIEW) -> Callable[[View], View]:
    """Declare the policy row a view serves; refuse everyone else with the same 404 a missing page gets."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = actor_from(request)
            if actor is None or not actor.can(resource, action):
                if actor is not None:
                    audit_record(actor=actor, action=f"{resource}.{action}", outcome=Outcome.DENIED)
                raise Http404()
            return view(request, actor, *args, **kwargs)

        wrapped.tandem_policy = (resource, action)  # type: ignore[attr-defined]
        return wrapped

    return decorator
