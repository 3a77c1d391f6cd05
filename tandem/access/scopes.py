"""Scoped querysets: the only way code reads pupils and groups.

Each returns a lazy queryset limited to what the actor's role may see for the
resource and action asked, so callers filter and annotate further in one query.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource, Scope
from tandem.audit.models import Outcome
from tandem.audit.services import audit_record
from tandem.people.models import Enrolment, GroupStaff, GroupStaffRole, Pupil, TeachingGroup

M = TypeVar("M", bound=Model)

_STAFF_ROLE_FOR_SCOPE = {Scope.OWN: GroupStaffRole.TEACHER, Scope.SUPPORTED: GroupStaffRole.SUPPORT}


def _school_of(actor: Actor) -> int:
    # 0 matches no row: an actor without a school sees nothing school-scoped.
    return actor.school_id or 0


def _trust_of(actor: Actor) -> int:
    return actor.trust_id or 0


def current_enrolments(*, on: dt.date | None = None) -> QuerySet[Enrolment]:
    day = on or timezone.localdate()
    return Enrolment.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


def _groups_staffed_by(actor: Actor, scope: Scope) -> QuerySet[GroupStaff]:
    return GroupStaff.objects.filter(
        user_id=actor.user_id, role=_STAFF_ROLE_FOR_SCOPE[scope], group__school_id=_school_of(actor)
    )


def pupils_in_scope(
    actor: Actor, resource: Resource = Resource.PUPIL, action: Action = Action.VIEW
) -> QuerySet[Pupil]:
    scope = actor.scope(resource, action)
    pupils = Pupil.objects.filter(left_on__isnull=True)
    if scope is Scope.SCHOOL:
        return pupils.filter(school_id=_school_of(actor))
    if scope is Scope.TRUST:
        return pupils.filter(school__trust_id=_trust_of(actor))
    if scope in _STAFF_ROLE_FOR_SCOPE:
        groups = _groups_staffed_by(actor, scope).values("group_id")
        enrolled = current_enrolments().filter(group_id__in=groups).values("pupil_id")
        return pupils.filter(school_id=_school_of(actor), id__in=enrolled)
    return pupils.none()


def groups_in_scope(actor: Actor, action: Action = Action.VIEW) -> QuerySet[TeachingGroup]:
    scope = actor.scope(Resource.TEACHING_GROUP, action)
    groups = TeachingGroup.objects.all()
    if scope is Scope.SCHOOL:
        return groups.filter(school_id=_school_of(actor))
    if scope is Scope.TRUST:
        return groups.filter(school__trust_id=_trust_of(actor))
    if scope in _STAFF_ROLE_FOR_SCOPE:
        return groups.filter(id__in=_groups_staffed_by(actor, scope).values("group_id"))
    return groups.none()


def _one_or_404(
    actor: Actor, scoped: QuerySet[M], pk: uuid.UUID | str, *, action: str, target_type: str
) -> M:
    found = scoped.filter(pk=pk).first()
    if found is None:
        if scoped.model._default_manager.filter(pk=pk).exists():
            # A real record outside the actor's scope: worth a trail, though the answer stays a plain 404.
            audit_record(
                actor=actor, action=action, target_type=target_type, target_id=pk, outcome=Outcome.DENIED
            )
        raise Http404()
    return found


def pupil_or_404(
    actor: Actor, pupil_id: uuid.UUID | str, resource: Resource = Resource.PUPIL, action: Action = Action.VIEW
) -> Pupil:
    scoped = pupils_in_scope(actor, resource, action).select_related("school")
    return _one_or_404(actor, scoped, pupil_id, action=f"{resource}.{action}", target_type="pupil")


def group_or_404(actor: Actor, group_id: uuid.UUID | str, action: Action = Action.VIEW) -> TeachingGroup:
    scoped = groups_in_scope(actor, action).select_related("school", "subject")
    action_name = f"{Resource.TEACHING_GROUP}.{action}"
    return _one_or_404(actor, scoped, group_id, action=action_name, target_type="teaching_group")


def pupil_records_in_scope(actor: Actor, model: type[M], resource: Resource, action: Action) -> QuerySet[M]:
    """Rows of a pupil-owned model (it has a `pupil` field) for pupils the actor may reach for this action."""
    pupils = pupils_in_scope(actor, resource, action).values("pk")
    return model._default_manager.filter(pupil_id__in=pupils)


def pupil_record_or_404(
    actor: Actor, model: type[M], pk: uuid.UUID | str, resource: Resource, action: Action = Action.VIEW
) -> M:
    scoped = pupil_records_in_scope(actor, model, resource, action).select_related("pupil", "school")
    return _one_or_404(actor, scoped, pk, action=f"{resource}.{action}", target_type=str(resource))
