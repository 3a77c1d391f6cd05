"""Correcting and withdrawing concerns: anyone who may raise one corrects it; the pupil's teachers and the
SENCo withdraw it; withdrawn concerns leave the to-do list, the counts and the timeline."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.plans.selectors import compliance_view, pupil_timeline
from tandem.plans.to_do import to_do
from tandem.register.models import Concern
from tandem.revisions.models import RecordVersion
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()


def _post(concern: Concern, version: int = 1, **overrides: str) -> dict[str, str]:
    data = {
        "area": concern.area,
        "observed": concern.observed,
        "evidence": concern.evidence,
        "raised_on": concern.raised_on.isoformat(),
        "version": str(version),
    }
    data.update(overrides)
    return data


def test_it_lets_a_supporting_assistant_correct_a_concern_and_shows_the_history(client, world):
    concern = f.make_concern(world.a.taught_pupil, observed="Finds decodng hard.")
    client.force_login(world.a.ta)
    response = client.post(
        reverse("concern_edit", args=[concern.pk]),
        with_form_token(_post(concern, observed="Finds decoding hard.", area="communication"), world.a.ta),
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert (concern.observed, concern.area) == ("Finds decoding hard.", "communication")
    event = AuditEvent.objects.get(action="concern.correct")
    assert (event.target_id, event.fields) == (str(concern.pk), ["area", "observed"])
    page = client.get(reverse("concern_detail", args=[concern.pk])).content.decode()
    history = page[page.index("Versions of this concern") :]
    assert "Assistant A" in history and "Teacher A" in history
    assert "What was seen: “Finds decodng hard.” changed to “Finds decoding hard.”" in history
    assert "Area of need: “Cognition and learning” changed to “Communication and interaction”" in history


def test_it_refuses_another_school_and_an_assistant_withdrawing(client, world):
    concern = f.make_concern(world.a.taught_pupil)
    client.force_login(world.b.senco)
    assert client.get(reverse("concern_edit", args=[concern.pk])).status_code == 404
    client.force_login(world.a.ta)
    response = client.post(
        reverse("concern_withdraw", args=[concern.pk]),
        with_form_token({"reason": "Not needed", "version": "1"}, world.a.ta),
    )
    assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.withdrawn_at is None and not RecordVersion.objects.exists()


def test_it_refuses_a_stale_correction_of_a_concern(client, world):
    concern = f.make_concern(world.a.taught_pupil, observed="Finds decodng hard.")
    client.force_login(world.a.teacher)
    url = reverse("concern_edit", args=[concern.pk])
    assert (
        client.post(url, with_form_token(_post(concern, observed="One."), world.a.teacher)).status_code == 302
    )
    stale = client.post(url, with_form_token(_post(concern, observed="Two."), world.a.teacher))
    assert stale.status_code == 400
    concern.refresh_from_db()
    assert concern.observed == "One."


def test_it_takes_a_withdrawn_concern_out_of_lists_and_counts(client, world):
    pupil = world.a.taught_pupil
    concern = f.make_concern(pupil, raised_on=TODAY - dt.timedelta(days=2))
    senco = actor_for(world.a.senco)
    assert compliance_view(actor=senco).open_concerns == 1
    assert to_do(actor=actor_for(world.a.teacher)).concerns_waiting == [concern]
    client.force_login(world.a.teacher)
    response = client.post(
        reverse("concern_withdraw", args=[concern.pk]),
        with_form_token({"reason": "Raised for the wrong pupil", "version": "1"}, world.a.teacher),
    )
    assert response.status_code == 302
    assert compliance_view(actor=senco).open_concerns == 0
    assert to_do(actor=actor_for(world.a.teacher)).concerns_waiting == []
    timeline = pupil_timeline(actor=senco, pupil_id=pupil.pk)
    assert [e for e in timeline.entries if e.kind == "Concern"] == []
    assert [e.detail for e in timeline.withdrawn] == ["Raised for the wrong pupil"]
    page = client.get(reverse("concern_detail", args=[concern.pk])).content.decode()
    assert "by Teacher A: Raised for the wrong pupil" in page
    assert "Correct this concern" not in page and "Record a first response" not in page
    assert AuditEvent.objects.get(action="concern.withdraw").fields == [
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
    ]
