"""What pays for each group: the catalogue's usual source, each group's own (started from it, changed by the
SENCo), shown on the pages, and the provision map's funding column and cost by funding source and layer,
which adds up to the map's own total to the penny on the page and in every download."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.exchange.provision_map import FUNDING_ORDER, FUNDING_TITLE, LAYERS, format_money
from tandem.provision.models import FundingSource, Intervention, InterventionGroup, Layer
from tandem.provision.provision_map import provision_map
from tandem.provision.services import (
    InterventionFields,
    group_create,
    group_funding_set,
    intervention_create,
    intervention_funding_set,
    staff_rate_set,
)
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()


def _fields(**changes: object) -> InterventionFields:
    values: dict[str, object] = {
        "name": "Reading recovery",
        "area": "cognition",
        "description": "Daily one-to-one reading with running records.",
        "evidence_strength": 3,
        "sessions_per_week": 5,
        "minutes_per_session": 30,
        "weeks": 12,
        "group_size": 1,
        "staff_type": "ta",
        **changes,
    }
    return InterventionFields(**values)  # type: ignore[arg-type]


def _start(world, intervention, **funding):
    return group_create(
        actor=actor_for(world.a.senco),
        intervention_id=intervention.pk,
        name="Y4 reading",
        deliverer_id=world.a.ta.pk,
        weekdays=[0, 2],
        time_of_day="",
        starts_on=TODAY,
        **funding,
    )


# Services ----------------------------------------------------------------------------------------------


def test_it_keeps_the_labels_the_map_orders_by_in_step_with_the_models():
    assert tuple(label for value, label in FundingSource.choices if value != "other") == FUNDING_ORDER
    assert tuple(Layer.labels) == LAYERS


def test_it_gives_a_new_catalogue_entry_the_notional_sen_budget_unless_told(world):
    senco = actor_for(world.a.senco)
    plain = intervention_create(actor=senco, fields=_fields())
    assert (plain.funding_source, plain.funding_other) == ("notional_sen", "")
    assert plain.funding_words == "Notional SEN budget"
    other = intervention_create(
        actor=senco,
        fields=_fields(name="Outreach", funding_source="other", funding_other="  Trust   outreach grant "),
    )
    assert other.funding_words == "Other: Trust outreach grant"
    event = AuditEvent.objects.filter(action="intervention.create").last()
    assert event is not None and "funding_source" in event.fields and "Trust" not in str(event.fields)


def test_it_refuses_other_without_saying_what_and_an_unknown_source(world):
    senco = actor_for(world.a.senco)
    with pytest.raises(ValidationError) as error:
        intervention_create(actor=senco, fields=_fields(funding_source="other", funding_other="  "))
    assert "funding_other" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        intervention_create(actor=senco, fields=_fields(funding_source="lottery"))
    assert "funding_source" in error.value.message_dict
    with pytest.raises(ValidationError, match="80 characters"):
        intervention_create(actor=senco, fields=_fields(funding_source="other", funding_other="x" * 81))
    assert not Intervention.objects.filter(name="Reading recovery").exists()


def test_it_keeps_other_described_in_the_database_too(world):
    intervention = f.make_intervention(world.a.school)
    with pytest.raises(IntegrityError), transaction.atomic():
        Intervention.objects.filter(pk=intervention.pk).update(funding_source="other", funding_other="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Intervention.objects.filter(pk=intervention.pk).update(funding_other="left behind")


def test_it_starts_a_group_with_its_interventions_funding_and_lets_the_senco_change_it(world):
    senco = actor_for(world.a.senco)
    intervention = intervention_create(
        actor=senco, fields=_fields(funding_source="other", funding_other="Trust outreach grant")
    )
    group = _start(world, intervention)
    assert group.funding_words == "Other: Trust outreach grant"
    chosen = _start(world, intervention, funding_source="pupil_premium", funding_other="ignored")
    assert (chosen.funding_source, chosen.funding_other) == ("pupil_premium", "")

    group_funding_set(actor=senco, group_id=group.pk, funding_source="high_needs")
    group.refresh_from_db()
    assert group.funding_words == "High-needs top-up funding"
    event = AuditEvent.objects.get(action="intervention_group.funding_set")
    assert event.target_id == str(group.pk) and event.fields == ["funding_other", "funding_source"]
    # The catalogue's usual source changes new groups only.
    intervention_funding_set(actor=senco, intervention_id=intervention.pk, funding_source="pupil_premium")
    group.refresh_from_db()
    assert group.funding_source == "high_needs"
    assert _start(world, Intervention.objects.get(pk=intervention.pk)).funding_source == "pupil_premium"
    assert AuditEvent.objects.filter(action="intervention.funding_set").count() == 1


def test_it_lets_no_one_but_this_schools_senco_change_what_pays(world):
    group = f.make_intervention_group(deliverer=world.a.ta)
    for user in (world.a.teacher, world.a.ta, world.a.head, world.b.senco):
        with pytest.raises(ValidationError):
            group_funding_set(actor=actor_for(user), group_id=group.pk, funding_source="pupil_premium")
        with pytest.raises(ValidationError):
            intervention_funding_set(
                actor=actor_for(user), intervention_id=group.intervention_id, funding_source="pupil_premium"
            )
    group.refresh_from_db()
    assert group.funding_source == "notional_sen"
    assert not AuditEvent.objects.filter(action__endswith="funding_set").exists()


# Pages and forms ---------------------------------------------------------------------------------------


def test_it_shows_the_funding_on_the_group_page_the_intervention_and_the_catalogue(client, world):
    intervention = f.make_intervention(
        world.a.school, name="Nurture group", funding_source="other", funding_other="Trust outreach grant"
    )
    group = f.make_intervention_group(
        deliverer=world.a.ta, intervention=intervention, funding_source="pupil_premium"
    )
    change = reverse("intervention_group_funding", args=[group.pk])
    client.force_login(world.a.head)
    page = client.get(reverse("intervention_group", args=[group.pk])).content.decode()
    assert "Paid for from: <strong>Pupil premium</strong>" in page
    assert change not in page  # the head reads it; only the SENCo changes it
    catalogue = client.get(reverse("intervention_list")).content.decode()
    assert '<th scope="col">Usually paid for from</th>' in catalogue
    assert "<td>Other: Trust outreach grant</td>" in catalogue
    detail = client.get(reverse("intervention_detail", args=[intervention.pk])).content.decode()
    assert "<dt>Usually paid for from</dt><dd>Other: Trust outreach grant" in detail
    assert "paid for from Pupil premium" in detail
    client.force_login(world.a.senco)
    assert change in client.get(reverse("intervention_group", args=[group.pk])).content.decode()


def test_it_fills_the_group_form_with_the_interventions_funding(client, world):
    intervention = f.make_intervention(world.a.school, funding_source="high_needs")
    url = reverse("intervention_group_new", args=[intervention.pk])
    client.force_login(world.a.senco)
    page = client.get(url).content.decode()
    assert re.search(r'<input type="radio" name="funding_source" value="high_needs"[^>]*checked', page)
    assert '<label for="id_funding_other">If other, what pays for it (optional)</label>' in page
    data = {
        "name": "Y5 top-up",
        "deliverer": str(world.a.ta.pk),
        "weekdays": ["1", "3"],
        "starts_on": TODAY.isoformat(),
        "funding_source": "other",
        "funding_other": "",
    }
    response = client.post(url, with_form_token(data, world.a.senco))
    assert response.status_code == 400
    assert "Say in a few words what pays for it" in response.content.decode()
    assert not InterventionGroup.objects.filter(name="Y5 top-up").exists()
    data["funding_other"] = "Local authority outreach grant"
    response = client.post(url, with_form_token(data, world.a.senco))
    assert response.status_code == 302
    group = InterventionGroup.objects.get(name="Y5 top-up")
    assert group.funding_words == "Other: Local authority outreach grant"
    # A post without the field (a page from before funding sources) takes the intervention's.
    data = {**data, "name": "Y5 top-up 2"}
    del data["funding_source"], data["funding_other"]
    assert client.post(url, with_form_token(data, world.a.senco)).status_code == 302
    assert InterventionGroup.objects.get(name="Y5 top-up 2").funding_source == "high_needs"


def test_it_changes_a_groups_funding_on_its_own_page(client, world):
    group = f.make_intervention_group(deliverer=world.a.ta)
    url = reverse("intervention_group_funding", args=[group.pk])
    for user in (world.a.teacher, world.a.ta, world.a.head, world.b.senco):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(world.a.senco)
    page = client.get(url).content.decode()
    assert re.search(r'value="notional_sen"[^>]*checked', page)
    response = client.post(url, with_form_token({"funding_source": "nonsense"}, world.a.senco))
    assert response.status_code == 400
    response = client.post(
        url, with_form_token({"funding_source": "other", "funding_other": " "}, world.a.senco)
    )
    assert response.status_code == 400
    group.refresh_from_db()
    assert group.funding_source == "notional_sen"
    response = client.post(url, with_form_token({"funding_source": "inclusive_mainstream"}, world.a.senco))
    assert response.status_code == 302
    assert response["Location"] == reverse("intervention_group", args=[group.pk])
    group.refresh_from_db()
    assert group.funding_words == "Inclusive Mainstream Fund"
    event = AuditEvent.objects.get(action="intervention_group.funding_set")
    assert event.target_id == str(group.pk)


def test_it_changes_a_catalogue_entrys_usual_funding(client, world):
    intervention = f.make_intervention(world.a.school)
    url = reverse("intervention_funding", args=[intervention.pk])
    client.force_login(world.a.teacher)
    assert client.get(url).status_code == 404
    client.force_login(world.a.senco)
    assert url in client.get(reverse("intervention_detail", args=[intervention.pk])).content.decode()
    response = client.post(url, with_form_token({"funding_source": "pupil_premium"}, world.a.senco))
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.funding_source == "pupil_premium"


# The provision map -------------------------------------------------------------------------------------


def _map(world) -> Decimal:
    """Placements across three funding sources and three layers, with costs that round: £18.00 an hour,
    20 minutes, 3 a week for 10 weeks, groups of 7 = £25.714... a place, £25.71 on the map."""
    school = world.a
    staff_rate_set(actor=actor_for(school.senco), staff_type="ta", hourly_rate=Decimal("18.00"))
    staff_rate_set(actor=actor_for(school.senco), staff_type="specialist", hourly_rate=Decimal("55.55"))
    plan = [
        ("Phonics", "targeted", "ta", 7, "notional_sen", "", [school.taught_pupil, school.ehc_pupil]),
        ("Nurture", "targeted_plus", "ta", 7, "pupil_premium", "", [school.taught_pupil]),
        ("Speech", "specialist", "specialist", 3, "high_needs", "", [school.ehc_pupil]),
        ("Outreach", "specialist", "specialist", 3, "other", "Trust outreach grant", [school.taught_pupil]),
    ]
    for name, layer, staff, size, source, other, pupils in plan:
        intervention = f.make_intervention(
            school.school, name=name, layer=layer, staff_type=staff, group_size=size
        )
        group = f.make_intervention_group(
            deliverer=school.ta, intervention=intervention, funding_source=source, funding_other=other
        )
        for pupil in pupils:
            f.make_placement(group=group, pupil=pupil, teacher=school.teacher)
    ta, specialist = Decimal("25.71"), Decimal("185.17")  # 55.55 x 20/60 x 30 / 3 = 185.1666...
    return 3 * ta + 2 * specialist


def test_it_adds_up_cost_by_funding_source_and_layer_to_the_maps_total(world):
    expected = _map(world)
    pm, _ = provision_map(actor=actor_for(world.a.senco))
    assert pm.total_cost == expected
    summary = pm.cost_by_funding_and_layer()
    assert summary.layers == ("Universal", "Targeted", "Targeted plus", "Specialist")
    assert [source for source, _, _ in summary.rows] == [
        "Notional SEN budget",
        "High-needs top-up funding",
        "Pupil premium",
        "Other: Trust outreach grant",
    ]
    by = {source: dict(zip(summary.layers, costs, strict=True)) for source, costs, _ in summary.rows}
    assert by["Notional SEN budget"]["Targeted"] == Decimal("51.42")
    assert by["Pupil premium"]["Targeted plus"] == Decimal("25.71")
    assert by["High-needs top-up funding"]["Specialist"] == Decimal("185.17")
    assert by["Other: Trust outreach grant"]["Universal"] == Decimal("0.00")
    # Every way of adding it up gives the map's own total, to the penny.
    assert summary.total == pm.total_cost
    assert sum(total for _, _, total in summary.rows) == pm.total_cost
    assert sum(summary.layer_totals) == pm.total_cost
    for _, costs, total in summary.rows:
        assert sum(costs) == total
    for number in range(len(summary.layers)):
        assert sum(costs[number] for _, costs, _ in summary.rows) == summary.layer_totals[number]
    layer_totals = dict(zip(summary.layers, summary.layer_totals, strict=True))
    for layer, _, cost in pm.totals_by("layer"):
        assert layer_totals[layer] == cost


def test_it_shows_the_funding_column_and_the_summary_on_the_page(client, world):
    expected = _map(world)
    client.force_login(world.a.senco)
    page = client.get(reverse("provision_map")).content.decode()
    assert '<th scope="col">Funding source</th>' in page
    assert "<td>Other: Trust outreach grant</td>" in page
    table = re.search(r'<caption id="funding-caption">.*?</table>', page, re.S)
    assert table is not None
    summary = table.group(0)
    assert "Cost by funding source and layer" in summary
    assert re.findall(r'<th scope="row">([^<]+)</th>', summary) == [
        "Notional SEN budget",
        "High-needs top-up funding",
        "Pupil premium",
        "Other: Trust outreach grant",
        "Total",
    ]
    footer = re.search(r"<tfoot>(.*?)</tfoot>", summary, re.S)
    assert footer is not None
    cells = [Decimal(cell) for cell in re.findall(r"<td>([^<]+)</td>", footer.group(1))]
    assert cells[-1] == expected == sum(cells[:-1])


def test_it_puts_the_funding_source_in_the_csv_xlsx_and_pdf(client, world):
    expected = _map(world)
    client.force_login(world.a.head)
    url = reverse("provision_map")

    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig"))))
    funding = rows[0].index("Funding source")
    pupils = [row for row in rows[1:] if row[0] != "Total"]
    assert sorted(row[funding] for row in pupils) == sorted(
        [
            "Notional SEN budget",
            "Notional SEN budget",
            "Pupil premium",
            "High-needs top-up funding",
            "Other: Trust outreach grant",
        ]
    )

    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    sheet = book["Provision map"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("Funding source")
    values = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] != "Total"]
    assert sorted(values) == sorted(row[funding] for row in pupils)
    totals = [list(row) for row in book["Totals"].iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(totals) if row[0] == FUNDING_TITLE)
    assert totals[start + 1][:6] == ["Funding source", *LAYERS, "Total"]
    end = next(i for i in range(start, len(totals)) if totals[i][0] == "Total")
    body = totals[start + 2 : end]
    assert [row[0] for row in body] == [
        "Notional SEN budget",
        "High-needs top-up funding",
        "Pupil premium",
        "Other: Trust outreach grant",
    ]
    pence = [[Decimal(str(value)) for value in row[1:6]] for row in body]
    grand = [Decimal(str(value)) for value in totals[end][1:6]]
    assert grand[-1] == expected == sum(row[-1] for row in pence) == sum(grand[:-1])
    assert book["Totals"].cell(row=end + 1, column=6).number_format.startswith('"£"')

    pdf = client.get(url, {"format": "pdf"}).content
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert FUNDING_TITLE in text and "Funded by" in text
    assert "Pupil premium" in text and "Trust outreach grant" in text
    assert format_money(expected) in text


def test_it_orders_funding_sources_and_layers_in_the_summary_as_schools_read_them():
    from dataclasses import replace

    from tandem.exchange.provision_map import ProvisionMap, ProvisionRow

    def row(layer: str, source: str, cost: str) -> ProvisionRow:
        return ProvisionRow(
            year_group="Year 3",
            class_name="Ash",
            pupil=f"Pupil {layer} {source}",
            area="Cognition and learning",
            layer=layer,
            intervention="Reading",
            delivered_by="Mr Obi",
            staff_type="Teaching assistant",
            sessions_per_week=3,
            minutes_per_session=20,
            weeks=10,
            group_size=4,
            cost=Decimal(cost),
            starts_on=dt.date(2026, 9, 7),
            ends_on=None,
            funding_source=source,
        )

    pm = ProvisionMap(
        school_name="Greenfield",
        academic_year="2026/27",
        generated_on=dt.date(2026, 10, 5),
        rows=(
            row("Specialist", "Other: Zebra fund", "0.005"),
            row("Targeted", "", "1.004"),
            row("Universal", "Pupil premium", "2.675"),
            row("Targeted", "Other: Apple grant", "3"),
            row("Targeted plus", "Notional SEN budget", "10.005"),
            row("Nurture room", "Pupil premium", "1"),
        ),
    )
    summary = pm.cost_by_funding_and_layer()
    assert summary.layers == (*LAYERS, "Nurture room")
    assert [source for source, _, _ in summary.rows] == [
        "Notional SEN budget",
        "Pupil premium",
        "Other: Apple grant",
        "Other: Zebra fund",
        "",
    ]
    assert summary.total == pm.total_cost == Decimal("17.70")  # 0.01 + 1.00 + 2.68 + 3.00 + 10.01 + 1.00
    empty = replace(pm, rows=()).cost_by_funding_and_layer()
    assert empty.rows == () and empty.total == Decimal("0.00") and empty.layers == LAYERS
