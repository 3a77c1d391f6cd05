"""A school's documents (the governors' termly report, later the SEN information report and the inclusion
strategy) and their dated versions.

A version keeps each section's figures as they were when drafted or last refreshed, beside the school's
own text for it (`sections`, JSON: see tandem/documents/content.py). Once published a version never
changes: the service refuses, and so does `save()` here for a row already published, whoever calls it.
A later change is a new version (number + 1) that starts from the published one's text.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from tandem.people.models import User
from tandem.schools.models import School

PUBLISHED_IS_FIXED = (
    "This version has been published, so it cannot change. Start a new version to change its text or figures."
)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class SchoolDocument(models.Model):
    """One kind of document at one school, across the years: its versions carry the periods."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="documents")
    # A key of tandem.documents.kinds.KINDS; not a database choice, so adding a kind needs no migration.
    kind = models.CharField(max_length=40)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["school", "kind"], name="document_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} at school {self.school_id}"


class DocumentVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(SchoolDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    # Per section: key, title, lines, tables (figures as drawn), guidance, and the school's own text.
    sections = models.JSONField(default=list)
    figures_drawn_at = models.DateTimeField()
    # The version whose text this one started from (the last one, when it was drafted), if any.
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documentversion_number_unique"),
            # One draft at a time: a second would fork the school's text.
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="draft"), name="documentversion_one_draft"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="documentversion_number_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="documentversion_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="documentversion_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(published_at__isnull=False) & Q(published_by__isnull=False)),
                name="documentversion_published_has_when_and_who",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The row as stored decides, not this object: a stale copy still saying "draft" cannot overwrite
        # a version someone else has published since.
        if not self._state.adding and (
            DocumentVersion.objects.filter(pk=self.pk, status=VersionStatus.PUBLISHED).exists()
        ):
            raise ValidationError(PUBLISHED_IS_FIXED)
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED
