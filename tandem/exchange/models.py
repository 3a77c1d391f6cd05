"""Imports: each uploaded file, what its preview found, and what applying it did.

An import is previewed first and applied in one transaction (all or nothing). The record outlives the file:
once applied, failed or discarded the upload itself is deleted, and the record keeps who, when, the counts,
the skipped rows (line numbers and messages, never values) and the file's fingerprint, so the same file
uploaded again is recognised.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from tandem.people.models import Pupil, User
from tandem.register.models import Provision
from tandem.schools.models import School

# What each kind of file holds, in words for the import pages.
KIND_NAMES = {
    "pupils": "Pupils (the roll)",
    "staff": "Staff and their roles",
    "groups": "Classes and sets, their teachers and pupils",
    "sen": "SEN status and needs",
    "assessments": "Assessment results (marks), one row per result",
    "marksheet": "A marksheet: one row per pupil, a column per subject and term",
    "ctf": "Common Transfer File (CTF) from another school",
}


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel workbook"
    CTF = "ctf", "Common Transfer File"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Checked, waiting to be applied"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed: nothing was changed"
    DISCARDED = "discarded", "Discarded"


class ImportRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    file_format = models.CharField(max_length=8, choices=ImportFormat.choices)
    file_name = models.CharField(max_length=120)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.IntegerField()
    # The upload, kept only until it is applied or discarded.
    content = models.BinaryField(null=True, blank=True)
    # Field key -> header chosen for it, and the options the user picked (e.g. the default scale).
    columns = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.IntegerField(default=0)
    rows_with_errors = models.IntegerField(default=0)
    rows_with_warnings = models.IntegerField(default=0)
    created = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    # [{"line": 14, "messages": ["..."]}] for rows left out when applying, by the user's choice.
    skipped = models.JSONField(default=list, blank=True)
    skip_errors = models.BooleanField(default=False)
    failure = models.TextField(blank=True, help_text="Why applying failed, in plain English.")
    progress_done = models.IntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="import_status_valid"),
            models.CheckConstraint(
                condition=Q(file_format__in=ImportFormat.values), name="import_format_valid"
            ),
        ]
        indexes = [models.Index(fields=["school", "kind", "uploaded_at"])]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.status})"

    @property
    def kind_label(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)


class SavedColumns(models.Model):
    """The columns a school chose for a kind of import, remembered for the next file with those headers."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    headers_key = models.CharField(max_length=64, help_text="Fingerprint of the file's normalised headers.")
    columns = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "headers_key"], name="savedcolumns_unique")
        ]

    def __str__(self) -> str:
        return f"Saved columns for {self.kind}"


class PreparedDownload(models.Model):
    """A large download made by a background job (tandem/exchange/downloads.py), kept for the person who
    asked for it until it expires a day later; the nightly clean-up deletes it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=120)
    content = models.BinaryField()
    rows = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Prepared download {self.pk}"


class MisSenStatus(models.Model):
    """The SEN status the last applied import from the MIS gave a pupil, as the file gave it: one row per
    pupil, replaced by each SEN file (or Common Transfer File carrying a current status) that names them.

    The census is sent from the MIS, so the census check compares the pupil's status in Tandem with this
    row (docs/imports.md "Census check"); a pupil no import has named has none, and is not compared."""

    pupil = models.OneToOneField(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    provision = models.CharField(max_length=1, choices=Provision.choices)
    # The import that said it; kept as an id, so the row outlives a deleted import record.
    import_record_id = models.UUIDField()
    applied_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "MIS SEN statuses"
        constraints = [
            models.CheckConstraint(
                condition=Q(provision__in=Provision.values), name="missenstatus_provision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"MIS SEN status {self.provision}"
