"""Parents and carers as partners: who is linked to which child, what staff share with them, and what they
send back (their views before a review, their answer to a meeting record, a meeting they ask for)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from tandem.people.models import Pupil, User
from tandem.plans.models import ParentMeeting, SupportPlan
from tandem.schools.models import School

RELATIONSHIP_LIMIT = 60
ANSWER_LIMIT = 2000


class ParentLink(models.Model):
    """A parent or carer the SENCo linked to one child at the school: the only thing that lets a parent see
    a pupil. Ending the link ends their access; the row stays as the record of who could see what, when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="child_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_links")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    relationship = models.CharField(max_length=RELATIONSHIP_LIMIT)
    linked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "pupil"], condition=Q(ended_at__isnull=True), name="parentlink_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.relationship} of a pupil"


class SharedKind(models.TextChoices):
    PLAN = "plan", "Support plan and its targets"
    PASSPORT = "passport", "Pupil passport"
    MEETING = "meeting", "Meeting record"


class Sharing(models.Model):
    """A record staff chose to share with the pupil's parents and carers. Nothing is shared until someone
    chooses to; stopping keeps the row, so the trail says who could read what and when. A record's
    internal notes (a plan's "do" notes and evidence, a progress note's evidence) are never shown."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=SharedKind.choices)
    record_id = models.UUIDField()
    shared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["shared_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SharedKind.values), name="sharing_kind_valid"),
            models.UniqueConstraint(
                fields=["kind", "record_id"], condition=Q(stopped_at__isnull=True), name="sharing_one_open"
            ),
        ]
        indexes = [models.Index(fields=["pupil", "kind"])]

    def __str__(self) -> str:
        return f"Shared {self.get_kind_display().lower()}"


class ViewsRequest(models.Model):
    """Staff asking a pupil's parents for their views before a review or meeting: a short set of questions
    the SENCo or teacher can tailor. Each parent answers once (ParentViews)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    # The plan whose review the views are for, when there is one: its review page shows the answers.
    plan = models.ForeignKey(
        SupportPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="views_requests"
    )
    purpose = models.CharField(max_length=200)
    questions = models.JSONField(default=list)
    reply_by = models.DateField()
    asked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "id"]

    def __str__(self) -> str:
        return self.purpose


class ParentViews(models.Model):
    """One parent's answers to a ViewsRequest: [{"question": ..., "answer": ...}], as asked and answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(ViewsRequest, on_delete=models.CASCADE, related_name="answers")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    given_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=list)
    given_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["given_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "given_by"], name="parentviews_once_per_parent")
        ]

    def __str__(self) -> str:
        return f"Parent's views given {self.given_at:%Y-%m-%d}"


class MeetingResponse(models.Model):
    """A parent's answer to a shared meeting record: they agree it is a fair record, or comment on it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(ParentMeeting, on_delete=models.CASCADE, related_name="parent_responses")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agrees = models.BooleanField()
    comment = models.TextField(blank=True)
    responded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["responded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "parent"], name="meetingresponse_once_per_parent")
        ]

    def __str__(self) -> str:
        return "Agreed" if self.agrees else "Commented"


class MeetingRequest(models.Model):
    """A parent asking the school for a meeting about their child; staff record when they answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    about = models.TextField()
    good_times = models.CharField(max_length=200, blank=True)
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-asked_at", "id"]

    def __str__(self) -> str:
        return f"Meeting asked for on {self.asked_at:%Y-%m-%d}"
