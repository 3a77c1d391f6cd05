"""The catalogue's layer of provision (universal, targeted, targeted plus, specialist): chosen when an
intervention is added, changed by the SENCo, shown and sorted on the catalogue, and a column and a total on
the provision map, in the order schools read the layers."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from django.urls import reverse

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.provision.models import Intervention
from tandem.provision.services import staff_rate_set
from tests import factories as f
from tests.once import with_form_token


def _names(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/interventions/[^"]+/">([^<]+)</a></th>', page)


def test_it_adds_an_intervention_in_the_targeted_plus_layer(client, world):
    client.force_login(world.a.senco)
    data = {
        "name": "Inclusion base mornings",
        "area": "semh",
        "description": "Mornings in the inclusion base with a specialist teacher.",
        "evidence_strength": "2",
        "sessions_per_week": "5",
        "minutes_per_session": "90",
        "weeks": "12",
        "group_size": "6",
        "staff_type": "specialist",
        "layer": "targeted_plus",
    }
    page = client.get(reverse("intervention_new")).content.decode()
    assert "Targeted plus: more expert help for less common needs" in page
    response = client.post(reverse("intervention_new"), with_form_token(data, world.a.senco))
    assert response.status_code == 302
    assert Intervention.objects.get(name="Inclusion base mornings").layer == "targeted_plus"


def test_it_shows_the_layer_on_the_catalogue_and_sorts_by_it(client, world):
    f.make_intervention(world.a.school, name="Alpha specialist", layer="specialist")
    f.make_intervention(world.a.school, name="Beta universal", layer="universal")
    f.make_intervention(world.a.school, name="Gamma plus", layer="targeted_plus")
    f.make_intervention(world.a.school, name="Delta targeted")
    client.force_login(world.a.teacher)
    page = client.get(reverse("intervention_list"), {"sort": "layer"}).content.decode()
    assert _names(page) == ["Beta universal", "Delta targeted", "Gamma plus", "Alpha specialist"]
    assert "<td>Targeted plus</td>" in page and ">Layer<" in page


def test_it_lets_the_senco_change_an_interventions_layer_and_no_one_else(client, world):
    intervention = f.make_intervention(world.a.school)
    url = reverse("intervention_layer", args=[intervention.pk])
    client.force_login(world.a.teacher)
    assert client.get(url).status_code == 404
    client.force_login(world.b.senco)
    assert client.get(url).status_code == 404
    client.force_login(world.a.senco)
    detail = client.get(reverse("intervention_detail", args=[intervention.pk])).content.decode()
    assert url in detail
    response = client.post(url, with_form_token({"layer": "nonsense"}, world.a.senco))
    assert response.status_code == 400
    response = client.post(url, with_form_token({"layer": "targeted_plus"}, world.a.senco))
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.layer == "targeted_plus"
    event = AuditEvent.objects.get(action="intervention.layer_set")
    assert event.target_id == str(intervention.pk) and event.fields == ["layer"]


def test_it_puts_the_layer_on_the_provision_map_and_totals_in_order(client, world):
    school = world.a
    staff_rate_set(actor=actor_for(school.senco), staff_type="ta", hourly_rate=Decimal("18.00"))
    for name, layer, pupil in (
        ("Speech group", "specialist", school.ehc_pupil),
        ("Nurture", "targeted_plus", school.taught_pupil),
        ("Phonics", "targeted", school.taught_pupil),
    ):
        intervention = f.make_intervention(school.school, name=name, layer=layer)
        group = f.make_intervention_group(deliverer=school.ta, intervention=intervention)
        f.make_placement(group=group, pupil=pupil, teacher=school.teacher)
    client.force_login(school.senco)
    page = client.get(reverse("provision_map")).content.decode()
    assert '<th scope="col">Layer</th>' in page and "<td>Targeted plus</td>" in page
    totals = re.search(r'<caption id="totals-layer">.*?</table>', page, re.S)
    assert totals is not None
    assert re.findall(r'<th scope="row">([^<]+)</th>', totals.group(0)) == [
        "Targeted",
        "Targeted plus",
        "Specialist",
    ]
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("provision_map"), {"format": "csv"}).content.decode("utf-8-sig"))
        )
    )
    layer = rows[0].index("Layer")
    assert {row[layer] for row in rows[1:] if row[0].startswith(("Year", "Reception"))} == {
        "Targeted",
        "Targeted plus",
        "Specialist",
    }
