"""Reads about pupils, groups and staff, always through the access scopes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tandem.access.actor import Actor
from tandem.access.policy import Resource, Scope
from tandem.access.scopes import (
    current_enrolments,
    group_or_404,
    groups_in_scope,
    pupil_or_404,
    pupils_in_scope,
)
from tandem.audit.models import AuditEvent, Outcome
from tandem.core.listing import label_order
from tandem.core.search import Folded, folded, words_match
from tandem.people.models import (
    SCHOOL_ROLES,
    Enrolment,
    GroupStaff,
    GroupStaffRole,
    Membership,
    Pupil,
    Role,
    RoleProposal,
    TeachingGroup,
    User,
)
from tandem.register.models import Provision, SenNeed, SenStatusPeriod
from tandem.schools.models import School


class SenSummary(TypedDict):
    provision: str
    primary_need: str | None
    primary_area: str | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from tandem.accounts.models import Invitation

    PupilWithSen = WithAnnotations[Pupil, SenSummary]
else:
    PupilWithSen = Pupil


@dataclass(frozen=True)
class PupilFilters:
    year_group: int | None = None
    group_id: uuid.UUID | None = None
    provision: str | None = None
    need: str | None = None
    broad_area: str | None = None
    search: str = ""

    @property
    def uses_sen(self) -> bool:
        return bool(self.provision or self.need or self.broad_area)


def with_sen_summary(pupils: QuerySet[Pupil]) -> QuerySet[PupilWithSen]:
    """Annotate the current provision (N when none is recorded) and the rank-1 need, in the same query."""
    open_period = SenStatusPeriod.objects.filter(pupil=OuterRef("pk"), ends_on__isnull=True)
    primary_need = SenNeed.objects.filter(pupil=OuterRef("pk"), ends_on__isnull=True, rank=1)
    return pupils.annotate(
        provision=Coalesce(Subquery(open_period.values("provision")[:1]), Value(Provision.NONE.value)),
        primary_need=Subquery(primary_need.values("need_type_id")[:1]),
        primary_area=Subquery(primary_need.values("need_type__broad_area")[:1]),
    )


_BY_NAME = ("legal_surname", "legal_forename", "id")
# The columns a pupil list sorts by; the last two need the SEN summary, so only for roles that read SEN.
PUPIL_SORTS: dict[str, tuple[str, ...]] = {
    "name": _BY_NAME,
    "year": ("year_group", *_BY_NAME),
    "upn": ("upn", "id"),
    "school": ("school__name", *_BY_NAME),
    "status": ("provision", *_BY_NAME),
    "need": ("primary_need", *_BY_NAME),
}
SEN_SORTS = frozenset({"status", "need"})


def pupil_sorts(*, actor: Actor) -> dict[str, tuple[str, ...]]:
    shows_sen = actor.can(Resource.SEN_RECORD)
    return {key: order for key, order in PUPIL_SORTS.items() if shows_sen or key not in SEN_SORTS}


def pupil_list(
    *,
    actor: Actor,
    filters: PupilFilters,
    scope_resource: Resource = Resource.PUPIL,
    order: tuple[str, ...] = _BY_NAME,
) -> QuerySet[PupilWithSen]:
    """Pupils the actor may see, filtered. SEN columns and filters only for roles that may read SEN;
    `order` comes from `pupil_sorts` (SEN columns only where they exist)."""
    pupils = pupils_in_scope(actor, scope_resource).select_related("school")
    if filters.year_group is not None:
        pupils = pupils.filter(year_group=filters.year_group)
    if filters.group_id is not None:
        pupils = pupils.filter(
            id__in=current_enrolments().filter(group_id=filters.group_id).values("pupil_id")
        )
    if filters.search.strip():
        names = ("legal_forename", "preferred_forename", "legal_surname")
        pupils = pupils.alias(**folded(*names)).filter(
            words_match(filters.search, *names, exact=("upn", "mis_id"))
        )
    if not actor.can(Resource.SEN_RECORD):
        return pupils.order_by(*order)  # type: ignore[return-value]
    annotated = with_sen_summary(pupils)
    if filters.provision:
        annotated = annotated.filter(provision=filters.provision)
    open_needs = SenNeed.objects.filter(pupil=OuterRef("pk"), ends_on__isnull=True)
    if filters.need:
        annotated = annotated.filter(Exists(open_needs.filter(need_type_id=filters.need)))
    if filters.broad_area:
        annotated = annotated.filter(Exists(open_needs.filter(need_type__broad_area=filters.broad_area)))
    return annotated.order_by(*order)


@dataclass
class GroupWithStaff:
    group: TeachingGroup
    teachers: list[User] = field(default_factory=list)
    supporters: list[User] = field(default_factory=list)


@dataclass
class PupilDetail:
    pupil: Pupil
    groups: list[GroupWithStaff]

    @property
    def accountable_teachers(self) -> list[User]:
        seen: dict[int, User] = {}
        for entry in self.groups:
            for teacher in entry.teachers:
                seen.setdefault(teacher.pk, teacher)
        return sorted(seen.values(), key=lambda user: user.full_name)


def _staff_by_group(group_ids: list[uuid.UUID]) -> dict[uuid.UUID, GroupWithStaff]:
    staffed: dict[uuid.UUID, GroupWithStaff] = {}
    rows = (
        GroupStaff.objects.filter(group_id__in=group_ids).select_related("user").order_by("user__full_name")
    )
    by_group: dict[uuid.UUID, list[GroupStaff]] = defaultdict(list)
    for row in rows:
        by_group[row.group_id].append(row)
    for group in TeachingGroup.objects.filter(id__in=group_ids).select_related("subject"):
        entry = GroupWithStaff(group=group)
        for row in by_group[group.pk]:
            (entry.teachers if row.role == GroupStaffRole.TEACHER else entry.supporters).append(row.user)
        staffed[group.pk] = entry
    return staffed


def pupil_detail(*, actor: Actor, pupil_id: uuid.UUID) -> PupilDetail:
    pupil = pupil_or_404(actor, pupil_id)
    group_ids = list(current_enrolments().filter(pupil=pupil).values_list("group_id", flat=True))
    staffed = _staff_by_group(group_ids)
    groups = sorted(staffed.values(), key=lambda entry: (entry.group.subject_id or "", entry.group.name))
    return PupilDetail(pupil=pupil, groups=groups)


@dataclass
class GroupDetail:
    group: GroupWithStaff
    pupils: QuerySet[PupilWithSen]


def teaching_group_detail(*, actor: Actor, group_id: uuid.UUID) -> GroupDetail:
    group = group_or_404(actor, group_id)
    staffed = _staff_by_group([group.pk])[group.pk]
    # Only the pupils the actor may see: a TA or teacher sees the whole group they staff anyway.
    pupils = pupil_list(actor=actor, filters=PupilFilters(group_id=group.pk))
    return GroupDetail(group=staffed, pupils=pupils)


def _count_of(rows: QuerySet[Enrolment]) -> Subquery:
    return Subquery(rows.order_by().values("group").annotate(n=Count("id")).values("n")[:1])


_GROUPS_IN_ORDER = ("year_group", "name", "id")
# The columns the list of classes and sets sorts by ("sen" only where the SEN count is shown).
GROUP_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "year": _GROUPS_IN_ORDER,
    "subject": ("subject__name", *_GROUPS_IN_ORDER),
    "school": ("school__name", *_GROUPS_IN_ORDER),
    "pupils": ("pupil_count", *_GROUPS_IN_ORDER),
    "sen": ("sen_count", *_GROUPS_IN_ORDER),
}


def group_sorts(*, actor: Actor) -> dict[str, tuple[str, ...]]:
    shows_sen = actor.can(Resource.SEN_RECORD)
    return {
        k: v
        for k, v in GROUP_SORTS.items()
        if (shows_sen or k != "sen") and (k != "school" or not actor.school_id)
    }


def teaching_group_list(
    *, actor: Actor, search: str = "", order: tuple[str, ...] = _GROUPS_IN_ORDER
) -> QuerySet[TeachingGroup]:
    """Classes and sets the actor may see, with their pupil (and SEN) counts; `search` finds a group by its
    name, accents and case aside."""
    enrolled = current_enrolments().filter(group=OuterRef("pk"))
    sen = enrolled.filter(
        Exists(
            SenStatusPeriod.objects.filter(
                pupil=OuterRef("pupil_id"),
                ends_on__isnull=True,
                provision__in=[Provision.SEN_SUPPORT, Provision.EHC_PLAN],
            )
        )
    )
    groups = groups_in_scope(actor).select_related("subject", "school")
    groups = groups.annotate(pupil_count=Coalesce(_count_of(enrolled), 0))
    if actor.can(Resource.SEN_RECORD):
        groups = groups.annotate(sen_count=Coalesce(_count_of(sen), 0))
    if search.strip():
        groups = groups.alias(**folded("name")).filter(words_match(search, "name"))
    return groups.order_by(*order)


def staff_schools(*, actor: Actor) -> QuerySet[School]:
    """The schools whose staff the actor may list: their own, or each of a trust admin's schools."""
    scope = actor.scope(Resource.STAFF)
    if scope is Scope.SCHOOL:
        return School.objects.filter(pk=actor.school_id or 0)
    if scope is Scope.TRUST:
        return School.objects.filter(trust_id=actor.trust_id or 0).order_by("name")
    return School.objects.none()


def staff_school(*, actor: Actor, school_id: int | None = None) -> School | None:
    """The school whose staff are listed: the one a trust admin chose (else the trust's first), or the
    actor's own; None when it is not one they may list."""
    schools = staff_schools(actor=actor)
    return schools.filter(pk=school_id).first() if school_id is not None else schools.first()


_STAFF_IN_ORDER = ("user__full_name", "user_id", "role_label", "id")
# The columns the staff list sorts by; a person's roles stay together when sorted by name.
STAFF_SORTS: dict[str, tuple[str, ...]] = {
    "name": _STAFF_IN_ORDER,
    "email": ("user__email", "role_label", "id"),
    "role": ("role_label", *_STAFF_IN_ORDER),
}


def staff_list(
    *,
    actor: Actor,
    school_id: int | None = None,
    search: str = "",
    order: tuple[str, ...] = _STAFF_IN_ORDER,
) -> QuerySet[Membership]:
    """Roles held at one school the actor may list (a trust admin names which; else their own); `search`
    finds people by name or email address, accents and case aside."""
    school = staff_school(actor=actor, school_id=school_id)
    if school is None:
        return Membership.objects.none()
    roles = (
        Membership.objects.filter(school=school, is_active=True, role__in=sorted(SCHOOL_ROLES))
        .select_related("user", "school")
        .alias(role_label=label_order("role", Role.choices))
    )
    if search.strip():
        roles = roles.alias(name_folded=Folded("user__full_name"), email_folded=Folded("user__email")).filter(
            words_match(search, "name", "email")
        )
    return roles.order_by(*order)


def pending_invitations(*, actor: Actor) -> list[Invitation]:
    """Invitations at the actor's school not yet used or withdrawn (run out ones included, to resend)."""
    from tandem.accounts.models import Invitation

    return list(
        Invitation.objects.filter(
            school_id=actor.school_id or 0,
            role__in=sorted(SCHOOL_ROLES),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .select_related("user")
        .order_by("user__full_name")
    )


def role_proposals_pending(*, actor: Actor) -> QuerySet[RoleProposal]:
    """SENCo and head roles a staff import asked for, waiting for the head (or a trust admin) to decide."""
    scope = actor.scope(Resource.ROLE_APPROVAL)
    if scope is Scope.SCHOOL:
        proposals = RoleProposal.objects.filter(school_id=actor.school_id or 0)
    elif scope is Scope.TRUST:
        proposals = RoleProposal.objects.filter(school__trust_id=actor.trust_id or 0)
    else:
        return RoleProposal.objects.none()
    return proposals.filter(decision="").select_related("user", "school", "proposed_by")


ROLE_CHANGE_ACTIONS = {
    "membership.create": "Gave a role",
    "membership.deactivate": "Removed a role",
    "role.propose": "Asked for a role (staff import)",
    "role.approve": "Approved a role request",
    "role.reject": "Turned down a role request",
}


@dataclass(frozen=True)
class RoleChange:
    occurred_at: dt.datetime
    what: str
    refused: bool
    person: str  # whose role: a name at this school, or "" when the trail cannot say
    role: str
    by: str
    school: str


def role_changes(*, actor: Actor, limit: int = 30) -> list[RoleChange]:
    """The latest grants, removals, requests and decisions at the school (or the trust admin's schools),
    refusals included, read from the audit trail and named from the records it points at."""
    scope = actor.scope(Resource.ROLE_APPROVAL)
    if scope is Scope.SCHOOL:
        schools = {actor.school_id or 0: actor.organisation_name}
    elif scope is Scope.TRUST:
        schools = dict(School.objects.filter(trust_id=actor.trust_id or 0).values_list("pk", "name"))
    else:
        return []
    events = list(
        AuditEvent.objects.filter(action__in=ROLE_CHANGE_ACTIONS, school_id__in=schools).order_by(
            "-occurred_at", "-id"
        )[:limit]
    )

    def ids(target_type: str) -> set[int]:
        return {int(e.target_id) for e in events if e.target_type == target_type and e.target_id.isdigit()}

    memberships = {
        m.pk: m
        for m in Membership.objects.filter(pk__in=ids("membership"), school_id__in=schools).select_related(
            "user"
        )
    }
    proposals = {
        p.pk: p
        for p in RoleProposal.objects.filter(
            pk__in=ids("role_proposal"), school_id__in=schools
        ).select_related("user")
    }
    # Names only of people who hold or held a role at one of these schools: never someone known only
    # at another school (an email typed for a refused grant may be theirs).
    here = Membership.objects.filter(school_id__in=schools).values("user_id")
    people = dict(
        User.objects.filter(
            Q(pk__in=ids("user")) | Q(pk__in={e.actor_id for e in events if e.actor_id}),
            Q(pk__in=here) | Q(memberships__trust__schools__in=list(schools)),
        )
        .distinct()
        .values_list("pk", "full_name")
    )
    changes = []
    for event in events:
        person, role = "", ""
        target_id = int(event.target_id) if event.target_id.isdigit() else None
        held: Membership | RoleProposal | None = None
        if event.target_type == "membership":
            held = memberships.get(target_id or 0)
        elif event.target_type == "role_proposal":
            held = proposals.get(target_id or 0)
        if held is not None:
            person, role = held.user.full_name, held.get_role_display()
        elif event.target_type == "user":
            person = people.get(target_id or 0, "")
        changes.append(
            RoleChange(
                occurred_at=event.occurred_at,
                what=ROLE_CHANGE_ACTIONS[event.action],
                refused=event.outcome == Outcome.DENIED,
                person=person,
                role=role,
                by=people.get(event.actor_id or 0, ""),
                school=schools.get(event.school_id or 0, ""),
            )
        )
    return changes
