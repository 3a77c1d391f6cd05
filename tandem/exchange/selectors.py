"""Reads for imports: the school's import records and what applying a file would do."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.access.scopes import imports_in_scope, pupils_in_scope
from tandem.audit.services import audit_record
from tandem.core.listing import label_order
from tandem.exchange.background import interrupted
from tandem.exchange.fields import ColumnMatch, ImportKind
from tandem.exchange.importers import Plan
from tandem.exchange.models import KIND_NAMES, ImportRecord, ImportStatus
from tandem.exchange.services import CTF_KIND, Loaded, load_upload, plan_for_record

_NEWEST_FIRST = ("-uploaded_at", "-id")
# The columns the list of imports sorts by; kinds and statuses by the words shown, newest first within each.
IMPORT_SORTS: dict[str, tuple[str, ...]] = {
    "date": ("uploaded_at", "id"),
    "kind": ("kind_words", *_NEWEST_FIRST),
    "status": ("status_words", *_NEWEST_FIRST),
}


def import_records(*, actor: Actor, order: tuple[str, ...] = _NEWEST_FIRST) -> QuerySet[ImportRecord]:
    """The imports the actor may see, newest first unless `order` (from `IMPORT_SORTS`) says otherwise."""
    return (
        imports_in_scope(actor)
        .select_related("uploaded_by", "applied_by")
        .defer("content")
        .alias(
            kind_words=label_order("kind", KIND_NAMES.items()),
            status_words=label_order("status", ImportStatus.choices),
        )
        .order_by(*order)
    )


@dataclass
class Preview:
    record: ImportRecord
    plan: Plan | None
    match: ColumnMatch | None
    headers: tuple[str, ...]
    file_notices: tuple[str, ...]
    same_file_before: ImportRecord | None


def import_preview(*, actor: Actor, record: ImportRecord) -> Preview:
    """What applying the file would do, row by row, without writing anything."""
    data = bytes(record.content or b"")
    loaded = load_upload(record.kind, record.file_name, data) if data else Loaded()
    plan, match = (None, None)
    if data and (record.status in (ImportStatus.PREVIEWED, ImportStatus.FAILED) or interrupted(record)):
        plan, match = plan_for_record(record, actor, loaded, for_preview=True)
    if record.kind in (ImportKind.SEN, CTF_KIND):
        # The preview shows SEN codes against pupils: a view of SEN data leaves a trail.
        audit_record(actor=actor, action="import.view", target_type="import", target_id=record.pk)
    before = (
        ImportRecord.objects.filter(
            school_id=record.school_id, file_sha256=record.file_sha256, status=ImportStatus.APPLIED
        )
        .exclude(pk=record.pk)
        .select_related("applied_by")
        .first()
    )
    notices = tuple(n.message for n in loaded.table.notices) if loaded.table else ()
    return Preview(
        record=record,
        plan=plan,
        match=match,
        headers=loaded.table.headers if loaded.table else (),
        file_notices=notices + tuple(plan.notices if plan else ()),
        same_file_before=before,
    )


def school_year_groups(*, actor: Actor) -> list[int]:
    return sorted(
        set(pupils_in_scope(actor, Resource.TRANSFER).values_list("year_group", flat=True).distinct())
    )
