"""Writes about staff and their roles. Each is one transaction with its audit event."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.accounts.services import invitation_issue
from tandem.audit.services import audit_record
from tandem.people.models import SCHOOL_ROLES, Membership, Role, User


def _require_staff_manager(actor: Actor) -> int:
    if not actor.can(Resource.STAFF, Action.MANAGE) or actor.school_id is None:
        raise PermissionError("Only a school admin can change staff roles.")
    return actor.school_id


def needs_invitation(user: User) -> bool:
    """Whether a person has never been able to sign in: no password yet and no invitation used."""
    return not user.has_usable_password() and not user.invitations.filter(accepted_at__isnull=False).exists()


@transaction.atomic
def membership_create(
    *, actor: Actor, email: str, full_name: str, role: str, base_url: str | None = None
) -> Membership:
    """Give a member of staff a role at the actor's school, creating their account if it is new.

    A person who cannot sign in yet gets an invitation email (sent once the transaction commits)."""
    school_id = _require_staff_manager(actor)
    email = email.strip().lower()
    validate_email(email)
    if role not in SCHOOL_ROLES:
        raise ValidationError({"role": "Choose one of the school roles."})
    user = User.objects.filter(email=email).first()
    created_user = user is None
    if user is None:
        if not full_name.strip():
            raise ValidationError({"full_name": "Enter the person's name: they are new to Tandem."})
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    if Membership.objects.filter(user=user, role=role, school_id=school_id, is_active=True).exists():
        raise ValidationError({"role": f"{user.full_name} already has the role {Role(role).label} here."})
    membership = Membership.objects.create(user=user, role=role, school_id=school_id)
    if needs_invitation(user):
        invitation_issue(
            user=user,
            role=role,
            school=membership.school,
            invited_by=actor.user,
            base_url=base_url,
            actor=actor,
        )
    audit_record(
        actor=actor,
        action="membership.create",
        target_type="membership",
        target_id=membership.pk,
        fields=["user", "role"] + (["new_user"] if created_user else []),
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Actor, membership_id: int) -> Membership:
    school_id = _require_staff_manager(actor)
    membership = (
        Membership.objects.select_for_update()
        .filter(pk=membership_id, school_id=school_id, is_active=True)
        .first()
    )
    if membership is None:
        raise Membership.DoesNotExist("No such role at this school.")
    if membership.pk == actor.membership.pk:
        raise ValidationError("You cannot remove the role you are using now.")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="membership.deactivate",
        target_type="membership",
        target_id=membership.pk,
        fields=["is_active"],
    )
    return membership
