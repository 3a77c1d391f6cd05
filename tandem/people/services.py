"""Writes about staff and their roles. Each is one transaction with its audit event.

Separation of duties: nobody gives, removes or approves their own roles; the school admin gives teachers,
TAs and admins; the SENCo and head roles are given only by the head or a trust admin (or when the school
is created); a staff import can only ask for them, as a RoleProposal the head decides. A refusal is
recorded as a denied audit event outside the write's transaction, so it stays when the write does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource, Scope
from tandem.accounts.services import invitation_issue
from tandem.audit.models import Outcome
from tandem.audit.services import audit_record
from tandem.core.validation import require_visible_name
from tandem.people.models import (
    SCHOOL_ROLES,
    SENIOR_ROLES,
    Membership,
    Role,
    RoleDecision,
    RoleProposal,
    User,
)
from tandem.schools.models import School

SELF_GRANT = "You cannot give yourself a role. Ask the head or another school admin."
SELF_REMOVE = "You cannot remove your own role. Ask the head or another school admin."
SELF_DECIDE = "You cannot decide a request for your own role, or one you asked for yourself."
SENIOR_ONLY = (
    "Only the head or a trust admin can give someone the SENCo or head role. A staff import can ask for "
    "it, and the head approves it on the Staff page."
)


def grantable_roles(actor: Actor) -> frozenset[Role]:
    """The roles `actor` may give and remove (at their school, or a trust admin at the trust's schools).

    The one rule every page, the staff import and the `staffrole` command follow. Never the actor's own
    roles: see the self checks in the services below."""
    roles: set[Role] = set()
    if actor.can(Resource.STAFF, Action.MANAGE) and actor.school_id is not None:
        roles |= SCHOOL_ROLES - SENIOR_ROLES
    if actor.can(Resource.ROLE_APPROVAL, Action.MANAGE):
        roles |= SCHOOL_ROLES
    return frozenset(roles)


def grant_schools(actor: Actor) -> QuerySet[School]:
    """The schools where `actor` may give roles: their own, or each school in a trust admin's trust."""
    if not grantable_roles(actor):
        return School.objects.none()
    if actor.school_id is not None:
        return School.objects.filter(pk=actor.school_id)
    if actor.scope(Resource.ROLE_APPROVAL, Action.MANAGE) is Scope.TRUST:
        return School.objects.filter(trust_id=actor.trust_id or 0)
    return School.objects.none()


def memberships_in_reach(actor: Actor) -> QuerySet[Membership]:
    """Roles at the schools where `actor` may give roles (which of them they may remove is by role)."""
    return Membership.objects.filter(school__in=grant_schools(actor))


def _school_for(actor: Actor, school_id: int | None) -> int:
    if not grantable_roles(actor):
        raise PermissionError("Only a school admin, the head or a trust admin can change staff roles.")
    if actor.school_id is not None and school_id in (None, actor.school_id):
        return actor.school_id
    if school_id is not None and grant_schools(actor).filter(pk=school_id).exists():
        return school_id
    raise ValidationError({"school": "Choose one of your trust's schools."})


def _refuse(actor: Actor, *, action: str, school_id: int, target: tuple[str, object], reason: str) -> None:
    # Outside any transaction of ours, so the trail keeps the attempt the refusal undoes.
    audit_record(
        actor=actor,
        action=action,
        target_type=target[0],
        target_id=target[1],
        outcome=Outcome.DENIED,
        fields=[reason],
        school_id=school_id,
    )


def needs_invitation(user: User) -> bool:
    """Whether a person has never been able to sign in: no password yet and no invitation used."""
    return not user.has_usable_password() and not user.invitations.filter(accepted_at__isnull=False).exists()


def _invite_if_new(*, actor: Actor, user: User, role: str, school: School, base_url: str | None) -> None:
    """Someone given a role who has never been able to sign in gets an invitation (sent on commit)."""
    if needs_invitation(user):
        invitation_issue(
            user=user, role=role, school=school, invited_by=actor.user, base_url=base_url, actor=actor
        )


def _grant(
    *, actor: Actor, user: User, role: str, school_id: int, base_url: str | None, fields: list[str]
) -> Membership:
    """The role itself, the invitation of a person who cannot sign in yet, and the event (no checks)."""
    membership = Membership.objects.create(user=user, role=role, school_id=school_id)
    assert membership.school is not None
    _invite_if_new(actor=actor, user=user, role=role, school=membership.school, base_url=base_url)
    audit_record(
        actor=actor,
        action="membership.create",
        target_type="membership",
        target_id=membership.pk,
        fields=fields,
        school_id=school_id,
    )
    return membership


def membership_create(
    *,
    actor: Actor,
    email: str,
    full_name: str,
    role: str,
    school_id: int | None = None,
    base_url: str | None = None,
) -> Membership:
    """Give a member of staff a role at the actor's school (a trust admin names one of the trust's),
    creating their account if it is new.

    A person who cannot sign in yet gets an invitation email (sent once the transaction commits)."""
    school_id = _school_for(actor, school_id)
    email = email.strip().lower()
    validate_email(email)
    if role not in SCHOOL_ROLES:
        raise ValidationError({"role": "Choose one of the school roles."})
    user = User.objects.filter(email=email).first()
    if user is not None and user.pk == actor.user_id:
        _refuse(
            actor, action="membership.create", school_id=school_id, target=("user", user.pk), reason="self"
        )
        raise ValidationError({"email": SELF_GRANT})
    if role not in grantable_roles(actor):
        target = ("user", user.pk) if user is not None else ("school", school_id)
        _refuse(actor, action="membership.create", school_id=school_id, target=target, reason="role")
        raise ValidationError({"role": SENIOR_ONLY if role in SENIOR_ROLES else "You cannot give that role."})
    with transaction.atomic():
        created_user = user is None
        if user is None:
            if not full_name.strip():
                raise ValidationError({"full_name": "Enter the person's name: they are new to Tandem."})
            name = require_visible_name(full_name, "full_name")
            user = User.objects.create_user(email=email, password=None, full_name=name)
        if Membership.objects.filter(user=user, role=role, school_id=school_id, is_active=True).exists():
            # Not the name: an email typed here may belong to someone known only at another school.
            raise ValidationError({"role": f"This person already has the role {Role(role).label} here."})
        return _grant(
            actor=actor,
            user=user,
            role=role,
            school_id=school_id,
            base_url=base_url,
            fields=["user", "role"] + (["new_user"] if created_user else []),
        )


def membership_deactivate(*, actor: Actor, membership_id: int) -> Membership:
    """Take a role away: one the actor may give, at a school they may give roles at, never their own."""
    if not grantable_roles(actor):
        raise PermissionError("Only a school admin, the head or a trust admin can change staff roles.")
    found = memberships_in_reach(actor).filter(pk=membership_id, is_active=True).first()
    if found is None:
        raise Membership.DoesNotExist("No such role at this school.")
    assert found.school_id is not None
    if found.user_id == actor.user_id:
        _refuse(
            actor,
            action="membership.deactivate",
            school_id=found.school_id,
            target=("membership", found.pk),
            reason="self",
        )
        raise ValidationError(SELF_REMOVE)
    if found.role not in grantable_roles(actor):
        _refuse(
            actor,
            action="membership.deactivate",
            school_id=found.school_id,
            target=("membership", found.pk),
            reason="role",
        )
        raise ValidationError("Only the head or a trust admin can remove the SENCo or head role.")
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(pk=found.pk, is_active=True)
            .first()
        )
        if membership is None:
            raise Membership.DoesNotExist("No such role at this school.")
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="membership.deactivate",
            target_type="membership",
            target_id=membership.pk,
            fields=["is_active"],
            school_id=membership.school_id,
        )
    return membership


# ------------------------------------------------------------------------------------------ requests


def _open_proposal(actor: Actor, proposal_id: int, action: str) -> RoleProposal:
    if not actor.can(Resource.ROLE_APPROVAL, Action.MANAGE):
        raise PermissionError("Only the head or a trust admin decides role requests.")
    proposal = (
        RoleProposal.objects.select_related("user", "school")
        .filter(pk=proposal_id, school__in=grant_schools(actor), decision="")
        .first()
    )
    if proposal is None:
        raise RoleProposal.DoesNotExist("No open request with that id here.")
    if actor.user_id in (proposal.user_id, proposal.proposed_by_id):
        _refuse(
            actor,
            action=action,
            school_id=proposal.school_id,
            target=("role_proposal", proposal.pk),
            reason="self",
        )
        raise ValidationError(SELF_DECIDE)
    return proposal


def _decide(actor: Actor, proposal: RoleProposal, decision: RoleDecision) -> RoleProposal:
    locked = RoleProposal.objects.select_for_update().filter(pk=proposal.pk, decision="").first()
    if locked is None:
        raise ValidationError("Someone has already decided this request.")
    locked.decision = decision
    locked.decided_at = timezone.now()
    locked.decided_by = actor.user
    locked.save(update_fields=["decision", "decided_at", "decided_by"])
    return locked


def role_proposal_approve(*, actor: Actor, proposal_id: int, base_url: str | None = None) -> RoleProposal:
    """Give the role a staff import asked for (inviting the person if they cannot sign in yet)."""
    proposal = _open_proposal(actor, proposal_id, "role.approve")
    with transaction.atomic():
        decided = _decide(actor, proposal, RoleDecision.APPROVED)
        held = Membership.objects.filter(
            user_id=proposal.user_id, role=proposal.role, school_id=proposal.school_id, is_active=True
        ).exists()
        if not held:
            Membership.objects.create(
                user_id=proposal.user_id, role=proposal.role, school_id=proposal.school_id
            )
            _invite_if_new(
                actor=actor, user=proposal.user, role=proposal.role, school=proposal.school, base_url=base_url
            )
        # One event for the act: the request decided and the role it gives (the request names both).
        audit_record(
            actor=actor,
            action="role.approve",
            target_type="role_proposal",
            target_id=decided.pk,
            fields=["decision"] + ([] if held else ["membership"]),
            school_id=proposal.school_id,
        )
    return decided


def role_proposal_reject(*, actor: Actor, proposal_id: int) -> RoleProposal:
    proposal = _open_proposal(actor, proposal_id, "role.reject")
    with transaction.atomic():
        decided = _decide(actor, proposal, RoleDecision.REJECTED)
        audit_record(
            actor=actor,
            action="role.reject",
            target_type="role_proposal",
            target_id=decided.pk,
            fields=["decision"],
            school_id=proposal.school_id,
        )
    return decided


# ------------------------------------------------------------------------------------------ staff import


@dataclass
class StaffImportResult:
    """What a staff import wrote that needs more than rows: events, invitations, requests."""

    memberships: list[Membership]
    proposals: list[RoleProposal]
    new_users: Iterable[User]


def staff_import_follow_up(
    *, actor: Actor, school_id: int, result: StaffImportResult, base_url: str | None = None
) -> None:
    """Inside the import's transaction, after its rows are written: an event per role given and per role
    asked for, and an invitation for each new person given a role (emailed once the import commits).

    A person new to Tandem whose only row asks for the SENCo or head role is invited when the head
    approves it: until then they have no role, and an invitation would lead them to an empty page."""
    school = School.objects.get(pk=school_id)
    first_role = {m.user_id: m.role for m in reversed(result.memberships)}
    for user in result.new_users:
        if user.pk in first_role:
            invitation_issue(
                user=user,
                role=first_role[user.pk],
                school=school,
                invited_by=actor.user,
                base_url=base_url,
                actor=actor,
            )
    for membership in result.memberships:
        audit_record(
            actor=actor,
            action="membership.create",
            target_type="membership",
            target_id=membership.pk,
            fields=["user", "role", "import"],
            school_id=school_id,
        )
    for proposal in result.proposals:
        audit_record(
            actor=actor,
            action="role.propose",
            target_type="role_proposal",
            target_id=proposal.pk,
            fields=["user", "role", "import"],
            school_id=school_id,
        )


def staff_import_refusals(*, actor: Actor, school_id: int, roles: Iterable[str]) -> None:
    """A denied event for each row of a staff import that would have given the importer a role; called
    outside the import's transaction, so it stays whether or not the rest is applied."""
    for _ in roles:
        _refuse(
            actor,
            action="membership.create",
            school_id=school_id,
            target=("user", actor.user_id),
            reason="self",
        )
