"""Correcting and withdrawing first responses: by those who record them (the pupil's teachers and the
SENCo); withdrawn ones leave the to-do list, the compliance counts and what was tried before SEN support."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.plans.selectors import compliance_view, pupil_timeline
from tandem.plans.to_do import to_do
from tandem.progress.models import FirstResponse
from tandem.progress.selectors import responses_tried
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()


def _post(response: FirstResponse, version: int = 1, **overrides: str) -> dict[str, str]:
    data = {
        "weakness": response.weakness,
        "adjustments": response.adjustments,
        "starts_on": response.starts_on.isoformat(),
        "review_on": response.review_on.isoformat(),
        "version": str(version),
    }
    data.update(overrides)
    return data


def test_it_lets_the_teacher_correct_a_first_response_with_its_history(client, world):
    response = f.make_first_response(world.a.taught_pupil, adjustments="Pre-tech key words.")
    client.force_login(world.a.teacher)
    answer = client.post(
        reverse("first_response_edit", args=[response.pk]),
        with_form_token(_post(response, adjustments="Pre-teach key words."), world.a.teacher),
    )
    assert answer.status_code == 302
    response.refresh_from_db()
    assert response.adjustments == "Pre-teach key words."
    assert AuditEvent.objects.get(action="first_response.correct").fields == ["adjustments"]
    page = client.get(reverse("first_response_detail", args=[response.pk])).content.decode()
    history = page[page.index("Versions of this first response") :]
    assert "What changes in class: “Pre-tech key words.” changed to “Pre-teach key words.”" in history


def test_it_corrects_the_words_of_a_reviewed_first_response(client, world):
    response = f.make_first_response(
        world.a.taught_pupil, outcome="resolved", outcome_note="Catched up.", reviewed_on=TODAY
    )
    client.force_login(world.a.senco)
    answer = client.post(
        reverse("first_response_edit", args=[response.pk]),
        with_form_token(_post(response, outcome_note="Caught up."), world.a.senco),
    )
    assert answer.status_code == 302
    response.refresh_from_db()
    assert response.outcome_note == "Caught up."


def test_it_refuses_an_assistant_and_another_school(client, world):
    response = f.make_first_response(world.a.taught_pupil)
    for user in (world.a.ta, world.b.senco):
        client.force_login(user)
        assert client.get(reverse("first_response_edit", args=[response.pk])).status_code == 404
        withdraw = client.post(
            reverse("first_response_withdraw", args=[response.pk]),
            with_form_token({"reason": "Mistake", "version": "1"}, user),
        )
        assert withdraw.status_code == 404
    response.refresh_from_db()
    assert response.withdrawn_at is None


def test_it_takes_a_withdrawn_first_response_out_of_lists_and_counts(client, world):
    pupil = world.a.taught_pupil
    response = f.make_first_response(pupil, review_on=TODAY + dt.timedelta(days=3))
    teacher, senco = actor_for(world.a.teacher), actor_for(world.a.senco)
    assert to_do(actor=teacher).first_responses_due == [response]
    assert compliance_view(actor=senco).open_first_responses == 1
    client.force_login(world.a.teacher)
    answer = client.post(
        reverse("first_response_withdraw", args=[response.pk]),
        with_form_token({"reason": "Recorded twice", "version": "1"}, world.a.teacher),
    )
    assert answer.status_code == 302
    assert to_do(actor=teacher).first_responses_due == []
    assert compliance_view(actor=senco).open_first_responses == 0
    assert responses_tried(pupil=pupil) == []
    timeline = pupil_timeline(actor=senco, pupil_id=pupil.pk)
    assert [e for e in timeline.entries if e.kind == "First response"] == []
    assert [e.title for e in timeline.withdrawn] == [f"First response from {response.starts_on:%-d %b %Y}"]
    page = client.get(reverse("first_response_detail", args=[response.pk])).content.decode()
    assert "by Teacher A: Recorded twice" in page and "Review this first response" not in page
