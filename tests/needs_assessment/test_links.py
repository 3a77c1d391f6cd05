"""The pupil page offers each record about the pupil only to those whose role may open it."""

from __future__ import annotations

import pytest
from django.urls import reverse

LINKS = {
    "About me": "about_me",
    "Parents and carers": "pupil_parents",
    "Specialist advice": "advice_list",
    "Inclusion base": "inclusion_list",
    "EHC plan and annual reviews": "ehc_pupil",
    "Request an EHC needs assessment": "ehc_request_pack",
}
SHOWN = {
    "senco": set(LINKS),
    "head": set(LINKS) - {"Request an EHC needs assessment"},
    "teacher": set(LINKS) - {"Request an EHC needs assessment"},
    "ta": {"About me", "EHC plan and annual reviews"},
    "admin": set(),
}


@pytest.mark.parametrize("persona", sorted(SHOWN))
def test_it_links_the_records_the_role_may_open(client, world, persona):
    pupil = world.a.taught_pupil
    client.force_login(getattr(world.a, persona))
    page = client.get(reverse("pupil_detail", args=[pupil.pk])).content.decode()
    for label, name in LINKS.items():
        link = f'href="{reverse(name, args=[pupil.pk])}"'
        assert (link in page) == (label in SHOWN[persona]), (persona, label)
