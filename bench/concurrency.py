"""People browsing while a large import is applied: do their pages still come back, and how fast?

    .venv/bin/python bench/concurrency.py                          # SQLite: builds the demo in a temp dir
    .venv/bin/python bench/concurrency.py --from var/tandem.sqlite3 # a scratch copy of a seeded database
    DATABASE_URL=postgres://tandem:...@127.0.0.1:5432/tandem_bench .venv/bin/python bench/concurrency.py

Starts Tandem's real server (`tandem run`: Waitress, on a free loopback port) against a scratch database
(a copy of --from, or the demo built fresh; or the PostgreSQL database DATABASE_URL names, whose name must
contain "bench": it is filled with the demo and a bench school). Signs in --users demo teachers over HTTP
(password, cookies, CSRF, as a browser does), and has each browse their pages in a loop: To do, a class
list, a pupil page, the progress flags and the register, each at once after the last by default (far more
than 20 people at work ask of a server) or after reading it for a random while with --think. First for
--baseline seconds with nothing else running, then for the whole of a --rows marks import's apply,
started by the school admin (password and authenticator code) through the Import page's own Apply
button. Prints, for each phase and each page: requests, errors (anything but 2xx/3xx, or no answer), and
p50/p95/max latency.

The apply is one function, `apply_import`. A file this large is applied by a background worker (a real
`tandem worker` process started beside the server, without the nightly schedule, whose jobs would add
load the bench does not ask for).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGES = ("to do", "class list", "pupil page", "progress flags", "register")
ADMIN_PASSWORD = "bench concurrency passphrase 2026"


# ------------------------------------------------------------------------------------------ the database


def prepare(workdir: Path, seed_from: str) -> dict[str, str]:
    """The environment the server and this process share: a scratch SQLite copy, or DATABASE_URL."""
    env = dict(os.environ)
    env.update(TANDEM_VAR_DIR=str(workdir), DJANGO_SETTINGS_MODULE="tandem.settings")
    url = env.get("DATABASE_URL", "")
    if url:
        if "bench" not in url.rsplit("/", 1)[-1]:
            raise SystemExit("DATABASE_URL must name a database with 'bench' in its name: this bench writes.")
    elif seed_from:
        with sqlite3.connect(seed_from) as source, sqlite3.connect(workdir / "tandem.sqlite3") as copy:
            source.backup(copy)
    # Migrates, and builds the demo trust if the database is empty (as `make run` does).
    print("Preparing the database (migrate; the demo if empty)...", file=sys.stderr)
    subprocess.run(_tandem("run", "--no-serve"), env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def _tandem(*args: str) -> list[str]:
    return [sys.executable, "-c", "from tandem.cli import main; main()", *args]


@dataclass
class Browser:
    email: str
    urls: dict[str, str]


@dataclass
class Bench:
    browsers: list[Browser]
    admin_email: str
    admin_secret: str
    record_id: str
    rows: int


def set_up(users: int, rows: int, seed: int) -> Bench:
    """In this process, through the services: the browsing teachers and their pages, and a bench school
    with its admin and an uploaded (previewed, not applied) marks file of `rows` results."""
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import connection
    from django.urls import reverse
    from import_assessments import SITTINGS, SUBJECTS, generate_csv, set_up_school

    from tandem.exchange.services import import_upload
    from tandem.people.models import Enrolment, GroupStaff, Membership
    from tandem.schools.models import School

    browsers: list[Browser] = []
    other_roles = Membership.objects.exclude(role="teacher").values("user_id")
    teaching = (
        GroupStaff.objects.filter(role="teacher", user__is_active=True, user__email__contains="demo")
        .exclude(user_id__in=other_roles)
        .select_related("user")
        .order_by("user_id", "group_id")
    )
    seen: set[int] = set()
    for link in teaching:
        if link.user_id in seen:
            continue
        enrolment = Enrolment.objects.filter(group_id=link.group_id).order_by("pupil_id").first()
        if enrolment is None:
            continue
        seen.add(link.user_id)
        browsers.append(
            Browser(
                email=link.user.email,
                urls={
                    "to do": reverse("to_do"),
                    "class list": reverse("group_detail", args=[link.group_id]),
                    "pupil page": reverse("pupil_detail", args=[enrolment.pupil_id]),
                    "progress flags": reverse("progress_list"),
                    "register": reverse("register"),
                },
            )
        )
        if len(browsers) == users:
            break
    if len(browsers) < users:
        raise SystemExit(f"Only {len(browsers)} demo teachers teach a class; asked for {users}.")

    number = School.objects.filter(name__startswith="Bench Academy").count() + 1
    pupils = math.ceil(rows / (len(SUBJECTS) * len(SITTINGS)))
    print(f"Adding a bench school with {pupils:,} pupils and a {rows:,}-row marks file...", file=sys.stderr)
    school = set_up_school(number, pupils, seed)
    admin = school.actor.user
    admin.set_password(ADMIN_PASSWORD)
    admin.save()
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)
    generated = generate_csv(school.upns, rows, seed, clean=True, pupil_ability=school.ability)
    record = import_upload(
        actor=school.actor, kind="assessments", file_name="results.csv", data=generated.data
    )
    connection.close()
    return Bench(browsers, admin.email, secret, str(record.pk), generated.rows)


# ------------------------------------------------------------------------------------------ HTTP


class Site:
    def __init__(self, base: str) -> None:
        self.base = base

    def session(self) -> requests.Session:
        return requests.Session()

    def sign_in(self, http: requests.Session, email: str, password: str, secret: str = "") -> None:
        page = http.get(f"{self.base}/accounts/login/", timeout=120)
        answer = http.post(
            f"{self.base}/accounts/login/",
            data={"login": email, "password": password, "csrfmiddlewaretoken": _csrf(page.text)},
            timeout=120,
        )
        if secret and "/2fa/" in answer.url:
            from tests.totp import fresh_totp

            answer = http.post(
                answer.url,
                data={"code": fresh_totp(secret), "csrfmiddlewaretoken": _csrf(answer.text)},
                timeout=120,
            )
        if answer.status_code != 200 or "/accounts/login/" in answer.url or "/2fa/" in answer.url:
            raise SystemExit(f"Signing in failed ({answer.status_code} at {answer.url}).")


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise SystemExit("No CSRF token on the page.")
    return found.group(1)


def apply_import(site: Site, bench: Bench) -> Callable[[], str | None]:
    """Start applying the uploaded import as the Import page does (the admin presses Apply), and return
    a function that says how it ended ("applied", "failed") or None while it is still going.

    The page queues a file this large as a job, which the bench's worker process applies."""
    admin = site.session()
    site.sign_in(admin, bench.admin_email, ADMIN_PASSWORD, bench.admin_secret)
    detail = f"{site.base}/imports/{bench.record_id}/"
    page = admin.get(detail, timeout=120)
    answer = admin.post(f"{detail}apply/", data={"csrfmiddlewaretoken": _csrf(page.text)}, timeout=300)
    if answer.status_code >= 400:
        raise SystemExit(f"Apply refused: {answer.status_code}")

    def status() -> str | None:
        from tandem.exchange.models import ImportRecord, ImportStatus

        now = ImportRecord.objects.values_list("status", flat=True).get(pk=bench.record_id)
        return None if now == ImportStatus.APPLYING else str(now)

    return status


@dataclass
class Sample:
    page: str
    status: int  # 0: no answer
    seconds: float


@dataclass
class Phase:
    name: str
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0


def browse(
    site: Site,
    browsers: list[Browser],
    sessions: list[requests.Session],
    phase: Phase,
    stop: threading.Event,
    think: float = 0.0,
) -> None:
    """Each browser loops over its pages; with `think`, it reads each page for a random 0 to 2 x think
    seconds first (0: the next page at once, the hardest case)."""
    lock = threading.Lock()

    def one(browser: Browser, http: requests.Session) -> None:
        reading = random.Random(browser.email)
        while not stop.is_set():
            for page in PAGES:
                if think and stop.wait(reading.uniform(0, 2 * think)):
                    return
                if stop.is_set():
                    return
                started = time.perf_counter()
                try:
                    status = http.get(
                        site.base + browser.urls[page], timeout=300, allow_redirects=False
                    ).status_code
                except requests.RequestException:
                    status = 0
                sample = Sample(page, status, time.perf_counter() - started)
                with lock:
                    phase.samples.append(sample)

    started = time.perf_counter()
    threads = [
        threading.Thread(target=one, args=(b, s), daemon=True)
        for b, s in zip(browsers, sessions, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started


def report(phases: list[Phase]) -> None:
    print(f"{'':28} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for phase in phases:
        groups: dict[str, list[Sample]] = defaultdict(list)
        for sample in phase.samples:
            groups[sample.page].append(sample)
        print(f"{phase.name} ({phase.seconds:.0f} s)")
        for page in (*PAGES, "all pages"):
            samples = phase.samples if page == "all pages" else groups[page]
            if not samples:
                continue
            times = sorted(s.seconds * 1000 for s in samples)
            errors = sum(1 for s in samples if not 200 <= s.status < 400)
            p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
            print(
                f"  {page:26} {len(samples):9,} {errors:7,} {statistics.median(times):8.0f} {p95:8.0f} "
                f"{times[-1]:8.0f}"
            )
        codes: dict[int, int] = defaultdict(int)
        for sample in phase.samples:
            if not 200 <= sample.status < 400:
                codes[sample.status] += 1
        redirects = sum(1 for s in phase.samples if 300 <= s.status < 400)
        if redirects:
            print(f"  redirects (counted as answers, but a signed-in page should not redirect): {redirects}")
        if codes:
            print(
                "  errors by status: "
                + ", ".join(f"{c or 'no answer'}: {n}" for c, n in sorted(codes.items()))
            )


# ------------------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline", type=float, default=30.0, help="seconds of browsing with no import")
    parser.add_argument("--threads", type=int, default=8, help="the server's threads (tandem run's default)")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a teacher reads a page before the next (default 0: no pause at all)",
    )
    parser.add_argument("--from", dest="seed_from", default="", help="a seeded SQLite database to copy")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tandem-concurrency-"))
    env = prepare(workdir, args.seed_from)
    os.environ.update({k: v for k, v in env.items() if k in {"TANDEM_VAR_DIR", "DJANGO_SETTINGS_MODULE"}})
    bench = set_up(args.users, args.rows, args.seed)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = _tandem("run", "--no-demo", "--no-worker", "--port", str(port), "--threads", str(args.threads))
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen(
        _tandem("worker", "--no-schedule"), env=env, stdout=log, stderr=subprocess.STDOUT
    )
    site = Site(f"http://127.0.0.1:{port}")
    try:
        for _ in range(600):
            try:
                if requests.get(f"{site.base}/health/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"The server did not start; see {log.name}")
        print(f"Signing in {args.users} teachers...", file=sys.stderr)
        sessions = []
        for browser in bench.browsers:
            http = site.session()
            site.sign_in(http, browser.email, _demo_password())
            sessions.append(http)

        baseline = Phase("no import running")
        stop = threading.Event()
        timer = threading.Timer(args.baseline, stop.set)
        timer.start()
        print(f"Browsing for {args.baseline:.0f} s with no import...", file=sys.stderr)
        browse(site, bench.browsers, sessions, baseline, stop, args.think)

        during = Phase(f"during a {bench.rows:,}-row marks import apply")
        stop = threading.Event()
        browsing = threading.Thread(
            target=browse, args=(site, bench.browsers, sessions, during, stop, args.think)
        )
        print("Applying the import while browsing...", file=sys.stderr)
        applied_at = time.perf_counter()
        ended = apply_import(site, bench)
        browsing.start()
        outcome = None
        while outcome is None:
            time.sleep(1)
            outcome = ended()
        apply_seconds = time.perf_counter() - applied_at
        stop.set()
        browsing.join()

        print()
        database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
        print(
            f"{args.users} signed-in teachers (mean pause {args.think:g} s), server threads {args.threads}, "
            f"database {database}; "
            f"the import {outcome} in {apply_seconds:.0f} s"
        )
        report([baseline, during])
    finally:
        for process in (server, worker):
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
    print(f"\nScratch database and server log: {workdir}", file=sys.stderr)


def _demo_password() -> str:
    from django.conf import settings

    return str(settings.TANDEM_DEMO_PASSWORD)


if __name__ == "__main__":
    main()
