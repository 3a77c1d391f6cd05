"""Inclusion-base time as a record kind people withdraw (tandem/revisions)."""

from __future__ import annotations

from tandem.access.policy import Resource
from tandem.inclusion.models import Purpose
from tandem.revisions.kinds import RecordKind

INCLUSION_BASE = RecordKind(
    record_type="inclusion_base",
    audit_type="inclusion_base",
    resource=Resource.INCLUSION_BASE,
    labels={
        "starts_on": "Starts",
        "ends_on": "Ends",
        "sessions_per_week": "Sessions a week",
        "minutes_per_session": "Minutes a session",
        "purpose": "Purpose",
        "purpose_other": "Purpose (other)",
        "led_by_id": "Led by",
        "return_on": "Planned return to lessons",
        "return_lessons": "Lessons returned to",
    },
    written_by="created_by_id",
    dates=frozenset({"starts_on", "ends_on", "return_on"}),
    people=frozenset({"led_by_id"}),
    choices={"purpose": dict(Purpose.choices)},
)
