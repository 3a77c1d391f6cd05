"""A job is work a person (or the schedule) asked for that runs on a worker process, not in a web request.

The task queue underneath (django-tasks with its database backend) only knows "run this function"; the Job
row is Tandem's record of it: who asked, for which school, how far it has got and how it ended, in words a
school can read. Arguments are ids and options only, never names or free text.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from tandem.people.models import Membership, User
from tandem.schools.models import School


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32)
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The role the person asked in: the job acts with that role's rights, checked again when it runs.
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    arguments = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField(max_length=64, blank=True)
    done = models.IntegerField(default=0)
    total = models.IntegerField(default=0)
    outcome = models.TextField(blank=True, help_text="How it ended, in plain English.")
    # Ids and counts the pages link to (e.g. the analysis run it made).
    result = models.JSONField(default=dict, blank=True)
    attempts = models.IntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="job_status_valid"),
        ]
        indexes = [models.Index(fields=["school", "kind", "created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class WorkerBeat(models.Model):
    """A worker process's heartbeat: /health/ reads it, and a new worker knows an old one is gone."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} (pid {self.pid})"


class ScheduledRun(models.Model):
    """A scheduled job queued for one day (and one school, if it is per school). The unique row is the
    claim: with several workers, the first to insert it queues the job, the others find it there."""

    name = models.CharField(max_length=64)
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    on = models.DateField()
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "school", "on"], name="scheduled_run_once_a_day"),
            models.UniqueConstraint(
                fields=["name", "on"], condition=Q(school__isnull=True), name="scheduled_run_once_a_day_trust"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.on} school {self.school_id}"
