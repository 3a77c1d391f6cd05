"""`tandem analyse` over the database (a stored, audited run) and on files (no database at all)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from tandem.access.actor import actor_for
from tandem.assessment.models import Scale, ScaleKind
from tandem.audit.models import AuditEvent
from tandem.demo.loader import load_demo
from tandem.people.models import Membership
from tandem.progress.models import AnalysisRun, ProgressResult
from tandem.progress.selectors import flagged_list
from tandem.progress.services import engine_scales
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
            ["", "maths", "1", "100", "4"],
        ],
    )
    output = tmp_path / "results.csv"
    with pytest.raises(CommandError) as error:
        call_command("analyse", "--input", str(source), "--output", str(output))
    assert "Line 2: score 'abc' is not a number" in str(error.value)
    assert "Line 3" not in str(error.value)  # an empty score is a pupil not assessed, not an error
    assert "Line 4: pupil is empty" in str(error.value)
    assert not output.exists()


def test_it_names_the_missing_columns(tmp_path):
    source = _write(tmp_path / "cols.csv", [["pupil", "score"], ["a", "100"]])
    with pytest.raises(CommandError, match="no subject, window, year_group columns"):
        call_command("analyse", "--input", str(source), "--output", str(tmp_path / "o.csv"))


# ------------------------------------------------------------------ files as schools have them (issue 12)
WINDOWS = ("2025-1-autumn", "2025-2-spring", "2025-3-summer")


def _school_file(
    path: Path,
    *,
    centre: float = 100.0,
    sd: float = 15.0,
    growth: float = 0.0,
    pupils: int = 300,
    empty_every: int | None = None,
    bad_line: int | None = None,
) -> Path:
    """3 windows x 2 subjects x `pupils` pupils of year 4, seeded; reliability about 0.9 (as assumed).

    `empty_every`: every n-th mark is left empty (a pupil not assessed); `bad_line`: the file line at which
    a mark of 'abs' is put in (a malformed row).
    """
    rng = np.random.default_rng(12)
    rows: list[list[object]] = [["pupil", "subject", "window", "score", "year_group"]]
    k = 0
    for subject in ("maths", "reading"):
        ability = rng.normal(0, 1, pupils)
        for w, window in enumerate(WINDOWS):
            points = np.rint(centre + growth * w + sd * (0.95 * ability + 0.31 * rng.normal(0, 1, pupils)))
            for p in range(pupils):
                empty = empty_every is not None and k % empty_every == 0
                rows.append([f"p{p:03d}", subject, window, "" if empty else f"{points[p]:g}", 4])
                k += 1
    if bad_line is not None:
        rows.insert(bad_line - 1, ["p999", "maths", WINDOWS[0], "abs", 4])
    return _write(path, rows)


def _analyse(source: Path, output: Path, *args: str) -> tuple[list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("analyse", "--input", str(source), "--output", str(output), *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


def _results(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


def test_it_counts_empty_scores_as_not_assessed_and_summarises_the_run(tmp_path):
    # 11 of 1,800 marks (0.6%) empty, as on any real marksheet.
    source = _school_file(tmp_path / "marks.csv", empty_every=167)
    output = tmp_path / "results.csv"
    lines, err = _analyse(source, output)
    assert lines[0] == (
        "Rows read: 1,800: 1,789 marks analysed, 11 not assessed (empty score), 0 skipped (cannot be used)."
    )
    assert lines[1] == "Pupils: 300. Cohorts (subject x year group x window): 6."
    assert lines[2].startswith("Scale of maths: standardised, decided from the data: mean 10")
    assert lines[3].startswith("Scale of reading: standardised, decided from the data")
    assert lines[4] == "Norm model per cohort:"
    cohorts = lines[5:11]
    assert [line.split(":")[0] for line in cohorts] == [
        f"  {subject}, year 4, {window}" for subject in ("maths", "reading") for window in WINDOWS
    ]
    assert cohorts[0].endswith("not enough data for 298")  # nothing to grow from at the first window
    assert all("percentile rank of residuals for 29" in line for line in cohorts[1:3] + cohorts[4:6])
    assert lines[11].startswith("Flagged at each pupil's latest window: ")
    assert "of 600 pupil-subjects" in lines[11] and "(d) gap widening" in lines[11]
    assert lines[12].startswith("Wrote 1,789 results")
    assert "Warning" not in err
    assert len(_results(output)) == 1789


def test_it_refuses_a_malformed_row_then_goes_on_without_it_with_skip_errors(tmp_path):
    source = _school_file(tmp_path / "marks.csv", bad_line=6)
    output = tmp_path / "results.csv"
    with pytest.raises(CommandError) as error:
        _analyse(source, output)
    assert str(error.value) == (
        "1 row(s) cannot be used; nothing was analysed:\n"
        "Line 6: score 'abs' is not a number (leave it empty for a pupil who was not assessed).\n"
        "Correct them, or give --skip-errors to analyse the file without them."
    )
    assert not output.exists()

    lines, _ = _analyse(source, output, "--skip-errors")
    assert lines[:3] == [
        "Skipped 1 row(s) that cannot be used:",
        "Line 6: score 'abs' is not a number (leave it empty for a pupil who was not assessed).",
        "Rows read: 1,801: 1,800 marks analysed, 0 not assessed (empty score), 1 skipped (cannot be used).",
    ]
    results = _results(output)
    assert len(results) == 1800 and "p999" not in {r["pupil"] for r in results}


def _latest_flagged_share(results: list[dict[str, str]]) -> float:
    latest = [r for r in results if r["window"] == WINDOWS[-1]]
    return sum(r["flagged"] == "True" for r in latest) / len(latest)


def test_it_compares_scores_that_are_not_standardised_within_their_cohort(tmp_path):
    # Raw marks: mean about 425 and a within-year SD of 66, rising each term.
    source = _school_file(tmp_path / "raw.csv", centre=400, sd=66, growth=25)
    output = tmp_path / "results.csv"
    lines, err = _analyse(source, output)
    scale_lines = [line for line in lines if line.startswith("Scale of")]
    assert len(scale_lines) == 2
    for line in scale_lines:
        assert ": raw, decided from the data: mean 4" in line
        assert "an SD far from 15" in line and "compared with their own cohort" in line
    results = _results(output)
    # Nobody is measured against national norms: not the gap, not the growth percentile.
    assert {r["norm_model"] for r in results} <= {"prr", "not_enough_data"}
    assert {r["gap_reference"] for r in results} <= {"0", "1"}
    assert _latest_flagged_share(results) < 0.15
    assert "Warning" not in err

    # Declared standardised, the same marks are compared with mean 100, SD 15: the run says it flags too many.
    lines, err = _analyse(source, output, "--scale", "standardised")
    assert any(line.startswith("Scale of maths: standardised, as declared (mean 4") for line in lines)
    assert any(line.endswith("the data look raw.") for line in lines)
    assert _latest_flagged_share(_results(output)) > 0.15
    assert "Warning: " in err and "of pupil-subjects are flagged at their latest window" in err
    assert "maths, reading are compared with national norms (mean 100, SD 15) but the scores do not" in err


def test_it_keeps_no_national_norms_as_another_name_for_scale_raw(tmp_path):
    source = _school_file(tmp_path / "marks.csv")
    output = tmp_path / "results.csv"
    lines, _ = _analyse(source, output, "--no-national-norms")
    assert any(line.startswith("Scale of maths: raw, as declared") for line in lines)
    assert "published_norm" not in {r["norm_model"] for r in _results(output)}
    with pytest.raises(CommandError, match="--no-national-norms means --scale raw"):
        _analyse(source, output, "--no-national-norms", "--scale", "standardised")


def test_it_compares_a_database_scale_without_norms_within_the_cohort(demo):
    call_command("analyse", stdout=io.StringIO(), stderr=io.StringIO())
    with_norms = AnalysisRun.objects.get()
    # The demo's cohorts are small, so with the scale's published norms growth is measured against them.
    assert ProgressResult.objects.filter(run=with_norms, norm_model="published_norm").exists()

    Scale.objects.filter(code="standardised").update(norm_mean=None, norm_sd=None)
    call_command("analyse", stdout=io.StringIO(), stderr=io.StringIO())
    without = AnalysisRun.objects.exclude(pk=with_norms.pk).get()
    assert without.results == with_norms.results
    assert not ProgressResult.objects.filter(run=without, norm_model="published_norm").exists()


def test_it_leaves_the_scale_of_database_runs_to_the_database(db):
    with pytest.raises(CommandError, match="each scale's own setting decides"):
        call_command("analyse", "--scale", "raw")


def test_it_uses_national_norms_only_for_a_scale_declared_standardised(db):
    Scale.objects.filter(code="standardised").update(kind=ScaleKind.SCALED)
    assert not any(info.has_norms for info in engine_scales(["maths", "science"]).values())
    Scale.objects.filter(code="standardised").update(kind=ScaleKind.STANDARDISED)
    scales = engine_scales(["maths", "science"])
    assert set(scales) == {"maths", "science"}
    assert all((info.norm_mean, info.norm_sd) == (100, 15) for info in scales.values())


def test_it_warns_when_a_database_run_flags_more_than_15_percent(demo):
    out, err = io.StringIO(), io.StringIO()
    call_command("analyse", stdout=out, stderr=err)
    assert "Flagged at each school's newest window: " in out.getvalue()
    assert "Warning" not in err.getvalue()

    out, err = io.StringIO(), io.StringIO()
    call_command("analyse", "--threshold", "90", stdout=out, stderr=err)
    assert "Warning: " in err.getvalue() and "of pupil-subjects are flagged" in err.getvalue()
    assert "the growth threshold is 90, above Tandem's default of 20" in err.getvalue()
