"""Exactly once from the browser (tandem/core/once.py, form_flow): a form page's one-time token makes a repeat
post save nothing and go where the first went; a missing, foreign or stale token saves nothing."""

from __future__ import annotations

import datetime as dt
import re
import time

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from tandem.core.forms import ALREADY_SAVED, NOT_SAVED_STALE_FORM
from tandem.core.models import FormSubmission
from tandem.core.once import FORM_FIELD_NAME, TOKEN_MAX_AGE, form_token_issue, prune_form_submissions
from tandem.plans.models import SupportPlan
from tandem.register.models import Concern

TODAY = timezone.localdate()


def _concern(**overrides: str) -> dict[str, str]:
    return {
        "area": "cognition",
        "observed": "Avoids reading aloud; guesses long words.",
        "evidence": "",
        "raised_on": TODAY.isoformat(),
        **overrides,
    }


def _token_on(page: str) -> str:
    found = re.search(rf'name="{FORM_FIELD_NAME}" value="([^"]+)"', page)
    assert found, "the form page has no one-time token"
    return found.group(1)


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_it_saves_a_repeated_post_once_and_sends_the_repeat_to_the_record(client, world):
    client.force_login(world.a.teacher)
    url = reverse("concern_new", args=[world.a.taught_pupil.pk])
    token = _token_on(client.get(url).content.decode())

    first = client.post(url, {**_concern(), FORM_FIELD_NAME: token})
    concern = Concern.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("concern_detail", args=[concern.pk])

    again = client.post(url, {**_concern(), FORM_FIELD_NAME: token})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert ALREADY_SAVED in _messages(again)
    assert Concern.objects.count() == 1
    claim = FormSubmission.objects.get()
    assert (claim.user_id, claim.target_type, claim.target_id) == (
        world.a.teacher.pk,
        "register.concern",
        str(concern.pk),
    )


def test_it_gives_every_showing_of_the_form_a_new_token_and_saves_what_is_new(client, world):
    client.force_login(world.a.teacher)
    url = reverse("concern_new", args=[world.a.taught_pupil.pk])
    first, second = (_token_on(client.get(url).content.decode()) for _ in range(2))
    assert first != second
    client.post(url, {**_concern(), FORM_FIELD_NAME: first})
    client.post(url, {**_concern(observed="Reverses b and d."), FORM_FIELD_NAME: second})
    assert Concern.objects.count() == 2  # two pages opened, two different concerns: both saved


def test_it_treats_the_same_typing_on_a_fresh_page_as_a_repeat(client, world):
    """What Chromium does on Back: fetch the form again (a new token) and put back what was typed."""
    client.force_login(world.a.teacher)
    url = reverse("concern_new", args=[world.a.taught_pupil.pk])
    first = client.post(url, {**_concern(), FORM_FIELD_NAME: _token_on(client.get(url).content.decode())})
    again = client.post(url, {**_concern(), FORM_FIELD_NAME: _token_on(client.get(url).content.decode())})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert ALREADY_SAVED in _messages(again)
    assert Concern.objects.count() == 1
    # Another person typing the same words is not a repeat.
    client.force_login(world.a.ta)
    client.post(url, {**_concern(), FORM_FIELD_NAME: _token_on(client.get(url).content.decode())})
    assert Concern.objects.count() == 2


def test_it_refuses_a_token_from_another_users_page(client, world):
    url = reverse("concern_new", args=[world.a.taught_pupil.pk])
    client.force_login(world.a.ta)
    theirs = _token_on(client.get(url).content.decode())
    client.force_login(world.a.teacher)
    response = client.post(url, {**_concern(), FORM_FIELD_NAME: theirs})
    assert response.status_code == 400
    assert NOT_SAVED_STALE_FORM in response.content.decode()
    assert not Concern.objects.exists() and not FormSubmission.objects.exists()


def test_it_shows_the_form_again_when_the_token_is_missing(client, world):
    client.force_login(world.a.teacher)
    url = reverse("concern_new", args=[world.a.taught_pupil.pk])
    response = client.post(url, _concern(observed="Skips lines when reading."))
    page = response.content.decode()
    assert response.status_code == 400
    assert NOT_SAVED_STALE_FORM in page
    assert "Skips lines when reading." in page  # what they typed is kept
    assert _token_on(page)  # with a token, so saving again works
    assert not Concern.objects.exists() and not FormSubmission.objects.exists()
    saved = client.post(url, {**_concern(), FORM_FIELD_NAME: _token_on(page)})
    assert saved.status_code == 302 and Concern.objects.count() == 1


def test_it_refuses_a_made_up_or_day_old_token(client, world):
    client.force_login(world.a.teacher)
    url = reverse("concern_new", args=[world.a.taught_pupil.pk])

    class YesterdaySigner(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time() - TOKEN_MAX_AGE.total_seconds() - 60))

    stale = YesterdaySigner(salt="tandem.core.once").sign(f"{world.a.teacher.pk}:a-key-from-yesterday")
    for token in ("made-up", f"{world.a.teacher.pk}:made-up", stale):
        response = client.post(url, {**_concern(), FORM_FIELD_NAME: token})
        assert response.status_code == 400 and NOT_SAVED_STALE_FORM in response.content.decode()
    assert not Concern.objects.exists()


def test_it_leaves_the_token_unclaimed_when_the_service_refuses(client, world):
    """A refusal rolls the claim back with everything else, so the corrected form saves."""
    client.force_login(world.a.senco)
    url = reverse("plan_new", args=[world.a.taught_pupil.pk])
    token = _token_on(client.get(url).content.decode())
    data = {
        "summary": "Decoding well below peers.",
        "strengths": "Good oral vocabulary.",
        "needs": "Reading longer words.",
        "pupil_views": "I like reading with a grown-up.",
        "parent_views": "Reads at home most nights.",
        "strategies": "Pre-teach key words; paired reading.",
        "expected_impact": "Reads Year 3 texts fluently.",
        "starts_on": TODAY.isoformat(),
        "review_on": (TODAY + dt.timedelta(days=70)).isoformat(),
        FORM_FIELD_NAME: token,
    }
    refused = client.post(url, {**data, "accountable_teacher": str(world.a.ta.pk)})
    assert refused.status_code == 400 and "is a teaching assistant" in refused.content.decode()
    assert not FormSubmission.objects.exists()
    saved = client.post(url, {**data, "accountable_teacher": str(world.a.teacher.pk)})
    assert saved.status_code == 302 and SupportPlan.objects.count() == 1


def test_it_prunes_claims_whose_tokens_have_expired(world):
    old = FormSubmission.objects.create(token="old", user=world.a.teacher, next_url="/")
    recent = FormSubmission.objects.create(token="recent", user=world.a.teacher, next_url="/")
    FormSubmission.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    FormSubmission.objects.filter(pk=recent.pk).update(created_at=timezone.now() - dt.timedelta(hours=23))
    assert prune_form_submissions() == 1
    assert list(FormSubmission.objects.values_list("token", flat=True)) == ["recent"]


def test_it_issues_tokens_that_differ_and_name_their_user(world):
    a, b = (form_token_issue(user_id=world.a.teacher.pk) for _ in range(2))
    assert a != b
    assert signing.TimestampSigner(salt="tandem.core.once").unsign(a).startswith(f"{world.a.teacher.pk}:")
