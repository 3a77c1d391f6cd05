"""Analysis runs of the Code 6.17 engine and what they found, kept per run so history stays.

The numbers come from `tandem.progress.engine` (pure); these tables only store them.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from tandem.people.models import Pupil, Subject, User
from tandem.register.models import Concern
from tandem.revisions.models import Withdrawable
from tandem.schools.models import AssessmentWindow, School, Trust


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class AnalysisRun(models.Model):
    """One run of the engine over a school's or a trust's assessments."""

    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by_id = models.BigIntegerField(
        null=True, blank=True, help_text="User id; empty from the command line."
    )
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    settings = models.JSONField(default=dict, help_text="The thresholds and tolerances this run used.")
    engine_version = models.CharField(max_length=32)
    rows_in = models.IntegerField(default=0)
    results = models.IntegerField(default=0)
    flagged = models.IntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, trust__isnull=True)
                | Q(school__isnull=True, trust__isnull=False),
                name="analysisrun_one_scope",
            ),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="analysisrun_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Analysis {self.pk} ({self.status})"


class NormModelRecord(models.Model):
    """A fitted norm model (e.g. growth-percentile coefficients with knots), so it can score other schools."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="norm_models")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    cohort = models.CharField(
        max_length=64, help_text="Year-group progression and window, e.g. 'Y3->Y4 spring'."
    )
    kind = models.CharField(max_length=24)
    norm_n = models.IntegerField()
    parameters = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.kind} for {self.subject_id} {self.cohort}"


class Criterion(models.IntegerChoices):
    NOT_ENOUGH_DATA = -1, "Not enough data"
    NOT_MET = 0, "Not flagged"
    MET = 1, "Flagged"


class ProgressResult(models.Model):
    """One pupil, subject and window in one run: standing among peers, gaps, and the four 6.17 criteria."""

    # Covered by the composite indexes below.
    run = models.ForeignKey(
        AnalysisRun, on_delete=models.CASCADE, related_name="progress_results", db_index=False
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", db_index=False)
    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, related_name="progress_results", db_index=False
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", db_index=False)
    window = models.ForeignKey(AssessmentWindow, on_delete=models.CASCADE, related_name="+", db_index=False)
    norm_model = models.CharField(max_length=24)
    norm_n = models.IntegerField(null=True, blank=True)
    percentile = models.SmallIntegerField(null=True, blank=True)
    percentile_low = models.SmallIntegerField(null=True, blank=True)
    percentile_high = models.SmallIntegerField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True, help_text="Standardised distance to peers now (z).")
    gap_change = models.FloatField(
        null=True, blank=True, help_text="Change in that gap since the last window."
    )
    # Code 6.17 (a) slower than same-baseline peers, (b) below own previous rate,
    # (c) gap not closing, (d) gap widening.
    peers = models.SmallIntegerField(choices=Criterion.choices)
    own_rate = models.SmallIntegerField(choices=Criterion.choices)
    not_closing = models.SmallIntegerField(choices=Criterion.choices)
    widening = models.SmallIntegerField(choices=Criterion.choices)
    flagged = models.BooleanField(default=False)
    # The school's newest analysed window in this run: what teachers act on now.
    is_current = models.BooleanField(default=False)
    reasons = models.JSONField(default=dict, help_text="Plain-English sentence per criterion.")
    figures = models.JSONField(default=dict, help_text="The numbers behind the criteria.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "pupil", "subject", "window"], name="progressresult_unique"
            ),
            models.CheckConstraint(
                condition=Q(percentile__isnull=True) | Q(percentile__gte=1, percentile__lte=99),
                name="progressresult_percentile_range",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "school", "is_current", "flagged"]),
            models.Index(fields=["pupil", "subject"], name="progressresult_pupil_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.window_id}: {self.outcome}"

    @property
    def outcome(self) -> str:
        """What a reader is told: flagged, not flagged, or not enough data to say."""
        if self.flagged:
            return "Yes"
        criteria = (self.peers, self.own_rate, self.not_closing, self.widening)
        return "Not enough data" if all(c == Criterion.NOT_ENOUGH_DATA for c in criteria) else "No"


class ResponseOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved: progress is back on track"
    CONTINUE = "continue", "Continue: keep the adjustments and review again"
    REFER = "refer", "Refer to the SENCo: progress is still less than expected"


class FirstResponse(Withdrawable):
    """High-quality teaching targeted at a weakness: the class teacher's first response (Code 6.19, 6.37).

    A "continue" outcome closes this record and opens a follow-on one, so every review stays in the history.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="first_responses")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    accountable_teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    weakness = models.TextField()
    adjustments = models.TextField()
    starts_on = models.DateField()
    review_on = models.DateField()
    concern = models.ForeignKey(
        Concern, null=True, blank=True, on_delete=models.SET_NULL, related_name="first_responses"
    )
    progress_result = models.ForeignKey(
        ProgressResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follows = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followed_by"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=8, choices=ResponseOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(review_on__gte=F("starts_on")), name="firstresponse_dates"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=ResponseOutcome.values, reviewed_on__isnull=False),
                name="firstresponse_outcome_reviewed",
            ),
        ]
        indexes = [models.Index(fields=["school", "accountable_teacher", "outcome"])]

    def __str__(self) -> str:
        return f"First response from {self.starts_on}"


class ProgressSettingsRecord(models.Model):
    """A school's or trust's own choices for the 6.17 engine: only the settings changed from the defaults."""

    school = models.OneToOneField(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="progress_settings"
    )
    trust = models.OneToOneField(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="progress_settings"
    )
    values = models.JSONField(default=dict)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, trust__isnull=True)
                | Q(school__isnull=True, trust__isnull=False),
                name="progresssettings_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"Progress settings ({len(self.values)} changed)"
