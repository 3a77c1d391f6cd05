"""Forgot password, change password and the rules every password meets, over a real SMTP server."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tandem.audit.models import AuditEvent, Outcome
from tandem.people.models import User
from tests.conftest import World
from tests.mail import SmtpServer, first_link

OLD = "an old but long passphrase"
NEW = "a brand new long passphrase"


@pytest.fixture
def teacher(world: World) -> User:
    user: User = world.a.teacher  # type: ignore[assignment]
    user.set_password(OLD)
    user.save()
    return user


def _ask_for_reset(client: Client, email: str) -> object:
    return client.post(reverse("account_reset_password"), {"email": email})


def _signs_in(email: str, password: str) -> bool:
    client = Client()
    client.post(reverse("account_login"), {"login": email, "password": password})
    return "_auth_user_id" in client.session


def _set_from_link(client: Client, link: str, password: str, again: str | None = None) -> object:
    # The emailed link swaps its key into the session and redirects to the form, as a browser would.
    form_url = client.get(urlsplit(link).path)["Location"]
    return client.post(form_url, {"password1": password, "password2": again or password})


def test_it_answers_forgot_password_the_same_whether_or_not_there_is_an_account(
    raw_client: Client, teacher: User, smtp_server: SmtpServer
) -> None:
    known = _ask_for_reset(raw_client, teacher.email)
    unknown = _ask_for_reset(Client(), "nobody.here@test.example")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])  # type: ignore[attr-defined,index]
    message = smtp_server.wait_for(teacher.email)
    assert "password" in message.subject.lower()
    assert first_link(message).startswith("http://testserver/accounts/password/reset/key/")
    # No email to an address nobody holds, and nothing else went out.
    assert smtp_server.messages_to("nobody.here@test.example") == []
    assert len(smtp_server.messages) == 1


def test_it_resets_a_password_through_the_emailed_link_once(
    raw_client: Client, teacher: User, smtp_server: SmtpServer
) -> None:
    _ask_for_reset(raw_client, teacher.email)
    link = first_link(smtp_server.wait_for(teacher.email))

    response = _set_from_link(raw_client, link, NEW)

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert _signs_in(teacher.email, NEW)
    assert not _signs_in(teacher.email, OLD)
    assert (
        AuditEvent.objects.filter(action="password.reset", actor_id=teacher.pk, outcome=Outcome.OK).count()
        == 1
    )
    # The link is spent: it no longer shows the form.
    again = Client().get(urlsplit(link).path, follow=True)
    assert b"password1" not in again.content


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Short1!", b"too short"),
        ("password1234", b"too common"),
        ("teacher.a@test.example", b"too similar"),
    ],
)
def test_it_applies_the_same_password_rules_to_a_reset(
    raw_client: Client, teacher: User, smtp_server: SmtpServer, password: str, problem: bytes
) -> None:
    _ask_for_reset(raw_client, teacher.email)
    link = first_link(smtp_server.wait_for(teacher.email))

    response = _set_from_link(raw_client, link, password)

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert problem in response.content  # type: ignore[attr-defined]
    assert _signs_in(teacher.email, OLD)


def test_it_limits_reset_emails_for_one_address(
    raw_client: Client, teacher: User, smtp_server: SmtpServer
) -> None:
    statuses = [_ask_for_reset(raw_client, teacher.email).status_code for _ in range(6)]  # type: ignore[attr-defined]

    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    smtp_server.wait_for(teacher.email, count=5)
    assert len(smtp_server.messages_to(teacher.email)) == 5


def test_it_changes_a_password_when_signed_in_under_the_same_rules(client: Client, teacher: User) -> None:
    client.force_login(teacher)
    url = reverse("account_change_password")

    weak = client.post(url, {"oldpassword": OLD, "password1": "short", "password2": "short"})
    assert weak.status_code == 200
    assert b"too short" in weak.content
    wrong_old = client.post(url, {"oldpassword": "not it at all", "password1": NEW, "password2": NEW})
    assert wrong_old.status_code == 200
    assert _signs_in(teacher.email, OLD)

    done = client.post(url, {"oldpassword": OLD, "password1": NEW, "password2": NEW})

    assert done.status_code == 302
    assert _signs_in(teacher.email, NEW)
    assert AuditEvent.objects.filter(action="password.change", actor_id=teacher.pk).count() == 1


def test_it_records_signing_in_and_out(raw_client: Client, teacher: User) -> None:
    raw_client.post(reverse("account_login"), {"login": teacher.email, "password": OLD})
    raw_client.post(reverse("account_logout"))

    signed_in = AuditEvent.objects.get(action="signin.ok", actor_id=teacher.pk)
    assert signed_in.fields == ["password"]
    assert AuditEvent.objects.filter(action="signin.signed_out", actor_id=teacher.pk).count() == 1
