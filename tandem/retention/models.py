"""How long each kind of record is kept (a schedule with defaults, changed per trust), and legal holds that
stop anything about a pupil being deleted."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from tandem.people.models import Pupil, User
from tandem.schools.models import Trust


class RecordType(models.TextChoices):
    SEN_RECORDS = "sen_records", "SEN records (register, plans, meetings, passports, interventions)"
    PUPIL = "pupil", "A leaver's pupil record (details, classes, marks, progress results)"


class RetentionPeriod(models.Model):
    """A trust's own period for a kind of record, in place of the default (tandem/retention/schedule.py)."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=32, choices=RecordType.choices)
    years = models.PositiveSmallIntegerField()
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trust", "record_type"], name="retention_period_once"),
            models.CheckConstraint(
                condition=Q(record_type__in=RecordType.values), name="retention_type_valid"
            ),
            models.CheckConstraint(condition=Q(years__gte=1, years__lte=100), name="retention_years_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.years} years"


class LegalHold(models.Model):
    """While open, nothing about the pupil is deleted by the schedule (a claim, a complaint, an inquiry)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    placed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Legal hold placed {self.placed_at:%Y-%m-%d}"
