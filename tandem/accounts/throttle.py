"""Slowing repeated failed sign-ins, per client address and per account-from-an-address.

Never per account alone: whoever types a SENCo's email with wrong passwords slows only themselves,
and the SENCo signs in at once from their own device.

A school's staff usually share one public address, so "slow that address" alone would let one person
at school slow everyone there. A browser that has fully signed in to an account before carries a
signed "known device" cookie for it; its tries for that account are counted on their own (device and
account) and are not slowed by failures from the shared address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tandem.accounts.models import FailureKey, SignInFailure
from tandem.lib.backoff import seconds_left

# Failures older than this no longer count: a forgetful person starts afresh the next day.
WINDOW = dt.timedelta(hours=24)
DEVICE_COOKIE = "tandem_device"
DEVICE_DAYS = 90
_DEVICE_SALT = "tandem.accounts.known-device"


@dataclass(frozen=True)
class Keys:
    address: str
    pair: str
    device: str


def keys_for(*, address: str, email: str, device: str = "") -> Keys:
    # Hashed with the site's secret: the table never holds an address or an email in clear.
    def digest(text: str) -> str:
        return hashlib.sha256(f"{settings.SECRET_KEY}|{text}".encode()).hexdigest()

    email = email.strip().lower()
    return Keys(
        address=digest(f"a|{address}"),
        pair=digest(f"p|{address}|{email}"),
        device=digest(f"d|{device}|{email}") if device else "",
    )


def known_device(request: HttpRequest, *, user_id: int | None) -> str:
    """The id of this browser if it carries a valid known-device cookie for `user_id`; "" otherwise."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if not value or user_id is None:
        return ""
    try:
        data = signing.loads(value, salt=_DEVICE_SALT, max_age=dt.timedelta(days=DEVICE_DAYS))
    except signing.BadSignature:
        return ""
    ids = data.get("u") if isinstance(data, dict) else None
    return str(data.get("d", "")) if isinstance(ids, list) and user_id in ids else ""


def remember_device(request: HttpRequest, response: HttpResponse, *, user_id: int) -> None:
    """After a complete sign-in: mark this browser as known for this account (keeping the others)."""
    device = ""
    ids: list[int] = []
    try:
        data = signing.loads(
            request.COOKIES.get(DEVICE_COOKIE, ""), salt=_DEVICE_SALT, max_age=dt.timedelta(days=DEVICE_DAYS)
        )
        device, ids = str(data["d"]), [int(i) for i in data["u"]][-4:]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        device, ids = secrets.token_hex(16), []
    if user_id not in ids:
        ids.append(user_id)
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps({"d": device, "u": ids}, salt=_DEVICE_SALT),
        max_age=DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _counted(keys: Keys) -> list[tuple[str, str, int]]:
    """(kind, key, free failures) that gate this try: the device's own count when the browser is known,
    else the account-from-this-address and the address counts."""
    if keys.device:
        return [(FailureKey.DEVICE_ACCOUNT, keys.device, settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ACCOUNT)]
    return [
        (FailureKey.ADDRESS_ACCOUNT, keys.pair, settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ACCOUNT),
        (FailureKey.ADDRESS, keys.address, settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ADDRESS),
    ]


def throttle_wait(*, address: str, email: str, device: str = "") -> int:
    """Seconds before this client may try this account again (0: now)."""
    keys = keys_for(address=address, email=email, device=device)
    now = timezone.now()
    waits = [0]
    for kind, key, free in _counted(keys):
        stats = SignInFailure.objects.filter(kind=kind, key=key, occurred_at__gte=now - WINDOW).aggregate(
            n=Count("id"), last=Max("occurred_at")
        )
        if stats["n"]:
            waits.append(
                seconds_left(
                    failures=stats["n"],
                    free=free,
                    cap=settings.TANDEM_SIGNIN_MAX_DELAY_SECONDS,
                    since_last_failure=(now - stats["last"]).total_seconds(),
                )
            )
    return max(waits)


def throttle_failure(*, address: str, email: str, device: str = "") -> None:
    keys = keys_for(address=address, email=email, device=device)
    SignInFailure.objects.bulk_create([SignInFailure(kind=kind, key=key) for kind, key, _ in _counted(keys)])
    # Old rows are of no further use; pruning here keeps the table small without a scheduled job.
    SignInFailure.objects.filter(occurred_at__lt=timezone.now() - WINDOW).delete()


def throttle_success(*, address: str, email: str, device: str = "") -> None:
    """The right password clears this account's count from this address or device (not the address's)."""
    keys = keys_for(address=address, email=email, device=device)
    kinds = {FailureKey.ADDRESS_ACCOUNT: keys.pair, FailureKey.DEVICE_ACCOUNT: keys.device}
    for kind, key in kinds.items():
        if key:
            SignInFailure.objects.filter(kind=kind, key=key).delete()
