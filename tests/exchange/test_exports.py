"""Downloads: each limited to the pupils the user may see, audited, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tandem.audit.models import AuditEvent
from tandem.exchange.ctf import check_ctf_structure, parse_ctf
from tests import factories as f


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_it_gives_a_teacher_the_roll_of_their_own_pupils_only(world, client):
    client.force_login(world.a.teacher)
    rows = _csv(client.get(reverse("export_roll")))
    assert rows[0][:4] == ["UPN", "Adno", "Legal Surname", "Legal Forename"]
    upns = {r[0] for r in rows[1:]}
    assert upns == {world.a.taught_pupil.upn, world.a.ehc_pupil.upn}
    assert AuditEvent.objects.filter(action="export.roll", actor_id=world.a.teacher.pk).count() == 1


def test_it_escapes_formulas_in_csv_and_excel(world, client):
    f.make_pupil(school=world.a.school, forename="@SUM(A1)", surname='=HYPERLINK("x")')
    client.force_login(world.a.senco)
    rows = _csv(client.get(reverse("export_roll")))
    row = next(r for r in rows if r[2].endswith('HYPERLINK("x")'))
    assert (row[2], row[3]) == ('\'=HYPERLINK("x")', "'@SUM(A1)")
    book = load_workbook(io.BytesIO(client.get(reverse("export_roll") + "?format=xlsx").content))
    cells = [
        c for r in book.active.iter_rows() for c in r if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert [(c.value, c.data_type) for c in cells] == [('\'=HYPERLINK("x")', "s")]


def test_it_lists_the_register_with_needs_and_leaves_out_pupils_with_no_sen(world, client):
    f.make_pupil(school=world.a.school, forename="Noah", surname="Nosen")
    client.force_login(world.a.senco)
    rows = _csv(client.get(reverse("export_register")))
    by_upn = {r[0]: r for r in rows[1:]}
    assert set(by_upn) == {world.a.taught_pupil.upn, world.a.ehc_pupil.upn, world.a.untaught_pupil.upn}
    assert by_upn[world.a.ehc_pupil.upn][5:6] + by_upn[world.a.ehc_pupil.upn][7:] == ["E", "ASD", "SEMH"]
    assert AuditEvent.objects.filter(action="export.register").count() == 1


def test_it_never_gives_the_school_admin_the_register(world, client):
    client.force_login(world.a.admin)
    assert client.get(reverse("export_register")).status_code == 404


def test_it_sends_a_ctf_for_a_class_valid_for_its_version_with_sen_history_for_the_senco(world, client):
    client.force_login(world.a.senco)
    world.a.school.la_number, world.a.school.establishment_number = "938", "2001"
    world.a.school.save()
    response = client.post(
        reverse("transfer"),
        {"group": str(world.a.group.pk), "dest_urn": "654321", "dest_dfe_number": "938/4123"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert 'filename="9382001_CTF_9384123_001.xml"' in response["Content-Disposition"]
    assert check_ctf_structure(response.content) == []
    ctf = parse_ctf(response.content)
    assert {p.upn for p in ctf.pupils} == {world.a.taught_pupil.upn, world.a.ehc_pupil.upn}
    ehc = next(p for p in ctf.pupils if p.upn == world.a.ehc_pupil.upn)
    assert [s.provision for s in ehc.sen_periods] == ["E"] and [n.need_type for n in ehc.needs] == [
        "ASD",
        "SEMH",
    ]
    assert ctf.header.dest is not None and (ctf.header.dest.urn, ctf.header.dest.lea) == ("654321", "938")
    assert (ctf.header.source.lea, ctf.header.source.estab) == ("938", "2001")
    event = AuditEvent.objects.get(action="export.ctf")
    assert "sen_history" in event.fields


def test_it_leaves_sen_history_out_of_the_admins_ctf_and_says_so(world, client):
    client.force_login(world.a.admin)
    response = client.post(reverse("transfer"), {"year_group": "4"})
    assert 'filename="XXXXXXX_CTF_MMMMMMM_001.xml"' in response["Content-Disposition"]
    ctf = parse_ctf(response.content)
    assert ctf.pupils and all(not p.sen_periods and not p.has_sen_history for p in ctf.pupils)
    assert "SEN history is not included" in response["X-Tandem-Notes"]


def test_it_asks_for_a_year_group_or_a_class(world, client):
    client.force_login(world.a.senco)
    response = client.post(reverse("transfer"), {})
    assert response.status_code == 400
    assert b"Choose a year group, a class, or a date for pupils who have left." in response.content


def test_it_offers_an_empty_template_for_each_kind_that_imports_as_is(world, client):
    client.force_login(world.a.admin)
    rows = _csv(client.get(reverse("import_template") + "?kind=groups"))
    assert rows == [
        [
            "Class",
            "Subject",
            "Class year",
            "Teacher",
            "Teaching assistant",
            "UPN",
            "Admission number",
            "Legal surname",
            "Legal forename",
            "Date of birth",
            "Joined on",
        ]
    ]
    assert client.get(reverse("import_template") + "?kind=nothing").status_code == 404
    page = client.get(reverse("import_list")).content.decode()
    assert "Download an empty CSV with these columns" in page and "Date of birth</strong> (required)" in page


def test_it_shows_the_school_admin_the_latest_imports_on_their_home_page(world, client):
    record = f.make_import(world.a.school)
    client.force_login(world.a.admin)
    page = client.get(reverse("home")).content.decode()
    assert reverse("import_detail", args=[record.pk]) in page and "Checked, waiting to be applied" in page


def test_it_sends_a_ctf_for_pupils_who_left_after_the_roll_gave_their_leaving_date(world, client):
    from tandem.access.actor import actor_for
    from tandem.exchange.services import import_apply, import_upload

    pupil = world.a.untaught_pupil
    left = (timezone.localdate() - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    roll = (
        "UPN,Legal Surname,Legal Forename,DOB,Sex,Year,Leaving date\n"
        f"{pupil.upn},{pupil.legal_surname},{pupil.legal_forename},"
        f"{pupil.date_of_birth:%d/%m/%Y},{pupil.sex},{pupil.year_group},{left}\n"
    )
    record = import_upload(
        actor=actor_for(world.a.admin), kind="pupils", file_name="roll.csv", data=roll.encode()
    )
    assert import_apply(actor=actor_for(world.a.admin), record_id=record.pk).updated == 1
    client.force_login(world.a.senco)
    assert pupil.legal_surname not in client.get(reverse("pupil_list")).content.decode()  # off the roll
    since = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    response = client.post(reverse("transfer"), {"left_since": since})
    assert response.status_code == 200
    assert [p.upn for p in parse_ctf(response.content).pupils] == [pupil.upn]
    future = (timezone.localdate() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    later = import_upload(
        actor=actor_for(world.a.admin),
        kind="pupils",
        file_name="r.csv",
        data=roll.replace(left, future).encode(),
    )
    with pytest.raises(ValidationError):
        import_apply(actor=actor_for(world.a.admin), record_id=later.pk)
