"""The second-factor step of signing in, aware of SSO providers that already checked one."""

from __future__ import annotations

from allauth.mfa.stages import AuthenticateStage
from django.http import HttpRequest

from tandem.accounts.sso import SESSION_MFA_KEY


class SecondFactorStage(AuthenticateStage):
    """allauth's step, skipped only when this sign-in came through SSO whose `amr` claim shows MFA."""

    def _should_handle(self, request: HttpRequest) -> bool:
        via_sso = bool((self.login.signal_kwargs or {}).get("sociallogin"))
        if not via_sso:
            request.session.pop(SESSION_MFA_KEY, None)
        elif request.session.get(SESSION_MFA_KEY):
            return False
        return super()._should_handle(request)
