"""The test OpenID Connect provider on its own: discovery, sign-in, code flow, signed claims."""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests

from tests.sso.harness import OIDCProvider, new_http_session, running_provider

CLIENT_ID = "provider-test-client"
CLIENT_SECRET = "provider-test-secret"
# Never contacted: the tests read the code out of the redirect's Location header.
REDIRECT_URI = "http://127.0.0.1:9/sso/callback/"
PASSWORD = "provider test password"


@pytest.fixture(scope="module")
def provider(oidc_provider: OIDCProvider) -> OIDCProvider:
    oidc_provider.add_client(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
    oidc_provider.add_user("mfa.user", "mfa.user@alder.example", PASSWORD, mfa=True)
    oidc_provider.add_user("pwd.user", "pwd.user@alder.example", PASSWORD)
    oidc_provider.add_user("unverified.user", "unverified.user@birch.example", PASSWORD, verified=False)
    return oidc_provider


def _authorize(
    session: requests.Session, provider: OIDCProvider, scope: str = "openid email profile", **extra: str
) -> requests.Response:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "x",
        "nonce": "n",
        **extra,
    }
    return session.get(provider.authorize_url, params=params, allow_redirects=False, timeout=10)


def _code(session: requests.Session, provider: OIDCProvider, **extra: str) -> str:
    response = _authorize(session, provider, **extra)
    assert response.status_code == 302, response.text
    location = urlparse(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["x"]
    return query["code"][0]


def _token(provider: OIDCProvider, code: str, **extra: str) -> requests.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, **extra}
    return new_http_session().post(provider.token_url, data=data, auth=(CLIENT_ID, CLIENT_SECRET), timeout=10)


def _verified_claims(provider: OIDCProvider, id_token: str) -> dict[str, Any]:
    jwks = jwt.PyJWKSet.from_dict(new_http_session().get(provider.jwks_uri, timeout=10).json())
    kid = jwt.get_unverified_header(id_token)["kid"]
    return jwt.decode(
        id_token,
        jwks[kid].key,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer=provider.issuer,
    )


def _sign_in_and_get_tokens(provider: OIDCProvider, username: str, **extra: str) -> dict[str, Any]:
    session = provider.browser_session(username, PASSWORD)
    response = _token(provider, _code(session, provider, **extra))
    assert response.status_code == 200, response.text
    return response.json()


def test_it_publishes_a_discovery_document_naming_its_issuer_and_jwks(provider: OIDCProvider) -> None:
    http = new_http_session()
    discovery = http.get(provider.discovery_url, timeout=10).json()

    assert discovery["issuer"] == provider.issuer == f"{provider.url}/o"
    assert discovery["jwks_uri"] == provider.jwks_uri
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert {"email", "email_verified", "name", "amr", "hd"} <= set(discovery["claims_supported"])
    keys = http.get(discovery["jwks_uri"], timeout=10).json()["keys"]
    assert [(key["kty"], key["alg"]) for key in keys] == [("RSA", "RS256")]


def test_it_signs_an_id_token_with_mfa_in_amr_for_an_mfa_user(provider: OIDCProvider) -> None:
    tokens = _sign_in_and_get_tokens(provider, "mfa.user")
    claims = _verified_claims(provider, tokens["id_token"])

    assert claims["email"] == "mfa.user@alder.example"
    assert claims["email_verified"] is True
    assert claims["name"] == "mfa.user"
    assert claims["amr"] == ["pwd", "mfa"]
    assert claims["hd"] == "alder.example"
    assert claims["nonce"] == "n"
    assert claims["sub"]


def test_it_leaves_mfa_out_of_amr_for_a_password_only_user(provider: OIDCProvider) -> None:
    claims = _verified_claims(provider, _sign_in_and_get_tokens(provider, "pwd.user")["id_token"])

    assert claims["amr"] == ["pwd"]
    assert claims["email"] == "pwd.user@alder.example"
    assert claims["email_verified"] is True
    assert claims["nonce"] == "n"


def test_it_says_when_an_email_is_unverified(provider: OIDCProvider) -> None:
    claims = _verified_claims(provider, _sign_in_and_get_tokens(provider, "unverified.user")["id_token"])

    assert claims["email_verified"] is False
    assert claims["hd"] == "birch.example"


def test_it_serves_the_id_token_claims_from_userinfo_too(provider: OIDCProvider) -> None:
    tokens = _sign_in_and_get_tokens(provider, "mfa.user")
    id_claims = _verified_claims(provider, tokens["id_token"])

    userinfo = (
        new_http_session()
        .get(provider.userinfo_url, headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10)
        .json()
    )

    assert userinfo["sub"] == id_claims["sub"]
    for claim in ("email", "email_verified", "name", "amr", "hd"):
        assert userinfo[claim] == id_claims[claim], claim


def test_it_keeps_email_and_name_back_without_their_scopes(provider: OIDCProvider) -> None:
    tokens = _sign_in_and_get_tokens(provider, "mfa.user", scope="openid")
    claims = _verified_claims(provider, tokens["id_token"])

    assert "email" not in claims
    assert "name" not in claims
    assert claims["amr"] == ["pwd", "mfa"]


def test_it_tags_tokens_with_a_tenant_only_when_one_is_configured(
    provider: OIDCProvider, tmp_path: Path
) -> None:
    claims = _verified_claims(provider, _sign_in_and_get_tokens(provider, "pwd.user")["id_token"])
    assert claims.get("tid") == provider.tenant

    with running_provider(tmp_path, tenant="tenant-alder") as tenanted:
        tenanted.add_client(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
        tenanted.add_user("pwd.user", "pwd.user@alder.example", PASSWORD)
        claims = _verified_claims(tenanted, _sign_in_and_get_tokens(tenanted, "pwd.user")["id_token"])

    assert claims["tid"] == "tenant-alder"
    assert claims["iss"] == tenanted.issuer != provider.issuer


def test_it_accepts_pkce_and_checks_the_verifier(provider: OIDCProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    session = provider.browser_session("pwd.user", PASSWORD)
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}

    wrong = _token(provider, _code(session, provider, **pkce), code_verifier=secrets.token_urlsafe(48))
    right = _token(provider, _code(session, provider, **pkce), code_verifier=verifier)

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert right.status_code == 200, right.text
    assert _verified_claims(provider, right.json()["id_token"])["email"] == "pwd.user@alder.example"


def test_it_sends_a_signed_out_browser_to_its_login_page(provider: OIDCProvider) -> None:
    response = _authorize(new_http_session(), provider)

    assert response.status_code == 302
    assert urlparse(response.headers["Location"]).path == "/accounts/login/"


def test_it_refuses_a_wrong_password(provider: OIDCProvider) -> None:
    with pytest.raises(ValueError, match="refused sign-in"):
        provider.browser_session("pwd.user", "not the password")


def test_it_refuses_an_unregistered_redirect_uri(provider: OIDCProvider) -> None:
    session = provider.browser_session("pwd.user", PASSWORD)

    response = _authorize(session, provider, redirect_uri="http://127.0.0.1:9/elsewhere/")

    assert response.status_code == 400


def test_it_refuses_a_wrong_client_secret(provider: OIDCProvider) -> None:
    code = _code(provider.browser_session("pwd.user", PASSWORD), provider)

    response = new_http_session().post(
        provider.token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(CLIENT_ID, "not the secret"),
        timeout=10,
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
