"""Free text has a limit, shown beside the box and checked on the server: a 300,000-character concern is
refused with a clear message and nothing is saved (every text box is made by core.forms.text_area)."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from tandem.core.forms import TEXT_LIMIT
from tandem.core.once import FORM_FIELD_NAME
from tandem.register.models import Concern


def _form(client, url: str) -> tuple[str, str]:
    page = client.get(url).content.decode()
    token = re.search(rf'name="{FORM_FIELD_NAME}" value="([^"]+)"', page)
    assert token
    return page, token.group(1)


def test_it_shows_the_limit_beside_each_text_box_and_lets_the_browser_keep_it(client, world):
    client.force_login(world.a.teacher)
    page, _ = _form(client, reverse("concern_new", args=[world.a.taught_pupil.pk]))
    assert f"Up to {TEXT_LIMIT:,} characters." in page
    assert re.search(rf'<textarea[^>]*name="observed"[^>]*maxlength="{TEXT_LIMIT}"', page)


def test_it_refuses_an_over_long_concern_and_saves_nothing(client, world):
    client.force_login(world.a.teacher)
    url = reverse("concern_new", args=[world.a.taught_pupil.pk])
    _, token = _form(client, url)
    response = client.post(
        url,
        {
            "area": "cognition",
            "observed": "x" * 300_000,
            "evidence": "",
            "raised_on": timezone.localdate().isoformat(),
            FORM_FIELD_NAME: token,
        },
    )
    assert response.status_code == 400
    assert f"Keep this to {TEXT_LIMIT} characters or fewer (it has 300000)." in response.content.decode()
    assert not Concern.objects.exists()
