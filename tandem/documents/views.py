"""Pages for the school's documents: the list with every version, starting a draft, a version's page (the
school's text written section by section while it is a draft), refreshing its figures, publishing it, a
new version from a published one, and the PDF and Word files. Thin: parse, call one service or selector,
render."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.core.downloads import attachment
from tandem.core.forms import FormPage, form_flow
from tandem.documents.content import Printable, StoredSection, has_figures, school_text
from tandem.documents.forms import NewDocumentForm, SectionTextForm, text_field_name
from tandem.documents.kinds import KINDS
from tandem.documents.models import DocumentVersion, VersionStatus
from tandem.documents.pdf import document_pdf
from tandem.documents.selectors import document_list, later_versions, printable, version_opened
from tandem.documents.services import (
    document_version_publish,
    document_version_refresh,
    document_version_revise,
    document_version_start,
    document_version_text_save,
)
from tandem.documents.word import document_docx
from tandem.lib.terms import term_containing

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _version_url(version: DocumentVersion) -> str:
    return reverse("document_version", kwargs={"version_id": version.pk})


def _may_manage(actor: Actor, version: DocumentVersion) -> bool:
    """The SENCo and head manage their own school's documents; the trust's SEND lead reads them."""
    return (
        actor.can(Resource.SCHOOL_DOCUMENT, Action.MANAGE) and version.document.school_id == actor.school_id
    )


@allow(Resource.SCHOOL_DOCUMENT)
def document_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(
        request,
        "documents/list.html",
        {
            "rows": document_list(actor=actor),
            "can_manage": actor.can(Resource.SCHOOL_DOCUMENT, Action.MANAGE),
            "across_schools": actor.school_id is None,
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SCHOOL_DOCUMENT, Action.MANAGE)
def document_new_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    term = term_containing(timezone.localdate())
    form = NewDocumentForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": next(iter(KINDS)), "period_start": term.starts_on, "period_end": term.ends_on},
    )
    descriptions = [(kind.title, kind.description) for kind in KINDS.values()]
    return form_flow(
        request,
        form,
        save=lambda: document_version_start(
            actor=actor,
            kind=form.cleaned_data["kind"],
            period_start=form.cleaned_data["period_start"],
            period_end=form.cleaned_data["period_end"],
        ),
        next_url=_version_url,
        page=FormPage(
            heading="Draft a document",
            submit_label="Draft it from today's data",
            cancel_url=reverse("documents"),
            intro="Tandem fills in the figures from the school's records; you write the text around them. "
            "Text you wrote for the last version is carried into the new one.",
            extra={"aside_template": "documents/_kinds.html", "descriptions": descriptions},
        ),
        success=lambda version: f"Version {version.number} drafted.",
    )


@dataclass(frozen=True)
class SectionRow:
    """A section as its page shows it: the figures, and the school's text either in a box (a draft, for
    those who manage it) or as paragraphs."""

    stored: StoredSection
    field: BoundField | None
    paragraphs: list[str]
    has_figures: bool


def _rows(doc: Printable, form: SectionTextForm | None = None) -> list[SectionRow]:
    return [
        SectionRow(
            stored=s,
            field=form[text_field_name(s.key)] if form is not None else None,
            paragraphs=school_text(s, is_draft=doc.is_draft),
            has_figures=has_figures(s),
        )
        for s in doc.sections
    ]


def _page_context(actor: Actor, version: DocumentVersion, doc: Printable) -> dict[str, Any]:
    later = later_versions(version)
    return {
        "version": version,
        "doc": doc,
        "may_manage": _may_manage(actor, version),
        "later": later,
        "open_draft": next((v for v in later if v.status == VersionStatus.DRAFT), None),
        "heading": doc.title,
    }


@require_http_methods(["GET", "POST"])
@allow(Resource.SCHOOL_DOCUMENT)
def document_version_view(request: HttpRequest, actor: Actor, version_id: uuid.UUID) -> HttpResponse:
    version = version_opened(actor=actor, version_id=version_id)
    doc = printable(version)
    context = _page_context(actor, version, doc)
    editable = context["may_manage"] and version.status == VersionStatus.DRAFT
    if not editable:
        if request.method == "POST":
            if not context["may_manage"]:
                raise Http404()
            messages.error(request, "This version has been published, so its text cannot change.")
            return redirect(_version_url(version))
        return render(request, "documents/version.html", {**context, "rows": _rows(doc)})
    form = SectionTextForm(request.POST if request.method == "POST" else None, sections=doc.sections)
    rows = _rows(doc, form)
    return form_flow(
        request,
        form,
        save=lambda: document_version_text_save(actor=actor, version_id=version.pk, texts=form.texts()),
        next_url=_version_url,
        page=FormPage(
            heading=doc.title,
            submit_label="Save the text",
            cancel_url=reverse("documents"),
            extra={**context, "rows": rows},
        ),
        template="documents/version.html",
        success="Text saved.",
        repeats_by_typing=False,
    )


def _button(request: HttpRequest, action: Any, done: str, version_id: uuid.UUID) -> HttpResponse:
    """A button's post: the service's answer as a message, then back to the version it made or changed."""
    try:
        version = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("document_version", kwargs={"version_id": version_id}))
    messages.success(request, done.format(number=version.number))
    return redirect(_version_url(version))


@require_POST
@allow(Resource.SCHOOL_DOCUMENT, Action.MANAGE)
def document_version_refresh_view(request: HttpRequest, actor: Actor, version_id: uuid.UUID) -> HttpResponse:
    return _button(
        request,
        lambda: document_version_refresh(actor=actor, version_id=version_id),
        "Figures drawn again from today's data; your text is as it was.",
        version_id,
    )


@require_POST
@allow(Resource.SCHOOL_DOCUMENT, Action.MANAGE)
def document_version_publish_view(request: HttpRequest, actor: Actor, version_id: uuid.UUID) -> HttpResponse:
    return _button(
        request,
        lambda: document_version_publish(actor=actor, version_id=version_id),
        "Version {number} published. It will not change from now on.",
        version_id,
    )


@require_POST
@allow(Resource.SCHOOL_DOCUMENT, Action.MANAGE)
def document_version_revise_view(request: HttpRequest, actor: Actor, version_id: uuid.UUID) -> HttpResponse:
    return _button(
        request,
        lambda: document_version_revise(actor=actor, version_id=version_id),
        "Version {number} started from the published text. Change it, then publish it.",
        version_id,
    )


@allow(Resource.SCHOOL_DOCUMENT)
def document_version_pdf_view(request: HttpRequest, actor: Actor, version_id: uuid.UUID) -> HttpResponse:
    doc = printable(version_opened(actor=actor, version_id=version_id, taken_as="pdf"))
    return attachment(HttpResponse(document_pdf(doc), content_type="application/pdf"), f"{doc.file_stem}.pdf")


@allow(Resource.SCHOOL_DOCUMENT)
def document_version_docx_view(request: HttpRequest, actor: Actor, version_id: uuid.UUID) -> HttpResponse:
    doc = printable(version_opened(actor=actor, version_id=version_id, taken_as="docx"))
    return attachment(HttpResponse(document_docx(doc), content_type=DOCX_TYPE), f"{doc.file_stem}.docx")
