"""Large imports apply on a thread of the web process; the page shows how far they have got."""

from __future__ import annotations

import threading

import pytest
from django.core.signals import request_finished
from django.urls import reverse

from tandem.access.actor import actor_for
from tandem.core.context import reset_request_id, set_request_id
from tandem.exchange import background
from tandem.exchange.models import ImportRecord, ImportStatus
from tandem.exchange.services import import_upload
from tandem.people.models import Pupil
from tests import factories as f

HEADER = "UPN,Adno,Legal Surname,Legal Forename,DOB,Gender,Year\n"


def _roll(rows: int) -> bytes:
    lines = "".join(
        f"{f.valid_upn(n % 1000, la='825', estab=f'{n // 1000:04d}')},{n:05d},Bgtest{n},Ada,14/03/2016,F,4\n"
        for n in range(rows)
    )
    return (HEADER + lines).encode()


def _school_and_admin():
    """A school of its own: these tests commit, so the shared personas are not used."""
    school = f.make_school(name="Background School")
    admin = f.make_user(email="admin@bg.example", full_name="Bg Admin")
    f.make_membership(user=admin, role="school_admin", school=school)
    return school, admin


def _wait_for(record_id) -> None:
    for thread in threading.enumerate():
        if thread.name == f"import-{record_id}":
            thread.join(timeout=60)


@pytest.mark.django_db(transaction=True)
def test_it_applies_a_large_import_in_the_background_and_records_it(client, settings):
    settings.TANDEM_IMPORT_BACKGROUND_ROWS = 100
    school, admin = _school_and_admin()
    record = import_upload(actor=actor_for(admin), kind="pupils", file_name="roll.csv", data=_roll(1200))
    client.force_login(admin)
    response = client.post(reverse("import_apply", args=[record.pk]))
    assert response.status_code == 302
    _wait_for(record.pk)
    record.refresh_from_db()
    assert (record.status, record.created) == (ImportStatus.APPLIED, 1200)
    assert Pupil.objects.filter(school=school, legal_surname__startswith="Bgtest").count() == 1200
    assert background.import_progress(record.pk) is None
    page = client.get(reverse("import_detail", args=[record.pk]))
    assert b"1200 added" in page.content


@pytest.mark.django_db(transaction=True)
def test_it_sends_a_refused_background_apply_back_to_the_preview_with_the_reason(client, settings):
    settings.TANDEM_IMPORT_BACKGROUND_ROWS = 1
    _, admin = _school_and_admin()
    bad = _roll(3).replace(b"14/03/2016", b"31/02/2016", 1)
    record = import_upload(actor=actor_for(admin), kind="pupils", file_name="roll.csv", data=bad)
    client.force_login(admin)
    client.post(reverse("import_apply", args=[record.pk]))
    _wait_for(record.pk)
    record.refresh_from_db()
    assert record.status == ImportStatus.PREVIEWED and "1 rows have errors" in record.failure
    assert not Pupil.objects.filter(legal_surname__startswith="Bgtest").exists()
    page = client.get(reverse("import_detail", args=[record.pk]))
    assert b"The last try to apply it was refused" in page.content


def test_it_shows_progress_while_applying_and_offers_an_interrupted_apply_again(world, client):
    admin = world.a.admin
    record = import_upload(actor=actor_for(admin), kind="pupils", file_name="roll.csv", data=_roll(2))
    ImportRecord.objects.filter(pk=record.pk).update(status=ImportStatus.APPLYING)
    client.force_login(admin)
    background._RUNNING[record.pk] = ("writing", 500, 2000)
    try:
        page = client.get(reverse("import_detail", args=[record.pk])).content.decode()
    finally:
        background._RUNNING.pop(record.pk, None)
    assert '<progress max="2000" value="500"' in page and "Writing: 500 of 2000 records written" in page
    assert "poll.js" in page and "Apply this import" not in page
    # The process that was applying it has gone: nothing was written, and it can be applied again.
    page = client.get(reverse("import_detail", args=[record.pk])).content.decode()
    assert "Applying was interrupted" in page and "Apply this import" in page


@pytest.mark.django_db(transaction=True)
def test_it_applies_an_interrupted_import_again(client):
    _, admin = _school_and_admin()
    record = import_upload(actor=actor_for(admin), kind="pupils", file_name="roll.csv", data=_roll(2))
    ImportRecord.objects.filter(pk=record.pk).update(status=ImportStatus.APPLYING)
    client.force_login(admin)
    client.post(reverse("import_apply", args=[record.pk]))
    _wait_for(record.pk)
    record.refresh_from_db()
    assert (record.status, record.created) == (ImportStatus.APPLIED, 2)


@pytest.mark.django_db(transaction=True)
def test_it_starts_the_apply_only_when_the_request_that_asked_for_it_has_finished():
    # The apply takes the write lock at once: a request still saving its session beside it met
    # "database table is locked". So the thread waits for this thread's request_finished.
    _, admin = _school_and_admin()
    record = import_upload(actor=actor_for(admin), kind="pupils", file_name="roll.csv", data=_roll(3))
    token = set_request_id()
    try:
        thread = background.import_apply_in_background(
            actor=actor_for(admin), record_id=record.pk, skip_errors=False
        )
    finally:
        reset_request_id(token)
    assert not thread.is_alive() and thread.ident is None
    assert background.import_progress(record.pk) == ("checking", 0, 0)

    # Another request finishing on another thread is not this one.
    elsewhere = threading.Thread(target=lambda: request_finished.send(sender=None))
    elsewhere.start()
    elsewhere.join()
    assert thread.ident is None

    request_finished.send(sender=None)
    thread.join(timeout=60)
    record.refresh_from_db()
    assert (record.status, record.created) == (ImportStatus.APPLIED, 3)
    # Started once: the next request to finish here starts nothing more.
    request_finished.send(sender=None)


@pytest.mark.django_db(transaction=True)
def test_it_starts_at_once_outside_a_request():
    _, admin = _school_and_admin()
    record = import_upload(actor=actor_for(admin), kind="pupils", file_name="roll.csv", data=_roll(2))
    thread = background.import_apply_in_background(
        actor=actor_for(admin), record_id=record.pk, skip_errors=False
    )
    thread.join(timeout=60)
    record.refresh_from_db()
    assert (record.status, record.created) == (ImportStatus.APPLIED, 2)
