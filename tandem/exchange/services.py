"""Writes for imports: upload (checked, nothing applied), choose columns, apply (one transaction), discard.

An upload that cannot be read at all is refused and leaves nothing behind. Applying re-plans the file
against the records as they are at that moment, inside the transaction, and writes in batches; any database
error rolls everything back and the import record says so, so a retry starts afresh and writes each row once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import imports_in_scope
from tandem.assessment.models import Scale
from tandem.audit.services import audit_record
from tandem.core.staging import Staging, points_only_at, staging_available
from tandem.exchange.ctf import CtfFile, CtfRejected, parse_ctf
from tandem.exchange.fields import (
    FIELDS,
    ColumnMatch,
    ImportKind,
    guess_kind,
    match_columns,
    normalise_header,
)
from tandem.exchange.importers import (
    Plan,
    plan_assessments,
    plan_ctf,
    plan_groups,
    plan_marksheet,
    plan_pupils,
    plan_sen,
    plan_staff,
)
from tandem.exchange.importers.base import codes_by_name
from tandem.exchange.importers.staff import StaffPlan
from tandem.exchange.models import ImportFormat, ImportRecord, ImportStatus, MisSenStatus, SavedColumns
from tandem.exchange.tabular import FileRejected, Table, read_table, safe_filename
from tandem.lib.text import counted
from tandem.people.models import Subject
from tandem.people.services import StaffImportResult, staff_import_follow_up, staff_import_refusals
from tandem.progress.services import analysis_request
from tandem.schools.models import AcademicYear, School

logger = logging.getLogger("tandem.exchange")

CTF_KIND = "ctf"
#: Imports that bring marks in, after which the progress analysis runs again.
MARKS_KINDS = (ImportKind.ASSESSMENTS.value, ImportKind.MARKSHEET.value, CTF_KIND)
KINDS = (*(k.value for k in ImportKind), CTF_KIND)
# Upload "kind" meaning: let the file's columns (or XML) say what it is.
GUESS_KIND = "guess"
# Rows written per statement: small enough to report progress, large enough to keep the query count low.
BATCH_SIZE = 500
DEFAULT_SCALE = "standardised"

# (stage, done, total): "checking" rows against the records, then "writing" them.
Progress = Callable[[str, int, int], None]


def _require_importer(actor: Actor, kind: str) -> int:
    if actor.school_id is None or not actor.can(Resource.IMPORT, Action.MANAGE):
        raise ValidationError("Only the school admin or the SENCo imports files.")
    if kind == ImportKind.SEN and not actor.can(Resource.SEN_RECORD, Action.MANAGE):
        raise ValidationError("Only the SENCo imports SEN status and needs.")
    if kind == ImportKind.STAFF and not actor.can(Resource.STAFF, Action.MANAGE):
        raise ValidationError("Only the school admin imports staff and their roles.")
    if kind not in KINDS:
        raise ValidationError({"kind": "Choose what the file contains."})
    return actor.school_id


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


@dataclass(frozen=True)
class Loaded:
    table: Table | None = None
    ctf: CtfFile | None = None


def load_upload(kind: str, file_name: str, data: bytes) -> Loaded:
    """Read the upload into rows (or a CTF); a file that cannot be read raises ValidationError."""
    try:
        if kind == CTF_KIND:
            return Loaded(ctf=parse_ctf(data))
        if _looks_like_xml(data):
            raise ValidationError(
                "This file is XML, not CSV or Excel. If it is a Common Transfer File, choose that kind."
            )
        table = read_table(data, filename=file_name)
    except (FileRejected, CtfRejected) as exc:
        raise ValidationError(str(exc)) from exc
    if not table.headers or not any(table.headers):
        raise ValidationError("The file has no header row naming its columns.")
    if not table.rows:
        raise ValidationError("The file has a header row but no rows of data.")
    return Loaded(table=table)


def guess_file_kind(file_name: str, data: bytes) -> str | None:
    """What a file seems to hold, for the command line when no kind is given: XML is a CTF, and a table
    the kind whose required columns its headers give. None when that is not clear."""
    if _looks_like_xml(data):
        return CTF_KIND
    try:
        table = read_table(data, filename=safe_filename(file_name))
    except FileRejected as exc:
        raise ValidationError(str(exc)) from exc
    kind = guess_kind(table.headers, codes_by_name(Subject.objects.values_list("code", "name")))
    return kind.value if kind else None


def headers_key(headers: tuple[str, ...] | list[str]) -> str:
    names = sorted(normalise_header(h) for h in headers)
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()


def import_upload(
    *, actor: Actor, kind: str, file_name: str, data: bytes, default_scale: str = DEFAULT_SCALE
) -> ImportRecord:
    """Check an uploaded file and keep it for its preview. Nothing in the school's records changes."""
    if kind == GUESS_KIND:
        guessed = guess_file_kind(file_name, data)
        if guessed is None:
            raise ValidationError(
                {"kind": "Tandem cannot tell from its columns what this file contains: choose it."}
            )
        kind = guessed
    school_id = _require_importer(actor, kind)
    if not Scale.objects.filter(code=default_scale).exists():
        raise ValidationError({"default_scale": f"There is no scale '{default_scale}'."})
    name = safe_filename(file_name)
    loaded = load_upload(kind, name, data)
    columns: dict[str, str] = {}
    if loaded.table is not None:
        saved = SavedColumns.objects.filter(
            school_id=school_id, kind=kind, headers_key=headers_key(loaded.table.headers)
        ).first()
        columns = dict(saved.columns) if saved else {}
        file_format = loaded.table.file_format
    else:
        file_format = ImportFormat.CTF
    with transaction.atomic():
        record = ImportRecord.objects.create(
            school_id=school_id,
            kind=kind,
            file_format=file_format,
            file_name=name,
            file_sha256=hashlib.sha256(data).hexdigest(),
            file_size=len(data),
            content=data,
            columns=columns,
            options={"default_scale": default_scale},
            uploaded_by_id=actor.user_id,
            rows_total=len(loaded.table.rows)
            if loaded.table
            else len(loaded.ctf.pupils if loaded.ctf else ()),
        )
        audit_record(
            actor=actor, action="import.upload", target_type="import", target_id=record.pk, fields=[kind]
        )
    return record


def plan_for_record(
    record: ImportRecord,
    actor: Actor,
    loaded: Loaded,
    progress: Callable[[int], None] | None = None,
    for_preview: bool = False,
) -> tuple[Plan | None, ColumnMatch | None]:
    school = School.objects.get(pk=record.school_id)
    today = timezone.localdate()
    source = f"import:{record.pk}"[:64]
    if loaded.ctf is not None:
        with_sen = actor.can(Resource.SEN_RECORD, Action.MANAGE)
        return plan_ctf(loaded.ctf, school=school, today=today, with_sen=with_sen, source=source), None
    assert loaded.table is not None
    kind = ImportKind(record.kind)
    match = match_columns(loaded.table.headers, kind, record.columns or None)
    if not match.ok:
        return None, match
    if kind is ImportKind.PUPILS:
        return plan_pupils(loaded.table, match.columns, school=school, today=today), match
    if kind is ImportKind.STAFF:
        staff = plan_staff(
            loaded.table, match.columns, school=school, importer_id=actor.user_id, source_import_id=record.pk
        )
        return staff, match
    if kind is ImportKind.GROUPS:
        return plan_groups(loaded.table, match.columns, school=school, today=today), match
    if kind is ImportKind.SEN:
        return plan_sen(loaded.table, match.columns, school=school, today=today), match
    planner = plan_marksheet if kind is ImportKind.MARKSHEET else plan_assessments
    plan = planner(
        loaded.table,
        match.columns,
        school=school,
        today=today,
        default_scale=record.options.get("default_scale", DEFAULT_SCALE),
        source=source,
        progress=progress,
        build=not for_preview,
    )
    return plan, match


def import_set_columns(*, actor: Actor, record: ImportRecord, columns: dict[str, str]) -> ImportRecord:
    """Choose which column feeds each field; remembered for the school's next file with these headers."""
    school_id = _require_importer(actor, record.kind)
    if record.status != ImportStatus.PREVIEWED or record.kind == CTF_KIND:
        raise ValidationError("This import can no longer be changed.")
    loaded = load_upload(record.kind, record.file_name, bytes(record.content or b""))
    assert loaded.table is not None
    known = {spec.key for spec in FIELDS[ImportKind(record.kind)]}
    headers = {normalise_header(h) for h in loaded.table.headers}
    cleaned = {key: value for key, value in columns.items() if key in known}
    for key, header in cleaned.items():
        if header and normalise_header(header) not in headers:
            raise ValidationError({key: "Choose one of the file's columns."})
    with transaction.atomic():
        record.columns = cleaned
        record.save(update_fields=["columns"])
        SavedColumns.objects.update_or_create(
            school_id=school_id,
            kind=record.kind,
            headers_key=headers_key(loaded.table.headers),
            defaults={"columns": cleaned},
        )
        audit_record(
            actor=actor,
            action="import.columns",
            target_type="import",
            target_id=record.pk,
            fields=sorted(cleaned),
        )
    return record


def _save_windows(plan: Plan) -> None:
    for year in plan.academic_years:
        saved = AcademicYear.objects.get_or_create(start_year=year.start_year)[0]
        year.pk = saved.pk
    for window in plan.windows:
        if window.academic_year.pk is None:
            start_year = window.academic_year.start_year
            window.academic_year = AcademicYear.objects.get_or_create(start_year=start_year)[0]
        window.save()


def _write(plan: Plan, progress: Progress | None) -> None:
    total = plan.write_count()
    done = 0
    _save_windows(plan)
    for model, rows, fields in plan.updates:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            model.objects.bulk_update(batch, fields)  # type: ignore[attr-defined]
            done += len(batch)
            if progress:
                progress("writing", done, total)
    for model, rows in plan.creates:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            model.objects.bulk_create(batch)  # type: ignore[attr-defined]
            done += len(batch)
            if progress:
                progress("writing", done, total)


def _stageable(plan: Plan) -> bool:
    """On SQLite, rows are staged first (tandem/core/staging.py) unless they point at something the
    file itself creates other than its windows and years (a roll's new pupil's first SEN period)."""
    if not staging_available():
        return False
    own = [*plan.windows, *plan.academic_years]
    return all(points_only_at(model, rows, own) for model, rows, _ in plan.updates) and all(
        points_only_at(model, rows, own) for model, rows in plan.creates
    )


def _stage(plan: Plan, progress: Progress | None) -> Staging:
    total, done = plan.write_count(), 0

    def written(rows: int) -> None:
        nonlocal done
        done += rows
        if progress:
            progress("writing", done, total)

    staged = Staging("import")
    for model, rows, fields in plan.updates:
        staged.add_updates(model, rows, fields, written)
    for model, rows in plan.creates:
        staged.add_creates(model, rows, written)
    return staged


class ImportFailed(Exception):
    """Applying failed and nothing was changed; the import record says why."""


def import_apply(
    *,
    actor: Actor,
    record_id: uuid.UUID,
    skip_errors: bool = False,
    progress: Progress | None = None,
    background: bool = False,
    base_url: str | None = None,
) -> ImportRecord:
    """Apply a previewed import in one transaction: every row or none.

    Rows with errors block the apply unless `skip_errors` is chosen; then they are listed in the record.
    `background` is for the import job (tandem/exchange/jobs.py), whose record is marked "applying" first.
    A staff import also records an event per role it gives or asks for and invites new people (the
    emails go once it commits); rows that would give the importer a role are refused, with a denied
    event that stays whether or not the rest is applied.

    Checking every row against the school's records only reads, so it runs before the transaction; on
    SQLite the rows are then staged where nobody waits for them (tandem/core/staging.py), and the
    transaction, the only time SQLite's one write lock is held, copies them in. Anything changed in
    between (another import, an edit) makes the write fail on its constraints, nothing written, or the
    import's values win over it, as they would had it run a moment later.
    """
    record = _importable_record(actor, record_id)
    school_id = record.school_id
    open_statuses = [ImportStatus.PREVIEWED, ImportStatus.FAILED]
    if background:
        open_statuses.append(ImportStatus.APPLYING)
    if record.status not in open_statuses or not record.content:
        raise ValidationError("This import has already been applied or discarded.")
    loaded = load_upload(record.kind, record.file_name, bytes(record.content))
    refused_roles: list[str] = []
    staged: Staging | None = None
    try:
        try:
            checking = (lambda done: progress("checking", done, record.rows_total)) if progress else None
            plan, match = plan_for_record(record, actor, loaded, progress=checking)
            if plan is None:
                problems = " ".join(p.message for p in (match.problems if match else ()))
                raise ValidationError(f"Choose the columns first. {problems}".strip())
            if isinstance(plan, StaffPlan):
                refused_roles = plan.self_grants
            if plan.blocking and not skip_errors:
                errors = len(plan.error_lines)
                raise ValidationError(
                    f"{counted(errors, 'row')} {'has' if errors == 1 else 'have'} errors. Correct the file, "
                    "or choose to leave those rows out."
                )
            if progress:
                progress("writing", 0, plan.write_count())
            staged = _stage(plan, progress) if _stageable(plan) else None
            began = time.perf_counter()
            with transaction.atomic():
                locked = ImportRecord.objects.select_for_update().get(pk=record.pk)
                if locked.status not in open_statuses:
                    raise ValidationError("This import has already been applied.")
                if staged:
                    _save_windows(plan)
                    staged.copy_in()
                else:
                    _write(plan, progress)
                applied_at = timezone.now()
                _record_mis_sen(record=record, plan=plan, applied_at=applied_at)
                if isinstance(plan, StaffPlan):
                    staff_import_follow_up(
                        actor=actor,
                        school_id=school_id,
                        result=StaffImportResult(
                            memberships=plan.memberships, proposals=plan.proposals, new_users=plan.new_users
                        ),
                        base_url=base_url,
                    )
                _record_applied(
                    actor=actor, record=record, plan=plan, skip_errors=skip_errors, applied_at=applied_at
                )
            # For whoever runs the server: how long other writers waited, at most (no pupil data).
            logger.info(
                "import %s applied: %d rows written, transaction %.2f s (staged first: %s)",
                record.pk,
                plan.write_count(),
                time.perf_counter() - began,
                "yes" if staged else "no",
            )
        finally:
            if staged:
                staged.drop()
            if refused_roles:
                staff_import_refusals(actor=actor, school_id=school_id, roles=refused_roles)
    except DatabaseError as exc:
        # The transaction is gone: say so on the record, in a new one, and keep the file for a retry.
        logger.warning("import %s failed: %s", record.pk, type(exc).__name__)
        _record_failed(actor=actor, record=record)
        raise ImportFailed(str(record.pk)) from exc
    record.refresh_from_db()
    return record


def _record_mis_sen(*, record: ImportRecord, plan: Plan, applied_at: dt.datetime) -> None:
    """What the file said each pupil's SEN status is, replacing what an earlier import said: the MIS's word,
    which the census check compares with Tandem's (tandem/register/census_check.py). One upsert per batch."""
    rows = [
        MisSenStatus(
            pupil_id=pupil_id,
            school_id=record.school_id,
            provision=provision,
            import_record_id=record.pk,
            applied_at=applied_at,
        )
        for pupil_id, provision in plan.mis_sen.items()
    ]
    if rows:
        MisSenStatus.objects.bulk_create(
            rows,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["pupil"],
            update_fields=["school", "provision", "import_record_id", "applied_at"],
        )


def _record_applied(
    *, actor: Actor, record: ImportRecord, plan: Plan, skip_errors: bool, applied_at: dt.datetime
) -> None:
    ImportRecord.objects.filter(pk=record.pk).update(
        status=ImportStatus.APPLIED,
        applied_by_id=actor.user_id,
        applied_at=applied_at,
        rows_total=plan.rows_total,
        rows_with_errors=len(plan.error_lines),
        rows_with_warnings=len(plan.warning_lines - plan.error_lines),
        created=plan.created,
        updated=plan.updated,
        unchanged=plan.unchanged,
        skipped=_skipped_rows(plan) if skip_errors else [],
        skip_errors=skip_errors,
        failure="",
        content=None,
        progress_done=plan.rows_total,
    )
    audit_record(
        actor=actor, action="import.apply", target_type="import", target_id=record.pk, fields=[record.kind]
    )
    if record.kind in MARKS_KINDS and plan.created + plan.updated:
        # New marks: the 6.17 analysis runs by itself, queued with the import so neither lands alone.
        analysis_request(actor=actor, school_id=record.school_id, reason="import")


@transaction.atomic
def _record_failed(*, actor: Actor, record: ImportRecord) -> None:
    ImportRecord.objects.filter(pk=record.pk).update(
        status=ImportStatus.FAILED,
        failure=(
            "The database refused a write part-way through, so nothing was changed. "
            "Try applying again; if it fails again, ask your IT lead to check the server."
        ),
    )
    # Not "denied": the attempt was allowed and nothing was written; the trail says so by name.
    audit_record(
        actor=actor,
        action="import.apply_failed",
        target_type="import",
        target_id=record.pk,
        fields=[record.kind],
    )


def _skipped_rows(plan: Plan) -> list[dict[str, object]]:
    by_line: dict[int, list[str]] = {}
    for issue in plan.issues:
        if issue.is_error:
            by_line.setdefault(issue.line, []).append(f"{issue.field}: {issue.message}")
    return [{"line": line, "messages": messages} for line, messages in sorted(by_line.items())]


def _importable_record(actor: Actor, record_id: uuid.UUID) -> ImportRecord:
    """The record as every import page finds it, through the access layer's scope, and the actor's right
    to import its kind; never a lookup of its own beside that scope."""
    record = imports_in_scope(actor, Action.MANAGE).filter(pk=record_id).first()
    if record is None:
        raise ImportRecord.DoesNotExist()
    _require_importer(actor, record.kind)
    return record


def import_discard(*, actor: Actor, record_id: uuid.UUID) -> ImportRecord:
    found = _importable_record(actor, record_id)
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().get(pk=found.pk)
        if record.status not in (ImportStatus.PREVIEWED, ImportStatus.FAILED):
            raise ValidationError("Only an import that has not been applied can be discarded.")
        record.status = ImportStatus.DISCARDED
        record.content = None
        record.save(update_fields=["status", "content"])
        audit_record(actor=actor, action="import.discard", target_type="import", target_id=record.pk)
    return record


#: An uploaded file nobody applied is deleted this long after it was uploaded (issue 14: nothing kept that
#: is not used); its record stays, saying so.
UNAPPLIED_UPLOAD_KEPT = dt.timedelta(days=7)
EXPIRED_UPLOAD = "Deleted: not applied within 7 days of being uploaded. Upload the file again to import it."


def import_uploads_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of imports previewed (or failed) but not applied within 7 days; each record is
    marked discarded with why, and leaves an audit event. Returns how many."""
    cutoff = (now or timezone.now()) - UNAPPLIED_UPLOAD_KEPT
    expired = 0
    stale = ImportRecord.objects.filter(
        status__in=[ImportStatus.PREVIEWED, ImportStatus.FAILED], uploaded_at__lt=cutoff
    ).values_list("pk", "school_id")
    for record_id, school_id in stale:
        with transaction.atomic():
            # Claimed again by status, in case someone applied or discarded it meanwhile.
            claimed = ImportRecord.objects.filter(
                pk=record_id, status__in=[ImportStatus.PREVIEWED, ImportStatus.FAILED]
            ).update(status=ImportStatus.DISCARDED, content=None, failure=EXPIRED_UPLOAD)
            if claimed:
                audit_record(
                    actor=None,
                    action="import.expired",
                    target_type="import",
                    target_id=record_id,
                    school_id=school_id,
                )
                expired += 1
    return expired
