"""The SEN register: provision periods (N/K/E) and ranked needs.

Code sets are data (see the 0002 migration), so a revised census list is a data change.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from tandem.people.models import Pupil, User
from tandem.revisions.models import Withdrawable
from tandem.schools.models import School


class Provision(models.TextChoices):
    NONE = "N", "No SEN"
    SEN_SUPPORT = "K", "SEN support"
    EHC_PLAN = "E", "EHC plan"
    # Legacy codes: history only, never offered for new records.
    STATEMENT = "S", "Statement (legacy)"
    SCHOOL_ACTION = "A", "School Action (legacy)"
    SCHOOL_ACTION_PLUS = "P", "School Action Plus (legacy)"


CURRENT_PROVISIONS = (Provision.NONE, Provision.SEN_SUPPORT, Provision.EHC_PLAN)


class BroadArea(models.TextChoices):
    COMMUNICATION = "communication", "Communication and interaction"
    COGNITION = "cognition", "Cognition and learning"
    SEMH = "semh", "Social, emotional and mental health"
    SENSORY_PHYSICAL = "sensory_physical", "Sensory and/or physical"
    UNCATEGORISED = "uncategorised", "Uncategorised"


class NeedType(models.Model):
    """A census type-of-need code; the broad area follows from it and is never chosen separately."""

    code = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=100)
    broad_area = models.CharField(max_length=24, choices=BroadArea.choices)
    is_current = models.BooleanField(default=True)
    sort_order = models.SmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(broad_area__in=BroadArea.values), name="needtype_area_valid")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SenStatusPeriod(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="sen_periods")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    provision = models.CharField(max_length=1, choices=Provision.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provision__in=Provision.values), name="senperiod_provision_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="senperiod_dates_ordered",
            ),
            # One open provision period per pupil, enforced by the database.
            models.UniqueConstraint(
                fields=["pupil"], condition=Q(ends_on__isnull=True), name="senperiod_one_open_per_pupil"
            ),
        ]
        indexes = [models.Index(fields=["school", "provision", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.get_provision_display()} from {self.starts_on}"


class SenNeed(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="sen_needs")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    need_type = models.ForeignKey(NeedType, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(help_text="1 = primary need, 2 = secondary need.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["rank", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(rank__gte=1), name="senneed_rank_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="senneed_dates_ordered",
            ),
            # No two current needs share a rank, and a need is not listed twice.
            models.UniqueConstraint(
                fields=["pupil", "rank"], condition=Q(ends_on__isnull=True), name="senneed_rank_unique_open"
            ),
            models.UniqueConstraint(
                fields=["pupil", "need_type"],
                condition=Q(ends_on__isnull=True),
                name="senneed_type_unique_open",
            ),
        ]
        indexes = [models.Index(fields=["school", "need_type", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.need_type_id} (rank {self.rank})"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Waiting for a next step"
    FIRST_RESPONSE = "first_response", "First response in class"
    REFERRED = "referred", "Referred to the SENCo"
    NO_ACTION = "no_action", "No further action"


class Concern(Withdrawable):
    """An emerging difficulty any adult noticed. Not the register: any pupil can have one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="concerns")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField()
    area = models.CharField(max_length=24, choices=BroadArea.choices)
    observed = models.TextField()
    evidence = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    next_step_note = models.TextField(blank=True)
    next_step_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    next_step_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ConcernStatus.values), name="concern_status_valid"),
            models.CheckConstraint(condition=Q(area__in=BroadArea.values), name="concern_area_valid"),
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"Concern raised {self.raised_on}"


class SenSupportDecision(models.Model):
    """The SENCo's decision to start SEN support, its evidence, and the note given to parents (6.38-6.43)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="sen_decisions")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    evidence = models.TextField()
    pupil_views = models.TextField()
    parent_views = models.TextField()
    parents_informed_on = models.DateField()
    parent_note = models.TextField()
    period = models.OneToOneField(SenStatusPeriod, on_delete=models.PROTECT, related_name="decision")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on"]

    def __str__(self) -> str:
        return f"SEN support from {self.decided_on}"


class Passport(Withdrawable):
    """A one-page profile every adult working with the pupil reads (6.49). Each edit is a new version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="passports")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    strengths = models.TextField()
    needs = models.TextField()
    what_helps = models.TextField()
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["pupil", "version"], name="passport_version_unique")]

    def __str__(self) -> str:
        return f"Passport version {self.version}"


class PassportRead(models.Model):
    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["passport", "user"], name="passportread_once")]

    def __str__(self) -> str:
        return f"Read {self.read_at:%Y-%m-%d}"
