"""Real `tandem worker` processes on the test database (a file on SQLite, the test database on PostgreSQL).

Tests that use them need `transactional_db`, so what they write is committed where a worker can read it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user, password = quote(s["USER"] or ""), quote(s["PASSWORD"] or "")
    return f"postgres://{user}:{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def _command(*args: str) -> list[str]:
    # No daily jobs: a test's worker must not start tonight's analyses or a backup of the test database.
    return [sys.executable, "-c", "from tandem.cli import main; main()", "worker", "--no-schedule", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "tandem.settings"}


def start_worker(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(_command("--interval", "0.1", *args), cwd=ROOT, env=_env())


def run_worker_batch(timeout: float = 120) -> None:
    """Run every queued job in a fresh worker process, then let it exit."""
    subprocess.run(_command("--batch"), cwd=ROOT, env=_env(), check=True, timeout=timeout)


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = "the worker") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
