"""`tandem sso add | list | disable`: an IT lead sets up their school's single sign-on."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tandem.accounts.models import SchoolSignIn
from tandem.audit.models import AuditEvent
from tandem.schools.models import School
from tests import factories as f

SECRET = "s3cr3t-value-from-the-provider"
GUID = "0f0e0d0c-1b2a-4c3d-9e8f-7a6b5c4d3e2f"

pytestmark = pytest.mark.django_db


@pytest.fixture
def school() -> School:
    return f.make_school(name="Alder Primary", trust=f.make_trust(name="Alder Trust"))


@pytest.fixture(autouse=True)
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALDER_SSO_SECRET", SECRET)
    monkeypatch.delenv("UNSET_SSO_SECRET", raising=False)


def sso(*args: str) -> str:
    out = io.StringIO()
    call_command("sso", *args, stdout=out)
    return out.getvalue()


def _add(school: School, *extra: str) -> str:
    return sso(
        "add",
        "--school",
        school.urn,
        "--client-id",
        "alder-client",
        "--client-secret-env",
        "ALDER_SSO_SECRET",
        *extra,
    )


def test_it_adds_an_entra_set_up_pinned_to_its_tenant_with_the_secret_from_the_environment(
    school: School,
) -> None:
    out = _add(school, "--kind", "entra", "--tenant", GUID.upper(), "--label", "Staff Microsoft sign-in")

    sign_in = SchoolSignIn.objects.get()
    assert (sign_in.school, sign_in.trust, sign_in.kind) == (school, None, "entra")
    assert sign_in.tenant == GUID
    assert (sign_in.client_id, sign_in.client_secret) == ("alder-client", SECRET)
    assert sign_in.button_label == "Staff Microsoft sign-in"
    assert sign_in.is_active
    assert f"Added set-up {sign_in.pk}" in out
    assert f"https://login.microsoftonline.com/{GUID}/v2.0" in out
    assert f"/accounts/oidc/school-sso-{sign_in.pk}/login/callback/" in out
    assert SECRET not in out
    event = AuditEvent.objects.get(action="sso.add")
    assert (event.actor_id, event.school_id, event.target_id) == (None, school.pk, str(sign_in.pk))
    assert SECRET not in str(event.fields)


def test_it_adds_a_google_set_up_pinned_to_its_domain(school: School) -> None:
    _add(school, "--kind", "google", "--tenant", "Alder.Sch.UK")

    assert SchoolSignIn.objects.get().tenant == "alder.sch.uk"


def test_it_adds_an_oidc_set_up_for_a_trust_with_an_https_or_loopback_issuer(school: School) -> None:
    sso(
        "add",
        "--trust",
        "Alder Trust",
        "--kind",
        "oidc",
        "--issuer",
        "https://id.alder.example/realms/staff/",
        "--client-id",
        "trust-client",
        "--client-secret-env",
        "ALDER_SSO_SECRET",
    )
    _add(school, "--kind", "oidc", "--issuer", "http://127.0.0.1:8081/o")

    trust_row, school_row = SchoolSignIn.objects.order_by("pk")
    assert trust_row.trust is not None and trust_row.school is None
    assert trust_row.issuer == "https://id.alder.example/realms/staff"
    assert school_row.issuer == "http://127.0.0.1:8081/o"
    trust_event = AuditEvent.objects.get(action="sso.add", target_id=str(trust_row.pk))
    assert trust_event.school_id is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--kind", "entra"], "needs --tenant"),
        (["--kind", "entra", "--tenant", "alder.sch.uk"], "not a Directory (tenant) ID"),
        (["--kind", "entra", "--tenant", "not-a-guid"], "not a Directory (tenant) ID"),
        (["--kind", "entra", "--tenant", GUID, "--issuer", "https://x.example"], "--issuer is only for"),
        (["--kind", "google"], "needs --tenant"),
        (["--kind", "google", "--tenant", "gmail.com"], "personal Google accounts"),
        (["--kind", "google", "--tenant", "not a domain"], "is not a domain name"),
        (["--kind", "oidc"], "needs --issuer"),
        (["--kind", "oidc", "--issuer", "http://id.alder.example"], "must use https"),
        (["--kind", "oidc", "--issuer", "ftp://id.alder.example"], "must use https"),
        (["--kind", "oidc", "--issuer", "https://id.alder.example/?x=1"], "is not an issuer URL"),
        (
            ["--kind", "oidc", "--issuer", "https://id.alder.example", "--tenant", GUID],
            "--tenant is only for",
        ),
        (["--kind", "google", "--tenant", "alder.sch.uk", "--label", "x" * 101], "at most 100"),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(school: School, extra: list[str], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        _add(school, *extra)

    assert message in str(caught.value)
    assert not SchoolSignIn.objects.exists()
    assert not AuditEvent.objects.filter(action="sso.add").exists()


def test_it_refuses_an_unknown_school_or_trust(school: School) -> None:
    with pytest.raises(CommandError, match="No school with URN 999999"):
        sso(
            "add",
            "--school",
            "999999",
            "--kind",
            "google",
            "--tenant",
            "alder.sch.uk",
            "--client-id",
            "c",
            "--client-secret-env",
            "ALDER_SSO_SECRET",
        )
    with pytest.raises(CommandError, match="No trust called 'Nowhere Trust'"):
        sso(
            "add",
            "--trust",
            "Nowhere Trust",
            "--kind",
            "google",
            "--tenant",
            "alder.sch.uk",
            "--client-id",
            "c",
            "--client-secret-env",
            "ALDER_SSO_SECRET",
        )
    with pytest.raises(CommandError, match="one of the arguments --school --trust is required"):
        sso(
            "add",
            "--kind",
            "google",
            "--tenant",
            "alder.sch.uk",
            "--client-id",
            "c",
            "--client-secret-env",
            "ALDER_SSO_SECRET",
        )
    assert not SchoolSignIn.objects.exists()


def test_it_reads_the_secret_only_from_a_set_environment_variable(school: School) -> None:
    with pytest.raises(CommandError, match="UNSET_SSO_SECRET is not set or is empty"):
        sso(
            "add",
            "--school",
            school.urn,
            "--kind",
            "google",
            "--tenant",
            "alder.sch.uk",
            "--client-id",
            "c",
            "--client-secret-env",
            "UNSET_SSO_SECRET",
        )
    # Someone pasting the secret itself is told what the option wants, and the secret is not echoed.
    with pytest.raises(CommandError) as caught:
        sso(
            "add",
            "--school",
            school.urn,
            "--kind",
            "google",
            "--tenant",
            "alder.sch.uk",
            "--client-id",
            "c",
            "--client-secret-env",
            "s3cr3t-value/with+symbols",
        )
    assert "name of an environment variable" in str(caught.value)
    assert "s3cr3t" not in str(caught.value)
    with pytest.raises(CommandError) as caught:
        sso(
            "add",
            "--school",
            school.urn,
            "--kind",
            "google",
            "--tenant",
            "alder.sch.uk",
            "--client-id",
            "c",
            "--client-secret-env",
            "pastedSecretLooksLikeAName",
        )
    assert "pastedSecret" not in str(caught.value)
    # There is no option that takes the secret on the command line.
    with pytest.raises(CommandError):
        sso(
            "add",
            "--school",
            school.urn,
            "--kind",
            "google",
            "--tenant",
            "alder.sch.uk",
            "--client-id",
            "c",
            "--client-secret",
            SECRET,
        )
    assert not SchoolSignIn.objects.exists()


def test_it_refuses_a_second_active_set_up_with_the_same_client_id(school: School) -> None:
    _add(school, "--kind", "google", "--tenant", "alder.sch.uk")
    first = SchoolSignIn.objects.get()

    with pytest.raises(CommandError, match=f"Set-up {first.pk} already uses this client ID"):
        _add(school, "--kind", "entra", "--tenant", GUID)

    assert SchoolSignIn.objects.count() == 1
    sso("disable", str(first.pk))
    _add(school, "--kind", "entra", "--tenant", GUID)
    assert SchoolSignIn.objects.filter(is_active=True).get().kind == "entra"


def test_it_lists_set_ups_without_ever_printing_a_secret(school: School) -> None:
    assert "No sign-in set-ups yet" in sso("list")
    _add(school, "--kind", "entra", "--tenant", GUID, "--label", "Microsoft")
    sso(
        "add",
        "--trust",
        "Alder Trust",
        "--kind",
        "oidc",
        "--issuer",
        "https://id.alder.example",
        "--client-id",
        "trust-client",
        "--client-secret-env",
        "ALDER_SSO_SECRET",
    )

    out = sso("list")

    entra, oidc = SchoolSignIn.objects.order_by("pk")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{entra.pk}  on ")
    assert f"school {school.urn}" in lines[0] and f"tenant={GUID}" in lines[0]
    assert "client_id=alder-client" in lines[0] and "label='Microsoft'" in lines[0]
    assert lines[1].startswith(f"{oidc.pk}  on ")
    assert "trust Alder Trust" in lines[1] and "issuer=https://id.alder.example" in lines[1]
    assert SECRET not in out


def test_it_disables_a_set_up_and_records_it(school: School) -> None:
    _add(school, "--kind", "google", "--tenant", "alder.sch.uk")
    sign_in = SchoolSignIn.objects.get()

    out = sso("disable", str(sign_in.pk))

    sign_in.refresh_from_db()
    assert not sign_in.is_active
    assert "Switched off set-up" in out
    event = AuditEvent.objects.get(action="sso.disable")
    assert (event.actor_id, event.school_id, event.target_id) == (None, school.pk, str(sign_in.pk))
    assert f"{sign_in.pk}  off" in sso("list")

    again = sso("disable", str(sign_in.pk))

    assert "already off; nothing changed" in again
    assert AuditEvent.objects.filter(action="sso.disable").count() == 1


def test_it_refuses_to_disable_an_unknown_set_up(db: None) -> None:
    with pytest.raises(CommandError, match="No sign-in set-up with id 4242"):
        sso("disable", "4242")
    with pytest.raises(CommandError, match="invalid int value"):
        sso("disable", "school-sso-1")
    assert not AuditEvent.objects.filter(action="sso.disable").exists()


def test_it_is_listed_among_the_tandem_commands() -> None:
    from tandem.cli import TANDEM_COMMANDS

    assert "sso" in TANDEM_COMMANDS
