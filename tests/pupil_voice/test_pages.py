"""The "about me" pages for each persona, the new plan and the passport quoting the newest answers, and the
link from the pupil's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.pupil_voice.models import AboutMe, HowRecorded
from tests.once import with_form_token
from tests.pupil_voice.makers import make_about_me

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _answers(**overrides: str) -> dict[str, str]:
    data = {
        "good_at": "Football and drawing.",
        "what_helps": "Someone reading the question to me.",
        "what_is_hard": "",
        "what_i_want": "To be in the school play.",
        "how_recorded": HowRecorded.SYMBOLS,
        "recorded_on": TODAY.isoformat(),
    }
    data.update(overrides)
    return data


def _urls(pupil) -> tuple[str, str]:
    return reverse("about_me", args=[pupil.pk]), reverse("about_me_new", args=[pupil.pk])


@pytest.mark.parametrize("persona", ["teacher", "ta", "senco"])
def test_it_lets_the_adults_who_work_with_the_pupil_fill_in_the_form(client, world, persona):
    user = getattr(world.a, persona)
    client.force_login(user)
    listing, new = _urls(world.a.taught_pupil)
    form = client.get(new)
    assert form.status_code == 200
    page = form.content.decode()
    for heading in ("What I am good at", "What helps me", "What is hard for me", "What I want"):
        assert f">{heading}</label>" in page
    assert page.count('<fieldset class="question') == 4
    assert "/static/tandem/read_aloud.js" in page and "<script>" not in page and "style=" not in page
    response = client.post(new, with_form_token(_answers(), user))
    assert response.status_code == 302 and response["Location"] == listing
    about = AboutMe.objects.get()
    assert (about.recorded_with, about.what_is_hard) == (user, "")
    page = client.get(listing).content.decode()
    assert "Football and drawing." in page and "Not answered" in page
    assert f"With {user.full_name}. With symbols or pictures; an adult wrote down what they chose." in page
    assert f"{TODAY.day} {TODAY:%B %Y}" in page


def test_it_shows_the_form_again_with_a_clear_message_when_nothing_is_answered(client, world):
    client.force_login(world.a.ta)
    _, new = _urls(world.a.taught_pupil)
    empty = _answers(good_at=" ", what_helps="", what_i_want="")
    response = client.post(new, with_form_token(empty, world.a.ta))
    assert response.status_code == 400
    assert "Write an answer to at least one of the questions." in response.content.decode()
    response = client.post(new, with_form_token(_answers(how_recorded=""), world.a.ta))
    assert response.status_code == 400
    assert "Choose how the answers were recorded." in response.content.decode()
    assert not AboutMe.objects.exists()


def test_it_lets_the_head_read_but_not_fill_in(client, world):
    make_about_me(world.a.taught_pupil, recorded_with=world.a.ta)
    client.force_login(world.a.head)
    listing, new = _urls(world.a.taught_pupil)
    page = client.get(listing)
    assert page.status_code == 200 and "Drawing dinosaurs." in page.content.decode()
    assert new not in page.content.decode()
    assert client.get(new).status_code == 404


@pytest.mark.parametrize("persona", ["admin", "dpo", "parent"])
def test_it_answers_404_to_roles_without_pupils_views(client, world, persona):
    make_about_me(world.a.taught_pupil, recorded_with=world.a.ta)
    client.force_login(getattr(world.a, persona))
    for url in _urls(world.a.taught_pupil):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", ["teacher", "ta", "senco", "head"])
def test_it_answers_404_for_another_schools_pupil(client, world, persona):
    client.force_login(getattr(world.a, persona))
    for url in _urls(world.b.taught_pupil):
        assert client.get(url).status_code == 404
    response = client.post(_urls(world.b.taught_pupil)[1], with_form_token(_answers(), world.a.senco))
    assert response.status_code == 404
    assert not AboutMe.objects.exists()


@pytest.mark.parametrize("persona", ["teacher", "ta"])
def test_it_answers_404_for_a_pupil_the_adult_does_not_work_with(client, world, persona):
    client.force_login(getattr(world.a, persona))
    for url in _urls(world.a.untaught_pupil):
        assert client.get(url).status_code == 404


def test_it_audits_the_list_page(client, world):
    client.force_login(world.a.teacher)
    client.get(_urls(world.a.taught_pupil)[0])
    event = AuditEvent.objects.get(action="about_me.list")
    assert (event.actor_id, event.target_id) == (world.a.teacher.pk, str(world.a.taught_pupil.pk))


def test_it_shows_and_prefills_the_newest_answers_on_a_new_plan(client, world):
    pupil = world.a.taught_pupil
    make_about_me(
        pupil, recorded_with=world.a.teacher, recorded_on=TODAY - dt.timedelta(days=60), good_at="Old"
    )
    newest = make_about_me(pupil, recorded_with=world.a.ta, recorded_on=TODAY - dt.timedelta(days=2))
    client.force_login(world.a.senco)
    page = client.get(reverse("plan_new", args=[pupil.pk])).content.decode()
    assert "What Kai told us" in page
    assert "with Assistant A. The pupil said it and an adult wrote it down." in page
    textarea = re.search(r'<textarea name="pupil_views"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea is not None
    lines = textarea.group(1).strip().splitlines()
    day = newest.recorded_on
    assert lines == [
        "What I am good at: Drawing dinosaurs.",
        "What helps me: A quiet place to work.",
        "What is hard for me: Loud assemblies.",
        "What I want: To read chapter books.",
        f"(From &quot;About me&quot; on {day.day} {day:%B %Y}, with Assistant A. "
        "The pupil said it and an adult wrote it down.)",
    ]
    assert "Old" not in textarea.group(1)
    event = AuditEvent.objects.get(action="about_me.view")
    assert event.target_id == str(newest.pk)


def test_it_leaves_the_plans_pupil_views_empty_without_an_about_me(client, world):
    client.force_login(world.a.senco)
    page = client.get(reverse("plan_new", args=[world.a.taught_pupil.pk])).content.decode()
    assert "told us" not in page
    assert re.search(r'<textarea name="pupil_views"[^>]*>\s*</textarea>', page)


def test_it_shows_the_newest_answers_beside_the_passport(client, world):
    from tests import factories as f

    pupil = world.a.taught_pupil
    make_about_me(pupil, recorded_with=world.a.ta, what_is_hard="")
    for user in (world.a.teacher, world.a.ta, world.a.head):
        client.force_login(user)
        page = client.get(reverse("passport", args=[pupil.pk])).content.decode()
        assert "What Kai told us" in page and "Drawing dinosaurs." in page
        assert "with Assistant A." in page
        assert "Loud assemblies" not in page
    f.make_passport(pupil)
    page = client.get(reverse("passport", args=[pupil.pk])).content.decode()
    assert "Version 1" in page and "What Kai told us" in page


def test_it_links_the_pupil_page_to_about_me_for_those_who_may_read_it(client, world):
    pupil = world.a.taught_pupil
    link = f'href="{reverse("about_me", args=[pupil.pk])}">About me</a>'
    for user in (world.a.teacher, world.a.ta, world.a.senco, world.a.head):
        client.force_login(user)
        assert link in client.get(reverse("pupil_detail", args=[pupil.pk])).content.decode()
    client.force_login(world.a.admin)
    page = client.get(reverse("pupil_detail", args=[pupil.pk]))
    assert page.status_code == 200 and link not in page.content.decode()
