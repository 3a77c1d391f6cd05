"""Sign-in: invitations, single sign-on set-ups, and the record of failed sign-ins that throttling reads."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from tandem.people.models import Role, User
from tandem.schools.models import School, Trust


class Invitation(models.Model):
    """A single-use link that lets a person set a password (or use the school's SSO) for the first time.

    Only the token's SHA-256 is stored: the link itself exists in the email and nowhere else.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, trust__isnull=True)
                | Q(school__isnull=True, trust__isnull=False),
                name="invitation_one_place",
            ),
        ]
        indexes = [models.Index(fields=["user", "accepted_at", "revoked_at"])]

    def __str__(self) -> str:
        return f"Invitation {self.id}"

    @property
    def place(self) -> School | Trust:
        place = self.school or self.trust
        assert place is not None
        return place


class SignInProviderKind(models.TextChoices):
    ENTRA = "entra", "Microsoft Entra ID (Microsoft 365)"
    GOOGLE = "google", "Google Workspace"
    OIDC = "oidc", "Another OpenID Connect provider"


class SchoolSignIn(models.Model):
    """A school's or trust's single sign-on, set up by its IT lead.

    Entra ID is pinned to one tenant and Google Workspace to one domain, so a personal Microsoft or
    Google account never matches. SSO signs in people who were invited; it never creates accounts.
    """

    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SignInProviderKind.choices)
    # Entra: the directory (tenant) id. Google: the Workspace domain. Other: unused.
    tenant = models.CharField(max_length=200, blank=True)
    client_id = models.CharField(max_length=200)
    client_secret = models.CharField(max_length=500)
    # Only for another OpenID Connect provider: its issuer URL (discovery is read from it).
    issuer = models.URLField(blank=True)
    button_label = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, trust__isnull=True)
                | Q(school__isnull=True, trust__isnull=False),
                name="schoolsignin_one_place",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SignInProviderKind.values), name="schoolsignin_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.school or self.trust}"

    @property
    def provider_id(self) -> str:
        """The id allauth knows this set-up by (one OpenID Connect app each)."""
        return f"school-sso-{self.pk}"


class FailureKey(models.TextChoices):
    ADDRESS = "address", "One client address"
    ADDRESS_ACCOUNT = "pair", "One account from one address"
    DEVICE_ACCOUNT = "device", "One account from a device it signed in on before"


class SignInFailure(models.Model):
    """One failed sign-in, keyed by a hash (never the address or email in clear) for throttling."""

    kind = models.CharField(max_length=8, choices=FailureKey.choices)
    key = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "occurred_at"])]

    def __str__(self) -> str:
        return f"Failed sign-in at {self.occurred_at:%Y-%m-%d %H:%M:%S}"
