"""`tandem run` (what `make run` starts) prints what a person needs in the terminal and sends the log lines,
audit events included, to a file."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTED = "Tandem is running at"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(path: Path, text: str, process: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return
        if process.poll() is not None:
            pytest.fail(f"tandem run stopped: {path.read_text() if path.exists() else ''}")
        time.sleep(0.2)
    pytest.fail(f"{text!r} never appeared in {path}")


def _failed_sign_in(base: str) -> None:
    """A wrong password through the real sign-in form: a signin.failed audit event (and log line)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = {
        "csrfmiddlewaretoken": token.group(1),
        "login": "nobody@example.test",
        "password": "wrong-password",
    }
    request = urllib.request.Request(  # noqa: S310 (an http:// address on the loopback, built above)
        f"{base}/accounts/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{base}/accounts/login/"},
    )
    try:
        opener.open(request).read()
    except urllib.error.HTTPError as error:  # a refused sign-in may answer 400 with the form again
        assert error.code in (400, 429)


def test_it_keeps_log_lines_out_of_the_terminal_and_in_the_log_file(tmp_path):
    port = _free_port()
    out, log = tmp_path / "terminal.txt", tmp_path / "tandem.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tandem.sqlite3'}",
        "TANDEM_VAR_DIR": str(tmp_path / "var"),
        "TANDEM_LOG_FILE": "",
        "DJANGO_SETTINGS_MODULE": "tandem.settings",
    }
    command = [sys.executable, "-m", "tandem.cli", "run", "--no-demo", "--no-worker", f"--port={port}"]
    with out.open("w") as terminal:
        process = subprocess.Popen(
            [*command, f"--log-file={log}"],
            cwd=ROOT,
            env=env,
            stdout=terminal,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_for(out, STARTED, process)
            _failed_sign_in(f"http://127.0.0.1:{port}")
            _wait_for(log, "action=signin.failed", process, seconds=30)
        finally:
            process.terminate()
            process.wait(timeout=30)
    terminal_text = out.read_text()
    assert f"Log lines (page views, audit events, jobs) are written to {log}." in terminal_text
    assert STARTED in terminal_text
    assert "audit action=" not in terminal_text
    assert " INFO " not in terminal_text
    assert "serving at http://127.0.0.1" in log.read_text()
