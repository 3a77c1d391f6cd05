"""The version history of the records people write: each correction and withdrawal, who made it, when,
and the person-written values after it; and which version of a document parents were given."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from tandem.people.models import Pupil, User
from tandem.schools.models import School

REASON_LIMIT = 500


class Withdrawable(models.Model):
    """A record that can be withdrawn: it leaves every list, count and document but keeps its page and
    its history, so a mistake is put right without losing what was once recorded."""

    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_reason = models.CharField(max_length=REASON_LIMIT, blank=True)

    if TYPE_CHECKING:
        # Every withdrawable record is about a pupil at a school and knows when it was first saved.
        school_id: int
        pupil_id: Any
        created_at: dt.datetime

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class VersionKind(models.TextChoices):
    CREATED = "created", "First saved"
    CORRECTED = "corrected", "Corrected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RecordVersion(models.Model):
    """One version of a record. Version 1 is the record as first saved; it is written when the record is
    first corrected or withdrawn (records saved before corrections existed have no version row)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    # The pupil the record is about: a pupil's versions go with the pupil's records when they are deleted.
    # None for a record about a group of pupils (a session log): its versions go with the record.
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=24)
    record_id = models.UUIDField()
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    fields = models.JSONField(default=dict)
    reason = models.CharField(max_length=REASON_LIMIT, blank=True)

    class Meta:
        ordering = ["record_type", "record_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "record_id", "number"], name="recordversion_number_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="recordversion_number_positive"),
            models.CheckConstraint(
                condition=~Q(kind=VersionKind.WITHDRAWN) | ~Q(reason=""),
                name="recordversion_withdrawn_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} version {self.number}"


class SharedDocument(models.Model):
    """A document for parents was produced from this version of a record (a plan or a meeting record)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=24)
    record_id = models.UUIDField()
    version = models.PositiveIntegerField()
    shared_at = models.DateTimeField(auto_now_add=True)
    shared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-shared_at"]
        indexes = [models.Index(fields=["record_type", "record_id", "shared_at"])]

    def __str__(self) -> str:
        return f"{self.record_type} version {self.version} for parents"
