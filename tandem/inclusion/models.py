"""Time in the school's inclusion base: planned support in a small group, led by a qualified teacher,
for so many sessions a week, with a planned return to mainstream lessons. Never a sanction: a purpose that
reads as one is refused (tandem/lib/inclusion.py)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from tandem.lib.inclusion import hours_and_minutes, weekly_minutes
from tandem.people.models import Pupil, User
from tandem.revisions.models import Withdrawable
from tandem.schools.models import School

MAX_SESSIONS_PER_WEEK = 25  # five a day, every day
MAX_MINUTES_PER_SESSION = 390  # a whole school day


class Purpose(models.TextChoices):
    SMALL_GROUP_TEACHING = "small_group_teaching", "Targeted teaching in a small group"
    REGULATION = "regulation", "Regulation and emotional support"
    SOCIAL_COMMUNICATION = "social_communication", "Social communication"
    RETURN_TO_LESSONS = "return_to_lessons", "Preparing to return to lessons"
    LIFE_SKILLS = "life_skills", "Independence and life skills"
    OTHER = "other", "Other (described below)"


class InclusionBasePlacement(Withdrawable):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="inclusion_base_placements")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    sessions_per_week = models.PositiveSmallIntegerField()
    minutes_per_session = models.PositiveSmallIntegerField()
    purpose = models.CharField(max_length=24, choices=Purpose.choices)
    # The purpose in words when it is "Other"; checked, like every purpose, to be support and not a sanction.
    purpose_other = models.CharField(max_length=300, blank=True)
    led_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # The planned return to mainstream lessons: required, because time in the base is a step back to class.
    return_on = models.DateField()
    return_lessons = models.CharField(max_length=300)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(purpose__in=Purpose.values), name="inclusion_purpose_valid"),
            models.CheckConstraint(
                condition=~Q(purpose=Purpose.OTHER) | ~Q(purpose_other=""),
                name="inclusion_other_purpose_described",
            ),
            models.CheckConstraint(
                condition=Q(sessions_per_week__gte=1, sessions_per_week__lte=MAX_SESSIONS_PER_WEEK)
                & Q(minutes_per_session__gte=1, minutes_per_session__lte=MAX_MINUTES_PER_SESSION),
                name="inclusion_dosage_sensible",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="inclusion_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(return_on__gte=F("starts_on")), name="inclusion_return_after_start"
            ),
        ]
        indexes = [models.Index(fields=["school", "starts_on"])]

    def __str__(self) -> str:
        return f"Inclusion base from {self.starts_on}"

    @property
    def purpose_text(self) -> str:
        if self.purpose == Purpose.OTHER:
            return self.purpose_other
        return str(self.get_purpose_display())

    @property
    def weekly_minutes(self) -> int:
        return weekly_minutes(
            sessions_per_week=self.sessions_per_week, minutes_per_session=self.minutes_per_session
        )

    @property
    def weekly_time(self) -> str:
        return hours_and_minutes(self.weekly_minutes)
