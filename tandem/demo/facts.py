"""What the demo loader already wrote for each school of the trust, read back and keyed the way the
graduated-approach and interventions writers need it (both read it; neither reaches into the other)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from tandem.demo.logins import demo_login_users
from tandem.people.models import Enrolment, GroupStaff, Membership, Pupil, Role, TeachingGroup, User
from tandem.register.models import SenNeed, SenStatusPeriod
from tandem.schools.models import School


@dataclass
class SchoolFacts:
    """What the loader already wrote for one school, keyed the way the writing below needs it."""

    id: int
    index: int
    phase: str
    senco: int | None
    pupils: list[uuid.UUID] = field(default_factory=list)
    provision: dict[uuid.UUID, str] = field(default_factory=dict)
    period: dict[uuid.UUID, tuple[int, dt.date]] = field(default_factory=dict)  # open period (id, starts)
    area: dict[uuid.UUID, str] = field(default_factory=dict)  # broad area of the primary need
    teachers: dict[uuid.UUID, list[int]] = field(default_factory=dict)  # accountable now
    by_subject: dict[uuid.UUID, dict[str, list[int]]] = field(default_factory=dict)  # "" = a class
    tas: dict[uuid.UUID, list[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # staff, for supporters and dated notes
    showcase_teacher: int | None = None
    showcase_ta: int | None = None


def school_facts(trust_id: int, as_of: dt.date) -> list[SchoolFacts]:
    schools = list(School.objects.filter(trust_id=trust_id).order_by("id").values_list("id", "phase"))
    school_ids = [sid for sid, _ in schools]
    roles: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for school_id, user_id, role in Membership.objects.filter(
        school_id__in=school_ids, is_active=True, user__is_active=True
    ).values_list("school_id", "user_id", "role"):
        roles[school_id][role].add(user_id)
    shown = demo_login_users()
    facts = {
        sid: SchoolFacts(
            id=sid,
            index=i,
            phase=phase,
            senco=min(roles[sid][Role.SENCO], default=None),
            showcase_teacher=shown.get(sid, {}).get(Role.TEACHER),
            showcase_ta=shown.get(sid, {}).get(Role.TEACHING_ASSISTANT),
        )
        for i, (sid, phase) in enumerate(schools)
    }
    school_of: dict[uuid.UUID, int] = {}
    for pupil_id, school_id in (
        Pupil.objects.filter(school_id__in=school_ids, left_on__isnull=True)
        .order_by("school_id", "id")
        .values_list("id", "school_id")
    ):
        facts[school_id].pupils.append(pupil_id)
        school_of[pupil_id] = school_id
    for period_id, pupil_id, provision, starts_on in SenStatusPeriod.objects.filter(
        school_id__in=school_ids, ends_on__isnull=True
    ).values_list("id", "pupil_id", "provision", "starts_on"):
        if pupil_id in school_of:
            f = facts[school_of[pupil_id]]
            f.provision[pupil_id] = provision
            f.period[pupil_id] = (period_id, starts_on)
    names = dict(
        User.objects.filter(memberships__school_id__in=school_ids).distinct().values_list("id", "full_name")
    )
    for f in facts.values():
        f.names = names
    for pupil_id, area in SenNeed.objects.filter(
        school_id__in=school_ids, ends_on__isnull=True, rank=1
    ).values_list("pupil_id", "need_type__broad_area"):
        if pupil_id in school_of:
            facts[school_of[pupil_id]].area[pupil_id] = area

    subject = dict(TeachingGroup.objects.filter(school_id__in=school_ids).values_list("id", "subject_id"))
    group_teachers: dict[uuid.UUID, list[int]] = defaultdict(list)
    group_support: dict[uuid.UUID, list[int]] = defaultdict(list)
    for group_id, user_id, role in (
        GroupStaff.objects.filter(group__school_id__in=school_ids)
        .order_by("user_id")
        .values_list("group_id", "user_id", "role")
    ):
        (group_teachers if role == "teacher" else group_support)[group_id].append(user_id)
    current = Enrolment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=as_of),
        starts_on__lte=as_of,
        group__school_id__in=school_ids,
    )
    for pupil_id, group_id in current.order_by("pupil_id", "group_id").values_list("pupil_id", "group_id"):
        if pupil_id not in school_of:
            continue
        f = facts[school_of[pupil_id]]
        teacher_role, ta_role = roles[f.id][Role.TEACHER], roles[f.id][Role.TEACHING_ASSISTANT]
        teachers = [u for u in group_teachers[group_id] if u in teacher_role]
        for user_id in teachers:
            if user_id not in f.teachers.setdefault(pupil_id, []):
                f.teachers[pupil_id].append(user_id)
        f.by_subject.setdefault(pupil_id, {}).setdefault(subject[group_id] or "", []).extend(teachers)
        for user_id in group_support[group_id]:
            if user_id in ta_role and user_id not in f.tas.setdefault(pupil_id, []):
                f.tas[pupil_id].append(user_id)
    return [facts[sid] for sid in school_ids]
