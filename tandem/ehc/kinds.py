"""The EHC records people correct and withdraw (tandem/revisions): their fields, with the labels the history
shows. A section's entry and a review name their plan in the audit trail, so the plan's trail is whole."""

from __future__ import annotations

from tandem.access.policy import Resource
from tandem.ehc.models import EhcStatus, Recommendation
from tandem.revisions.kinds import RecordKind

EHC_PLAN = RecordKind(
    record_type="ehc_plan",
    audit_type="ehc_plan",
    resource=Resource.EHC_PLAN,
    labels={
        "local_authority": "Local authority",
        "issued_on": "Issued on",
        "last_amended_on": "Last amended on",
        "status": "Status",
        "ceased_on": "Ceased on",
    },
    written_by="created_by_id",
    dates=frozenset({"issued_on", "last_amended_on", "ceased_on"}),
    choices={"status": dict(EhcStatus.choices)},
)

EHC_NEED = RecordKind(
    record_type="ehc_need",
    audit_type="ehc_plan",
    audit_id="ehc_plan_id",
    resource=Resource.EHC_PLAN,
    labels={"text": "What section B says", "need_type_id": "Type of need"},
    written_by="created_by_id",
)

EHC_OUTCOME = RecordKind(
    record_type="ehc_outcome",
    audit_type="ehc_plan",
    audit_id="ehc_plan_id",
    resource=Resource.EHC_PLAN,
    labels={"text": "What section E says", "linked_targets": "Targets working towards it"},
    written_by="created_by_id",
)

EHC_PROVISION = RecordKind(
    record_type="ehc_provision",
    audit_type="ehc_plan",
    audit_id="ehc_plan_id",
    resource=Resource.EHC_PLAN,
    labels={"text": "What section F says", "linked_provision": "Interventions and placements delivering it"},
    written_by="created_by_id",
)

ANNUAL_REVIEW = RecordKind(
    record_type="annual_review",
    audit_type="annual_review",
    resource=Resource.EHC_PLAN,
    labels={
        "meeting_on": "Date of the meeting",
        "invitations_sent_on": "Invitations sent on",
        "advice_requested_on": "Advice asked for on",
        "papers_circulated_on": "Advice and information circulated on",
        "who_attended": "Who attended",
        "parent_views": "The parents' views",
        "pupil_views": "The pupil's views",
        "working": "What is working",
        "not_working": "What is not working",
        "recommendation": "Recommendation",
        "amendments": "Amendments recommended",
        "differences": "Where others recommended differently",
        "report_sent_on": "Report sent to the local authority on",
    },
    written_by="created_by_id",
    dates=frozenset(
        {"meeting_on", "invitations_sent_on", "advice_requested_on", "papers_circulated_on", "report_sent_on"}
    ),
    choices={"recommendation": dict(Recommendation.choices)},
)
