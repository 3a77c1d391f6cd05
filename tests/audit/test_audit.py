"""Every write and every view of SEN data leaves exactly one audit event; the trail cannot be changed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.people.models import Membership
from tandem.people.services import membership_create, membership_deactivate
from tandem.schools.services import school_create
from tests import factories as f


def _new_events(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id")[before:])


def test_it_records_the_grant_and_the_invitation_when_a_role_is_given_to_a_new_person(world):
    actor = actor_for(world.a.admin)
    before = AuditEvent.objects.count()
    membership = membership_create(
        actor=actor, email="new.person@test.example", full_name="New Person", role="teacher"
    )
    invitation, event = _new_events(before)
    assert (invitation.action, invitation.target_type, invitation.actor_id) == (
        "invitation.issue",
        "invitation",
        world.a.admin.pk,
    )
    assert (event.action, event.target_type, event.target_id) == (
        "membership.create",
        "membership",
        str(membership.pk),
    )
    assert (event.actor_id, event.actor_role, event.school_id) == (
        world.a.admin.pk,
        "school_admin",
        world.a.school.pk,
    )
    assert "new_user" in event.fields


def test_it_records_one_event_when_a_role_is_removed(world):
    actor = actor_for(world.a.admin)
    target = world.a.teacher.memberships.get()
    before = AuditEvent.objects.count()
    membership_deactivate(actor=actor, membership_id=target.pk)
    [event] = _new_events(before)
    assert event.action == "membership.deactivate"
    assert event.fields == ["is_active"]


def test_it_records_the_school_and_its_admins_invitation_when_a_school_is_created(db):
    before = AuditEvent.objects.count()
    school, _ = school_create(
        name="Hazel Primary",
        urn="912345",
        phase="primary",
        lowest_year=0,
        highest_year=6,
        admin_email="admin@hazel.example",
        admin_name="Ada Admin",
    )
    invitation, event = _new_events(before)
    assert (event.action, event.school_id) == ("school.create", school.pk)
    assert (invitation.action, invitation.school_id) == ("invitation.issue", school.pk)


def test_it_leaves_nothing_behind_when_a_write_fails(world):
    actor = actor_for(world.a.admin)
    before_events, before_roles = AuditEvent.objects.count(), Membership.objects.count()
    with pytest.raises(ValidationError):
        membership_create(actor=actor, email=world.a.teacher.email, full_name="", role="teacher")
    assert AuditEvent.objects.count() == before_events
    assert Membership.objects.count() == before_roles


def test_it_refuses_a_write_from_a_role_without_the_right(world):
    with pytest.raises(PermissionError):
        membership_create(
            actor=actor_for(world.a.senco), email="x@test.example", full_name="X", role="teacher"
        )


def test_it_records_one_event_when_a_pupils_sen_record_is_viewed(client, world):
    client.force_login(world.a.teacher)
    before = AuditEvent.objects.count()
    response = client.get(reverse("pupil_detail", args=[world.a.ehc_pupil.pk]))
    assert response.status_code == 200
    [event] = _new_events(before)
    assert (event.action, event.target_id, event.outcome) == (
        "sen_record.view",
        str(world.a.ehc_pupil.pk),
        "ok",
    )
    assert event.request_id == response["X-Request-ID"]


@pytest.mark.parametrize("page", ["register", "pupil_list", "home"])
def test_it_records_one_event_per_page_that_shows_sen_data(client, world, page):
    client.force_login(world.a.senco)
    before = AuditEvent.objects.count()
    assert client.get(reverse(page)).status_code == 200
    assert len(_new_events(before)) == 1


def test_it_records_one_denied_event_for_another_schools_pupil(client, world):
    client.force_login(world.a.teacher)
    before = AuditEvent.objects.count()
    assert client.get(reverse("pupil_detail", args=[world.b.ehc_pupil.pk])).status_code == 404
    [event] = _new_events(before)
    assert (event.action, event.outcome, event.target_id) == (
        "pupil.view",
        "denied",
        str(world.b.ehc_pupil.pk),
    )


def test_it_records_no_event_for_a_page_without_sen_data(client, world):
    client.force_login(world.a.admin)
    before = AuditEvent.objects.count()
    assert client.get(reverse("pupil_detail", args=[world.a.ehc_pupil.pk])).status_code == 200
    assert _new_events(before) == []


def test_it_keeps_names_and_free_text_out_of_the_trail(client, world):
    client.force_login(world.a.senco)
    client.get(reverse("pupil_detail", args=[world.a.ehc_pupil.pk]))
    client.get(reverse("register") + "?q=SentinelaEhc")
    text = " ".join(str(list(row.values())) for row in AuditEvent.objects.values())
    assert "Sentinela" not in text and "Ellis" not in text


def test_it_refuses_to_change_an_event_in_python(world):
    event = AuditEvent.objects.create(action="test.event")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_change_an_event_in_the_database():
    event = AuditEvent.objects.create(action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_it_finds_a_pupil_name_in_a_log_line():
    from tests.conftest import find_names

    assert find_names(["audit ok", "Not Found: Kai Sentinel"], {"Kai Sentinel"}) == [
        ("Kai Sentinel", "Not Found: Kai Sentinel")
    ]
    assert find_names(["Kaiser"], {"Kai"}) == []


def test_it_keeps_pupil_names_out_of_the_logs_when_pages_are_viewed(client, world, caplog):
    client.force_login(world.a.senco)
    with caplog.at_level("DEBUG"):
        client.get(reverse("pupil_detail", args=[world.a.ehc_pupil.pk]))
        client.get(reverse("pupil_detail", args=[world.b.ehc_pupil.pk]))
    from tests.conftest import find_names

    assert caplog.records, "expected some log output to scan"
    assert find_names([r.getMessage() for r in caplog.records], f.PUPIL_NAMES) == []


def test_it_counts_a_persons_refusals_past_the_hours_share_instead_of_storing_each(
    client, world, settings, monkeypatch
):
    import datetime as dt

    from django.utils import timezone

    from tandem.audit.models import DeniedTally

    settings.TANDEM_AUDIT_DENIED_ROWS_PER_HOUR = 3
    # Half past an hour, so the ten requests cannot straddle two hours.
    half_past = timezone.now().replace(minute=30, second=0) - dt.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: half_past)
    client.force_login(world.a.teacher)
    other_school_pupil = reverse("pupil_detail", args=[world.b.taught_pupil.pk])
    for _ in range(10):
        assert client.get(other_school_pupil).status_code == 404
    refused = AuditEvent.objects.filter(actor_id=world.a.teacher.pk, outcome="denied")
    assert refused.count() == 3
    tally = DeniedTally.objects.get(actor_id=world.a.teacher.pk)
    assert (tally.count, tally.last_action) == (7, refused.first().action)
    assert tally.hour == half_past.replace(minute=0, microsecond=0)

    # Someone else's refusals are their own; allowed pages are recorded as ever.
    client.force_login(world.a.ta)
    client.get(other_school_pupil)
    assert AuditEvent.objects.filter(actor_id=world.a.ta.pk, outcome="denied").count() == 1
    client.force_login(world.a.teacher)
    client.get(reverse("pupil_detail", args=[world.a.taught_pupil.pk]))
    assert AuditEvent.objects.filter(actor_id=world.a.teacher.pk, outcome="ok").exists()
