"""Who must use a second factor, and whether this session has.

Required for every role that reads SEN data beyond the person's own pupils (SENCo, head, school
admin, trust roles) or the audit trail (data protection officers), and for all staff at a school that
turns on "two-factor for everyone".
"""

from __future__ import annotations

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.db.models import Q
from django.http import HttpRequest

from tandem.accounts.sso import SESSION_MFA_KEY
from tandem.people.models import FAMILY_ROLES, Membership, Role, User

ROLES_NEEDING_SECOND_FACTOR = frozenset(
    {
        Role.SENCO,
        Role.HEAD,
        Role.SCHOOL_ADMIN,
        Role.TRUST_SEND_LEAD,
        Role.TRUST_ADMIN,
        Role.DPO,
        Role.TRUST_DPO,
    }
)
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def second_factor_required(user: User) -> bool:
    # One query on every page view: a role that needs it, or a school that asks it of everyone.
    return (
        Membership.objects.filter(user=user, is_active=True)
        .filter(
            Q(role__in=sorted(ROLES_NEEDING_SECOND_FACTOR))
            # "Everyone" at a school means its staff: a parent chooses a second factor for themselves.
            | (Q(school__require_two_factor_for_all=True) & ~Q(role__in=sorted(FAMILY_ROLES)))
        )
        .exists()
    )


def has_second_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type__in=FACTOR_TYPES).exists()


def second_factor_used(request: HttpRequest, user: User) -> bool:
    """This session has seen a second factor: Tandem's own, or an SSO provider's (its `amr` claim)."""
    records = get_authentication_records(request, user)
    if any(r.get("method") == "mfa" for r in records):
        return True
    via_sso = any(r.get("method") == "socialaccount" for r in records)
    return via_sso and bool(request.session.get(SESSION_MFA_KEY))
