"""Exactly once over real HTTP: the same form posted five times at once (five threads, the live server, a
signed-in session cookie) makes one record, and every post is answered with a redirect to it, never a 500.

Today this found five meetings and four 500s for a new intervention name. It needs parallel database
connections, so it runs on PostgreSQL (skipped on SQLite's in-memory test database)."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db.models import Model
from django.utils import timezone

from tandem.plans.models import ParentMeeting
from tandem.provision.models import Intervention
from tandem.register.models import Concern
from tests.conftest import SignedInClient
from tests.once import needs_parallel_connections

pytestmark = [needs_parallel_connections(), pytest.mark.django_db(transaction=True)]

POSTS = 5


def _signed_in_session(user: Any) -> requests.Session:
    """A requests session with a real session cookie, signed in as the test client's force_login signs in
    (password and second factor, just now)."""
    client = SignedInClient()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def _hidden_fields(session: requests.Session, url: str) -> dict[str, str]:
    """The form page's hidden fields (the CSRF and one-time tokens), as a browser would send them back."""
    page = session.get(url, timeout=30)
    assert page.status_code == 200, page.status_code
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))


def _post_at_once(session: requests.Session, url: str, data: dict[str, str]) -> list[Any]:
    barrier = threading.Barrier(POSTS)
    answers: list[Any] = [RuntimeError("not sent")] * POSTS

    def post(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[i] = session.post(url, data=data, allow_redirects=False, timeout=60)
        except Exception as error:  # shown by the test's assertion
            answers[i] = error

    threads = [threading.Thread(target=post, args=(i,)) for i in range(POSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _forms(world: Any) -> dict[str, tuple[Any, str, dict[str, str], type[Model]]]:
    pupil, today = world.a.taught_pupil, timezone.localdate().isoformat()
    return {
        "parent meeting": (
            world.a.senco,
            f"/pupils/{pupil.pk}/meetings/new/",
            {
                "held_on": today,
                "led_by": str(world.a.senco.pk),
                "who_attended": "Mother, SENCo",
                "parent_views": "Pleased with the word games.",
                "discussed": "Reading at home.",
                "agreed_actions": "Word games three times a week.",
            },
            ParentMeeting,
        ),
        "intervention": (
            world.a.senco,
            "/interventions/new/",
            {
                "name": "Reading recovery",
                "area": "cognition",
                "description": "Daily one-to-one reading with running records.",
                "evidence_strength": "2",
                "sessions_per_week": "5",
                "minutes_per_session": "30",
                "weeks": "12",
                "group_size": "1",
                "staff_type": "ta",
                "layer": "targeted",
            },
            Intervention,
        ),
        "concern": (
            world.a.teacher,
            f"/pupils/{pupil.pk}/concerns/new/",
            {"area": "cognition", "observed": "Avoids reading aloud.", "evidence": "", "raised_on": today},
            Concern,
        ),
    }


@pytest.mark.parametrize("name", ["parent meeting", "intervention", "concern"])
def test_it_saves_once_when_the_same_form_is_posted_five_times_at_once(live_server, world, name):
    user, path, typed, model = _forms(world)[name]
    session = _signed_in_session(user)
    url = live_server.url + path
    before = model.objects.count()  # type: ignore[attr-defined]

    answers = _post_at_once(session, url, _hidden_fields(session, url) | typed)

    statuses = [a.status_code if isinstance(a, requests.Response) else repr(a) for a in answers]
    assert statuses == [302] * POSTS, statuses
    assert len({a.headers["Location"] for a in answers}) == 1  # all sent to the one record
    assert model.objects.count() == before + 1  # type: ignore[attr-defined]
