"""`tandem restore FILE`: check a backup through and through, then (after a yes) replace the database."""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.backups.management.commands.backup import size_text
from tandem.backups.services import BackupError, BackupInfo, backup_restore, backup_verify

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Command(BaseCommand):
    help = (
        "Restore the whole database from a backup made by `tandem backup`. The file is checked first "
        "(decrypted, every table's row count and checksum compared, SQLite's integrity check or a trial "
        "restore on PostgreSQL) and a damaged one is refused before anything is touched. Everything "
        "written since the backup is lost."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="The backup file, e.g. var/backups/tandem-20260514T020000Z-sqlite.backup"
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument("--check", action="store_true", help="Only check the backup; change nothing.")
        parser.add_argument(
            "--passphrase-env",
            metavar="VAR",
            help="Read the passphrase from this environment variable instead of TANDEM_BACKUP_PASSPHRASE "
            "(for a backup made with an earlier passphrase). Never type the passphrase on the command line.",
        )

    def _passphrase(self, variable: str | None) -> str | None:
        if variable is None:
            return None
        if not _ENV_NAME.match(variable):
            raise CommandError(
                "--passphrase-env takes the name of an environment variable, not the passphrase."
            )
        value = os.environ.get(variable)
        if not value:
            raise CommandError(f"The environment variable {variable} is not set or is empty.")
        return value

    def _describe(self, info: BackupInfo) -> None:
        self.stdout.write(
            f"{info.path.name}: {info.engine}, made {info.created} by Tandem {info.tandem_version}, "
            f"{len(info.tables)} tables, {info.rows} rows, {size_text(info.size)}"
            + (", encrypted." if info.encrypted else ".")
        )
        self.stdout.write("The backup is complete and undamaged.")
        for note in info.notes:
            self.stdout.write(note)

    def _confirm(self, info: BackupInfo) -> bool:
        self._describe(info)
        if self._yes:
            return True
        if not sys.stdin.isatty():
            raise CommandError("Nothing was changed: add --yes to restore without a question.")
        answer = input(
            "Replace the whole database with this backup? Everything written since it was made is lost. "
            "Type 'yes' to go on: "
        )
        return answer.strip().lower() == "yes"

    def handle(self, *args: Any, **options: Any) -> None:
        passphrase = self._passphrase(options["passphrase_env"])
        self._yes = options["yes"]
        try:
            if options["check"]:
                self._describe(backup_verify(path=options["file"], passphrase=passphrase))
                return
            info = backup_restore(path=options["file"], passphrase=passphrase, confirm=self._confirm)
        except BackupError as error:
            raise CommandError(f"{error}") from error
        if info is None:
            self.stdout.write("Nothing was changed.")
            return
        self.stdout.write(self.style.SUCCESS(f"Restored {info.path.name}: every table matches the backup."))
        self.stdout.write(
            "Next: run `tandem migrate` if the backup is from an older Tandem, restart the server, sign in "
            "and look at a few pupils and the audit trail."
        )
