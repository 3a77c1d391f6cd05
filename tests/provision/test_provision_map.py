"""The provision map on screen and in CSV, XLSX and PDF: the same rows and the same totals everywhere."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.exchange.provision_map import format_money
from tandem.provision.services import staff_rate_set
from tests import factories as f


def _map(world):
    school = world.a
    staff_rate_set(actor=actor_for(school.senco), staff_type="ta", hourly_rate=Decimal("18.00"))
    phonics = f.make_intervention(
        school.school, name="Phonics", sessions_per_week=3, minutes_per_session=20, weeks=10
    )
    # 18.00 x 20/60 x 30 sessions / 4 pupils = 45.00 a place
    group = f.make_intervention_group(deliverer=school.ta, intervention=phonics)
    for pupil in (school.taught_pupil, school.ehc_pupil):
        f.make_placement(group=group, pupil=pupil, teacher=school.teacher)
    speech = f.make_intervention(
        school.school, name="=Speech group", area="communication", staff_type="specialist", group_size=2
    )
    f.make_placement(
        group=f.make_intervention_group(deliverer=school.ta, intervention=speech), pupil=school.taught_pupil
    )
    return Decimal("90.00")  # the specialist has no rate set: counted as £0 and said so


def test_it_shows_the_map_with_totals_and_warns_of_missing_rates(client, world):
    total = _map(world)
    client.force_login(world.a.senco)
    page = client.get(reverse("provision_map")).content.decode()
    assert format_money(total) in page
    assert "no hourly cost is set for Specialist" in page
    assert page.count("Kai SentinelaSupport") >= 2
    assert AuditEvent.objects.filter(action="provision_map.view").count() == 1


def test_it_exports_the_same_totals_to_csv_xlsx_and_pdf(client, world):
    total = _map(world)
    client.force_login(world.a.head)
    url = reverse("provision_map")

    response = client.get(url, {"format": "csv"})
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    pupils = [
        row for row in rows[1:] if "SentinelaSupport" in " ".join(row) or "SentinelaEhc" in " ".join(row)
    ]
    assert len(pupils) == 3
    assert any(cell.startswith("'=") for row in rows for cell in row)  # the formula-looking name, escaped

    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    sheet = book["Provision map"]
    header = [cell.value for cell in sheet[1]]
    cost_column = next(i for i, name in enumerate(header) if name and "cost" in str(name).lower())
    costs = [row[cost_column] for row in sheet.iter_rows(min_row=2, values_only=True) if row[2]]
    numeric = [Decimal(str(c)) for c in costs if isinstance(c, int | float)]
    assert sum(numeric[:-1]) == total == numeric[-1]  # the rows, then the totals row

    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(client.get(url, {"format": "pdf"}).content)).pages
    )
    assert format_money(total) in text and "School A" in text
    assert AuditEvent.objects.filter(action="provision_map.export").count() == 3


def test_it_keeps_the_map_from_teachers_and_refuses_unknown_formats(client, world):
    client.force_login(world.a.teacher)
    assert client.get(reverse("provision_map")).status_code == 404
    client.force_login(world.a.senco)
    assert client.get(reverse("provision_map"), {"format": "docx"}).status_code == 404


def test_it_names_the_set_in_a_secondary_schools_class_column(world):
    from tandem.provision.provision_map import provision_map

    school = world.a
    pupil = f.make_pupil(school=school.school, forename="Sam", surname="Settled", year_group=8)
    maths = f.make_group(
        school=school.school, name="8M2", year_group=8, teachers=[school.teacher], subject="maths"
    )
    english = f.make_group(school=school.school, name="8E1", year_group=8, subject="english")
    f.enrol(group=maths, pupils=[pupil])
    f.enrol(group=english, pupils=[pupil])
    group = f.make_intervention_group(deliverer=school.ta)
    f.make_placement(group=group, pupil=pupil, teacher=school.teacher)
    # A second placement with a teacher who teaches none of the pupil's sets: all their sets are named.
    other = f.make_intervention_group(deliverer=school.ta)
    stranger = f.make_user(email="stranger@test.example", full_name="Stranger")
    f.make_membership(user=stranger, role="teacher", school=school.school)
    f.make_placement(group=other, pupil=pupil, teacher=stranger)
    rows, _ = provision_map(actor=actor_for(school.senco))
    names = sorted(row.class_name for row in rows.rows if row.pupil == pupil.display_name)
    assert names == ["8E1, 8M2", "8M2"]


def test_it_shows_the_set_in_the_class_column_of_the_page(client, world):
    school = world.a
    pupil = f.make_pupil(school=school.school, forename="Sam", surname="Settled", year_group=8)
    maths = f.make_group(
        school=school.school, name="8M2", year_group=8, teachers=[school.teacher], subject="maths"
    )
    f.enrol(group=maths, pupils=[pupil])
    f.make_placement(
        group=f.make_intervention_group(deliverer=school.ta), pupil=pupil, teacher=school.teacher
    )
    client.force_login(school.senco)
    page = client.get(reverse("provision_map")).content.decode()
    assert '<td>Year 8</td><td>8M2</td><th scope="row">Sam Settled</th>' in page
