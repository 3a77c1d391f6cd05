"""What a session covered, as quick picks from the intervention's own programme: the SENCo keeps the
programme, the session log offers it as boxes to tick (checked on the server against the programme), and
the words reach the accountable teacher as any log does."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.demo.interventions import CATALOGUE, PROGRAMMES
from tandem.provision.models import Intervention, SessionLog
from tandem.provision.services import (
    MAX_STEP_LENGTH,
    intervention_programme_set,
    session_log_record,
)
from tests import factories as f
from tests.once import with_form_token

STEPS = ["Phase 3: ai, ee, igh", "Blending for reading", "Tricky words", "Dictated sentence"]


@pytest.fixture
def group(world):
    """School A's TA runs a phonics group with a programme; the taught pupil is placed, their teacher
    accountable."""
    intervention = f.make_intervention(world.a.school, name="Phonics", programme_steps=STEPS)
    group = f.make_intervention_group(deliverer=world.a.ta, intervention=intervention, name="Y4 phonics")
    f.make_placement(group=group, pupil=world.a.taught_pupil, teacher=world.a.teacher)
    return group


def _log_post(world, group, **data):
    placement = group.placements.get()
    values = {
        "held_on": timezone.localdate().isoformat(),
        "present": [str(placement.pk)],
        "rating": "3",
        "covered": "",
        "note": "",
        **data,
    }
    return with_form_token(values, world.a.ta)


def test_it_shows_the_programme_as_boxes_to_tick_with_optional_words(client, world, group):
    client.force_login(world.a.ta)
    response = client.get(reverse("session_log", args=[group.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for step in STEPS:
        assert f'type="checkbox" name="picks" value="{step}"' in page
    assert "Anything else you covered (optional)" in page
    assert "Tick the steps of the programme you worked on, and add anything else below." in page


def test_it_saves_the_picks_in_programme_order_then_the_words_typed(client, world, group):
    client.force_login(world.a.ta)
    data = _log_post(world, group, picks=["Tricky words", "Phase 3: ai, ee, igh"], covered="Played bingo.")
    response = client.post(reverse("session_log", args=[group.pk]), data)
    assert response.status_code == 302
    log = SessionLog.objects.get(group=group)
    assert log.covered == "Phase 3: ai, ee, igh; Tricky words; Played bingo."


def test_it_saves_picks_alone_without_any_typing(client, world, group):
    client.force_login(world.a.ta)
    response = client.post(
        reverse("session_log", args=[group.pk]), _log_post(world, group, picks=["Tricky words"])
    )
    assert response.status_code == 302
    assert SessionLog.objects.get(group=group).covered == "Tricky words"


def test_it_refuses_a_pick_that_is_not_in_the_programme(client, world, group):
    client.force_login(world.a.ta)
    data = _log_post(world, group, picks=["Tricky words", "Long division"])
    response = client.post(reverse("session_log", args=[group.pk]), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not SessionLog.objects.exists()


def test_its_service_refuses_a_pick_that_is_not_in_the_programme(world, group):
    with pytest.raises(ValidationError) as refused:
        session_log_record(
            actor=actor_for(world.a.ta),
            group_id=group.pk,
            held_on=timezone.localdate(),
            present=set(),
            covered="",
            rating=3,
            picks=["Long division"],
        )
    assert refused.value.message_dict["picks"] == ["Choose only steps from this intervention's programme."]
    assert not SessionLog.objects.exists()


def test_it_asks_for_a_pick_or_words_when_neither_is_given(client, world, group):
    client.force_login(world.a.ta)
    response = client.post(reverse("session_log", args=[group.pk]), _log_post(world, group))
    assert response.status_code == 400
    assert "Tick what you covered, or say in a few words." in response.content.decode()
    assert not SessionLog.objects.exists()


def test_it_still_asks_for_words_when_the_intervention_has_no_programme(client, world):
    group = f.make_intervention_group(deliverer=world.a.ta)
    f.make_placement(group=group, pupil=world.a.taught_pupil, teacher=world.a.teacher)
    client.force_login(world.a.ta)
    page = client.get(reverse("session_log", args=[group.pk])).content.decode()
    assert 'name="picks"' not in page
    response = client.post(reverse("session_log", args=[group.pk]), _log_post(world, group))
    assert response.status_code == 400
    assert not SessionLog.objects.exists()
    response = client.post(
        reverse("session_log", args=[group.pk]), _log_post(world, group, covered="Blending CVC words.")
    )
    assert response.status_code == 302
    assert SessionLog.objects.get(group=group).covered == "Blending CVC words."


def test_it_shows_the_picked_steps_to_the_accountable_teacher(client, world, group):
    client.force_login(world.a.ta)
    client.post(
        reverse("session_log", args=[group.pk]),
        _log_post(world, group, picks=["Blending for reading", "Dictated sentence"]),
    )
    client.force_login(world.a.teacher)
    page = client.get(reverse("to_do")).content.decode()
    assert "Blending for reading; Dictated sentence" in page


def test_it_lets_the_senco_change_the_programme(client, world, group):
    intervention = group.intervention
    client.force_login(world.a.senco)
    url = reverse("intervention_programme", args=[intervention.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert "Tricky words" in form.content.decode()
    steps = "Phase 5: split digraphs\n\n  Tricky   words \ntricky words\nReading a decodable book\n"
    response = client.post(url, with_form_token({"steps": steps}, world.a.senco))
    assert response.status_code == 302
    intervention.refresh_from_db()
    # Blank lines and repeats (in any case) go; spacing is tidied.
    assert intervention.programme_steps == [
        "Phase 5: split digraphs",
        "Tricky words",
        "Reading a decodable book",
    ]
    event = AuditEvent.objects.get(action="intervention.programme_set")
    assert event.target_id == str(intervention.pk)
    assert event.fields == ["programme_steps"]
    assert (
        "Reading a decodable book"
        in client.get(reverse("intervention_detail", args=[intervention.pk])).content.decode()
    )


def test_it_refuses_a_step_too_long_to_tick(world, group):
    with pytest.raises(ValidationError) as refused:
        intervention_programme_set(
            actor=actor_for(world.a.senco),
            intervention_id=group.intervention.pk,
            steps=["x" * (MAX_STEP_LENGTH + 1)],
        )
    assert "80 characters or fewer" in refused.value.message_dict["steps"][0]


@pytest.mark.parametrize("persona", ["teacher", "ta", "head"])
def test_it_does_not_let_anyone_but_the_senco_change_the_programme(client, world, group, persona):
    client.force_login(getattr(world.a, persona))
    url = reverse("intervention_programme", args=[group.intervention.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, with_form_token({"steps": "Long division"}, getattr(world.a, persona)))
    assert response.status_code == 404
    assert Intervention.objects.get(pk=group.intervention.pk).programme_steps == STEPS
    with pytest.raises(ValidationError):
        intervention_programme_set(
            actor=actor_for(getattr(world.a, persona)),
            intervention_id=group.intervention.pk,
            steps=["Long division"],
        )


def test_it_does_not_let_a_senco_change_another_schools_programme(client, world, group):
    client.force_login(world.b.senco)
    url = reverse("intervention_programme", args=[group.intervention.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, with_form_token({"steps": "Long division"}, world.b.senco))
    assert response.status_code == 404
    assert Intervention.objects.get(pk=group.intervention.pk).programme_steps == STEPS


def test_its_demo_gives_every_intervention_a_programme_short_enough_to_tick():
    assert set(PROGRAMMES) == {spec.name for spec in CATALOGUE}
    for name, steps in PROGRAMMES.items():
        assert len(steps) >= 5, name
        assert len(set(steps)) == len(steps), name
        assert all(0 < len(step) <= MAX_STEP_LENGTH for step in steps), name
