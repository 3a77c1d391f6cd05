"""When a sensitive download asks for the password (or second factor) again.

allauth's `@reauthentication_required` counts only an explicit re-authentication as recent, so someone
who signed in a minute ago would be asked for their password straight away. Tandem treats a sign-in
as fresh for the same ACCOUNT_REAUTHENTICATION_TIMEOUT: the question comes only once it is older.
"""

from __future__ import annotations

import time

from allauth.account import app_settings
from allauth.account.internal.flows.login import get_authentication_records
from django.http import HttpRequest


def sign_in_is_stale(request: HttpRequest) -> bool:
    """The `enabled` test for `@reauthentication_required`: True (so ask again) unless this session
    proved who it is (signing in, a second factor, or a re-authentication) within the timeout."""
    if not request.user.is_authenticated:
        return True
    times = [
        float(at)
        for record in get_authentication_records(request, request.user)
        if isinstance(at := record.get("at"), int | float)
    ]
    return not times or time.time() - max(times) >= app_settings.REAUTHENTICATION_TIMEOUT
