"""`tandem audit verify` walks the audit chain and reports the first broken link; `tandem audit seal`
seals the events written since the worker last did (it does so every 20 seconds); `tandem audit protect`
puts back the append-only triggers if someone dropped them (`tandem check` says so)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from tandem.audit import triggers
from tandem.audit.chain import audit_seal, audit_verify


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain (verify), seal the newest events into it (seal), or put back "
        "the audit tables' append-only triggers (protect)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal", "protect"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"Sealed {audit_seal():,} audit events.")
            return
        if options["action"] == "protect":
            triggers.install(connection)
            self.stdout.write("The audit tables are append-only again (their triggers are in place).")
            return
        report = audit_verify()
        waiting = (
            f" {report.unsealed:,} newer events are not sealed yet (the worker seals them within a minute)."
            if report.unsealed
            else ""
        )
        if not report.intact:
            raise CommandError(
                f"The audit chain is broken at seal {report.broken_at_seal:,} "
                f"(event {report.broken_at_event}): {report.problem}. "
                f"The {report.sealed:,} events sealed before it are intact.{waiting}"
            )
        self.stdout.write(f"The audit chain is intact: {report.sealed:,} events sealed.{waiting}")
