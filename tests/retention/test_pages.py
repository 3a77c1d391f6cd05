"""The Retention page: what the next run would delete, legal holds placed and released by the DPO, and a
trust's periods set by its DPO; other roles and schools get nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.retention.models import LegalHold, RetentionPeriod
from tests.once import with_form_token

pytestmark = pytest.mark.django_db


def test_it_shows_the_dpo_each_kind_of_record_and_its_period(client, world):
    client.force_login(world.a.dpo)

    response = client.get(reverse("retention"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "31 years" in page and "25 years" in page and world.a.school.name in page
    assert world.b.school.name not in page
    assert "Change the trust" not in page  # periods are the trust DPO's


def test_it_places_and_releases_a_legal_hold_from_the_page(client, world):
    client.force_login(world.a.dpo)
    pupil = world.a.taught_pupil

    response = client.post(
        reverse("legal_hold_new"), with_form_token({"upn": pupil.upn, "reason": "A claim"}, world.a.dpo)
    )

    hold = LegalHold.objects.get()
    assert response.status_code == 302 and hold.pupil == pupil and hold.placed_by == world.a.dpo
    assert pupil.display_name in client.get(reverse("retention")).content.decode()
    client.post(reverse("legal_hold_release", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.released_at is not None
    actions = set(AuditEvent.objects.filter(actor_id=world.a.dpo.pk).values_list("action", flat=True))
    assert {"retention.hold", "retention.release"} <= actions


def test_it_refuses_a_hold_on_another_schools_pupil(client, world):
    client.force_login(world.a.dpo)

    response = client.post(
        reverse("legal_hold_new"),
        with_form_token({"upn": world.b.taught_pupil.upn, "reason": "A claim"}, world.a.dpo),
    )

    assert response.status_code == 400 and "No pupil with UPN" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_it_lets_the_trust_dpo_set_the_trusts_periods(client, world):
    client.force_login(world.trust_dpo)
    url = reverse("retention_periods")

    client.post(url, with_form_token({"sen_records": "35", "pupil": ""}, world.trust_dpo))

    assert dict(RetentionPeriod.objects.values_list("record_type", "years")) == {"sen_records": 35}
    page = client.get(reverse("retention")).content.decode()
    assert "35 years" in page and "25 years" in page
    refused = client.post(url, with_form_token({"sen_records": "0", "pupil": ""}, world.trust_dpo))
    assert refused.status_code == 400


@pytest.mark.parametrize("persona", ["a_senco", "a_head", "a_teacher", "a_admin", "trust_admin"])
def test_it_keeps_retention_to_the_dpos(client, world, persona):
    hold = LegalHold.objects.create(pupil=world.a.taught_pupil, reason="A claim")
    client.force_login(world.persona(persona))

    assert client.get(reverse("retention")).status_code == 404
    assert client.post(reverse("legal_hold_release", args=[hold.pk])).status_code == 404


def test_it_keeps_another_schools_hold_from_the_dpo(client, world):
    hold = LegalHold.objects.create(pupil=world.b.taught_pupil, reason="A claim")
    client.force_login(world.a.dpo)

    assert client.post(reverse("legal_hold_release", args=[hold.pk])).status_code == 404
    hold.refresh_from_db()
    assert hold.released_at is None
