"""`tandem backup`: the whole database into the backup folder, encrypted if the school set a passphrase."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.backups.selectors import backup_list
from tandem.backups.services import BackupError, backup_create, backups_prune


def size_text(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} bytes"


class Command(BaseCommand):
    help = (
        "Back up the whole database (SQLite: online, while Tandem runs; PostgreSQL: pg_dump) into the "
        "backup folder (TANDEM_BACKUP_DIR, default var/backups), encrypted with TANDEM_BACKUP_PASSPHRASE if "
        "it is set. "
        "`tandem restore FILE` puts one back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", help="Put the backup in this folder instead of TANDEM_BACKUP_DIR.")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Afterwards delete all but the newest TANDEM_BACKUP_KEEP backups (as the nightly job does).",
        )
        parser.add_argument(
            "--list", action="store_true", help="List the backups in the folder and make no new one."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options["dir"] or settings.TANDEM_BACKUP_DIR
        if options["list"]:
            entries = backup_list(folder=folder)
            if not entries:
                self.stdout.write(f"No backups in {folder}.")
            for entry in entries:
                self.stdout.write(f"{entry.path}  {entry.engine}  {size_text(entry.size)}")
            return
        try:
            info = backup_create(folder=folder)
            removed = backups_prune(folder=folder) if options["prune"] else []
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up to {info.path} ({size_text(info.size)})."))
        self.stdout.write(
            f"{len(info.tables)} tables, {info.rows} rows; "
            + ("encrypted with TANDEM_BACKUP_PASSPHRASE." if info.encrypted else "not encrypted.")
        )
        if not info.encrypted:
            self.stdout.write(
                "Anyone who can read this file can read every pupil's record: keep it private, or set "
                "TANDEM_BACKUP_PASSPHRASE to encrypt backups."
            )
        if removed:
            self.stdout.write(
                f"Deleted {len(removed)} older backups (keeping {settings.TANDEM_BACKUP_KEEP})."
            )
