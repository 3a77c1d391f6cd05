"""Writes for specialist advice: asking for it or recording it, its arrival, its documents, its
recommendations, and withdrawing a record made by mistake.

Each is one transaction with its audit event (field names only). A document is checked from its own bytes
(tandem/lib/uploads.py) before anything is written; a refused file is never stored, and a stored file
whose row then fails to save is removed again, so no file is kept that no record points to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.advice import storage
from tandem.advice.kinds import ADVICE
from tandem.advice.models import (
    AdviceDocument,
    Profession,
    Recommendation,
    RecommendationStatus,
    SpecialistAdvice,
)
from tandem.audit.services import audit_record
from tandem.core.validation import require_past_or_today, require_text
from tandem.lib.uploads import FileKind, UploadRefused, check_size, display_name, identify
from tandem.plans.models import Target
from tandem.provision.models import Intervention
from tandem.revisions.services import record_withdraw

WITHDRAWN = "This advice has been withdrawn, so nothing more can be added to it."
ALREADY_ATTACHED = "This file is already attached to this advice."
NOT_RECEIVED = "Record that the advice has arrived before adding what it recommends."


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: the name the person's computer gave it, its size, and how to read it (read only
    once the size has passed, so an oversized file is never taken into memory)."""

    name: str
    size: int
    read: Callable[[], bytes]

    @classmethod
    def of_bytes(cls, name: str, data: bytes) -> Upload:
        return cls(name=name, size=len(data), read=lambda: data)


@dataclass(frozen=True)
class AdviceFields:
    profession: str
    organisation: str
    requested_on: dt.date | None
    other_profession: str = ""
    professional_name: str = ""
    received_on: dt.date | None = None
    summary: str = ""


@dataclass(frozen=True)
class RecommendationFields:
    text: str
    status: str
    target_id: uuid.UUID | str | None = None
    intervention_id: uuid.UUID | str | None = None
    not_taken_up_reason: str = ""


# ---------------------------------------------------------------- checks
def _advice_values(fields: AdviceFields) -> dict[str, object]:
    if fields.profession not in Profession.values:
        raise ValidationError({"profession": "Choose the specialist's profession."})
    other = fields.other_profession.strip() if fields.profession == Profession.OTHER else ""
    if fields.profession == Profession.OTHER and not other:
        raise ValidationError({"other_profession": "Name the profession, for example 'Dietitian'."})
    text = require_text(organisation=fields.organisation)
    requested_on = require_past_or_today(fields.requested_on, "requested_on")
    received_on = fields.received_on
    summary = fields.summary.strip()
    if received_on is not None:
        require_past_or_today(received_on, "received_on")
        if received_on < requested_on:
            raise ValidationError({"received_on": "The advice arrives on or after the day it was asked for."})
        if not summary:
            raise ValidationError(
                {"summary": "Summarise what the advice says: its main points, in a few lines."}
            )
    return {
        "profession": fields.profession,
        "other_profession": other,
        "professional_name": fields.professional_name.strip(),
        "requested_on": requested_on,
        "received_on": received_on,
        "summary": summary,
        **text,
    }


def _checked_file(upload: Upload) -> tuple[FileKind, bytes]:
    """The file's kind and bytes, or a ValidationError on the document field saying why it is refused."""
    try:
        check_size(upload.size, max_bytes=settings.TANDEM_DOCUMENT_MAX_BYTES)
        data = upload.read()
        # The size again, from the bytes themselves: the size given may not be the size sent.
        check_size(len(data), max_bytes=settings.TANDEM_DOCUMENT_MAX_BYTES)
        return identify(data), data
    except UploadRefused as refused:
        raise ValidationError({"document": refused.message}) from None


def _open(advice: SpecialistAdvice) -> SpecialistAdvice:
    """The advice locked until the transaction ends, refused if withdrawn."""
    locked = SpecialistAdvice.objects.select_for_update().get(pk=advice.pk)
    if locked.is_withdrawn:
        raise ValidationError(WITHDRAWN)
    return locked


def _attach(
    *, actor: Actor, advice: SpecialistAdvice, name: str, checked: tuple[FileKind, bytes], stored: list[str]
) -> AdviceDocument:
    """Store one checked document and record it. Call inside `_all_or_nothing`, whose list `stored` the
    file's name joins the moment it exists, so any failure from here on removes it."""
    kind, data = checked
    sha256 = hashlib.sha256(data).hexdigest()
    if AdviceDocument.objects.filter(advice=advice, sha256=sha256).exists():
        raise ValidationError({"document": ALREADY_ATTACHED})
    stored_name = storage.store(data, kind)
    stored.append(stored_name)
    try:
        with transaction.atomic():
            document = AdviceDocument.objects.create(
                advice=advice,
                pupil_id=advice.pupil_id,
                school_id=advice.school_id,
                original_name=display_name(name, kind),
                stored_name=stored_name,
                content_type=kind.content_type,
                size=len(data),
                sha256=sha256,
                uploaded_by_id=actor.user_id,
            )
    except IntegrityError:
        # The same file sent twice at once: the other upload holds it.
        raise ValidationError({"document": ALREADY_ATTACHED}) from None
    audit_record(
        actor=actor,
        action="advice_document.upload",
        target_type="specialist_advice",
        target_id=advice.pk,
        school_id=advice.school_id,
        fields=["document"],
    )
    return document


@contextlib.contextmanager
def _all_or_nothing() -> Iterator[list[str]]:
    """One transaction for a write that may store files: if anything fails (a check, the row, the audit
    event, the commit), the files it stored are removed again, so no file is left that no record names."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for stored_name in stored:
            storage.remove(stored_name)
        raise


# ---------------------------------------------------------------- writes
def advice_record(
    *, actor: Actor, pupil_id: uuid.UUID, fields: AdviceFields, document: Upload | None = None
) -> SpecialistAdvice:
    """Record advice asked for (no received date yet) or already received (with its summary), and its
    document if one came with it."""
    pupil = pupil_or_404(actor, pupil_id, Resource.SPECIALIST_ADVICE, Action.MANAGE)
    values = _advice_values(fields)
    # A bad file is refused before anything is saved, and never stored.
    checked = _checked_file(document) if document is not None else None
    with _all_or_nothing() as stored:
        advice = SpecialistAdvice.objects.create(
            pupil=pupil, school_id=pupil.school_id, created_by_id=actor.user_id, **values
        )
        audit_record(
            actor=actor,
            action="specialist_advice.record",
            target_type="specialist_advice",
            target_id=advice.pk,
            school_id=pupil.school_id,
            fields=[name for name, value in values.items() if value not in ("", None)],
        )
        if document is not None and checked is not None:
            _attach(actor=actor, advice=advice, name=document.name, checked=checked, stored=stored)
    return advice


def advice_receive(
    *,
    actor: Actor,
    advice_id: uuid.UUID,
    received_on: dt.date | None,
    summary: str,
    document: Upload | None = None,
) -> SpecialistAdvice:
    """The advice has arrived: the date, what it says, and the document it came as."""
    advice = pupil_record_or_404(
        actor, SpecialistAdvice, advice_id, Resource.SPECIALIST_ADVICE, Action.MANAGE
    )

    checked = _checked_file(document) if document is not None else None
    with _all_or_nothing() as stored:
        locked = _open(advice)
        if locked.received_on is not None:
            already = f"{locked.received_on:%-d %B %Y}"
            raise ValidationError(
                {"received_on": f"This advice was already recorded as received on {already}."}
            )
        values = _advice_values(
            AdviceFields(
                profession=locked.profession,
                other_profession=locked.other_profession,
                organisation=locked.organisation,
                requested_on=locked.requested_on,
                received_on=require_past_or_today(received_on, "received_on"),
                summary=summary,
            )
        )
        locked.received_on = received_on
        locked.summary = str(values["summary"])
        locked.save(update_fields=["received_on", "summary"])
        audit_record(
            actor=actor,
            action="specialist_advice.receive",
            target_type="specialist_advice",
            target_id=locked.pk,
            school_id=locked.school_id,
            fields=["received_on", "summary"],
        )
        if document is not None and checked is not None:
            _attach(actor=actor, advice=locked, name=document.name, checked=checked, stored=stored)
    return locked


def advice_document_add(*, actor: Actor, advice_id: uuid.UUID, document: Upload) -> AdviceDocument:
    """Another document for advice already recorded (a second report, a letter that followed)."""
    advice = pupil_record_or_404(
        actor, SpecialistAdvice, advice_id, Resource.SPECIALIST_ADVICE, Action.MANAGE
    )
    checked = _checked_file(document)
    with _all_or_nothing() as stored:
        locked = _open(advice)
        return _attach(actor=actor, advice=locked, name=document.name, checked=checked, stored=stored)


def _recommendation_links(
    advice: SpecialistAdvice, fields: RecommendationFields
) -> tuple[Target | None, Intervention | None]:
    """Only a target of this pupil's own plans, and only an intervention of this school's catalogue."""
    target = intervention = None
    if fields.target_id:
        target = (
            Target.objects.filter(
                pk=fields.target_id,
                pupil_id=advice.pupil_id,
                withdrawn_at__isnull=True,
                plan__withdrawn_at__isnull=True,
            )
            .select_related("plan")
            .first()
        )
        if target is None:
            raise ValidationError({"target": "Choose one of this pupil's targets, or none."})
    if fields.intervention_id:
        intervention = Intervention.objects.filter(
            pk=fields.intervention_id, school_id=advice.school_id, is_active=True
        ).first()
        if intervention is None:
            raise ValidationError(
                {"intervention": "Choose an intervention from the school's catalogue, or none."}
            )
    return target, intervention


def recommendation_add(*, actor: Actor, advice_id: uuid.UUID, fields: RecommendationFields) -> Recommendation:
    advice = pupil_record_or_404(
        actor, SpecialistAdvice, advice_id, Resource.SPECIALIST_ADVICE, Action.MANAGE
    )
    with transaction.atomic():
        locked = _open(advice)
        if locked.received_on is None:
            raise ValidationError(NOT_RECEIVED)
        text = require_text(text=fields.text)["text"]
        if fields.status not in RecommendationStatus.values:
            raise ValidationError({"status": "Choose whether it is planned, in place or not taken up."})
        reason = (
            fields.not_taken_up_reason.strip() if fields.status == RecommendationStatus.NOT_TAKEN_UP else ""
        )
        if fields.status == RecommendationStatus.NOT_TAKEN_UP and not reason:
            raise ValidationError(
                {"not_taken_up_reason": "Say why it was not taken up: parents and the next review will ask."}
            )
        target, intervention = _recommendation_links(locked, fields)
        recommendation = Recommendation.objects.create(
            advice=locked,
            pupil_id=locked.pupil_id,
            school_id=locked.school_id,
            text=text,
            target=target,
            intervention=intervention,
            status=fields.status,
            not_taken_up_reason=reason,
            created_by_id=actor.user_id,
        )
        audit_record(
            actor=actor,
            action="recommendation.add",
            target_type="specialist_advice",
            target_id=locked.pk,
            school_id=locked.school_id,
            fields=[
                "text",
                "status",
                *(["target"] if target else []),
                *(["intervention"] if intervention else []),
                *(["not_taken_up_reason"] if reason else []),
            ],
        )
        return recommendation


def advice_withdraw(
    *, actor: Actor, advice_id: uuid.UUID, version: int | None, reason: str
) -> SpecialistAdvice:
    """Withdraw advice recorded by mistake (the wrong pupil): it leaves the list; its page, its documents
    (for those who may see them) and its history stay."""
    advice = pupil_record_or_404(
        actor, SpecialistAdvice, advice_id, Resource.SPECIALIST_ADVICE, Action.MANAGE
    )
    with transaction.atomic():
        return record_withdraw(actor=actor, record=advice, kind=ADVICE, version=version, reason=reason)
