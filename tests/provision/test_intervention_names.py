"""One catalogue entry per intervention name in a school, in any case: a duplicate is a form error, never a
500, even when the same name is sent several times at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tandem.access.actor import actor_for
from tandem.provision.models import Intervention
from tandem.provision.services import InterventionFields, intervention_create
from tests import factories as f
from tests.once import at_once, needs_parallel_connections

FIELDS = InterventionFields(
    name="Toe by Toe",
    area="cognition",
    description="A structured phonics programme, one to one.",
    evidence_strength=2,
    sessions_per_week=5,
    minutes_per_session=20,
    weeks=12,
    group_size=1,
    staff_type="ta",
)


def test_it_refuses_a_name_the_catalogue_has_in_another_case(world):
    actor = actor_for(world.a.senco)
    intervention_create(actor=actor, fields=FIELDS)
    with pytest.raises(ValidationError) as refused:
        intervention_create(
            actor=actor, fields=InterventionFields(**{**FIELDS.__dict__, "name": "toe BY toe"})
        )
    assert refused.value.message_dict == {
        "name": ["The catalogue already has an intervention with this name."]
    }
    # Another school may use the name.
    intervention_create(actor=actor_for(world.b.senco), fields=FIELDS)
    assert Intervention.objects.count() == 2


def test_it_holds_the_name_rule_in_the_database(world):
    f.make_intervention(world.a.school, name="Toe by Toe")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.make_intervention(world.a.school, name="TOE BY TOE")


@needs_parallel_connections()
@pytest.mark.django_db(transaction=True)
def test_it_makes_one_entry_from_five_posts_at_once_and_refuses_the_rest_on_the_name(world):
    actor = actor_for(world.a.senco)
    outcomes = at_once([lambda: intervention_create(actor=actor, fields=FIELDS)] * 5)
    saved = [o for o in outcomes if isinstance(o, Intervention)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(saved) == 1 and len(refused) == 4, outcomes
    assert all(set(error.message_dict) == {"name"} for error in refused)
    assert Intervention.objects.filter(school=world.a.school).count() == 1
