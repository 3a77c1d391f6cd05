"""The kinds of record people correct and withdraw: for each, the fields a person writes (with the label
the history shows), who first wrote it, and the resource the access policy guards it with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tandem.access.policy import Resource
from tandem.plans.models import ParentParticipation, PlanType, PupilParticipation
from tandem.provision.models import Layer, MeasureKind, Rating
from tandem.register.models import BroadArea


@dataclass(frozen=True)
class RecordKind:
    record_type: str  # short, stored on each version: "plan", "target"...
    audit_type: str  # the target_type the record's other audit events use
    resource: Resource
    labels: Mapping[str, str]  # model attribute (a person as "<name>_id") -> label in the history
    written_by: str = ""  # attribute holding the first writer's user id; "" when the model keeps none
    # The attribute holding the id the audit event names, when not the record's own (a progress entry's
    # events name its target, as recording progress does, so the audit log finds them by pupil).
    audit_id: str = "pk"
    dates: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()  # attributes holding a user id
    choices: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    pupils: frozenset[str] = frozenset()  # attributes holding a list of pupil ids (as text)
    # Fields kept in related rows, not on the record (a session log's attendance): read through a model
    # property, and written by the kind's own service once `record_correct` has versioned them.
    related: frozenset[str] = frozenset()
    # False for a record about a group of pupils (a session log): its versions name no pupil.
    about_one_pupil: bool = True

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.labels)


PLAN = RecordKind(
    record_type="plan",
    audit_type="support_plan",
    resource=Resource.SUPPORT_PLAN,
    labels={
        "summary": "Summary",
        "strengths": "Strengths",
        "needs": "Needs",
        "pupil_views": "The pupil's views",
        "parent_views": "The parents' views",
        "evidence": "Evidence",
        "strategies": "What every adult does in class",
        "interventions": "Interventions",
        "expected_impact": "Expected impact",
        "starts_on": "Plan starts",
        "review_on": "Review date",
        "review_summary": "What the review found",
        "review_pupil_views": "The pupil's views at the review",
        "review_parent_views": "The parents' views at the review",
        # Ready for an Individual Support Plan (tandem/lib/isp.py).
        "layer": "Layer of support",
        "plan_type": "Kind of plan",
        "need_identified_on": "Need first identified on",
        "agreed_on": "Agreed with the parents on",
        "parent_participation": "How the parents took part",
        "parent_participation_reason": "Why the parents did not take part",
        "pupil_participation": "How the pupil took part",
        "pupil_participation_reason": "Why the pupil did not take part",
    },
    written_by="created_by_id",
    dates=frozenset({"starts_on", "review_on", "need_identified_on", "agreed_on"}),
    choices={
        "layer": dict(Layer.choices),
        "plan_type": dict(PlanType.choices),
        "parent_participation": dict(ParentParticipation.choices),
        "pupil_participation": dict(PupilParticipation.choices),
    },
)

TARGET = RecordKind(
    record_type="target",
    audit_type="target",
    resource=Resource.SUPPORT_PLAN,
    labels={
        "skill": "The skill or behaviour",
        "measure": "How it is measured",
        "baseline": "Where the pupil is now",
        "success_criterion": "What counts as met",
        "due_on": "By when",
        "supporters": "Who supports",
    },
    dates=frozenset({"due_on"}),
)

TARGET_PROGRESS = RecordKind(
    record_type="target_progress",
    audit_type="target",
    audit_id="target_id",
    resource=Resource.SUPPORT_PLAN,
    labels={"recorded_on": "Date", "note": "Progress", "evidence": "Evidence"},
    written_by="recorded_by_id",
    dates=frozenset({"recorded_on"}),
)

MEETING = RecordKind(
    record_type="meeting",
    audit_type="parent_meeting",
    resource=Resource.PARENT_MEETING,
    labels={
        "held_on": "Date of the meeting",
        "led_by_id": "Led by",
        "who_attended": "Who attended",
        "parent_views": "The parents' views",
        "pupil_views": "The pupil's views",
        "discussed": "What was discussed",
        "agreed_actions": "Agreed actions",
        "shared_with_parents_on": "Record given to the parents on",
        "next_meeting_on": "Next meeting",
    },
    written_by="recorded_by_id",
    dates=frozenset({"held_on", "shared_with_parents_on", "next_meeting_on"}),
    people=frozenset({"led_by_id"}),
)

CONCERN = RecordKind(
    record_type="concern",
    audit_type="concern",
    resource=Resource.CONCERN,
    labels={
        "raised_on": "Date noticed",
        "area": "Area of need",
        "observed": "What was seen",
        "evidence": "Evidence",
    },
    written_by="raised_by_id",
    dates=frozenset({"raised_on"}),
    choices={"area": dict(BroadArea.choices)},
)

FIRST_RESPONSE = RecordKind(
    record_type="first_response",
    audit_type="first_response",
    resource=Resource.FIRST_RESPONSE,
    labels={
        "weakness": "The weakness to target",
        "adjustments": "What changes in class",
        "starts_on": "Start date",
        "review_on": "Review date",
        "outcome_note": "What the review found",
    },
    written_by="created_by_id",
    dates=frozenset({"starts_on", "review_on"}),
)

PLACEMENT = RecordKind(
    record_type="placement",
    audit_type="placement",
    resource=Resource.INTERVENTION_GROUP,
    labels={
        "classroom_link": "Link to classroom teaching",
        "measure_kind": "How progress is measured",
        "subject_id": "Subject",
        "entry_score": "Entry measure",
        "entry_on": "Entry measure taken on",
        "exit_score": "Exit measure",
        "exit_on": "Exit measure taken on",
    },
    written_by="created_by_id",
    dates=frozenset({"entry_on", "exit_on"}),
    choices={"measure_kind": dict(MeasureKind.choices)},
)

SESSION_LOG = RecordKind(
    record_type="session_log",
    audit_type="session_log",
    resource=Resource.SESSION_LOG,
    labels={
        "covered": "What was covered",
        "rating": "How it went",
        "note": "Note",
        "present": "Present",
    },
    written_by="delivered_by_id",
    choices={"rating": {str(value): label for value, label in Rating.choices}},
    pupils=frozenset({"present"}),
    related=frozenset({"present"}),
    about_one_pupil=False,
)
