"""Who may do what, and to which records: the one table every view and test reads.

Each row is (role, resource, action) -> scope. No row means no access. Views
declare the (resource, action) they serve with `tandem.access.decorators.allow`;
the test suite walks every URL and fails on a view without a declaration.
"""

from __future__ import annotations

from enum import StrEnum

from tandem.people.models import Role


class Resource(StrEnum):
    HOME = "home"  # the signed-in user's own home page and role switch
    PUPIL = "pupil"  # pupil details: names, year, groups, accountable teachers
    SEN_RECORD = "sen_record"  # SEN status history and needs (special-category data)
    REGISTER = "register"  # the SEN register list and its summary
    TEACHING_GROUP = "teaching_group"
    STAFF = "staff"  # staff and their roles at the school
    TRUST_OVERVIEW = "trust_overview"  # figures per school across a trust
    PROGRESS = "progress"  # Code 6.17 results: growth percentiles, gaps, flags and their reasons


class Action(StrEnum):
    VIEW = "view"
    MANAGE = "manage"


class Scope(StrEnum):
    NONE = "none"
    SELF = "self"  # only the user's own things (home page, own roles)
    OWN = "own"  # pupils in groups the user teaches, and those groups
    SUPPORTED = "supported"  # pupils in groups the user supports as a TA, and those groups
    SCHOOL = "school"  # everything at the membership's school
    TRUST = "trust"  # everything at the trust's schools
    TRUST_AGGREGATE = "trust_aggregate"  # counts across the trust, never pupil rows


R, A, S = Resource, Action, Scope

POLICY: dict[tuple[Role, Resource, Action], Scope] = {
    # A teacher is accountable for the pupils they teach, and sees their SEN records.
    (Role.TEACHER, R.HOME, A.VIEW): S.SELF,
    (Role.TEACHER, R.PUPIL, A.VIEW): S.OWN,
    (Role.TEACHER, R.SEN_RECORD, A.VIEW): S.OWN,
    (Role.TEACHER, R.REGISTER, A.VIEW): S.OWN,
    (Role.TEACHER, R.TEACHING_GROUP, A.VIEW): S.OWN,
    (Role.TEACHER, R.PROGRESS, A.VIEW): S.OWN,
    # A TA sees the pupils of the groups they support, so strategies reach them too.
    (Role.TEACHING_ASSISTANT, R.HOME, A.VIEW): S.SELF,
    (Role.TEACHING_ASSISTANT, R.PUPIL, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.SEN_RECORD, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.TEACHING_GROUP, A.VIEW): S.SUPPORTED,
    (Role.TEACHING_ASSISTANT, R.PROGRESS, A.VIEW): S.SUPPORTED,
    # The SENCo keeps the whole register.
    (Role.SENCO, R.HOME, A.VIEW): S.SELF,
    (Role.SENCO, R.PUPIL, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.SEN_RECORD, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.REGISTER, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.TEACHING_GROUP, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.STAFF, A.VIEW): S.SCHOOL,
    (Role.SENCO, R.PROGRESS, A.VIEW): S.SCHOOL,
    # Heads answer for the whole school.
    (Role.HEAD, R.HOME, A.VIEW): S.SELF,
    (Role.HEAD, R.PUPIL, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.SEN_RECORD, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.REGISTER, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.TEACHING_GROUP, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.STAFF, A.VIEW): S.SCHOOL,
    (Role.HEAD, R.PROGRESS, A.VIEW): S.SCHOOL,
    # The data and IT lead runs the roll and the staff list, but has no need to read SEN records.
    (Role.SCHOOL_ADMIN, R.HOME, A.VIEW): S.SELF,
    (Role.SCHOOL_ADMIN, R.PUPIL, A.VIEW): S.SCHOOL,
    (Role.SCHOOL_ADMIN, R.TEACHING_GROUP, A.VIEW): S.SCHOOL,
    (Role.SCHOOL_ADMIN, R.STAFF, A.VIEW): S.SCHOOL,
    (Role.SCHOOL_ADMIN, R.STAFF, A.MANAGE): S.SCHOOL,
    # A trust SEND lead works with pupils across the trust's schools.
    (Role.TRUST_SEND_LEAD, R.HOME, A.VIEW): S.SELF,
    (Role.TRUST_SEND_LEAD, R.PUPIL, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.SEN_RECORD, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.REGISTER, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.TEACHING_GROUP, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.TRUST_OVERVIEW, A.VIEW): S.TRUST,
    (Role.TRUST_SEND_LEAD, R.PROGRESS, A.VIEW): S.TRUST,
    # A trust admin sees figures, never a pupil.
    (Role.TRUST_ADMIN, R.HOME, A.VIEW): S.SELF,
    (Role.TRUST_ADMIN, R.TRUST_OVERVIEW, A.VIEW): S.TRUST_AGGREGATE,
}


def scope_for(role: str, resource: Resource, action: Action) -> Scope:
    try:
        return POLICY.get((Role(role), resource, action), Scope.NONE)
    except ValueError:
        return Scope.NONE


# URLs outside the role table, named so the URL walk can tell "declared" from "forgotten".
PUBLIC_URL_NAMES = frozenset({"login", "logout", "health"})
# Django's admin: superusers only (see tandem.urls), never a route for school staff.
SUPERUSER_URL_NAMESPACES = frozenset({"admin"})
