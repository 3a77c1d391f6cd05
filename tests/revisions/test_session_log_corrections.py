"""Correcting and withdrawing session logs: the person who delivered the session, or the SENCo, corrects
what was covered, how it went and who came; a withdrawn log leaves the teachers' To do, the dashboard
counts, the group page's list and impact's session counts, and keeps its history there."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.dashboards.selectors import dashboard_tiles, teacher_accountability
from tandem.provision.impact import intervention_impact
from tandem.provision.models import SessionAttendance, SessionLog
from tandem.provision.selectors import groups_today, logs_to_acknowledge
from tandem.revisions.models import RecordVersion
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()


def _logged(world, present: bool = True) -> SessionLog:
    """A session of the assistant's group, with the taught and the EHC pupil (their teacher accountable)."""
    group = f.make_intervention_group(deliverer=world.a.ta, weekdays="0,1,2,3,4,5,6")
    for pupil in (world.a.taught_pupil, world.a.ehc_pupil):
        f.make_placement(group=group, pupil=pupil, teacher=world.a.teacher)
    return f.make_session_log(group=group, present=present)


def _post(log: SessionLog, version: int = 1, present: list[object] | None = None, **overrides: str) -> dict:
    here = present if present is not None else [a.pupil_id for a in log.attendance.all() if a.present]
    data: dict[str, object] = {
        "covered": log.covered,
        "rating": str(log.rating),
        "note": log.note,
        "present": [str(pk) for pk in here],
        "version": str(version),
    }
    data.update(overrides)
    return data


def _group_page(client, log: SessionLog) -> str:
    response = client.get(reverse("intervention_group", args=[log.group_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_lets_the_deliverer_correct_a_log_and_who_came(client, world):
    log = _logged(world)
    client.force_login(world.a.ta)
    response = client.post(
        reverse("session_log_edit", args=[log.pk]),
        with_form_token(
            _post(log, present=[world.a.taught_pupil.pk], covered="Blending CCVC words.", rating="2"),
            world.a.ta,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("intervention_group", args=[log.group_id])
    log.refresh_from_db()
    assert (log.covered, log.rating) == ("Blending CCVC words.", 2)
    marks = dict(SessionAttendance.objects.filter(log=log).values_list("pupil_id", "present"))
    assert marks == {world.a.taught_pupil.pk: True, world.a.ehc_pupil.pk: False}
    first, second = RecordVersion.objects.filter(record_id=log.pk).order_by("number")
    assert (first.kind, first.changed_by_id, first.pupil_id) == ("created", world.a.ta.pk, None)
    assert first.fields["present"] == sorted([str(world.a.taught_pupil.pk), str(world.a.ehc_pupil.pk)])
    assert (second.kind, second.fields["present"]) == ("corrected", [str(world.a.taught_pupil.pk)])


def test_it_shows_who_changed_what_and_when_in_the_logs_history(client, world):
    log = _logged(world)
    client.force_login(world.a.senco)
    client.post(
        reverse("session_log_edit", args=[log.pk]),
        with_form_token(_post(log, present=[world.a.taught_pupil.pk], rating="1"), world.a.senco),
    )
    page = _group_page(client, log)
    history = page[page.index("Corrected and withdrawn") :]
    assert f"Session on {log.held_on:%-d %B %Y}" in history
    assert "How it went: “Went well” changed to “Hard going”" in history
    both = ", ".join(sorted([world.a.taught_pupil.display_name, world.a.ehc_pupil.display_name]))
    assert f"Present: “{both}” changed to “{world.a.taught_pupil.display_name}”" in history
    assert "Senco A" in history and "Assistant A" in history
    assert f"{timezone.localtime():%-d %b %Y}" in history


def test_it_audits_a_correction_by_field_name_without_the_words(client, world):
    log = _logged(world)
    client.force_login(world.a.ta)
    client.post(
        reverse("session_log_edit", args=[log.pk]),
        with_form_token(_post(log, note="Asked for the sound mat."), world.a.ta),
    )
    event = AuditEvent.objects.get(action="session_log.correct")
    assert (event.target_type, event.target_id, event.fields) == ("session_log", str(log.pk), ["note"])
    assert "sound mat" not in str(event.__dict__)


def test_it_refuses_a_teacher_who_did_not_deliver_it_and_another_school(client, world):
    log = _logged(world)
    for user in (world.a.teacher, world.a.head, world.b.senco, world.b.ta):
        client.force_login(user)
        url = reverse("session_log_edit", args=[log.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, with_form_token(_post(log, covered="Changed."), user)).status_code == 404
        withdraw = client.post(
            reverse("session_log_withdraw", args=[log.pk]),
            with_form_token({"reason": "Wrong day", "version": "1"}, user),
        )
        assert withdraw.status_code == 404
    log.refresh_from_db()
    assert log.covered == "Blending CVC words." and log.withdrawn_at is None
    assert not RecordVersion.objects.exists()
    # The teacher sees the log (it is about their pupils) but is offered no change to it.
    client.force_login(world.a.teacher)
    page = _group_page(client, log)
    assert "Blending CVC words." in page and reverse("session_log_edit", args=[log.pk]) not in page


def test_it_refuses_a_stale_correction_and_saves_nothing(client, world):
    log = _logged(world)
    client.force_login(world.a.ta)
    url = reverse("session_log_edit", args=[log.pk])
    assert client.post(url, with_form_token(_post(log, covered="One."), world.a.ta)).status_code == 302
    stale = client.post(url, with_form_token(_post(log, covered="Two.", present=[], version=1), world.a.ta))
    assert stale.status_code == 400
    assert "someone else changed this record after you opened it" in stale.content.decode()
    log.refresh_from_db()
    assert log.covered == "One."
    assert not SessionAttendance.objects.filter(log=log, present=False).exists()
    assert RecordVersion.objects.filter(record_id=log.pk).count() == 2


def test_it_takes_a_withdrawn_log_out_of_the_to_do_counts_and_impact(client, world):
    log = _logged(world)
    intervention = log.group.intervention
    teacher, senco = actor_for(world.a.teacher), actor_for(world.a.senco)

    def tile() -> str:
        return next(t.figure for t in dashboard_tiles(actor=senco) if t.key == "logs")

    assert [item.log for item in logs_to_acknowledge(actor=teacher)] == [log]
    assert tile() == "1"
    assert [
        row.logs_unacknowledged for row in teacher_accountability(actor=senco) if row.name == "Teacher A"
    ] == [1]
    assert intervention_impact(actor=senco, intervention=intervention).dosage.delivered_sessions == 1
    client.force_login(world.a.ta)
    response = client.post(
        reverse("session_log_withdraw", args=[log.pk]),
        with_form_token({"reason": "Logged for the wrong group", "version": "1"}, world.a.ta),
    )
    assert response.status_code == 302
    assert logs_to_acknowledge(actor=teacher) == []
    assert tile() == "0"
    assert [
        row.logs_unacknowledged for row in teacher_accountability(actor=senco) if row.name == "Teacher A"
    ] == [0]
    impact = intervention_impact(actor=senco, intervention=intervention)
    assert impact.dosage.delivered_sessions == 0 and impact.dosage.attendance_rate is None
    page = _group_page(client, log)
    assert "No sessions logged yet." in page and "Sessions delivered: <strong>0</strong>" in page
    revised = page[page.index("Corrected and withdrawn") :]
    assert "by Assistant A: Logged for the wrong group" in revised
    assert "Withdrawn: Logged for the wrong group" in revised
    assert AuditEvent.objects.get(action="session_log.withdraw").fields == [
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
    ]
    # The day is free to log again, and today's group shows as not yet logged.
    assert [g.logged for g in groups_today(actor=actor_for(world.a.ta)) if g.group == log.group] == [False]
    assert f.make_session_log(group=log.group).pk != log.pk


def test_it_keeps_the_mark_of_a_pupil_whose_placement_was_withdrawn(client, world):
    log = _logged(world)
    ehc = log.attendance.get(pupil=world.a.ehc_pupil)
    type(ehc.placement).objects.filter(pk=ehc.placement_id).update(
        withdrawn_at=timezone.now(), withdrawn_reason="Wrong pupil"
    )
    client.force_login(world.a.ta)
    form = client.get(reverse("session_log_edit", args=[log.pk])).content.decode()
    assert world.a.taught_pupil.display_name in form and world.a.ehc_pupil.display_name not in form
    refused = client.post(
        reverse("session_log_edit", args=[log.pk]),
        with_form_token(_post(log, present=[world.a.ehc_pupil.pk]), world.a.ta),
    )
    assert refused.status_code == 400
    response = client.post(
        reverse("session_log_edit", args=[log.pk]), with_form_token(_post(log, present=[]), world.a.ta)
    )
    assert response.status_code == 302
    marks = dict(SessionAttendance.objects.filter(log=log).values_list("pupil_id", "present"))
    assert marks == {world.a.taught_pupil.pk: False, world.a.ehc_pupil.pk: True}


def test_it_deletes_a_logs_versions_with_the_log(client, world):
    log = _logged(world)
    client.force_login(world.a.ta)
    client.post(
        reverse("session_log_edit", args=[log.pk]), with_form_token(_post(log, covered="One."), world.a.ta)
    )
    assert RecordVersion.objects.filter(record_id=log.pk).count() == 2
    log.group.delete()  # the log goes with its group
    assert not RecordVersion.objects.filter(record_id=log.pk).exists()


def test_it_does_not_let_a_withdrawn_log_be_acknowledged(world):
    from django.core.exceptions import ValidationError

    from tandem.provision.services import log_acknowledge, logs_acknowledge

    group = f.make_intervention_group(deliverer=world.a.ta)
    f.make_placement(group=group, pupil=world.a.taught_pupil, teacher=world.a.teacher)
    log = f.make_session_log(group=group)
    log.withdrawn_at = timezone.now()
    log.save(update_fields=["withdrawn_at"])
    teacher = actor_for(world.a.teacher)
    with pytest.raises(ValidationError):
        log_acknowledge(actor=teacher, log_id=log.pk)
    with pytest.raises(ValidationError):
        logs_acknowledge(actor=teacher, log_ids=[log.pk])
