"""Round trip: a demo school exported to CSV (roll, marks) and CTF (SEN history) imports into an empty school
as the same pupils, the same SEN history and the same marks."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.assessment.models import Assessment
from tandem.demo.loader import load_demo
from tandem.exchange.exports import ctf_export, marks_table, register_table, roll_table
from tandem.exchange.services import import_apply, import_upload
from tandem.exchange.tables import table_csv, table_xlsx
from tandem.people.models import Membership, Pupil, Role
from tandem.register.models import SenNeed, SenStatusPeriod
from tandem.schools.models import School
from tandem.schools.services import school_create
from tests import factories as f


def _pupils(school: School) -> set[tuple[Any, ...]]:
    return set(
        Pupil.objects.filter(school=school, left_on__isnull=True).values_list(
            "upn",
            "mis_id",
            "legal_surname",
            "legal_forename",
            "preferred_forename",
            "date_of_birth",
            "sex",
            "year_group",
            "pupil_premium",
            "eal",
            "looked_after",
        )
    )


def _periods(school: School) -> set[tuple[Any, ...]]:
    return set(
        SenStatusPeriod.objects.filter(pupil__school=school, pupil__left_on__isnull=True).values_list(
            "pupil__upn", "provision", "starts_on", "ends_on"
        )
    )


def _needs(school: School) -> set[tuple[Any, ...]]:
    return set(
        SenNeed.objects.filter(pupil__school=school, pupil__left_on__isnull=True).values_list(
            "pupil__upn", "need_type_id", "rank", "starts_on", "ends_on"
        )
    )


def _marks(school: School) -> set[tuple[Any, ...]]:
    return set(
        Assessment.objects.filter(pupil__school=school, pupil__left_on__isnull=True).values_list(
            "pupil__upn",
            "subject_id",
            "assessed_on",
            "result",
            "points",
            "scale_id",
            "window__term",
            "window__academic_year__start_year",
        )
    )


@pytest.fixture
def demo_school(db: None) -> School:
    load_demo(seed=3, as_of=timezone.localdate(), schools=2, pupils_per_school=90)
    return School.objects.order_by("name").first()  # type: ignore[return-value]


def _import(actor: Any, kind: str, name: str, data: bytes) -> None:
    record = import_upload(actor=actor, kind=kind, file_name=name, data=data)
    applied = import_apply(actor=actor, record_id=record.pk)
    assert applied.rows_with_errors == 0, applied.skipped


def test_it_round_trips_a_demo_school_through_csv_and_ctf_into_an_empty_school(demo_school):
    senco_here = Membership.objects.filter(school=demo_school, role=Role.SENCO, is_active=True).first()
    source = actor_for(senco_here.user, senco_here.pk)
    # The demo plants one status the census no longer takes (S, tandem/demo/census.py), which a CTF leaves
    # out by rule: put it back to "no SEN" so the whole register makes the round trip.
    legacy = SenStatusPeriod.objects.filter(school=demo_school, provision="S", ends_on__isnull=True)
    legacy.update(provision="N")
    roll = table_csv(roll_table(actor=source))
    marks = table_csv(marks_table(actor=source))
    ctf, notes = ctf_export(
        actor=source, pupils=list(Pupil.objects.filter(school=demo_school, left_on__isnull=True))
    )
    assert notes == []

    empty, _ = school_create(
        name="Empty Primary",
        urn="199999",
        phase=demo_school.phase,
        lowest_year=demo_school.lowest_year,
        highest_year=demo_school.highest_year,
        admin_email="admin@empty.example",
        admin_name="Empty Admin",
    )
    senco = f.make_user(email="senco@empty.example", full_name="Empty Senco")
    f.make_membership(user=senco, role="senco", school=empty)
    target = actor_for(senco)
    _import(target, "pupils", "pupils.csv", roll)
    _import(target, "ctf", "transfer.xml", ctf)
    _import(target, "assessments", "marks.csv", marks)

    assert len(_pupils(demo_school)) >= 90
    assert _pupils(empty) == _pupils(demo_school)
    assert len(_periods(demo_school)) > 10
    assert _periods(empty) == _periods(demo_school)
    assert _needs(empty) == _needs(demo_school)
    assert len(_marks(demo_school)) > 500
    assert _marks(empty) == _marks(demo_school)

    # Importing the same files again changes nothing.
    before = (_pupils(empty), _periods(empty), _needs(empty), _marks(empty))
    _import(target, "pupils", "pupils.csv", roll)
    _import(target, "ctf", "transfer.xml", ctf)
    _import(target, "assessments", "marks.csv", marks)
    assert (_pupils(empty), _periods(empty), _needs(empty), _marks(empty)) == before


def test_it_imports_the_register_export_as_sen_status_unchanged(demo_school):
    senco_here = Membership.objects.filter(school=demo_school, role=Role.SENCO, is_active=True).first()
    actor = actor_for(senco_here.user, senco_here.pk)
    before = (_periods(demo_school), _needs(demo_school))
    record = import_upload(
        actor=actor, kind="sen", file_name="register.xlsx", data=table_xlsx(register_table(actor=actor))
    )
    applied = import_apply(actor=actor, record_id=record.pk)
    assert applied.rows_total > 10
    assert (applied.created, applied.updated, applied.unchanged) == (0, 0, applied.rows_total)
    assert (_periods(demo_school), _needs(demo_school)) == before
