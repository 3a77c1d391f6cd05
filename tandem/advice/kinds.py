"""Specialist advice as a record kind people correct and withdraw (tandem/revisions)."""

from __future__ import annotations

from tandem.access.policy import Resource
from tandem.advice.models import Profession
from tandem.revisions.kinds import RecordKind

ADVICE = RecordKind(
    record_type="specialist_advice",
    audit_type="specialist_advice",
    resource=Resource.SPECIALIST_ADVICE,
    labels={
        "profession": "Profession",
        "other_profession": "Profession (other)",
        "professional_name": "Professional's name",
        "organisation": "Organisation",
        "requested_on": "Asked for on",
        "received_on": "Received on",
        "summary": "Summary of the advice",
    },
    written_by="created_by_id",
    dates=frozenset({"requested_on", "received_on"}),
    choices={"profession": dict(Profession.choices)},
)
