"""Tandem's rules plugged into the sign-in library (django-allauth).

- Accounts exist only by invitation: nobody signs up, by form or by SSO.
- Failed sign-ins are slowed per client address and per address+account (tandem.accounts.throttle).
- A school's SSO signs in invited people only, pinned to the school's tenant or domain.
- Every step leaves an audit event.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.accounts import services, sso, throttle
from tandem.accounts.actors import SignInActor
from tandem.audit.models import Outcome
from tandem.audit.services import audit_record
from tandem.people.models import User


def _email_of(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("login") or credentials.get("username") or "")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        email = _email_of(credentials)
        address = self.get_client_ip(request)
        user_id = _user_id(email)
        device = throttle.known_device(request, user_id=user_id)
        wait = throttle.throttle_wait(address=address, email=email, device=device)
        if wait:
            audit_record(
                actor=SignInActor(user_id=user_id), action="signin.throttled", outcome=Outcome.DENIED
            )
            raise ValidationError(
                f"Too many sign-in attempts from this device. Wait {wait} seconds, then try again. "
                "If you have forgotten your password, use \u201cForgot your password?\u201d."
            )
        AuthenticationBackend.unstash_authenticated_user()
        user = authenticate(request, **credentials) or AuthenticationBackend.unstash_authenticated_user()
        if user is None:
            throttle.throttle_failure(address=address, email=email, device=device)
            audit_record(actor=SignInActor(user_id=user_id), action="signin.failed", outcome=Outcome.DENIED)
            return None
        throttle.throttle_success(address=address, email=email, device=device)
        return user

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        # Fully signed in (second factor included): this browser is now a known device for the account.
        throttle.remember_device(request, response, user_id=user.pk)
        return response

    def get_login_stages(self) -> list[str]:
        # Tandem's own second-factor stage: it also accepts an SSO sign-in whose provider did MFA.
        return [
            "tandem.accounts.stages.SecondFactorStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Counts and links only: the library's messages are replaced by Tandem's own templates.
        context.setdefault("tandem_support", "your school admin")
        super().send_mail(template_prefix, email, context)


def _user_id(email: str) -> int | None:
    return User.objects.filter(email=email.strip().lower()).values_list("pk", flat=True).first()


class SchoolSignInAdapter(DefaultSocialAccountAdapter):
    """SSO through each school's or trust's own OpenID Connect set-up (Entra ID, Google Workspace)."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def list_apps(self, request: HttpRequest, provider: Any = None, client_id: Any = None) -> list[SocialApp]:
        return sso.social_apps(provider=provider, client_id=client_id)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        decision = sso.sso_match(sociallogin=sociallogin)
        if decision.user is None:
            audit_record(
                actor=SignInActor(user_id=None),
                action="sso.refused",
                target_type="school_sign_in",
                target_id=decision.sign_in_id or "",
                outcome=Outcome.DENIED,
                fields=[decision.reason_code],
            )
            raise ImmediateHttpResponse(
                render(request, "accounts/sso_refused.html", {"reason": decision.reason}, status=403)
            )
        # Whether the provider says it checked a second factor; read by the second-factor rule.
        request.session[sso.SESSION_MFA_KEY] = decision.provider_did_mfa
        services.invitation_accept_by_sso(user=decision.user)
        if not sociallogin.is_existing:
            sociallogin.connect(request, decision.user)
            audit_record(
                actor=SignInActor(user_id=decision.user.pk),
                action="sso.linked",
                target_type="school_sign_in",
                target_id=decision.sign_in_id or "",
            )

    def send_notification_mail(self, *args: Any, **kwargs: Any) -> None:
        # "A new account was connected" mails add nothing for invited staff; the audit has the event.
        return None


class SessionsAdapter(DefaultUserSessionsAdapter):
    def end_sessions(self, sessions: Any) -> None:
        sessions = list(sessions)
        super().end_sessions(sessions)
        for session in sessions:
            audit_record(
                actor=SignInActor(user_id=session.user_id),
                action="session.revoke",
                target_type="user_session",
                target_id=session.pk,
            )
