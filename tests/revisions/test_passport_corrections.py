"""Correcting and withdrawing pupil passports: a correction is a new version (everyone reads it again),
the versions are the history, a stale edit is refused, and a withdrawn version gives way to the one before."""

from __future__ import annotations

from django.urls import reverse

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.plans.to_do import to_do
from tandem.register.models import Passport
from tests import factories as f
from tests.once import with_form_token


def _post(version: int, **overrides: str) -> dict[str, str]:
    data = {
        "strengths": "Drawing.",
        "needs": "Reading.",
        "what_helps": "Visual timetable.",
        "version": str(version),
    }
    data.update(overrides)
    return data


def test_it_shows_what_each_passport_version_changed(client, world):
    pupil = world.a.taught_pupil
    f.make_passport(pupil, what_helps="Visual timtable.")
    client.force_login(world.a.senco)
    response = client.post(
        reverse("passport_edit", args=[pupil.pk]), with_form_token(_post(1), world.a.senco)
    )
    assert response.status_code == 302
    page = client.get(reverse("passport", args=[pupil.pk])).content.decode()
    history = page[page.index("Versions of this passport") :]
    assert "What helps me: “Visual timtable.” changed to “Visual timetable.”" in history
    assert "Senco A" in history and "Teacher A" in history


def test_it_refuses_a_stale_passport_edit_and_saves_nothing(client, world):
    pupil = world.a.taught_pupil
    f.make_passport(pupil)
    client.force_login(world.a.senco)
    url = reverse("passport_edit", args=[pupil.pk])
    assert client.post(url, with_form_token(_post(1, needs="Long words."), world.a.senco)).status_code == 302
    stale = client.post(url, with_form_token(_post(1, needs="Spelling."), world.a.senco))
    assert stale.status_code == 400 and "someone else changed this record" in stale.content.decode()
    assert list(Passport.objects.filter(pupil=pupil).values_list("needs", flat=True)) == [
        "Long words.",
        "Reading.",
    ]


def test_it_withdraws_a_passport_version_and_the_one_before_is_read_again(client, world):
    pupil = world.a.taught_pupil
    first = f.make_passport(pupil, needs="Reading.")
    wrong = f.make_passport(pupil, needs="Written for another pupil.")
    teacher = actor_for(world.a.teacher)
    assert [p.pk for p in to_do(actor=teacher).passports_unread] == [wrong.pk]
    client.force_login(world.a.ta)
    assert client.get(reverse("passport_withdraw", args=[wrong.pk])).status_code == 404
    client.force_login(world.b.senco)
    assert client.get(reverse("passport_withdraw", args=[wrong.pk])).status_code == 404
    client.force_login(world.a.senco)
    response = client.post(
        reverse("passport_withdraw", args=[wrong.pk]),
        with_form_token({"reason": "Written for the wrong pupil", "version": "2"}, world.a.senco),
    )
    assert response.status_code == 302
    assert [p.pk for p in to_do(actor=teacher).passports_unread] == [first.pk]
    page = client.get(reverse("passport", args=[pupil.pk])).content.decode()
    assert "Version 1, written by" in page and "Written for the wrong pupil" in page
    assert AuditEvent.objects.get(action="passport.withdraw").fields == [
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
    ]
