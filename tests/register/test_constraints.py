"""The database itself refuses records that break the register's and the roles' rules."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tandem.people.models import Membership
from tandem.register.models import SenNeed, SenStatusPeriod
from tests import factories as f

TODAY = timezone.localdate()


def _refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_it_allows_only_one_open_provision_period(world):
    pupil = world.a.taught_pupil  # already has an open K period
    _refused(
        lambda: SenStatusPeriod.objects.create(
            pupil=pupil, school=pupil.school, provision="E", starts_on=TODAY
        )
    )


def test_it_refuses_an_unknown_provision_code_and_backwards_dates(world):
    pupil = world.a.untaught_pupil
    SenStatusPeriod.objects.filter(pupil=pupil).delete()
    _refused(
        lambda: SenStatusPeriod.objects.create(
            pupil=pupil, school=pupil.school, provision="X", starts_on=TODAY
        )
    )
    _refused(
        lambda: SenStatusPeriod.objects.create(
            pupil=pupil,
            school=pupil.school,
            provision="K",
            starts_on=TODAY,
            ends_on=TODAY - dt.timedelta(days=1),
        )
    )


def test_it_refuses_two_current_needs_with_the_same_rank(world):
    pupil = world.a.taught_pupil  # rank 1 is SLCN
    _refused(
        lambda: SenNeed.objects.create(
            pupil=pupil, school=pupil.school, need_type_id="SEMH", rank=1, starts_on=TODAY
        )
    )
    SenNeed.objects.create(pupil=pupil, school=pupil.school, need_type_id="SEMH", rank=2, starts_on=TODAY)


def test_it_refuses_a_need_code_that_is_not_in_the_code_set(world):
    pupil = world.a.taught_pupil

    def make() -> None:
        SenNeed.objects.create(pupil=pupil, school=pupil.school, need_type_id="XYZ", rank=3, starts_on=TODAY)
        # Foreign keys are checked when a transaction commits; ask now, as a commit would.
        connection.check_constraints(table_names=["register_senneed"])

    _refused(make)


def test_it_ties_school_roles_to_a_school_and_trust_roles_to_a_trust(world):
    user = f.make_user(email="roles@test.example")
    _refused(lambda: Membership.objects.create(user=user, role="senco", trust=f.make_trust(name="T")))
    _refused(lambda: Membership.objects.create(user=user, role="trust_admin", school=world.a.school))
    _refused(lambda: Membership.objects.create(user=user, role="janitor", school=world.a.school))


def test_it_refuses_the_same_upn_twice_in_one_school(world):
    upn = world.a.taught_pupil.upn
    _refused(
        lambda: f.make_pupil(school=world.a.school, forename="Dup", surname="Sentineladuplicate", upn=upn)
    )
    f.make_pupil(school=world.b.school, forename="Moved", surname="Sentinelbmoved", upn=upn)
