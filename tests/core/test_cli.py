"""The `tandem` command: help for everyone, and the set-up commands a school's IT lead runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.audit.models import AuditEvent
from tandem.cli import TANDEM_COMMANDS, main
from tandem.people.models import Membership, User
from tandem.schools.models import School

ROOT = Path(__file__).resolve().parents[2]


def test_it_lists_tandems_commands(capsys):
    main(["--help"])
    out = capsys.readouterr().out
    for name in TANDEM_COMMANDS:
        assert name in out


@pytest.mark.parametrize("command", ["run", "demo", "createschool", "analyse", "migrate", "check"])
def test_it_explains_every_command(command):
    result = subprocess.run(
        [sys.executable, "-m", "tandem.cli", command, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


@pytest.mark.django_db
def test_it_creates_a_school_with_its_admin(capsys):
    call_command(
        "createschool",
        "--name",
        "Rowan Primary",
        "--urn",
        "923456",
        "--phase",
        "primary",
        "--lowest-year",
        "0",
        "--highest-year",
        "6",
        "--admin-email",
        "Admin@Rowan.example",
        "--admin-name",
        "Rowan Admin",
        "--dfe-number",
        "938/2001",
    )
    out = capsys.readouterr().out
    school = School.objects.get(urn="923456")
    assert (school.la_number, school.establishment_number) == ("938", "2001")
    membership = Membership.objects.get(school=school)
    assert (membership.role, membership.user.email) == ("school_admin", "admin@rowan.example")
    assert "invitation" in out
    assert not membership.user.has_usable_password()
    assert membership.user.invitations.filter(role="school_admin", school=school).count() == 1
    assert AuditEvent.objects.filter(action="school.create", school_id=school.pk).count() == 1


@pytest.mark.django_db
def test_it_saves_nothing_when_a_school_is_invalid():
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command(
            "createschool",
            "--name",
            "Bad",
            "--urn",
            "923457",
            "--phase",
            "primary",
            "--lowest-year",
            "6",
            "--highest-year",
            "0",
            "--admin-email",
            "a@b.example",
            "--admin-name",
            "A",
        )
    assert not School.objects.filter(urn="923457").exists()


@pytest.mark.django_db
def test_it_refuses_a_dfe_number_that_is_not_la_and_establishment():
    with pytest.raises(CommandError, match=r"e\.g\. 938/2001"):
        call_command(
            "createschool",
            "--name",
            "Bad",
            "--urn",
            "923458",
            "--phase",
            "primary",
            "--lowest-year",
            "0",
            "--highest-year",
            "6",
            "--admin-email",
            "a@b.example",
            "--admin-name",
            "A",
            "--dfe-number",
            "9382001",
        )
    assert not School.objects.filter(urn="923458").exists()


@pytest.mark.django_db
def test_it_prepares_the_database_without_the_demo(capsys):
    call_command("run", "--no-demo", "--no-serve")
    assert "Database is up to date" in capsys.readouterr().out
    assert not School.objects.exists()


@pytest.mark.django_db
def test_it_builds_the_demo_once_and_prints_the_sign_ins(capsys):
    call_command("run", "--no-serve")
    out = capsys.readouterr().out
    assert School.objects.count() == 2
    assert "Demo sign-ins" in out and "SENCo" in out and "Trust SEND lead" in out
    call_command("run", "--no-serve")
    assert "building the demo" not in capsys.readouterr().out
    assert School.objects.count() == 2


@pytest.mark.django_db
def test_it_applies_the_password_rules_to_a_superuser_made_without_questions(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a")
    with pytest.raises(CommandError, match="too short"):
        call_command("createsuperuser", "--noinput", "--email", "it@school.example", "--full_name", "IT")
    assert not User.objects.filter(email="it@school.example").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long and uncommon maintenance phrase")
    call_command("createsuperuser", "--noinput", "--email", "it@school.example", "--full_name", "IT")
    assert User.objects.get(email="it@school.example").is_superuser


@pytest.mark.django_db
def test_it_opens_the_demo_with_the_teachers_flags_ready(client):
    from tandem.access.actor import actor_for
    from tandem.people.models import Membership, Role
    from tandem.progress.models import AnalysisRun, RunStatus
    from tandem.progress.selectors import flag_lists

    call_command("run", "--no-serve")

    assert AnalysisRun.objects.filter(status=RunStatus.DONE, school__isnull=False).count() == 2
    # A class teacher (nobody ran `tandem analyse`) opens the page and finds their flagged pupils.
    for membership in Membership.objects.filter(role=Role.TEACHER, school__isnull=False).order_by("id"):
        actor = actor_for(membership.user, membership.pk)
        assert actor is not None
        lists = flag_lists(actor=actor)
        if lists.total:
            break
    else:
        raise AssertionError("no demo teacher has a flagged pupil")
    client.force_login(membership.user)
    page = client.get("/progress/").content.decode()
    assert "No analysis has been run yet" not in page
    first = (lists.first_response or lists.next_review)[0]
    assert first.pupil.legal_surname in page
