"""Reads: the backups in a folder, and the live database's row counts and checksums."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from tandem.backups.checksums import TableSum, database_sums

# tandem-20260514T020000Z-sqlite.backup (a second backup in the same second: ...Z-1-sqlite.backup).
BACKUP_NAME = re.compile(r"^tandem-(\d{8}T\d{6}Z)(?:-(\d+))?-(sqlite|postgresql)\.backup$")


@dataclass(frozen=True)
class BackupEntry:
    path: Path
    created: str
    engine: str
    size: int


def backup_list(*, folder: Path | str | None = None) -> list[BackupEntry]:
    """Tandem's backups in the folder, newest first, by the UTC time in their names."""
    path = Path(folder if folder is not None else settings.TANDEM_BACKUP_DIR)
    if not path.is_dir():
        return []
    found = []
    for item in path.iterdir():
        match = BACKUP_NAME.match(item.name)
        if match and item.is_file():
            found.append((match.group(1), int(match.group(2) or 0), match.group(3), item))
    found.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [
        BackupEntry(path=item, created=stamp, engine=engine, size=item.stat().st_size)
        for stamp, _counter, engine, item in found
    ]


def database_checksums() -> dict[str, TableSum]:
    """Every table's row count and order-free checksum in the live database, as in a backup's manifest."""
    with transaction.atomic(), connection.cursor() as cursor:
        return database_sums(cursor, connection.vendor)
