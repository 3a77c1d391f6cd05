"""Backups and restores on the real database engines, with real files: issue 13's acceptance 6.

Every test here needs committed data (a backup reads what other connections can see, and pg_dump is another
process), so they use `transactional_db`. The SQLite test database is a file (tandem/settings.py's TEST
NAME), but the backup and restore would work on an in-memory one too: both go through Django's own
connection with SQLite's backup API, never by opening the file by name.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.backups import container
from tandem.backups.checksums import rows_checksum
from tandem.backups.selectors import backup_list, database_checksums
from tandem.backups.services import (
    BackupError,
    BackupFileError,
    WrongPassphrase,
    backup_create,
    backup_nightly,
    backup_restore,
    backup_verify,
    backups_prune,
)
from tandem.people.models import Membership
from tandem.people.services import membership_deactivate
from tandem.schools.models import School
from tandem.schools.services import school_create

PASSPHRASE = "rowan-class-pencil-harbour"

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="DATABASE_URL is not SQLite")
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="DATABASE_URL is not PostgreSQL: run the suite on it too"
)


@pytest.fixture
def folder(tmp_path, settings):
    settings.TANDEM_BACKUP_DIR = tmp_path / "backups"
    settings.TANDEM_BACKUP_PASSPHRASE = ""
    settings.TANDEM_BACKUP_KEEP = 14
    return settings.TANDEM_BACKUP_DIR


def _change_data_through_services(world) -> None:
    """A new school with its admin, and a teacher's role taken away: rows added and rows changed."""
    school_create(
        name="Hazel Primary",
        urn="912399",
        phase="primary",
        lowest_year=0,
        highest_year=6,
        admin_email="hazel.admin@test.example",
        admin_name="Hazel Admin",
        base_url="http://testserver",
    )
    membership_deactivate(actor=actor_for(world.a.admin), membership_id=world.a.teacher.memberships.get().pk)


def _round_trip(world, folder, passphrase: str = "") -> None:
    info = backup_create(passphrase=passphrase)
    assert info.path.parent == folder and info.path.exists()
    assert info.engine in info.path.name and info.encrypted is bool(passphrase)
    # The manifest's sums are the database's at the moment of the backup (the backup's own audit event
    # comes after).
    at_backup = info.tables
    assert at_backup["people_membership"]["rows"] > 0

    _change_data_through_services(world)
    changed = database_checksums()
    assert changed != at_backup
    assert changed["schools_school"]["rows"] == at_backup["schools_school"]["rows"] + 1

    restored = backup_restore(path=info.path, passphrase=passphrase)
    assert restored is not None

    now = database_checksums()
    # Equal to the backup in every table but the audit trail, which has exactly one more event: the restore.
    audit = "audit_auditevent"
    assert {t: s for t, s in now.items() if t != audit} == {t: s for t, s in at_backup.items() if t != audit}
    assert now[audit]["rows"] == at_backup[audit]["rows"] + 1
    assert not School.objects.filter(urn="912399").exists()
    assert Membership.objects.get(user=world.a.teacher).is_active
    last = AuditEvent.objects.order_by("-id").first()
    assert (last.action, last.target_type, last.target_id) == ("backup.restore", "backup", info.path.name)


# ---------------------------------------------------------------- checksums
def test_it_checksums_rows_the_same_whatever_their_order():
    rows = [f"{n},'pupil {n}',{n * 0.5}" for n in range(200)]
    shuffled = rows[:]
    random.Random(4).shuffle(shuffled)
    assert rows_checksum(rows) == rows_checksum(shuffled)
    assert rows_checksum(rows)["rows"] == 200
    changed = [*rows[:-1], "199,'pupil 199',99.0"]
    assert rows_checksum(changed) != rows_checksum(rows)
    # A duplicated row is not cancelled out (as it would be with XOR).
    assert rows_checksum([*rows, rows[0], rows[0]])["checksum"] != rows_checksum(rows)["checksum"]


# ---------------------------------------------------------------- round trips
@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_it_restores_the_database_as_it_was_at_the_backup_on_sqlite(world, folder):
    _round_trip(world, folder)


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_it_restores_an_encrypted_backup_on_sqlite(world, folder):
    _round_trip(world, folder, passphrase=PASSPHRASE)


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_restores_the_database_as_it_was_at_the_backup_on_postgresql(world, folder):
    _round_trip(world, folder, passphrase=PASSPHRASE)


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_checks_a_postgresql_backup_by_restoring_it_into_a_scratch_database(world, folder):
    def scratch_databases():
        with connection.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'tandem_verify_%'")
            return {row[0] for row in cursor.fetchall()}

    before = scratch_databases()
    info = backup_create()
    checked = backup_verify(path=info.path)
    assert any("Restored into a scratch database first" in note for note in checked.notes)
    # ... and dropped again.
    assert scratch_databases() == before


@pytest.mark.django_db(transaction=True)
def test_it_records_backups_and_restores_in_the_audit_trail_without_secrets(world, folder):
    info = backup_create(passphrase=PASSPHRASE)
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.target_id, event.actor_id) == ("backup.create", info.path.name, None)
    backup_restore(path=info.path, passphrase=PASSPHRASE)
    events = list(AuditEvent.objects.filter(action__startswith="backup.").values_list("action", flat=True))
    # The restore put back the audit trail as it was before the backup's own event, then added its own.
    assert events == ["backup.restore"]
    for row in AuditEvent.objects.values("target_id", "fields", "request_id"):
        assert PASSPHRASE not in json.dumps(row)


# ---------------------------------------------------------------- refusals
def _flip_bytes(path: Path, where: float) -> None:
    data = bytearray(path.read_bytes())
    position = int(len(data) * where)
    for offset in range(4):
        data[position + offset] ^= 0xA5
    path.write_bytes(bytes(data))


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _assert_refused_and_untouched(path: Path, passphrase: str, error: type[Exception]) -> None:
    before = database_checksums()
    events = AuditEvent.objects.count()
    with pytest.raises(error):
        backup_restore(path=path, passphrase=passphrase)
    assert database_checksums() == before
    assert AuditEvent.objects.count() == events
    assert School.objects.filter(urn="912399").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("passphrase", ["", PASSPHRASE], ids=["plain", "encrypted"])
@pytest.mark.parametrize("where", [0.3, 0.6, 0.97])
def test_it_refuses_a_backup_with_flipped_bytes_before_touching_anything(world, folder, passphrase, where):
    info = backup_create(passphrase=passphrase)
    _change_data_through_services(world)
    _flip_bytes(info.path, where)
    _assert_refused_and_untouched(info.path, passphrase, BackupFileError)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("passphrase", ["", PASSPHRASE], ids=["plain", "encrypted"])
@pytest.mark.parametrize("keep", [0.02, 0.5, 0.99])
def test_it_refuses_a_truncated_backup_before_touching_anything(world, folder, passphrase, keep):
    info = backup_create(passphrase=passphrase)
    _change_data_through_services(world)
    _truncate(info.path, keep)
    _assert_refused_and_untouched(info.path, passphrase, BackupFileError)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_wrong_or_missing_passphrase(world, folder):
    info = backup_create(passphrase=PASSPHRASE)
    _change_data_through_services(world)
    _assert_refused_and_untouched(info.path, "rowan-class-pencil-harbor", WrongPassphrase)
    _assert_refused_and_untouched(info.path, "", WrongPassphrase)
    with pytest.raises(WrongPassphrase, match="passphrase does not open"):
        backup_verify(path=info.path, passphrase="not it")


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_file_that_is_not_a_backup(world, folder, tmp_path):
    other = tmp_path / "notes.backup"
    other.write_bytes(b"SQLite format 3\x00" + bytes(4000))
    _change_data_through_services(world)
    _assert_refused_and_untouched(other, "", BackupFileError)


def test_it_seals_an_encrypted_backup_so_one_chunk_cut_off_at_a_boundary_is_noticed(tmp_path):
    # Two chunks and a bit: drop the last chunk exactly at a chunk boundary.
    payload = bytes(random.Random(1).getrandbits(8) for _ in range(2 * container.CHUNK_SIZE + 10))
    path = tmp_path / "sealed"
    with path.open("wb") as out:
        writer = container.open_writer(out, {"engine": "sqlite"}, PASSPHRASE)
        writer.write(payload)
        writer.close()
    with path.open("rb") as source:
        _header, reader = container.open_reader(source, PASSPHRASE)
        assert reader.read() == payload
    data = path.read_bytes()
    sealed = container.CHUNK_SIZE + 16
    path.write_bytes(data[: len(data) - (len(data) - len(container.MAGIC)) % sealed])
    with path.open("rb") as source, pytest.raises(BackupFileError, match="does not match its seal"):
        _header, reader = container.open_reader(source, PASSPHRASE)
        reader.read()


# ---------------------------------------------------------------- retention and the nightly job
@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_newest_backups_and_leaves_other_files_alone(world, folder, settings):
    made = [backup_create().path for _ in range(4)]
    (folder / "notes.txt").write_text("not a backup")
    (folder / "tandem-old-copy.sqlite3").write_bytes(b"")
    removed = backups_prune(keep=2)
    assert sorted(removed) == sorted(made[:2])
    assert [entry.path for entry in backup_list()] == [made[3], made[2]]
    assert (folder / "notes.txt").exists() and (folder / "tandem-old-copy.sqlite3").exists()
    with pytest.raises(BackupError):
        backups_prune(keep=0)

    settings.TANDEM_BACKUP_KEEP = 3
    nightly = backup_nightly()
    assert [entry.path for entry in backup_list()] == [nightly.path, made[3], made[2]]


# ---------------------------------------------------------------- commands
@pytest.mark.django_db(transaction=True)
def test_it_backs_up_and_restores_from_the_command_line(world, folder, capsys):
    call_command("backup")
    [entry] = backup_list()
    assert "Backed up to" in capsys.readouterr().out
    _change_data_through_services(world)

    _flip_bytes(entry.path, 0.5)
    with pytest.raises(CommandError):
        call_command("restore", str(entry.path), "--yes")
    assert School.objects.filter(urn="912399").exists()

    call_command("backup")
    newest = backup_list()[0]
    call_command("restore", str(newest.path), "--check")
    assert "complete and undamaged" in capsys.readouterr().out
    assert School.objects.filter(urn="912399").exists()
    call_command("restore", str(newest.path), "--yes")
    assert "every table matches the backup" in capsys.readouterr().out
