"""Writes for the school's documents: starting a draft for a period, writing the school's text, refreshing
the figures, publishing, and starting a new version from a published one.

Each is one transaction with its audit event (field names only: section keys, never their text). A
published version is fixed: every write here refuses it, and the model's `save()` refuses too. Text the
school writes is carried forward: a new draft starts from the latest version's text, section by section.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import schools_in_scope
from tandem.audit.services import audit_record
from tandem.documents.content import StoredSection, sections_from_json, sections_to_json
from tandem.documents.drafting import DocumentKind, Drafting
from tandem.documents.kinds import KINDS
from tandem.documents.models import PUBLISHED_IS_FIXED, DocumentVersion, SchoolDocument, VersionStatus
from tandem.documents.selectors import version_or_404
from tandem.schools.models import School

# Characters of the school's own text in one section: several pages, more than a termly report needs.
SECTION_TEXT_LIMIT = 10_000
# A document covers a term or a school year; anything longer is a mistake in the dates.
LONGEST_PERIOD = dt.timedelta(days=366)
UNKNOWN_KIND = "Choose one of the documents listed."
ALREADY_A_DRAFT = "Version {number} of this document is still a draft: carry on with it, or publish it first."
NOT_PUBLISHED = "This version is still a draft: change it as it is."


def _kind(key: str) -> DocumentKind:
    kind = KINDS.get(key)
    if kind is None:
        raise ValidationError({"kind": UNKNOWN_KIND})
    return kind


def _check_period(
    period_start: dt.date | None, period_end: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    if period_start is None:
        raise ValidationError({"period_start": "Enter the first day the document covers."})
    if period_end is None:
        raise ValidationError({"period_end": "Enter the last day the document covers."})
    if period_end < period_start:
        raise ValidationError({"period_end": "The last day must be on or after the first day."})
    if period_start > today:
        raise ValidationError({"period_start": "The period has not begun yet: draft it once it has."})
    if period_end - period_start > LONGEST_PERIOD:
        raise ValidationError({"period_end": "A document covers a term or a school year at most."})
    return period_start, period_end


def draw_sections(
    *,
    kind: DocumentKind,
    actor: Actor,
    school: School,
    period_start: dt.date,
    period_end: dt.date,
    texts: Mapping[str, str],
) -> list[StoredSection]:
    """Every section's figures drawn afresh, each with the school's text for it (by section key)."""
    ctx = Drafting(
        actor=actor,
        school=school,
        period_start=period_start,
        period_end=period_end,
        audience=kind.audience,
        today=timezone.localdate(),
    )
    return [StoredSection(spec.key, spec.build(ctx), texts.get(spec.key, "")) for spec in kind.sections]


def _texts(version: DocumentVersion | None) -> dict[str, str]:
    if version is None:
        return {}
    return {s.key: s.text for s in sections_from_json(version.sections)}


def _in_reach(actor: Actor, version_id: uuid.UUID | str) -> uuid.UUID:
    """The version's id if the actor may manage it; checked before the write's transaction, so the trail
    keeps the refusal of another school's version (a 404 inside would roll it back)."""
    return version_or_404(actor, version_id, Action.MANAGE).pk


def _locked(version_id: uuid.UUID) -> DocumentVersion:
    """The version, its row locked for this transaction."""
    return DocumentVersion.objects.select_for_update().select_related("document__school").get(pk=version_id)


def _refuse_published(version: DocumentVersion) -> None:
    if version.status == VersionStatus.PUBLISHED:
        raise ValidationError(PUBLISHED_IS_FIXED)


def _refuse_second_draft(document: SchoolDocument) -> None:
    draft = document.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        raise ValidationError({"kind": ALREADY_A_DRAFT.format(number=draft.number)})


def _next_number(document: SchoolDocument) -> int:
    latest = document.versions.order_by("-number").first()
    return latest.number + 1 if latest is not None else 1


def _create(**values: object) -> DocumentVersion:
    """A new version; another draft started at the same moment breaks the one-draft rule in the database,
    and is refused in words rather than with an error page."""
    try:
        with transaction.atomic():
            return DocumentVersion.objects.create(**values)
    except IntegrityError as error:
        raise ValidationError({"kind": "Another version of this document was started just now."}) from error


def document_version_start(
    *, actor: Actor, kind: str, period_start: dt.date | None, period_end: dt.date | None
) -> DocumentVersion:
    """A new draft of the school's document of this kind for the period, its figures drawn now and its text
    carried forward from the document's latest version."""
    chosen = _kind(kind)
    today = timezone.localdate()
    start, end = _check_period(period_start, period_end, today)
    school = schools_in_scope(actor, Resource.SCHOOL_DOCUMENT, Action.MANAGE).first()
    if school is None:
        raise ValidationError("Only the school's SENCo or head drafts its documents.")
    with transaction.atomic():
        document, _ = SchoolDocument.objects.get_or_create(
            school=school, kind=chosen.key, defaults={"created_by": actor.user}
        )
        document = SchoolDocument.objects.select_for_update().get(pk=document.pk)
        _refuse_second_draft(document)
        latest = document.versions.order_by("-number").first()
        sections = draw_sections(
            kind=chosen,
            actor=actor,
            school=school,
            period_start=start,
            period_end=end,
            texts=_texts(latest),
        )
        version = _create(
            document=document,
            number=_next_number(document),
            period_start=start,
            period_end=end,
            sections=sections_to_json(sections),
            figures_drawn_at=timezone.now(),
            based_on=latest,
            created_by=actor.user,
        )
        audit_record(
            actor=actor,
            action="school_document.create",
            target_type="document_version",
            target_id=version.pk,
            school_id=school.pk,
            fields=["kind", "period_start", "period_end", "sections", *(["based_on"] if latest else [])],
        )
    return version


def document_version_text_save(
    *, actor: Actor, version_id: uuid.UUID | str, texts: Mapping[str, str]
) -> DocumentVersion:
    """The school's text for each section of a draft (`texts` by section key; keys not in it keep theirs)."""
    found = _in_reach(actor, version_id)
    with transaction.atomic():
        version = _locked(found)
        _refuse_published(version)
        sections = sections_from_json(version.sections)
        too_long = [key for key, text in texts.items() if len(text.strip()) > SECTION_TEXT_LIMIT]
        if too_long:
            raise ValidationError(
                {
                    f"text_{key}": f"Keep this to {SECTION_TEXT_LIMIT:,} characters or fewer."
                    for key in too_long
                }
            )
        changed = []
        kept = []
        for section in sections:
            text = texts.get(section.key, section.text).strip()
            if text != section.text:
                changed.append(section.key)
            kept.append(StoredSection(section.key, section.section, text))
        version.sections = sections_to_json(kept)
        version.save(update_fields=["sections", "updated_at"])
        audit_record(
            actor=actor,
            action="school_document.text",
            target_type="document_version",
            target_id=version.pk,
            school_id=version.document.school_id,
            fields=[f"{key}_text" for key in changed],
        )
    return version


def document_version_refresh(*, actor: Actor, version_id: uuid.UUID | str) -> DocumentVersion:
    """Draw a draft's figures again from today's data, keeping the school's text."""
    found = _in_reach(actor, version_id)
    with transaction.atomic():
        version = _locked(found)
        _refuse_published(version)
        document = version.document
        kind = KINDS.get(document.kind)
        if kind is None:
            raise ValidationError(
                "Tandem no longer drafts this kind of document, so its figures stay as they are."
            )
        sections = draw_sections(
            kind=kind,
            actor=actor,
            school=document.school,
            period_start=version.period_start,
            period_end=version.period_end,
            texts=_texts(version),
        )
        version.sections = sections_to_json(sections)
        version.figures_drawn_at = timezone.now()
        version.save(update_fields=["sections", "figures_drawn_at", "updated_at"])
        audit_record(
            actor=actor,
            action="school_document.refresh",
            target_type="document_version",
            target_id=version.pk,
            school_id=document.school_id,
            fields=[s.key for s in sections],
        )
    return version


def document_version_publish(*, actor: Actor, version_id: uuid.UUID | str) -> DocumentVersion:
    """Fix a draft as published: from now on it never changes."""
    found = _in_reach(actor, version_id)
    with transaction.atomic():
        version = _locked(found)
        _refuse_published(version)
        version.status = VersionStatus.PUBLISHED
        version.published_at = timezone.now()
        version.published_by = actor.user
        version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        audit_record(
            actor=actor,
            action="school_document.publish",
            target_type="document_version",
            target_id=version.pk,
            school_id=version.document.school_id,
            fields=["status", "published_at", "published_by"],
        )
    return version


def document_version_revise(*, actor: Actor, version_id: uuid.UUID | str) -> DocumentVersion:
    """A new draft (the next number) for the same period, starting from a published version's figures as
    they were and its text, for the school to change."""
    found = _in_reach(actor, version_id)
    with transaction.atomic():
        published = _locked(found)
        if published.status != VersionStatus.PUBLISHED:
            raise ValidationError(NOT_PUBLISHED)
        document = SchoolDocument.objects.select_for_update().get(pk=published.document_id)
        _refuse_second_draft(document)
        version = _create(
            document=document,
            number=_next_number(document),
            period_start=published.period_start,
            period_end=published.period_end,
            sections=published.sections,
            figures_drawn_at=published.figures_drawn_at,
            based_on=published,
            created_by=actor.user,
        )
        audit_record(
            actor=actor,
            action="school_document.create",
            target_type="document_version",
            target_id=version.pk,
            school_id=document.school_id,
            fields=["based_on", "period_start", "period_end", "sections"],
        )
    return version
