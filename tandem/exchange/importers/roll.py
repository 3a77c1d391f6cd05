"""The roll: pupils matched by UPN, then MIS id; new ones added, changed ones updated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model

from tandem.exchange.fields import (
    parse_date,
    parse_flag,
    parse_mis_id,
    parse_name,
    parse_sex,
    parse_upn,
    parse_year_group,
    split_full_name,
)
from tandem.exchange.importers.base import Plan, PupilIndex, TableRows, note_long_rows
from tandem.exchange.tabular import Table
from tandem.people.models import Pupil
from tandem.schools.models import School


def plan_pupils(table: Table, columns: dict[str, int], *, school: School, today: dt.date) -> Plan:
    plan = Plan(rows_total=len(table.rows))
    note_long_rows(table, plan)
    index = PupilIndex(school)
    seen_upn: dict[str, int] = {}
    seen_mis: dict[str, int] = {}
    new: list[Model] = []
    changed: list[Model] = []
    changed_fields: set[str] = set()
    for line, values in TableRows(table, columns):
        upn = plan.take(line, "UPN", parse_upn(values.get("upn", "")))
        mis_id = plan.take(line, "MIS id", parse_mis_id(values.get("mis_id", "")))
        if "full_name" in values:
            surname_cell, forename_cell = split_full_name(values["full_name"])
            surname = plan.take(line, "Surname", surname_cell)
            forename = plan.take(line, "Forename", forename_cell)
        else:
            surname = plan.take(line, "Legal surname", parse_name(values["surname"], label="Legal surname"))
            forename = plan.take(
                line, "Legal forename", parse_name(values["forename"], label="Legal forename")
            )
        wanted: dict[str, Any] = {
            "legal_surname": surname,
            "legal_forename": forename,
            "date_of_birth": plan.take(
                line, "Date of birth", parse_date(values["dob"], label="Date of birth", not_after=today)
            ),
            "sex": plan.take(line, "Sex", parse_sex(values["sex"])),
            "year_group": plan.take(line, "Year group", parse_year_group(values["year"])),
        }
        if "preferred_forename" in values:
            wanted["preferred_forename"] = plan.take(
                line,
                "Preferred forename",
                parse_name(values["preferred_forename"], label="Preferred forename", required=False),
            )
        for key, label in (
            ("pupil_premium", "Pupil premium"),
            ("eal", "English as an additional language"),
            ("looked_after", "Looked after"),
        ):
            if key in values:
                wanted[key] = plan.take(line, label, parse_flag(values[key], label=label))
        if "left_on" in values:
            # A pupil who has left drops out of every list; one who comes back has the date cleared.
            left = values["left_on"].strip()
            wanted["left_on"] = (
                plan.take(line, "Leaving date", parse_date(left, label="Leaving date", not_after=today))
                if left
                else None
            )
        if line in plan.error_lines:
            continue
        if not upn and not mis_id:
            plan.add(
                line,
                "UPN",
                "A pupil needs a UPN or an MIS id, so that importing again updates them instead of "
                "adding them twice.",
                error=True,
            )
            continue
        if upn and upn in seen_upn:
            plan.add(line, "UPN", f"UPN {upn} is also on line {seen_upn[upn]}.", error=True)
            continue
        if mis_id and mis_id in seen_mis:
            plan.add(line, "MIS id", f"MIS id {mis_id} is also on line {seen_mis[mis_id]}.", error=True)
            continue
        if upn:
            seen_upn[upn] = line
        if mis_id:
            seen_mis[mis_id] = line
        pupil = index.find(upn, mis_id)
        if pupil is None and upn and mis_id and mis_id in index.by_mis:
            plan.add(
                line,
                "MIS id",
                f"MIS id {mis_id} belongs to a pupil with a different UPN; check which is right.",
                error=True,
            )
            continue
        year = wanted["year_group"]
        if not school.lowest_year <= year <= school.highest_year:
            plan.add(
                line,
                "Year group",
                f"Year group {values['year'].strip()} is outside the years this school teaches.",
                error=False,
            )
        if upn:
            wanted["upn"] = upn
        if mis_id:
            wanted["mis_id"] = mis_id
        if pupil is None:
            new.append(Pupil(school=school, **wanted))
            plan.created += 1
            continue
        differs = [name for name, value in wanted.items() if getattr(pupil, name) != value]
        if not differs:
            plan.unchanged += 1
            continue
        for name in differs:
            setattr(pupil, name, wanted[name])
        changed.append(pupil)
        changed_fields.update(differs)
        plan.updated += 1
    if changed:
        plan.updates.append((Pupil, changed, tuple(sorted(changed_fields))))
    if new:
        plan.creates.append((Pupil, new))
    return plan
