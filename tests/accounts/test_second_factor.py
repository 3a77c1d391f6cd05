"""The two-factor rule: who must use a second factor, setting one up through the sign-in library's own
pages, removing one, and the head's or trust admin's reset for someone who lost their phone."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from tandem.access.actor import actor_for
from tandem.accounts.services import second_factors_reset
from tandem.audit.models import AuditEvent, Outcome
from tandem.people.models import User
from tests import factories as f
from tests.conftest import World
from tests.totp import fresh_totp, totp

PASSWORD = "a long and unusual passphrase 47"
NEEDS_SECOND_FACTOR = ["a_senco", "a_head", "a_admin", "trust_lead", "trust_admin"]


def _required_url(next_path: str) -> str:
    return f"{reverse('two_factor_required')}?{urlencode({'next': next_path})}"


def _pupil_pages(world: World) -> list[str]:
    return [
        reverse("pupil_list"),
        reverse("pupil_detail", args=[world.a.taught_pupil.pk]),
        reverse("register"),
        reverse("export_register"),
    ]


def _give_password(user: object) -> None:
    user.set_password(PASSWORD)  # type: ignore[attr-defined]
    user.save()  # type: ignore[attr-defined]


def _age_authentication(client: Client, seconds: float) -> None:
    session = client.session
    session["account_authentication_methods"] = [
        {**record, "at": record["at"] - seconds} for record in session["account_authentication_methods"]
    ]
    session.save()


def _sign_in_by_form(client: Client, user: User, secret: str | None = None) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    if secret is not None:
        assert response["Location"] == reverse("mfa_authenticate")
        response = client.post(reverse("mfa_authenticate"), {"code": fresh_totp(secret)})
        assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


# ------------------------------------------------------------------------------------------ who


@pytest.mark.parametrize("persona", NEEDS_SECOND_FACTOR)
def test_it_sends_roles_that_read_sen_records_to_set_up_a_second_factor(
    raw_client: Client, world: World, persona: str
) -> None:
    raw_client.force_login(world.persona(persona))

    for path in _pupil_pages(world):
        response = raw_client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == _required_url(path)


def test_it_lets_a_teacher_in_with_a_password_alone(raw_client: Client, world: World) -> None:
    raw_client.force_login(world.a.teacher)

    assert raw_client.get(reverse("pupil_list")).status_code == 200
    assert raw_client.get(reverse("pupil_detail", args=[world.a.taught_pupil.pk])).status_code == 200


def test_it_asks_every_teacher_when_the_school_turns_it_on_for_everyone(
    raw_client: Client, world: World
) -> None:
    world.a.school.require_two_factor_for_all = True  # type: ignore[attr-defined]
    world.a.school.save()  # type: ignore[attr-defined]
    raw_client.force_login(world.a.teacher)

    response = raw_client.get(reverse("pupil_list"))

    assert response["Location"] == _required_url(reverse("pupil_list"))
    other = Client()
    other.force_login(world.b.teacher)
    assert other.get(reverse("pupil_list")).status_code == 200


def test_it_keeps_the_sign_in_pages_open_before_the_second_factor(raw_client: Client, world: World) -> None:
    raw_client.force_login(world.a.senco)

    assert raw_client.get(_required_url(reverse("pupil_list"))).status_code == 200
    assert raw_client.get(reverse("mfa_index")).status_code == 200


# ------------------------------------------------------------------------------------------ the page


def test_it_offers_set_up_to_someone_without_a_factor(raw_client: Client, world: World) -> None:
    raw_client.force_login(world.a.senco)

    page = raw_client.get(_required_url(reverse("pupil_list"))).content.decode()

    assert reverse("mfa_activate_totp") in page
    assert reverse("mfa_add_webauthn") in page
    assert reverse("mfa_reauthenticate") not in page


def test_it_asks_someone_with_a_factor_to_use_it_and_then_lets_them_in(
    raw_client: Client, world: World
) -> None:
    senco = world.a.senco
    secret = f.enrol_totp(senco)
    raw_client.force_login(senco)
    target = reverse("pupil_detail", args=[world.a.taught_pupil.pk])

    page = raw_client.get(_required_url(target)).content.decode()

    assert reverse("mfa_activate_totp") not in page
    link = f"{reverse('mfa_reauthenticate')}?next={target}"
    assert f'href="{link}"' in page
    wrong = raw_client.post(link, {"code": "000000" if totp(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert AuditEvent.objects.filter(action="second_factor.failed", actor_id=senco.pk).exists()
    response = raw_client.post(link, {"code": fresh_totp(secret)})
    assert response["Location"] == target
    assert raw_client.get(target).status_code == 200


def test_it_ignores_a_next_address_on_another_site(raw_client: Client, world: World) -> None:
    raw_client.force_login(world.a.senco)

    page = raw_client.get(_required_url("https://evil.example/")).content.decode()

    assert "evil.example" not in page


# ------------------------------------------------------------------------------------------ set up


# Committed for real: the library announces a new factor on commit, and Tandem then counts the
# session as two-factor (in production, with autocommit, that happens during the request).
@pytest.mark.django_db(transaction=True)
def test_it_sets_up_an_authenticator_app_through_the_library_pages(world: World) -> None:
    senco = world.a.senco
    _give_password(senco)
    browser = Client()
    _sign_in_by_form(browser, senco)
    register = reverse("register")
    assert browser.get(register)["Location"] == _required_url(register)

    # The password typed to sign in a moment ago counts as the confirmation this security change needs.
    activate = reverse("mfa_activate_totp")
    page = browser.get(activate)
    assert page.status_code == 200
    secret = browser.session["mfa.totp.secret"]
    assert secret in page.content.decode()

    refused = browser.post(activate, {"code": "not a code"})
    assert refused.status_code == 200
    assert not Authenticator.objects.filter(user=senco).exists()

    done = browser.post(activate, {"code": fresh_totp(secret)})

    assert done.status_code == 302
    assert done["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=senco, type=Authenticator.Type.TOTP).exists()
    codes = Authenticator.objects.get(user=senco, type=Authenticator.Type.RECOVERY_CODES)
    unused = codes.wrap().get_unused_codes()  # type: ignore[attr-defined]
    assert len(unused) == 10
    shown = browser.get(done["Location"]).content.decode()
    assert all(code in shown for code in unused)
    assert browser.get(register).status_code == 200
    added = AuditEvent.objects.filter(action="second_factor.add", actor_id=senco.pk)
    assert sorted(field for event in added for field in event.fields) == ["recovery_codes", "totp"]


def test_it_asks_for_the_password_before_removing_a_factor(world: World) -> None:
    senco = world.a.senco
    _give_password(senco)
    secret = f.enrol_totp(senco)
    browser = Client()
    _sign_in_by_form(browser, senco, secret=secret)
    assert browser.get(reverse("register")).status_code == 200
    _age_authentication(browser, settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)

    deactivate = reverse("mfa_deactivate_totp")
    asked = browser.post(deactivate)

    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=senco, type=Authenticator.Type.TOTP).exists()
    assert not AuditEvent.objects.filter(action="second_factor.remove").exists()

    # The suspended removal carries on once the password is given.
    browser.post(asked["Location"], {"password": PASSWORD})

    assert not Authenticator.objects.filter(user=senco, type=Authenticator.Type.TOTP).exists()
    removed = AuditEvent.objects.filter(action="second_factor.remove", actor_id=senco.pk)
    # The recovery codes go with the last factor they stood in for.
    assert sorted(field for event in removed for field in event.fields) == ["recovery_codes", "totp"]


# ------------------------------------------------------------------------------------------ reset


def test_it_lets_the_head_reset_a_sencos_factors(client: Client, world: World) -> None:
    senco = world.a.senco
    f.enrol_totp(senco)
    client.force_login(world.a.head)

    response = client.post(reverse("second_factors_reset", args=[senco.pk]))

    assert response["Location"] == reverse("staff")
    assert not Authenticator.objects.filter(user=senco).exists()
    event = AuditEvent.objects.get(action="second_factor.reset_all", target_id=str(senco.pk))
    assert event.actor_id == world.a.head.pk
    assert event.outcome == Outcome.OK
    assert "Senco A" not in str(event.fields)


def test_it_does_not_let_the_head_reset_their_own(client: Client, world: World) -> None:
    head = world.a.head
    f.enrol_totp(head)
    client.force_login(head)

    response = client.post(reverse("second_factors_reset", args=[head.pk]), follow=True)

    assert b"cannot reset your own second factors" in response.content
    assert Authenticator.objects.filter(user=head).count() == 2
    denied = AuditEvent.objects.get(action="second_factor.reset_all", target_id=str(head.pk))
    assert denied.outcome == Outcome.DENIED


def test_it_does_not_let_a_head_reset_someone_at_another_school(client: Client, world: World) -> None:
    f.enrol_totp(world.b.senco)
    client.force_login(world.a.head)

    response = client.post(reverse("second_factors_reset", args=[world.b.senco.pk]))

    assert response.status_code == 404
    assert Authenticator.objects.filter(user=world.b.senco).count() == 2
    denied = AuditEvent.objects.get(action="second_factor.reset_all", target_id=str(world.b.senco.pk))
    assert (denied.actor_id, denied.outcome) == (world.a.head.pk, Outcome.DENIED)


def test_it_lets_a_trust_admin_reset_someone_in_the_trust(world: World) -> None:
    f.enrol_totp(world.a.senco)
    f.enrol_totp(world.b.senco)
    actor = actor_for(world.trust_admin)
    assert actor is not None

    assert second_factors_reset(actor=actor, user_id=world.a.senco.pk) == 2
    assert not Authenticator.objects.filter(user=world.a.senco).exists()
    with pytest.raises(User.DoesNotExist):
        second_factors_reset(actor=actor, user_id=world.b.senco.pk)
    assert Authenticator.objects.filter(user=world.b.senco).count() == 2


def test_it_does_not_let_a_trust_admin_reset_their_own(world: World) -> None:
    f.enrol_totp(world.trust_admin)
    actor = actor_for(world.trust_admin)
    assert actor is not None

    with pytest.raises(ValidationError):
        second_factors_reset(actor=actor, user_id=world.trust_admin.pk)
    assert Authenticator.objects.filter(user=world.trust_admin).count() == 2


@pytest.mark.parametrize("persona", ["a_teacher", "a_senco", "a_admin"])
def test_it_hides_the_reset_from_everyone_else(client: Client, world: World, persona: str) -> None:
    f.enrol_totp(world.a.ta)
    client.force_login(world.persona(persona))

    response = client.post(reverse("second_factors_reset", args=[world.a.ta.pk]))

    assert response.status_code == 404
    assert Authenticator.objects.filter(user=world.a.ta).count() == 2
    assert not AuditEvent.objects.filter(action="second_factor.reset_all", outcome=Outcome.OK).exists()


# ---------------------------------------------------------------- two-factor for all staff
@pytest.mark.parametrize("persona", ["head", "admin"])
def test_it_lets_the_head_or_the_school_admin_ask_it_of_everyone(
    client: Client, raw_client: Client, world: World, persona: str
) -> None:
    client.force_login(getattr(world.a, persona))
    response = client.post(reverse("two_factor_policy"), {"required_for_all": "on"})
    assert response.status_code == 302
    world.a.school.refresh_from_db()
    assert world.a.school.require_two_factor_for_all
    event = AuditEvent.objects.get(action="school.two_factor_policy")
    assert (event.school_id, event.outcome) == (world.a.school.pk, Outcome.OK)
    # The school's teachers are now asked for a second factor; the other school's are not.
    raw_client.force_login(world.a.teacher)
    assert raw_client.get(reverse("pupil_list"))["Location"].startswith(reverse("two_factor_required"))
    raw_client.force_login(world.b.teacher)
    assert raw_client.get(reverse("pupil_list")).status_code == 200
    # ...and it can be turned off again.
    client.post(reverse("two_factor_policy"), {})
    world.a.school.refresh_from_db()
    assert not world.a.school.require_two_factor_for_all
    assert AuditEvent.objects.filter(action="school.two_factor_policy").count() == 2


@pytest.mark.parametrize("persona", ["teacher", "ta", "senco"])
def test_it_keeps_the_setting_from_everyone_else(client: Client, world: World, persona: str) -> None:
    client.force_login(getattr(world.a, persona))
    assert client.post(reverse("two_factor_policy"), {"required_for_all": "on"}).status_code == 404
    world.a.school.refresh_from_db()
    assert not world.a.school.require_two_factor_for_all
    assert b"How staff sign in" not in client.get(reverse("staff")).content


def test_it_shows_a_trust_admin_each_trust_schools_staff_with_the_reset(client: Client, world: World) -> None:
    world.a.senco.set_password("a long enough password 1")  # type: ignore[attr-defined]
    world.a.senco.save()  # type: ignore[attr-defined]
    f.enrol_totp(world.a.senco)
    client.force_login(world.trust_admin)
    page = client.get(reverse("staff"))
    assert page.status_code == 200
    assert world.a.senco.email.encode() in page.content
    assert reverse("second_factors_reset", args=[world.a.senco.pk]).encode() in page.content
    # A school outside the trust is a 404, as a missing one is.
    assert client.get(reverse("staff"), {"school": world.b.school.pk}).status_code == 404
    assert client.get(reverse("staff"), {"school": 987654}).status_code == 404
    response = client.post(reverse("second_factors_reset", args=[world.a.senco.pk]))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.a.senco).exists()
    assert AuditEvent.objects.filter(
        action="second_factor.reset_all", actor_id=world.trust_admin.pk, outcome=Outcome.OK
    ).exists()
