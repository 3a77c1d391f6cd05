"""One open support plan per pupil, even when the plan is sent several times at once: one is saved and the
others are refused in words, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.plans.models import SupportPlan
from tandem.plans.services import PlanFields, plan_create
from tests.once import at_once, needs_parallel_connections

pytestmark = [needs_parallel_connections(), pytest.mark.django_db(transaction=True)]


def test_it_saves_one_plan_from_three_sent_at_once(world):
    today = timezone.localdate()
    fields = PlanFields(
        accountable_teacher_id=world.a.teacher.pk,
        summary="Decoding well below peers.",
        strengths="Good oral vocabulary.",
        needs="Reading longer words.",
        pupil_views="I like reading with a grown-up.",
        parent_views="Reads at home most nights.",
        strategies="Pre-teach key words; paired reading.",
        expected_impact="Reads Year 3 texts fluently.",
        starts_on=today,
        review_on=today + dt.timedelta(days=70),
    )

    def create() -> SupportPlan:
        return plan_create(actor=actor_for(world.a.senco), pupil_id=world.a.taught_pupil.pk, fields=fields)

    outcomes = at_once([create] * 3)
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 2, outcomes
    assert all("already has an open plan" in " ".join(e.messages) for e in refused)
    assert SupportPlan.objects.filter(pupil=world.a.taught_pupil).count() == 1
