"""The one helper every service and SEN view calls to leave a trail."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tandem.audit.models import AuditEvent, DeniedTally, Outcome
from tandem.audit.spool import audit_event_write
from tandem.core.context import current_request_id

logger = logging.getLogger("tandem.audit")


class AuditActor(Protocol):
    @property
    def user_id(self) -> int | None: ...
    @property
    def role(self) -> str: ...
    @property
    def school_id(self) -> int | None: ...
    @property
    def trust_id(self) -> int | None: ...


def audit_record(
    *,
    actor: AuditActor | None,
    action: str,
    target_type: str = "",
    target_id: object = "",
    outcome: str = Outcome.OK,
    fields: Iterable[str] = (),
    school_id: int | None = None,
) -> AuditEvent | None:
    """Write one audit event. Call inside the write's transaction, so both land or neither. Called on its
    own (a view of a record) on SQLite while another writer holds the lock, the event is spooled beside the
    database and moved into the trail shortly (tandem/audit/spool.py).

    A person's refusals past TANDEM_AUDIT_DENIED_ROWS_PER_HOUR in one clock hour are counted in a
    `DeniedTally` instead (None is returned): the trail says how many, without a row for each."""
    user_id = actor.user_id if actor is not None else None
    if outcome == Outcome.DENIED and user_id is not None and _tallied(user_id, action):
        return None
    event = audit_event_write(
        dict(
            actor_id=actor.user_id if actor else None,
            actor_role=actor.role if actor else "",
            school_id=school_id if school_id is not None else (actor.school_id if actor else None),
            trust_id=actor.trust_id if actor else None,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            outcome=outcome,
            request_id=current_request_id(),
            fields=sorted(fields),
        )
    )
    # Ids and codes only: the log line must never carry a name or free text.
    logger.info(
        "audit action=%s outcome=%s target=%s:%s actor=%s role=%s",
        action,
        outcome,
        target_type,
        event.target_id,
        event.actor_id,
        event.actor_role,
    )
    return event


def _tallied(user_id: int, action: str) -> bool:
    """Count this refusal in the hour's tally when the person already has the hour's share of rows."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    stored = AuditEvent.objects.filter(actor_id=user_id, outcome=Outcome.DENIED, occurred_at__gte=hour)
    if stored.count() < settings.TANDEM_AUDIT_DENIED_ROWS_PER_HOUR:
        return False
    counted = DeniedTally.objects.filter(actor_id=user_id, hour=hour)
    if not counted.update(count=F("count") + 1, last_action=action):
        try:
            with transaction.atomic():
                DeniedTally.objects.create(actor_id=user_id, hour=hour, count=1, last_action=action)
        except IntegrityError:  # another request made the hour's row first
            counted.update(count=F("count") + 1, last_action=action)
    logger.info("audit action=%s outcome=denied actor=%s tallied", action, user_id)
    return True
