"""`tandem analyse` over the database (a stored, audited run) and on files (no database at all)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.demo.loader import load_demo
from tandem.people.models import Membership
from tandem.progress.models import AnalysisRun, ProgressResult
from tandem.progress.selectors import flagged_list
from tandem.schools.models import School

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture
def demo(db):
    load_demo(seed=5, as_of=AS_OF, schools=2, pupils_per_school=120)


def test_it_stores_an_audited_run_for_each_trust(demo):
    before = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("analyse", stdout=out, stderr=io.StringIO())
    run = AnalysisRun.objects.get()
    assert run.status == "done" and run.trust_id is not None
    assert run.results == ProgressResult.objects.filter(run=run).count() > 0
    assert 0 < run.flagged < run.results
    assert "flagged" in out.getvalue()
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[before:]) == [
        "progress.analyse"
    ]
    # Every stored result points at its own school's window.
    assert not ProgressResult.objects.filter(run=run).exclude(school_id=F("window__school_id")).exists()


def test_it_shows_a_teacher_the_flags_for_their_own_pupils_only(demo):
    call_command("analyse", stdout=io.StringIO(), stderr=io.StringIO())
    flagged_pupil = ProgressResult.objects.filter(flagged=True, is_current=True).values("pupil_id")[:1]
    teacher = Membership.objects.filter(
        role="teacher",
        user__group_roles__role="teacher",
        user__group_roles__group__enrolments__pupil_id__in=flagged_pupil,
    ).first()
    actor = actor_for(teacher.user, teacher.pk)
    _, results = flagged_list(actor=actor)
    taught = set(
        teacher.user.group_roles.filter(role="teacher").values_list("group__enrolments__pupil_id", flat=True)
    )
    assert results and {r.pupil_id for r in results} <= taught
    assert all(r.reasons for r in results)


def test_it_analyses_one_school_by_urn(demo):
    school = School.objects.first()
    call_command("analyse", "--school", school.urn, stdout=io.StringIO(), stderr=io.StringIO())
    run = AnalysisRun.objects.get()
    assert run.school_id == school.pk
    assert set(ProgressResult.objects.filter(run=run).values_list("school_id", flat=True)) == {school.pk}


def test_it_explains_an_unknown_school(db):
    with pytest.raises(CommandError, match="No school has URN 000000"):
        call_command("analyse", "--school", "000000")


def _write(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _marks(tmp_path: Path) -> Path:
    header = [["pupil", "subject", "window", "date", "score", "year_group"]]
    rows = []
    for p in range(60):
        for w, term in enumerate(["2025-1", "2025-2", "2025-3"]):
            # Pupil p0 falls steadily; the others hold their standardised score.
            score = 100 + (p % 20 - 10) * 1.5 - (15 * w if p == 0 else 0)
            rows.append([f"p{p}" if p else "=HYPERLINK(1)", "maths", term, f"2026-0{w + 1}-10", score, 4])
    return _write(tmp_path / "marks.csv", header + rows)


def test_it_analyses_a_file_without_a_database(tmp_path):
    output = tmp_path / "results.csv"
    out = io.StringIO()
    call_command("analyse", "--input", str(_marks(tmp_path)), "--output", str(output), stdout=out)
    with output.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 180
    faller = [r for r in rows if r["pupil"].startswith("'=") and r["window"] == "2025-3"]
    assert faller and faller[0]["flagged"] == "True"
    assert "1" in (faller[0]["peers"], faller[0]["widening"])
    assert "Wrote 180 results" in out.getvalue()


def test_it_escapes_formulas_in_the_results(tmp_path):
    output = tmp_path / "results.csv"
    call_command("analyse", "--input", str(_marks(tmp_path)), "--output", str(output), stdout=io.StringIO())
    text = output.read_text()
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert "'=HYPERLINK(1)" in text


def test_it_reports_every_bad_row_and_writes_nothing(tmp_path):
    source = _write(
        tmp_path / "bad.csv",
        [
            ["pupil", "subject", "window", "score", "year_group"],
            ["a", "maths", "1", "abc", "4"],
            ["b", "maths", "1", "", "4"],
        ],
    )
    output = tmp_path / "results.csv"
    with pytest.raises(CommandError) as error:
        call_command("analyse", "--input", str(source), "--output", str(output))
    assert "Line 2: score 'abc' is not a number" in str(error.value)
    assert "Line 3: score is empty" in str(error.value)
    assert not output.exists()


def test_it_names_the_missing_columns(tmp_path):
    source = _write(tmp_path / "cols.csv", [["pupil", "score"], ["a", "100"]])
    with pytest.raises(CommandError, match="no subject, window, year_group columns"):
        call_command("analyse", "--input", str(source), "--output", str(tmp_path / "o.csv"))
