"""The class profile: a class's pupils with SEN or a current progress flag, with needs, what helps, targets
and interventions; for the adults who may read those pupils' SEN records, audited, in a fixed number of
queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tests import factories as f
from tests.pages.test_query_counts import _school_with


@pytest.fixture
def profile_world(world):
    """School A's class 4A: the SEN support pupil has a passport, a current target (and a met one from an
    old plan) and an intervention; a pupil not on the register is flagged in maths; another is neither."""
    school = world.a
    f.make_passport(school.taught_pupil, what_helps="Old advice.")
    f.make_passport(
        school.taught_pupil, what_helps="Instructions one step at a time, with a visual timetable."
    )
    old_plan = f.make_plan(school.taught_pupil)
    f.make_target(plan=old_plan, skill="Old target, met", outcome="met")
    old_plan.reviewed_on, old_plan.next_step = old_plan.starts_on, "continue"
    old_plan.save()
    plan = f.make_plan(school.taught_pupil, reviewed_on=None, next_step="")
    f.make_target(plan=plan, skill="Say a sentence of five words", success_criterion="In 4 of 5 sessions")
    # Withdrawn records (put right as mistakes) leave the profile like every other list.
    withdrawn = {"withdrawn_at": timezone.now(), "withdrawn_reason": "Written for the wrong pupil."}
    f.make_passport(school.taught_pupil, what_helps="Withdrawn advice.", **withdrawn)
    f.make_target(plan=plan, skill="Withdrawn target", **withdrawn)
    intervention = f.make_intervention(school.school, name="Talk boost")
    igroup = f.make_intervention_group(deliverer=school.ta, intervention=intervention, time_of_day="9:10")
    f.make_placement(group=igroup, pupil=school.taught_pupil, teacher=school.teacher)
    flagged = f.make_pupil(school=school.school, forename="Noor", surname="Flagged")
    unflagged = f.make_pupil(school=school.school, forename="Sam", surname="Unflagged")
    f.enrol(group=school.group, pupils=[flagged, unflagged])
    window = f.make_window(school=school.school, start_year=2025, term="summer")
    f.make_progress_run(
        school=school.school,
        results=[
            {"pupil": flagged, "subject_id": "maths", "window": window, "flagged": True, "is_current": True},
            {
                "pupil": unflagged,
                "subject_id": "maths",
                "window": window,
                "flagged": False,
                "is_current": True,
            },
        ],
    )
    return world


def _profile(client, user, group):
    client.force_login(user)
    return client.get(reverse("group_profile", args=[group.pk]))


def test_it_shows_each_pupil_with_sen_or_a_flag_and_what_helps_them(client, profile_world):
    school = profile_world.a
    response = _profile(client, school.teacher, school.group)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Class profile: 4A" in page
    assert "Kai SentinelaSupport" in page and "SEN support" in page
    assert "Ellis SentinelaEhc" in page and "EHC plan" in page
    assert "Noor Flagged" in page and "In Mathematics" in page
    assert "Sam Unflagged" not in page
    assert "3 of 4 pupils shown" in page
    # The newest passport, the open plan's targets, the running interventions.
    assert "Instructions one step at a time, with a visual timetable." in page
    assert "Old advice." not in page
    assert "Say a sentence of five words: In 4 of 5 sessions" in page
    assert "Old target, met" not in page
    assert "Withdrawn" not in page
    assert "Talk boost (Mon, Tue, Wed, Thu, Fri, 9:10)" in page
    assert "No pupil passport yet." in page  # Ellis has none
    # Needs from the register, primary first.
    ellis = page[page.index("Ellis SentinelaEhc") :]
    assert ellis.index("Autistic") < ellis.index("Social, emotional")


def test_it_is_linked_from_the_group_page_and_the_teachers_home_page(client, profile_world):
    school = profile_world.a
    client.force_login(school.teacher)
    url = reverse("group_profile", args=[school.group.pk])
    assert f'href="{url}"' in client.get(reverse("group_detail", args=[school.group.pk])).content.decode()
    assert f'href="{url}"' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("persona", ["a_teacher", "a_ta", "a_senco", "a_head", "trust_lead"])
def test_it_opens_for_those_who_may_read_the_groups_sen_records(client, profile_world, persona):
    response = _profile(client, profile_world.persona(persona), profile_world.a.group)
    assert response.status_code == 200
    assert "Kai SentinelaSupport" in response.content.decode()


@pytest.mark.parametrize("persona", ["a_admin", "a_dpo", "trust_admin", "b_teacher", "b_senco", "b_head"])
def test_it_is_not_found_for_anyone_else(client, profile_world, persona):
    response = _profile(client, profile_world.persona(persona), profile_world.a.group)
    assert response.status_code == 404
    assert "Sentinela" not in response.content.decode()


def test_it_is_not_found_for_a_teacher_of_another_class(client, profile_world):
    school = profile_world.a
    other_teacher = school.other_group.staff.get().user
    assert _profile(client, other_teacher, school.group).status_code == 404
    assert _profile(client, school.teacher, school.other_group).status_code == 404


def test_it_leaves_an_audit_event_without_names(client, profile_world):
    school = profile_world.a
    _profile(client, school.teacher, school.group)
    event = AuditEvent.objects.get(action="group_profile.view")
    assert event.actor_id == school.teacher.pk
    assert event.target_type == "teaching_group"
    assert event.target_id == str(school.group.pk)
    assert "passport" in event.fields and "targets" in event.fields
    assert "Sentinela" not in str(event.fields)


def test_it_says_so_when_no_pupil_in_the_group_needs_a_profile(client, world):
    group = f.make_group(school=world.a.school, name="4Z", teachers=[world.a.teacher])
    f.enrol(group=group, pupils=[f.make_pupil(school=world.a.school, forename="Ada", surname="Plain")])
    page = _profile(client, world.a.teacher, group).content.decode()
    assert "No pupil in this group is on the SEN register or flagged" in page
    assert "Ada Plain" not in page


def _queries(client, user, group) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("group_profile", args=[group.pk]))
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["teacher", "teaching_assistant", "senco"])
def test_it_runs_the_same_number_of_queries_for_10_and_500_pupils(client, role):
    small_people, small_group = _school_with(10)
    large_people, large_group = _school_with(500)
    few = _queries(client, small_people[role], small_group)
    many = _queries(client, large_people[role], large_group)
    assert few == many, f"class profile as {role}: {few} queries for 10 pupils, {many} for 500"
    assert many <= 20
