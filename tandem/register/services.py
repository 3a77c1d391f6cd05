"""Writes to the register side of the graduated approach: concerns, the move onto SEN support, passports.

Each is one transaction with its audit event; audit events name fields, never their values.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.audit.services import audit_record
from tandem.core.validation import require_date, require_past_or_today, require_text
from tandem.people.models import Pupil
from tandem.register.models import (
    BroadArea,
    Concern,
    ConcernStatus,
    NeedType,
    Passport,
    PassportRead,
    Provision,
    SenNeed,
    SenStatusPeriod,
    SenSupportDecision,
)
from tandem.revisions.kinds import CONCERN
from tandem.revisions.services import (
    STALE,
    WITHDRAWAL_FIELDS,
    WITHDRAWN,
    reason_text,
    record_correct,
    record_withdraw,
)


def _require_area(area: str) -> None:
    if area not in BroadArea.values:
        raise ValidationError({"area": "Choose the area of need that best fits what you saw."})


def concern_raise(
    *, actor: Actor, pupil_id: uuid.UUID, area: str, observed: str, evidence: str = "", raised_on: dt.date
) -> Concern:
    """Any adult who works with the pupil records what they saw; it reaches the teachers and the SENCo."""
    pupil = pupil_or_404(actor, pupil_id, Resource.CONCERN, Action.ADD)
    with transaction.atomic():
        _require_area(area)
        text = require_text(observed=observed)
        require_past_or_today(raised_on, "raised_on")
        concern = Concern.objects.create(
            pupil=pupil,
            school_id=pupil.school_id,
            raised_by_id=actor.user_id,
            raised_on=raised_on,
            area=area,
            observed=text["observed"],
            evidence=evidence.strip(),
        )
        audit_record(
            actor=actor,
            action="concern.raise",
            target_type="concern",
            target_id=concern.pk,
            school_id=pupil.school_id,
            fields=["area", "observed", "evidence"],
        )
        return concern


def concern_next_step(*, actor: Actor, concern_id: uuid.UUID, status: str, note: str) -> Concern:
    """The teacher or SENCo records what happens next. A first response is recorded on its own page."""
    concern = pupil_record_or_404(actor, Concern, concern_id, Resource.CONCERN, Action.MANAGE)
    with transaction.atomic():
        if concern.is_withdrawn:
            raise ValidationError(WITHDRAWN)
        allowed = {ConcernStatus.REFERRED, ConcernStatus.NO_ACTION, ConcernStatus.FIRST_RESPONSE}
        if status not in allowed:
            raise ValidationError({"status": "Choose what happens next."})
        if status == ConcernStatus.NO_ACTION:
            note = require_text(note=note)["note"]
        concern.status = status
        concern.next_step_note = note.strip()
        concern.next_step_by_id = actor.user_id
        concern.next_step_on = timezone.localdate()
        concern.save(update_fields=["status", "next_step_note", "next_step_by", "next_step_on"])
        audit_record(
            actor=actor,
            action="concern.next_step",
            target_type="concern",
            target_id=concern.pk,
            school_id=concern.school_id,
            fields=["status", "next_step_note"],
        )
        return concern


def concern_correct(
    *,
    actor: Actor,
    concern_id: uuid.UUID,
    version: int | None,
    area: str,
    observed: str,
    raised_on: dt.date | None,
    evidence: str = "",
    reason: str = "",
) -> Concern:
    """Correct what a concern says: anyone who may raise a concern about the pupil."""
    concern = pupil_record_or_404(actor, Concern, concern_id, Resource.CONCERN, Action.ADD)
    with transaction.atomic():
        _require_area(area)
        text = require_text(observed=observed)
        day = require_past_or_today(raised_on, "raised_on")
        values = {"raised_on": day, "area": area, "observed": text["observed"], "evidence": evidence.strip()}
        return record_correct(
            actor=actor, record=concern, kind=CONCERN, version=version, values=values, reason=reason
        )


def concern_withdraw(*, actor: Actor, concern_id: uuid.UUID, version: int | None, reason: str) -> Concern:
    """Withdraw a concern raised by mistake: the pupil's teachers or the SENCo, who decide its next step."""
    concern = pupil_record_or_404(actor, Concern, concern_id, Resource.CONCERN, Action.MANAGE)
    with transaction.atomic():
        return record_withdraw(actor=actor, record=concern, kind=CONCERN, version=version, reason=reason)


def sen_support_start(
    *,
    actor: Actor,
    pupil_id: uuid.UUID,
    decided_on: dt.date,
    evidence: str,
    pupil_views: str,
    parent_views: str,
    parents_informed_on: dt.date | None,
    parent_note: str,
    need_codes: Sequence[str],
) -> SenSupportDecision:
    """Record the SENCo's decision (6.43): the register period K and ranked needs follow from it.

    Parents must have been told, and given a short note (6.38-6.40): both are required.
    """
    pupil = pupil_or_404(actor, pupil_id, Resource.SEN_RECORD, Action.MANAGE)
    with transaction.atomic():
        text = require_text(
            evidence=evidence, pupil_views=pupil_views, parent_views=parent_views, parent_note=parent_note
        )
        informed_on = require_date(
            parents_informed_on,
            "parents_informed_on",
            "Enter the date the parents were told of the decision.",
        )
        require_past_or_today(decided_on, "decided_on")
        require_past_or_today(informed_on, "parents_informed_on")
        codes = [code for code in need_codes if code]
        if not codes:
            raise ValidationError({"need_codes": "Choose the pupil's primary need (rank 1)."})
        if len(set(codes)) != len(codes):
            raise ValidationError({"need_codes": "Each need can be listed once."})
        known = set(NeedType.objects.filter(code__in=codes, is_current=True).values_list("code", flat=True))
        if unknown := [code for code in codes if code not in known]:
            raise ValidationError({"need_codes": f"Not a current type of need: {', '.join(unknown)}."})
        # The pupil's row lock makes two decisions for one pupil take turns: the second finds the first's
        # open period here instead of failing on senperiod_one_open_per_pupil (a 500).
        Pupil.objects.select_for_update(no_key=True).filter(pk=pupil.pk).first()
        current = (
            SenStatusPeriod.objects.select_for_update().filter(pupil=pupil, ends_on__isnull=True).first()
        )
        if current is not None and current.provision != Provision.NONE:
            raise ValidationError(f"This pupil already has {current.get_provision_display()} recorded.")
        if current is not None:
            if decided_on < current.starts_on:
                raise ValidationError({"decided_on": "This is before the pupil's current status began."})
            current.ends_on = max(current.starts_on, decided_on - dt.timedelta(days=1))
            current.save(update_fields=["ends_on"])
        period = SenStatusPeriod.objects.create(
            pupil=pupil, school_id=pupil.school_id, provision=Provision.SEN_SUPPORT, starts_on=decided_on
        )
        SenNeed.objects.filter(pupil=pupil, ends_on__isnull=True).update(ends_on=decided_on)
        SenNeed.objects.bulk_create(
            SenNeed(
                pupil=pupil, school_id=pupil.school_id, need_type_id=code, rank=rank, starts_on=decided_on
            )
            for rank, code in enumerate(codes, start=1)
        )
        decision = SenSupportDecision.objects.create(
            pupil=pupil,
            school_id=pupil.school_id,
            decided_on=decided_on,
            decided_by_id=actor.user_id,
            parents_informed_on=informed_on,
            period=period,
            **text,
        )
        audit_record(
            actor=actor,
            action="sen_support.start",
            target_type="pupil",
            target_id=pupil.pk,
            school_id=pupil.school_id,
            fields=["provision", "needs", "evidence", "pupil_views", "parent_views", "parent_note"],
        )
        return decision


def sen_support_end(*, actor: Actor, pupil_id: uuid.UUID, ends_on: dt.date) -> None:
    """Close SEN support after a review finds the needs met; the pupil returns to N. Part of a review."""
    pupil = pupil_or_404(actor, pupil_id, Resource.SEN_RECORD, Action.MANAGE)
    current = SenStatusPeriod.objects.select_for_update().filter(pupil=pupil, ends_on__isnull=True).first()
    if current is None or current.provision != Provision.SEN_SUPPORT:
        raise ValidationError("Only SEN support can be ended at a plan review; this pupil is not on it.")
    current.ends_on = max(current.starts_on, ends_on)
    current.save(update_fields=["ends_on"])
    SenNeed.objects.filter(pupil=pupil, ends_on__isnull=True).update(ends_on=current.ends_on)
    SenStatusPeriod.objects.create(
        pupil=pupil,
        school_id=pupil.school_id,
        provision=Provision.NONE,
        starts_on=current.ends_on + dt.timedelta(days=1),
    )
    audit_record(
        actor=actor,
        action="sen_support.end",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
        fields=["provision", "needs"],
    )


def _current_passport_version(pupil_id: uuid.UUID) -> int:
    """The version everyone reads (0 when there is none): the newest not withdrawn."""
    current = Passport.objects.filter(pupil_id=pupil_id, withdrawn_at__isnull=True).aggregate(
        v=Max("version")
    )
    return int(current["v"] or 0)


def passport_write(
    *,
    actor: Actor,
    pupil_id: uuid.UUID,
    strengths: str,
    needs: str,
    what_helps: str,
    version: int | None = None,
) -> Passport:
    """A new version of the pupil's passport (also how a passport is corrected: the versions are its
    history); everyone who works with them is asked to read it again. `version` is the one the writer
    started from: if someone saved another since, nothing is saved."""
    pupil = pupil_or_404(actor, pupil_id, Resource.PASSPORT, Action.MANAGE)
    with transaction.atomic():
        text = require_text(strengths=strengths, needs=needs, what_helps=what_helps)
        # Two versions saved at once take turns on the pupil's row, so each gets the next number instead
        # of one failing on passport_version_unique (a 500).
        Pupil.objects.select_for_update(no_key=True).filter(pk=pupil.pk).first()
        if version is not None and version != _current_passport_version(pupil.pk):
            raise ValidationError(STALE)
        latest = Passport.objects.filter(pupil=pupil).aggregate(v=Max("version"))["v"] or 0
        passport = Passport.objects.create(
            pupil=pupil, school_id=pupil.school_id, version=latest + 1, written_by_id=actor.user_id, **text
        )
        # The author has read what they wrote.
        PassportRead.objects.create(passport=passport, user_id=actor.user_id)
        audit_record(
            actor=actor,
            action="passport.write",
            target_type="passport",
            target_id=passport.pk,
            school_id=pupil.school_id,
            fields=["strengths", "needs", "what_helps"],
        )
        return passport


def passport_withdraw(*, actor: Actor, passport_id: uuid.UUID, version: int | None, reason: str) -> Passport:
    """Withdraw the current version (written for the wrong pupil, say): the version before it is read
    again. `version` is the one the page showed: if someone saved another since, nothing changes."""
    passport = pupil_record_or_404(actor, Passport, passport_id, Resource.PASSPORT, Action.MANAGE)
    with transaction.atomic():
        text = reason_text(require_text(reason=reason)["reason"])
        Pupil.objects.select_for_update(no_key=True).filter(pk=passport.pupil_id).first()
        if version != passport.version or passport.version != _current_passport_version(passport.pupil_id):
            raise ValidationError(STALE)
        passport.withdrawn_at = timezone.now()
        passport.withdrawn_by_id = actor.user_id
        passport.withdrawn_reason = text
        passport.save(update_fields=list(WITHDRAWAL_FIELDS))
        audit_record(
            actor=actor,
            action="passport.withdraw",
            target_type="passport",
            target_id=passport.pk,
            school_id=passport.school_id,
            fields=WITHDRAWAL_FIELDS,
        )
        return passport


def passport_mark_read(*, actor: Actor, passport_id: uuid.UUID) -> PassportRead:
    passport = pupil_record_or_404(actor, Passport, passport_id, Resource.PASSPORT, Action.ADD)
    with transaction.atomic():
        if passport.version != _current_passport_version(passport.pupil_id):
            raise ValidationError("A newer version of this passport exists: read that one.")
        receipt, created = PassportRead.objects.get_or_create(passport=passport, user_id=actor.user_id)
        if created:
            audit_record(
                actor=actor,
                action="passport.read",
                target_type="passport",
                target_id=passport.pk,
                school_id=passport.school_id,
                fields=["read_at"],
            )
        return receipt
