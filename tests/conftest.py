"""Personas in two schools, and a scan of every log line the suite writes for pupil names."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests import factories as f
from tests.mail import SmtpServer

PASSWORD = "correct horse battery staple"
PERSONA_NAMES_A = ["a_teacher", "a_ta", "a_senco", "a_head", "a_admin"]


# ---------------------------------------------------------------- log scan
class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


LOG_CAPTURE = _LogCapture()


def find_names(lines: Iterable[str], names: Iterable[str]) -> list[tuple[str, str]]:
    """(name, line) for every pupil name that appears as a whole word in a log line."""
    wanted = sorted({n for n in names if len(n) >= 3}, key=len, reverse=True)
    if not wanted:
        return []
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in wanted) + r")\b")
    return [(m.group(1), line) for line in lines for m in [pattern.search(line)] if m]


def _all_pupil_names() -> set[str]:
    names = set(f.PUPIL_NAMES)
    try:
        from tandem.demo import generator

        names.update(generator.SURNAMES)
    except (ImportError, AttributeError):
        pass
    return names


@pytest.fixture(scope="session", autouse=True)
def _capture_all_logs(django_db_setup: None) -> Iterable[None]:
    root = logging.getLogger()
    previous = root.level
    root.addHandler(LOG_CAPTURE)
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(LOG_CAPTURE)
    root.setLevel(previous)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leaks = find_names(LOG_CAPTURE.lines, _all_pupil_names())
    if leaks:
        print("\nPupil names found in log output:")
        for name, line in leaks[:20]:
            print(f"  {name!r} in: {line[:200]}")
        session.exitstatus = 1
    else:
        print(f"\nLog scan: {len(LOG_CAPTURE.lines)} log lines, no pupil names.")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """The last lines of `make test`: how many real-browser tests ran, and if any were skipped, why (a
    machine without Chromium skips them rather than failing; README, "Browser tests")."""
    outcomes: dict[str, int] = {}
    reasons: set[str] = set()
    for outcome in ("passed", "failed", "error", "skipped", "xfailed", "xpassed"):
        for report in terminalreporter.stats.get(outcome, []):
            if "browser" not in getattr(report, "keywords", {}):
                continue
            if report.when != "call" and not (outcome in ("skipped", "error") and report.when == "setup"):
                continue
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if outcome == "skipped" and isinstance(report.longrepr, tuple):
                reasons.add(str(report.longrepr[2]).removeprefix("Skipped: "))
    if not outcomes:
        return
    counted = ", ".join(f"{count} {outcome}" for outcome, count in outcomes.items())
    terminalreporter.write_line(f"Browser tests (real Chromium): {counted}.")
    for reason in sorted(reasons):
        terminalreporter.write_line(f"  Skipped because: {reason}")


# ---------------------------------------------------------------- clients
class SignedInClient(Client):
    """A test client whose force_login stands for a whole, fresh sign-in: password and second factor.

    Most tests are about what a signed-in person may do, not how they signed in; the sign-in tests
    (tests/accounts) use `raw_client`, whose force_login leaves the session with no second factor.
    """

    def force_login(self, user: object, backend: str | None = None) -> None:
        super().force_login(user, backend)  # type: ignore[arg-type]
        session = self.session
        now = time.time()
        session["account_authentication_methods"] = [
            {"method": "password", "at": now},
            {"method": "mfa", "at": now, "type": "totp"},
        ]
        session["account_authentication_methods_user"] = str(user.pk)  # type: ignore[attr-defined]
        session.save()


@pytest.fixture(autouse=True)
def documents_dir(settings: Any, tmp_path: Path) -> Path:
    """Every test keeps uploaded documents in its own folder, never the project's var/documents."""
    settings.TANDEM_DOCUMENTS_DIR = tmp_path / "documents"
    return settings.TANDEM_DOCUMENTS_DIR


@pytest.fixture
def client() -> Client:
    return SignedInClient()


@pytest.fixture
def raw_client() -> Client:
    return Client()


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """Mail goes over a socket to a real SMTP server on 127.0.0.1, not to Django's in-memory outbox.

    The test runner set the locmem backend at start-up; pytest-django's ``settings`` fixture applies
    later, so this override wins, and the live server thread reads the same settings object."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        yield server


# ---------------------------------------------------------------- personas
@dataclass
class School:
    school: object
    teacher: object
    ta: object
    senco: object
    head: object
    admin: object
    dpo: object  # the school's data protection officer
    group: object  # taught by teacher, supported by ta
    other_group: object  # taught by another teacher
    taught_pupil: object  # in group, SEN support
    ehc_pupil: object  # in group, EHC plan
    untaught_pupil: object  # in other_group only
    parent: object  # the taught pupil's mother: linked to that child only


@dataclass
class World:
    a: School
    b: School
    trust_lead: object
    trust_admin: object
    trust_dpo: object
    missing_id: uuid.UUID

    def persona(self, name: str) -> object:
        school, _, role = name.partition("_")
        if name == "trust_lead":
            return self.trust_lead
        if name == "trust_admin":
            return self.trust_admin
        if name == "trust_dpo":
            return self.trust_dpo
        return getattr(getattr(self, school), role)


def _build_school(label: str, trust: object, sentinel: str) -> School:
    school = f.make_school(name=f"School {label.upper()}", trust=trust)  # type: ignore[arg-type]

    def user(role: str, full: str) -> object:
        # No password: personas sign in with force_login, and Argon2 per persona would slow every test.
        u = f.make_user(email=f"{role}.{label}@test.example", full_name=full)
        f.make_membership(user=u, role=role, school=school)
        return u

    teacher = user("teacher", f"Teacher {label.upper()}")
    ta = user("teaching_assistant", f"Assistant {label.upper()}")
    senco = user("senco", f"Senco {label.upper()}")
    head = user("head", f"Head {label.upper()}")
    admin = user("school_admin", f"Admin {label.upper()}")
    dpo = user("dpo", f"Dpo {label.upper()}")
    other_teacher = f.make_user(
        email=f"other.{label}@test.example", full_name=f"Other Teacher {label.upper()}"
    )
    f.make_membership(user=other_teacher, role="teacher", school=school)
    group = f.make_group(school=school, name=f"4{label.upper()}", teachers=[teacher], supporters=[ta])
    other_group = f.make_group(
        school=school, name=f"5{label.upper()}", year_group=5, teachers=[other_teacher]
    )
    taught = f.make_pupil(school=school, forename="Kai", surname=f"{sentinel}Support")
    ehc = f.make_pupil(school=school, forename="Ellis", surname=f"{sentinel}Ehc")
    untaught = f.make_pupil(school=school, forename="Robin", surname=f"{sentinel}Untaught", year_group=5)
    f.enrol(group=group, pupils=[taught, ehc])
    f.enrol(group=other_group, pupils=[untaught])
    f.set_sen_status(pupil=taught, provision="K", need_codes=["SLCN"])
    f.set_sen_status(pupil=ehc, provision="E", need_codes=["ASD", "SEMH"])
    f.set_sen_status(pupil=untaught, provision="K", need_codes=["SPLD"])
    parent = f.make_parent(
        pupil=taught, email=f"parent.{label}@test.example", full_name=f"Parent {label.upper()}"
    )
    return School(
        school, teacher, ta, senco, head, admin, dpo, group, other_group, taught, ehc, untaught, parent
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def build_world() -> World:
    """Two schools in two trusts with a person in every role, and the trust roles of the first trust."""
    trust = f.make_trust(name="Alder Trust")
    other_trust = f.make_trust(name="Birch Trust")
    a = _build_school("a", trust, "Sentinela")
    b = _build_school("b", other_trust, "Sentinelb")
    lead = f.make_user(email="lead@test.example", full_name="Trust Lead")
    f.make_membership(user=lead, role="trust_send_lead", trust=trust)
    admin = f.make_user(email="trustadmin@test.example", full_name="Trust Admin")
    f.make_membership(user=admin, role="trust_admin", trust=trust)
    dpo = f.make_user(email="trustdpo@test.example", full_name="Trust Dpo")
    f.make_membership(user=dpo, role="trust_dpo", trust=trust)
    return World(a=a, b=b, trust_lead=lead, trust_admin=admin, trust_dpo=dpo, missing_id=uuid.uuid4())
