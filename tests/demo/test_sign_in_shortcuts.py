"""The demo's printed sign-ins work at once, second factor included, and none of it runs in production."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tandem.demo.loader import DemoRefused, demo_logins, format_logins, load_demo
from tandem.demo.sign_in import DemoShortcutRefused, demo_second_factors, enrol_demo_second_factors
from tests.totp import fresh_totp, totp

pytestmark = pytest.mark.django_db
SMALL = {"seed": 7, "as_of": dt.date(2026, 3, 20), "schools": 2, "pupils_per_school": 60}


@pytest.fixture
def demo() -> list[tuple[str, str, str]]:
    load_demo(**SMALL)  # type: ignore[arg-type]
    return demo_logins()


def _sign_in(client, email: str) -> object:
    return client.post(reverse("account_login"), {"login": email, "password": settings.TANDEM_DEMO_PASSWORD})


def test_it_prints_a_secret_and_a_recovery_code_for_every_role_that_needs_a_second_factor(demo):
    lines = format_logins(demo)
    factors = demo_second_factors([email for email, _, _ in demo])
    needing = [
        email
        for email, role, _ in demo
        if role not in {"Class teacher (Year 4)", "Maths teacher", "Teaching assistant", "Parent or carer"}
    ]
    assert sorted(factors) == sorted(needing)
    for email in needing:
        secret, code = factors[email]
        assert any(email in line and secret in line and code in line for line in lines)


def test_it_lets_the_printed_senco_sign_in_with_the_printed_secret(raw_client, demo):
    senco = next(email for email, role, _ in demo if role == "SENCo")
    secret, _ = demo_second_factors([senco])[senco]
    response = _sign_in(raw_client, senco)
    assert response["Location"] == reverse("mfa_authenticate")
    response = raw_client.post(reverse("mfa_authenticate"), {"code": fresh_totp(secret)})
    assert response.status_code == 302
    assert raw_client.get(reverse("register")).status_code == 200


def test_it_lets_the_printed_head_sign_in_with_the_printed_recovery_code_once(raw_client, demo):
    head = next(email for email, role, _ in demo if role == "Head or senior leader")
    _, code = demo_second_factors([head])[head]
    _sign_in(raw_client, head)
    assert raw_client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    raw_client.post(reverse("account_logout"))
    _sign_in(raw_client, head)
    refused = raw_client.post(reverse("mfa_authenticate"), {"code": code})
    assert refused.status_code == 200
    assert "_auth_user_id" not in raw_client.session
    assert demo_second_factors([head])[head][1] != code


def test_it_prints_the_current_code_for_a_demo_account(demo):
    senco = next(email for email, role, _ in demo if role == "SENCo")
    secret, _ = demo_second_factors([senco])[senco]
    out = io.StringIO()
    call_command("democode", senco, stdout=out)
    assert out.getvalue().split()[0] in {totp(secret), totp(secret, at=time.time() - 30)}


def test_it_refuses_a_code_for_an_account_outside_the_demo(demo):
    with pytest.raises(CommandError, match="Only the demo"):
        call_command("democode", "head@school.example")


def test_it_runs_no_demo_shortcut_in_production(settings, demo):
    settings.PRODUCTION = True
    with pytest.raises(DemoRefused, match="TANDEM_PRODUCTION"):
        load_demo(**SMALL)  # type: ignore[arg-type]
    emails = [email for email, _, _ in demo]
    with pytest.raises(DemoShortcutRefused):
        demo_second_factors(emails)
    with pytest.raises(DemoShortcutRefused):
        enrol_demo_second_factors(emails)
    senco = next(email for email, role, _ in demo if role == "SENCo")
    with pytest.raises(CommandError, match="TANDEM_PRODUCTION"):
        call_command("democode", senco)


def test_it_still_prints_the_sign_ins_when_the_key_changed_since_the_demo_was_built(demo, settings, caplog):
    settings.TANDEM_MFA_SECRET_KEY = "a different key than the one the demo's secrets were sealed with"

    assert demo_second_factors([email for email, _, _ in demo]) == {}
    assert len(format_logins(demo)) > len(demo)
    assert "cannot be read: the secret key" in caplog.text
