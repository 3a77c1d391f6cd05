"""School and trust overviews: counts only, no pupil rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from tandem.access.actor import Actor
from tandem.access.policy import Resource, Scope
from tandem.access.scopes import pupils_in_scope
from tandem.people.models import Membership, Pupil, year_group_label
from tandem.people.selectors import with_sen_summary
from tandem.register.models import Provision
from tandem.schools.models import School


@dataclass
class RollRow:
    label: str
    on_roll: int
    sen_support: int
    ehc_plan: int

    @property
    def on_register_percent(self) -> float:
        return 100.0 * (self.sen_support + self.ehc_plan) / self.on_roll if self.on_roll else 0.0


_ON_ROLL = Count("id")
_SEN_SUPPORT = Count("id", filter=Q(provision=Provision.SEN_SUPPORT))
_EHC_PLAN = Count("id", filter=Q(provision=Provision.EHC_PLAN))


def school_roll_by_year(*, actor: Actor) -> list[RollRow]:
    """On roll, SEN support and EHC plans per year group: one grouped query."""
    pupils = with_sen_summary(pupils_in_scope(actor, Resource.REGISTER))
    rows = (
        pupils.order_by()
        .values("year_group")
        .annotate(on_roll=_ON_ROLL, sen_support=_SEN_SUPPORT, ehc_plan=_EHC_PLAN)
        .order_by("year_group")
    )
    return [
        RollRow(year_group_label(r["year_group"]), r["on_roll"], r["sen_support"], r["ehc_plan"])
        for r in rows
    ]


def trust_overview(*, actor: Actor) -> list[RollRow]:
    """Per school in the actor's trust; aggregates are all a trust admin ever sees."""
    if (
        actor.scope(Resource.TRUST_OVERVIEW) not in (Scope.TRUST, Scope.TRUST_AGGREGATE)
        or actor.trust_id is None
    ):
        return []
    pupils = with_sen_summary(Pupil.objects.filter(left_on__isnull=True, school__trust_id=actor.trust_id))
    rows = {
        r["school_id"]: r
        for r in pupils.order_by()
        .values("school_id")
        .annotate(on_roll=_ON_ROLL, sen_support=_SEN_SUPPORT, ehc_plan=_EHC_PLAN)
    }
    result = []
    for school in School.objects.filter(trust_id=actor.trust_id).order_by("name"):
        r = rows.get(school.pk, {"on_roll": 0, "sen_support": 0, "ehc_plan": 0})
        result.append(RollRow(school.name, r["on_roll"], r["sen_support"], r["ehc_plan"]))
    return result


def staff_counts(*, actor: Actor) -> dict[str, int]:
    if actor.school_id is None:
        return {}
    rows = (
        Membership.objects.filter(school_id=actor.school_id, is_active=True)
        .order_by()
        .values("role")
        .annotate(n=Count("id"))
    )
    return {r["role"]: r["n"] for r in rows}
