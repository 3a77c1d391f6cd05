"""The sign-in library's events, written to Tandem's append-only audit table.

The library keeps its own tables (sessions, authenticators) that an admin could delete; the audit
table is the record that stays. Ids and codes only: never an email, address or code typed.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.account import signals as account_signals
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY, record_authentication
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.http import HttpRequest

from tandem.accounts.actors import SignInActor
from tandem.accounts.middleware import SIGNED_IN_AT
from tandem.audit.models import Outcome
from tandem.audit.services import audit_record


def _record(action: str, user: Any, *, outcome: str = Outcome.OK, fields: list[str] | None = None) -> None:
    user_id = getattr(user, "pk", None)
    audit_record(
        actor=SignInActor(user_id=user_id),
        action=action,
        target_type="user",
        target_id=user_id or "",
        outcome=outcome,
        fields=fields or [],
    )


def on_signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()
        _count_sign_in_as_confirmation(request)
    methods = sorted(
        {str(r.get("method")) for r in request.session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])}
        if request is not None and hasattr(request, "session")
        else set()
    )
    _record("signin.ok", user, fields=methods)


def _count_sign_in_as_confirmation(request: HttpRequest) -> None:
    """A password or second factor typed to sign in is as fresh a proof as typing it again: the library
    asks again only once it is older than ACCOUNT_REAUTHENTICATION_TIMEOUT (10 minutes), so a SENCo sent
    to set up a second factor straight after signing in is not asked for their password twice."""
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    if not isinstance(records, list):
        return
    for record in records:
        if isinstance(record, dict) and record.get("method") in {"password", "mfa"}:
            record["reauthenticated"] = True
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records


def on_signed_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _record("signin.signed_out", user)


def on_password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _record("password.reset", user)


def on_password_changed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _record("password.change", user)


def on_factor_added(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _record("second_factor.add", user, fields=[str(authenticator.type)])
    if request is not None and str(authenticator.type) != "recovery_codes":
        # Setting a factor up proves the person holds it: the session counts as two-factor from here.
        record_authentication(request, user, "mfa", type=str(authenticator.type), id=authenticator.pk)


def on_factor_removed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    _record("second_factor.remove", user, fields=[str(authenticator.type)])


def on_factor_reset(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _record("second_factor.reset", user, fields=[str(authenticator.type)])


def on_factor_failed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _record("second_factor.failed", user, outcome=Outcome.DENIED)


def connect() -> None:
    auth_signals.user_logged_in.connect(on_signed_in, dispatch_uid="tandem_signin_ok")
    auth_signals.user_logged_out.connect(on_signed_out, dispatch_uid="tandem_signin_out")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid="tandem_password_reset")
    account_signals.password_changed.connect(on_password_changed, dispatch_uid="tandem_password_changed")
    account_signals.password_set.connect(on_password_changed, dispatch_uid="tandem_password_set")
    mfa_signals.authenticator_added.connect(on_factor_added, dispatch_uid="tandem_factor_added")
    mfa_signals.authenticator_removed.connect(on_factor_removed, dispatch_uid="tandem_factor_removed")
    mfa_signals.authenticator_reset.connect(on_factor_reset, dispatch_uid="tandem_factor_reset")
    mfa_signals.authentication_failed.connect(on_factor_failed, dispatch_uid="tandem_factor_failed")
