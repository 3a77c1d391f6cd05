"""Advice from specialists outside the school (speech and language therapy, educational psychology, ...):
when it was asked for and arrived, what it recommends and what the school did with each recommendation,
and the documents that came with it (Code 6.58 to 6.62: the school draws on specialist advice and acts on
it at the plan's review)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from tandem.lib.uploads import KINDS
from tandem.people.models import Pupil, User
from tandem.revisions.models import Withdrawable
from tandem.schools.models import School


class Profession(models.TextChoices):
    SPEECH_LANGUAGE = "speech_language", "Speech and language therapy"
    EDUCATIONAL_PSYCHOLOGY = "educational_psychology", "Educational psychology"
    OCCUPATIONAL_THERAPY = "occupational_therapy", "Occupational therapy"
    PHYSIOTHERAPY = "physiotherapy", "Physiotherapy"
    CAMHS = "camhs", "Child and adolescent mental health services (CAMHS)"
    SENSORY_HEARING = "sensory_hearing", "Sensory support: hearing"
    SENSORY_VISION = "sensory_vision", "Sensory support: vision"
    OTHER = "other", "Other (named below)"


class SpecialistAdvice(Withdrawable):
    """One piece of advice: asked for on a date, received (or still awaited), summarised by the SENCo."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="specialist_advice")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    profession = models.CharField(max_length=24, choices=Profession.choices)
    # The profession in words when it is not on the list (a dietitian, a specialist teacher for autism).
    other_profession = models.CharField(max_length=120, blank=True)
    professional_name = models.CharField(max_length=120, blank=True)
    organisation = models.CharField(max_length=160, blank=True)
    requested_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(profession__in=Profession.values), name="advice_profession_valid"
            ),
            models.CheckConstraint(
                condition=~Q(profession=Profession.OTHER) | ~Q(other_profession=""),
                name="advice_other_profession_named",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("requested_on")),
                name="advice_received_after_request",
            ),
        ]
        indexes = [models.Index(fields=["school", "received_on"])]

    def __str__(self) -> str:
        return f"Specialist advice asked for on {self.requested_on}"

    @property
    def profession_name(self) -> str:
        if self.profession == Profession.OTHER:
            return self.other_profession
        return str(self.get_profession_display())

    @property
    def is_received(self) -> bool:
        return self.received_on is not None


class RecommendationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PLACE = "in_place", "In place"
    NOT_TAKEN_UP = "not_taken_up", "Not taken up"


class Recommendation(models.Model):
    """What the specialist recommends, linked to the target it serves and the provision that delivers it,
    and whether the school has acted on it (with the reason when it has not)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    advice = models.ForeignKey(SpecialistAdvice, on_delete=models.CASCADE, related_name="recommendations")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    # A target of the pupil's plans and an intervention of the school's catalogue; either, both or neither.
    # A link that goes (a plan deleted at the end of its retention period) leaves the words standing.
    target = models.ForeignKey(
        "plans.Target", null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendations"
    )
    intervention = models.ForeignKey(
        "provision.Intervention",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recommendations",
    )
    status = models.CharField(max_length=12, choices=RecommendationStatus.choices)
    not_taken_up_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RecommendationStatus.values), name="recommendation_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=RecommendationStatus.NOT_TAKEN_UP) | ~Q(not_taken_up_reason=""),
                name="recommendation_not_taken_up_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Recommendation ({self.get_status_display()})"


class AdviceDocument(models.Model):
    """A file that came with the advice. The bytes live in TANDEM_DOCUMENTS_DIR under `stored_name`, a
    random name Tandem chose: the name the person gave is only shown and offered on download, never a path."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    advice = models.ForeignKey(SpecialistAdvice, on_delete=models.CASCADE, related_name="documents")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(max_length=160)
    stored_name = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            # The same file twice on one piece of advice is a double upload, not a second document.
            models.UniqueConstraint(fields=["advice", "sha256"], name="advicedocument_once_per_advice"),
            models.CheckConstraint(condition=Q(size__gt=0), name="advicedocument_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def kind_label(self) -> str:
        return next((k.label for k in KINDS if k.content_type == self.content_type), self.content_type)
