"""The To do page triages: overdue apart from due soon, grouped by kind or by pupil, this term's session logs
by intervention group with "acknowledge all", older logs only counted, and only what the role is for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.lib.dates import term_start
from tandem.plans.selectors import compliance_view
from tandem.plans.to_do import to_do
from tandem.provision.models import LogAcknowledgement
from tests import factories as f

# Most tests here run on a fixed day well inside the autumn term, so "this term" is never a day old.
TODAY = dt.date(2026, 12, 7)


def _on_day(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args: day)


def _logs(world, *, count: int, held_on: dt.date) -> tuple[object, list[object]]:
    group = f.make_intervention_group(deliverer=world.a.ta)
    f.make_placement(group=group, pupil=world.a.taught_pupil, teacher=world.a.teacher)
    return group, [
        f.make_session_log(group=group, held_on=held_on - dt.timedelta(days=i)) for i in range(count)
    ]


def test_it_keeps_overdue_targets_apart_from_those_ending_soon(world, monkeypatch):
    _on_day(monkeypatch, TODAY)
    plan = f.make_plan(world.a.taught_pupil)
    late = f.make_target(plan=plan, skill="Count to twenty", due_on=TODAY - dt.timedelta(days=3))
    soon = f.make_target(plan=plan, skill="Write a sentence", due_on=TODAY + dt.timedelta(days=5))
    items = to_do(actor=actor_for(world.a.teacher))
    assert items.targets_overdue == [late]
    assert items.targets_ending == [soon]
    (_, _, overdue, later), *_ = [row for row in items.by_kind() if row[0] == "target"]
    assert [i.what for i in overdue] == ["Count to twenty"]
    assert [i.what for i in later] == ["Write a sentence"]


def test_it_shows_overdue_and_due_soon_under_their_own_headings(client, world, monkeypatch):
    _on_day(monkeypatch, TODAY)
    plan = f.make_plan(world.a.taught_pupil)
    f.make_target(plan=plan, skill="Count to twenty", due_on=TODAY - dt.timedelta(days=3))
    f.make_target(plan=plan, skill="Write a sentence", due_on=TODAY + dt.timedelta(days=5))
    client.force_login(world.a.teacher)
    page = client.get(reverse("to_do")).content.decode()
    assert "1 overdue" in page
    overdue_at, soon_at = page.index("Overdue (1)"), page.index("Due soon (1)")
    assert overdue_at < page.index("Count to twenty") < soon_at < page.index("Write a sentence")


def test_it_groups_everything_by_pupil_when_asked(client, world, monkeypatch):
    _on_day(monkeypatch, TODAY)
    plan = f.make_plan(world.a.taught_pupil)
    f.make_target(plan=plan, skill="Count to twenty", due_on=TODAY + dt.timedelta(days=3))
    f.make_passport(world.a.ehc_pupil)
    client.force_login(world.a.teacher)
    page = client.get(reverse("to_do") + "?by=pupil").content.decode()
    assert '<span aria-current="true">By pupil</span>' in page
    kai = page.index("Kai SentinelaSupport (1)")
    ellis = page.index("Ellis SentinelaEhc (1)")
    assert page.index("Count to twenty") > kai
    assert "(passport)" in page[ellis:]


def test_it_lists_this_terms_logs_by_group_and_only_counts_older_ones(client, world, monkeypatch):
    _on_day(monkeypatch, TODAY)  # fixed for the test, so the logs' days all fall in one term
    _, this_term = _logs(world, count=2, held_on=TODAY)
    _, older = _logs(world, count=3, held_on=term_start(TODAY) - dt.timedelta(days=30))
    items = to_do(actor=actor_for(world.a.teacher))
    assert {i.log.pk for i in items.logs_to_acknowledge} == {log.pk for log in this_term}
    assert {i.log.pk for i in items.earlier_logs} == {log.pk for log in older}
    assert len(items.log_groups()) == 1
    client.force_login(world.a.teacher)
    page = client.get(reverse("to_do")).content.decode()
    assert "this term (2)" in page
    assert "Acknowledge all 2" in page
    assert "3 session logs from before this term were never acknowledged" in page


def test_it_acknowledges_a_whole_group_at_once(client, world, monkeypatch):
    _on_day(monkeypatch, TODAY)
    _, logs = _logs(world, count=3, held_on=TODAY)
    client.force_login(world.a.teacher)
    response = client.post(reverse("logs_acknowledge"), {"log": [str(log.pk) for log in logs]}, follow=True)
    assert "Acknowledged 3 sessions." in response.content.decode()
    assert LogAcknowledgement.objects.filter(teacher=world.a.teacher).count() == 3
    assert AuditEvent.objects.filter(action="session_log.acknowledge").count() == 3
    assert to_do(actor=actor_for(world.a.teacher)).logs_to_acknowledge == []


def test_it_refuses_the_whole_batch_if_one_log_is_not_about_the_teachers_pupils(client, world):
    _, mine = _logs(world, count=2, held_on=TODAY)
    other_group = f.make_intervention_group(deliverer=world.b.ta)
    f.make_placement(group=other_group, pupil=world.b.taught_pupil, teacher=world.b.teacher)
    theirs = f.make_session_log(group=other_group)
    client.force_login(world.a.teacher)
    response = client.post(
        reverse("logs_acknowledge"), {"log": [str(mine[0].pk), str(mine[1].pk), str(theirs.pk)]}, follow=True
    )
    assert "not about pupils you are accountable for" in response.content.decode()
    assert not LogAcknowledgement.objects.exists()


@pytest.mark.parametrize("persona", ["a_senco", "a_head"])
def test_it_does_not_ask_leaders_to_read_every_passport(world, persona):
    f.make_passport(world.a.taught_pupil)
    assert to_do(actor=actor_for(world.persona(persona))).passports_unread == []
    assert len(to_do(actor=actor_for(world.a.teacher)).passports_unread) == 1
    assert len(to_do(actor=actor_for(world.a.ta)).passports_unread) == 1


def test_it_gives_the_trust_lead_no_to_do_link_and_nothing_to_read(client, world):
    f.make_passport(world.a.taught_pupil)
    client.force_login(world.trust_lead)
    home = client.get(reverse("home")).content.decode()
    assert reverse("to_do") not in home
    assert "Nothing is waiting for you." in client.get(reverse("to_do")).content.decode()


def test_it_does_not_call_anyone_behind_on_meetings_in_the_autumn_term(world, monkeypatch):
    _on_day(monkeypatch, dt.date(2026, 12, 7))
    c = compliance_view(actor=actor_for(world.a.senco))
    assert c.meetings_expected == 0
    assert c.meetings_behind == []
    # Pupils on SEN support with no meeting yet this term are listed as due, not behind.
    assert world.a.taught_pupil in c.no_meeting_this_term


def test_it_counts_meetings_due_by_the_point_in_the_year(world, monkeypatch):
    _on_day(monkeypatch, dt.date(2027, 5, 10))  # summer: autumn and spring have ended
    f.make_meeting(world.a.taught_pupil, held_on=dt.date(2026, 10, 1))
    f.make_meeting(world.a.untaught_pupil, held_on=dt.date(2026, 10, 1))
    f.make_meeting(world.a.untaught_pupil, held_on=dt.date(2027, 2, 1))
    f.make_meeting(world.a.untaught_pupil, held_on=dt.date(2027, 4, 20))
    c = compliance_view(actor=actor_for(world.a.senco))
    assert c.meetings_expected == 2
    assert c.meetings_behind == [(world.a.taught_pupil, 1)]
    assert c.no_meeting_this_term == [world.a.taught_pupil]


def test_it_links_each_compliance_count_to_the_pupils_behind_it(client, world):
    client.force_login(world.a.senco)
    page = client.get(reverse("compliance")).content.decode()
    for anchor in ("#behind-heading", "#term-heading", "#overdue-heading", "#noplan-heading", "#due-heading"):
        assert f'href="{anchor}"' in page
        assert f'id="{anchor[1:]}"' in page
