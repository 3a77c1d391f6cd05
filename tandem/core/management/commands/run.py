from __future__ import annotations

import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tandem.core.logging import logging_config
from tandem.schools.models import School

logger = logging.getLogger(__name__)

DEMO_SECOND_FACTOR_HELP = (
    "SENCo, head, admin and trust sign-ins also ask for a 6-digit code: add the authenticator secret to an "
    "app such as Microsoft or Google Authenticator, or type the recovery code (once), or run "
    "`tandem democode EMAIL` for the current code."
)


def _log_to_file(chosen: str) -> Path:
    """Send this process's log lines, and its worker's (through the environment), to a file."""
    path = Path(chosen or settings.TANDEM_LOG_FILE or settings.VAR_DIR / "tandem.log")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["TANDEM_LOG_FILE"] = str(path)
    level = logging.getLevelName(logging.getLogger().level)
    config = logging_config(level=level, log_file=str(path))
    # Loading the web application runs Django's set-up again, which applies settings.LOGGING once more.
    settings.LOGGING = config
    logging.config.dictConfig(config)
    return path


class Command(BaseCommand):
    help = (
        "Get Tandem running on this machine: create or update the database, build the demo trust if the "
        "database is empty, print the demo sign-ins, and serve the site (by default on "
        "http://127.0.0.1:8000/) with a background worker beside it for imports, analyses and emails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1: this machine only)."
        )
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument(
            "--no-demo",
            action="store_true",
            help="Do not build the demo trust, even if the database is empty.",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the database and stop without serving."
        )
        parser.add_argument(
            "--threads", type=int, default=8, help="Worker threads for the web server (default 8)."
        )
        parser.add_argument(
            "--log-file",
            default="",
            help="Where the server and worker write their log lines (default: TANDEM_LOG_FILE, else "
            "var/tandem.log). Only warnings and errors also appear here in the terminal.",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start a background worker (run `tandem worker` yourself, here or elsewhere).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_serve"]:
            log_file = _log_to_file(options["log_file"])
            self.stdout.write(f"Log lines (page views, audit events, jobs) are written to {log_file}.")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database is up to date.")
        from tandem.demo.loader import demo_analyse, demo_logins, format_logins, load_demo

        if not options["no_demo"] and not School.objects.exists():
            self.stdout.write("The database is empty: building the demo trust (a few seconds)...")
            report = load_demo(
                seed=2026,
                as_of=timezone.localdate(),
                schools=2,
                pupils_per_school=None,
                progress=lambda message: self.stderr.write(message),
            )
            self.stdout.write(f"Demo built in {report.seconds:.1f} s.")
            demo_analyse(progress=lambda message: self.stderr.write(message))
            self.stdout.write("Progress analysed at every school: the flags are ready.")
        lines = format_logins(demo_logins())
        if lines:
            self.stdout.write("")
            self.stdout.write(
                f"Demo sign-ins (the password for all of them is {settings.TANDEM_DEMO_PASSWORD}):"
            )
            for line in lines:
                self.stdout.write(f"  {line}")
            self.stdout.write("")
            self.stdout.write(DEMO_SECOND_FACTOR_HELP)
            if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
                self.stdout.write(
                    "Emails (invitations, password resets) go to the outbox folder "
                    f"{settings.EMAIL_FILE_PATH}, one file per message: no mail server is set up "
                    "(TANDEM_EMAIL_HOST)."
                )
        if options["no_serve"]:
            return
        from waitress import serve

        from tandem.wsgi import application

        url = f"http://{options['host']}:{options['port']}/"
        worker = None
        if not options["no_worker"]:
            # A process of its own, as in production: a job never holds up a page, and survives a reload.
            worker = subprocess.Popen([sys.executable, "-c", "from tandem.cli import main; main()", "worker"])
            self.stdout.write("A background worker is running beside the web server.")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Tandem is running at {url} (press Ctrl+C to stop)."))
        logger.info("serving at %s", url)
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                ident="Tandem",
            )
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
