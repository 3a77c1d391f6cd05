"""Staff and their roles; classes and sets with their teachers, teaching assistants and pupils."""

from __future__ import annotations

import datetime as dt

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
    Enrolment,
    GroupKind,
    GroupStaff,
    GroupStaffRole,
    Membership,
    Role,
    Subject,
    TeachingGroup,
    User,
)
from tandem.schools.models import AcademicYear, School


def plan_staff(table: Table, columns: dict[str, int], *, school: School) -> Plan:
    """Staff and their roles: an account per email (shared with any other school the person works at) and
    a role here. Nothing is taken away: a role missing from the file stays until the admin removes it."""
    plan = Plan(rows_total=len(table.rows))
    note_long_rows(table, plan)
    # Every account the file names, here or at another school, in one query (emails are matched lower-case).
    column = columns["email"]
    emails = {row[column].strip().lower() for row in table.rows if column < len(row)}
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    roles = set(Membership.objects.filter(school=school, is_active=True).values_list("user__email", "role"))
    seen: dict[tuple[str, str], int] = {}
    new_users: dict[str, User] = {}
    new_roles: list[Model] = []
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
        if (email, role) in roles:
            plan.unchanged += 1
            continue
        user = users.get(email) or new_users.get(email)
        if user is None:
            user = User(email=email, full_name=name)
            user.set_unusable_password()
            new_users[email] = user
        new_roles.append(Membership(user=user, role=role, school=school))
        plan.created += 1
    if new_users:
        plan.creates.append((User, list(new_users.values())))
    if new_roles:
        plan.creates.append((Membership, new_roles))
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
