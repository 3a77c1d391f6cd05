"""Request-wide sign-in rules: the real client address, the session's absolute lifetime, and the
second factor that SEN-reading roles must use before any page with pupils' data."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from tandem.accounts.second_factor import second_factor_required, second_factor_used

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SIGNED_IN_AT = "tandem_signed_in_at"
# When the session's idle expiry was last pushed on (saved): see SessionLifetimeMiddleware.
REFRESHED_AT = "tandem_refreshed_at"
# Pages a person must reach before their second factor: signing in and out, setting a factor up,
# their own account pages. None shows pupils' data.
OPEN_PREFIXES = ("/accounts/", "/health/", "/static/", "/favicon.ico")


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; a proxy listed as a.b.c.d is it.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    ip = _parse(address)
    return ip is not None and any(ip in network for network in networks)


def client_address(*, peer: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy, when it is the nearest
    address in X-Forwarded-For that is not itself a trusted proxy (a client can prepend anything)."""
    if not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        ip = _parse(_without_port(hop))
        if ip is None:
            # Not an address where a trusted proxy should have written one: believe none of it.
            return peer
        if not any(ip in network for network in trusted):
            return str(ip)
    return peer


def _without_port(hop: str) -> str:
    # Some proxies (Azure Application Gateway among them) write "a.b.c.d:port" or "[v6]:port".
    if hop.startswith("[") and "]" in hop:
        return hop[1 : hop.index("]")]
    if hop.count(":") == 1:
        return hop.partition(":")[0]
    return hop


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = _trusted(tuple(settings.TANDEM_TRUSTED_PROXIES))
        request.META["REMOTE_ADDR"] = client_address(
            peer=request.META.get("REMOTE_ADDR", ""),
            forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
            trusted=trusted,
        )
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """Signs a person out once their session is older than TANDEM_SESSION_MAX_HOURS, however active, and
    keeps the idle limit (SESSION_COOKIE_AGE: the stored expiry, set whenever the session is saved) moving
    on without saving the session on every page view.

    Saving on every request made every page view a database write, and on SQLite every writer queues
    behind a long import: pages that only read waited 30 seconds and failed. Now the session is saved
    when something in it changes, or when its expiry was last pushed on at least
    TANDEM_SESSION_REFRESH_SECONDS ago. So someone who stops is signed out between SESSION_COOKIE_AGE
    minus that step and SESSION_COOKIE_AGE after their last request, never later."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            if started is None:
                request.session[SIGNED_IN_AT] = time.time()
            elif time.time() - float(started) > settings.TANDEM_SESSION_MAX_HOURS * 3600:
                logout(request)
                messages.info(
                    request,
                    "You were signed out because you had been signed in for "
                    f"{settings.TANDEM_SESSION_MAX_HOURS} hours. Sign in again to carry on.",
                )
                return redirect_to_login(request.get_full_path())
            _refresh_idle_expiry(request)
        return self.get_response(request)


def _refresh_idle_expiry(request: HttpRequest) -> None:
    # Changing the session is what makes SessionMiddleware save it, with a new expiry of now plus
    # SESSION_COOKIE_AGE; within the step nothing is written.
    now = time.time()
    refreshed = request.session.get(REFRESHED_AT)
    if refreshed is None or now - float(refreshed) >= settings.TANDEM_SESSION_REFRESH_SECONDS:
        request.session[REFRESHED_AT] = now


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and second_factor_required(user)
            and not second_factor_used(request, user)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('two_factor_required')}?{query}")
        return self.get_response(request)
