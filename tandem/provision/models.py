"""The intervention catalogue, running groups, placements (with the accountable teacher and the link to
classroom teaching), session logs and the teacher's acknowledgement of them (Code 6.50-6.52)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from tandem.lib.isp import layer_help
from tandem.people.models import Pupil, Subject, User
from tandem.register.models import BroadArea
from tandem.revisions.models import Withdrawable
from tandem.schools.models import School


class EvidenceStrength(models.IntegerChoices):
    """The EEF Teaching and Learning Toolkit's security of evidence (its 'padlocks'), 0 when none is known."""

    NONE = 0, "No evidence found"
    VERY_LIMITED = 1, "Very limited"
    LIMITED = 2, "Limited"
    MODERATE = 3, "Moderate"
    EXTENSIVE = 4, "Extensive"
    VERY_EXTENSIVE = 5, "Very extensive"


class Layer(models.TextChoices):
    """The layers of support the 2026 Schools White Paper proposes; a plan has one too (tandem/lib/isp.py
    holds what each means, and a test keeps these codes equal to its)."""

    UNIVERSAL = "universal", "Universal"
    TARGETED = "targeted", "Targeted"
    TARGETED_PLUS = "targeted_plus", "Targeted plus"
    SPECIALIST = "specialist", "Specialist"


class FundingSource(models.TextChoices):
    """What pays for a group: the school's own budget lines and the grants schools in England name. The
    provision map totals cost by it (tandem/exchange/provision_map.py lists the words in this order)."""

    NOTIONAL_SEN = "notional_sen", "Notional SEN budget"
    INCLUSIVE_MAINSTREAM = "inclusive_mainstream", "Inclusive Mainstream Fund"
    HIGH_NEEDS = "high_needs", "High-needs top-up funding"
    PUPIL_PREMIUM = "pupil_premium", "Pupil premium"
    OTHER = "other", "Other"


FUNDING_OTHER_LENGTH = 80


def funding_in_words(source: str, other: str) -> str:
    """A funding source as people read it: "Pupil premium", or "Other: local authority outreach grant"."""
    if source == FundingSource.OTHER:
        return f"Other: {other}" if other else "Other"
    return FundingSource(source).label if source in FundingSource.values else source


def _other_described(prefix: str) -> models.CheckConstraint:
    # "Other" always says what; any other source has no description left behind from an earlier choice.
    return models.CheckConstraint(
        condition=(Q(funding_source=FundingSource.OTHER) & ~Q(funding_other=""))
        | (~Q(funding_source=FundingSource.OTHER) & Q(funding_other="")),
        name=f"{prefix}_funding_other_described",
    )


class StaffType(models.TextChoices):
    TEACHING_ASSISTANT = "ta", "Teaching assistant"
    HLTA = "hlta", "Higher level teaching assistant"
    TEACHER = "teacher", "Teacher"
    SPECIALIST = "specialist", "Specialist"


class StaffRate(models.Model):
    """What an hour of a kind of staff time costs this school; intervention costs follow it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    staff_type = models.CharField(max_length=12, choices=StaffType.choices)
    hourly_rate = models.DecimalField(max_digits=7, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "staff_type"], name="staffrate_one_per_type"),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="staffrate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_staff_type_display()}: {self.hourly_rate}/h"


class Intervention(models.Model):
    """A catalogue entry: what it is, how strong its evidence is, its intended dosage and who delivers it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="interventions")
    name = models.CharField(max_length=120)
    area = models.CharField(max_length=24, choices=BroadArea.choices)
    description = models.TextField()
    evidence_strength = models.SmallIntegerField(choices=EvidenceStrength.choices)
    evidence_source = models.URLField(blank=True)
    sessions_per_week = models.PositiveSmallIntegerField()
    minutes_per_session = models.PositiveSmallIntegerField()
    weeks = models.PositiveSmallIntegerField()
    group_size = models.PositiveSmallIntegerField()
    staff_type = models.CharField(max_length=12, choices=StaffType.choices)
    layer = models.CharField(
        max_length=16, choices=Layer.choices, default=Layer.TARGETED, help_text=layer_help()
    )
    is_active = models.BooleanField(default=True)
    # What usually pays for it: each new group starts with this, and the SENCo can change a group's own.
    funding_source = models.CharField(
        max_length=24, choices=FundingSource.choices, default=FundingSource.NOTIONAL_SEN
    )
    funding_other = models.CharField(max_length=FUNDING_OTHER_LENGTH, blank=True)
    # Short steps or topics of the intervention's own programme, in teaching order; the session log offers
    # them as quick picks so a TA on a phone ticks what was covered instead of typing it.
    programme_steps = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # One catalogue entry per name in a school, in any case: "Toe by Toe" and "toe by toe" are one.
            models.UniqueConstraint("school", Lower("name"), name="intervention_name_unique_any_case"),
            models.CheckConstraint(
                condition=Q(
                    sessions_per_week__gte=1, minutes_per_session__gte=1, weeks__gte=1, group_size__gte=1
                ),
                name="intervention_dosage_positive",
            ),
            _other_described("intervention"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def planned_sessions(self) -> int:
        return self.sessions_per_week * self.weeks

    @property
    def funding_words(self) -> str:
        return funding_in_words(self.funding_source, self.funding_other)


class InterventionGroup(models.Model):
    """A running instance of an intervention, with its deliverer and timetable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=120)
    deliverer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    weekdays = models.CharField(
        max_length=13, help_text="Days it runs, Monday = 0, comma-separated, e.g. '0,2,4'."
    )
    time_of_day = models.CharField(max_length=40, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    # What pays for this group; the intervention's usual source when the group is started.
    funding_source = models.CharField(
        max_length=24, choices=FundingSource.choices, default=FundingSource.NOTIONAL_SEN
    )
    funding_other = models.CharField(max_length=FUNDING_OTHER_LENGTH, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="group_dates_ordered"
            ),
            _other_described("group"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def funding_words(self) -> str:
        return funding_in_words(self.funding_source, self.funding_other)

    @property
    def days(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d.strip().isdigit()]


class MeasureKind(models.TextChoices):
    STANDARDISED = "standardised", "Standardised score"
    READING_AGE = "reading_age", "Reading age (months)"
    SPELLING_AGE = "spelling_age", "Spelling age (months)"
    POINTS = "points", "Other points (higher is better)"


class Placement(Withdrawable):
    """A pupil in an intervention group: accountable teacher, classroom link, entry and exit measures."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(InterventionGroup, on_delete=models.CASCADE, related_name="placements")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="placements")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    accountable_teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    classroom_link = models.TextField(help_text="How the class teacher reinforces it in lessons this week.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    measure_kind = models.CharField(max_length=16, choices=MeasureKind.choices)
    subject = models.ForeignKey(
        Subject,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a standardised measure: the subject whose assessments give the comparison group.",
    )
    entry_score = models.FloatField()
    entry_on = models.DateField()
    exit_score = models.FloatField(null=True, blank=True)
    exit_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            # A withdrawn placement (made by mistake) does not stop the pupil being placed again.
            models.UniqueConstraint(
                fields=["group", "pupil"],
                condition=Q(ends_on__isnull=True, withdrawn_at__isnull=True),
                name="placement_one_open",
            ),
            models.CheckConstraint(
                condition=Q(exit_score__isnull=True, exit_on__isnull=True)
                | Q(exit_score__isnull=False, exit_on__isnull=False),
                name="placement_exit_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Placement from {self.starts_on}"


class Rating(models.IntegerChoices):
    HARD = 1, "Hard going"
    MIXED = 2, "Mixed"
    WELL = 3, "Went well"


class SessionLog(Withdrawable):
    """One session of a group: who came, what was covered, how it went. Reaches the accountable teachers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(InterventionGroup, on_delete=models.CASCADE, related_name="logs")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    delivered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    covered = models.TextField()
    rating = models.SmallIntegerField(choices=Rating.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]
        constraints = [
            # A withdrawn log (for the wrong day, say) leaves the day free to log again.
            models.UniqueConstraint(
                fields=["group", "held_on"],
                condition=Q(withdrawn_at__isnull=True),
                name="sessionlog_one_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"Session {self.held_on}"

    @property
    def present(self) -> list[str]:
        """The ids of the pupils marked present, sorted: how a version of the log keeps its attendance."""
        return sorted(str(a.pupil_id) for a in self.attendance.all() if a.present)


class SessionAttendance(models.Model):
    log = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="attendance")
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="attendance")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "placement"], name="attendance_once")]

    def __str__(self) -> str:
        return "Present" if self.present else "Absent"


class LogAcknowledgement(models.Model):
    """The accountable teacher has read a session log about their pupils (Code 6.52)."""

    log = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="acknowledgements")
    teacher = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "teacher"], name="acknowledgement_once")]

    def __str__(self) -> str:
        return f"Acknowledged {self.acknowledged_at:%Y-%m-%d}"
