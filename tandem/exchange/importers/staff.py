"""Staff and their roles; classes and sets with their teachers, teaching assistants and pupils."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Model

from tandem.exchange.fields import parse_date, parse_email, parse_name, parse_role, parse_year_group
from tandem.exchange.importers.base import (
    Plan,
    PupilIndex,
    TableRows,
    codes_by_name,
    identify_pupil,
    note_long_rows,
)
from tandem.exchange.tabular import Table
from tandem.lib.dates import academic_year_start
from tandem.people.models import (
    SENIOR_ROLES,
    Enrolment,
    GroupKind,
    GroupStaff,
    GroupStaffRole,
    Membership,
    Role,
    RoleProposal,
    Subject,
    TeachingGroup,
    User,
)
from tandem.schools.models import AcademicYear, School


@dataclass
class StaffPlan(Plan):
    """A staff plan, and what applying it needs besides rows: who is new (to invite), the roles given (an
    event each), the SENCo and head roles asked for, and the rows that would give the importer a role."""

    new_users: list[User] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    proposals: list[RoleProposal] = field(default_factory=list)
    self_grants: list[str] = field(default_factory=list)


def plan_staff(
    table: Table,
    columns: dict[str, int],
    *,
    school: School,
    importer_id: int | None = None,
    source_import_id: uuid.UUID | None = None,
) -> StaffPlan:
    """Staff and their roles: an account per email (shared with any other school the person works at) and
    a role here. Nothing is taken away: a role missing from the file stays until the admin removes it.

    A SENCo or head row only asks for the role (a RoleProposal the head decides); a row giving the
    importer a role they do not hold is an error: nobody gives themselves a role."""
    plan = StaffPlan(rows_total=len(table.rows))
    note_long_rows(table, plan)
    # Every account the file names, here or at another school, in one query (emails are matched lower-case).
    column = columns["email"]
    emails = {row[column].strip().lower() for row in table.rows if column < len(row)}
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    roles = set(Membership.objects.filter(school=school, is_active=True).values_list("user__email", "role"))
    asked = set(RoleProposal.objects.filter(school=school, decision="").values_list("user__email", "role"))
    seen: dict[tuple[str, str], int] = {}
    new_users: dict[str, User] = {}
    for line, values in TableRows(table, columns):
        email = plan.take(line, "Email", parse_email(values["email"]))
        role = plan.take(line, "Role", parse_role(values["role"]))
        if "full_name" in values:
            name = plan.take(line, "Full name", parse_name(values["full_name"], label="Full name"))
        else:
            forename = plan.take(line, "Forename", parse_name(values["forename"], label="Forename"))
            surname = plan.take(line, "Surname", parse_name(values["surname"], label="Surname"))
            name = f"{forename} {surname}"
        if line in plan.error_lines:
            continue
        if not email:
            plan.add(
                line, "Email", "Each member of staff needs an email address to sign in with.", error=True
            )
            continue
        if (email, role) in seen:
            plan.add(
                line, "Role", f"This person and role are also on line {seen[(email, role)]}.", error=True
            )
            continue
        seen[(email, role)] = line
        if (email, role) in roles or (email, role) in asked:
            plan.unchanged += 1
            continue
        user = users.get(email) or new_users.get(email)
        if user is not None and importer_id is not None and user.pk == importer_id:
            plan.add(
                line,
                "Email",
                "This row gives you a role, and nobody gives themselves a role. Ask the head or another "
                "school admin, or leave this row out.",
                error=True,
            )
            plan.self_grants.append(role)
            continue
        if user is None:
            user = User(email=email, full_name=name)
            user.set_unusable_password()
            new_users[email] = user
        if role in SENIOR_ROLES:
            plan.proposals.append(
                RoleProposal(
                    user=user,
                    school=school,
                    role=role,
                    proposed_by_id=importer_id,
                    source_import_id=source_import_id,
                )
            )
        else:
            plan.memberships.append(Membership(user=user, role=role, school=school))
        plan.created += 1
    plan.new_users = list(new_users.values())
    for model, rows in (
        (User, plan.new_users),
        (Membership, plan.memberships),
        (RoleProposal, plan.proposals),
    ):
        if rows:
            plan.creates.append((model, list(rows)))
    given = {m.user.email for m in plan.memberships}
    invited = sum(1 for u in plan.new_users if u.email in given)
    if invited:
        plan.notices.append(
            f"{invited} {'person is' if invited == 1 else 'people are'} new to Tandem: applying the import "
            "emails each an invitation to set a password (the link works for "
            f"{settings.TANDEM_INVITATION_DAYS} days)."
        )
    if plan.proposals:
        count = len(plan.proposals)
        plan.notices.append(
            f"{count} {'row asks' if count == 1 else 'rows ask'} for the SENCo or head role. Only the head "
            "(or a trust admin) gives those: applying the import sends the head the request, and the "
            "person has no such access until it is approved. Anyone new among them is invited then."
        )
    return plan


# ------------------------------------------------------------------------------------------ classes and sets


def plan_groups(table: Table, columns: dict[str, int], *, school: School, today: dt.date) -> Plan:
    """Classes and sets of this school year, their teachers and teaching assistants, and who is in them.

    One row per pupil in a group. Groups, staff and enrolments are added; nothing is ended, because a
    file that leaves a pupil out may simply be a partial export.
    """
    plan = Plan(rows_total=len(table.rows))
    note_long_rows(table, plan)
    index = PupilIndex(school)
    start_year = academic_year_start(today).year
    year = AcademicYear.objects.filter(start_year=start_year).first() or AcademicYear(start_year=start_year)
    groups = {
        g.name.lower(): g
        for g in TeachingGroup.objects.filter(school=school, academic_year__start_year=start_year)
    }
    staff = set(
        GroupStaff.objects.filter(group__in=groups.values()).values_list("group_id", "user_id", "role")
    )
    enrolled = set(
        Enrolment.objects.filter(group__in=groups.values(), ends_on__isnull=True).values_list(
            "group_id", "pupil_id"
        )
    )
    people = {
        (m.user.email, m.role): m.user
        for m in Membership.objects.filter(
            school=school, is_active=True, role__in=(Role.TEACHER, Role.TEACHING_ASSISTANT)
        ).select_related("user")
    }
    subjects = codes_by_name(Subject.objects.values_list("code", "name"))
    new_groups: list[Model] = []
    new_staff: list[Model] = []
    new_enrolments: list[Model] = []
    defined: dict[str, tuple[str | None, int | None, int]] = {}
    for line, values in TableRows(table, columns):
        pupil = identify_pupil(plan, line, values, index)
        name = values["group"].strip()
        if not name:
            plan.add(line, "Class or set", "The class or set is empty.", error=True)
        elif len(name) > 64:
            plan.add(line, "Class or set", "The class or set name is longer than 64 characters.", error=True)
        raw_subject = values.get("subject", "").strip()
        subject = subjects.get(raw_subject.lower()) if raw_subject else None
        if raw_subject and subject is None:
            known = ", ".join(sorted(set(subjects.values())))
            plan.add(
                line, "Subject", f"Subject '{raw_subject}' is not one Tandem knows ({known}).", error=True
            )
        group_year = None
        if values.get("group_year", "").strip():
            group_year = plan.take(line, "Year group", parse_year_group(values["group_year"]))
        starts_on = today
        if values.get("starts_on", "").strip():
            starts_on = plan.take(
                line, "Joined on", parse_date(values["starts_on"], label="Joined on", not_after=today)
            )
        staff_here: list[tuple[User, str]] = []
        for key, label, role, group_role in (
            ("teacher", "Teacher's email", Role.TEACHER, GroupStaffRole.TEACHER),
            ("support", "Teaching assistant's email", Role.TEACHING_ASSISTANT, GroupStaffRole.SUPPORT),
        ):
            email = plan.take(line, label, parse_email(values.get(key, ""), label=label))
            if email:
                person = people.get((email, role))
                if person is None:
                    plan.add(
                        line,
                        label,
                        f"No {role.label.lower()} at this school has the email {email}. Import staff first.",
                        error=True,
                    )
                else:
                    staff_here.append((person, group_role))
        if line in plan.error_lines or pupil is None:
            continue
        key = name.lower()
        shape = (subject, group_year, line)
        if key in defined and defined[key][:2] != shape[:2] and (subject or group_year is not None):
            plan.add(
                line,
                "Class or set",
                f"Line {defined[key][2]} gives {name} a different subject or year group.",
                error=True,
            )
            continue
        defined.setdefault(key, shape)
        group = groups.get(key)
        changes = 0
        if group is None:
            year_group = group_year if group_year is not None else pupil.year_group
            group = TeachingGroup(
                school=school,
                academic_year=year,
                name=name,
                kind=GroupKind.SET if subject else GroupKind.CLASS,
                subject_id=subject,
                year_group=year_group,
            )
            groups[key] = group
            new_groups.append(group)
            changes += 1
        for person, staff_role in staff_here:
            if (group.pk, person.pk, staff_role) not in staff:
                staff.add((group.pk, person.pk, staff_role))
                new_staff.append(GroupStaff(group=group, user=person, role=staff_role))
                changes += 1
        if (group.pk, pupil.pk) not in enrolled:
            enrolled.add((group.pk, pupil.pk))
            new_enrolments.append(Enrolment(group=group, pupil=pupil, starts_on=starts_on))
            changes += 1
        if changes:
            plan.created += 1
        else:
            plan.unchanged += 1
    plan.academic_years = [year] if new_groups and year.pk is None else []
    for model, rows in ((TeachingGroup, new_groups), (GroupStaff, new_staff), (Enrolment, new_enrolments)):
        if rows:
            plan.creates.append((model, rows))
    return plan
