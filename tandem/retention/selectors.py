from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import schools_in_scope
from tandem.retention.models import LegalHold
from tandem.retention.services import SchoolPlan, retention_plan
from tandem.schools.models import School


def retention_schools(actor: Actor, action: Action = Action.VIEW) -> QuerySet[School]:
    return schools_in_scope(actor, Resource.RETENTION, action)


@dataclass(frozen=True)
class RetentionOverview:
    plans: list[SchoolPlan]
    holds: list[LegalHold]


def retention_overview(*, actor: Actor) -> RetentionOverview:
    """Each school's periods and what is due now (nothing is deleted by looking), and the open legal holds."""
    schools = list(retention_schools(actor).select_related("trust").order_by("name"))
    holds = (
        LegalHold.objects.filter(pupil__school__in=schools, released_at__isnull=True)
        .select_related("pupil", "pupil__school", "placed_by")
        .order_by("placed_at")
    )
    return RetentionOverview(plans=[retention_plan(school=s) for s in schools], holds=list(holds))


def hold_or_404(actor: Actor, hold_id: int | str) -> LegalHold:
    found = (
        LegalHold.objects.filter(pk=hold_id, pupil__school__in=retention_schools(actor, Action.ADD))
        .select_related("pupil__school")
        .first()
    )
    if found is None:
        raise Http404()
    return found
