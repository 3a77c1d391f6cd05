"""`tandem import FILE --school URN --kind ...`: the preview printed, a dry run writes nothing, then apply."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tandem.exchange.models import ImportRecord, ImportStatus
from tandem.people.models import Pupil
from tests import factories as f

HEADER = "UPN,Adno,Legal Surname,Legal Forename,DOB,Gender,Year\n"


def _roll(tmp_path, rows: str):
    path = tmp_path / "roll.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def _row(n: int, dob: str = "14/03/2016") -> str:
    return f"{f.valid_upn(n, la='824', estab='0001')},{n:05d},Okafor,Ada,{dob},F,4\n"


def test_it_dry_runs_then_applies_with_a_progress_line(world, tmp_path):
    path = _roll(tmp_path, _row(1) + _row(2))
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import", str(path), "--school", world.a.school.urn, "--kind", "pupils", "--dry-run", stdout=out
    )
    assert "2 rows: 2 to add" in out.getvalue() and "Dry run: nothing was changed." in out.getvalue()
    assert not Pupil.objects.filter(legal_surname="Okafor").exists()
    assert ImportRecord.objects.get().status == ImportStatus.DISCARDED
    out = io.StringIO()
    call_command(
        "import", str(path), "--school", world.a.school.urn, "--kind", "pupils", stdout=out, stderr=err
    )
    assert "2 added, 0 changed" in out.getvalue()
    assert "Writing: 100%" in err.getvalue()
    assert Pupil.objects.filter(school=world.a.school, legal_surname="Okafor").count() == 2
    applied = ImportRecord.objects.get(status=ImportStatus.APPLIED)
    assert applied.applied_by == world.a.admin  # the school's admin, by default


def test_it_prints_errors_by_line_and_stops_unless_told_to_skip(world, tmp_path):
    path = _roll(tmp_path, _row(1) + _row(2, dob="31/02/2016"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 row has errors"):
        call_command("import", str(path), "--school", world.a.school.urn, "--kind", "pupils", stdout=out)
    assert "line 3: Date of birth: error: Date of birth '31/02/2016' is not a real date" in out.getvalue()
    assert not Pupil.objects.filter(legal_surname="Okafor").exists()
    call_command(
        "import",
        str(path),
        "--school",
        world.a.school.urn,
        "--kind",
        "pupils",
        "--skip-errors",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Pupil.objects.filter(legal_surname="Okafor").count() == 1


def test_it_explains_an_unknown_school_a_missing_file_and_an_unreadable_one(world, tmp_path):
    with pytest.raises(CommandError, match="No school has URN 000000"):
        call_command("import", str(tmp_path / "x.csv"), "--school", "000000", "--kind", "pupils")
    with pytest.raises(CommandError, match="No file at"):
        call_command("import", str(tmp_path / "x.csv"), "--school", world.a.school.urn, "--kind", "pupils")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match=r"The file is empty\."):
        call_command("import", str(empty), "--school", world.a.school.urn, "--kind", "pupils")
    assert not ImportRecord.objects.exists()


def test_it_records_sen_imports_against_the_senco(world, tmp_path):
    path = tmp_path / "sen.csv"
    path.write_text(f"UPN,SEN Status\n{world.a.untaught_pupil.upn},K\n", encoding="utf-8")
    call_command(
        "import",
        str(path),
        "--school",
        world.a.school.urn,
        "--kind",
        "sen",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert ImportRecord.objects.get().applied_by == world.a.senco


def test_it_goes_by_the_columns_when_no_kind_is_given(world, tmp_path):
    path = _roll(tmp_path, _row(1))
    out = io.StringIO()
    call_command("import", str(path), "--school", world.a.school.urn, stdout=out, stderr=io.StringIO())
    assert "Read as: Pupils (the roll)" in out.getvalue()
    assert Pupil.objects.filter(legal_surname="Okafor").count() == 1
    unclear = tmp_path / "unclear.csv"
    unclear.write_text("Colour,Size\nred,9\n", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot tell what this file contains"):
        call_command("import", str(unclear), "--school", world.a.school.urn, stdout=io.StringIO())
