"""Subject access requests (UK GDPR Article 15): a person asks for the data the school holds about them,
or a parent about their child; the school answers within one month."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from tandem.people.models import Pupil, User
from tandem.schools.models import School


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"


class SubjectAccessRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    # The person the request is about: a pupil, or a member of staff. PROTECT: not deleted under it.
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requester = models.CharField(
        max_length=200, help_text="Who asked, in their words: the pupil, a parent, a solicitor."
    )
    received_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    opened_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    answered_on = models.DateField(null=True, blank=True)
    export = models.BinaryField(null=True, blank=True, editable=False)
    export_built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_on", "opened_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="sar_status_valid"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("received_on")), name="sar_due_after"),
            models.CheckConstraint(
                condition=Q(pupil__isnull=False, staff__isnull=True)
                | Q(pupil__isnull=True, staff__isnull=False),
                name="sar_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access request received {self.received_on:%Y-%m-%d}"

    @property
    def subject_name(self) -> str:
        if self.pupil is not None:
            return self.pupil.display_name
        return self.staff.full_name if self.staff is not None else ""

    @property
    def about_staff(self) -> bool:
        return self.staff_id is not None
