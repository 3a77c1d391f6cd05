"""The demo's sign-in shortcuts: a known password and, for roles that need a second factor, an
authenticator secret and recovery codes made at load time and printed beside each sign-in.

None of this may run in production: every entry point refuses when TANDEM_PRODUCTION is set.
"""

from __future__ import annotations

import logging
import time

from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from cryptography.fernet import InvalidToken
from django.conf import settings

from tandem.accounts.second_factor import second_factor_required
from tandem.people.models import User

logger = logging.getLogger("tandem.demo")


class DemoShortcutRefused(Exception):
    """A demo shortcut was asked for on a production deployment."""


def refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise DemoShortcutRefused(
            "This is a demo shortcut and TANDEM_PRODUCTION is set: it never runs on a real deployment."
        )


def enrol_demo_second_factors(emails: list[str]) -> int:
    """Give each listed demo user who must have a second factor an authenticator app and recovery codes."""
    refuse_in_production()
    enrolled = 0
    for user in User.objects.filter(email__in=emails):
        if (
            second_factor_required(user)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, generate_totp_secret())
            RecoveryCodes.activate(user)
            enrolled += 1
    return enrolled


def demo_second_factors(emails: list[str]) -> dict[str, tuple[str, str]]:
    """email -> (authenticator secret, one unused recovery code) for the demo users who have them."""
    refuse_in_production()
    adapter = get_adapter()
    secrets: dict[str, str] = {}
    codes: dict[str, str] = {}
    unreadable = 0
    for auth in Authenticator.objects.filter(user__email__in=emails).select_related("user"):
        try:
            if auth.type == Authenticator.Type.TOTP:
                secrets[auth.user.email] = str(adapter.decrypt(auth.data["secret"]))
            elif auth.type == Authenticator.Type.RECOVERY_CODES:
                unused = RecoveryCodes(auth).get_unused_codes()
                if unused:
                    codes[auth.user.email] = unused[0]
        except InvalidToken:
            unreadable += 1
    if unreadable:
        # Not an error for the demo: its sign-ins still print, without the second factors.
        logger.warning(
            "%d demo second factor(s) cannot be read: the secret key (TANDEM_MFA_SECRET_KEY, or "
            "TANDEM_SECRET_KEY) changed since the demo was built",
            unreadable,
        )
    return {email: (secret, codes.get(email, "")) for email, secret in secrets.items()}


def current_code(email: str) -> str:
    """The 6-digit code an authenticator app would show now for a demo user (for `tandem democode`)."""
    refuse_in_production()
    secret = demo_second_factors([email]).get(email, ("", ""))[0]
    if not secret:
        raise LookupError(f"{email} has no demo authenticator: only the roles that need a second factor do.")
    value = hotp_value(secret, int(time.time()) // 30)
    return f"{value:06d}"
