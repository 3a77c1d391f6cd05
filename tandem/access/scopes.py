"""Scoped querysets: the only way code reads pupils and groups.

Each returns a lazy queryset limited to what the actor's role may see for the
resource and action asked, so callers filter and annotate further in one query.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource, Scope
from tandem.audit.models import Outcome
from tandem.audit.services import audit_record
from tandem.exchange.models import ImportRecord
from tandem.parents.models import ParentLink, SharedKind, Sharing
from tandem.people.models import Enrolment, GroupStaff, GroupStaffRole, Pupil, TeachingGroup
from tandem.plans.models import ParentMeeting
from tandem.provision.models import Intervention, InterventionGroup, Placement, SessionLog
from tandem.schools.models import School

M = TypeVar("M", bound=Model)

_STAFF_ROLE_FOR_SCOPE = {Scope.OWN: GroupStaffRole.TEACHER, Scope.SUPPORTED: GroupStaffRole.SUPPORT}


def _school_of(actor: Actor) -> int:
    # 0 matches no row: an actor without a school sees nothing school-scoped.
    return actor.school_id or 0


def _trust_of(actor: Actor) -> int:
    return actor.trust_id or 0


def schools_in_scope(actor: Actor, resource: Resource, action: Action = Action.VIEW) -> QuerySet[School]:
    """The schools whose records of this kind the actor may reach: their own, or every school of their trust
    (for the trust-wide roles: the audit trail, subject access, retention)."""
    scope = actor.scope(resource, action)
    if scope is Scope.SCHOOL:
        return School.objects.filter(pk=_school_of(actor))
    if scope is Scope.TRUST:
        return School.objects.filter(trust_id=_trust_of(actor))
    return School.objects.none()


def pupil_by_upn(actor: Actor, resource: Resource, upn: str, action: Action = Action.VIEW) -> Pupil | None:
    """The pupil with this UPN (leavers too) at a school where the actor reaches this kind of record: how the
    data protection officer's pages name a pupil without opening the pupil's record."""
    schools = schools_in_scope(actor, resource, action)
    return Pupil.objects.filter(upn=upn.strip().upper(), school__in=schools).select_related("school").first()


def running_on(day: dt.date, prefix: str = "") -> Q:
    """A dated row (starts_on, ends_on or open) that runs on `day`; `prefix` reaches it across a relation."""
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


def current_enrolments(*, on: dt.date | None = None) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(running_on(on or timezone.localdate()))


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
        # ...and the pupils placed in the intervention groups they deliver (DESIGN 5: a TA's pupils).
        placed = _open_placements().filter(group__deliverer_id=actor.user_id).values("pupil_id")
        return pupils.filter(Q(id__in=enrolled) | Q(id__in=placed), school_id=_school_of(actor))
    if scope is Scope.CHILD:
        return pupils.filter(id__in=_children_of(actor), school_id=_school_of(actor))
    return pupils.none()


def _children_of(actor: Actor) -> QuerySet[ParentLink, Any]:
    """The pupils a parent or carer is linked to at the school they are signed in to (open links only)."""
    return ParentLink.objects.filter(
        user_id=actor.user_id, school_id=_school_of(actor), ended_at__isnull=True
    ).values("pupil_id")


def shared_ids(kind: SharedKind) -> QuerySet[Sharing, Any]:
    """The ids of records of this kind that staff share with parents now."""
    return Sharing.objects.filter(kind=kind, stopped_at__isnull=True).values("record_id")


def shared_meeting_or_404(
    actor: Actor, meeting_id: uuid.UUID | str, action: Action = Action.VIEW
) -> ParentMeeting:
    """A meeting record about the parent's own child that staff share with them (and have not withdrawn)."""
    scoped = pupil_records_in_scope(actor, ParentMeeting, Resource.FAMILY, action).filter(
        pk__in=shared_ids(SharedKind.MEETING), withdrawn_at__isnull=True
    )
    name = f"{Resource.FAMILY}.{action}"
    return _one_or_404(
        actor, scoped.select_related("pupil", "school"), meeting_id, action=name, target_type="meeting"
    )


def _open_placements() -> QuerySet[Placement]:
    # A withdrawn placement was made by mistake: it gives no one access to the pupil or the group.
    return Placement.objects.filter(running_on(timezone.localdate()), withdrawn_at__isnull=True)


def intervention_groups_in_scope(actor: Actor, action: Action = Action.VIEW) -> QuerySet[InterventionGroup]:
    """Groups the actor may see: all at the school for the SENCo and head; the groups a TA delivers; for a
    teacher, the groups they deliver and those with a pupil they are accountable for."""
    scope = actor.scope(Resource.INTERVENTION_GROUP, action)
    groups = InterventionGroup.objects.all()
    if scope is Scope.SCHOOL:
        return groups.filter(school_id=_school_of(actor))
    if scope is Scope.TRUST:
        return groups.filter(school__trust_id=_trust_of(actor))
    delivered = Q(deliverer_id=actor.user_id)
    if scope is Scope.SUPPORTED:
        return groups.filter(delivered, school_id=_school_of(actor))
    if scope is Scope.OWN:
        mine = _open_placements().filter(accountable_teacher_id=actor.user_id).values("group_id")
        return groups.filter(delivered | Q(id__in=mine), school_id=_school_of(actor))
    return groups.none()


def intervention_group_or_404(
    actor: Actor, group_id: uuid.UUID | str, action: Action = Action.VIEW
) -> InterventionGroup:
    scoped = intervention_groups_in_scope(actor, action).select_related("intervention", "deliverer", "school")
    name = f"{Resource.INTERVENTION_GROUP}.{action}"
    return _one_or_404(actor, scoped, group_id, action=name, target_type="intervention_group")


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


def placement_or_404(actor: Actor, placement_id: uuid.UUID | str, action: Action = Action.VIEW) -> Placement:
    groups = intervention_groups_in_scope(actor, action).values("pk")
    scoped = Placement.objects.filter(group_id__in=groups).select_related("group", "pupil", "school")
    name = f"{Resource.INTERVENTION_GROUP}.{action}"
    return _one_or_404(actor, scoped, placement_id, action=name, target_type="placement")


def session_log_or_404(actor: Actor, log_id: uuid.UUID | str, action: Action = Action.VIEW) -> SessionLog:
    """A session log of a group the actor may see for this action (scope from the session-log policy row)."""
    scope = actor.scope(Resource.SESSION_LOG, action)
    groups = InterventionGroup.objects.none()
    if scope is not Scope.NONE:
        # The group scopes match the session-log ones row for row (own, supported, school, trust).
        groups = intervention_groups_in_scope(actor, Action.VIEW)
    scoped = SessionLog.objects.filter(group_id__in=groups.values("pk")).select_related("group")
    return _one_or_404(
        actor, scoped, log_id, action=f"{Resource.SESSION_LOG}.{action}", target_type="session_log"
    )


def interventions_in_scope(actor: Actor, action: Action = Action.VIEW) -> QuerySet[Intervention]:
    """The catalogue: the school's for school roles, every school's in the trust for trust roles."""
    scope = actor.scope(Resource.INTERVENTION, action)
    if scope is Scope.TRUST:
        return Intervention.objects.filter(school__trust_id=_trust_of(actor))
    if scope is Scope.NONE:
        return Intervention.objects.none()
    return Intervention.objects.filter(school_id=_school_of(actor))


def intervention_or_404(
    actor: Actor, intervention_id: uuid.UUID | str, action: Action = Action.VIEW
) -> Intervention:
    scoped = interventions_in_scope(actor, action)
    name = f"{Resource.INTERVENTION}.{action}"
    return _one_or_404(actor, scoped, intervention_id, action=name, target_type="intervention")


def imports_in_scope(actor: Actor, action: Action = Action.VIEW) -> QuerySet[ImportRecord]:
    """The school's import records, for the roles that run or oversee imports."""
    if actor.scope(Resource.IMPORT, action) is not Scope.SCHOOL:
        return ImportRecord.objects.none()
    records = ImportRecord.objects.filter(school_id=_school_of(actor))
    if actor.scope(Resource.SEN_RECORD) is not Scope.SCHOOL:
        # A SEN file's preview lists pupils' SEN codes: not for a school admin.
        records = records.exclude(kind="sen")
    return records


def import_or_404(actor: Actor, import_id: uuid.UUID | str, action: Action = Action.VIEW) -> ImportRecord:
    scoped = imports_in_scope(actor, action).select_related("uploaded_by", "applied_by")
    return _one_or_404(actor, scoped, import_id, action=f"{Resource.IMPORT}.{action}", target_type="import")


def leavers_in_scope(actor: Actor, *, since: dt.date) -> QuerySet[Pupil]:
    """Pupils who left the actor's school on or after `since`, for their Common Transfer File."""
    if actor.scope(Resource.TRANSFER) is not Scope.SCHOOL:
        return Pupil.objects.none()
    return Pupil.objects.filter(school_id=_school_of(actor), left_on__gte=since)
