"""Writes about signing in: invitations, and resetting a person's second factors. Each is one
transaction with its audit event; the invitation email goes out once the transaction has committed."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import smtplib
import uuid
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.accounts.actors import SignInActor
from tandem.accounts.models import Invitation, SchoolSignIn
from tandem.audit.models import Outcome
from tandem.audit.services import audit_record
from tandem.people.models import Membership, Role, User
from tandem.schools.models import School, Trust

logger = logging.getLogger("tandem.accounts")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _base_url(base_url: str | None) -> str:
    return (base_url or settings.TANDEM_BASE_URL).rstrip("/")


@transaction.atomic
def invitation_issue(
    *,
    user: User,
    role: str,
    school: School | None = None,
    trust: Trust | None = None,
    invited_by: User | None = None,
    base_url: str | None = None,
    actor: Actor | None = None,
) -> Invitation:
    """A new single-use link for `user` (any earlier open link stops working), emailed on commit."""
    now = timezone.now()
    Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        role=role,
        school=school,
        trust=trust,
        invited_by=invited_by,
        token_hash=_hash(token),
        expires_at=now + dt.timedelta(days=settings.TANDEM_INVITATION_DAYS),
    )
    audit_record(
        actor=actor or SignInActor(user_id=invited_by.pk if invited_by else None),
        action="invitation.issue",
        target_type="invitation",
        target_id=invitation.pk,
        fields=["user", "role", "expires_at"],
        school_id=school.pk if school else None,
    )
    url = _base_url(base_url) + reverse("invitation_accept", kwargs={"token": token})
    transaction.on_commit(lambda: _send_invitation(invitation.pk, url))
    return invitation


def _send_invitation(invitation_id: uuid.UUID, url: str) -> None:
    invitation = Invitation.objects.select_related("user", "school", "trust", "invited_by").get(
        pk=invitation_id
    )
    context = {
        "place": str(invitation.place),
        "role": Role(invitation.role).label,
        # A parent or carer is not staff: their email says what Tandem is for them, and whom to ask.
        "is_parent": invitation.role == Role.PARENT,
        "inviter": invitation.invited_by.full_name if invitation.invited_by else "",
        "url": url,
        "days": settings.TANDEM_INVITATION_DAYS,
        "expires_on": timezone.localtime(invitation.expires_at).strftime("%-d %B %Y"),
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation_message.txt", context)
    try:
        send_mail(subject, body, None, [invitation.user.email])
    except (smtplib.SMTPException, OSError) as error:
        # The invitation is saved; the Staff page shows it was not sent, with "Send again". No address here.
        logger.warning("invitation %s was not emailed: %s", invitation.pk, type(error).__name__)
        return
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())


class InvitationProblem(Exception):
    """Why an invitation link cannot be used, in words for the person holding it."""


@dataclass(frozen=True)
class OpenInvitation:
    invitation: Invitation
    user: User


def invitation_open(*, token: str) -> OpenInvitation:
    """The invitation behind a link, if it can still be used; otherwise InvitationProblem says why."""
    invitation = (
        Invitation.objects.select_related("user", "school", "trust").filter(token_hash=_hash(token)).first()
    )
    if invitation is None:
        raise InvitationProblem("This invitation link is not recognised. Check you used the whole link.")
    if invitation.accepted_at is not None:
        raise InvitationProblem("This invitation link has already been used. Sign in with your password.")
    if invitation.revoked_at is not None:
        raise InvitationProblem(
            "This invitation link no longer works: a newer one was sent, or it was withdrawn. "
            "Use the newest email, or ask your school admin to send another."
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationProblem(
            f"This invitation link ran out after {settings.TANDEM_INVITATION_DAYS} days. "
            "Ask your school admin to send a new one."
        )
    if not invitation.user.is_active:
        raise InvitationProblem("This account has been switched off. Ask your school admin.")
    return OpenInvitation(invitation=invitation, user=invitation.user)


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited person's first password; the link cannot be used again."""
    found = invitation_open(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=found.invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationProblem("This invitation link has already been used. Sign in with your password.")
    user = found.user
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _mark_accepted(invitation, user)
    return user


def _mark_accepted(invitation: Invitation, user: User) -> None:
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    # The link reached this address, so it is confirmed; the sign-in library reads this.
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
    )
    audit_record(
        actor=SignInActor(user_id=user.pk),
        action="invitation.accept",
        target_type="invitation",
        target_id=invitation.pk,
        school_id=invitation.school_id,
    )


@transaction.atomic
def invitation_accept_by_sso(*, user: User) -> None:
    """An invited person's first sign-in through their school's SSO uses up their invitation."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is not None:
        _mark_accepted(invitation, user)


def _staff_invitation(actor: Actor, invitation_id: uuid.UUID) -> Invitation:
    if not actor.can(Resource.STAFF, Action.MANAGE) or actor.school_id is None:
        raise PermissionError("Only a school admin can send or withdraw invitations.")
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("user", "school")
        .filter(
            pk=invitation_id, school_id=actor.school_id, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .first()
    )
    if invitation is None:
        raise Invitation.DoesNotExist("No open invitation with that id at this school.")
    return invitation


@transaction.atomic
def invitation_resend(*, actor: Actor, invitation_id: uuid.UUID, base_url: str | None = None) -> Invitation:
    """A fresh 7-day link for someone who has not accepted yet; the old link stops working."""
    old = _staff_invitation(actor, invitation_id)
    return invitation_issue(
        user=old.user, role=old.role, school=old.school, invited_by=actor.user, base_url=base_url, actor=actor
    )


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation_id: uuid.UUID) -> Invitation:
    invitation = _staff_invitation(actor, invitation_id)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="invitation.revoke", target_type="invitation", target_id=invitation.pk)
    return invitation


def second_factors_reset(*, actor: Actor, user_id: int) -> int:
    """For a person who lost their phone: remove their second factors so they set new ones up at their
    next sign-in. Only the head (for their school's staff) or a trust admin (for the trust's) may."""
    if actor.role == Role.HEAD and actor.school_id is not None:
        place = Membership.objects.filter(school_id=actor.school_id)
    elif actor.role == Role.TRUST_ADMIN and actor.trust_id is not None:
        place = Membership.objects.filter(school__trust_id=actor.trust_id) | Membership.objects.filter(
            trust_id=actor.trust_id
        )
    else:
        raise PermissionError("Only the head or a trust admin can reset someone's second factors.")
    # Refusals are recorded here, outside the reset's transaction, which raising would roll back.
    if user_id == actor.user_id:
        _reset_refused(actor, user_id)
        raise ValidationError("You cannot reset your own second factors: ask another head or a trust admin.")
    if not place.filter(user_id=user_id, is_active=True).exists():
        _reset_refused(actor, user_id)
        raise User.DoesNotExist("No such person here.")
    return _second_factors_remove(actor=actor, user_id=user_id)


def _reset_refused(actor: Actor, user_id: int) -> None:
    audit_record(
        actor=actor,
        action="second_factor.reset_all",
        target_type="user",
        target_id=user_id,
        outcome=Outcome.DENIED,
    )


@transaction.atomic
def _second_factors_remove(*, actor: Actor, user_id: int) -> int:
    removed, _ = Authenticator.objects.filter(user_id=user_id).delete()
    audit_record(
        actor=actor,
        action="second_factor.reset_all",
        target_type="user",
        target_id=user_id,
        fields=["factors"],
    )
    return removed


@transaction.atomic
def school_two_factor_set(*, actor: Actor, required_for_all: bool) -> School:
    """Turn "two-factor sign-in for all staff" on or off at the actor's school. (SENCo, head, admin and
    trust roles always need it; this adds teachers and TAs.)"""
    if not actor.can(Resource.SIGN_IN_POLICY, Action.MANAGE) or actor.school_id is None:
        raise PermissionError("Only the head or the school admin can change how staff sign in.")
    school = School.objects.select_for_update().get(pk=actor.school_id)
    if school.require_two_factor_for_all != required_for_all:
        school.require_two_factor_for_all = required_for_all
        school.save(update_fields=["require_two_factor_for_all"])
        audit_record(
            actor=actor,
            action="school.two_factor_policy",
            target_type="school",
            target_id=school.pk,
            fields=["require_two_factor_for_all"],
        )
    return school


@dataclass(frozen=True)
class SignInSpec:
    """A checked request to add a set-up: everything the row needs, the secret included."""

    school: School | None
    trust: Trust | None
    kind: str
    tenant: str
    client_id: str
    client_secret: str
    issuer: str
    label: str


@transaction.atomic
def school_sign_in_add(*, spec: SignInSpec) -> SchoolSignIn:
    sign_in = SchoolSignIn(
        school=spec.school,
        trust=spec.trust,
        kind=spec.kind,
        tenant=spec.tenant,
        client_id=spec.client_id,
        client_secret=spec.client_secret,
        issuer=spec.issuer,
        button_label=spec.label,
    )
    sign_in.full_clean()
    sign_in.save()
    audit_record(
        actor=None,
        action="sso.add",
        target_type="school_sign_in",
        target_id=sign_in.pk,
        fields=["kind", "tenant", "client_id", "client_secret", "issuer", "button_label"],
        school_id=sign_in.school_id,
    )
    return sign_in


@transaction.atomic
def school_sign_in_disable(*, sign_in_id: int) -> SchoolSignIn:
    sign_in = SchoolSignIn.objects.select_for_update().filter(pk=sign_in_id).first()
    if sign_in is None:
        raise SchoolSignIn.DoesNotExist
    sign_in.is_active = False
    sign_in.save(update_fields=["is_active"])
    audit_record(
        actor=None,
        action="sso.disable",
        target_type="school_sign_in",
        target_id=sign_in.pk,
        fields=["is_active"],
        school_id=sign_in.school_id,
    )
    return sign_in
