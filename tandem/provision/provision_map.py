"""The school's provision map: every current placement with who delivers it, how often and what it costs.

A read (selector) over the access scopes; the exports themselves are pure (`tandem.exchange.provision_map`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.access.scopes import current_enrolments, pupils_in_scope
from tandem.audit.services import audit_record
from tandem.exchange.provision_map import ProvisionMap, ProvisionRow
from tandem.lib.dates import academic_year_label, academic_year_start
from tandem.people.models import GroupKind, GroupStaff, GroupStaffRole, year_group_label
from tandem.provision.models import Placement, StaffType
from tandem.provision.selectors import place_cost, staff_rates
from tandem.register.models import BroadArea
from tandem.schools.models import School


def _class_names(visible: QuerySet[Any]) -> Callable[[Placement], str]:
    """The class to name beside a placement: the pupil's class in a primary school; in a secondary, where
    pupils are in sets, the set the placement's accountable teacher teaches them in, else the set in the
    placement's subject, else all their sets. Three queries, whatever the number of pupils."""
    enrolments = list(
        current_enrolments()
        .filter(pupil_id__in=visible)
        .values_list("pupil_id", "group_id", "group__name", "group__kind", "group__subject_id")
        .order_by("group__name")
    )
    teachers: dict[Any, set[int]] = {}
    for group_id, user_id in GroupStaff.objects.filter(
        group_id__in={row[1] for row in enrolments}, role=GroupStaffRole.TEACHER
    ).values_list("group_id", "user_id"):
        teachers.setdefault(group_id, set()).add(user_id)
    by_pupil: dict[Any, list[tuple[Any, str, str, Any]]] = {}
    for pupil_id, group_id, name, kind, subject_id in enrolments:
        by_pupil.setdefault(pupil_id, []).append((group_id, name, kind, subject_id))

    def class_of(placement: Placement) -> str:
        groups = by_pupil.get(placement.pupil_id, [])
        for choose in (
            lambda g: g[2] == GroupKind.CLASS,
            lambda g: placement.accountable_teacher_id in teachers.get(g[0], set()),
            lambda g: placement.subject_id is not None and g[3] == placement.subject_id,
        ):
            chosen = [g[1] for g in groups if choose(g)]
            if chosen:
                return ", ".join(chosen)
        return ", ".join(g[1] for g in groups)

    return class_of


def provision_map(*, actor: Actor, export: str = "") -> tuple[ProvisionMap, list[str]]:
    """Placements running at any time this school year, and the staff types with no hourly cost set.

    `export` names the file format when the map leaves Tandem, so the audit trail shows who took a copy.
    """
    today = timezone.localdate()
    year_start = academic_year_start(today)
    school = School.objects.get(pk=actor.school_id or 0)
    visible = pupils_in_scope(actor, Resource.PROVISION_MAP).values("pk")
    placements = (
        Placement.objects.filter(pupil_id__in=visible, starts_on__lte=today, withdrawn_at__isnull=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=year_start))
        .select_related("pupil", "group__intervention", "group__deliverer")
        .order_by("pupil__year_group", "pupil__legal_surname", "pupil__legal_forename", "starts_on")
    )
    class_of = _class_names(visible)
    rates = staff_rates(school_id=school.pk)
    missing_rates: set[str] = set()
    rows = []
    for p in placements:
        intervention = p.group.intervention
        cost = place_cost(intervention, rates)
        if cost is None:
            missing_rates.add(StaffType(intervention.staff_type).label)
        rows.append(
            ProvisionRow(
                year_group=year_group_label(p.pupil.year_group),
                class_name=class_of(p),
                pupil=p.pupil.display_name,
                area=BroadArea(intervention.area).label,
                layer=intervention.get_layer_display(),
                intervention=intervention.name,
                delivered_by=p.group.deliverer.full_name,
                staff_type=intervention.get_staff_type_display(),
                sessions_per_week=intervention.sessions_per_week,
                minutes_per_session=intervention.minutes_per_session,
                weeks=intervention.weeks,
                group_size=intervention.group_size,
                cost=cost if cost is not None else Decimal("0"),
                starts_on=p.starts_on,
                ends_on=p.ends_on,
                funding_source=p.group.funding_words,
            )
        )
    audit_record(
        actor=actor,
        action="provision_map.export" if export else "provision_map.view",
        target_type="school",
        target_id=school.pk,
        fields=[export] if export else [],
    )
    result = ProvisionMap(
        school_name=school.name,
        academic_year=academic_year_label(today),
        generated_on=today,
        rows=tuple(rows),
    )
    return result, sorted(missing_rates)
