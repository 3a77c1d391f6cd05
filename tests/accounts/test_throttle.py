"""Slowing wrong passwords through the real sign-in page, without letting anyone lock an account.

Every attempt is a POST to /accounts/login/ from a chosen client address (REMOTE_ADDR). Waiting is
never done by sleeping: the failure rows are moved back in time instead.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import pairwise

import pytest
from django.db.models import F
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.test import Client

from tandem.accounts import throttle
from tandem.accounts.models import FailureKey, SignInFailure
from tandem.audit.models import AuditEvent
from tandem.lib.backoff import wait_seconds
from tandem.people.models import User

LOGIN = "/accounts/login/"
PASSWORD = "a long and correct passphrase"
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.23"
WAIT = re.compile(r"Too many sign-in attempts from this device\. Wait (\d+) seconds, then try again\.")
MISMATCH = "password you specified are not correct"


@pytest.fixture
def senco(world: object) -> User:
    user: User = world.a.senco  # type: ignore[attr-defined]
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(
    client: Client, *, email: str, password: str, address: str, limit_ok: bool = False
) -> HttpResponse:
    response = client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=address)
    # allauth's own per-address limit on sign-in POSTs ("login": 30/m/ip) would hide Tandem's
    # throttle behind a bare 429; only the test about that limit may reach it.
    assert limit_ok or response.status_code != 429, "allauth's per-address sign-in limit was reached"
    return response


def told_wait(response: HttpResponse) -> int | None:
    """The seconds the page tells the person to wait, or None when the attempt was heard."""
    found = WAIT.search(response.content.decode())
    return int(found.group(1)) if found else None


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def age_failures(by: dt.timedelta) -> None:
    # occurred_at is auto_now_add: only a queryset update can move it.
    SignInFailure.objects.update(occurred_at=F("occurred_at") - by)


def failures_for(*, address: str, email: str) -> tuple[int, int]:
    """(rows for the address+account pair, rows for the address)."""
    keys = throttle.keys_for(address=address, email=email)
    pair = SignInFailure.objects.filter(kind=FailureKey.ADDRESS_ACCOUNT, key=keys.pair).count()
    by_address = SignInFailure.objects.filter(kind=FailureKey.ADDRESS, key=keys.address).count()
    return pair, by_address


def guess_until_throttled(client: Client, *, email: str, address: str, limit: int = 20) -> int:
    """Wrong passwords until the page says wait; returns the seconds it says."""
    for n in range(limit):
        wait = told_wait(sign_in(client, email=email, password=f"wrong guess {n}", address=address))
        if wait:
            return wait
    raise AssertionError(f"{limit} wrong passwords were never slowed")


def slow_down(client: Client, *, email: str, address: str, at_least: int) -> int:
    """Wrong passwords, skipping each wait by ageing the rows, until the page asks for at least
    `at_least` seconds. A long wait keeps the next few requests refused however slow the machine."""
    wait = guess_until_throttled(client, email=email, address=address)
    for _ in range(20):
        if wait >= at_least:
            return wait
        age_failures(dt.timedelta(seconds=wait))
        assert told_wait(sign_in(client, email=email, password="wrong", address=address)) is None
        wait = told_wait(sign_in(client, email=email, password="wrong", address=address)) or 0
    raise AssertionError(f"the wait never reached {at_least} seconds")


# ---------------------------------------------------------------- the acceptance case, default settings
def test_it_slows_twenty_wrong_passwords_but_lets_the_owner_in_at_once_from_elsewhere(senco: User) -> None:
    attacker = Client()
    waits = [
        told_wait(sign_in(attacker, email=senco.email, password=f"guess {n}", address=ATTACKER))
        for n in range(20)
    ]

    # The default five free failures, and the sixth, are all heard; after that the address is slowed.
    # (Each refusal leaves the count alone, and each heard failure doubles the wait, so however slow
    # the requests, only a few more can be heard: 1 + 2 + 4 + ... seconds apart.)
    assert waits[:6] == [None] * 6
    refused = [w for w in waits if w is not None]
    assert len(refused) >= 7
    assert all(w >= 1 for w in refused)
    assert failures_for(address=ATTACKER, email=senco.email)[0] == waits.count(None)
    assert signed_in_as(attacker) is None

    # The SENCo, from their own device, signs in at once with no wait and no message.
    owner = Client()
    response = sign_in(owner, email=senco.email, password=PASSWORD, address=OWNER)
    assert response.status_code == 302
    assert told_wait(response) is None
    assert signed_in_as(owner) == str(senco.pk)


def test_it_refuses_without_checking_the_password_while_the_wait_lasts(senco: User) -> None:
    attacker = Client()
    slow_down(attacker, email=senco.email, address=ATTACKER, at_least=60)
    pair_before, address_before = failures_for(address=ATTACKER, email=senco.email)
    failed_before = AuditEvent.objects.filter(action="signin.failed").count()

    for password in ("yet another guess", PASSWORD, "and another"):
        response = sign_in(attacker, email=senco.email, password=password, address=ATTACKER)
        assert told_wait(response) is not None
        # The library's "not correct" would mean the password had been checked.
        assert MISMATCH not in response.content.decode()

    # Refused attempts were neither counted as failures nor cleared anything as a success.
    assert failures_for(address=ATTACKER, email=senco.email) == (pair_before, address_before)
    assert AuditEvent.objects.filter(action="signin.failed").count() == failed_before
    assert AuditEvent.objects.filter(action="signin.throttled").count() >= 3
    assert signed_in_as(attacker) is None
    senco.refresh_from_db()
    assert senco.last_login is None


def test_it_doubles_the_wait_each_time_a_wrong_password_follows_a_finished_wait(senco: User) -> None:
    attacker = Client()
    # From a wait of 8 s or more, so the second or so a request takes cannot blur the doubling.
    waits = [slow_down(attacker, email=senco.email, address=ATTACKER, at_least=8)]
    for _ in range(3):
        age_failures(dt.timedelta(seconds=waits[-1]))
        # The wait is over: this wrong password is heard, and counted.
        response = sign_in(attacker, email=senco.email, password="still wrong", address=ATTACKER)
        assert told_wait(response) is None
        assert MISMATCH in response.content.decode()
        waits.append(told_wait(sign_in(attacker, email=senco.email, password="again", address=ATTACKER)) or 0)

    assert all(later > earlier for earlier, later in pairwise(waits)), waits
    assert waits[-1] >= 64


def test_it_never_waits_longer_than_the_cap(senco: User, settings: pytest.FixtureRequest) -> None:
    settings.TANDEM_SIGNIN_MAX_DELAY_SECONDS = 60  # type: ignore[attr-defined]
    attacker = Client()
    wait = slow_down(attacker, email=senco.email, address=ATTACKER, at_least=50)
    for _ in range(3):
        age_failures(dt.timedelta(seconds=wait))
        assert told_wait(sign_in(attacker, email=senco.email, password="wrong", address=ATTACKER)) is None
        wait = told_wait(sign_in(attacker, email=senco.email, password="wrong", address=ATTACKER)) or 0
        # Uncapped, these would be 64, 128, 256... seconds.
        assert 50 <= wait <= 60
    assert failures_for(address=ATTACKER, email=senco.email)[0] >= 14


def test_it_lets_the_owner_in_after_the_wait_has_passed(senco: User) -> None:
    client = Client()
    wait = guess_until_throttled(client, email=senco.email, address=ATTACKER)
    age_failures(dt.timedelta(seconds=wait))

    response = sign_in(client, email=senco.email, password=PASSWORD, address=ATTACKER)

    assert response.status_code == 302
    assert signed_in_as(client) == str(senco.pk)


def test_it_lets_the_owner_in_even_when_the_library_limits_the_guessing_address(
    senco: User, settings: pytest.FixtureRequest
) -> None:
    # allauth's own limit counts sign-in POSTs per address only ("login_failed" is switched off in
    # settings, so it has no per-account limit that a guesser could use to lock the SENCo out). Its
    # real figure is 300 a minute, for a school signing in from one address; 30 here keeps this quick.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "30/m/ip"}  # type: ignore[attr-defined]
    attacker = Client()
    statuses: list[int] = []
    while 429 not in statuses and len(statuses) < 60:
        response = sign_in(attacker, email=senco.email, password="guess", address=ATTACKER, limit_ok=True)
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert len(statuses) > 30

    owner = Client()
    response = sign_in(owner, email=senco.email, password=PASSWORD, address=OWNER)
    assert response.status_code == 302
    assert signed_in_as(owner) == str(senco.pk)


# ---------------------------------------------------------------- per address
def test_it_slows_an_address_that_tries_many_accounts(
    world: object, senco: User, settings: pytest.FixtureRequest
) -> None:
    settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ADDRESS = 3  # type: ignore[attr-defined]
    attacker = Client()
    emails = [f"nobody{n}@test.example" for n in range(12)]
    waits = [
        told_wait(sign_in(attacker, email=email, password="wrong", address=ATTACKER)) for email in emails
    ]

    # One wrong password per account, so only the address's count can be slowing these.
    assert waits[:4] == [None] * 4
    assert any(w is not None for w in waits[4:])
    # Skip the waits until a long one, still one wrong password per account.
    wait = next(w for w in reversed(waits) if w is not None)
    for n in range(20):
        if wait >= 60:
            break
        age_failures(dt.timedelta(seconds=wait))
        sign_in(attacker, email=f"more{n}@test.example", password="wrong", address=ATTACKER)
        wait = told_wait(sign_in(attacker, email=f"yet{n}@test.example", password="x", address=ATTACKER)) or 0
    assert wait >= 60
    # The address is slowed for every account, the SENCo's too, even with the right password...
    response = sign_in(attacker, email=senco.email, password=PASSWORD, address=ATTACKER)
    assert told_wait(response) is not None
    assert signed_in_as(attacker) is None
    # ...but not the SENCo's own device.
    owner = Client()
    sign_in(owner, email=senco.email, password=PASSWORD, address=OWNER)
    assert signed_in_as(owner) == str(senco.pk)


# ---------------------------------------------------------------- success and the window
def test_it_clears_the_account_count_at_that_address_on_success_but_not_the_address_count(
    senco: User,
) -> None:
    for n in range(5):
        assert told_wait(sign_in(Client(), email=senco.email, password=f"typo {n}", address=ATTACKER)) is None
    assert failures_for(address=ATTACKER, email=senco.email) == (5, 5)

    owner = Client()
    sign_in(owner, email=senco.email, password=PASSWORD, address=ATTACKER)
    assert signed_in_as(owner) == str(senco.pk)
    assert failures_for(address=ATTACKER, email=senco.email) == (0, 5)

    # Five more typos are free again: without the reset the count would be ten and slowed.
    later = Client()
    for n in range(5):
        assert told_wait(sign_in(later, email=senco.email, password=f"typo {n}", address=ATTACKER)) is None
    assert failures_for(address=ATTACKER, email=senco.email) == (5, 10)


def test_it_still_counts_failures_inside_the_window(senco: User) -> None:
    client = Client()
    slow_down(client, email=senco.email, address=ATTACKER, at_least=8)
    pair, _ = failures_for(address=ATTACKER, email=senco.email)
    age_failures(dt.timedelta(hours=23))

    # The wait is long over, so the next guess is heard, but the count carries on from before.
    assert told_wait(sign_in(client, email=senco.email, password="wrong", address=ATTACKER)) is None
    assert failures_for(address=ATTACKER, email=senco.email)[0] == pair + 1
    assert told_wait(sign_in(client, email=senco.email, password="wrong", address=ATTACKER)) is not None


def test_it_forgets_failures_older_than_the_window(senco: User) -> None:
    client = Client()
    guess_until_throttled(client, email=senco.email, address=ATTACKER)
    age_failures(throttle.WINDOW + dt.timedelta(minutes=1))

    # A fresh start: this guess is the first that counts, and the old rows are gone.
    assert told_wait(sign_in(client, email=senco.email, password="wrong", address=ATTACKER)) is None
    assert failures_for(address=ATTACKER, email=senco.email) == (1, 1)
    assert SignInFailure.objects.count() == 2
    assert told_wait(sign_in(client, email=senco.email, password="wrong", address=ATTACKER)) is None

    sign_in(client, email=senco.email, password=PASSWORD, address=ATTACKER)
    assert signed_in_as(client) == str(senco.pk)


# ---------------------------------------------------------------- what is kept
def test_it_audits_every_failure_and_refusal_without_the_email(senco: User) -> None:
    attacker = Client()
    outcomes = [
        told_wait(sign_in(attacker, email=senco.email, password=f"guess {n}", address=ATTACKER))
        for n in range(12)
    ]
    unknown = "nobody@test.example"
    sign_in(Client(), email=unknown, password="wrong", address=OWNER)

    failed = AuditEvent.objects.filter(action="signin.failed")
    throttled = AuditEvent.objects.filter(action="signin.throttled")
    assert failed.count() == outcomes.count(None) + 1
    assert throttled.count() == 12 - outcomes.count(None)
    assert throttled.count() >= 1
    assert failed.filter(actor_id=senco.pk).count() == outcomes.count(None)
    assert failed.filter(actor_id=None).count() == 1  # the unknown email names nobody
    assert set(throttled.values_list("actor_id", flat=True)) == {senco.pk}

    for event in AuditEvent.objects.filter(action__in=["signin.failed", "signin.throttled"]):
        assert event.outcome == "denied"
        row = repr(model_to_dict(event))
        for secret in (
            senco.email,
            "senco.a",
            unknown,
            "nobody",
            ATTACKER,
            OWNER,
            "203.0.113",
            "test.example",
        ):
            assert secret not in row


def test_it_keeps_no_address_or_email_in_clear_in_the_failure_table(senco: User) -> None:
    attacker = Client()
    guess_until_throttled(attacker, email=senco.email, address=ATTACKER)
    sign_in(Client(), email="Nobody@Test.Example", password="wrong", address=OWNER)

    rows = list(SignInFailure.objects.all())
    assert rows
    for row in rows:
        text = repr(model_to_dict(row)) + str(row)
        for secret in (
            senco.email,
            "senco",
            "nobody",
            "test.example",
            ATTACKER,
            OWNER,
            "203.0.113",
            "198.51",
        ):
            assert secret.lower() not in text.lower()
        assert re.fullmatch(r"[0-9a-f]{64}", row.key)


def test_it_tells_the_person_how_many_seconds_to_wait(senco: User, settings: pytest.FixtureRequest) -> None:
    attacker = Client()
    slow_down(attacker, email=senco.email, address=ATTACKER, at_least=30)
    full_wait = wait_seconds(
        failures=failures_for(address=ATTACKER, email=senco.email)[0],
        free=settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ACCOUNT,  # type: ignore[attr-defined]
        cap=settings.TANDEM_SIGNIN_MAX_DELAY_SECONDS,  # type: ignore[attr-defined]
    )

    response = sign_in(attacker, email=senco.email, password="wrong", address=ATTACKER)

    text = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in text
    told = told_wait(response)
    # What is left of the full wait: no more than it, and no less than what is left a moment later.
    assert told is not None
    assert throttle.throttle_wait(address=ATTACKER, email=senco.email) <= told <= full_wait
    assert full_wait - told < 30
    assert "Forgot your password?" in text


# ---------------------------------------------------------------- known devices at a shared school address
SCHOOL = "192.0.2.50"  # every browser at the school reaches Tandem from this one public address


def known_browser(user: User) -> Client:
    """A browser that has fully signed in to `user`'s account before (it carries the device cookie)."""
    browser = Client()
    sign_in(browser, email=user.email, password=PASSWORD, address=SCHOOL)
    assert signed_in_as(browser) == str(user.pk)
    assert throttle.DEVICE_COOKIE in browser.cookies
    browser.post("/accounts/logout/", REMOTE_ADDR=SCHOOL)
    assert signed_in_as(browser) is None
    return browser


def slow_the_address(client: Client, *, address: str) -> None:
    """One wrong password for each of many made-up accounts, waits skipped, until a wait of a minute."""
    wait, n = 0, 0
    while wait < 60:
        n += 1
        assert n < 60, "the address was never slowed"
        if wait:
            age_failures(dt.timedelta(seconds=wait))
        sign_in(client, email=f"madeup{n}@test.example", password="wrong", address=address)
        wait = told_wait(sign_in(client, email=f"other{n}@test.example", password="x", address=address)) or 0


def test_it_lets_a_known_browser_in_while_its_shared_school_address_is_slowed(
    senco: User, settings: pytest.FixtureRequest
) -> None:
    settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ADDRESS = 3  # type: ignore[attr-defined]
    browser = known_browser(senco)
    slow_the_address(Client(), address=SCHOOL)
    # A browser new to the account at the same address waits with everyone else there...
    assert told_wait(sign_in(Client(), email=senco.email, password=PASSWORD, address=SCHOOL)) is not None
    # ...but the SENCo's own browser is heard at once.
    sign_in(browser, email=senco.email, password=PASSWORD, address=SCHOOL)
    assert signed_in_as(browser) == str(senco.pk)


def test_it_lets_a_known_browser_in_while_someone_at_school_guesses_its_password(senco: User) -> None:
    browser = known_browser(senco)
    guesser = Client()
    assert guess_until_throttled(guesser, email=senco.email, address=SCHOOL) > 0
    sign_in(browser, email=senco.email, password=PASSWORD, address=SCHOOL)
    assert signed_in_as(browser) == str(senco.pk)


def test_it_still_slows_wrong_passwords_from_a_known_browser(senco: User) -> None:
    browser = known_browser(senco)
    assert guess_until_throttled(browser, email=senco.email, address=SCHOOL) > 0
    keys = throttle.keys_for(address=SCHOOL, email=senco.email, device="x")
    assert SignInFailure.objects.filter(kind=FailureKey.DEVICE_ACCOUNT).count() > 0
    # Counted on the device alone: the shared address and the address+account pair are untouched.
    assert failures_for(address=SCHOOL, email=senco.email) == (0, 0)
    assert not SignInFailure.objects.filter(key=keys.address).exists()


def test_it_ignores_a_forged_or_borrowed_device_cookie(world: object, senco: User) -> None:
    teacher: User = world.a.teacher  # type: ignore[attr-defined]
    teacher.set_password(PASSWORD)
    teacher.save()
    guesser = Client()
    guesser.cookies[throttle.DEVICE_COOKIE] = "made-up-value"
    assert guess_until_throttled(guesser, email=senco.email, address=SCHOOL) > 0
    # A real cookie from the teacher's browser exempts nothing for the SENCo's account.
    borrowed = known_browser(teacher)
    assert told_wait(sign_in(borrowed, email=senco.email, password="guess", address=SCHOOL)) is not None
