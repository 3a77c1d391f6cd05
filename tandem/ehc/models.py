"""EHC plans as the school holds them: the local authority's plan, what its sections B (needs), E (outcomes)
and F (provision) say, each mapped to what Tandem already keeps (need types, SMART targets, interventions and
placements), and the plan's annual reviews with their statutory dates (Code 9.166 to 9.185).

The local authority writes and maintains the plan; the school keeps a working copy of what matters day to day
and runs the annual review. The register's "E" status still comes from the MIS.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from tandem.people.models import Pupil, User
from tandem.revisions.models import Withdrawable
from tandem.schools.models import School


class EhcStatus(models.TextChoices):
    OPEN = "open", "Maintained: the local authority keeps the plan"
    CEASED = "ceased", "Ceased: the local authority no longer maintains it"


class EhcPlan(Withdrawable):
    """One EHC plan for a pupil, as issued by a local authority."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="ehc_plans")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    local_authority = models.CharField(max_length=120)
    # The date the final plan was first issued: the annual review clock starts here (Code 9.169).
    issued_on = models.DateField()
    last_amended_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=EhcStatus.choices, default=EhcStatus.OPEN)
    ceased_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=EhcStatus.values), name="ehcplan_status_valid"),
            # A withdrawn or ceased plan does not stop a new one being recorded.
            models.UniqueConstraint(
                fields=["pupil"],
                condition=Q(status="open", withdrawn_at__isnull=True),
                name="ehcplan_one_open_per_pupil",
            ),
            models.CheckConstraint(
                condition=Q(last_amended_on__isnull=True) | Q(last_amended_on__gte=F("issued_on")),
                name="ehcplan_amended_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(status="open", ceased_on__isnull=True)
                | Q(status="ceased", ceased_on__isnull=False, ceased_on__gte=F("issued_on")),
                name="ehcplan_ceased_has_date",
            ),
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"EHC plan issued {self.issued_on}"

    @property
    def is_open(self) -> bool:
        return self.status == EhcStatus.OPEN and self.withdrawn_at is None


class EhcNeed(Withdrawable):
    """A need as section B of the plan describes it, mapped to one census type of need."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ehc_plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, related_name="needs")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    need_type = models.ForeignKey("register.NeedType", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Section B need ({self.need_type_id})"


class EhcOutcome(Withdrawable):
    """An outcome from section E, linked to the SMART targets that work towards it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ehc_plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, related_name="outcomes")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    targets = models.ManyToManyField("plans.Target", blank=True, related_name="ehc_outcomes")
    # The targets above as one text, as chosen: the version history keeps this field (services keep it in
    # step), so a correction shows which links changed.
    linked_targets = models.TextField(blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return "Section E outcome"


class EhcProvision(Withdrawable):
    """Provision from section F, linked to the interventions and placements that deliver it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ehc_plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, related_name="provision")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    interventions = models.ManyToManyField("provision.Intervention", blank=True, related_name="ehc_provision")
    placements = models.ManyToManyField("provision.Placement", blank=True, related_name="ehc_provision")
    # The links above as one text, as chosen (kept in step by the services, versioned like the text).
    linked_provision = models.TextField(blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return "Section F provision"


class Recommendation(models.TextChoices):
    KEEP = "keep", "Keep the plan as it is"
    AMEND = "amend", "Amend the plan"
    CEASE = "cease", "Cease the plan: it is no longer needed"


class AnnualReview(Withdrawable):
    """One annual review: booked with its meeting date, prepared (invitations, advice, papers), held, and
    reported to the local authority (Code 9.176)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ehc_plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, related_name="reviews")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    meeting_on = models.DateField()
    invitations_sent_on = models.DateField(null=True, blank=True)
    advice_requested_on = models.DateField(null=True, blank=True)
    # The advice and information gathered, sent to everyone invited (two weeks before the meeting).
    papers_circulated_on = models.DateField(null=True, blank=True)
    # The meeting
    who_attended = models.TextField(blank=True)
    parent_views = models.TextField(blank=True)
    pupil_views = models.TextField(blank=True)
    working = models.TextField(blank=True)
    not_working = models.TextField(blank=True)
    recommendation = models.CharField(max_length=8, choices=Recommendation.choices, blank=True)
    amendments = models.TextField(blank=True)
    # Where others at the meeting recommended differently from the school (the report should say, 9.176).
    differences = models.TextField(blank=True)
    # The school's report of the meeting, sent to the local authority (two weeks after the meeting).
    report_sent_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-meeting_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recommendation="") | Q(recommendation__in=Recommendation.values),
                name="annualreview_recommendation_valid",
            ),
            models.CheckConstraint(
                condition=Q(report_sent_on__isnull=True) | Q(report_sent_on__gte=F("meeting_on")),
                name="annualreview_report_after_meeting",
            ),
            models.CheckConstraint(
                condition=Q(papers_circulated_on__isnull=True) | Q(papers_circulated_on__lte=F("meeting_on")),
                name="annualreview_papers_before_meeting",
            ),
        ]
        indexes = [models.Index(fields=["school", "meeting_on"])]

    def __str__(self) -> str:
        return f"Annual review {self.meeting_on}"
