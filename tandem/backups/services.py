"""Backups of the whole database to a folder, checked restores, and pruning to a retention count.

SQLite: the online backup API copies a consistent snapshot while the server keeps running (WAL lets its
writers carry on). PostgreSQL: `pg_dump --format=custom`, run on a snapshot exported from a
repeatable-read transaction in which the row counts and checksums are taken too, so the manifest and
the dump describe the same moment.

A restore checks everything before it touches the database: the seal (encrypted) or digest (plain)
of the file, the manifest, the database copy itself (SQLite: `PRAGMA integrity_check`; PostgreSQL:
`pg_restore --list` and a full restore into a scratch database), and every table's row count and
checksum against the manifest. Only then is the live database replaced:

- SQLite, through the backup API from the checked copy into the live database. This works whether or
  not the server is running: the copy takes SQLite's write lock, so the server's requests wait (up to
  their 30-second timeout) and never see half a database, and SQLite keeps the WAL and shared-memory
  files consistent. Swapping the file on disk instead is unsafe while anything has it open: a server's
  open connection and its `-wal` file would go on writing into the old file or replay old pages into
  the new one.
- PostgreSQL, with `pg_restore --clean --if-exists --single-transaction`: all of it or none of it.

Commands and the nightly job call these functions; there is no web page for them (only someone with the
server's shell and the database's credentials can restore anything).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tandem.audit.services import audit_record
from tandem.audit.spool import audit_spool_drain
from tandem.backups import container
from tandem.backups.checksums import TableSum, applied_migrations, database_sums
from tandem.backups.container import BackupError, BackupFileError, WrongPassphrase

__all__ = [
    "BackupError",
    "BackupFileError",
    "BackupInfo",
    "WrongPassphrase",
    "backup_create",
    "backup_nightly",
    "backup_restore",
    "backup_verify",
    "backups_prune",
]

MANIFEST = "manifest.json"
_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_COPY_BLOCK = 1 << 20
_MAX_MANIFEST = 16 * 1024 * 1024
_TOOL_TIMEOUT = 6 * 60 * 60


@dataclass
class BackupInfo:
    """What a backup holds (from its manifest, once checked), and what was found checking it."""

    path: Path
    engine: str
    created: str
    tandem_version: str
    encrypted: bool
    tables: dict[str, TableSum]
    size: int
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(table["rows"] for table in self.tables.values())


# ---------------------------------------------------------------- helpers
def _engine() -> str:
    vendor = connection.vendor
    if vendor not in _MEMBERS:
        raise BackupError(f"Tandem backs up SQLite and PostgreSQL databases, not {vendor}.")
    return vendor


def _folder(folder: Path | str | None) -> Path:
    path = Path(folder if folder is not None else settings.TANDEM_BACKUP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        # Backups hold every pupil's record: only the account Tandem runs as may read them.
        path.chmod(0o700)
    return path


def _passphrase(passphrase: str | None) -> str:
    return settings.TANDEM_BACKUP_PASSPHRASE if passphrase is None else passphrase


def _tandem_version() -> str:
    try:
        return importlib.metadata.version("tandem")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _not_in_transaction(doing: str) -> None:
    # Both engines must see committed data only: a backup from inside a transaction would include
    # uncommitted rows (SQLite) or fail to start its snapshot (PostgreSQL), and a restore cannot run
    # inside one at all.
    if connection.in_atomic_block:
        raise BackupError(f"Cannot {doing} inside a database transaction.")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _file_digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as source:
        while block := source.read(_COPY_BLOCK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _new_name(folder: Path, created: dt.datetime, engine: str) -> Path:
    from tandem.backups.selectors import BACKUP_NAME

    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    # A second backup in the same second gets a counter above every one of that second still here, so
    # the names keep sorting in the order the backups were made (pruning relies on it).
    taken = [
        int(match.group(2) or 0)
        for item in folder.iterdir()
        if (match := BACKUP_NAME.match(item.name)) and match.group(1) == stamp
    ]
    if not taken:
        return folder / f"tandem-{stamp}-{engine}.backup"
    return folder / f"tandem-{stamp}-{max(taken) + 1}-{engine}.backup"


# ---------------------------------------------------------------- PostgreSQL tools
def _pg_env(database: str | None = None) -> dict[str, str]:
    """The environment pg_dump and pg_restore connect with: the password never goes on a command line."""
    params = connection.settings_dict
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", params.get("HOST")),
        ("PGPORT", params.get("PORT")),
        ("PGUSER", params.get("USER")),
        ("PGPASSWORD", params.get("PASSWORD")),
        ("PGDATABASE", database or params.get("NAME")),
    ):
        if value:
            env[variable] = str(value)
    options = params.get("OPTIONS", {})
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return env


def _pg_tool(name: str) -> str:
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on the PATH. Install the PostgreSQL client tools, version {server_major} "
            f"or newer (on Debian or Ubuntu: apt-get install postgresql-client-{server_major})."
        )
    # The tool's absolute path from shutil.which and fixed arguments: no shell, nothing from a user.
    result = subprocess.run(  # noqa: S603
        [path, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    found = re.search(r"(\d+)(?:\.\d+)*", result.stdout)
    if result.returncode != 0 or found is None:
        raise BackupError(f"Could not tell which version {path} is.")
    major = int(found.group(1))
    if major < server_major:
        raise BackupError(
            f"{path} is version {major} but the database server is version {server_major}: an older "
            f"{name} cannot read a newer server. Install the version {server_major} client tools and put "
            "them first on the PATH."
        )
    return path


def _run_tool(arguments: list[str], env: dict[str, str], failure: str) -> str:
    # Argument lists (never a shell) of a tool found by _pg_tool, file paths Tandem made, and the database
    # name from settings; the password travels in the environment.
    result = subprocess.run(  # noqa: S603
        arguments, capture_output=True, text=True, env=env, timeout=_TOOL_TIMEOUT, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{failure}: " + (detail[-1] if detail else f"exit status {result.returncode}"))
    return result.stdout


def _pg_dump(target: Path) -> tuple[dict[str, TableSum], list[tuple[str, str]]]:
    pg_dump = _pg_tool("pg_dump")
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        sums = database_sums(cursor, "postgresql")
        migrations = applied_migrations(cursor)
        # pg_dump reads the very snapshot the sums came from, while this transaction holds it open.
        _run_tool(
            [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"],
            _pg_env(),
            "pg_dump failed",
        )
    return sums, migrations


# ---------------------------------------------------------------- SQLite copy
def _sqlite_copy(target: Path) -> tuple[dict[str, TableSum], list[tuple[str, str]]]:
    connection.ensure_connection()
    live = connection.connection
    copy = sqlite3.connect(target)
    try:
        # One step: the whole database from one read snapshot; the server's writers go on under WAL.
        live.backup(copy)
        # A plain rollback-journal file: a single self-contained file that opens read-only anywhere.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        return database_sums(cursor, "sqlite"), applied_migrations(cursor)
    finally:
        copy.close()


# ---------------------------------------------------------------- writing
def _write_file(
    out_path: Path,
    *,
    engine: str,
    database: Path,
    manifest: dict[str, Any],
    created: str,
    passphrase: str,
) -> None:
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
    # pg_dump's custom format is compressed already; an SQLite file is not.
    mode = "w|gz" if engine == "sqlite" else "w|"
    with out_path.open("xb") as raw:
        payload = container.open_writer(raw, {"engine": engine, "created": created}, passphrase)
        with tarfile.open(fileobj=payload, mode=mode) as tar:  # type: ignore[call-overload]
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(manifest_bytes), 0o600
            info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
            tar.addfile(info, _BytesReader(manifest_bytes))
            info = tarfile.TarInfo(_MEMBERS[engine])
            info.size, info.mode, info.mtime = database.stat().st_size, 0o600, info.mtime
            with database.open("rb") as source:
                tar.addfile(info, source)
        payload.close()
        raw.flush()
        os.fsync(raw.fileno())


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, size: int = -1) -> bytes:
        size = len(self._data) if size < 0 else size
        chunk, self._data = self._data[:size], self._data[size:]
        return chunk


def backup_create(*, folder: Path | str | None = None, passphrase: str | None = None) -> BackupInfo:
    """Back up the whole database into `folder` (default TANDEM_BACKUP_DIR), encrypted if a passphrase is set.

    Not one transaction, unlike other services: the backup must read committed data only, so the audit
    event is written once the file is safely in place.
    """
    engine = _engine()
    _not_in_transaction("make a backup")
    audit_spool_drain()  # so the backup holds every event recorded so far
    folder = _folder(folder)
    passphrase = _passphrase(passphrase)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    work = Path(tempfile.mkdtemp(prefix=".tandem-backup-", dir=folder))
    try:
        database = work / _MEMBERS[engine]
        if engine == "sqlite":
            sums, migrations = _sqlite_copy(database)
        else:
            sums, migrations = _pg_dump(database)
        size, digest = _file_digest(database)
        manifest = {
            "format": container.FORMAT_VERSION,
            "engine": engine,
            "created": created,
            "tandem_version": _tandem_version(),
            "database": {"name": _MEMBERS[engine], "size": size, "sha256": digest},
            "tables": sums,
            "migrations": [list(pair) for pair in migrations],
        }
        staged = work / "backup"
        _write_file(
            staged,
            engine=engine,
            database=database,
            manifest=manifest,
            created=created,
            passphrase=passphrase,
        )
        staged.chmod(0o600)
        final = _new_name(folder, now, engine)
        # Atomic: the folder never holds a half-written backup under a backup's name.
        os.replace(staged, final)
        _fsync_dir(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with transaction.atomic():
        audit_record(actor=None, action="backup.create", target_type="backup", target_id=final.name[:64])
    return BackupInfo(
        path=final,
        engine=engine,
        created=created,
        tandem_version=manifest["tandem_version"],  # type: ignore[arg-type]
        encrypted=bool(passphrase),
        tables=sums,
        size=final.stat().st_size,
    )


# ---------------------------------------------------------------- reading and checking
def _copy_member(source: IO[bytes], target: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with target.open("xb") as out:
        while block := source.read(_COPY_BLOCK):
            digest.update(block)
            size += len(block)
            out.write(block)
    return size, digest.hexdigest()


def _check_manifest(manifest: Any, header: dict[str, Any]) -> dict[str, Any]:
    damaged = BackupFileError("The backup's manifest is damaged.")
    if not isinstance(manifest, dict):
        raise damaged
    database, tables = manifest.get("database"), manifest.get("tables")
    engine = manifest.get("engine")
    if engine not in _MEMBERS or engine != header.get("engine") or manifest.get("format") != header["format"]:
        raise damaged
    if not isinstance(database, dict) or database.get("name") != _MEMBERS[engine]:
        raise damaged
    if not isinstance(tables, dict) or not isinstance(manifest.get("migrations"), list):
        raise damaged
    return manifest


def _extract(path: Path, passphrase: str, work: Path) -> tuple[dict[str, Any], dict[str, Any], Path]:
    """Open, decrypt and unpack the backup into `work`, checking the database file against the manifest."""
    try:
        raw = path.open("rb")
    except OSError as error:
        raise BackupError(f"Cannot open {path}: {error.strerror or error}.") from None
    with raw:
        header, payload = container.open_reader(raw, passphrase)
        try:
            with tarfile.open(fileobj=payload, mode="r|*") as tar:
                member = tar.next()
                if member is None or member.name != MANIFEST or not member.isfile():
                    raise BackupFileError("The backup has no manifest: it is damaged or not a Tandem backup.")
                if member.size > _MAX_MANIFEST:
                    raise BackupFileError("The backup's manifest is damaged.")
                stream = tar.extractfile(member)
                assert stream is not None
                try:
                    manifest = _check_manifest(json.loads(stream.read().decode("utf-8")), header)
                except (UnicodeDecodeError, ValueError):
                    raise BackupFileError("The backup's manifest is damaged.") from None
                expected = manifest["database"]
                member = tar.next()
                if member is None or member.name != expected["name"] or not member.isfile():
                    raise BackupFileError("The backup is cut short: the database is missing from it.")
                stream = tar.extractfile(member)
                assert stream is not None
                database = work / expected["name"]
                size, digest = _copy_member(stream, database)
                if tar.next() is not None:
                    raise BackupFileError("The backup holds more than a Tandem backup should.")
            # Read to the very end, so the last seal (encrypted) or the digest (plain) is checked too.
            while payload.read(_COPY_BLOCK):
                pass
        except (tarfile.TarError, EOFError, zlib.error) as error:
            raise BackupFileError(f"The backup is damaged or cut short ({error}).") from None
        except OSError as error:
            if isinstance(error, BackupError):
                raise
            raise BackupFileError(f"The backup is damaged or cut short ({error}).") from None
    if (size, digest) != (expected.get("size"), expected.get("sha256")):
        raise BackupFileError("The backup is damaged: its database does not match the manifest's digest.")
    return header, manifest, database


def _compare(found: dict[str, TableSum], expected: dict[str, Any], where: str) -> None:
    if found == expected:
        return
    differing = sorted(
        set(found) ^ set(expected) | {t for t in found if t in expected and found[t] != expected[t]}
    )
    shown = ", ".join(differing[:5]) + (" and more" if len(differing) > 5 else "")
    raise BackupFileError(f"{where} does not match the manifest ({len(differing)} tables differ: {shown}).")


def _check_migrations(manifest: dict[str, Any], notes: list[str]) -> None:
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    installed = {config.label for config in apps.get_app_configs()}
    in_backup = {(app, name) for app, name in manifest["migrations"]}
    newer = {pair for pair in in_backup - known if pair[0] in installed}
    if newer:
        raise BackupError(
            f"This backup was made by a newer version of Tandem (version {manifest.get('tandem_version')}, "
            f"{len(newer)} database changes this version does not know). Upgrade Tandem, then restore."
        )
    if known - in_backup:
        notes.append("The backup is from an older version of Tandem: run `tandem migrate` after restoring.")


def _verify_sqlite(database: Path, manifest: dict[str, Any]) -> None:
    try:
        copy = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupFileError(f"The backup's database cannot be opened ({error}).") from None
    try:
        cursor = copy.cursor()
        problems = [row[0] for row in cursor.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise BackupFileError(f"The backup's database fails SQLite's integrity check ({problems[0]}).")
        _compare(database_sums(cursor, "sqlite"), manifest["tables"], "The backup's database")
        if [list(pair) for pair in applied_migrations(cursor)] != manifest["migrations"]:
            raise BackupFileError("The backup's database does not match the manifest's migrations.")
    except sqlite3.DatabaseError as error:
        raise BackupFileError(f"The backup's database is damaged ({error}).") from None
    finally:
        copy.close()


@contextlib.contextmanager
def _scratch_database() -> Iterator[str | None]:
    """A new, empty database to restore into, dropped afterwards; None if this user may not create one."""
    name = f"tandem_verify_{os.urandom(6).hex()}"
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    except DatabaseError:
        yield None
        return
    try:
        yield name
    finally:
        _drop_database(name)


def _drop_database(name: str) -> None:
    # Not WITH (FORCE): that would also try to end the server's own autovacuum worker, which an ordinary
    # user may not; a plain DROP asks autovacuum to step aside, and is retried while it does.
    for attempt in range(10):
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            return
        except DatabaseError:
            if attempt == 9:
                raise
            time.sleep(0.5 * (attempt + 1))


def _verify_postgresql(database: Path, manifest: dict[str, Any], notes: list[str]) -> None:
    import psycopg

    pg_restore = _pg_tool("pg_restore")
    try:
        _run_tool([pg_restore, "--list", str(database)], _pg_env(), "pg_restore cannot read it")
    except BackupError as error:
        raise BackupFileError(f"The backup's database dump is damaged ({error}).") from None
    with _scratch_database() as scratch:
        if scratch is None:
            notes.append(
                "Checked the dump's table of contents only: the database user may not create a scratch "
                "database (CREATEDB) to restore it into first."
            )
            return
        try:
            _run_tool(
                [
                    pg_restore,
                    "--no-password",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={scratch}",
                    str(database),
                ],
                _pg_env(scratch),
                "pg_restore failed",
            )
        except BackupError as error:
            raise BackupFileError(
                f"The backup does not restore cleanly into a scratch database ({error})."
            ) from None
        params = connection.get_connection_params()
        params["dbname"] = scratch
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params) as scratch_connection, scratch_connection.cursor() as cursor:
            sums = database_sums(cursor, "postgresql")
            migrations = applied_migrations(cursor)
    _compare(sums, manifest["tables"], "The backup, restored into a scratch database,")
    if [list(pair) for pair in migrations] != manifest["migrations"]:
        raise BackupFileError("The backup's database does not match the manifest's migrations.")
    notes.append("Restored into a scratch database first: every table matches the manifest.")


@contextlib.contextmanager
def _verified(path: Path | str, passphrase: str | None) -> Iterator[tuple[BackupInfo, Path]]:
    path = Path(path)
    engine = _engine()
    work = Path(tempfile.mkdtemp(prefix=".tandem-restore-", dir=_folder(None)))
    try:
        header, manifest, database = _extract(path, _passphrase(passphrase), work)
        if manifest["engine"] != engine:
            names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
            raise BackupError(
                f"This is a {names[manifest['engine']]} backup, and this Tandem uses {names[engine]}: "
                "restore it to the kind of database it came from."
            )
        info = BackupInfo(
            path=path,
            engine=engine,
            created=str(manifest.get("created", "")),
            tandem_version=str(manifest.get("tandem_version", "")),
            encrypted=header.get("encryption") is not None,
            tables=manifest["tables"],
            size=path.stat().st_size,
        )
        _check_migrations(manifest, info.notes)
        if engine == "sqlite":
            _verify_sqlite(database, manifest)
        else:
            _verify_postgresql(database, manifest, info.notes)
        yield info, database
    finally:
        shutil.rmtree(work, ignore_errors=True)


def backup_verify(*, path: Path | str, passphrase: str | None = None) -> BackupInfo:
    """Check a backup completely without touching the database; raise BackupError saying what is wrong."""
    _not_in_transaction("check a backup")
    with _verified(path, passphrase) as (info, _database):
        return info


# ---------------------------------------------------------------- restoring
def backup_restore(
    *,
    path: Path | str,
    passphrase: str | None = None,
    confirm: Callable[[BackupInfo], bool] | None = None,
) -> BackupInfo | None:
    """Check the backup, ask `confirm` (if given), then replace the whole database with it.

    Returns None if `confirm` said no. Everything in the database since the backup is lost, the audit
    trail included; the restore itself is then the first new audit event.
    """
    _not_in_transaction("restore a backup")
    with _verified(path, passphrase) as (info, database):
        if confirm is not None and not confirm(info):
            return None
        if info.engine == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
            try:
                source.backup(connection.connection)
            except sqlite3.Error as error:
                raise BackupError(
                    f"The restore failed and the database was left as it was ({error})."
                ) from None
            finally:
                source.close()
        else:
            pg_restore = _pg_tool("pg_restore")
            # Django's own connection holds no locks between statements; close it anyway so nothing
            # cached from the old database is used afterwards.
            connection.close()
            _run_tool(
                [
                    pg_restore,
                    "--no-password",
                    "--clean",
                    "--if-exists",
                    "--single-transaction",
                    "--exit-on-error",
                    "--no-owner",
                    "--no-privileges",
                    f"--dbname={connection.settings_dict['NAME']}",
                    str(database),
                ],
                _pg_env(),
                "The restore failed and the database was left as it was",
            )
    # The database must now be exactly the backup; say so loudly if it is not.
    with transaction.atomic():
        with connection.cursor() as cursor:
            found = database_sums(cursor, info.engine)
        if found != info.tables:
            raise BackupError(
                "The restore finished but the database does not match the backup. Restore again."
            )
        audit_record(actor=None, action="backup.restore", target_type="backup", target_id=info.path.name[:64])
    return info


# ---------------------------------------------------------------- retention
def backups_prune(*, keep: int | None = None, folder: Path | str | None = None) -> list[Path]:
    """Delete all but the newest `keep` backups (default TANDEM_BACKUP_KEEP). Other files are left alone."""
    keep = settings.TANDEM_BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError("Keep at least one backup (TANDEM_BACKUP_KEEP is below 1).")
    from tandem.backups.selectors import backup_list

    backups = backup_list(folder=_folder(folder))
    removed = [entry.path for entry in backups[keep:]]
    for path in removed:
        path.unlink(missing_ok=True)
    if removed:
        with transaction.atomic():
            audit_record(actor=None, action="backup.prune", target_type="backup", target_id=len(removed))
    return removed


def backup_nightly() -> BackupInfo:
    """The nightly job: one backup, then keep the newest TANDEM_BACKUP_KEEP."""
    info = backup_create()
    backups_prune()
    return info
