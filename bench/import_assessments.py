"""Time importing a large assessment-results CSV: upload, preview and apply, then the same file again.

    .venv/bin/python bench/import_assessments.py                  # 100,000 rows, fresh SQLite database
    .venv/bin/python bench/import_assessments.py --rows 20000 --clean
    .venv/bin/python bench/import_assessments.py \\
        --database-url postgres://tandem:tandem-ci-password@127.0.0.1:5432/tandem_bench

Creates a throwaway database (a SQLite file in a temp dir, or the PostgreSQL database named in
--database-url, created and dropped here; its name must contain "bench"), migrates it, adds a secondary
school with its admin, the pupils and five of the six termly windows the results fall in (the sixth is added
by the import, as a school that has not set up its calendar would see). It writes a results file as an MIS
exports it (one row per pupil, subject and window, sorted by pupil, subject and date; a few pupils missed a
sitting), with a handful of deliberately bad rows unless --clean, so the apply leaves those rows out
(skip_errors=True). Then it times, through the services the pages use:

    upload    import_upload: read the CSV and store it
    preview   import_preview: plan every row against the school's records (nothing written)
    apply     import_apply: plan again inside the transaction and write in batches
    again     the same file uploaded, previewed and applied a second time: every row unchanged

SQL statements are counted in every stage. The timed run counts them through a cheap execute wrapper, since
CaptureQueriesContext keeps each statement's text and, on SQLite, quotes every parameter of every batched
INSERT with an extra query, which would slow the stage it measures. A second, smaller import (--check-rows,
into a second school) runs under CaptureQueriesContext as well, to show both counts agree and that only the
batched writes grow with the rows.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import math
import os
import platform
import pstats
import random
import resource
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

# Names as an MIS writes them; the importer matches subjects by code or by name.
SUBJECTS = ("Reading", "Writing", "Mathematics", "Science")
# (academic year's start, term, month, day) of each sitting: 2024/25 and 2025/26, before 5 December 2026.
SITTINGS = (
    (2024, "autumn", 11, 11),
    (2024, "spring", 3, 10),
    (2024, "summer", 6, 9),
    (2025, "autumn", 11, 10),
    (2025, "spring", 3, 9),
    (2025, "summer", 6, 8),
)
TERM_DATES = {"autumn": ((9, 1), (12, 31)), "spring": ((1, 1), (3, 31)), "summer": ((4, 1), (8, 31))}
WINDOWS_SET_UP = 5  # the last sitting's window is left for the import to add
BATCH_ROWS = 500  # tandem.exchange.services.BATCH_SIZE, repeated to predict the number of writes
TARGET_SECONDS = 20.0  # preview + apply
TARGET_PEAK_MB = 1024.0
ASSESSMENT_TABLE = "assessment_assessment"


# ------------------------------------------------------------------------------------------ memory


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_stage_peak() -> bool:
    """Reset the kernel's high-water mark so each stage's own peak can be read; Linux 4.0 and later."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def stage_peak_mb() -> float | None:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


# ------------------------------------------------------------------------------------------ the file


@dataclass
class Generated:
    data: bytes
    rows: int
    bad_rows: int  # rows the preview reports as errors
    blank_results: int  # rows with no result: a warning, nothing written


def upn_for(school_number: int, index: int) -> str:
    from tandem.lib.upn import check_letter

    # LA 938, establishment 4000 + school, then a 5-digit serial: 12 characters after the check letter.
    body = f"938{4000 + school_number:04d}{index:05d}"
    return check_letter(body) + body


def generate_csv(
    upns: list[str], rows: int, seed: int, *, clean: bool, pupil_ability: list[float]
) -> Generated:
    """One row per pupil, subject and sitting, in the order an MIS export sorts them, trimmed to `rows`."""
    rng = random.Random(seed)
    per_pupil = len(SUBJECTS) * len(SITTINGS)
    full = len(upns) * per_pupil
    if rows > full:
        raise SystemExit(f"--rows {rows:,} needs at least {math.ceil(rows / per_pupil):,} pupils.")
    # Pupils who missed a sitting: scattered rows dropped until the file has exactly `rows`.
    missed = set(rng.sample(range(full), full - rows))
    out = io.StringIO()
    out.write("UPN,Subject,Date,Result\r\n")
    position = 0
    lines: list[list[str]] = []
    for pupil, upn in enumerate(upns):
        ability = pupil_ability[pupil]
        for subject_index, subject in enumerate(SUBJECTS):
            subject_skill = ability * 0.8 + rng.gauss(0, 0.6)
            drift = rng.gauss(0, 0.15)
            for sitting, (start_year, term, month, day) in enumerate(SITTINGS):
                if position in missed:
                    position += 1
                    continue
                position += 1
                year = start_year if term == "autumn" else start_year + 1
                # Classes sit the test on different days of the same fortnight.
                sat = dt.date(year, month, day) + dt.timedelta(days=(pupil // 30 + subject_index) % 10)
                score = 100 + 15 * (subject_skill + drift * sitting) + rng.gauss(0, 4.7)
                result = str(int(min(141, max(69, round(score)))))
                lines.append([upn, subject, sat.strftime("%d/%m/%Y"), result])
    bad = blank = 0
    if not clean and len(lines) >= 1000:
        # What a real export carries now and then: each is an error the preview names, except the blanks.
        spoilers: list[Callable[[list[str]], None]] = [
            lambda r: r.__setitem__(0, upn_for(99, 1)),  # a pupil not on this school's roll
            lambda r: r.__setitem__(0, upn_for(99, 2)),
            lambda r: r.__setitem__(3, "150"),  # outside the standardised range
            lambda r: r.__setitem__(3, "68"),
            lambda r: r.__setitem__(3, "abs"),  # absent, written where the score goes
            lambda r: r.__setitem__(2, "31/02/2026"),  # no such day
            lambda r: r.__setitem__(1, "Latin"),  # a subject the school has not set up
        ]
        picks = rng.sample(range(len(lines)), len(spoilers) + 2)
        for spoil, index in zip(spoilers, picks, strict=False):
            spoil(lines[index])
        bad = len(spoilers)
        for index in picks[len(spoilers) :]:
            lines[index][3] = ""
        blank = 2
    for line in lines:
        out.write(",".join(line))
        out.write("\r\n")
    return Generated(out.getvalue().encode("utf-8"), len(lines), bad, blank)


# ------------------------------------------------------------------------------------------ counting SQL


@dataclass
class Queries:
    total: int = 0
    # Batched INSERT or UPDATE statements on the assessments table, or (SQLite) into the TEMP tables the
    # rows are staged in before one statement copies them in (tandem/core/staging.py).
    writes: int = 0
    captured: int | None = None  # what CaptureQueriesContext saw, when it ran
    # Capture also logs BEGIN and COMMIT where the driver issues them outside a cursor, unwrapped.
    transaction_control: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def other(self) -> int:
        return self.total - self.writes


@contextmanager
def counting(capture: bool) -> Iterator[Queries]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = Queries()

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.total += 1
        head = sql.lstrip()[:60].upper()
        kind = head.split(" ", 1)[0]
        queries.by_kind[kind] = queries.by_kind.get(kind, 0) + 1
        if (ASSESSMENT_TABLE.upper() in head or "TANDEM_STAGE_" in head) and kind in ("INSERT", "UPDATE"):
            queries.writes += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        if capture:
            with CaptureQueriesContext(connection) as captured:
                yield queries
            queries.captured = len(captured.captured_queries)
            queries.transaction_control = sum(
                q["sql"].strip().upper() in ("BEGIN", "COMMIT", "ROLLBACK") for q in captured.captured_queries
            )
        else:
            yield queries


@dataclass
class Stage:
    name: str
    seconds: float
    rows: int
    queries: Queries
    peak_mb: float | None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


@contextmanager
def profiled(enabled: bool, label: str) -> Iterator[None]:
    if not enabled:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        stats = pstats.Stats(profile, stream=sys.stderr)
        for order in ("tottime", "cumulative"):
            print(f"\ncProfile of {label}, top 20 by {order}:", file=sys.stderr)
            stats.sort_stats(order).print_stats(20)


def timed(
    name: str, rows: int, action: Callable[[], Any], *, capture: bool, profile: bool = False
) -> tuple[Stage, Any]:
    has_stage_peak = reset_stage_peak()
    with counting(capture) as queries, profiled(profile, name):
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
    stage = Stage(name, seconds, rows, queries, stage_peak_mb() if has_stage_peak else None)
    print(f"  {name:<10} {seconds:6.2f} s  {queries.total:>5} queries", file=sys.stderr, flush=True)
    return stage, result


# ------------------------------------------------------------------------------------------ the school


@dataclass
class Setup:
    actor: Any
    school: Any
    upns: list[str]
    ability: list[float]


def set_up_school(number: int, pupils: int, seed: int) -> Setup:
    from tandem.access.actor import actor_for
    from tandem.people.models import Pupil, Sex
    from tandem.schools.models import AcademicYear, AssessmentWindow, Phase
    from tandem.schools.services import school_create

    rng = random.Random(seed + number)
    school, admin = school_create(
        name=f"Bench Academy {number}",
        urn=f"{140000 + number}",
        phase=Phase.SECONDARY,
        lowest_year=7,
        highest_year=13,
        admin_email=f"admin{number}@bench.example",
        admin_name="Bench Admin",
    )
    actor = actor_for(admin)
    assert actor is not None and actor.school_id == school.pk
    for start_year, term, _, _ in SITTINGS[:WINDOWS_SET_UP]:
        (om, od), (cm, cd) = TERM_DATES[term]
        calendar_year = start_year if term == "autumn" else start_year + 1
        AssessmentWindow.objects.create(
            school=school,
            academic_year=AcademicYear.objects.get_or_create(start_year=start_year)[0],
            term=term,
            opens_on=dt.date(calendar_year, om, od),
            closes_on=dt.date(calendar_year, cm, cd),
        )
    upns = [upn_for(number, i) for i in range(pupils)]
    # Years 9 to 13 now (2026/27): years 7 to 11 at the first sitting, so every result is from this school.
    Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                upn=upn,
                mis_id=f"{number}{i:06d}",
                legal_forename=f"Forename{i}",
                legal_surname=f"Surname{i:05d}",
                date_of_birth=dt.date(2011 - i % 5, 1 + i % 12, 1 + i % 28),
                year_group=13 - i % 5,
                sex=Sex.FEMALE if i % 2 else Sex.MALE,
            )
            for i, upn in enumerate(upns)
        ],
        batch_size=1000,
    )
    return Setup(actor, school, upns, [rng.gauss(0, 1) for _ in upns])


# ------------------------------------------------------------------------------------------ one import


@dataclass
class Outcome:
    stages: list[Stage]
    apply_splits: dict[str, tuple[float, float, float]]
    created: int
    unchanged_again: int
    errors: int
    windows_added: int
    assessments: int


def run_import(setup: Setup, generated: Generated, *, capture: bool, profile: str, label: str) -> Outcome:
    from tandem.assessment.models import Assessment
    from tandem.exchange.models import ImportRecord
    from tandem.exchange.selectors import import_preview
    from tandem.exchange.services import import_apply, import_upload
    from tandem.schools.models import AssessmentWindow

    skip_errors = generated.bad_rows > 0
    rows = generated.rows
    stages: list[Stage] = []
    windows_before = AssessmentWindow.objects.filter(school=setup.school).count()
    print(f"{label}: {rows:,} rows", file=sys.stderr)

    def upload() -> Any:
        return import_upload(
            actor=setup.actor, kind="assessments", file_name="results.csv", data=generated.data
        )

    def preview(record_id: Any) -> Any:
        # As the preview page does: the record (and the stored file) is read from the database.
        return import_preview(actor=setup.actor, record=ImportRecord.objects.get(pk=record_id))

    splits: dict[str, tuple[float, float, float]] = {}

    def apply(record_id: Any, name: str) -> Any:
        # The progress callback runs after each written batch (stage "writing"; "checking" comes
        # earlier, while planning): those times split the apply into planning, writing, and what
        # follows the last batch (the import record, the audit event, the commit).
        marks: list[float] = []

        def mark(stage: str, done: int, total: int) -> None:
            if stage == "writing":
                marks.append(time.perf_counter())

        started = time.perf_counter()
        applied = import_apply(
            actor=setup.actor,
            record_id=record_id,
            skip_errors=skip_errors,
            progress=mark,
        )
        ended = time.perf_counter()
        if marks:
            per_batch = (marks[-1] - marks[0]) / (len(marks) - 1) if len(marks) > 1 else 0.0
            splits[name] = (
                marks[0] - started - per_batch,
                marks[-1] - marks[0] + per_batch,
                ended - marks[-1],
            )
        return applied

    counts: dict[str, Any] = {}
    for round_name in ("first", "again"):
        suffix = "" if round_name == "first" else " again"
        stage, record = timed(
            "upload" + suffix, rows, upload, capture=capture, profile=profile == "upload" + suffix
        )
        stages.append(stage)
        stage, shown = timed(
            "preview" + suffix,
            rows,
            lambda: preview(record.pk),  # noqa: B023 - called at once, inside this iteration
            capture=capture,
            profile=profile == "preview" + suffix,
        )
        stages.append(stage)
        plan = shown.plan
        assert plan is not None, shown.match
        counts[round_name] = plan
        stage, applied = timed(
            "apply" + suffix,
            rows,
            lambda: apply(record.pk, "apply" + suffix),  # noqa: B023 - called at once, inside this iteration
            capture=capture,
            profile=profile == "apply" + suffix,
        )
        stages.append(stage)
        if (applied.created, applied.updated, applied.unchanged) != (
            plan.created,
            plan.updated,
            plan.unchanged,
        ):
            raise SystemExit(f"FAIL: the apply did not do what the preview promised ({label}, {round_name}).")
    first, again = counts["first"], counts["again"]
    return Outcome(
        stages=stages,
        apply_splits=splits,
        created=first.created,
        unchanged_again=again.unchanged if again.created == again.updated == 0 else -1,
        errors=len(first.error_lines),
        windows_added=AssessmentWindow.objects.filter(school=setup.school).count() - windows_before,
        assessments=Assessment.objects.filter(school=setup.school).count(),
    )


# ------------------------------------------------------------------------------------------ databases


def prepare_database(url: str | None, workdir: Path) -> tuple[str, Callable[[], None]]:
    """The database URL to use and how to remove it afterwards."""
    if not url:
        path = workdir / "import.sqlite3"
        return f"sqlite:///{path}", lambda: None
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name:
        raise SystemExit("--database-url must be postgres://user:password@host:port/name")
    if "bench" not in name:
        # The database is dropped and created afresh: refuse a name that could be someone's real data.
        raise SystemExit(f"The database name must contain 'bench' ({name!r} does not).")
    import psycopg

    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))

    def run(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        run(f'DROP DATABASE IF EXISTS "{name}"')

    return url, drop


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


# ------------------------------------------------------------------------------------------ report


def print_stages(title: str, outcome: Outcome) -> None:
    captured = any(s.queries.captured is not None for s in outcome.stages)
    print(f"\n{title}")
    print(
        f"  {'stage':<14} {'seconds':>8} {'rows/s':>9} {'queries':>8} {'writes':>7} {'other':>6}"
        f" {'per 1k rows':>11} {'stage peak MB':>14}" + (f" {'captured':>9}" if captured else "")
    )
    for s in outcome.stages:
        peak = f"{s.peak_mb:,.0f}" if s.peak_mb is not None else "-"
        print(
            f"  {s.name:<14} {s.seconds:8.2f} {s.rows_per_second:9,.0f} {s.queries.total:8}"
            f" {s.queries.writes:7} {s.queries.other:6} {s.queries.total * 1000 / s.rows:11.2f} {peak:>14}"
            + (f" {s.queries.captured:>9}" if s.queries.captured is not None else "")
        )
    for name, (planning, writing, finishing) in outcome.apply_splits.items():
        print(
            f"  {name}: planning {planning:.2f} s, writing {writing:.2f} s, "
            f"then record, audit and commit {finishing:.2f} s"
        )
    if captured:
        print("  (captured: CaptureQueriesContext's count, which also lists BEGIN and COMMIT)")


def expected_writes(rows: int) -> int:
    """INSERT statements for `rows` new results. SQLite: staged in statements of as many rows as
    VALUES_PER_STATEMENT values allow, one UPDATE giving them the id of the window the import adds, then one
    INSERT ... SELECT. PostgreSQL: batches of 500, which Django splits further where the backend limits
    parameters per statement."""
    from django.db import connection

    from tandem.assessment.models import Assessment
    from tandem.core.staging import VALUES_PER_STATEMENT, staging_available

    fields = [f for f in Assessment._meta.concrete_fields if not f.primary_key]
    if staging_available():
        return math.ceil(rows / (VALUES_PER_STATEMENT // len(fields))) + 2
    per_statement = connection.ops.bulk_batch_size(fields, [None] * BATCH_ROWS)
    statements = 0
    for start in range(0, rows, BATCH_ROWS):
        statements += math.ceil(min(BATCH_ROWS, rows - start) / min(per_statement, BATCH_ROWS))
    return statements


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--pupils", type=int, default=None, help="default: rows / (subjects x windows), rounded up"
    )
    parser.add_argument("--check-rows", type=int, default=10_000, help="the smaller, fully captured import")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--clean", action="store_true", help="no bad rows, so no rows are left out")
    parser.add_argument(
        "--profile",
        choices=["", "upload", "preview", "apply", "upload again", "preview again", "apply again"],
        default="",
        help="cProfile one stage of the main import (slows it down)",
    )
    parser.add_argument("--database-url", default="", help="a PostgreSQL database to create and drop")
    parser.add_argument("--keep", action="store_true", help="keep the database and print where it is")
    args = parser.parse_args()
    per_pupil = len(SUBJECTS) * len(SITTINGS)
    pupils = args.pupils or math.ceil(args.rows / per_pupil)
    check_pupils = math.ceil(args.check_rows / per_pupil)
    command = " ".join(
        shlex.quote(a) for a in [".venv/bin/python", "bench/import_assessments.py", *sys.argv[1:]]
    )

    workdir = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    url, drop = prepare_database(args.database_url, workdir)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.perf_counter()
    print(f"migrate: {migrated - started:.1f} s", file=sys.stderr)

    main_school = set_up_school(1, pupils, args.seed)
    generated = generate_csv(
        main_school.upns, args.rows, args.seed, clean=args.clean, pupil_ability=main_school.ability
    )
    print(
        f"school, {pupils:,} pupils and a {len(generated.data) / 1e6:.1f} MB file: "
        f"{time.perf_counter() - migrated:.1f} s",
        file=sys.stderr,
    )
    outcome = run_import(main_school, generated, capture=False, profile=args.profile, label="main import")
    peak_after_main = peak_rss_mb()

    check_school = set_up_school(2, check_pupils, args.seed)
    check_file = generate_csv(
        check_school.upns, args.check_rows, args.seed, clean=args.clean, pupil_ability=check_school.ability
    )
    check = run_import(check_school, check_file, capture=True, profile="", label="query check")
    db_version = database_version()

    by_name = {s.name: s for s in outcome.stages}
    load = os.getloadavg()
    print()
    print(f"import_assessments: {generated.rows:,} rows, {pupils:,} pupils, seed {args.seed}, {db_version}")
    print(f"  command:  {command}")
    print(
        f"  machine:  {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print(f"  load:     {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min, at the end)")
    print(f"  date:     {dt.datetime.now(dt.UTC).astimezone():%Y-%m-%d %H:%M}")
    skipped = "applied with skip_errors=True" if generated.bad_rows else "no bad rows"
    print(
        f"  file:     {len(generated.data) / 1e6:.1f} MB; {generated.bad_rows} bad rows ({skipped}), "
        f"{generated.blank_results} rows without a result"
    )
    print_stages(f"Main import ({generated.rows:,} rows; queries counted, not captured)", outcome)
    print_stages(f"Query check ({check_file.rows:,} rows, captured with CaptureQueriesContext)", check)

    preview_apply = by_name["preview"].seconds + by_name["apply"].seconds
    first_total = preview_apply + by_name["upload"].seconds
    print()
    print(
        f"  upload + preview + apply: {first_total:.2f} s ({generated.rows / first_total:,.0f} rows/s); "
        f"preview + apply {preview_apply:.2f} s"
    )
    print(
        f"  same file again:          {sum(s.seconds for s in outcome.stages[3:]):.2f} s, "
        f"{outcome.unchanged_again:,} rows unchanged"
    )
    print(f"  peak memory (RSS):        {peak_after_main:,.0f} MB after the main import")
    expected = generated.rows - generated.bad_rows - generated.blank_results
    planned_writes = expected_writes(expected)
    checks = [
        (
            f"preview + apply under {TARGET_SECONDS:.0f} s",
            preview_apply < TARGET_SECONDS,
            f"{preview_apply:.2f} s",
        ),
        (
            f"peak memory under {TARGET_PEAK_MB:.0f} MB",
            peak_after_main < TARGET_PEAK_MB,
            f"{peak_after_main:,.0f} MB",
        ),
        (
            "every good row imported once",
            outcome.created == expected == outcome.assessments,
            f"{outcome.created:,} created, {outcome.assessments:,} in the table, {expected:,} expected",
        ),
        (
            "bad rows reported and left out",
            outcome.errors == generated.bad_rows,
            f"{outcome.errors} errors, {generated.bad_rows} planted",
        ),
        (
            "second apply changes nothing",
            outcome.unchanged_again == generated.rows - generated.bad_rows
            and by_name["apply again"].queries.writes == 0,
            f"{outcome.unchanged_again:,} unchanged, {by_name['apply again'].queries.writes} writes",
        ),
        (
            "one window added by the import",
            outcome.windows_added == 1,
            f"{outcome.windows_added}",
        ),
        (
            "apply writes in batches (SQLite: staged, then copied in by one statement)",
            by_name["apply"].queries.writes == planned_writes,
            f"{by_name['apply'].queries.writes} INSERTs for {expected:,} rows, {planned_writes} expected",
        ),
    ]
    small = {s.name: s for s in check.stages}
    for name in ("upload", "preview", "apply", "preview again", "apply again"):
        checks.append(
            (
                f"{name}: queries besides the writes do not grow with rows",
                by_name[name].queries.other == small[name].queries.other,
                f"{by_name[name].queries.other} at {generated.rows:,} rows, "
                f"{small[name].queries.other} at {check_file.rows:,}",
            )
        )
    checks.append(
        (
            "CaptureQueriesContext agrees with the counter (apart from BEGIN and COMMIT)",
            all(s.queries.captured == s.queries.total + s.queries.transaction_control for s in check.stages),
            "",
        )
    )
    failed = 0
    for label, ok, detail in checks:
        failed += not ok
        print(f"  {'PASS' if ok else 'FAIL'}  {label}" + (f": {detail}" if detail else ""))

    if args.keep:
        print(f"  database kept: {url}")
    else:
        drop()
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
