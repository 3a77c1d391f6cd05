"""Correcting and withdrawing intervention placements: the SENCo (who places pupils) corrects the link to
lessons and the measures; a withdrawn placement leaves the group, the provision map, impact, the pupil
page, the class profile, the cost and trust figures, and gives no one access to the pupil."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.dashboards.selectors import provision_cost_this_term
from tandem.people.profile import group_profile
from tandem.provision.impact import intervention_impact
from tandem.provision.models import Placement
from tandem.provision.provision_map import provision_map
from tandem.provision.selectors import placements_on, pupil_placements
from tandem.provision.services import placement_exit, session_log_record
from tandem.revisions.models import RecordVersion
from tandem.schools.selectors import trust_schools_compared
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()
LINK = "Pre-teach the topic words on Monday and prompt the sound mat in writing."


def _placed(world, pupil=None) -> Placement:
    group = f.make_intervention_group(deliverer=world.a.ta)
    return f.make_placement(group=group, pupil=pupil or world.a.taught_pupil, teacher=world.a.teacher)


def _post(placement: Placement, version: int = 1, **overrides: str) -> dict[str, str]:
    data = {
        "classroom_link": placement.classroom_link,
        "measure_kind": placement.measure_kind,
        "subject_code": placement.subject_id or "",
        "entry_score": str(placement.entry_score),
        "entry_on": placement.entry_on.isoformat(),
        "version": str(version),
    }
    if placement.exit_on is not None:
        data.update(exit_score=str(placement.exit_score), exit_on=placement.exit_on.isoformat())
    data.update(overrides)
    return data


def _group_page(client, placement: Placement) -> str:
    response = client.get(reverse("intervention_group", args=[placement.group_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_lets_the_senco_correct_a_placement_and_shows_the_history(client, world):
    placement = _placed(world)
    client.force_login(world.a.senco)
    response = client.post(
        reverse("placement_edit", args=[placement.pk]),
        with_form_token(_post(placement, entry_score="58", reason="Typed 85 for 58"), world.a.senco),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("intervention_group", args=[placement.group_id])
    placement.refresh_from_db()
    assert placement.entry_score == 58.0
    first, second = RecordVersion.objects.filter(record_id=placement.pk).order_by("number")
    assert (first.kind, first.changed_by_id, first.pupil_id) == (
        "created",
        world.a.teacher.pk,
        placement.pupil_id,
    )
    assert (second.kind, second.changed_by_id, second.reason) == (
        "corrected",
        world.a.senco.pk,
        "Typed 85 for 58",
    )
    page = _group_page(client, placement)
    history = page[page.index("Corrected and withdrawn") :]
    assert f"Placement of {placement.pupil.display_name}" in history
    assert "Entry measure: “85.0” changed to “58.0”" in history
    assert "Senco A" in history and "Teacher A" in history and "Typed 85 for 58" in history
    assert f"{timezone.localtime():%-d %b %Y}" in history


def test_it_audits_a_correction_by_field_name_without_the_values(client, world):
    placement = _placed(world)
    client.force_login(world.a.senco)
    client.post(
        reverse("placement_edit", args=[placement.pk]),
        with_form_token(_post(placement, classroom_link=LINK + " Check the reading book."), world.a.senco),
    )
    event = AuditEvent.objects.get(action="placement.correct")
    assert (event.target_type, event.target_id, event.fields) == (
        "placement",
        str(placement.pk),
        ["classroom_link"],
    )
    assert "reading book" not in str(event.__dict__)


def test_it_checks_the_link_to_lessons_as_when_the_pupil_was_placed(client, world):
    placement = _placed(world)
    client.force_login(world.a.senco)
    response = client.post(
        reverse("placement_edit", args=[placement.pk]),
        with_form_token(_post(placement, classroom_link="n/a"), world.a.senco),
    )
    assert response.status_code == 400 and "Be specific" in response.content.decode()
    placement.refresh_from_db()
    assert placement.classroom_link == LINK and not RecordVersion.objects.exists()


def test_it_moves_the_end_of_the_placement_with_a_corrected_exit_date(client, world):
    exited = TODAY - dt.timedelta(days=2)
    placement = _placed(world)
    Placement.objects.filter(pk=placement.pk).update(exit_score=95.0, exit_on=exited, ends_on=exited)
    placement.refresh_from_db()
    client.force_login(world.a.senco)
    response = client.post(
        reverse("placement_edit", args=[placement.pk]),
        with_form_token(_post(placement, exit_on=(exited - dt.timedelta(days=1)).isoformat()), world.a.senco),
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.exit_on == placement.ends_on == exited - dt.timedelta(days=1)


def test_it_refuses_the_teacher_the_assistant_and_another_schools_senco(client, world):
    placement = _placed(world)
    for user in (world.a.teacher, world.a.ta, world.b.senco):
        client.force_login(user)
        url = reverse("placement_edit", args=[placement.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, with_form_token(_post(placement, entry_score="58"), user)).status_code == 404
        withdraw = client.post(
            reverse("placement_withdraw", args=[placement.pk]),
            with_form_token({"reason": "Wrong pupil", "version": "1"}, user),
        )
        assert withdraw.status_code == 404
    placement.refresh_from_db()
    assert placement.entry_score == 85.0 and placement.withdrawn_at is None
    assert not RecordVersion.objects.exists()


def test_it_refuses_a_stale_correction_and_saves_nothing(client, world):
    placement = _placed(world)
    client.force_login(world.a.senco)
    url = reverse("placement_edit", args=[placement.pk])
    assert (
        client.post(url, with_form_token(_post(placement, entry_score="58"), world.a.senco)).status_code
        == 302
    )
    stale = client.post(url, with_form_token(_post(placement, entry_score="59", version=1), world.a.senco))
    assert stale.status_code == 400
    assert "someone else changed this record after you opened it" in stale.content.decode()
    placement.refresh_from_db()
    assert placement.entry_score == 58.0
    assert RecordVersion.objects.filter(record_id=placement.pk).count() == 2
    assert AuditEvent.objects.filter(action="placement.correct").count() == 1


def test_it_takes_a_withdrawn_placement_out_of_every_list_count_and_document(client, world):
    pupil = world.a.taught_pupil
    placement = _placed(world)
    intervention = placement.group.intervention
    senco, head = actor_for(world.a.senco), actor_for(world.a.head)
    f.make_session_log(group=placement.group)

    def trust_places() -> int:
        comparison = trust_schools_compared(actor=actor_for(world.trust_lead))
        return next(row.placements for row in comparison.schools if row.school_id == world.a.school.pk)

    assert len(provision_map(actor=senco)[0].rows) == 1
    assert intervention_impact(actor=senco, intervention=intervention).placements == 1
    assert pupil_placements(actor=senco, pupil_id=pupil.pk) == [placement]
    assert provision_cost_this_term(actor=head).placements == 1
    assert trust_places() == 1
    profile = group_profile(actor=actor_for(world.a.teacher), group_id=world.a.group.pk)
    assert [len(p.interventions) for p in profile.pupils if p.pupil == pupil] == [1]

    client.force_login(world.a.senco)
    assert (
        client.post(
            reverse("placement_withdraw", args=[placement.pk]), with_form_token({"reason": ""}, world.a.senco)
        ).status_code
        == 400
    )
    response = client.post(
        reverse("placement_withdraw", args=[placement.pk]),
        with_form_token({"reason": "Placed in the wrong group", "version": "1"}, world.a.senco),
    )
    assert response.status_code == 302

    assert provision_map(actor=senco)[0].rows == ()
    csv = client.get(reverse("provision_map") + "?format=csv").content.decode()
    assert intervention.name not in csv
    impact = intervention_impact(actor=senco, intervention=intervention)
    assert impact.placements == 0 and impact.dosage.attendance_rate is None
    assert pupil_placements(actor=senco, pupil_id=pupil.pk) == []
    assert provision_cost_this_term(actor=head).placements == 0
    assert trust_places() == 0
    profile = group_profile(actor=actor_for(world.a.teacher), group_id=world.a.group.pk)
    assert [len(p.interventions) for p in profile.pupils if p.pupil == pupil] == [0]
    page = _group_page(client, placement)
    assert "No pupils you can see are in this group." in page
    revised = page[page.index("Corrected and withdrawn") :]
    assert "Withdrawn</strong> on" in revised and "by Senco A: Placed in the wrong group" in revised
    assert "Withdrawn: Placed in the wrong group" in revised
    assert AuditEvent.objects.get(action="placement.withdraw").fields == [
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
    ]
    # Made by mistake: the pupil can be placed in the group again.
    assert f.make_placement(group=placement.group, pupil=pupil).pk != placement.pk


def test_it_takes_away_the_access_a_withdrawn_placement_gave(client, world):
    # The assistant supports only the class of the taught pupils; the untaught pupil reached them
    # through this placement alone.
    placement = _placed(world, pupil=world.a.untaught_pupil)
    client.force_login(world.a.ta)
    pupil_url = reverse("pupil_detail", args=[world.a.untaught_pupil.pk])
    assert client.get(pupil_url).status_code == 200
    client.force_login(world.a.senco)
    client.post(
        reverse("placement_withdraw", args=[placement.pk]),
        with_form_token({"reason": "Wrong pupil", "version": "1"}, world.a.senco),
    )
    client.force_login(world.a.ta)
    assert client.get(pupil_url).status_code == 404


def test_it_refuses_to_correct_a_withdrawn_placement(client, world):
    placement = _placed(world)
    Placement.objects.filter(pk=placement.pk).update(withdrawn_at=timezone.now(), withdrawn_reason="Twice")
    client.force_login(world.a.senco)
    response = client.post(
        reverse("placement_edit", args=[placement.pk]),
        with_form_token(_post(placement, entry_score="58"), world.a.senco),
    )
    assert response.status_code == 400 and "has been withdrawn" in response.content.decode()
    placement.refresh_from_db()
    assert placement.entry_score == 85.0


def test_it_leaves_a_withdrawn_placement_out_of_new_session_logs_and_exits(world):
    placement = _placed(world)
    Placement.objects.filter(pk=placement.pk).update(withdrawn_at=timezone.now(), withdrawn_reason="Twice")
    ta, senco = actor_for(world.a.ta), actor_for(world.a.senco)
    assert placements_on(group=placement.group, day=TODAY) == []
    with pytest.raises(ValidationError, match="No pupils were in this group on that day"):
        session_log_record(
            actor=ta, group_id=placement.group_id, held_on=TODAY, present=[], covered="Blending.", rating=3
        )
    with pytest.raises(ValidationError, match="No such placement here"):
        placement_exit(actor=senco, placement_id=placement.pk, exit_score=95.0, exit_on=TODAY)
