"""Reads for specialist advice, each starting from the access scopes (another school's advice, or a pupil
the person does not teach, is a 404) and leaving a view event in the audit trail."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.advice import storage
from tandem.advice.kinds import ADVICE
from tandem.advice.models import AdviceDocument, Recommendation, SpecialistAdvice
from tandem.audit.services import audit_record
from tandem.people.models import Pupil
from tandem.plans.models import Target
from tandem.revisions.selectors import HistoryRow, record_history

logger = logging.getLogger("tandem.advice")


@dataclass(frozen=True)
class AdviceList:
    pupil: Pupil
    advice: list[SpecialistAdvice]  # newest request first; withdrawn records left out
    withdrawn: list[SpecialistAdvice]


def advice_list(*, actor: Actor, pupil_id: uuid.UUID) -> AdviceList:
    pupil = pupil_or_404(actor, pupil_id, Resource.SPECIALIST_ADVICE)
    rows = list(
        SpecialistAdvice.objects.filter(pupil=pupil)
        .select_related("withdrawn_by")
        .prefetch_related(
            "documents",
            # With what each recommendation serves, so a page or the request pack naming them reads no more.
            Prefetch(
                "recommendations", queryset=Recommendation.objects.select_related("target", "intervention")
            ),
        )
    )
    audit_record(
        actor=actor,
        action="specialist_advice.list",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
    )
    return AdviceList(
        pupil=pupil,
        advice=[a for a in rows if not a.is_withdrawn],
        withdrawn=[a for a in rows if a.is_withdrawn],
    )


@dataclass(frozen=True)
class AdviceDetail:
    advice: SpecialistAdvice
    recommendations: list[Recommendation]
    documents: list[AdviceDocument]
    history: list[HistoryRow]


def advice_detail(*, actor: Actor, advice_id: uuid.UUID) -> AdviceDetail:
    advice = pupil_record_or_404(actor, SpecialistAdvice, advice_id, Resource.SPECIALIST_ADVICE)
    recommendations = list(
        advice.recommendations.select_related("target", "intervention", "created_by").order_by("created_at")
    )
    documents = list(advice.documents.select_related("uploaded_by").order_by("uploaded_at"))
    audit_record(
        actor=actor,
        action="specialist_advice.view",
        target_type="specialist_advice",
        target_id=advice.pk,
        school_id=advice.school_id,
    )
    return AdviceDetail(
        advice=advice,
        recommendations=recommendations,
        documents=documents,
        history=record_history(actor=actor, kind=ADVICE, record_id=advice.pk),
    )


def advice_document_file(*, actor: Actor, document_id: uuid.UUID) -> tuple[AdviceDocument, bytes]:
    """A document and its bytes, for someone who may see its advice; the file is checked against the digest
    taken when it was uploaded, so a file changed on disk is never handed out as the one uploaded."""
    document = pupil_record_or_404(actor, AdviceDocument, document_id, Resource.SPECIALIST_ADVICE)
    try:
        data = storage.read(document.stored_name)
    except (storage.StoredFileMissing, ValueError):
        # Ids only: the log never carries a name.
        logger.error("advice document file missing document=%s", document.pk)
        raise Http404() from None
    if hashlib.sha256(data).hexdigest() != document.sha256:
        logger.error("advice document file changed on disk document=%s", document.pk)
        raise Http404()
    audit_record(
        actor=actor,
        action="advice_document.download",
        target_type="advice_document",
        target_id=document.pk,
        school_id=document.school_id,
    )
    return document, data


def target_choices(*, pupil: Pupil) -> list[tuple[str, str]]:
    """The pupil's own targets (not withdrawn, in plans not withdrawn), newest plan first."""
    targets: QuerySet[Target] = (
        Target.objects.filter(pupil=pupil, withdrawn_at__isnull=True, plan__withdrawn_at__isnull=True)
        .select_related("plan")
        .order_by("-plan__cycle", "due_on", "created_at")
    )
    return [(str(t.pk), f"Plan {t.plan.cycle}: {_short(t.skill)} (by {t.due_on:%-d %B %Y})") for t in targets]


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
