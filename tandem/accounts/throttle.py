"""Slowing repeated failed sign-ins, per client address and per account-from-an-address.

Never per account alone: whoever types a SENCo's email with wrong passwords slows only themselves,
and the SENCo signs in at once from their own device.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from tandem.accounts.models import FailureKey, SignInFailure
from tandem.lib.backoff import seconds_left

# Failures older than this no longer count: a forgetful person starts afresh the next day.
WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Keys:
    address: str
    pair: str


def keys_for(*, address: str, email: str) -> Keys:
    # Hashed with the site's secret: the table never holds an address or an email in clear.
    def digest(text: str) -> str:
        return hashlib.sha256(f"{settings.SECRET_KEY}|{text}".encode()).hexdigest()

    return Keys(address=digest(f"a|{address}"), pair=digest(f"p|{address}|{email.strip().lower()}"))


def throttle_wait(*, address: str, email: str) -> int:
    """Seconds before this client may try this account again (0: now)."""
    keys = keys_for(address=address, email=email)
    now = timezone.now()
    waits = [0]
    for kind, key, free in (
        (FailureKey.ADDRESS_ACCOUNT, keys.pair, settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ACCOUNT),
        (FailureKey.ADDRESS, keys.address, settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ADDRESS),
    ):
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


def throttle_failure(*, address: str, email: str) -> None:
    keys = keys_for(address=address, email=email)
    SignInFailure.objects.bulk_create(
        [
            SignInFailure(kind=FailureKey.ADDRESS, key=keys.address),
            SignInFailure(kind=FailureKey.ADDRESS_ACCOUNT, key=keys.pair),
        ]
    )
    # Old rows are of no further use; pruning here keeps the table small without a scheduled job.
    SignInFailure.objects.filter(occurred_at__lt=timezone.now() - WINDOW).delete()


def throttle_success(*, address: str, email: str) -> None:
    """The right password from this address clears this account's count there (not the address's)."""
    keys = keys_for(address=address, email=email)
    SignInFailure.objects.filter(kind=FailureKey.ADDRESS_ACCOUNT, key=keys.pair).delete()
