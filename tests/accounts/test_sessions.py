"""Sessions: the idle limit, the absolute limit, "sign out everywhere else", and the password asked
again before the SEN register leaves the building."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.middleware import REFRESHED_AT, SIGNED_IN_AT
from tandem.audit.models import AuditEvent
from tests import factories as f
from tests.conftest import World
from tests.totp import fresh_totp

PASSWORD = "a long and unusual passphrase 47"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sign_in(client: Client, email: str) -> None:
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    assert "_auth_user_id" in client.session


def _give_password(user: object) -> None:
    user.set_password(PASSWORD)  # type: ignore[attr-defined]
    user.save()  # type: ignore[attr-defined]


def _stored_session(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _is_sign_in_redirect(response: object) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------ idle


def test_it_signs_out_a_session_idle_past_its_expiry(world: World) -> None:
    teacher = world.a.teacher
    _give_password(teacher)
    client = Client()
    _sign_in(client, teacher.email)
    assert client.get(reverse("home")).status_code == 200

    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    assert _is_sign_in_redirect(client.get(reverse("home")))


def _session_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


def _move_last_refresh_back(client: Client, seconds: float) -> None:
    session = client.session
    session[REFRESHED_AT] = session[REFRESHED_AT] - seconds
    session.save()


def _signed_in_teacher(world: World) -> Client:
    teacher = world.a.teacher
    _give_password(teacher)
    client = Client()
    _sign_in(client, teacher.email)
    # The first page after signing in stamps the refresh time (one save); from then on, reads are reads.
    assert client.get(reverse("home")).status_code == 200
    assert REFRESHED_AT in client.session
    return client


def test_it_does_not_write_the_session_on_a_page_view_that_changes_nothing(world: World) -> None:
    client = _signed_in_teacher(world)
    before = _stored_session(client).expire_date

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("pupil_list")).status_code == 200

    assert _session_writes(queries) == []
    assert _stored_session(client).expire_date == before
    assert not settings.SESSION_SAVE_EVERY_REQUEST


def test_it_pushes_the_idle_limit_on_once_the_refresh_step_has_passed(world: World) -> None:
    client = _signed_in_teacher(world)
    _move_last_refresh_back(client, settings.TANDEM_SESSION_REFRESH_SECONDS + 1)
    nearly_idle = timezone.now() + dt.timedelta(minutes=2)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=nearly_idle)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200

    assert len(_session_writes(queries)) == 1
    renewed = _stored_session(client).expire_date
    assert settings.SESSION_COOKIE_AGE == 60 * 60
    assert renewed > nearly_idle + dt.timedelta(minutes=30)
    assert renewed <= timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_it_does_not_push_the_idle_limit_on_just_inside_the_refresh_step(world: World) -> None:
    client = _signed_in_teacher(world)
    _move_last_refresh_back(client, settings.TANDEM_SESSION_REFRESH_SECONDS - 30)
    nearly_idle = timezone.now() + dt.timedelta(minutes=2)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=nearly_idle)

    assert client.get(reverse("home")).status_code == 200

    assert _stored_session(client).expire_date == nearly_idle


def test_it_signs_out_someone_idle_for_the_limit_though_they_were_active_within_the_step(
    world: World,
) -> None:
    # Active at minute 0 (the expiry was pushed on then), again at minute 4 (inside the step: not
    # saved), then nothing: the session ends at minute 60, four minutes short of "60 after the last".
    client = _signed_in_teacher(world)
    _move_last_refresh_back(client, 60)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    assert _is_sign_in_redirect(client.get(reverse("home")))
    assert settings.TANDEM_SESSION_REFRESH_SECONDS <= 5 * 60


# ------------------------------------------------------------------------------------------ absolute


def _set_signed_in_at(client: Client, seconds_ago: float) -> None:
    session = client.session
    session[SIGNED_IN_AT] = time.time() - seconds_ago
    session.save()


def test_it_signs_out_a_session_older_than_twelve_hours_however_active(world: World) -> None:
    teacher = world.a.teacher
    _give_password(teacher)
    client = Client()
    _sign_in(client, teacher.email)
    _set_signed_in_at(client, 12 * 3600 + 1)

    response = client.get(reverse("pupil_list"))

    assert _is_sign_in_redirect(response)
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert b"signed in for 12 hours" in page.content
    assert AuditEvent.objects.filter(action="signin.signed_out", actor_id=teacher.pk).exists()
    assert _is_sign_in_redirect(client.get(reverse("home")))


def test_it_keeps_a_session_just_under_twelve_hours_old(world: World) -> None:
    teacher = world.a.teacher
    _give_password(teacher)
    client = Client()
    _sign_in(client, teacher.email)
    _set_signed_in_at(client, 11 * 3600 + 59 * 60)

    assert client.get(reverse("pupil_list")).status_code == 200
    assert "_auth_user_id" in client.session


def test_it_starts_the_twelve_hours_at_sign_in(world: World) -> None:
    teacher = world.a.teacher
    _give_password(teacher)
    client = Client()
    before = time.time()
    _sign_in(client, teacher.email)

    assert client.session[SIGNED_IN_AT] >= before


# ------------------------------------------------------------------------------------------ devices


def test_it_lists_the_signed_in_devices(world: World) -> None:
    teacher = world.a.teacher
    _give_password(teacher)
    laptop = Client(HTTP_USER_AGENT="LaptopBrowser/1.0", REMOTE_ADDR="192.0.2.10")
    phone = Client(HTTP_USER_AGENT="PhoneBrowser/2.0", REMOTE_ADDR="192.0.2.20")
    _sign_in(laptop, teacher.email)
    _sign_in(phone, teacher.email)

    response = laptop.get(reverse("usersessions_list"))

    assert response.status_code == 200
    for shown in (b"LaptopBrowser/1.0", b"PhoneBrowser/2.0", b"192.0.2.10", b"192.0.2.20"):
        assert shown in response.content


def test_it_signs_out_everywhere_else_but_here(world: World) -> None:
    teacher = world.a.teacher
    _give_password(teacher)
    here = Client(HTTP_USER_AGENT="LaptopBrowser/1.0")
    elsewhere = Client(HTTP_USER_AGENT="PhoneBrowser/2.0")
    _sign_in(here, teacher.email)
    _sign_in(elsewhere, teacher.email)
    assert UserSession.objects.filter(user=teacher).count() == 2
    other_key = elsewhere.session.session_key

    response = here.post(reverse("usersessions_list"))

    assert response.status_code == 302
    assert here.get(reverse("home")).status_code == 200
    assert _is_sign_in_redirect(elsewhere.get(reverse("home")))
    assert list(UserSession.objects.filter(user=teacher).values_list("session_key", flat=True)) == [
        here.session.session_key
    ]
    revoked = AuditEvent.objects.filter(action="session.revoke", actor_id=teacher.pk)
    assert revoked.count() == 1
    assert other_key not in str(list(revoked.values()))


def test_it_does_not_let_an_anonymous_visitor_see_the_devices_page(db: None) -> None:
    response = Client().get(reverse("usersessions_list"))
    assert _is_sign_in_redirect(response)


# ------------------------------------------------------------------------------------------ re-authentication


def _register_url() -> str:
    return reverse("export_register") + "?format=xlsx"


def _age_authentication(client: Client, seconds: float) -> None:
    session = client.session
    session["account_authentication_methods"] = [
        {**record, "at": record["at"] - seconds} for record in session["account_authentication_methods"]
    ]
    session.save()


def test_it_gives_the_sen_register_to_a_senco_who_has_just_signed_in(client: Client, world: World) -> None:
    client.force_login(world.a.senco)

    response = client.get(_register_url())

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX


def test_it_asks_for_the_password_again_once_the_sign_in_is_ten_minutes_old(
    client: Client, world: World
) -> None:
    senco = world.a.senco
    _give_password(senco)
    client.force_login(senco)
    _age_authentication(client, settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)

    response = client.get(_register_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate") + "?")
    assert not AuditEvent.objects.filter(action="export.register").exists()

    wrong = client.post(response["Location"], {"password": "not my password at all"})
    assert wrong.status_code == 200
    assert client.get(_register_url()).status_code == 302

    confirmed = client.post(response["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == _register_url()
    download = client.get(confirmed["Location"])
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert AuditEvent.objects.filter(action="export.register", actor_id=senco.pk).count() == 1


def test_it_still_serves_the_register_just_inside_the_ten_minutes(client: Client, world: World) -> None:
    client.force_login(world.a.senco)
    _age_authentication(client, settings.ACCOUNT_REAUTHENTICATION_TIMEOUT - 60)

    assert client.get(_register_url()).status_code == 200


def test_it_asks_a_senco_without_a_password_for_their_authenticator_code(
    client: Client, world: World
) -> None:
    # Someone who signs in through the school's SSO has no Tandem password: their own second factor
    # is what allauth offers instead.
    senco = world.a.senco
    secret = f.enrol_totp(senco)
    client.force_login(senco)
    _age_authentication(client, settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)

    response = client.get(_register_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate") + "?")
    confirmed = client.post(response["Location"], {"code": fresh_totp(secret)})
    assert confirmed.status_code == 302
    assert client.get(_register_url()).status_code == 200


@pytest.mark.parametrize("url_name", ["export_roll", "export_marks", "export_flags"])
def test_it_does_not_ask_again_for_downloads_without_sen_records(
    client: Client, world: World, url_name: str
) -> None:
    client.force_login(world.a.senco)
    _age_authentication(client, settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)

    assert client.get(reverse(url_name)).status_code == 200
