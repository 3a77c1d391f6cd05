"""Claims shaped like the ones the app's real identity providers send."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from oauth2_provider.oauth2_validators import OAuth2Validator  # type: ignore[import-untyped]

# Flags ride on fields the provider has anyway, so provisioning needs no model of its own.
MFA_FIRST_NAME = "mfa"
UNVERIFIED_LAST_NAME = "unverified"


def _user(request: Any) -> User:
    return request.user


def _email(request: Any) -> str:
    return _user(request).email


def _email_verified(request: Any) -> bool:
    return _user(request).last_name != UNVERIFIED_LAST_NAME


def _name(request: Any) -> str:
    return _user(request).username


def _amr(request: Any) -> list[str]:
    return ["pwd", "mfa"] if _user(request).first_name == MFA_FIRST_NAME else ["pwd"]


def _hd(request: Any) -> str:
    return _user(request).email.rpartition("@")[2]


class ClaimsValidator(OAuth2Validator):
    # amr, hd and tid describe the sign-in and the organisation rather than the person, so, as at
    # Entra and Google, they come with plain `openid` rather than waiting on email or profile.
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "amr": "openid",
        "hd": "openid",
        "tid": "openid",
    }

    # No `request` parameter on purpose: DOT then treats the claims as request-agnostic, lists
    # them in the discovery document's claims_supported, and calls each value per token.
    def get_additional_claims(self) -> dict[str, Callable[[Any], Any]]:
        claims: dict[str, Callable[[Any], Any]] = {
            "email": _email,
            "email_verified": _email_verified,
            "name": _name,
            "amr": _amr,
            "hd": _hd,
        }
        tenant = os.environ.get("TANDEM_TEST_OIDC_TENANT", "")
        if tenant:
            claims["tid"] = lambda _request: tenant
        return claims
