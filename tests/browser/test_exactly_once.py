"""Exactly once from the browser (issue 13): on the four create forms used most, pressing Back and saving
again, or clicking the save button a second time, makes one record. The same post sent five times at once
over real HTTP is tests/core/test_once_http.py (it needs no browser, so it also runs on PostgreSQL in CI).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Model
from playwright.sync_api import Page, Route, expect

from tandem.plans.models import ParentMeeting
from tandem.progress.models import FirstResponse
from tandem.provision.models import Intervention
from tandem.register.models import Concern

PASSWORD = "correct-horse-battery-42"
ALREADY_SAVED = "This was already saved."


@dataclass(frozen=True)
class CreateForm:
    name: str
    who: str  # the persona who uses it
    path: Callable[[Any], str]  # the form's address, given the pupil
    fill: Callable[[Page, str], None]  # fills the form; the text makes this record different from others
    button: str
    model: type[Model]
    saved_heading: re.Pattern[str]


def _concern(page: Page, text: str) -> None:
    page.get_by_label("Area of need").select_option("cognition")
    page.get_by_label("What did you see?").fill(f"Avoids reading aloud ({text}).")


def _first_response(page: Page, text: str) -> None:
    page.get_by_label("The weakness to target").fill(f"Decoding long words ({text})")
    page.get_by_label("What you will change in class").fill(
        "Pre-teach topic words; chunk words on the board."
    )


def _meeting(page: Page, text: str) -> None:
    page.get_by_label("Who attended").fill("Mother, class teacher, SENCo")
    page.get_by_label("The parents' views").fill(f"Pleased with the word games ({text}).")
    page.get_by_label("What was discussed").fill("The plan and how reading is going.")
    page.get_by_label("Agreed actions").fill("Word games at home three times a week.")


def _intervention(page: Page, text: str) -> None:
    page.get_by_label("Name").fill(f"Reading recovery {text}")
    page.get_by_label("Area of need").select_option("cognition")
    page.get_by_label("What it is").fill("Daily one-to-one reading with running records.")
    page.get_by_label("Strength of evidence").select_option(index=2)
    page.get_by_label("Sessions a week").fill("5")
    page.get_by_label("Minutes a session").fill("30")
    page.get_by_label("Weeks").fill("12")
    page.get_by_label("Pupils in a group").fill("1")


FORMS = [
    CreateForm(
        "raise a concern",
        "teacher",
        lambda pupil: f"/pupils/{pupil.pk}/concerns/new/",
        _concern,
        "Raise concern",
        Concern,
        re.compile("Concern about"),
    ),
    CreateForm(
        "record a first response",
        "teacher",
        lambda pupil: f"/pupils/{pupil.pk}/first-responses/new/",
        _first_response,
        "Save first response",
        FirstResponse,
        re.compile("First response for"),
    ),
    CreateForm(
        "record a parent meeting",
        "senco",
        lambda pupil: f"/pupils/{pupil.pk}/meetings/new/",
        _meeting,
        "Save meeting",
        ParentMeeting,
        re.compile("Meeting with"),
    ),
    CreateForm(
        "create an intervention",
        "senco",
        lambda pupil: "/interventions/new/",
        _intervention,
        "Add intervention",
        Intervention,
        re.compile("Reading recovery"),
    ),
]


@pytest.fixture
def school(world):
    for user in (world.a.teacher, world.a.senco):
        user.set_password(PASSWORD)
        user.save()
    return world.a


def _count(form: CreateForm, school: Any) -> int:
    return form.model.objects.filter(school=school.school).count()  # type: ignore[attr-defined]


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name)
def test_it_saves_once_when_back_is_pressed_and_the_form_sent_again(
    page: Page, live_server, school, sign_in, form: CreateForm
):
    sign_in(page, live_server, getattr(school, form.who).email, PASSWORD)
    before = _count(form, school)
    page.goto(live_server.url + form.path(school.taught_pupil))
    form.fill(page, "back")
    page.get_by_role("button", name=form.button).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(form.saved_heading)
    saved_at = page.url

    page.go_back()
    expect(page.get_by_role("button", name=form.button)).to_be_visible()
    page.get_by_role("button", name=form.button).click()

    expect(page.get_by_text(ALREADY_SAVED)).to_be_visible()
    assert page.url == saved_at  # the record the first post made
    assert _count(form, school) == before + 1


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name)
def test_it_saves_once_when_the_button_is_clicked_twice_before_the_answer_comes(
    page: Page, live_server, school, sign_in, form: CreateForm
):
    """The second click of a double click, on a slow day: the first post reached the server, which saved
    it, but the page still shows the form, and the second click sends it again. (On a fast loopback
    Chromium sends only one of two quick submissions, so the first answer is replaced here by "204 No
    Content", which leaves the form on screen as a slow answer would.)"""
    sign_in(page, live_server, getattr(school, form.who).email, PASSWORD)
    before = _count(form, school)
    url = live_server.url + form.path(school.taught_pupil)
    page.goto(url)
    form.fill(page, "double")
    posts: list[str] = []

    def first_answer_lost(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route.request.post_data or "")
        if len(posts) == 1:
            route.fetch(max_redirects=0)  # the server has it, and saves
            route.fulfill(status=204)  # the page stays as it is
        else:
            route.continue_()

    page.route(url, first_answer_lost)
    button = page.get_by_role("button", name=form.button)
    button.click()
    expect(button).to_be_visible()
    assert _count(form, school) == before + 1  # saved by the first click
    button.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(form.saved_heading)
    expect(page.get_by_text(ALREADY_SAVED)).to_be_visible()
    assert len(posts) == 2 and posts[0] == posts[1]  # the same form, token and all, twice
    assert _count(form, school) == before + 1
