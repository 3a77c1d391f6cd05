"""Reads of a record's version history and of the documents parents were given, through the access scopes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Scope
from tandem.access.scopes import pupils_in_scope
from tandem.lib.revisions import version_changes
from tandem.people.models import User
from tandem.revisions.kinds import RecordKind
from tandem.revisions.models import RecordVersion, SharedDocument, VersionKind
from tandem.schools.models import School


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    number: int
    kind: str
    changed_by: str
    changed_at: dt.datetime
    changes: list[FieldChange]
    reason: str


def _shown(kind: RecordKind, name: str, value: Any, people: dict[Any, str]) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    if name in kind.people:
        return people.get(value, "Someone no longer listed")
    if name in kind.pupils:
        return ", ".join(sorted(people.get(pk, "a pupil not shown to you") for pk in value))
    if name in kind.dates:
        return f"{dt.date.fromisoformat(value):%-d %b %Y}"
    if name in kind.choices:
        return kind.choices[name].get(str(value), str(value))
    return str(value)


def _versions_in_scope(actor: Actor, kind: RecordKind) -> Q:
    """Versions about a pupil the actor reaches; for a record about a group of pupils (no pupil on its
    versions), those at the actor's school, or trust for a trust role: its page found the record through
    the access scopes."""
    about_pupils = Q(pupil_id__in=pupils_in_scope(actor, kind.resource).values("pk"))
    if kind.about_one_pupil:
        return about_pupils
    scope = actor.scope(kind.resource)
    if scope is Scope.NONE:
        return about_pupils
    schools = (
        School.objects.filter(trust_id=actor.trust_id or 0)
        if scope is Scope.TRUST
        else School.objects.filter(pk=actor.school_id or 0)
    )
    return about_pupils | Q(pupil__isnull=True, school_id__in=schools.values("pk"))


def _names(actor: Actor, kind: RecordKind, versions: list[RecordVersion]) -> dict[Any, str]:
    """The people (by user id) and pupils (by id as text, only those the actor may see) versions name."""
    person_ids = {v.fields.get(name) for v in versions for name in kind.people} - {None}
    names: dict[Any, str] = dict(User.objects.filter(pk__in=person_ids).values_list("pk", "full_name"))
    pupil_ids = {pk for v in versions for name in kind.pupils for pk in v.fields.get(name) or []}
    if pupil_ids:
        pupils = pupils_in_scope(actor, kind.resource).filter(pk__in=pupil_ids)
        names.update((str(p.pk), p.display_name) for p in pupils)
    return names


def record_histories(
    *, actor: Actor, kind: RecordKind, record_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[HistoryRow]]:
    """Each record's versions, oldest first, with what changed from the version before. A record never
    corrected has no rows: its page shows it as first saved."""
    ids = list(record_ids)
    if not ids:
        return {}
    versions = list(
        RecordVersion.objects.filter(
            _versions_in_scope(actor, kind), record_type=kind.record_type, record_id__in=ids
        )
        .select_related("changed_by")
        .order_by("record_id", "number")
    )
    people = _names(actor, kind, versions)
    by_record: dict[uuid.UUID, list[RecordVersion]] = {}
    for version in versions:
        by_record.setdefault(version.record_id, []).append(version)
    histories: dict[uuid.UUID, list[HistoryRow]] = {}
    for record_id, rows in by_record.items():
        changes = version_changes([row.fields for row in rows])
        histories[record_id] = [
            HistoryRow(
                number=row.number,
                kind=VersionKind(row.kind).label,
                changed_by=row.changed_by.full_name if row.changed_by else "Not recorded",
                changed_at=row.changed_at,
                changes=[
                    FieldChange(
                        kind.labels.get(name, name),
                        _shown(kind, name, before, people),
                        _shown(kind, name, after, people),
                    )
                    for name, (before, after) in changed.items()
                ],
                reason=row.reason,
            )
            for row, changed in zip(rows, changes, strict=True)
        ]
    return histories


def record_history(*, actor: Actor, kind: RecordKind, record_id: uuid.UUID) -> list[HistoryRow]:
    return record_histories(actor=actor, kind=kind, record_ids=[record_id]).get(record_id, [])


def record_version_number(*, record_type: str, record_id: Any) -> int:
    """The record's current version, which a correction form starts from: 1 until it is first corrected."""
    latest = RecordVersion.objects.filter(record_type=record_type, record_id=record_id).aggregate(
        n=Max("number")
    )["n"]
    return int(latest or 1)


@dataclass(frozen=True)
class GivenToParents:
    version: int
    given_on: dt.date
    changed_since: bool  # corrected (or a part withdrawn) after the parents were given it


def given_to_parents(
    *, actor: Actor, kind: RecordKind, record_id: uuid.UUID, changed_after: dt.datetime | None
) -> GivenToParents | None:
    """The latest version of the record's parent document that was produced, if any. `changed_after` is
    when the record (or a part of it the document shows) last changed."""
    shared = (
        SharedDocument.objects.filter(
            record_type=kind.record_type,
            record_id=record_id,
            pupil_id__in=pupils_in_scope(actor, kind.resource).values("pk"),
        )
        .order_by("-shared_at", "-pk")
        .first()
    )
    if shared is None:
        return None
    return GivenToParents(
        version=shared.version,
        given_on=timezone.localdate(shared.shared_at),
        changed_since=changed_after is not None and changed_after > shared.shared_at,
    )


def last_changed(*, record_ids: Iterable[uuid.UUID]) -> dt.datetime | None:
    """When any of these records (of any kind: ids are unique) was last corrected or withdrawn."""
    latest = (
        RecordVersion.objects.filter(record_id__in=list(record_ids))
        .exclude(kind=VersionKind.CREATED)
        .order_by("-changed_at")
        .values_list("changed_at", flat=True)
        .first()
    )
    return latest
