"""School SSO end to end against the real test OpenID Connect provider on loopback.

Tandem (the Django test client) sends the browser to the provider; the provider (driven with
requests, signed in as the person) sends it back with a code; Tandem exchanges the code over HTTP,
checks the signed ID token and decides who, if anyone, is signed in. Nothing here fakes an HTTP
response: discovery, the token exchange, JWKS and userinfo all come from the running provider.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Invitation, SchoolSignIn
from tandem.accounts.sso import issuer_for, social_apps, sso_match
from tandem.audit.models import AuditEvent
from tandem.people.models import Membership, User
from tandem.schools.models import School
from tests import factories as f
from tests.sso.harness import OIDCProvider, new_http_session, running_provider
from tests.totp import fresh_totp

PASSWORD = "provider password for tandem"
_serial = itertools.count(1)


def _callback_url(sign_in: SchoolSignIn) -> str:
    return "http://testserver" + reverse("openid_connect_callback", args=[sign_in.provider_id])


def _set_up(provider: OIDCProvider, **place: Any) -> SchoolSignIn:
    n = next(_serial)
    row = SchoolSignIn.objects.create(
        kind="oidc",
        issuer=provider.issuer,
        client_id=f"tandem-school-{n}",
        client_secret=f"tandem-secret-{n}",
        **place,
    )
    provider.add_client(row.client_id, row.client_secret, _callback_url(row))
    return row


@pytest.fixture
def school(db: None) -> School:
    return f.make_school(name="Alder Primary")


@pytest.fixture
def sign_in(school: School, oidc_provider: OIDCProvider) -> SchoolSignIn:
    return _set_up(oidc_provider, school=school)


def _provider_user(provider: OIDCProvider, email: str, *, mfa: bool = False, verified: bool = True) -> str:
    # A fresh provider username each time, so no test depends on another's provider users.
    username = f"{email.partition('@')[0]}-{next(_serial)}"
    provider.add_user(username, email, PASSWORD, mfa=mfa, verified=verified)
    return username


def _invited(school: School, email: str, role: str = "teacher") -> Invitation:
    invitation = f.make_invitation(school, email=email, role=role)
    assert isinstance(invitation, Invitation)
    return invitation


def sso_sign_in(client: Client, provider: OIDCProvider, sign_in: SchoolSignIn, username: str) -> Any:
    """Press the school's button, sign in at the provider, and return Tandem's answer to the callback."""
    start = client.post(reverse("openid_connect_login", args=[sign_in.provider_id]))
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    assert authorize.startswith(provider.authorize_url), authorize
    assert "code_challenge" in parse_qs(urlparse(authorize).query)
    back = provider.browser_session(username, PASSWORD).get(authorize, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    location = urlparse(back.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == _callback_url(sign_in)
    assert {"code", "state"} <= set(parse_qs(location.query))
    return client.get(f"{location.path}?{location.query}")


def _signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "social_accounts": SocialAccount.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
    }


def _assert_refused(response: Any, client: Client, sign_in: SchoolSignIn, code: str, text: str) -> None:
    assert response.status_code == 403
    assert text in response.content.decode()
    assert _signed_in_as(client) is None
    assert AuditEvent.objects.filter(
        action="sso.refused", target_id=str(sign_in.pk), outcome="denied", fields=[code]
    ).exists()


# ---------------------------------------------------------------- who may sign in
def test_it_signs_in_an_invited_teacher_and_uses_up_their_invitation(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn, school: School
) -> None:
    invitation = _invited(school, "teacher.one@alder.example")
    username = _provider_user(oidc_provider, "teacher.one@alder.example")
    before = _counts()
    client = Client()

    response = sso_sign_in(client, oidc_provider, sign_in, username)

    assert response.status_code == 302, response.content
    assert _signed_in_as(client) == invitation.user_id
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    account = SocialAccount.objects.get(user_id=invitation.user_id)
    assert account.provider == sign_in.provider_id
    assert AuditEvent.objects.filter(
        action="sso.linked", actor_id=invitation.user_id, target_id=str(sign_in.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="invitation.accept", target_id=str(invitation.pk)).exists()
    # SSO linked the invited account and confirmed its address; it created no person, granted no role.
    assert _counts() == {
        **before,
        "social_accounts": before["social_accounts"] + 1,
        "email_addresses": before["email_addresses"] + 1,
    }
    assert list(Membership.objects.filter(user_id=invitation.user_id).values_list("role", flat=True)) == [
        "teacher"
    ]
    # The person has no password: SSO is their way in.
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()
    assert client.get(reverse("home")).status_code == 200


def test_it_signs_the_same_person_in_again_through_the_linked_account(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn, school: School
) -> None:
    invitation = _invited(school, "teacher.again@alder.example")
    username = _provider_user(oidc_provider, "teacher.again@alder.example")
    sso_sign_in(Client(), oidc_provider, sign_in, username)
    before = _counts()
    client = Client()

    response = sso_sign_in(client, oidc_provider, sign_in, username)

    assert response.status_code == 302, response.content
    assert _signed_in_as(client) == invitation.user_id
    assert _counts() == before
    assert AuditEvent.objects.filter(action="sso.linked", actor_id=invitation.user_id).count() == 1


def test_it_refuses_a_person_nobody_invited_and_creates_nothing(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn
) -> None:
    username = _provider_user(oidc_provider, "stranger@alder.example")
    before = _counts()
    client = Client()

    response = sso_sign_in(client, oidc_provider, sign_in, username)

    _assert_refused(response, client, sign_in, "not_invited", "not been invited")
    assert _counts() == before
    assert not User.objects.filter(email="stranger@alder.example").exists()


def test_it_refuses_someone_invited_only_at_another_school(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn
) -> None:
    elsewhere = _invited(f.make_school(name="Birch Primary"), "teacher@birch.example")
    username = _provider_user(oidc_provider, "teacher@birch.example")
    before = _counts()
    client = Client()

    response = sso_sign_in(client, oidc_provider, sign_in, username)

    _assert_refused(response, client, sign_in, "not_invited", "not been invited")
    assert _counts() == before
    elsewhere.refresh_from_db()
    assert elsewhere.accepted_at is None


def test_it_refuses_an_email_the_provider_has_not_verified(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn, school: School
) -> None:
    invitation = _invited(school, "unverified@alder.example")
    username = _provider_user(oidc_provider, "unverified@alder.example", verified=False)
    before = _counts()
    client = Client()

    response = sso_sign_in(client, oidc_provider, sign_in, username)

    _assert_refused(response, client, sign_in, "unverified_email", "confirmed email address")
    assert _counts() == before
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_it_refuses_a_person_whose_invitation_was_revoked_before_they_used_it(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn, school: School
) -> None:
    invitation = _invited(school, "revoked@alder.example")
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    username = _provider_user(oidc_provider, "revoked@alder.example")
    before = _counts()
    client = Client()

    response = sso_sign_in(client, oidc_provider, sign_in, username)

    _assert_refused(response, client, sign_in, "not_invited", "not been invited")
    assert _counts() == before
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_it_refuses_a_person_whose_account_was_switched_off(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn, school: School
) -> None:
    invitation = _invited(school, "left@alder.example")
    username = _provider_user(oidc_provider, "left@alder.example")
    sso_sign_in(Client(), oidc_provider, sign_in, username)
    User.objects.filter(pk=invitation.user_id).update(is_active=False)
    client = Client()

    response = sso_sign_in(client, oidc_provider, sign_in, username)

    _assert_refused(response, client, sign_in, "not_invited", "not been invited")


def test_a_trust_set_up_signs_in_staff_of_the_trusts_schools_only(
    oidc_provider: OIDCProvider, db: None
) -> None:
    trust = f.make_trust(name="Alder Trust")
    in_trust = _invited(f.make_school(name="Alder Juniors", trust=trust), "teacher@juniors.example")
    outside = _invited(f.make_school(name="Elm Primary"), "teacher@elm.example")
    trust_sign_in = _set_up(oidc_provider, trust=trust)
    client = Client()

    response = sso_sign_in(
        client, oidc_provider, trust_sign_in, _provider_user(oidc_provider, "teacher@juniors.example")
    )
    assert response.status_code == 302, response.content
    assert _signed_in_as(client) == in_trust.user_id

    other = Client()
    response = sso_sign_in(
        other, oidc_provider, trust_sign_in, _provider_user(oidc_provider, "teacher@elm.example")
    )
    _assert_refused(response, other, trust_sign_in, "not_invited", "not been invited")
    outside.refresh_from_db()
    assert outside.accepted_at is None


def test_a_switched_off_set_up_has_no_sign_in_button(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn
) -> None:
    SchoolSignIn.objects.filter(pk=sign_in.pk).update(is_active=False)

    response = Client().post(reverse("openid_connect_login", args=[sign_in.provider_id]))

    assert response.status_code == 404
    assert sign_in.provider_id not in [app.provider_id for app in social_apps()]


# ---------------------------------------------------------------- second factor
def test_a_senco_whose_provider_did_no_mfa_is_asked_for_tandems_second_factor(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn, school: School
) -> None:
    invitation = _invited(school, "senco@alder.example", role="senco")
    secret = f.enrol_totp(invitation.user)
    username = _provider_user(oidc_provider, "senco@alder.example", mfa=False)
    client = Client()

    response = sso_sign_in(client, oidc_provider, sign_in, username)

    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("mfa_authenticate") == "/accounts/2fa/authenticate/"
    assert _signed_in_as(client) is None
    assert client.get(reverse("register")).status_code == 302

    assert client.get(reverse("mfa_authenticate")).status_code == 200
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert _signed_in_as(client) is None

    done = client.post(reverse("mfa_authenticate"), {"code": fresh_totp(secret)})

    assert done.status_code == 302, done.content
    assert _signed_in_as(client) == invitation.user_id
    assert client.get(reverse("register")).status_code == 200


def test_a_senco_whose_provider_did_mfa_goes_straight_in(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn, school: School
) -> None:
    invitation = _invited(school, "senco.mfa@alder.example", role="senco")
    f.enrol_totp(invitation.user)
    username = _provider_user(oidc_provider, "senco.mfa@alder.example", mfa=True)
    client = Client()

    response = sso_sign_in(client, oidc_provider, sign_in, username)

    assert response.status_code == 302, response.content
    assert response["Location"] != reverse("mfa_authenticate")
    assert _signed_in_as(client) == invitation.user_id
    assert client.get(reverse("register")).status_code == 200


def test_a_senco_with_no_factor_at_a_non_mfa_provider_is_told_to_set_one_up(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn, school: School
) -> None:
    invitation = _invited(school, "senco.nofactor@alder.example", role="senco")
    username = _provider_user(oidc_provider, "senco.nofactor@alder.example", mfa=False)
    client = Client()

    response = sso_sign_in(client, oidc_provider, sign_in, username)
    assert response.status_code == 302, response.content
    assert _signed_in_as(client) == invitation.user_id

    page = client.get(reverse("register"))

    assert page.status_code == 302
    assert urlparse(page["Location"]).path == reverse("two_factor_required")
    assert client.get(page["Location"]).status_code == 200


def test_a_later_password_sign_in_does_not_inherit_the_providers_mfa(
    oidc_provider: OIDCProvider, sign_in: SchoolSignIn, school: School
) -> None:
    invitation = _invited(school, "senco.both@alder.example", role="senco")
    user = invitation.user
    user.set_password("a long password for the form")
    user.save()
    secret = f.enrol_totp(user)
    client = Client()
    assert (
        sso_sign_in(
            client,
            oidc_provider,
            sign_in,
            _provider_user(oidc_provider, "senco.both@alder.example", mfa=True),
        ).status_code
        == 302
    )
    assert client.post(reverse("account_logout")).status_code == 302

    response = client.post(
        reverse("account_login"),
        {"login": "senco.both@alder.example", "password": "a long password for the form"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert _signed_in_as(client) is None
    done = client.post(reverse("mfa_authenticate"), {"code": fresh_totp(secret)})
    assert done.status_code == 302
    assert _signed_in_as(client) == user.pk


# ---------------------------------------------------------------- Entra tenant and Google domain pinning
@pytest.fixture(scope="module")
def tenant_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OIDCProvider]:
    with running_provider(tmp_path_factory.mktemp("tenant_provider"), tenant="tenant-a") as provider:
        yield provider


REDIRECT_URI = "http://127.0.0.1:9/never/contacted/"


def _real_claims(provider: OIDCProvider, email: str, *, verified: bool = True) -> dict[str, Any]:
    """The verified ID token claims the provider issues for a fresh user with this email."""
    client_id, secret = f"claims-{next(_serial)}", "claims-secret"
    provider.add_client(client_id, secret, REDIRECT_URI)
    username = _provider_user(provider, email, verified=verified)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": "s",
        "nonce": "n",
    }
    back = provider.browser_session(username, PASSWORD).get(
        provider.authorize_url, params=params, allow_redirects=False, timeout=10
    )
    code = parse_qs(urlparse(back.headers["Location"]).query)["code"][0]
    http = new_http_session()
    tokens = http.post(
        provider.token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(client_id, secret),
        timeout=10,
    ).json()
    jwks = jwt.PyJWKSet.from_dict(http.get(provider.jwks_uri, timeout=10).json())
    key = jwks[jwt.get_unverified_header(tokens["id_token"])["kid"]].key
    return dict(
        jwt.decode(tokens["id_token"], key, algorithms=["RS256"], audience=client_id, issuer=provider.issuer)
    )


def _login_from(sign_in: SchoolSignIn, claims: dict[str, Any]) -> SocialLogin:
    # What allauth hands the adapter after it has checked the token: claims kept in extra_data.
    account = SocialAccount(
        provider=sign_in.provider_id, uid=str(claims["sub"]), extra_data={"id_token": claims}
    )
    return SocialLogin(account=account)


def _pinned(school: School, kind: str, tenant: str) -> SchoolSignIn:
    return SchoolSignIn.objects.create(
        school=school, kind=kind, tenant=tenant, client_id=f"pinned-{next(_serial)}", client_secret="s"
    )


def test_an_entra_set_up_accepts_only_tokens_from_its_own_tenant(
    tenant_provider: OIDCProvider, school: School
) -> None:
    invitation = _invited(school, "teacher@tenant-a.example")
    claims = _real_claims(tenant_provider, "teacher@tenant-a.example")
    assert claims["tid"] == "tenant-a"

    right = sso_match(sociallogin=_login_from(_pinned(school, "entra", "tenant-a"), claims))
    wrong = sso_match(sociallogin=_login_from(_pinned(school, "entra", "tenant-b"), claims))
    personal = sso_match(
        sociallogin=_login_from(
            _pinned(school, "entra", "tenant-a"), {k: v for k, v in claims.items() if k != "tid"}
        )
    )

    assert right.user == invitation.user
    assert (wrong.user, wrong.reason_code) == (None, "wrong_tenant")
    assert (personal.user, personal.reason_code) == (None, "wrong_tenant")
    assert "personal" in wrong.reason


def test_an_entra_tenant_matches_whatever_its_case_but_an_empty_one_matches_nothing(school: School) -> None:
    invitation = _invited(school, "teacher@case.example")
    guid = "0f0e0d0c-1b2a-4c3d-9e8f-7a6b5c4d3e2f"
    claims = {"sub": "s1", "email": "teacher@case.example", "tid": guid}

    upper = sso_match(sociallogin=_login_from(_pinned(school, "entra", guid.upper()), claims))
    empty = sso_match(sociallogin=_login_from(_pinned(school, "entra", ""), {**claims, "tid": ""}))
    missing = sso_match(sociallogin=_login_from(_pinned(school, "google", ""), {**claims, "hd": None}))

    assert upper.user == invitation.user
    assert (empty.user, empty.reason_code) == (None, "wrong_tenant")
    assert (missing.user, missing.reason_code) == (None, "wrong_domain")


def test_a_google_set_up_accepts_only_its_workspace_domain(
    oidc_provider: OIDCProvider, school: School
) -> None:
    invitation = _invited(school, "teacher@alder-school.example")
    claims = _real_claims(oidc_provider, "teacher@alder-school.example")
    assert claims["hd"] == "alder-school.example"
    consumer = {k: v for k, v in claims.items() if k != "hd"}

    right = sso_match(sociallogin=_login_from(_pinned(school, "google", "alder-school.example"), claims))
    wrong = sso_match(sociallogin=_login_from(_pinned(school, "google", "birch-school.example"), claims))
    gmail = sso_match(sociallogin=_login_from(_pinned(school, "google", "alder-school.example"), consumer))

    assert right.user == invitation.user
    assert (wrong.user, wrong.reason_code) == (None, "wrong_domain")
    assert (gmail.user, gmail.reason_code) == (None, "wrong_domain")


def test_a_google_set_up_still_needs_a_verified_email(oidc_provider: OIDCProvider, school: School) -> None:
    _invited(school, "unverified@alder-school.example")
    claims = _real_claims(oidc_provider, "unverified@alder-school.example", verified=False)

    decision = sso_match(sociallogin=_login_from(_pinned(school, "google", "alder-school.example"), claims))

    assert (decision.user, decision.reason_code) == (None, "unverified_email")


def test_the_mfa_flag_follows_the_tokens_amr(oidc_provider: OIDCProvider, school: School) -> None:
    _invited(school, "amr@alder.example")
    sign_in = _set_up(oidc_provider, school=school)
    claims = _real_claims(oidc_provider, "amr@alder.example")
    assert claims["amr"] == ["pwd"]

    assert sso_match(sociallogin=_login_from(sign_in, claims)).provider_did_mfa is False
    for amr in (["pwd", "mfa"], ["pwd", "otp"], ["hwk"]):
        assert sso_match(sociallogin=_login_from(sign_in, {**claims, "amr": amr})).provider_did_mfa is True
    # A string is not a list of methods: "mfa" in "pwdmfa" must not count.
    assert sso_match(sociallogin=_login_from(sign_in, {**claims, "amr": "mfa"})).provider_did_mfa is False


def test_it_points_each_kind_at_the_right_issuer(school: School, tmp_path: Path) -> None:
    entra = _pinned(school, "entra", "0f0e0d0c-1b2a-4c3d-9e8f-7a6b5c4d3e2f")
    google = _pinned(school, "google", "alder-school.example")
    oidc = SchoolSignIn.objects.create(
        school=school,
        kind="oidc",
        issuer="https://id.alder.example/realms/staff/",
        client_id="c",
        client_secret="s",
    )

    assert issuer_for(entra) == "https://login.microsoftonline.com/0f0e0d0c-1b2a-4c3d-9e8f-7a6b5c4d3e2f/v2.0"
    assert issuer_for(google) == "https://accounts.google.com"
    assert issuer_for(oidc) == "https://id.alder.example/realms/staff"
    apps = {app.provider_id: app for app in social_apps()}
    assert apps[google.provider_id].settings["auth_params"] == {"hd": "alder-school.example"}
    assert apps[entra.provider_id].settings["server_url"] == issuer_for(entra)
    assert all(app.settings["oauth_pkce_enabled"] for app in apps.values())
