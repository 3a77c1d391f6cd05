"""Versions of a school document: drafting, the school's text, refreshing, publishing (and never changing
after), numbering, the text carried forward, and the refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.documents.content import sections_from_json
from tandem.documents.kinds import GOVERNORS_REPORT
from tandem.documents.models import PUBLISHED_IS_FIXED, DocumentVersion, SchoolDocument, VersionStatus
from tandem.documents.services import (
    document_version_publish,
    document_version_refresh,
    document_version_revise,
    document_version_start,
    document_version_text_save,
)
from tandem.lib.terms import term_containing

pytestmark = pytest.mark.django_db


def _this_term() -> tuple[dt.date, dt.date]:
    term = term_containing(timezone.localdate())
    return term.starts_on, term.ends_on


def _last_term() -> tuple[dt.date, dt.date]:
    term = term_containing(_this_term()[0] - dt.timedelta(days=1))
    return term.starts_on, term.ends_on


def _start(user, period: tuple[dt.date, dt.date] | None = None) -> DocumentVersion:
    start, end = period or _this_term()
    return document_version_start(
        actor=actor_for(user), kind="governors_report", period_start=start, period_end=end
    )


def _texts(version: DocumentVersion) -> dict[str, str]:
    version.refresh_from_db()
    return {s.key: s.text for s in sections_from_json(version.sections)}


def test_it_drafts_version_one_with_every_section_of_the_kind(world):
    version = _start(world.a.senco)
    assert (version.number, version.status, version.document.school) == (1, "draft", world.a.school)
    assert [s["key"] for s in version.sections] == list(GOVERNORS_REPORT.section_keys)
    assert all(s["text"] == "" for s in version.sections)
    event = AuditEvent.objects.get(action="school_document.create", target_id=str(version.pk))
    assert event.school_id == world.a.school.pk
    assert event.fields == ["kind", "period_end", "period_start", "sections"]


def test_it_saves_the_schools_text_section_by_section_with_names_only_in_the_trail(world):
    version = _start(world.a.senco)
    actor = actor_for(world.a.senco)
    document_version_text_save(
        actor=actor, version_id=version.pk, texts={"register": "  Three pupils joined the register.  "}
    )
    assert _texts(version)["register"] == "Three pupils joined the register."
    assert _texts(version)["commentary"] == ""
    event = AuditEvent.objects.get(action="school_document.text", target_id=str(version.pk))
    assert event.fields == ["register_text"]
    assert "Three pupils" not in str(event.fields)


def test_it_refuses_every_change_to_a_published_version(world):
    version = _start(world.a.head)
    actor = actor_for(world.a.head)
    document_version_text_save(actor=actor, version_id=version.pk, texts={"commentary": "A good term."})
    document_version_publish(actor=actor, version_id=version.pk)
    stored = DocumentVersion.objects.get(pk=version.pk)
    for change in (
        lambda: document_version_text_save(actor=actor, version_id=version.pk, texts={"commentary": "No."}),
        lambda: document_version_refresh(actor=actor, version_id=version.pk),
        lambda: document_version_publish(actor=actor, version_id=version.pk),
    ):
        with pytest.raises(ValidationError) as refused:
            change()
        assert refused.value.messages == [PUBLISHED_IS_FIXED]
    again = DocumentVersion.objects.get(pk=version.pk)
    assert (again.sections, again.figures_drawn_at, again.published_at) == (
        stored.sections,
        stored.figures_drawn_at,
        stored.published_at,
    )
    assert _texts(version)["commentary"] == "A good term."


def test_it_refuses_to_save_a_published_row_from_the_model_itself(world):
    version = _start(world.a.senco)
    stale = DocumentVersion.objects.get(pk=version.pk)  # a copy read while it was still a draft
    document_version_publish(actor=actor_for(world.a.senco), version_id=version.pk)
    published = DocumentVersion.objects.get(pk=version.pk)
    published.sections = []
    with pytest.raises(ValidationError) as refused:
        published.save()
    assert refused.value.messages == [PUBLISHED_IS_FIXED]
    stale.status = VersionStatus.DRAFT
    stale.sections = []
    with pytest.raises(ValidationError):
        stale.save()
    assert DocumentVersion.objects.get(pk=version.pk).sections == version.sections


def test_it_publishes_with_when_and_who_and_an_audit_event(world):
    version = _start(world.a.senco)
    document_version_publish(actor=actor_for(world.a.senco), version_id=version.pk)
    version.refresh_from_db()
    assert version.status == "published"
    assert version.published_by == world.a.senco
    assert version.published_at is not None
    assert AuditEvent.objects.filter(action="school_document.publish", target_id=str(version.pk)).exists()


def test_it_starts_version_two_from_the_published_text_and_figures(world):
    actor = actor_for(world.a.senco)
    first = _start(world.a.senco)
    document_version_text_save(actor=actor, version_id=first.pk, texts={"compliance": "All reviews held."})
    document_version_publish(actor=actor, version_id=first.pk)
    first.refresh_from_db()
    second = document_version_revise(actor=actor, version_id=first.pk)
    assert (second.number, second.status, second.based_on_id) == (2, "draft", first.pk)
    assert (second.period_start, second.period_end) == (first.period_start, first.period_end)
    assert second.sections == first.sections
    assert second.figures_drawn_at == first.figures_drawn_at
    document_version_text_save(actor=actor, version_id=second.pk, texts={"compliance": "All but one."})
    assert _texts(second)["compliance"] == "All but one."
    assert _texts(first)["compliance"] == "All reviews held."
    listed = list(DocumentVersion.objects.filter(document=first.document).order_by("number"))
    assert [(v.number, v.status) for v in listed] == [(1, "published"), (2, "draft")]


def test_it_starts_a_new_version_only_from_a_published_one(world):
    draft = _start(world.a.senco)
    with pytest.raises(ValidationError, match="still a draft"):
        document_version_revise(actor=actor_for(world.a.senco), version_id=draft.pk)
    assert DocumentVersion.objects.count() == 1


def test_it_carries_the_schools_text_into_the_draft_for_a_later_period(world):
    actor = actor_for(world.a.senco)
    autumn = _start(world.a.senco, _last_term())
    document_version_text_save(
        actor=actor,
        version_id=autumn.pk,
        texts={"provision": "Our SEN budget pays for two teaching assistants.", "commentary": "Next: maths."},
    )
    document_version_publish(actor=actor, version_id=autumn.pk)
    spring = _start(world.a.senco)
    assert spring.number == 2
    assert spring.based_on_id == autumn.pk
    assert (spring.period_start, spring.period_end) == _this_term()
    assert _texts(spring)["provision"] == "Our SEN budget pays for two teaching assistants."
    assert _texts(spring)["commentary"] == "Next: maths."
    assert SchoolDocument.objects.count() == 1


def test_it_keeps_one_draft_at_a_time(world):
    first = _start(world.a.senco)
    with pytest.raises(ValidationError) as refused:
        _start(world.a.head)
    assert refused.value.message_dict == {
        "kind": ["Version 1 of this document is still a draft: carry on with it, or publish it first."]
    }
    assert list(DocumentVersion.objects.values_list("pk", flat=True)) == [first.pk]


def test_it_draws_the_figures_again_and_keeps_the_text(world):
    actor = actor_for(world.a.senco)
    version = _start(world.a.senco)
    document_version_text_save(actor=actor, version_id=version.pk, texts={"register": "Stable this term."})
    drawn = DocumentVersion.objects.get(pk=version.pk).figures_drawn_at
    from tests import factories as f

    newcomer = f.make_pupil(school=world.a.school, forename="Noor", surname="Sentinelanewcomer")
    f.set_sen_status(pupil=newcomer, provision="E", need_codes=["HI"])
    document_version_refresh(actor=actor, version_id=version.pk)
    version.refresh_from_db()
    register = sections_from_json(version.sections)[0]
    assert register.text == "Stable this term."
    assert dict(register.section.lines)["EHC plans"].startswith("2 ")
    assert version.figures_drawn_at >= drawn
    event = AuditEvent.objects.get(action="school_document.refresh", target_id=str(version.pk))
    assert event.fields == sorted(GOVERNORS_REPORT.section_keys)


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (dt.date(2026, 9, 1), dt.date(2026, 8, 31), "period_end", "on or after the first day"),
        (None, dt.date(2026, 8, 31), "period_start", "Enter the first day"),
        (dt.date(2024, 9, 1), dt.date(2026, 8, 31), "period_end", "a term or a school year at most"),
    ],
)
def test_it_refuses_a_period_that_cannot_be_and_saves_nothing(world, start, end, field, message):
    with pytest.raises(ValidationError) as refused:
        document_version_start(
            actor=actor_for(world.a.senco), kind="governors_report", period_start=start, period_end=end
        )
    assert message in refused.value.message_dict[field][0]
    assert not DocumentVersion.objects.exists()
    assert not SchoolDocument.objects.exists()


def test_it_refuses_a_period_that_has_not_begun(world):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        _start(world.a.senco, (tomorrow, tomorrow + dt.timedelta(days=30)))
    assert refused.value.message_dict == {
        "period_start": ["The period has not begun yet: draft it once it has."]
    }


def test_it_refuses_a_kind_it_does_not_know(world):
    start, end = _this_term()
    with pytest.raises(ValidationError) as refused:
        document_version_start(
            actor=actor_for(world.a.senco), kind="ofsted_pack", period_start=start, period_end=end
        )
    assert refused.value.message_dict == {"kind": ["Choose one of the documents listed."]}


def test_it_refuses_text_past_the_limit_and_keeps_what_was_there(world):
    version = _start(world.a.senco)
    actor = actor_for(world.a.senco)
    document_version_text_save(actor=actor, version_id=version.pk, texts={"impact": "Short."})
    with pytest.raises(ValidationError) as refused:
        document_version_text_save(actor=actor, version_id=version.pk, texts={"impact": "x" * 10_001})
    assert "text_impact" in refused.value.message_dict
    assert _texts(version)["impact"] == "Short."


def test_it_answers_another_schools_version_as_missing(world):
    version = _start(world.a.senco)
    for change in (document_version_refresh, document_version_publish, document_version_revise):
        with pytest.raises(Http404):
            change(actor=actor_for(world.b.senco), version_id=version.pk)
    denied = AuditEvent.objects.filter(target_id=str(version.pk), outcome="denied")
    assert denied.count() == 3
    assert DocumentVersion.objects.get(pk=version.pk).status == "draft"


def test_it_leaves_drafting_to_the_school_not_the_trust(world):
    start, end = _this_term()
    with pytest.raises(ValidationError, match="SENCo or head"):
        document_version_start(
            actor=actor_for(world.trust_lead), kind="governors_report", period_start=start, period_end=end
        )
