"""Choosing which emails you get, and the one-click unsubscribe link (which works without signing in)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.notifications.models import EmailKind, EmailPreferences
from tandem.notifications.selectors import email_preferences_of
from tandem.notifications.services import unsubscribe_token, unsubscribe_url
from tests.once import with_form_token

pytestmark = pytest.mark.django_db


def _path(token: str) -> str:
    return reverse("email_unsubscribe", kwargs={"token": token})


def test_it_offers_each_person_the_emails_their_roles_get(client, world):
    client.force_login(world.a.teacher)
    page = client.get(reverse("email_preferences")).content.decode()
    assert 'name="digest"' in page and 'name="reminders"' in page and 'name="overdue"' not in page
    assert 'href="/accounts/emails/"' in page  # under "Your account"
    client.force_login(world.a.senco)
    page = client.get(reverse("email_preferences")).content.decode()
    assert 'name="overdue"' in page and 'name="digest"' not in page
    client.force_login(world.trust_admin)
    page = client.get(reverse("email_preferences")).content.decode()
    assert "sends no reminders or digests" in page and 'name="digest"' not in page


def test_it_saves_each_change_even_back_and_forth_in_one_day(client, world):
    client.force_login(world.a.teacher)
    url = reverse("email_preferences")
    # Off, on and off again: the third post types what the first did, and is still a change (the page
    # asks form_flow to tell repeats by their token only).
    for digest in (False, True, False):
        data = {"reminders": "on"} | ({"digest": "on"} if digest else {})
        response = client.post(url, with_form_token(data, world.a.teacher))
        assert response.status_code == 302
        saved = EmailPreferences.objects.get(user=world.a.teacher)
        assert saved.digest is digest and saved.reminders is True and saved.overdue is True
    assert (
        AuditEvent.objects.filter(action="email_preferences.update", actor_id=world.a.teacher.pk).count() == 3
    )


def test_it_asks_before_unsubscribing_and_then_stops_the_email(world):
    anonymous = Client()
    path = _path(unsubscribe_token(user_id=world.a.teacher.pk, kind=EmailKind.DIGEST))
    page = anonymous.get(path)
    assert page.status_code == 200
    assert re.search(
        r'<form method="post"[^>]*>\s*<button type="submit">Stop this email</button>', page.content.decode()
    )
    assert email_preferences_of(world.a.teacher).digest is True  # a GET (a link scanner) changes nothing
    done = anonymous.post(path)
    assert done.status_code == 200 and "Email stopped" in done.content.decode()
    preferences = EmailPreferences.objects.get(user=world.a.teacher)
    assert preferences.digest is False and preferences.reminders is True
    assert AuditEvent.objects.filter(
        action="email_preferences.unsubscribe", target_id=str(world.a.teacher.pk)
    ).exists()


def test_it_unsubscribes_with_a_mail_programs_one_click_post(world):
    # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click" to the header's address, without cookies
    # or a CSRF token.
    mail_program = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(user_id=world.a.senco.pk, kind=EmailKind.OVERDUE)
    assert url.startswith("http://127.0.0.1:8000/accounts/emails/unsubscribe/")
    response = mail_program.post(
        url.removeprefix("http://127.0.0.1:8000"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert EmailPreferences.objects.get(user=world.a.senco).overdue is False


def test_it_refuses_a_tampered_link(world):
    anonymous = Client()
    token = unsubscribe_token(user_id=world.a.teacher.pk, kind=EmailKind.DIGEST)
    kind, user_id, signature = token.split(".")
    other_person = f"{kind}.{world.a.senco.pk}.{signature}"
    other_kind = f"reminders.{user_id}.{signature}"
    cut_short = token[:-3]
    for bad in (other_person, other_kind, cut_short, "digest", "nonsense.1.abc"):
        assert anonymous.get(_path(bad)).status_code == 400
        assert anonymous.post(_path(bad)).status_code == 400
    assert not EmailPreferences.objects.exists()
    assert "not recognised" in anonymous.get(_path(cut_short)).content.decode()


def test_it_serves_the_unsubscribe_link_to_someone_signed_in_without_their_second_factor(raw_client, world):
    raw_client.force_login(world.a.senco)  # a SENCo must use a second factor for pupils' pages
    path = _path(unsubscribe_token(user_id=world.a.senco.pk, kind=EmailKind.REMINDERS))
    assert raw_client.get(path).status_code == 200
