"""The audit chain: every event gets a seal whose hash covers the event and the seal before it, so an event
changed, removed or slipped in after it was sealed breaks the chain at that point, for anyone who checks.

The append-only triggers stop Tandem and anyone using its database account from changing events; the chain is
for what the triggers cannot stop, the database's owner dropping them (or editing the file). Events are
sealed shortly after they are written, by the worker at every heartbeat (`audit_seal`), in the order they
are sealed: a transaction that commits late is simply sealed later. `tandem audit verify` (`audit_verify`)
walks the chain and reports the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from django.db import connection, transaction

from tandem.audit.models import AuditEvent, AuditSeal
from tandem.audit.spool import audit_spool_drain

GENESIS = "0" * 64
BATCH = 5_000
# On PostgreSQL two transactions can commit their events out of id order; an event is looked for this far
# below the newest sealed one (audit_verify counts any left unsealed anywhere). SQLite has one writer at a
# time, so its events commit in id order and nothing can appear below the newest sealed one.
LATE_COMMIT_WINDOW = 100_000
_LOCK_KEY = 7_411_042_026  # pg_advisory_xact_lock key: one sealer at a time


def event_digest(previous: str, event: AuditEvent) -> str:
    """The seal's hash: SHA-256 of the previous seal's hash and every field of the event, in a fixed form."""
    canonical = json.dumps(
        [
            event.pk,
            event.occurred_at.astimezone(UTC).isoformat(),
            event.actor_id,
            event.actor_role,
            event.school_id,
            event.trust_id,
            event.action,
            event.target_type,
            event.target_id,
            event.outcome,
            event.request_id,
            event.fields,
        ],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256((previous + canonical).encode("ascii")).hexdigest()


def audit_seal(*, batch: int = BATCH) -> int:
    """Seal every event not sealed yet, oldest first (moving any spooled ones into the trail first); returns
    how many. Safe to run from several workers."""
    audit_spool_drain()
    sealed = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            last = AuditSeal.objects.order_by("-sequence").first()
            sequence, previous = (last.sequence, last.chain_hash) if last else (0, GENESIS)
            window = LATE_COMMIT_WINDOW if connection.vendor == "postgresql" else 0
            low = max(0, (last.event_id if last else 0) - window)
            waiting = list(
                AuditEvent.objects.filter(pk__gt=low)
                .exclude(pk__in=AuditSeal.objects.filter(event_id__gt=low).values("event_id"))
                .order_by("pk")[:batch]
            )
            seals = []
            for event in waiting:
                sequence += 1
                previous = event_digest(previous, event)
                seals.append(AuditSeal(sequence=sequence, event_id=event.pk, chain_hash=previous))
            AuditSeal.objects.bulk_create(seals)
        sealed += len(seals)
        if len(waiting) < batch:
            return sealed


@dataclass(frozen=True)
class ChainReport:
    sealed: int
    unsealed: int
    broken_at_event: int | None = None
    broken_at_seal: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at_seal is None


def _seal_batches() -> Iterator[list[AuditSeal]]:
    after = 0
    while True:
        batch = list(AuditSeal.objects.filter(sequence__gt=after).order_by("sequence")[:BATCH])
        if not batch:
            return
        yield batch
        after = batch[-1].sequence


def audit_verify() -> ChainReport:
    """Walk the chain from the first seal; stop at the first link that does not hold."""
    previous, expected, sealed = GENESIS, 1, 0
    for batch in _seal_batches():
        events = AuditEvent.objects.in_bulk([seal.event_id for seal in batch])
        for seal in batch:
            event = events.get(seal.event_id)
            problem = ""
            if seal.sequence != expected:
                problem = f"seal {expected} is missing: seals were removed"
            elif event is None:
                problem = f"event {seal.event_id} was removed after it was sealed"
            elif event_digest(previous, event) != seal.chain_hash:
                problem = f"event {seal.event_id} does not match its seal: it (or the seal) was changed"
            if problem:
                return ChainReport(
                    sealed=sealed,
                    unsealed=_unsealed(),
                    broken_at_event=seal.event_id,
                    broken_at_seal=seal.sequence,
                    problem=problem,
                )
            previous, expected, sealed = seal.chain_hash, expected + 1, sealed + 1
    return ChainReport(sealed=sealed, unsealed=_unsealed())


def _unsealed() -> int:
    return AuditEvent.objects.exclude(pk__in=AuditSeal.objects.values("event_id")).count()
