"""School single sign-on: each school's (or trust's) set-up as an OpenID Connect app, and who it may sign in.

SSO never creates an account or grants a role. It signs in a person who was invited to, or already
holds a role at, the school or trust the set-up belongs to, matched by an email address the provider
vouches for. Entra ID set-ups accept only their own tenant (`tid`), Google Workspace only its domain
(`hd`), so a personal Microsoft or Google account with the same address never matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.socialaccount.models import SocialApp, SocialLogin
from django.db.models import Q
from django.utils import timezone

from tandem.accounts.models import Invitation, SchoolSignIn, SignInProviderKind
from tandem.people.models import Membership, User

PROVIDER = "openid_connect"
SESSION_MFA_KEY = "tandem_sso_mfa"
# RFC 8176 authentication method references that mean a second factor was checked.
MFA_AMR_VALUES = frozenset({"mfa", "otp", "hwk", "swk", "fido", "sc", "face", "fpt", "iris"})


def issuer_for(sign_in: SchoolSignIn) -> str:
    if sign_in.kind == SignInProviderKind.ENTRA:
        return f"https://login.microsoftonline.com/{sign_in.tenant}/v2.0"
    if sign_in.kind == SignInProviderKind.GOOGLE:
        return "https://accounts.google.com"
    return sign_in.issuer.rstrip("/")


def button_label(sign_in: SchoolSignIn) -> str:
    if sign_in.button_label:
        return sign_in.button_label
    who = {SignInProviderKind.ENTRA: "Microsoft", SignInProviderKind.GOOGLE: "Google"}.get(
        SignInProviderKind(sign_in.kind), "your school account"
    )
    return f"Sign in with {who} ({sign_in.school or sign_in.trust})"


def _app(sign_in: SchoolSignIn) -> SocialApp:
    settings: dict[str, Any] = {"server_url": issuer_for(sign_in), "oauth_pkce_enabled": True}
    if sign_in.kind == SignInProviderKind.GOOGLE and sign_in.tenant:
        # Google shows only accounts of this Workspace domain; the `hd` claim is checked again below.
        settings["auth_params"] = {"hd": sign_in.tenant}
    return SocialApp(
        provider=PROVIDER,
        provider_id=sign_in.provider_id,
        name=button_label(sign_in),
        client_id=sign_in.client_id,
        secret=sign_in.client_secret,
        settings=settings,
    )


def social_apps(*, provider: str | None = None, client_id: str | None = None) -> list[SocialApp]:
    sign_ins = SchoolSignIn.objects.filter(is_active=True).select_related("school", "trust")
    if client_id:
        sign_ins = sign_ins.filter(client_id=client_id)
    apps = [_app(s) for s in sign_ins]
    if provider and provider != PROVIDER:
        apps = [a for a in apps if a.provider_id == provider]
    return apps


def sign_in_buttons() -> list[tuple[str, str]]:
    """(provider id, label) for the sign-in page."""
    return [(a.provider_id, a.name) for a in social_apps()]


@dataclass(frozen=True)
class SsoDecision:
    user: User | None
    sign_in_id: int | None
    reason: str = ""
    reason_code: str = ""
    provider_did_mfa: bool = False


def _refuse(sign_in_id: int | None, code: str, reason: str) -> SsoDecision:
    return SsoDecision(user=None, sign_in_id=sign_in_id, reason=reason, reason_code=code)


_NOT_INVITED = (
    "This account has not been invited to Tandem at this school. Ask your school admin to add you on "
    "the Staff page; you can then sign in here."
)


def sso_match(*, sociallogin: SocialLogin) -> SsoDecision:
    """The invited person this SSO sign-in belongs to, or why nobody matches."""
    provider_id = sociallogin.account.provider
    sign_in = (
        SchoolSignIn.objects.filter(is_active=True)
        .filter(pk=_pk_of(provider_id))
        .select_related("school", "trust")
        .first()
    )
    if sign_in is None:
        return _refuse(
            None, "unknown_set_up", "This sign-in button is no longer set up. Ask your school admin."
        )
    data = sociallogin.account.extra_data or {}
    claims: dict[str, Any] = {**(data.get("userinfo") or {}), **(data.get("id_token") or {})}
    if sign_in.kind == SignInProviderKind.ENTRA and not _same_place(claims.get("tid"), sign_in.tenant):
        return _refuse(sign_in.pk, "wrong_tenant", "Use your school Microsoft account, not a personal one.")
    if sign_in.kind == SignInProviderKind.GOOGLE and not _same_place(claims.get("hd"), sign_in.tenant):
        return _refuse(sign_in.pk, "wrong_domain", "Use your school Google account, not a personal one.")
    email = str(claims.get("email") or "").strip().lower()
    # Entra's email comes from the school's own directory (its tenant checked above); others must say so.
    verified = sign_in.kind == SignInProviderKind.ENTRA or claims.get("email_verified") in (True, "true")
    if not email or not verified:
        return _refuse(
            sign_in.pk,
            "unverified_email",
            "Your account did not share a confirmed email address with Tandem.",
        )
    user = _invited_user(sign_in=sign_in, email=email)
    if sociallogin.is_existing and sociallogin.user is not None and sociallogin.user != user:
        user = None
    if user is None:
        return _refuse(sign_in.pk, "not_invited", _NOT_INVITED)
    amr = claims.get("amr") or []
    did_mfa = isinstance(amr, list) and bool(MFA_AMR_VALUES.intersection(str(v) for v in amr))
    return SsoDecision(user=user, sign_in_id=sign_in.pk, provider_did_mfa=did_mfa)


def _same_place(claim: object, pinned: str) -> bool:
    # Tenant ids and domains ignore case; a set-up with no tenant or domain matches no token at all.
    expected = pinned.strip().lower()
    return bool(expected) and isinstance(claim, str) and claim.strip().lower() == expected


def _pk_of(provider_id: str) -> int:
    prefix = "school-sso-"
    tail = provider_id[len(prefix) :] if provider_id.startswith(prefix) else ""
    return int(tail) if tail.isdigit() else 0


def _place_filter(sign_in: SchoolSignIn, prefix: str = "") -> Q:
    if sign_in.school_id is not None:
        return Q(**{f"{prefix}school_id": sign_in.school_id})
    # A trust's set-up covers the trust's own roles and every school in it.
    return Q(**{f"{prefix}trust_id": sign_in.trust_id}) | Q(**{f"{prefix}school__trust_id": sign_in.trust_id})


def _invited_user(*, sign_in: SchoolSignIn, email: str) -> User | None:
    """The active user with a role at the set-up's school or trust whose invitation stands.

    A person whose only invitation was revoked (or ran out) before they first signed in is refused.
    """
    user = User.objects.filter(email=email, is_active=True).first()
    if (
        user is None
        or not Membership.objects.filter(_place_filter(sign_in), user=user, is_active=True).exists()
    ):
        return None
    invitations = Invitation.objects.filter(user=user)
    if user.has_usable_password() or invitations.filter(accepted_at__isnull=False).exists():
        return user
    if invitations.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).exists():
        return user
    return None
