"""Production settings pass Django's deployment checks; passwords, sign-in and sessions are hardened."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def _clean_env() -> dict[str, str]:
    # The browser tests' switch for Playwright's event loop must not leak into a production check.
    unwanted = {"DJANGO_ALLOW_ASYNC_UNSAFE", "TANDEM_SECRET_KEY"}
    return {k: v for k, v in os.environ.items() if k not in unwanted}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**_clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checks_in_production_mode(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        TANDEM_PRODUCTION="1",
        TANDEM_SECRET_KEY="x" * 30 + "-production-secret-key-for-the-check-" + "y" * 20,
        TANDEM_ALLOWED_HOSTS="tandem.school.example",
        TANDEM_EMAIL_HOST="smtp.school.example",
        TANDEM_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _setting_in(name: str, tmp_path: Path, **env: str) -> str:
    result = _manage(
        "shell",
        "-c",
        f"from django.conf import settings; print(repr(settings.{name}))",
        **env,
        TANDEM_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_it_never_allows_passkeys_on_an_insecure_origin_in_production(tmp_path):
    # The demo and the browser tests run passkeys over http://127.0.0.1; a public server must not.
    production = _setting_in(
        "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN",
        tmp_path,
        TANDEM_PRODUCTION="1",
        TANDEM_SECRET_KEY="x" * 30 + "-production-secret-key-for-the-check-" + "y" * 20,
        TANDEM_ALLOWED_HOSTS="tandem.school.example",
        TANDEM_EMAIL_HOST="smtp.school.example",
    )
    demo = _setting_in("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", tmp_path)
    assert (production, demo) == ("False", "True")


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    result = _manage("check", TANDEM_PRODUCTION="1", TANDEM_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "TANDEM_SECRET_KEY" in result.stderr


def test_it_keeps_debug_off_by_default():
    assert settings.DEBUG is False


def test_it_hashes_passwords_with_argon2(db):
    user = f.make_user(email="hash@test.example", password="a long enough password")
    assert user.password.startswith("argon2")


def test_it_ends_idle_sessions_within_the_hour(client, db):
    user = f.make_user(email="session@test.example", password="a long enough password")
    client.force_login(user)
    client.get(reverse("health"))
    assert 0 < client.session.get_expiry_age() <= 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.django_db
def test_it_signs_in_with_email_and_password(client):
    user = f.make_user(email="signin@test.example", password="the right password 123", full_name="S")
    f.make_membership(user=user, role="teacher", school=f.make_school())
    response = client.post(
        reverse("account_login"), {"login": "signin@test.example", "password": "the right password 123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_it_explains_a_wrong_password_without_saying_which_part_was_wrong(client):
    response = client.post(reverse("account_login"), {"login": "nobody@test.example", "password": "nope"})
    assert response.status_code == 200
    assert b"email address and/or password you specified are not correct" in response.content


def test_it_tags_every_response_with_a_request_id(client, db):
    response = client.get(reverse("health"), HTTP_X_REQUEST_ID="abc12345-upstream")
    assert response["X-Request-ID"] == "abc12345-upstream"
    response = client.get(reverse("health"), HTTP_X_REQUEST_ID="bad id with spaces")
    assert len(response["X-Request-ID"]) == 32


def test_it_serves_its_stylesheet_without_collectstatic(client, db):
    response = client.get("/static/tandem/app.css")
    assert response.status_code == 200
    assert b"--focus" in b"".join(response.streaming_content)


def test_it_refuses_to_start_with_a_trusted_proxy_that_is_not_an_address(tmp_path):
    result = _manage("check", TANDEM_TRUSTED_PROXIES="127.0.0.1,nginx.local", TANDEM_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "'nginx.local' is not an IP address or network" in result.stderr
