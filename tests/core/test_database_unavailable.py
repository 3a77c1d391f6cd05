"""A read-only database file: /health/ says so, people get a plain 503 page instead of a 500, and nothing
is lost once the file is writable again.

The real thing, in a second process: Tandem's own server (`tandem run`, Waitress) on a loopback port
against a file copy of this test's database. A second process because the suite's database is SQLite in
memory, which cannot be made read-only, and because a server that starts and stops is what meets a
read-only file in life. When the suite runs as root (containers), file permissions do not bind root: the
server then starts without the capabilities that let root ignore them (CAP_DAC_OVERRIDE and friends), so
a read-only file is read-only to it as to anyone.
"""

from __future__ import annotations

import ctypes
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.conftest import World

REPO = Path(__file__).resolve().parents[2]
PR_CAPBSET_DROP = 24
pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="a read-only database file is SQLite's case"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, port: int, cookie: str) -> None:
        self.port = port
        self.cookie = cookie

    def get(self, path: str, *, signed_in: bool = True) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", path, headers={"Cookie": self.cookie} if signed_in else {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            conn.close()


def _without_root_file_powers() -> None:
    # Runs in the child before exec: drop CAP_DAC_OVERRIDE (1), CAP_DAC_READ_SEARCH (2) and CAP_FOWNER (3)
    # from the bounding set, so the server, though root, obeys file permissions.
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _files(folder: Path) -> list[Path]:
    return [folder, *folder.rglob("*")]


def _make_read_only(folder: Path) -> None:
    for path in _files(folder):
        path.chmod(0o555 if path.is_dir() else 0o444)


def _make_writable(folder: Path) -> None:
    for path in _files(folder):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _copy_this_database(to: Path) -> None:
    connection.ensure_connection()
    source = connection.connection
    with sqlite3.connect(to) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")


def _counts(file: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as reader:
        return {
            table: reader.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 (names above)
            for table in ("people_user", "people_pupil", "register_senstatus", "audit_auditevent")
            if reader.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        }


@contextmanager
def _server(scratch: Path, cookie: str) -> Iterator[Server]:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "TANDEM_PRODUCTION", "TANDEM_DEBUG"}
    }
    env.update(
        TANDEM_VAR_DIR=str(scratch),
        TANDEM_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_SETTINGS_MODULE="tandem.settings",
        PYTHONDONTWRITEBYTECODE="1",
        HOME=str(scratch),
    )
    command = [sys.executable, "-c", "from tandem.cli import main; main()", "run", "--no-demo"]
    log = (scratch.parent / f"{scratch.name}.log").open("wb")
    process = subprocess.Popen(
        [*command, "--no-worker", "--port", str(port), "--threads", "2"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_without_root_file_powers if os.geteuid() == 0 else None,
    )
    # A real worker beside it, as `tandem run` starts one (its own process here, without tonight's jobs,
    # which would write rows of their own): /health/ wants its heartbeat.
    worker = subprocess.Popen(
        [sys.executable, "-c", "from tandem.cli import main; main()", "worker", "--no-schedule"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_without_root_file_powers if os.geteuid() == 0 else None,
    )
    server = Server(port, cookie=cookie)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, Path(log.name).read_text()[-3000:]
            try:
                if server.get("/health/", signed_in=False)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield server
    finally:
        for running in (process, worker):
            running.terminate()
            try:
                running.wait(timeout=30)
            except subprocess.TimeoutExpired:
                running.kill()
        log.close()
        Path(log.name).unlink(missing_ok=True)


@pytest.mark.django_db(transaction=True)
def test_it_serves_a_plain_503_while_the_database_is_read_only_and_loses_nothing(
    world: World, client: object, tmp_path: Path
) -> None:
    scratch = tmp_path / "var"
    scratch.mkdir()
    teacher = world.a.teacher
    client.force_login(teacher)  # type: ignore[attr-defined]
    assert client.get(reverse("pupil_list")).status_code == 200  # type: ignore[attr-defined]
    # Let the session's idle expiry be due for pushing on, so the next page view must write.
    session = client.session  # type: ignore[attr-defined]
    session["tandem_refreshed_at"] = time.time() - 3600
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    database = scratch / "tandem.sqlite3"
    _copy_this_database(database)
    before = _counts(database)
    assert before["people_pupil"] > 0

    # The server runs against the copy; it has to be writable to start (it migrates first).
    with _server(scratch, cookie) as server:
        status, _, page = server.get(reverse("pupil_list"))
        assert status == 200, page[:500]

        _make_read_only(scratch)
        status, headers, body = server.get("/health/", signed_in=False)
        assert status == 503
        answer = json.loads(body)
        assert answer["status"] == "unavailable"
        assert answer["problems"]
        assert all("/" not in problem and "sqlite3" not in problem for problem in answer["problems"])

        status, headers, page = server.get(reverse("pupil_list"))
        assert status == 503, page[:500]
        assert headers["Retry-After"] == "30"
        assert "Tandem cannot reach its records just now" in page
        assert "Nothing you had already saved has been lost" in page
        assert '<html lang="en-GB">' in page and "<h1>" in page
        for leak in ("Traceback", "OperationalError", "sqlite", str(scratch)):
            assert leak not in page

        _make_writable(scratch)
        status, _, page = server.get(reverse("pupil_list"))
        assert status == 200, page[:500]
        assert server.get("/health/", signed_in=False)[0] == 200

    after = _counts(database)
    # Audit events of the pages served, and the worker's heartbeat row, are the only new rows.
    written = {"audit_auditevent", "jobs_workerbeat"}
    assert {k: v for k, v in after.items() if k not in written} == {
        k: v for k, v in before.items() if k not in written
    }
    # Viewing the class list is audited: the page served before and after wrote its events.
    assert after["audit_auditevent"] >= before["audit_auditevent"]
