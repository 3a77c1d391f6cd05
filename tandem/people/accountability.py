"""Who may be accountable for a pupil (Code 6.36), checked by every service that names an owner.

The rule: a user who holds the teacher role at the pupil's school and teaches the pupil now
(a teacher of one of their current classes or sets). A teaching assistant supports; they are
never the accountable person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from tandem.access.scopes import current_enrolments
from tandem.audit.services import AuditActor, audit_record
from tandem.people.models import GroupStaff, GroupStaffRole, Membership, Pupil, Role, User


def accountable_teachers(*, pupil: Pupil) -> QuerySet[User]:
    """The pupil's accountable teachers now, by name."""
    groups = current_enrolments().filter(pupil=pupil).values("group_id")
    teaching = GroupStaff.objects.filter(group_id__in=groups, role=GroupStaffRole.TEACHER).values("user_id")
    teachers = Membership.objects.filter(school_id=pupil.school_id, role=Role.TEACHER, is_active=True).values(
        "user_id"
    )
    return User.objects.filter(pk__in=teaching, is_active=True).filter(pk__in=teachers).order_by("full_name")


def school_staff(*, school_id: int, roles: Sequence[str]) -> QuerySet[User]:
    """Active staff holding any of these roles at the school, by name."""
    ids = Membership.objects.filter(school_id=school_id, role__in=roles, is_active=True).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name")


def school_teachers(*, school_id: int) -> QuerySet[User]:
    return school_staff(school_id=school_id, roles=[Role.TEACHER])


def accountable_teacher_problem(*, pupil: Pupil, user: User | None) -> str | None:
    """Why this user cannot be accountable for the pupil, in words a SENCo can act on; None if they can."""
    if user is None:
        return (
            "Choose the accountable teacher: a teacher who teaches this pupil and answers for their progress."
        )
    if accountable_teachers(pupil=pupil).filter(pk=user.pk).exists():
        return None
    roles = set(
        Membership.objects.filter(user=user, school_id=pupil.school_id, is_active=True).values_list(
            "role", flat=True
        )
    )
    if Role.TEACHER not in roles and Role.TEACHING_ASSISTANT in roles:
        return (
            f"{user.full_name} is a teaching assistant. A teaching assistant can support, but the "
            "accountable person must be a teacher who teaches this pupil (SEND Code of Practice 6.36)."
        )
    if Role.TEACHER not in roles:
        return f"{user.full_name} does not hold the teacher role at this school, so cannot be accountable."
    names = ", ".join(t.full_name for t in accountable_teachers(pupil=pupil)) or "none recorded"
    return f"{user.full_name} does not teach this pupil now. The pupil's teachers are: {names}."


def require_accountable_teacher(*, pupil: Pupil, user_id: int | None, field: str) -> User:
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    problem = accountable_teacher_problem(pupil=pupil, user=user)
    if problem is not None:
        raise ValidationError({field: problem})
    assert user is not None
    return user


class OwnedRecord(Protocol):
    """A first response, plan or target: a pupil's record with an accountable teacher."""

    pk: Any
    school_id: int
    accountable_teacher: User

    def save(self, *, update_fields: list[str]) -> None: ...


def accountable_teacher_set(
    *,
    actor: AuditActor,
    record: OwnedRecord,
    teacher: User,
    target_type: str,
    also_changed: Sequence[str] = (),
) -> None:
    """Hand an open record to a new accountable teacher (already checked), with its audit event."""
    record.accountable_teacher = teacher
    record.save(update_fields=["accountable_teacher"])
    audit_record(
        actor=actor,
        action=f"{target_type}.owner_change",
        target_type=target_type,
        target_id=record.pk,
        school_id=record.school_id,
        fields=["accountable_teacher", *also_changed],
    )
