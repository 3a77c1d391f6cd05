"""Specialist advice through its services: recording, arrival, documents (each refusal, nothing stored),
recommendations linked only to the pupil's own targets and the school's own interventions, withdrawal."""

from __future__ import annotations

import datetime as dt
import hashlib
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.advice import services
from tandem.advice.models import AdviceDocument, Recommendation, SpecialistAdvice
from tandem.advice.services import (
    AdviceFields,
    RecommendationFields,
    Upload,
    advice_document_add,
    advice_receive,
    advice_record,
    advice_withdraw,
    recommendation_add,
)
from tandem.audit.models import AuditEvent
from tests import factories as f
from tests.advice import samples

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _fields(**overrides: Any) -> AdviceFields:
    values: dict[str, Any] = {
        "profession": "educational_psychology",
        "organisation": "County Educational Psychology Service",
        "professional_name": "Dr A Psychologist",
        "requested_on": TODAY - 30 * DAY,
        **overrides,
    }
    return AdviceFields(**values)


def _received(**overrides: Any) -> AdviceFields:
    return _fields(received_on=TODAY - DAY, summary="Working memory is low: chunk instructions.", **overrides)


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def _nothing_stored(folder: Path) -> None:
    assert AdviceDocument.objects.count() == 0
    assert _files(folder) == []


# ---------------------------------------------------------------- recording advice
def test_it_records_advice_asked_for_with_an_audit_event_of_field_names(world):
    senco = actor_for(world.a.senco)
    advice = advice_record(actor=senco, pupil_id=world.a.taught_pupil.pk, fields=_fields())
    assert advice.received_on is None
    assert advice.school_id == world.a.school.pk
    event = AuditEvent.objects.get(action="specialist_advice.record")
    assert event.target_id == str(advice.pk)
    assert "organisation" in event.fields and "professional_name" in event.fields
    assert "County Educational Psychology Service" not in str(event.fields)


def test_it_records_advice_received_with_its_document(world, documents_dir):
    senco = actor_for(world.a.senco)
    data = samples.pdf()
    advice = advice_record(
        actor=senco,
        pupil_id=world.a.taught_pupil.pk,
        fields=_received(),
        document=Upload.of_bytes("C:\\Scans\\EP report.pdf", data),
    )
    document = AdviceDocument.objects.get(advice=advice)
    assert document.original_name == "EP report.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(data)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert "EP" not in document.stored_name and "report" not in document.stored_name
    stored = Path(documents_dir) / document.stored_name
    assert stored.read_bytes() == data
    # Private: the folder and the file are the server's user's alone.
    assert stat.S_IMODE(Path(documents_dir).stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert AuditEvent.objects.filter(action="advice_document.upload", target_id=str(advice.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"profession": "astrology"}, "profession", "Choose the specialist's profession."),
        ({"profession": "other"}, "other_profession", "Name the profession"),
        ({"organisation": "  "}, "organisation", "This cannot be left empty."),
        ({"requested_on": TODAY + DAY}, "requested_on", "in the future"),
        ({"requested_on": None}, "requested_on", "Enter a date."),
        (
            {"received_on": TODAY - 40 * DAY, "summary": "x"},
            "received_on",
            "on or after the day it was asked",
        ),
        ({"received_on": TODAY}, "summary", "Summarise what the advice says"),
    ],
)
def test_it_refuses_bad_advice_saying_why_and_saves_nothing(world, overrides, field, words):
    with pytest.raises(ValidationError) as refused:
        advice_record(
            actor=actor_for(world.a.senco), pupil_id=world.a.taught_pupil.pk, fields=_fields(**overrides)
        )
    assert any(words in message for message in refused.value.message_dict[field])
    assert SpecialistAdvice.objects.count() == 0


def test_it_names_another_profession_in_words(world):
    advice = advice_record(
        actor=actor_for(world.a.senco),
        pupil_id=world.a.taught_pupil.pk,
        fields=_fields(profession="other", other_profession="Dietitian"),
    )
    assert advice.profession_name == "Dietitian"


def test_it_refuses_those_who_may_not_manage_advice_and_other_schools(world):
    for user, pupil in [
        (world.a.teacher, world.a.taught_pupil),  # reads advice, does not record it
        (world.a.head, world.a.taught_pupil),
        (world.a.ta, world.a.taught_pupil),
        (world.b.senco, world.a.taught_pupil),  # another school's pupil
    ]:
        with pytest.raises(Http404):
            advice_record(actor=actor_for(user), pupil_id=pupil.pk, fields=_fields())
    assert SpecialistAdvice.objects.count() == 0


# ---------------------------------------------------------------- refused uploads: a message, nothing stored
REFUSED_FILES = [
    ("setup.exe", samples.windows_program, "a Windows program, not a document"),
    ("report.pdf", samples.windows_program, "a Windows program, not a document"),  # the name does not count
    ("tool", samples.linux_program, "a Linux program, not a document"),
    ("app", samples.mac_program, "a Mac program, not a document"),
    ("install.sh", samples.shell_script, "a script (a program in text), not a document"),
    ("letter.html", samples.web_page, "a web page (HTML), not a document"),
    ("notes.txt", samples.plain_text, "could not tell what this file is"),
    ("report.doc", samples.old_word_document, "older Office file"),
    ("report.docx", lambda: samples.zip_of({"a.txt": b"hi"}), "zip archive, not a Word document"),
    ("report.docx", lambda: samples.docx()[:300], "damaged or incomplete"),
    ("report.docm", lambda: samples.docx(extra={"word/vbaProject.bin": b"x"}), "contains macros"),
    ("empty.pdf", lambda: b"", "The file is empty"),
]


@pytest.mark.parametrize(("name", "make", "words"), REFUSED_FILES)
def test_it_refuses_each_kind_of_bad_file_and_stores_nothing(world, documents_dir, name, make, words):
    with pytest.raises(ValidationError) as refused:
        advice_record(
            actor=actor_for(world.a.senco),
            pupil_id=world.a.taught_pupil.pk,
            fields=_received(),
            document=Upload.of_bytes(name, make()),
        )
    assert any(words in message for message in refused.value.message_dict["document"])
    _nothing_stored(documents_dir)
    assert SpecialistAdvice.objects.count() == 0  # the advice waits for a good file too


def test_it_refuses_an_oversized_file_without_reading_it(world, documents_dir, settings):
    settings.TANDEM_DOCUMENT_MAX_BYTES = 1024 * 1024
    advice = f.make_advice(world.a.taught_pupil)

    def never() -> bytes:
        raise AssertionError("an oversized file is refused before it is read")

    with pytest.raises(ValidationError) as refused:
        advice_document_add(
            actor=actor_for(world.a.senco),
            advice_id=advice.pk,
            document=Upload(name="scan.pdf", size=5 * 1024 * 1024, read=never),
        )
    assert refused.value.message_dict["document"][0].startswith(
        "The file is 5 MB; the most Tandem takes is 1 MB."
    )
    _nothing_stored(documents_dir)


def test_it_checks_the_size_of_what_was_sent_not_what_was_claimed(world, documents_dir, settings):
    data = samples.pdf()
    settings.TANDEM_DOCUMENT_MAX_BYTES = len(data) - 1
    advice = f.make_advice(world.a.taught_pupil)
    with pytest.raises(ValidationError, match="the most Tandem takes"):
        advice_document_add(
            actor=actor_for(world.a.senco), advice_id=advice.pk, document=Upload("a.pdf", 10, lambda: data)
        )
    _nothing_stored(documents_dir)


def test_it_refuses_the_same_file_twice_on_one_advice(world, documents_dir):
    senco = actor_for(world.a.senco)
    advice = f.make_advice(world.a.taught_pupil)
    data = samples.docx()
    advice_document_add(actor=senco, advice_id=advice.pk, document=Upload.of_bytes("a.docx", data))
    with pytest.raises(ValidationError, match="already attached"):
        advice_document_add(actor=senco, advice_id=advice.pk, document=Upload.of_bytes("copy.docx", data))
    assert AdviceDocument.objects.count() == 1
    assert len(_files(documents_dir)) == 1


def _failing_after_store(monkeypatch: pytest.MonkeyPatch, action: str) -> None:
    """The database refuses the write that follows the file (a full disk, a lost connection)."""
    real = services.audit_record

    def audit(**kwargs: Any) -> Any:
        if kwargs["action"] == action:
            raise DatabaseError("disk I/O error")
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record", audit)


def test_it_removes_the_file_when_the_database_write_fails(world, documents_dir, monkeypatch):
    advice = f.make_advice(world.a.taught_pupil)
    _failing_after_store(monkeypatch, "advice_document.upload")
    with pytest.raises(DatabaseError):
        advice_document_add(
            actor=actor_for(world.a.senco),
            advice_id=advice.pk,
            document=Upload.of_bytes("a.png", samples.png()),
        )
    _nothing_stored(documents_dir)


def test_it_removes_the_file_when_the_advice_it_came_with_fails_to_save(world, documents_dir, monkeypatch):
    _failing_after_store(monkeypatch, "advice_document.upload")
    with pytest.raises(DatabaseError):
        advice_record(
            actor=actor_for(world.a.senco),
            pupil_id=world.a.taught_pupil.pk,
            fields=_received(),
            document=Upload.of_bytes("a.jpg", samples.jpeg()),
        )
    assert SpecialistAdvice.objects.count() == 0
    _nothing_stored(documents_dir)


def test_it_removes_the_file_once_its_row_is_deleted(
    world, documents_dir, django_capture_on_commit_callbacks
):
    document = f.make_advice_document(f.make_advice(world.a.taught_pupil))
    assert len(_files(documents_dir)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        document.advice.pupil.delete()  # the end of the retention period takes everything about the pupil
    assert _files(documents_dir) == []


# ---------------------------------------------------------------- arrival
def test_it_records_the_arrival_with_its_document(world, documents_dir):
    senco = actor_for(world.a.senco)
    advice = f.make_advice(world.a.taught_pupil, received_on=None, summary="")
    advice_receive(
        actor=senco,
        advice_id=advice.pk,
        received_on=TODAY,
        summary="Use a writing slope; short handwriting practice daily.",
        document=Upload.of_bytes("OT.docx", samples.docx()),
    )
    advice.refresh_from_db()
    assert advice.received_on == TODAY
    assert advice.documents.get().content_type.endswith("wordprocessingml.document")
    event = AuditEvent.objects.get(action="specialist_advice.receive")
    assert sorted(event.fields) == ["received_on", "summary"]


def test_it_refuses_a_second_arrival_and_an_arrival_before_the_request(world):
    senco = actor_for(world.a.senco)
    received = f.make_advice(world.a.taught_pupil)
    with pytest.raises(ValidationError, match="already recorded as received"):
        advice_receive(actor=senco, advice_id=received.pk, received_on=TODAY, summary="Again.")
    awaited = f.make_advice(world.a.taught_pupil, received_on=None, requested_on=TODAY - DAY)
    with pytest.raises(ValidationError, match="on or after the day it was asked"):
        advice_receive(actor=senco, advice_id=awaited.pk, received_on=TODAY - 2 * DAY, summary="Points.")


def test_it_refuses_a_bad_file_at_arrival_and_records_nothing(world, documents_dir):
    advice = f.make_advice(world.a.taught_pupil, received_on=None)
    with pytest.raises(ValidationError):
        advice_receive(
            actor=actor_for(world.a.senco),
            advice_id=advice.pk,
            received_on=TODAY,
            summary="Points.",
            document=Upload.of_bytes("report.pdf", samples.shell_script()),
        )
    advice.refresh_from_db()
    assert advice.received_on is None
    _nothing_stored(documents_dir)


# ---------------------------------------------------------------- recommendations
def _recommend(world: Any, advice: Any, **overrides: Any) -> Recommendation:
    values: dict[str, Any] = {"text": "Visual timetable each morning.", "status": "planned", **overrides}
    return recommendation_add(
        actor=actor_for(world.a.senco), advice_id=advice.pk, fields=RecommendationFields(**values)
    )


def test_it_links_a_recommendation_to_the_pupils_target_and_the_schools_intervention(world):
    advice = f.make_advice(world.a.taught_pupil)
    target = f.make_target(plan=f.make_plan(world.a.taught_pupil))
    intervention = f.make_intervention(world.a.school)
    recommendation = _recommend(world, advice, target_id=target.pk, intervention_id=intervention.pk)
    assert recommendation.target == target and recommendation.intervention == intervention
    event = AuditEvent.objects.get(action="recommendation.add")
    assert sorted(event.fields) == ["intervention", "status", "target", "text"]


def test_it_refuses_another_pupils_target_and_another_schools_intervention(world):
    advice = f.make_advice(world.a.taught_pupil)
    others_target = f.make_target(plan=f.make_plan(world.a.untaught_pupil))
    with pytest.raises(ValidationError, match="one of this pupil's targets"):
        _recommend(world, advice, target_id=others_target.pk)
    for intervention in [
        f.make_intervention(world.b.school),
        f.make_intervention(world.a.school, is_active=False),
    ]:
        with pytest.raises(ValidationError, match="the school's catalogue"):
            _recommend(world, advice, intervention_id=intervention.pk)
    assert Recommendation.objects.count() == 0


def test_it_asks_why_a_recommendation_was_not_taken_up(world):
    advice = f.make_advice(world.a.taught_pupil)
    with pytest.raises(ValidationError, match="Say why it was not taken up"):
        _recommend(world, advice, status="not_taken_up")
    done = _recommend(world, advice, status="not_taken_up", not_taken_up_reason="Parents preferred to wait.")
    assert done.get_status_display() == "Not taken up"


def test_it_adds_recommendations_only_once_the_advice_has_arrived(world):
    advice = f.make_advice(world.a.taught_pupil, received_on=None)
    with pytest.raises(ValidationError, match="arrived before adding what it recommends"):
        _recommend(world, advice)


def test_it_refuses_recommendations_from_those_who_may_not_manage_advice(world):
    advice = f.make_advice(world.a.taught_pupil)
    for user in [world.a.teacher, world.b.senco]:
        with pytest.raises(Http404):
            recommendation_add(
                actor=actor_for(user),
                advice_id=advice.pk,
                fields=RecommendationFields(text="x", status="planned"),
            )


# ---------------------------------------------------------------- withdrawal
def test_it_withdraws_advice_which_then_takes_nothing_more(world):
    senco = actor_for(world.a.senco)
    advice = f.make_advice(world.a.taught_pupil)
    advice_withdraw(actor=senco, advice_id=advice.pk, version=1, reason="Recorded for the wrong pupil.")
    advice.refresh_from_db()
    assert advice.is_withdrawn
    assert AuditEvent.objects.filter(action="specialist_advice.withdraw", target_id=str(advice.pk)).exists()
    with pytest.raises(ValidationError, match="withdrawn"):
        advice_document_add(
            actor=senco, advice_id=advice.pk, document=Upload.of_bytes("a.png", samples.png())
        )
