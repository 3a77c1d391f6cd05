"""The demo's sign-ins: one user per role per school (a realistic class or maths teacher), then the trust
roles, read back from the database, and printed as aligned lines with their second factors."""

from __future__ import annotations

from collections.abc import Sequence

from tandem.demo.generator import DEMO_EMAIL_DOMAIN
from tandem.demo.sign_in import demo_second_factors
from tandem.people.models import GroupStaff, Membership, Role, User
from tandem.schools.models import School

# The parent shown is the school's first (parent.001@families...), whose child the demo fills every page for.
_DEMO_ROLE_ORDER = (
    Role.SENCO,
    Role.HEAD,
    Role.SCHOOL_ADMIN,
    Role.TEACHER,
    Role.TEACHING_ASSISTANT,
    Role.PARENT,
)


def demo_logins() -> list[tuple[str, str, str]]:
    """(email, role, school or trust) for one demo user per role per school (staff, then a parent or carer),
    then the trust roles.

    The teacher shown is a Year 4 class teacher in a primary and a maths teacher in a secondary, so the
    sign-ins land on realistic "my pupils" pages. Read back from the database; empty without a demo.
    """
    schools, by_school, trust_rows = _demo_memberships()
    rows: list[tuple[str, str, str]] = []
    for school_id in sorted(by_school):
        school = schools[school_id]
        for _role, user, label in _school_logins(school, by_school[school_id]):
            rows.append((user.email, label, school.name))
    order = {Role.TRUST_SEND_LEAD.label: 0, Role.TRUST_ADMIN.label: 1, Role.TRUST_DPO.label: 2}
    rows.extend(sorted(trust_rows, key=lambda r: (order.get(r[1], 9), r[0])))
    return rows


def demo_login_users() -> dict[int, dict[str, int]]:
    """School id -> role -> id of the user `demo_logins` shows for it: whose pages the demo must fill."""
    schools, by_school, _ = _demo_memberships()
    return {
        school_id: {role: user.pk for role, user, _ in _school_logins(schools[school_id], roles)}
        for school_id, roles in by_school.items()
    }


def _demo_memberships() -> tuple[
    dict[int, School], dict[int, dict[str, list[Membership]]], list[tuple[str, str, str]]
]:
    memberships = (
        Membership.objects.filter(is_active=True, user__email__iendswith=f".{DEMO_EMAIL_DOMAIN}")
        .select_related("user", "school", "trust")
        .order_by("user__email")
    )
    by_school: dict[int, dict[str, list[Membership]]] = {}
    trust_rows: list[tuple[str, str, str]] = []
    schools: dict[int, School] = {}
    for m in memberships:
        if m.school_id is None:
            if m.trust is not None:
                trust_rows.append((m.user.email, Role(m.role).label, m.trust.name))
            continue
        assert m.school is not None
        schools[m.school_id] = m.school
        by_school.setdefault(m.school_id, {}).setdefault(m.role, []).append(m)
    return schools, by_school, trust_rows


def _school_logins(school: School, roles: dict[str, list[Membership]]) -> list[tuple[str, User, str]]:
    """(role, user, label) for the one user shown per role at this school, in sign-in order."""
    picked: list[tuple[str, User, str]] = []
    for role in _DEMO_ROLE_ORDER:
        if role == Role.TEACHER:
            pick = _representative_teacher(school, roles)
            if pick:
                picked.append((role, pick[0], pick[1]))
            continue
        if roles.get(role):
            picked.append((role, roles[role][0].user, Role(role).label))
    return picked


def _representative_teacher(school: School, roles: dict[str, list[Membership]]) -> tuple[User, str] | None:
    teacher_ids = {m.user_id for m in roles.get(Role.TEACHER, [])}
    if not teacher_ids:
        return None
    others = {m.user_id for role, ms in roles.items() if role != Role.TEACHER for m in ms}
    taught = GroupStaff.objects.filter(role="teacher", group__school=school, user_id__in=teacher_ids).exclude(
        user_id__in=others
    )
    if school.phase == "primary":
        match = taught.filter(group__kind="class", group__year_group=4).order_by("group__name").first()
        label = "Class teacher (Year 4)"
    else:
        match = taught.filter(group__subject_id="maths").order_by("group__year_group", "group__name").first()
        label = "Maths teacher"
    if match is None:
        match = taught.order_by("group__year_group", "group__name").first()
        label = Role.TEACHER.label
    if match is None:
        return None
    return match.user, label


def format_logins(rows: Sequence[tuple[str, str, str]]) -> list[str]:
    """The sign-ins as aligned lines of text: email, role, place, and for roles that need a second
    factor the authenticator secret and one recovery code (usable once)."""
    if not rows:
        return []
    factors = demo_second_factors([r[0] for r in rows])
    table = [("Email", "Role", "Place", "Authenticator secret", "Recovery code")]
    table += [(email, role, place, *factors.get(email, ("", ""))) for email, role, place in rows]
    widths = [max(len(line[i]) for line in table) for i in range(5)]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in table]
