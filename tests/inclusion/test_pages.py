"""Inclusion-base pages per persona: weekly time and the planned return shown; the SENCo plans it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.inclusion.models import InclusionBasePlacement
from tests import factories as f
from tests.once import with_form_token

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _get(client: Any, user: Any, name: str, *args: Any) -> Any:
    client.force_login(user)
    return client.get(reverse(name, args=args))


def test_it_shows_weekly_time_and_the_planned_return(client, world):
    return_on = TODAY + dt.timedelta(days=30)
    f.make_inclusion_placement(
        world.a.taught_pupil, sessions_per_week=5, minutes_per_session=30, return_on=return_on
    )
    f.make_inclusion_placement(world.a.taught_pupil, sessions_per_week=1, minutes_per_session=45)
    page = _get(client, world.a.teacher, "inclusion_list", world.a.taught_pupil.pk)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 hours 30 minutes" in html
    assert "45 minutes" in html
    assert "3 hours 15 minutes a week" in html  # what runs now, together
    assert return_on.strftime("%-d %B %Y") in html
    assert "Regulation and emotional support" in html
    assert "Plan time in the inclusion base" not in html  # the teacher reads it; the SENCo plans it
    assert AuditEvent.objects.filter(action="inclusion_base.list", actor_id=world.a.teacher.pk).exists()


@pytest.mark.parametrize(
    ("persona", "pupil", "status"),
    [
        ("senco", "taught_pupil", 200),
        ("head", "untaught_pupil", 200),
        ("teacher", "taught_pupil", 200),
        ("teacher", "untaught_pupil", 404),
        ("ta", "taught_pupil", 404),
        ("admin", "taught_pupil", 404),
        ("parent", "taught_pupil", 404),
    ],
)
def test_it_answers_each_persona_on_the_list(client, world, persona, pupil, status):
    response = _get(client, getattr(world.a, persona), "inclusion_list", getattr(world.a, pupil).pk)
    assert response.status_code == status


def test_it_refuses_another_schools_pupil(client, world):
    assert _get(client, world.b.senco, "inclusion_list", world.a.taught_pupil.pk).status_code == 404
    assert _get(client, world.b.senco, "inclusion_new", world.a.taught_pupil.pk).status_code == 404


def test_it_offers_the_form_only_to_the_senco(client, world):
    assert _get(client, world.a.senco, "inclusion_new", world.a.taught_pupil.pk).status_code == 200
    for user in (world.a.teacher, world.a.head, world.a.ta):
        assert _get(client, user, "inclusion_new", world.a.taught_pupil.pk).status_code == 404


def _form(world: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "purpose": "social_communication",
        "purpose_other": "",
        "led_by": str(world.a.teacher.pk),
        "sessions_per_week": "2",
        "minutes_per_session": "40",
        "starts_on": TODAY.isoformat(),
        "ends_on": "",
        "return_on": (TODAY + dt.timedelta(days=21)).isoformat(),
        "return_lessons": "Science and PE with the class",
        **overrides,
    }


def test_it_offers_only_teachers_and_the_senco_to_lead(client, world):
    html = _get(client, world.a.senco, "inclusion_new", world.a.taught_pupil.pk).content.decode()
    assert world.a.teacher.full_name in html and world.a.senco.full_name in html
    assert world.a.ta.full_name not in html.split('name="led_by"')[1].split("</select>")[0]


def test_the_senco_plans_time_in_the_base(client, world):
    client.force_login(world.a.senco)
    url = reverse("inclusion_new", args=[world.a.taught_pupil.pk])
    response = client.post(url, with_form_token(_form(world), world.a.senco))
    assert response.status_code == 302
    placement = InclusionBasePlacement.objects.get()
    assert placement.weekly_time == "1 hour 20 minutes"
    page = client.get(response["Location"]).content.decode()
    assert "1 hour 20 minutes" in page and "Science and PE with the class" in page


def test_it_refuses_a_sanction_on_the_form_with_the_reason(client, world):
    client.force_login(world.a.senco)
    url = reverse("inclusion_new", args=[world.a.taught_pupil.pk])
    form = _form(world, purpose="other", purpose_other="Internal exclusion after a fight")
    response = client.post(url, with_form_token(form, world.a.senco))
    assert response.status_code == 400
    assert "The inclusion base is for support, not sanctions" in response.content.decode()
    assert InclusionBasePlacement.objects.count() == 0


def test_it_refuses_a_teaching_assistant_as_leader_on_the_form(client, world):
    client.force_login(world.a.senco)
    url = reverse("inclusion_new", args=[world.a.taught_pupil.pk])
    response = client.post(url, with_form_token(_form(world, led_by=str(world.a.ta.pk)), world.a.senco))
    assert response.status_code == 400
    assert InclusionBasePlacement.objects.count() == 0


def test_it_links_the_pupil_page_only_for_those_who_can(client, world):
    url = reverse("inclusion_list", args=[world.a.taught_pupil.pk])
    assert url in _get(client, world.a.senco, "pupil_detail", world.a.taught_pupil.pk).content.decode()
    ta_page = _get(client, world.a.ta, "pupil_detail", world.a.taught_pupil.pk)
    assert ta_page.status_code == 200 and url not in ta_page.content.decode()


def test_it_withdraws_from_the_list(client, world):
    placement = f.make_inclusion_placement(world.a.taught_pupil)
    client.force_login(world.a.senco)
    response = client.post(
        reverse("inclusion_withdraw", args=[placement.pk]),
        with_form_token({"reason": "Entered twice.", "version": 1}, world.a.senco),
    )
    assert response.status_code == 302
    html = client.get(reverse("inclusion_list", args=[world.a.taught_pupil.pk])).content.decode()
    assert "Entered twice." in html
