"""The audit trail: who did what to which record, and whether they were allowed.

Append-only: the model refuses updates and deletes, and a database trigger
(see the migration) refuses them too, whatever code runs.
Never store values here: field names, ids and codes only.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class Outcome(models.TextChoices):
    OK = "ok", "Done"
    DENIED = "denied", "Denied"


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Plain ids, not foreign keys: the trail must outlive users and schools it mentions.
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_role = models.CharField(max_length=32, blank=True)
    school_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    trust_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.OK)
    request_id = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["ok", "denied"]), name="auditevent_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events cannot be deleted.")


class DeniedTally(models.Model):
    """Refusals past the first few an hour from one person, counted instead of stored one by one: anyone
    signed in can ask for pages they may not see, and each refusal must not be a row forever. The first
    TANDEM_AUDIT_DENIED_ROWS_PER_HOUR of each clock hour are ordinary audit events; the rest add up here."""

    actor_id = models.BigIntegerField()
    hour = models.DateTimeField(help_text="The start of the clock hour counted.")
    count = models.IntegerField(default=0)
    last_action = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor_id", "hour"], name="denied_tally_once_an_hour")]

    def __str__(self) -> str:
        return f"{self.count} more refusals for {self.actor_id} from {self.hour:%Y-%m-%d %H:00}"


class AuditSeal(models.Model):
    """An event's place in the audit chain: its hash covers the event and the seal before it, so changing,
    removing or reordering any sealed event breaks every link after it (`tandem audit verify` finds the
    first). Events are sealed shortly after they are written (tandem/audit/chain.py), in the order they are
    sealed. Append-only, as the events are."""

    sequence = models.BigIntegerField(primary_key=True)
    event_id = models.BigIntegerField(unique=True)
    chain_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"seal {self.sequence} of event {self.event_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Audit seals cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit seals cannot be deleted.")


class AuditSpoolDrained(models.Model):
    """The key of each event moved from the SQLite audit spool into the trail (tandem/audit/spool.py), so a
    move stopped after its commit, before the spool forgot the events, never moves one twice."""

    key = models.CharField(max_length=32, primary_key=True)
    drained_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"spooled event {self.key} moved at {self.drained_at:%Y-%m-%d %H:%M:%S}"
