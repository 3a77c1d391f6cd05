"""Which emails each person gets, and a record of every email sent so a job run twice sends it once."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from tandem.people.models import User
from tandem.schools.models import School


class EmailKind(models.TextChoices):
    DIGEST = "digest", "Weekly To do digest"
    REMINDERS = "reminders", "Reminders before reviews and meetings with parents fall due"
    OVERDUE = "overdue", "Weekly summary of what is overdue (SENCo)"


class EmailPreferences(models.Model):
    """One row per person who has changed anything; no row means every email is on."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="email_preferences")
    digest = models.BooleanField(default=True)
    reminders = models.BooleanField(default=True)
    overdue = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "email preferences"

    def __str__(self) -> str:
        return f"Email preferences of user {self.user_id}"

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, EmailKind(kind).value))


class EmailSent(models.Model):
    """One email of one kind to one person for one period (a day or a week) at one school. The unique row
    is claimed before sending, so a job run again (its worker died) skips what was already sent."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=EmailKind.choices)
    period = models.CharField(max_length=16, help_text="The day (2026-12-07) or week (2026-W50) it is for.")
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "kind", "period"], name="email_sent_once_a_period"
            ),
            models.CheckConstraint(condition=Q(kind__in=EmailKind.values), name="email_sent_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} to user {self.user_id}"
