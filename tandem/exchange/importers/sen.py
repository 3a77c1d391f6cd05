"""SEN status and needs: the current status and ranked needs, closing what they replace."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model

from tandem.exchange.fields import parse_date, parse_need, parse_provision
from tandem.exchange.importers.base import Plan, PupilIndex, TableRows, identify_pupil, note_long_rows
from tandem.exchange.tabular import Table
from tandem.register.models import NeedType, SenNeed, SenStatusPeriod
from tandem.schools.models import School


def current_need_names() -> dict[str, str]:
    return dict(NeedType.objects.filter(is_current=True).values_list("code", "name"))


def plan_sen(table: Table, columns: dict[str, int], *, school: School, today: dt.date) -> Plan:
    plan = Plan(rows_total=len(table.rows))
    note_long_rows(table, plan)
    index = PupilIndex(school)
    needs_known = current_need_names()
    open_periods = {
        p.pupil_id: p for p in SenStatusPeriod.objects.filter(school=school, ends_on__isnull=True)
    }
    open_needs: dict[Any, dict[int, SenNeed]] = {}
    for need in SenNeed.objects.filter(school=school, ends_on__isnull=True):
        open_needs.setdefault(need.pupil_id, {})[need.rank] = need
    seen: dict[Any, int] = {}
    closing_periods: list[Model] = []
    closing_needs: list[Model] = []
    new_periods: list[Model] = []
    new_needs: list[Model] = []
    for line, values in TableRows(table, columns):
        pupil = identify_pupil(plan, line, values, index)
        provision = plan.take(line, "SEN status", parse_provision(values["provision"]))
        starts_on = today
        if values.get("starts_on", "").strip():
            starts_on = plan.take(
                line, "Start date", parse_date(values["starts_on"], label="Start date", not_after=today)
            )
        elif "starts_on" in values:
            plan.add(line, "Start date", "No start date: today's date is used.", error=False)
        wanted_needs: dict[int, str] = {}
        for rank, key, label in (
            (1, "primary_need", "Primary need"),
            (2, "secondary_need", "Secondary need"),
        ):
            if key in values:
                code = plan.take(line, label, parse_need(values[key], label=label, current_codes=needs_known))
                if code:
                    wanted_needs[rank] = code
        if line in plan.error_lines or pupil is None:
            continue
        if pupil.pk in seen:
            plan.add(line, "UPN", f"This pupil is also on line {seen[pupil.pk]}.", error=True)
            continue
        seen[pupil.pk] = line
        if provision == "N" and wanted_needs:
            plan.add(line, "Primary need", "A pupil with no SEN (N) cannot have a need recorded.", error=True)
            continue
        if len(set(wanted_needs.values())) < len(wanted_needs):
            plan.add(
                line, "Secondary need", "The secondary need is the same as the primary need.", error=True
            )
            continue
        if provision in ("K", "E") and 1 not in wanted_needs and "primary_need" in values:
            plan.add(
                line,
                "Primary need",
                "No primary need: the spring census asks for one for every pupil on SEN support or with "
                "an EHC plan.",
                error=False,
            )
        current = open_periods.get(pupil.pk)
        changes = 0
        effective = today
        if current is not None and current.provision == provision:
            pass
        elif current is None and provision == "N":
            pass  # nothing on record means no SEN already: don't add an N period for everyone
        else:
            if current is not None:
                if starts_on <= current.starts_on:
                    plan.add(
                        line,
                        "Start date",
                        f"The new status starts on {starts_on:%d/%m/%Y}, not after the current one "
                        f"({current.starts_on:%d/%m/%Y}); give the date it changed.",
                        error=True,
                    )
                    continue
                current.ends_on = starts_on - dt.timedelta(days=1)
                closing_periods.append(current)
            new_periods.append(
                SenStatusPeriod(pupil=pupil, school=school, provision=provision, starts_on=starts_on)
            )
            effective = starts_on
            changes += 1
        have = open_needs.get(pupil.pk, {})
        if provision == "N":
            ranks = set(have)  # no SEN: every current need ends
        else:
            ranks = {r for r, key in ((1, "primary_need"), (2, "secondary_need")) if key in values}
        for rank in sorted(ranks):
            old = have.get(rank)
            want = wanted_needs.get(rank)
            if (old.need_type_id if old is not None else None) == want:
                continue
            if old is not None:
                old.ends_on = max(old.starts_on, effective - dt.timedelta(days=1))
                closing_needs.append(old)
            if want:
                new_needs.append(
                    SenNeed(pupil=pupil, school=school, need_type_id=want, rank=rank, starts_on=effective)
                )
            changes += 1
        plan.mis_sen[pupil.pk] = provision
        if changes:
            plan.updated += 1
        else:
            plan.unchanged += 1
    if closing_periods:
        plan.updates.append((SenStatusPeriod, closing_periods, ("ends_on",)))
    if closing_needs:
        plan.updates.append((SenNeed, closing_needs, ("ends_on",)))
    if new_periods:
        plan.creates.append((SenStatusPeriod, new_periods))
    if new_needs:
        plan.creates.append((SenNeed, new_needs))
    return plan
