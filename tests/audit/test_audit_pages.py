"""The audit trail you can read: the page and its download for the data protection officer, the head and the
SENCo, the pupil page's "who has seen or changed this record", and what each role may not see."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.audit.services import audit_record
from tests import factories as f

pytestmark = pytest.mark.django_db


def _act(user: object) -> object:
    return actor_for(user, None)  # type: ignore[arg-type]


def _viewed(user: object, pupil: object) -> None:
    audit_record(actor=_act(user), action="sen_record.view", target_type="pupil", target_id=pupil.pk)  # type: ignore[attr-defined]


def test_it_shows_the_dpo_their_schools_events_and_no_other_schools(client, world):
    _viewed(world.a.teacher, world.a.taught_pupil)
    _viewed(world.b.teacher, world.b.taught_pupil)
    client.force_login(world.a.dpo)

    page = client.get(reverse("audit_list")).content.decode()

    assert "Teacher A" in page and "Teacher B" not in page
    assert "sen_record.view" in page
    assert world.b.taught_pupil.legal_surname not in page


def test_it_gives_the_dpo_no_pupil_record(client, world):
    client.force_login(world.a.dpo)
    assert client.get(reverse("pupil_detail", args=[world.a.taught_pupil.pk])).status_code == 404
    assert client.get(reverse("register")).status_code == 404
    assert client.get(reverse("pupil_list")).status_code == 404


@pytest.mark.parametrize("persona", ["a_teacher", "a_ta", "a_admin", "trust_lead", "trust_admin"])
def test_it_keeps_the_trail_from_roles_that_do_not_answer_for_it(client, world, persona):
    client.force_login(world.persona(persona))
    assert client.get(reverse("audit_list")).status_code == 404
    assert client.get(reverse("audit_export")).status_code == 404


def test_it_filters_by_pupil_person_action_and_date(client, world):
    school = world.a
    _viewed(school.teacher, school.taught_pupil)
    _viewed(school.senco, school.untaught_pupil)
    concern = f.make_concern(school.taught_pupil)
    audit_record(actor=_act(school.senco), action="concern.view", target_type="concern", target_id=concern.pk)
    client.force_login(school.dpo)

    by_pupil = client.get(reverse("audit_list"), {"upn": school.taught_pupil.upn})
    assert by_pupil.status_code == 200
    rows = by_pupil.context["rows"]
    assert {r.event.action for r in rows} == {"sen_record.view", "concern.view"}
    assert all(r.event.target_id != str(school.untaught_pupil.pk) for r in rows)

    by_person = client.get(reverse("audit_list"), {"person": school.senco.pk, "action": "sen_record"})
    assert [r.event.target_id for r in by_person.context["rows"]] == [str(school.untaught_pupil.pk)]

    future = client.get(reverse("audit_list"), {"since": "2099-01-01"})
    assert future.context["page"].paginator.count == 0


def test_it_says_why_a_filter_matches_nothing_rather_than_showing_everything(client, world):
    _viewed(world.a.teacher, world.a.taught_pupil)
    client.force_login(world.a.dpo)

    response = client.get(reverse("audit_list"), {"upn": world.b.taught_pupil.upn})

    page = response.content.decode()
    assert "No pupil with UPN" in page
    assert response.context["page"] is None
    bad_dates = client.get(reverse("audit_list"), {"since": "2026-05-01", "until": "2026-04-01"})
    assert "The end date is before the start date." in bad_dates.content.decode()


def test_it_records_who_read_the_trail_and_which_filters_they_used(client, world):
    client.force_login(world.a.dpo)
    client.get(reverse("audit_list"), {"action": "sen_record", "upn": world.a.taught_pupil.upn})

    event = AuditEvent.objects.filter(action="audit.view").latest("id")
    assert event.actor_id == world.a.dpo.pk and event.actor_role == "dpo"
    assert event.fields == ["action", "pupil"]


def test_it_downloads_the_filtered_events_as_csv_and_records_the_download(client, world):
    _viewed(world.a.teacher, world.a.taught_pupil)
    _viewed(world.a.senco, world.a.untaught_pupil)
    client.force_login(world.a.dpo)

    response = client.get(reverse("audit_export"), {"person": world.a.teacher.pk})

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["When (UTC)", "Person", "Person id"]
    assert [(r[1], r[4], r[7]) for r in rows[1:]] == [
        ("Teacher A", "sen_record.view", str(world.a.taught_pupil.pk))
    ]
    # Ids only: the file names no pupil.
    assert world.a.taught_pupil.legal_surname not in response.content.decode()
    assert AuditEvent.objects.filter(action="export.audit", actor_id=world.a.dpo.pk).count() == 1


def test_it_lets_a_trust_dpo_read_every_school_in_the_trust_and_no_other(client, world):
    other_school_in_trust = f.make_school(name="School C", trust=world.a.school.trust)
    colleague = f.make_user(email="teacher.c@test.example", full_name="Teacher C")
    f.make_membership(user=colleague, role="teacher", school=other_school_in_trust)
    audit_record(actor=_act(colleague), action="home.view")
    _viewed(world.a.teacher, world.a.taught_pupil)
    _viewed(world.b.teacher, world.b.taught_pupil)  # another trust
    client.force_login(world.trust_dpo)

    page = client.get(reverse("audit_list")).content.decode()

    assert "Teacher A" in page and "Teacher C" in page and "Teacher B" not in page


def test_it_shows_the_senco_who_has_seen_or_changed_a_pupils_record(client, world):
    _viewed(world.a.teacher, world.a.taught_pupil)
    _viewed(world.a.ta, world.a.untaught_pupil)
    client.force_login(world.a.senco)

    response = client.get(reverse("pupil_detail", args=[world.a.taught_pupil.pk]))

    access = response.context["access"]
    assert [row.person for row in access][-1] == "Teacher A"
    assert all(row.person != "Assistant A" for row in access)
    assert "Who has seen or changed this record" in response.content.decode()


def test_it_shows_no_access_list_to_the_pupils_teacher(client, world):
    _viewed(world.a.senco, world.a.taught_pupil)
    client.force_login(world.a.teacher)

    response = client.get(reverse("pupil_detail", args=[world.a.taught_pupil.pk]))

    assert response.status_code == 200 and response.context["access"] is None
    assert "Who has seen or changed this record" not in response.content.decode()


def test_it_reads_a_page_of_events_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(60):
        _viewed(world.a.teacher, world.a.taught_pupil)
        _viewed(world.a.senco, world.a.untaught_pupil)
    client.force_login(world.a.dpo)
    client.get(reverse("audit_list"))  # the session and the sign-in's own queries settle

    with django_assert_max_num_queries(14):
        response = client.get(reverse("audit_list"))
    assert len(response.context["rows"]) == 50


def test_it_shows_the_dpo_home_with_the_weeks_figures(client, world):
    _viewed(world.a.teacher, world.a.taught_pupil)
    client.force_login(world.a.dpo)

    page = client.get(reverse("home")).content.decode()

    assert "Data protection at" in page and "Open the audit trail" in page
