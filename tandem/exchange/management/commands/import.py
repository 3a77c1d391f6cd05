from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.access.actor import Actor, actor_for
from tandem.exchange.models import KIND_NAMES
from tandem.exchange.selectors import import_preview
from tandem.exchange.services import (
    DEFAULT_SCALE,
    KINDS,
    ImportFailed,
    guess_file_kind,
    import_apply,
    import_discard,
    import_upload,
)
from tandem.people.models import Membership, Role
from tandem.schools.models import School


class ProgressBar:
    """A one-line bar on a terminal, a line every tenth of the way otherwise (logs stay readable)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.label = ""
        self.line_open = False  # a terminal bar drawn without its newline yet
        self.tty = stream.isatty()
        self.last_tenth = -1
        self.started = time.perf_counter()

    def __call__(self, stage: str, done: int, total: int) -> None:
        label = stage.capitalize()
        if label != self.label:
            if self.line_open:
                self.stream.write("\n")
                self.line_open = False
            self.label, self.last_tenth = label, -1
        share = done / total if total else 1.0
        if self.tty:
            filled = int(share * 30)
            bar = "#" * filled + "-" * (30 - filled)
            self.stream.write(f"\r{self.label} [{bar}] {share:4.0%} {done:,}/{total:,}")
            self.line_open = done < total
            if not self.line_open:
                self.stream.write("\n")
        elif int(share * 10) > self.last_tenth:
            self.last_tenth = int(share * 10)
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"{self.label}: {share:.0%} ({done:,} of {total:,}, {elapsed:.1f} s)\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import a file from the MIS into one school: pupils, SEN status and needs, or assessment results "
        "from CSV or Excel (.xlsx), or a Common Transfer File (--kind ctf). Prints the preview (errors and "
        "warnings by line); with --dry-run stops there, otherwise applies it in one transaction: every "
        "row or none. Rows with errors stop the import unless --skip-errors leaves them out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV, XLSX or CTF XML file.")
        parser.add_argument("--school", metavar="URN", required=True, help="The school, by its URN.")
        parser.add_argument(
            "--kind",
            choices=KINDS,
            help="What the file contains: %(choices)s. Without it, Tandem goes by the file's columns "
            "(XML is a CTF) and says what it read the file as.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and change nothing.")
        parser.add_argument(
            "--skip-errors", action="store_true", help="Leave out rows with errors and import the rest."
        )
        parser.add_argument(
            "--scale", default=DEFAULT_SCALE, help="Scale of results when the file has no Scale column."
        )
        parser.add_argument(
            "--as",
            dest="as_email",
            metavar="EMAIL",
            help="The member of staff the import is recorded against (default: the school's first school "
            "admin; the SENCo for SEN files).",
        )
        parser.add_argument("--max-issues", type=int, default=50, help="Errors and warnings to print.")

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(urn=options["school"]).first()
        if school is None:
            raise CommandError(f"No school has URN {options['school']}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        data = path.read_bytes()
        kind = options["kind"] or self._guess(path.name, data)
        actor = self._actor(school, kind, options["as_email"])
        try:
            record = import_upload(
                actor=actor,
                kind=kind,
                file_name=path.name,
                data=data,
                default_scale=options["scale"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        preview = import_preview(actor=actor, record=record)
        self._report(preview, options["max_issues"])
        if preview.plan is None:
            import_discard(actor=actor, record_id=record.pk)
            raise CommandError("The columns could not be matched; nothing was imported.")
        if options["dry_run"]:
            import_discard(actor=actor, record_id=record.pk)
            self.stdout.write("Dry run: nothing was changed.")
            return
        # The wrapped stream itself: the bar writes its own line endings.
        bar = ProgressBar(getattr(self.stderr, "_out", sys.stderr))
        try:
            applied = import_apply(
                actor=actor, record_id=record.pk, skip_errors=options["skip_errors"], progress=bar
            )
        except ValidationError as error:
            import_discard(actor=actor, record_id=record.pk)
            raise CommandError(" ".join(error.messages) + " Nothing was changed.") from error
        except ImportFailed as error:
            raise CommandError(
                f"The database refused a write, so nothing was changed (import {error}). Run it again."
            ) from error
        self.stdout.write(
            f"Imported {record.file_name}: {applied.created} added, {applied.updated} changed, "
            f"{applied.unchanged} already up to date, {len(applied.skipped)} rows left out. "
            f"Import record {applied.pk}."
        )

    def _guess(self, file_name: str, data: bytes) -> str:
        try:
            kind = guess_file_kind(file_name, data)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if kind is None:
            raise CommandError(
                f"Tandem cannot tell what this file contains: say it with --kind ({', '.join(KINDS)})."
            )
        self.stdout.write(f"Read as: {KIND_NAMES[kind]} (say --kind otherwise).")
        return kind

    def _actor(self, school: School, kind: str, email: str | None) -> Actor:
        roles = [Role.SENCO] if kind == "sen" else [Role.SCHOOL_ADMIN, Role.SENCO]
        memberships = Membership.objects.filter(school=school, is_active=True, role__in=roles)
        if email:
            memberships = memberships.filter(user__email=email.strip().lower())
        chosen = sorted(memberships.select_related("user"), key=lambda m: (roles.index(Role(m.role)), m.pk))
        if not chosen:
            who = email or " or ".join(r.label for r in roles)
            raise CommandError(f"No {who} at this school can import this kind of file.")
        actor = actor_for(chosen[0].user, chosen[0].pk)
        assert actor is not None
        return actor

    def _report(self, preview: Any, max_issues: int) -> None:
        out = self.stdout
        for notice in preview.file_notices:
            out.write(f"Note: {notice}")
        if preview.same_file_before is not None:
            out.write(f"This file was imported before (import {preview.same_file_before.pk}).")
        if preview.match is not None:
            for problem in preview.match.problems:
                out.write(f"Columns: {problem.message}")
        plan = preview.plan
        if plan is None:
            return
        out.write(
            f"{plan.rows_total:,} rows: {plan.created:,} to add, {plan.updated:,} to change, "
            f"{plan.unchanged:,} unchanged; {len(plan.error_lines):,} with errors, "
            f"{len(plan.warning_lines):,} with warnings."
        )
        for issue in plan.listed_issues()[:max_issues]:
            kind = "error" if issue.is_error else "warning"
            out.write(f"  line {issue.line}: {issue.field}: {kind}: {issue.message}")
        if len(plan.issues) > max_issues:
            out.write(f"  ... and {len(plan.issues) - max_issues:,} more (--max-issues).")
