"""Writes for corrections and withdrawals, shared by every record kind.

Each app's `<kind>_correct` and `<kind>_withdraw` service checks access and validates the new values the
way its create service does, then calls `record_correct` or `record_withdraw` inside its transaction:
the record is updated, a version is added to its history and an audit event (field names only) is left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.audit.services import audit_record
from tandem.core.validation import require_text
from tandem.lib.revisions import changed_fields
from tandem.revisions.kinds import RecordKind
from tandem.revisions.models import REASON_LIMIT, RecordVersion, SharedDocument, VersionKind, Withdrawable
from tandem.revisions.selectors import record_version_number

W = TypeVar("W", bound=Withdrawable)

STALE = (
    "Nothing was saved: someone else changed this record after you opened it. "
    "Open it again to see their change, then make yours."
)
WITHDRAWN = "This record has been withdrawn, so it cannot be changed."
NOTHING_CHANGED = "Nothing was changed: correct a field, or cancel."
WITHDRAWAL_FIELDS = ("withdrawn_at", "withdrawn_by", "withdrawn_reason")


def record_values(*, record: Any, kind: RecordKind) -> dict[str, Any]:
    """The person-written values of a record as stored in a version (dates as ISO text)."""
    values = {}
    for name in kind.fields:
        value = getattr(record, name)
        values[name] = value.isoformat() if isinstance(value, dt.date) else value
    return values


def _pupil_of(record: Any) -> Any:
    # A record about a group of pupils (a session log) has no one pupil: its versions name none.
    return getattr(record, "pupil_id", None)


def record_version_add(
    *, actor: Actor, record: Any, record_type: str, fields: Mapping[str, Any], kind: str, reason: str = ""
) -> RecordVersion:
    """The next version of a record, made by `actor` now."""
    latest = RecordVersion.objects.filter(record_type=record_type, record_id=record.pk).aggregate(
        n=Max("number")
    )["n"]
    return RecordVersion.objects.create(
        school_id=record.school_id,
        pupil_id=_pupil_of(record),
        record_type=record_type,
        record_id=record.pk,
        number=(latest or 0) + 1,
        kind=kind,
        changed_by_id=actor.user_id,
        changed_at=timezone.now(),
        fields=dict(fields),
        reason=reason,
    )


def _locked_for_change(record: W, kind: RecordKind, version: int | None) -> W:
    """The record, locked until the transaction ends, after refusing a stale form; a record never
    versioned gets its version 1 (as first saved, by its writer) before anything changes."""
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if locked.is_withdrawn:
        raise ValidationError(WITHDRAWN)
    versions = RecordVersion.objects.filter(record_type=kind.record_type, record_id=locked.pk)
    latest = versions.aggregate(n=Max("number"))["n"]
    if version != (latest or 1):
        raise ValidationError(STALE)
    if latest is None:
        RecordVersion.objects.create(
            school_id=locked.school_id,
            pupil_id=_pupil_of(locked),
            record_type=kind.record_type,
            record_id=locked.pk,
            number=1,
            kind=VersionKind.CREATED,
            changed_by_id=getattr(locked, kind.written_by) if kind.written_by else None,
            changed_at=locked.created_at,
            fields=record_values(record=locked, kind=kind),
        )
    return locked


def reason_text(reason: str) -> str:
    """A correction's or withdrawal's reason, stripped; refused (never cut short) when too long."""
    reason = reason.strip()
    if len(reason) > REASON_LIMIT:
        raise ValidationError({"reason": f"Keep the reason to {REASON_LIMIT} characters or fewer."})
    return reason


def record_correct(
    *,
    actor: Actor,
    record: W,
    kind: RecordKind,
    version: int | None,
    values: Mapping[str, Any],
    reason: str = "",
) -> W:
    """Correct a record's person-written fields. Call inside the kind's service transaction, after its
    checks: refuses a stale form, a withdrawn record and a correction that changes nothing."""
    unknown = set(values) - set(kind.fields)
    if unknown:  # a programming mistake: only the fields the kind lists are versioned
        raise ValueError(f"not person-written fields of a {kind.record_type}: {sorted(unknown)}")
    reason = reason_text(reason)
    locked = _locked_for_change(record, kind, version)
    before = record_values(record=locked, kind=kind)
    for name, value in values.items():
        if name not in kind.related:
            setattr(locked, name, value)
    after = {**record_values(record=locked, kind=kind), **{n: values[n] for n in kind.related if n in values}}
    changed = list(changed_fields(before, after))
    if not changed:
        raise ValidationError(NOTHING_CHANGED)
    locked.save(update_fields=[name for name in changed if name not in kind.related])
    record_version_add(
        actor=actor,
        record=locked,
        record_type=kind.record_type,
        fields=after,
        kind=VersionKind.CORRECTED,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=f"{kind.record_type}.correct",
        target_type=kind.audit_type,
        target_id=getattr(locked, kind.audit_id),
        school_id=locked.school_id,
        fields=[name.removesuffix("_id") for name in changed],
    )
    return locked


def record_withdraw(*, actor: Actor, record: W, kind: RecordKind, version: int | None, reason: str) -> W:
    """Withdraw a record: it leaves lists, counts and documents; its page and history stay."""
    text = require_text(reason=reason)["reason"]
    text = reason_text(text)
    locked = _locked_for_change(record, kind, version)
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by_id = actor.user_id
    locked.withdrawn_reason = text
    locked.save(update_fields=list(WITHDRAWAL_FIELDS))
    record_version_add(
        actor=actor,
        record=locked,
        record_type=kind.record_type,
        fields=record_values(record=locked, kind=kind),
        kind=VersionKind.WITHDRAWN,
        reason=text,
    )
    audit_record(
        actor=actor,
        action=f"{kind.record_type}.withdraw",
        target_type=kind.audit_type,
        target_id=getattr(locked, kind.audit_id),
        school_id=locked.school_id,
        fields=WITHDRAWAL_FIELDS,
    )
    return locked


def shared_document_record(*, actor: Actor, record: Any, kind: RecordKind) -> SharedDocument:
    """Remember that a document for parents was produced from the record's current version."""
    return SharedDocument.objects.create(
        school_id=record.school_id,
        pupil_id=record.pupil_id,
        record_type=kind.record_type,
        record_id=record.pk,
        version=record_version_number(record_type=kind.record_type, record_id=record.pk),
        shared_by_id=actor.user_id,
    )


def record_versions_delete(*, record_type: str, record_ids: list[Any]) -> int:
    """Delete the versions of records being deleted, for records whose versions name no pupil (a
    pupil's versions go with the pupil)."""
    deleted, _ = RecordVersion.objects.filter(record_type=record_type, record_id__in=record_ids).delete()
    return deleted
