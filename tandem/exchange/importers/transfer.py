"""Common Transfer Files in: pupils by UPN, SEN history, statutory results kept as given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Model

from tandem.assessment.models import StageAssessment
from tandem.exchange.ctf import CtfFile, CtfPupil
from tandem.exchange.fields import parse_year_group
from tandem.exchange.importers.base import Plan, PupilIndex
from tandem.lib.dates import academic_year_start
from tandem.people.models import Pupil
from tandem.register.models import NeedType, SenNeed, SenStatusPeriod
from tandem.schools.models import School


def year_group_from_birth(dob: dt.date, today: dt.date) -> int:
    """England's year group: children born September to August start Reception together at four."""
    born_year_start = academic_year_start(dob).year
    return academic_year_start(today).year - born_year_start - 5


def plan_ctf(ctf: CtfFile, *, school: School, today: dt.date, with_sen: bool, source: str) -> Plan:
    """Pupils, SEN history and statutory results from a Common Transfer File, matched by UPN."""
    plan = Plan(rows_total=len(ctf.pupils))
    for issue in ctf.issues:
        if not with_sen and _about_sen(issue.field, issue.message):
            continue  # SEN history is left out for this reader, and so is what was wrong with it
        plan.add(issue.pupil or 0, issue.field, issue.message, error=False)
    index = PupilIndex(school)
    known_needs = set(NeedType.objects.values_list("code", flat=True))
    sen_pupils = sum(1 for p in ctf.pupils if p.has_sen_history)
    if sen_pupils and not with_sen:
        plan.notices.append(
            f"This file carries SEN history for {sen_pupils} pupils. Only the SENCo can import SEN records, "
            "so it is left out: pupils and results are imported."
        )
    periods_by_pupil: dict[Any, list[SenStatusPeriod]] = {}
    needs_by_pupil: dict[Any, list[SenNeed]] = {}
    stage_by_pupil: dict[Any, dict[tuple[str, ...], StageAssessment]] = {}
    pupil_ids = [p.pk for p in index.pupils]
    if with_sen:
        for period in SenStatusPeriod.objects.filter(pupil_id__in=pupil_ids):
            periods_by_pupil.setdefault(period.pupil_id, []).append(period)
        for need in SenNeed.objects.filter(pupil_id__in=pupil_ids):
            needs_by_pupil.setdefault(need.pupil_id, []).append(need)
    for stage in StageAssessment.objects.filter(pupil_id__in=pupil_ids):
        stage_by_pupil.setdefault(stage.pupil_id, {})[_stage_key(stage)] = stage
    new_pupils: list[Model] = []
    changed_pupils: list[Model] = []
    closing: list[Model] = []
    new_periods: list[Model] = []
    new_needs: list[Model] = []
    new_stage: list[Model] = []
    changed_stage: list[Model] = []
    seen: dict[str, int] = {}
    for position, item in enumerate(ctf.pupils, start=1):
        if not item.upn:
            plan.add(position, "UPN", "This pupil has no UPN, so Tandem cannot match them.", error=True)
            continue
        if item.upn in seen:
            plan.add(
                position, "UPN", f"UPN {item.upn} is also pupil {seen[item.upn]} in this file.", error=True
            )
            continue
        seen[item.upn] = position
        missing = [
            label for label, value in (("Surname", item.surname), ("Forename", item.forename)) if not value
        ]
        if item.dob is None:
            missing.append("DOB")
        if item.sex not in ("M", "F"):
            missing.append("Sex")
        if missing:
            plan.add(position, missing[0], f"Missing or unreadable: {', '.join(missing)}.", error=True)
            continue
        assert item.dob is not None
        year = _ctf_year(plan, position, item, today)
        pupil = index.by_upn.get(item.upn)
        wanted: dict[str, Any] = {
            "legal_surname": item.surname[:100],
            "legal_forename": item.forename[:100],
            "date_of_birth": item.dob,
            "sex": item.sex,
            "year_group": year,
        }
        if item.preferred_forename and item.preferred_forename != item.forename:
            wanted["preferred_forename"] = item.preferred_forename[:100]
        changes = 0
        is_new = pupil is None
        if pupil is None:
            pupil = Pupil(school=school, upn=item.upn, **wanted)
            new_pupils.append(pupil)
            plan.created += 1
        else:
            differs = [name for name, value in wanted.items() if getattr(pupil, name) != value]
            for name in differs:
                setattr(pupil, name, wanted[name])
            if differs:
                changed_pupils.append(pupil)
                changes += 1
        if with_sen and item.has_sen_history:
            current = _current_provision(item)
            if current is not None:
                plan.mis_sen[pupil.pk] = current
            changes += _plan_ctf_sen(
                plan,
                position,
                item,
                pupil,
                school,
                periods=periods_by_pupil.get(pupil.pk, []),
                needs=needs_by_pupil.get(pupil.pk, []),
                known_needs=known_needs,
                out=(closing, new_periods, new_needs),
            )
        have = stage_by_pupil.get(pupil.pk, {})
        for given in item.assessments:
            row = StageAssessment(
                school=school,
                pupil=pupil,
                stage=given.stage[:16],
                locale=given.locale[:8],
                year=given.year[:8],
                subject=given.subject[:16],
                method=given.method[:16],
                component=given.component[:32],
                result_status=given.result_status[:8],
                result_qualifier=given.result_qualifier[:16],
                result=given.result[:32],
                result_date=given.result_date,
                raw_result_date=given.raw_result_date[:32],
                filed_under=given.enclosing_stage[:16] if given.enclosing_stage != given.stage else "",
                source=source,
            )
            key = _stage_key(row)
            old = have.get(key)
            if old is None:
                have[key] = row
                new_stage.append(row)
                changes += 1
            elif (old.result, old.result_status, old.result_date) != (
                row.result,
                row.result_status,
                row.result_date,
            ):
                old.result, old.result_status, old.result_date = (
                    row.result,
                    row.result_status,
                    row.result_date,
                )
                old.source = source
                changed_stage.append(old)
                changes += 1
        if is_new:
            continue
        if changes:
            plan.updated += 1
        else:
            plan.unchanged += 1
    if changed_pupils:
        plan.updates.append(
            (
                Pupil,
                changed_pupils,
                (
                    "legal_surname",
                    "legal_forename",
                    "preferred_forename",
                    "date_of_birth",
                    "sex",
                    "year_group",
                ),
            )
        )
    if closing:
        plan.updates.append((SenStatusPeriod, closing, ("ends_on",)))
    if changed_stage:
        plan.updates.append(
            (StageAssessment, changed_stage, ("result", "result_status", "result_date", "source"))
        )
    for model, rows in (
        (Pupil, new_pupils),
        (SenStatusPeriod, new_periods),
        (SenNeed, new_needs),
        (StageAssessment, new_stage),
    ):
        if rows:
            plan.creates.append((model, rows))
    return plan


_SEN_DATE_FIELDS = frozenset({"StartDate", "EndDate", "NeedStartDate", "NeedEndDate"})


def _about_sen(field: str, message: str) -> bool:
    return field.startswith("SEN") or field in _SEN_DATE_FIELDS or "SEN" in message


def _stage_key(row: StageAssessment) -> tuple[str, ...]:
    return (row.stage, row.year, row.subject, row.method, row.component, row.result_qualifier)


def _ctf_year(plan: Plan, position: int, item: CtfPupil, today: dt.date) -> int:
    assert item.dob is not None
    derived = year_group_from_birth(item.dob, today)
    if item.nc_year:
        cell = parse_year_group(item.nc_year)
        if not cell.error:
            return int(cell.value)  # type: ignore[call-overload]
        plan.add(
            position,
            "NCyearActual",
            f"{cell.error} The year group is worked out from the date of birth.",
            error=False,
        )
    return derived


def _current_provision(item: CtfPupil) -> str | None:
    """The status the file gives the pupil now: its latest open period's census code, if it has one."""
    latest = next((p for p in reversed(item.sen_periods) if p.is_open and p.starts_on is not None), None)
    return latest.provision if latest is not None and latest.provision in _CENSUS_CODES else None


_CENSUS_CODES = ("N", "K", "E", "S", "A", "P")


def _plan_ctf_sen(
    plan: Plan,
    position: int,
    item: CtfPupil,
    pupil: Pupil,
    school: School,
    *,
    periods: Sequence[SenStatusPeriod],
    needs: Sequence[SenNeed],
    known_needs: set[str],
    out: tuple[list[Model], list[Model], list[Model]],
) -> int:
    """SEN history from another school: periods and needs Tandem does not have yet are added; nothing is
    deleted. A file whose open period starts after ours closes ours the day before."""
    closing, new_periods, new_needs = out
    changes = 0
    have = {(p.provision, p.starts_on) for p in periods}
    current = next((p for p in periods if p.ends_on is None), None)
    given_open = [p for p in item.sen_periods if p.ends_on is None]
    latest_open = given_open[-1] if given_open else None
    for given in item.sen_periods:
        if given.starts_on is None:
            plan.add(
                position,
                "SEN/StartDate",
                "A SEN period without a readable start date was left out.",
                error=False,
            )
            continue
        if (given.provision, given.starts_on) in have:
            continue
        if given.provision not in _CENSUS_CODES:
            plan.add(
                position,
                "SENprovision",
                f"SEN provision '{given.provision}' is not a census code; left out.",
                error=False,
            )
            continue
        if given.ends_on is None and given is not latest_open:
            plan.add(
                position, "SENhistory", "Two SEN periods are open; only the latest is kept.", error=False
            )
            continue
        if given.ends_on is None and current is not None:
            if given.starts_on <= current.starts_on:
                plan.add(
                    position,
                    "SENhistory",
                    "An open SEN period in the file starts before the pupil's current status here; it was "
                    "left out. Check the pupil's SEN history by hand.",
                    error=False,
                )
                continue
            current.ends_on = given.starts_on - dt.timedelta(days=1)
            closing.append(current)
            current = None
        ends_on = given.ends_on
        new_periods.append(
            SenStatusPeriod(
                pupil=pupil,
                school=school,
                provision=given.provision,
                starts_on=given.starts_on,
                ends_on=ends_on,
            )
        )
        have.add((given.provision, given.starts_on))
        changes += 1
    have_needs = {(n.need_type_id, n.rank, n.starts_on) for n in needs}
    open_ranks = {n.rank for n in needs if n.ends_on is None}
    open_types = {n.need_type_id for n in needs if n.ends_on is None}
    first_start = min((p.starts_on for p in item.sen_periods if p.starts_on), default=None)
    for need in item.needs:
        if need.need_type not in known_needs:
            plan.add(
                position,
                "SENtype",
                f"Need type '{need.need_type}' is not a census code; left out.",
                error=False,
            )
            continue
        if need.rank is None or need.rank < 1:
            plan.add(position, "SENtypeRank", "A need without a rank was left out.", error=False)
            continue
        starts_on = need.starts_on or first_start
        if starts_on is None:
            plan.add(
                position, "SENneed", "A need with no start date and no SEN period was left out.", error=False
            )
            continue
        if (need.need_type, need.rank, starts_on) in have_needs:
            continue
        if need.ends_on is None and (need.rank in open_ranks or need.need_type in open_types):
            plan.add(
                position,
                "SENneed",
                f"The file's {need.need_type} need overlaps a current need here; it was left out.",
                error=False,
            )
            continue
        new_needs.append(
            SenNeed(
                pupil=pupil,
                school=school,
                need_type_id=need.need_type,
                rank=need.rank,
                starts_on=starts_on,
                ends_on=need.ends_on,
            )
        )
        have_needs.add((need.need_type, need.rank, starts_on))
        if need.ends_on is None:
            open_ranks.add(need.rank)
            open_types.add(need.need_type)
        changes += 1
    return changes
