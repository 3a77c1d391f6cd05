"""Reads of the school's documents: the list with every version, one version (scoped to the schools the
actor reaches: the SENCo's and head's own, every school of the trust for its SEND lead), and a version
as every output prints it. Opening a version is audited (page, PDF or Word document alike)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import _one_or_404, schools_in_scope
from tandem.audit.services import audit_record
from tandem.documents.content import (
    INTERNAL_WARNING,
    Audience,
    Printable,
    has_hidden,
    sections_from_json,
)
from tandem.documents.drafting import DocumentKind
from tandem.documents.kinds import KINDS
from tandem.documents.models import DocumentVersion, SchoolDocument, VersionStatus
from tandem.lib.disclosure import HIDDEN_MEANS
from tandem.lib.terms import day_in_words, period_in_words

TAKEN_AS = ("html", "pdf", "docx")


def kind_of(document: SchoolDocument) -> DocumentKind | None:
    """The document's kind, or None for a kind no longer offered (its versions still open as stored)."""
    return KINDS.get(document.kind)


def kind_title(document: SchoolDocument) -> str:
    kind = kind_of(document)
    return kind.title if kind is not None else document.kind.replace("_", " ").capitalize()


def versions_in_scope(actor: Actor, action: Action = Action.VIEW) -> QuerySet[DocumentVersion]:
    schools = schools_in_scope(actor, Resource.SCHOOL_DOCUMENT, action)
    return DocumentVersion.objects.filter(document__school__in=schools)


def version_or_404(
    actor: Actor, version_id: uuid.UUID | str, action: Action = Action.VIEW
) -> DocumentVersion:
    scoped = versions_in_scope(actor, action).select_related("document__school", "created_by", "published_by")
    name = f"{Resource.SCHOOL_DOCUMENT}.{action}"
    return _one_or_404(actor, scoped, version_id, action=name, target_type="document_version")


@dataclass(frozen=True)
class DocumentRow:
    document: SchoolDocument
    title: str
    versions: list[DocumentVersion]

    @property
    def draft(self) -> DocumentVersion | None:
        return next((v for v in self.versions if v.status == VersionStatus.DRAFT), None)


def document_list(*, actor: Actor) -> list[DocumentRow]:
    """Every document at the schools in reach, each with all its versions, newest first."""
    schools = schools_in_scope(actor, Resource.SCHOOL_DOCUMENT)
    versions = DocumentVersion.objects.select_related("created_by", "published_by").order_by("-number")
    documents = (
        SchoolDocument.objects.filter(school__in=schools)
        .select_related("school")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("school__name", "kind")
    )
    return [DocumentRow(d, kind_title(d), list(d.versions.all())) for d in documents]


def version_label(version: DocumentVersion) -> str:
    if version.published_at is not None:
        published = timezone.localtime(version.published_at).date()
        return f"Version {version.number}, published {day_in_words(published)}"
    return f"Version {version.number}, draft"


def printable(version: DocumentVersion) -> Printable:
    """The version as the page, the PDF and the Word document all show it."""
    document = version.document
    kind = kind_of(document)
    drawn_on = timezone.localtime(version.figures_drawn_at).date()
    published_on = timezone.localtime(version.published_at).date() if version.published_at else None
    internal = kind is None or kind.audience is Audience.INTERNAL
    sections = tuple(sections_from_json(version.sections))
    hidden_means = ""
    if not internal and has_hidden(sections):
        hidden_means = HIDDEN_MEANS.format(threshold=int(settings.TANDEM_DISCLOSURE_THRESHOLD))
    return Printable(
        title=kind_title(document),
        school=document.school.name,
        period=period_in_words(version.period_start, version.period_end),
        version=version_label(version),
        drawn_on=drawn_on,
        made_on=published_on or drawn_on,
        warning=INTERNAL_WARNING if internal else "",
        is_draft=version.status == VersionStatus.DRAFT,
        sections=sections,
        hidden_means=hidden_means,
    )


def version_opened(*, actor: Actor, version_id: uuid.UUID, taken_as: str = "html") -> DocumentVersion:
    """The version, for someone who may read it; the opening is audited with the form it was taken in."""
    if taken_as not in TAKEN_AS:
        raise ValueError(f"A document is opened as one of {', '.join(TAKEN_AS)}, not {taken_as!r}.")
    version = version_or_404(actor, version_id)
    audit_record(
        actor=actor,
        action="school_document.view",
        target_type="document_version",
        target_id=version.pk,
        school_id=version.document.school_id,
        fields=[taken_as],
    )
    return version


def later_versions(version: DocumentVersion) -> list[DocumentVersion]:
    """Versions of the same document numbered after this one (a draft started from it, or published)."""
    return list(
        DocumentVersion.objects.filter(document_id=version.document_id, number__gt=version.number).order_by(
            "number"
        )
    )
