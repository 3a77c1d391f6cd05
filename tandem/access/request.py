from __future__ import annotations

from django.http import HttpRequest

from tandem.access.actor import Actor, actor_for

SESSION_KEY = "tandem_membership_id"
_CACHE = "_tandem_actor"


def actor_from(request: HttpRequest) -> Actor | None:
    """The user acting in the role they chose (or their broadest one); None if signed out or role-less."""
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, _CACHE):
        setattr(request, _CACHE, actor_for(request.user, request.session.get(SESSION_KEY)))
    cached: Actor | None = getattr(request, _CACHE)
    return cached


def choose_membership(request: HttpRequest, membership_id: int) -> None:
    request.session[SESSION_KEY] = membership_id
    if hasattr(request, _CACHE):
        delattr(request, _CACHE)
