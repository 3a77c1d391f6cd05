from __future__ import annotations

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """A form page's one-time token, claimed by the first post that saved it (tandem/core/once.py).

    The unique token is what makes a repeat (Back and save again, a double click, the same post sent in
    parallel) save nothing: a second insert of the same token fails, or waits for the first and then fails.
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A keyed hash of the form's address and what was typed: a browser that fetches the form again on Back
    # brings a new token but the same typing, and must not save it twice.
    fingerprint = models.CharField(max_length=64)
    # What the first post saved and where it went next: a repeat is sent to the same page.
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    next_url = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "fingerprint"], name="formsubmission_user_fp")]

    def __str__(self) -> str:
        return f"Form submission {self.pk}"
