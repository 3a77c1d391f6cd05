"""The register's "only one" rules hold when writes for one pupil arrive at once: passport versions number
on without a gap or a clash, and a second start of SEN support is refused in words, never a 500."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.register.models import Passport, SenStatusPeriod
from tandem.register.services import passport_write, sen_support_start
from tests import factories as f
from tests.once import at_once, needs_parallel_connections

pytestmark = [needs_parallel_connections(), pytest.mark.django_db(transaction=True)]


def test_it_numbers_passport_versions_written_at_once_one_after_another(world):
    pupil = world.a.taught_pupil

    def write(n: int):
        return lambda: passport_write(
            actor=actor_for(world.a.senco),
            pupil_id=pupil.pk,
            strengths=f"Strengths {n}.",
            needs="Reading longer words.",
            what_helps="Key words before the lesson.",
        )

    outcomes = at_once([write(n) for n in range(4)])
    assert all(isinstance(o, Passport) for o in outcomes), outcomes
    assert sorted(Passport.objects.filter(pupil=pupil).values_list("version", flat=True)) == [1, 2, 3, 4]


def test_it_starts_sen_support_once_when_the_decision_is_sent_three_times_at_once(world):
    pupil = f.make_pupil(school=world.a.school, forename="Ari", surname="Parallelson")
    f.enrol(group=world.a.group, pupils=[pupil])
    today = timezone.localdate()

    def start():
        return sen_support_start(
            actor=actor_for(world.a.senco),
            pupil_id=pupil.pk,
            decided_on=today,
            evidence="Two terms of first responses without progress.",
            pupil_views="Reading is hard.",
            parent_views="Agree.",
            parents_informed_on=today,
            parent_note="We will support reading in small steps.",
            need_codes=["SPLD"],
        )

    outcomes = at_once([start] * 3)
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 2, outcomes
    assert all("already has SEN support recorded" in " ".join(e.messages) for e in refused)
    assert SenStatusPeriod.objects.filter(pupil=pupil, ends_on__isnull=True).count() == 1
