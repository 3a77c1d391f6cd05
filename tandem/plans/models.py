"""Support plans (versioned APDR cycles), their SMART targets and progress, and parent meetings."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import F, Q

from tandem.lib.isp import ISP_NOT_LAW, LAYERS, REASON_LIMIT, layer_help, turnaround_days
from tandem.people.models import Pupil, User
from tandem.provision.models import Layer
from tandem.revisions.models import Withdrawable
from tandem.schools.models import School


class NextStep(models.TextChoices):
    CONTINUE = "continue", "Continue: a new cycle carrying on the targets not yet met"
    NEW_CYCLE = "new_cycle", "New cycle with new targets"
    SPECIALIST = "specialist", "Ask for more specialist help, and carry on the targets not yet met"
    END = "end", "End SEN support: the pupil no longer needs it"


class PlanType(models.TextChoices):
    """The kind of plan (tandem/lib/isp.py). An Individual Support Plan is offered only when
    TANDEM_ISP_ENABLED is on: the law has not changed yet."""

    SEN_SUPPORT = "sen_support", "SEN support plan"
    ISP = "isp", "Individual Support Plan"
    EHC = "ehc", "EHC plan"


class ParentParticipation(models.TextChoices):
    MEETING = "meeting", "In a meeting"
    CALL = "call", "By phone or video"
    WRITING = "writing", "In writing"
    TANDEM = "tandem", "Through Tandem"
    NONE = "none", "Did not take part"


class PupilParticipation(models.TextChoices):
    MEETING = "meeting", "In a meeting"
    CALL = "call", "By phone or video"
    WRITING = "writing", "In writing"
    TANDEM = "tandem", "Through Tandem"
    ABOUT_ME = "about_me", "Through 'about me'"
    WITH_HELP = "with_help", "With an adult's help"
    OBSERVED = "observed", "Not yet able to say, views gathered by observation"
    NONE = "none", "Did not take part"


class SupportPlan(Withdrawable):
    """One assess-plan-do-review cycle. A finished review opens the next cycle, so history is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="support_plans")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    cycle = models.PositiveSmallIntegerField()
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_cycle"
    )
    accountable_teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Assess
    summary = models.TextField()
    strengths = models.TextField()
    needs = models.TextField()
    pupil_views = models.TextField()
    parent_views = models.TextField()
    evidence = models.TextField(blank=True)
    progress_snapshot = models.JSONField(
        default=list, blank=True, help_text="The pupil's progress figures when the plan was written."
    )
    # Plan
    strategies = models.TextField(help_text="What every adult does in class.")
    # Interventions: chosen from the school's catalogue, and in words for anything not in it.
    catalogue_interventions = models.ManyToManyField(
        "provision.Intervention", blank=True, related_name="support_plans"
    )
    other_interventions = models.TextField(blank=True)
    # Both of the above as one text, with the names as chosen: the version history keeps this field, so
    # a correction shows which interventions changed (the services keep it in step).
    interventions = models.TextField(blank=True)
    expected_impact = models.TextField()
    starts_on = models.DateField()
    review_on = models.DateField()
    # Do
    do_notes = models.TextField(blank=True)
    # Review
    reviewed_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review_summary = models.TextField(blank=True)
    review_pupil_views = models.TextField(blank=True)
    review_parent_views = models.TextField(blank=True)
    next_step = models.CharField(max_length=12, choices=NextStep.choices, blank=True)
    # Ready for an Individual Support Plan (2026 Schools White Paper; tandem/lib/isp.py). Plans written
    # before these fields were added are targeted SEN support plans with the rest not recorded.
    layer = models.CharField(
        max_length=16, choices=Layer.choices, default=Layer.TARGETED, help_text=layer_help()
    )
    plan_type = models.CharField(
        max_length=16, choices=PlanType.choices, default=PlanType.SEN_SUPPORT, help_text=ISP_NOT_LAW
    )
    need_identified_on = models.DateField(
        null=True, blank=True, help_text="When the need was first identified."
    )
    agreed_on = models.DateField(
        null=True, blank=True, help_text="When the plan was agreed with the parents."
    )
    parent_participation = models.CharField(max_length=16, choices=ParentParticipation.choices, blank=True)
    parent_participation_reason = models.CharField(max_length=REASON_LIMIT, blank=True)
    pupil_participation = models.CharField(max_length=16, choices=PupilParticipation.choices, blank=True)
    pupil_participation_reason = models.CharField(max_length=REASON_LIMIT, blank=True)
    # "Imported from <school> (URN <urn>) on <date>..." for a plan brought in from a file (plans/transfer.py).
    imported_from = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-cycle"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "cycle"], name="plan_cycle_unique"),
            models.UniqueConstraint(
                fields=["pupil"],
                # A withdrawn plan does not stop a new one being written.
                condition=Q(reviewed_on__isnull=True, withdrawn_at__isnull=True),
                name="plan_one_open_per_pupil",
            ),
            models.CheckConstraint(condition=Q(review_on__gte=F("starts_on")), name="plan_dates_ordered"),
            models.CheckConstraint(
                condition=Q(reviewed_on__isnull=True, next_step="")
                | Q(reviewed_on__isnull=False, next_step__in=NextStep.values),
                name="plan_review_has_next_step",
            ),
        ]
        indexes = [models.Index(fields=["school", "reviewed_on", "review_on"])]

    def __str__(self) -> str:
        return f"Support plan cycle {self.cycle}"

    @property
    def is_open(self) -> bool:
        return self.reviewed_on is None and self.withdrawn_at is None

    @property
    def turnaround_days(self) -> int | None:
        """Days from the need being identified to the plan being agreed; None unless both are recorded."""
        return turnaround_days(need_identified_on=self.need_identified_on, agreed_on=self.agreed_on)

    def isp_for_parents(self) -> dict[str, Any]:
        """The kind of plan, its layer (and what that means), dates and who took part, in words for the
        parents' copy (tandem/exchange/parent_pdf.py ParentPlan)."""
        layer = next((t for t in LAYERS if t.code == self.layer), None)

        def took_part(how: str, reason: str) -> str:
            return f"{how}: {reason}" if how and reason else how

        return {
            "plan_kind": self.get_plan_type_display(),
            "layer": f"{layer.label}: {layer.meaning[0].lower()}{layer.meaning[1:]}" if layer else "",
            "need_identified_on": self.need_identified_on,
            "agreed_on": self.agreed_on,
            "parent_participation": took_part(
                self.get_parent_participation_display(), self.parent_participation_reason
            ),
            "pupil_participation": took_part(
                self.get_pupil_participation_display(), self.pupil_participation_reason
            ),
        }


class TargetOutcome(models.TextChoices):
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"


class Target(Withdrawable):
    """A SMART target: what, how measured, from where, to where, by when, and who answers for it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="targets")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    skill = models.TextField()
    measure = models.TextField()
    baseline = models.TextField()
    success_criterion = models.TextField()
    due_on = models.DateField()
    accountable_teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Who supports: staff chosen from the school's list, and in words anyone else (a therapist).
    supporting_staff = models.ManyToManyField(User, blank=True, related_name="supported_targets")
    other_supporters = models.CharField(max_length=300, blank=True)
    # Both of the above as one line, with the names as chosen: the version history keeps this field (the
    # services keep it in step).
    supporters = models.TextField(blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    outcome = models.CharField(max_length=8, choices=TargetOutcome.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=TargetOutcome.values), name="target_outcome_valid"
            )
        ]
        indexes = [models.Index(fields=["school", "accountable_teacher", "due_on"])]

    def __str__(self) -> str:
        return f"Target due {self.due_on}"


class TargetProgress(Withdrawable):
    """Progress against a target, dated, with its evidence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="progress")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()
    note = models.TextField()
    evidence = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_on", "created_at"]

    def __str__(self) -> str:
        return f"Progress on {self.recorded_on}"


class ParentMeeting(Withdrawable):
    """A meeting with parents (three a year on SEN support, Code 6.65), its record shared with them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_meetings")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(
        SupportPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    held_on = models.DateField()
    led_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    who_attended = models.CharField(max_length=300)
    parent_views = models.TextField()
    pupil_views = models.TextField(blank=True)
    discussed = models.TextField()
    agreed_actions = models.TextField()
    shared_with_parents_on = models.DateField(null=True, blank=True)
    next_meeting_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]
        indexes = [models.Index(fields=["school", "held_on"])]

    def __str__(self) -> str:
        return f"Parent meeting {self.held_on}"
