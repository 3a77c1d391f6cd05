"""The one helper every service and SEN view calls to leave a trail."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from tandem.audit.models import AuditEvent, Outcome
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
) -> AuditEvent:
    """Write one audit event. Call inside the write's transaction, so both land or neither."""
    event = AuditEvent.objects.create(
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
