from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import schools_in_scope
from tandem.core.listing import label_order
from tandem.people.models import Membership, User
from tandem.schools.models import School
from tandem.subject_access.models import RequestStatus, SubjectAccessRequest


def _schools(actor: Actor, action: Action = Action.VIEW) -> QuerySet[School]:
    return schools_in_scope(actor, Resource.SUBJECT_ACCESS, action)


def requests_in_scope(actor: Actor, action: Action = Action.VIEW) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(school__in=_schools(actor, action)).select_related(
        "pupil", "school", "staff"
    )


# The columns the list of requests sorts by (by default soonest due first).
REQUEST_SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_on", "opened_at", "id"),
    "received": ("received_on", "opened_at", "id"),
    "status": ("status_words", "due_on", "opened_at", "id"),
}


def request_list(
    *, actor: Actor, order: tuple[str, ...] = REQUEST_SORTS["due"]
) -> QuerySet[SubjectAccessRequest]:
    """The requests the actor may see, in `order` (from `REQUEST_SORTS`), without their built exports."""
    return (
        requests_in_scope(actor)
        .defer("export")
        .alias(status_words=label_order("status", RequestStatus.choices))
        .order_by(*order)
    )


def request_or_404(
    actor: Actor, request_id: uuid.UUID | str, action: Action = Action.VIEW
) -> SubjectAccessRequest:
    found = requests_in_scope(actor, action).filter(pk=request_id).first()
    if found is None:
        raise Http404()
    return found


def subject_staff_by_email(actor: Actor, email: str) -> tuple[User, int] | None:
    """A member of staff (and the school whose records the request is about) by email address, among the
    people with a role at a school where the actor answers requests."""
    schools = _schools(actor, Action.MANAGE)
    membership = (
        Membership.objects.filter(user__email=email.strip().lower(), school__in=schools)
        .select_related("user")
        .order_by("school_id")
        .first()
    )
    if membership is None or membership.school_id is None:
        return None
    return membership.user, membership.school_id
