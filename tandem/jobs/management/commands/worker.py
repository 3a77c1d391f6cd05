from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.crypto import get_random_string
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME

from tandem.jobs.worker import TandemWorker


class Command(BaseCommand):
    help = (
        "Run background jobs (imports, analyses, large downloads, emails, backups) until stopped. "
        "`tandem run` starts one beside the web server; run more on other machines for more throughput."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run every job waiting now, then stop (for scripts and tests).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between looks at the queue when idle (default 1).",
        )
        parser.add_argument("--max-jobs", type=int, default=None, help="Stop after this many jobs.")
        parser.add_argument(
            "--worker-id", default=None, help="A name unique among running workers (default: a random one)."
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Do not queue the daily jobs (nightly analyses, backup) from this worker.",
        )

        parser.add_argument(
            "--nice",
            type=int,
            default=10,
            help=(
                "How far to lower this process's CPU priority (0-19, default 10), so that on a machine it "
                "shares with the web server, people's pages come before a long import or analysis."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["nice"] <= 19:
            raise CommandError("--nice must be between 0 and 19.")
        if options["nice"] and hasattr(os, "nice"):
            os.nice(options["nice"])
        worker = TandemWorker(
            schedule=not options["no_schedule"],
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=options["max_jobs"],
            worker_id=options["worker_id"] or get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
