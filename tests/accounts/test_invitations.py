"""Invitations: the school admin adds someone, the email carries a single-use link, the link sets a
first password; resend, withdraw, run out, and who may do which."""

from __future__ import annotations

import datetime as dt
import re
import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Invitation
from tandem.audit.models import AuditEvent
from tandem.people.models import User
from tests import factories as f
from tests.conftest import World

GOOD_PASSWORD = "a long and unusual passphrase 47"
NEW_EMAIL = "new.person@test.example"
LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)")

Capture = Callable[..., Any]


def _link_in(message: mail.EmailMessage) -> str:
    found = LINK.findall(message.body)
    assert len(found) == 1, message.body
    return found[0]


def _add_person(client: Client, capture: Capture, role: str = "teacher") -> None:
    with capture(execute=True):
        response = client.post(
            reverse("staff_add"), {"email": NEW_EMAIL, "full_name": "Nadia Person", "role": role}
        )
    assert response.status_code == 302, response.content[:1000]


def _invite(school: object, capture: Capture, email: str = NEW_EMAIL) -> tuple[Invitation, str]:
    """An invitation made by the service, and the link from its email."""
    with capture(execute=True):
        invitation = f.make_invitation(school, email=email)  # type: ignore[arg-type]
    return invitation, _link_in(mail.outbox[-1])  # type: ignore[return-value]


def _set_password(client: Client, link: str, password: str) -> Any:
    return client.post(link, {"password1": password, "password2": password})


# ------------------------------------------------------------------------------------------ adding


def test_it_invites_a_new_person_by_email_from_the_staff_page(
    client: Client,
    world: World,
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client.force_login(world.a.admin)

    _add_person(client, django_capture_on_commit_callbacks, role="teaching_assistant")

    person = User.objects.get(email=NEW_EMAIL)
    invitation = Invitation.objects.get(user=person)
    assert (invitation.school, invitation.role) == (world.a.school, "teaching_assistant")
    assert invitation.invited_by == world.a.admin
    assert invitation.sent_at is not None
    assert not person.has_usable_password()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [NEW_EMAIL]
    assert "School A" in message.subject
    assert "School A" in message.body
    assert "Teaching assistant" in message.body
    link = _link_in(message)
    assert link.startswith("/accounts/invitation/")
    # Only the token's hash is kept.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(list(Invitation.objects.values()))
    for name in f.PUPIL_NAMES:
        assert name not in message.body and name not in message.subject
    event = AuditEvent.objects.get(action="invitation.issue")
    assert event.actor_id == world.a.admin.pk
    assert NEW_EMAIL not in str(event.fields)


def test_it_gives_an_existing_person_a_new_role_without_an_invitation(
    client: Client,
    world: World,
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    f.make_user(email=NEW_EMAIL, password=GOOD_PASSWORD, full_name="Nadia Person")
    client.force_login(world.a.admin)

    _add_person(client, django_capture_on_commit_callbacks)

    assert not Invitation.objects.filter(user__email=NEW_EMAIL).exists()
    assert mailoutbox == []


# ------------------------------------------------------------------------------------------ the link


def test_it_shows_the_invitation_page_with_the_school_and_role(
    world: World, mailoutbox: list[mail.EmailMessage], django_capture_on_commit_callbacks: Capture
) -> None:
    _, link = _invite(world.a.school, django_capture_on_commit_callbacks)

    page = Client().get(link)

    assert page.status_code == 200
    assert b"School A" in page.content
    assert b"Class or subject teacher" in page.content
    assert NEW_EMAIL.encode() in page.content


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short", "too short"),
        ("password1234", "too common"),
        ("new.person@test", "too similar to the email"),
    ],
)
def test_it_refuses_a_weak_first_password(
    world: World,
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Capture,
    password: str,
    says: str,
) -> None:
    invitation, link = _invite(world.a.school, django_capture_on_commit_callbacks)

    response = _set_password(Client(), link, password)

    assert response.status_code == 400
    assert says in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not invitation.user.has_usable_password()


def test_it_refuses_two_passwords_that_differ(
    world: World, mailoutbox: list[mail.EmailMessage], django_capture_on_commit_callbacks: Capture
) -> None:
    _, link = _invite(world.a.school, django_capture_on_commit_callbacks)

    response = Client().post(link, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x"})

    assert response.status_code == 400
    assert b"not the same" in response.content


def test_it_sets_a_good_password_and_the_person_can_sign_in(
    world: World, mailoutbox: list[mail.EmailMessage], django_capture_on_commit_callbacks: Capture
) -> None:
    invitation, link = _invite(world.a.school, django_capture_on_commit_callbacks)
    browser = Client()

    response = _set_password(browser, link, GOOD_PASSWORD)

    assert response["Location"] == reverse("account_login")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.user.check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.filter(action="invitation.accept", target_id=str(invitation.pk)).exists()
    signed_in = browser.post(reverse("account_login"), {"login": NEW_EMAIL, "password": GOOD_PASSWORD})
    assert signed_in.status_code == 302
    assert browser.get(reverse("home")).status_code == 200


def test_it_does_not_let_the_link_be_used_twice(
    world: World, mailoutbox: list[mail.EmailMessage], django_capture_on_commit_callbacks: Capture
) -> None:
    invitation, link = _invite(world.a.school, django_capture_on_commit_callbacks)
    _set_password(Client(), link, GOOD_PASSWORD)

    again = _set_password(Client(), link, "someone else's passphrase 99")

    assert again.status_code == 410
    assert b"already been used" in again.content
    assert Client().get(link).status_code == 410
    invitation.user.refresh_from_db()
    assert invitation.user.check_password(GOOD_PASSWORD)


def test_it_refuses_a_link_that_has_run_out(
    world: World, mailoutbox: list[mail.EmailMessage], django_capture_on_commit_callbacks: Capture
) -> None:
    invitation, link = _invite(world.a.school, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    page = Client().get(link)
    posted = _set_password(Client(), link, GOOD_PASSWORD)

    assert page.status_code == 410
    assert b"ran out after 7 days" in page.content
    assert posted.status_code == 410
    invitation.user.refresh_from_db()
    assert not invitation.user.has_usable_password()


def test_it_refuses_a_link_that_is_not_recognised(db: None) -> None:
    page = Client().get(reverse("invitation_accept", args=["not-a-real-token"]))

    assert page.status_code == 410
    assert b"not recognised" in page.content


def test_it_keeps_an_invited_person_out_until_they_accept(
    world: World, mailoutbox: list[mail.EmailMessage], django_capture_on_commit_callbacks: Capture
) -> None:
    invitation, _ = _invite(world.a.school, django_capture_on_commit_callbacks)
    browser = Client()

    for password in ("", GOOD_PASSWORD, "!"):
        response = browser.post(reverse("account_login"), {"login": NEW_EMAIL, "password": password})
        assert response.status_code == 200
    assert "_auth_user_id" not in browser.session
    assert not invitation.user.has_usable_password()


# ------------------------------------------------------------------------------------------ resend, withdraw


def test_it_resends_with_a_new_link_and_the_old_one_stops_working(
    client: Client,
    world: World,
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    old, old_link = _invite(world.a.school, django_capture_on_commit_callbacks)
    client.force_login(world.a.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitation_resend", args=[old.pk]))

    assert response["Location"] == reverse("staff")
    assert len(mailoutbox) == 2
    new_link = _link_in(mailoutbox[-1])
    assert new_link != old_link
    stale = Client().get(old_link)
    assert stale.status_code == 410
    assert b"no longer works" in stale.content
    assert Client().get(new_link).status_code == 200
    assert _set_password(Client(), new_link, GOOD_PASSWORD)["Location"] == reverse("account_login")
    assert Invitation.objects.filter(user=old.user, accepted_at__isnull=False).count() == 1


def test_it_withdraws_an_invitation(
    client: Client,
    world: World,
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    invitation, link = _invite(world.a.school, django_capture_on_commit_callbacks)
    client.force_login(world.a.admin)

    response = client.post(reverse("invitation_revoke", args=[invitation.pk]))

    assert response["Location"] == reverse("staff")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    page = Client().get(link)
    assert page.status_code == 410
    assert b"no longer works" in page.content
    assert AuditEvent.objects.filter(action="invitation.revoke", target_id=str(invitation.pk)).exists()
    # A withdrawn invitation cannot be resent either: the admin adds the person again instead.
    assert client.post(reverse("invitation_resend", args=[invitation.pk])).status_code == 404


def test_it_lists_open_invitations_on_the_staff_page(
    client: Client,
    world: World,
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    invitation, _ = _invite(world.a.school, django_capture_on_commit_callbacks)
    client.force_login(world.a.admin)

    page = client.get(reverse("staff")).content.decode()

    assert reverse("invitation_resend", args=[invitation.pk]) in page
    assert reverse("invitation_revoke", args=[invitation.pk]) in page


@pytest.mark.parametrize("persona", ["b_admin", "a_teacher", "a_senco"])
@pytest.mark.parametrize("url_name", ["invitation_resend", "invitation_revoke"])
def test_it_lets_only_that_schools_admin_resend_or_withdraw(
    client: Client,
    world: World,
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Capture,
    persona: str,
    url_name: str,
) -> None:
    invitation, link = _invite(world.a.school, django_capture_on_commit_callbacks)
    client.force_login(world.persona(persona))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(url_name, args=[invitation.pk]))

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert len(mailoutbox) == 1
    assert Client().get(link).status_code == 200


def test_it_keeps_the_invitation_and_says_so_when_the_mail_server_refuses_it(
    client: Client,
    world: World,
    settings: Any,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    # A real connection to a port nobody listens on: the mail server "refuses" the message.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    client.force_login(world.a.admin)

    _add_person(client, django_capture_on_commit_callbacks)

    invitation = Invitation.objects.get(user__email=NEW_EMAIL)
    assert invitation.sent_at is None
    assert "Not sent" in client.get(reverse("staff")).content.decode()
