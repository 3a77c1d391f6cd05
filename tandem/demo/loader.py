"""Write the generated demo trust into the database, fast, in one transaction.

The tables come from `tandem.demo.generator` (pure numpy); this module maps row numbers to database ids and
inserts. The big tables (pupils, enrolments, the register and, at trust scale, millions of assessments)
bypass model instances: each distinct value is converted once into the backend's own format, then rows go
in with `cursor.executemany` (SQLite) or COPY (PostgreSQL).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from tandem.assessment.models import Assessment
from tandem.audit.services import audit_record
from tandem.demo import generator
from tandem.demo.census import write_census
from tandem.demo.generator import DEMO_EMAIL_DOMAIN, DemoData
from tandem.demo.graduated import link_plan_interventions, write_graduated_approach
from tandem.demo.interventions import write_interventions
from tandem.demo.logins import demo_login_users, demo_logins, format_logins
from tandem.demo.partners import write_partners
from tandem.demo.sign_in import enrol_demo_second_factors
from tandem.demo.statutory import write_statutory
from tandem.people.models import (
    Enrolment,
    GroupStaff,
    Membership,
    Pupil,
    TeachingGroup,
    User,
)
from tandem.register.models import SenNeed, SenStatusPeriod
from tandem.schools.models import AcademicYear, AssessmentWindow, School, Trust

logger = logging.getLogger("tandem.demo")

Progress = Callable[[str], None]

# Rows per INSERT round trip: large enough to amortise Python overhead, small enough to keep memory flat.
_CHUNK = 50_000
_BULK_BATCH = 5_000


class DemoRefused(Exception):
    """The database is not empty enough for the demo to be loaded safely."""


@dataclass(frozen=True)
class LoadReport:
    trust_id: int
    seed: int
    as_of: dt.date
    rows: dict[str, int]
    generate_seconds: float
    write_seconds: float
    summary: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.generate_seconds + self.write_seconds

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def refusal_reason() -> str | None:
    """Why the demo cannot be loaded into this database, or None if it can."""
    if School.objects.exists():
        return (
            "This database already has schools. The demo is only ever loaded into an empty database, so "
            "nothing real can be mixed up with made-up pupils or overwritten. Point DATABASE_URL at a fresh "
            "database (for example DATABASE_URL=sqlite:///var/demo.sqlite3), run `tandem migrate`, then run "
            "`tandem demo` again."
        )
    if User.objects.filter(email__iendswith=DEMO_EMAIL_DOMAIN).exists():
        return (
            f"This database already has demo sign-ins (addresses ending {DEMO_EMAIL_DOMAIN}) but no schools. "
            "Use a fresh database for the demo."
        )
    return None


def demo_analyse(*, progress: Progress | None = None) -> int:
    """Run the Code 6.17 analysis at every school, so the demo opens with its flags (as a school would
    after its first marks import). Returns how many schools were analysed."""
    from tandem.progress.services import analysis_run_create

    say = progress or (lambda message: None)
    schools = list(School.objects.order_by("pk"))
    for school in schools:
        say(f"Analysing progress at school {school.pk}...")
        analysis_run_create(actor=None, school=school)
    return len(schools)


def load_demo(
    *,
    seed: int,
    as_of: dt.date,
    schools: int,
    pupils_per_school: int | None,
    progress: Progress | None = None,
) -> LoadReport:
    """Generate the demo trust and write it in one transaction.

    Raises DemoRefused, writing nothing, unless the database is empty of schools and demo users.
    """
    started = time.perf_counter()

    def say(message: str) -> None:
        if progress is not None:
            progress(f"[{time.perf_counter() - started:6.1f} s] {message}")

    if settings.PRODUCTION:
        raise DemoRefused("TANDEM_PRODUCTION is set: the demo (with its shared password) never loads there.")
    reason = refusal_reason()
    if reason:
        raise DemoRefused(reason)

    say(f"Generating the demo trust: seed {seed}, as of {as_of.isoformat()}, {schools} school(s)...")
    data = generator.generate(seed=seed, as_of=as_of, schools=schools, pupils_per_school=pupils_per_school)
    generated = time.perf_counter()
    counts = data.counts()
    say(
        f"Generated {counts['pupils']:,} pupils, {counts['staff']:,} staff and {counts['assessments']:,} "
        f"assessment results in {generated - started:.1f} s."
    )
    if Trust.objects.filter(name=data.trust_name).exists():
        raise DemoRefused(
            f"A trust called {data.trust_name!r} already exists. Use a fresh database for the demo."
        )

    with transaction.atomic(), _fast_sqlite():
        rows, trust_id = _write(data, say)
        say("Writing the graduated approach: concerns, first responses, plans, meetings and passports...")
        rows.update(write_graduated_approach(trust_id=trust_id, as_of=as_of, seed=seed))
        say("Writing interventions: staff rates, the catalogue, groups, placements and session logs...")
        rows.update(write_interventions(trust_id=trust_id, as_of=as_of, seed=seed))
        rows.update(link_plan_interventions(trust_id=trust_id, seed=seed))
        say("Writing parents and carers: links, shared records, views, replies and pupils' own views...")
        rows.update(write_partners(trust_id=trust_id, as_of=as_of, seed=seed))
        say("Writing EHC plans and annual reviews, specialist advice and the inclusion base...")
        rows.update(write_statutory(trust_id=trust_id, as_of=as_of, seed=seed))
        say("Planting one census problem of each kind per school, and the last SEN import from the MIS...")
        rows.update(write_census(trust_id=trust_id, as_of=as_of, seed=seed))
        # The sign-ins printed for SENCo, head, admin and trust roles need a second factor: make one each.
        enrol_demo_second_factors([email for email, _, _ in demo_logins()])
        _refresh_statistics()
        audit_record(actor=None, action="demo.load", target_type="trust", target_id=trust_id)
        say("Committing...")
    finished = time.perf_counter()
    say("Done.")
    rows["audit events"] = 1
    logger.info(
        "demo loaded trust=%s schools=%d pupils=%d assessments=%d seconds=%.1f",
        trust_id,
        counts["schools"],
        counts["pupils"],
        counts["assessments"],
        finished - started,
    )
    return LoadReport(
        trust_id=trust_id,
        seed=seed,
        as_of=as_of,
        rows=rows,
        generate_seconds=generated - started,
        write_seconds=finished - generated,
        summary=data.summary(),
    )


def _refresh_statistics() -> None:
    """Let PostgreSQL's planner see the rows just loaded. Autovacuum cannot analyse them before the commit,
    and with empty-table statistics it picks nested loops that make the first pages take minutes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@contextlib.contextmanager
def _fast_sqlite() -> Iterator[None]:
    """A bigger page cache for the load, so index pages stay in memory while millions of rows go in."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, in KiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def _write(data: DemoData, say: Progress) -> tuple[dict[str, int], int]:
    rows: dict[str, int] = {}

    say("Writing the trust, schools, calendar and staff...")
    year_ids = {y: AcademicYear.objects.get_or_create(start_year=y)[0].pk for y in data.academic_years}
    trust = Trust.objects.create(name=data.trust_name)
    rows["trusts"] = 1
    rows["academic years"] = len(year_ids)
    s = data.schools
    school_objs = School.objects.bulk_create(
        [
            School(
                trust=trust,
                name=s.name[i],
                urn=s.urn[i],
                phase=s.phase[i],
                lowest_year=int(s.lowest_year[i]),
                highest_year=int(s.highest_year[i]),
                la_number=f"{int(s.la_number[i]):03d}",
                establishment_number=f"{int(s.establishment[i]):04d}",
            )
            for i in range(len(s.name))
        ]
    )
    school_ids = np.asarray([o.pk for o in school_objs], dtype=np.int64)
    rows["schools"] = len(school_objs)

    w = data.windows
    window_objs = AssessmentWindow.objects.bulk_create(
        [
            AssessmentWindow(
                school_id=int(school_ids[w.school[i]]),
                academic_year_id=year_ids[int(w.start_year[i])],
                term=w.term[i],
                opens_on=_date(w.opens_on[i]),
                closes_on=_date(w.closes_on[i]),
            )
            for i in range(len(w.term))
        ],
        batch_size=_BULK_BATCH,
    )
    window_ids = np.asarray([o.pk for o in window_objs], dtype=np.int64)
    rows["assessment windows"] = len(window_objs)

    # One hash for everyone: Argon2 per user would take minutes for a large trust.
    password = make_password(settings.TANDEM_DEMO_PASSWORD)
    st = data.staff
    user_objs = User.objects.bulk_create(
        [User(email=st.email[i], full_name=st.full_name[i], password=password) for i in range(len(st.email))],
        batch_size=_BULK_BATCH,
    )
    user_ids = np.asarray([o.pk for o in user_objs], dtype=np.int64)
    rows["users"] = len(user_objs)
    m = data.memberships
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=int(user_ids[m.staff[i]]),
                role=m.role[i],
                school_id=int(school_ids[m.school[i]]) if m.school[i] >= 0 else None,
                trust_id=trust.pk if m.school[i] < 0 else None,
            )
            for i in range(len(m.role))
        ],
        batch_size=_BULK_BATCH,
    )
    rows["memberships"] = len(m.role)

    p = data.pupils
    say(f"Writing {len(p.id):,} pupils...")
    pupil_school = school_ids[p.school]
    pupil_db = _pupil_db_values(p.id)
    n_pupils = len(p.id)
    # Raw rows rather than 60,000 model instances: every column is given, so no model default is skipped.
    _insert(
        Pupil,
        {
            "id": pupil_db,
            "school": _ints(pupil_school),
            "upn": np.asarray(p.upn, dtype=object),
            "mis_id": np.asarray(p.mis_id, dtype=object),
            "legal_forename": np.asarray(p.legal_forename, dtype=object),
            "legal_surname": np.asarray(p.legal_surname, dtype=object),
            "preferred_forename": np.asarray(p.preferred_forename, dtype=object),
            "date_of_birth": _db_dates(Pupil, "date_of_birth", p.date_of_birth),
            "year_group": _ints(p.year_group),
            "sex": np.asarray(p.sex, dtype=object),
            "pupil_premium": _bools(p.pupil_premium),
            "eal": _bools(p.eal),
            "looked_after": _bools(p.looked_after),
            "left_on": np.full(n_pupils, None, dtype=object),
        },
    )
    rows["pupils"] = n_pupils

    g = data.groups
    say(f"Writing {len(g.id):,} classes and sets and {len(data.enrolments.pupil):,} enrolments...")
    current_year = year_ids[data.current_start_year]
    TeachingGroup.objects.bulk_create(
        [
            TeachingGroup(
                id=g.id[i],
                school_id=int(school_ids[g.school[i]]),
                academic_year_id=current_year,
                name=g.name[i],
                kind=g.kind[i],
                subject_id=g.subject[i],
                year_group=int(g.year_group[i]),
            )
            for i in range(len(g.id))
        ],
        batch_size=_BULK_BATCH,
    )
    rows["teaching groups"] = len(g.id)
    gs = data.group_staff
    GroupStaff.objects.bulk_create(
        [
            GroupStaff(group_id=g.id[int(gs.group[i])], user_id=int(user_ids[gs.staff[i]]), role=gs.role[i])
            for i in range(len(gs.role))
        ],
        batch_size=_BULK_BATCH,
    )
    rows["group staff"] = len(gs.role)
    group_db = _db_values(TeachingGroup._meta.pk, g.id)
    e = data.enrolments
    rows["enrolments"] = _insert(
        Enrolment,
        {
            "group": group_db[e.group],
            "pupil": pupil_db[e.pupil],
            "starts_on": _db_dates(Enrolment, "starts_on", e.starts_on),
            "ends_on": np.full(len(e.pupil), None, dtype=object),
        },
    )

    sp, sn = data.sen_periods, data.sen_needs
    say(f"Writing the SEN register: {len(sp.pupil):,} provision periods and {len(sn.pupil):,} needs...")
    rows["SEN periods"] = _insert(
        SenStatusPeriod,
        {
            "pupil": pupil_db[sp.pupil],
            "school": _ints(pupil_school[sp.pupil]),
            "provision": sp.provision.astype(object),
            "starts_on": _db_dates(SenStatusPeriod, "starts_on", sp.starts_on),
            "ends_on": _db_dates(SenStatusPeriod, "ends_on", sp.ends_on),
        },
    )
    rows["SEN needs"] = _insert(
        SenNeed,
        {
            "pupil": pupil_db[sn.pupil],
            "school": _ints(pupil_school[sn.pupil]),
            "need_type": sn.need_type.astype(object),
            "rank": _ints(sn.rank),
            "starts_on": _db_dates(SenNeed, "starts_on", sn.starts_on),
            "ends_on": _db_dates(SenNeed, "ends_on", sn.ends_on),
        },
    )

    a = data.assessments
    total = len(a.pupil)
    say(f"Writing {total:,} assessment results...")
    # Insert in (pupil, subject, window, scale) order: the unique index then grows at its end instead of
    # splitting pages all over, which keeps a multi-million-row load fast on SQLite.
    pupil_rank = np.argsort(np.argsort(np.asarray([u.hex for u in p.id]), kind="stable"), kind="stable")
    order = np.lexsort((a.scale, a.window, a.subject, pupil_rank[a.pupil]))
    user_db = np.asarray([None, *user_ids.tolist()], dtype=object)  # index 0 = nobody recorded
    rows["assessments"] = _insert(
        Assessment,
        {
            "school": _ints(pupil_school[a.pupil]),
            "pupil": pupil_db[a.pupil],
            "subject": np.asarray(generator.SUBJECTS, dtype=object)[a.subject],
            "window": _ints(window_ids[a.window]),
            "scale": np.asarray(generator.SCALES, dtype=object)[a.scale],
            "assessed_on": _db_dates(Assessment, "assessed_on", a.assessed_on),
            "year_group": _ints(a.year_group),
            "result": a.result.astype(object),
            "points": a.points.astype(object),
            "entered_by": user_db[a.entered_by + 1],
            "source": np.full(total, "demo", dtype=object),
        },
        order=order,
        report=lambda done: say(f"  ... {done:,} of {total:,} assessment results written"),
    )
    return rows, trust.pk


# ---------------------------------------------------------------------------------------- value helpers
def _date(value: np.datetime64) -> dt.date:
    result = value.astype("datetime64[D]").item()
    assert isinstance(result, dt.date)
    return result


def _ints(values: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.object_]]:
    # Python ints: the SQLite driver cannot bind numpy integers.
    return np.asarray(values.tolist(), dtype=object)


def _bools(values: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.object_]]:
    # Python bools: PostgreSQL will not take an integer for a boolean column.
    return np.asarray([bool(v) for v in values], dtype=object)


def _db_values(pk: models.Field[Any, Any], values: Sequence[Any]) -> np.ndarray[Any, np.dtype[np.object_]]:
    out = np.empty(len(values), dtype=object)
    out[:] = [pk.get_db_prep_value(v, connection, prepared=False) for v in values]
    return out


def _pupil_db_values(ids: Sequence[Any]) -> np.ndarray[Any, np.dtype[np.object_]]:
    return _db_values(Pupil._meta.pk, ids)


def _db_dates(
    model: type[models.Model], field_name: str, values: np.ndarray[Any, Any]
) -> np.ndarray[Any, np.dtype[np.object_]]:
    """Dates in the backend's own format, converting each distinct day once; NaT becomes NULL."""
    model_field = model._meta.get_field(field_name)
    days = values.astype("datetime64[D]")
    unique, inverse = np.unique(days, return_inverse=True)
    prepared = np.empty(len(unique), dtype=object)
    prepared[:] = [
        None if np.isnat(d) else model_field.get_db_prep_value(_date(d), connection, prepared=False)  # type: ignore[union-attr]
        for d in unique
    ]
    return prepared[inverse.reshape(-1)]


def _insert(
    model: type[models.Model],
    columns: dict[str, np.ndarray[Any, Any]],
    *,
    order: np.ndarray[Any, Any] | None = None,
    report: Callable[[int], None] | None = None,
) -> int:
    """Insert prepared columns in chunks; returns the number of rows.

    executemany on SQLite (and any backend); COPY on PostgreSQL with psycopg 3, where executemany runs
    at about a tenth of the speed.
    """
    meta = model._meta
    names = [str(meta.get_field(name).column) for name in columns]  # type: ignore[union-attr]
    quote = connection.ops.quote_name
    # Identifiers come from model metadata, never from input.
    table, column_list = quote(meta.db_table), ", ".join(quote(n) for n in names)
    insert = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    copy_sql = f"COPY {table} ({column_list}) FROM STDIN"
    arrays = list(columns.values())
    total = len(arrays[0]) if arrays else 0
    next_report = 500_000
    with connection.cursor() as cursor:
        raw = cursor.cursor
        use_copy = connection.vendor == "postgresql" and hasattr(raw, "copy")
        for start in range(0, total, _CHUNK):
            index = (
                np.arange(start, min(start + _CHUNK, total))
                if order is None
                else order[start : start + _CHUNK]
            )
            rows = zip(*[column[index].tolist() for column in arrays], strict=True)
            if use_copy:
                with raw.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(insert, list(rows))
            done = min(start + _CHUNK, total)
            if report and done >= next_report and done < total:
                report(done)
                next_report += 500_000
    return total


__all__ = [
    "DemoRefused",
    "LoadReport",
    "demo_analyse",
    "demo_login_users",
    "demo_logins",
    "format_logins",
    "load_demo",
    "refusal_reason",
]
