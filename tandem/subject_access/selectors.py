from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource, Scope
from tandem.people.models import Pupil
from tandem.schools.models import School
from tandem.subject_access.models import SubjectAccessRequest


def _schools(actor: Actor, action: Action = Action.VIEW) -> QuerySet[School]:
    scope = actor.scope(Resource.SUBJECT_ACCESS, action)
    if scope is Scope.SCHOOL:
        return School.objects.filter(pk=actor.school_id or 0)
    if scope is Scope.TRUST:
        return School.objects.filter(trust_id=actor.trust_id or 0)
    return School.objects.none()


def requests_in_scope(actor: Actor, action: Action = Action.VIEW) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(school__in=_schools(actor, action)).select_related(
        "pupil", "school"
    )


def request_or_404(
    actor: Actor, request_id: uuid.UUID | str, action: Action = Action.VIEW
) -> SubjectAccessRequest:
    found = requests_in_scope(actor, action).filter(pk=request_id).first()
    if found is None:
        raise Http404()
    return found


def subject_pupil_by_upn(actor: Actor, upn: str) -> Pupil | None:
    """The pupil a request is about, by UPN, at a school where the actor answers requests (leavers too)."""
    schools = _schools(actor, Action.MANAGE)
    return Pupil.objects.filter(upn=upn.strip().upper(), school__in=schools).select_related("school").first()
