"""Scales (how a result becomes points) and the assessments recorded on them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from tandem.people.models import Pupil, Subject, User
from tandem.schools.models import AssessmentWindow, School


class ScaleKind(models.TextChoices):
    STANDARDISED = "standardised", "Standardised score"
    SCALED = "scaled", "Scaled score"
    GRADE = "grade", "Ordered grades"


class Scale(models.Model):
    """How results on one kind of assessment become comparable numbers."""

    code = models.SlugField(max_length=32, primary_key=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=ScaleKind.choices)
    min_points = models.FloatField()
    max_points = models.FloatField()
    higher_is_better = models.BooleanField(default=True)
    # Population mean and SD for standardised scales (100 and 15); null for grade lists.
    norm_mean = models.FloatField(null=True, blank=True)
    norm_sd = models.FloatField(null=True, blank=True)
    reliability = models.FloatField(
        null=True, blank=True, help_text="Test-retest or internal reliability, 0-1."
    )
    # Below this change in points, a difference means nothing (standard error of measurement).
    measurement_error = models.FloatField(null=True, blank=True)
    # For grade scales: [{"code": "EXS", "points": 5, "label": "Expected standard"}, ...] in order.
    grades = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ScaleKind.values), name="scale_kind_valid"),
            models.CheckConstraint(condition=Q(min_points__lt=models.F("max_points")), name="scale_range"),
            models.CheckConstraint(
                condition=Q(reliability__isnull=True) | Q(reliability__gt=0, reliability__lt=1),
                name="scale_reliability_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    # Single-column indexes here would only slow big imports: the composite index and unique
    # constraint below lead with school and pupil, and there are only a handful of subjects and scales.
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", db_index=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="assessments", db_index=False)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", db_index=False)
    window = models.ForeignKey(AssessmentWindow, on_delete=models.PROTECT, related_name="assessments")
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="+", db_index=False)
    assessed_on = models.DateField()
    # NC year when assessed, so cohorts can be rebuilt without reconstructing history.
    year_group = models.SmallIntegerField()
    result = models.CharField(max_length=16, help_text="The result exactly as recorded.")
    points = models.FloatField(null=True, blank=True)
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=64, blank=True, help_text="Import id, 'demo', or 'manual'.")

    class Meta:
        ordering = ["assessed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "subject", "window", "scale"], name="assessment_unique_per_window"
            ),
        ]
        indexes = [models.Index(fields=["school", "subject", "window"])]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.result} ({self.assessed_on})"


class StageAssessment(models.Model):
    """A statutory result as a Common Transfer File gives it (stage, subject, method, component, result),
    stored verbatim: valid combinations live in the DfE's yearly component files, not in Tandem."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="stage_assessments")
    stage = models.CharField(max_length=16)
    locale = models.CharField(max_length=8, blank=True)
    year = models.CharField(max_length=8, blank=True)
    subject = models.CharField(max_length=16, blank=True)
    method = models.CharField(max_length=16, blank=True)
    component = models.CharField(max_length=32, blank=True)
    result_status = models.CharField(max_length=8, blank=True)
    result_qualifier = models.CharField(max_length=16, blank=True)
    result = models.CharField(max_length=32, blank=True)
    result_date = models.DateField(null=True, blank=True)
    raw_result_date = models.CharField(max_length=32, blank=True)
    # The KeyStage block it was filed under, when that differs from its own stage.
    filed_under = models.CharField(max_length=16, blank=True)
    source = models.CharField(max_length=64, blank=True, help_text="Import id.")

    class Meta:
        ordering = ["stage", "year", "subject", "component"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "stage", "year", "subject", "method", "component", "result_qualifier"],
                name="stageassessment_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.subject} {self.component}"
