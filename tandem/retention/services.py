"""Applying the retention schedule: what is due, what is held back, and deleting it, with an audit event per
record type and count. `retention_plan` only reads; `retention_apply` deletes what the plan found, in one
transaction per school, or nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.advice.models import AdviceDocument, Recommendation, SpecialistAdvice
from tandem.audit.services import audit_record
from tandem.ehc.models import AnnualReview, EhcNeed, EhcOutcome, EhcPlan, EhcProvision
from tandem.exchange.models import MisSenStatus
from tandem.inclusion.models import InclusionBasePlacement
from tandem.parents.models import MeetingRequest, MeetingResponse, ParentViews, Sharing, ViewsRequest
from tandem.people.models import Pupil
from tandem.plans.models import ParentMeeting, SupportPlan, Target, TargetProgress
from tandem.progress.models import FirstResponse
from tandem.provision.models import Placement, SessionAttendance
from tandem.pupil_voice.models import AboutMe
from tandem.register.models import (
    Concern,
    Passport,
    Provision,
    SenNeed,
    SenStatusPeriod,
    SenSupportDecision,
)
from tandem.retention.models import LegalHold, RecordType, RetentionPeriod
from tandem.retention.schedule import DEFAULT_YEARS, born_before
from tandem.revisions.models import RecordVersion, SharedDocument
from tandem.schools.models import School, Trust
from tandem.subject_access.models import RequestStatus, SubjectAccessRequest

# The SEN records of a pupil, in the order they are deleted (records pointing at others first).
SEN_MODELS = (
    # Earlier versions of corrected records hold the same SEN details, so they go with them.
    RecordVersion,
    SharedDocument,
    # Documents before the advice they came with, recommendations before the targets they point at.
    AdviceDocument,
    Recommendation,
    SpecialistAdvice,
    InclusionBasePlacement,
    AboutMe,
    MeetingResponse,
    MeetingRequest,
    ParentViews,
    ViewsRequest,
    Sharing,
    AnnualReview,
    EhcProvision,
    EhcOutcome,
    EhcNeed,
    EhcPlan,
    TargetProgress,
    Target,
    ParentMeeting,
    SupportPlan,
    FirstResponse,
    SenSupportDecision,
    Concern,
    Passport,
    SessionAttendance,
    Placement,
    SenNeed,
    SenStatusPeriod,
    MisSenStatus,
)


def retention_years(school: School) -> dict[str, int]:
    """The school's periods: its trust's own where it set one, else the defaults."""
    years = dict(DEFAULT_YEARS)
    if school.trust_id is not None:
        for period in RetentionPeriod.objects.filter(trust_id=school.trust_id):
            years[period.record_type] = period.years
    return years


@dataclass
class SchoolPlan:
    school: School
    years: dict[str, int]
    due: dict[str, int] = field(default_factory=dict)  # record type -> how many records
    held: dict[str, int] = field(default_factory=dict)  # record type -> how many pupils held back
    sen_pupils: list[uuid.UUID] = field(default_factory=list)
    leaver_pupils: list[uuid.UUID] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, object]]:
        """A row per kind of record, for the Retention page."""
        return [
            {"label": t.label, "years": self.years[t], "due": self.due.get(t, 0), "held": self.held.get(t, 0)}
            for t in RecordType
        ]


def _held(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """Pupils with an open subject access request or legal hold: nothing of theirs is deleted."""
    open_request = SubjectAccessRequest.objects.filter(pupil=OuterRef("pk"), status=RequestStatus.OPEN)
    hold = LegalHold.objects.filter(pupil=OuterRef("pk"), released_at__isnull=True)
    return pupils.filter(Exists(open_request) | Exists(hold))


def _with_sen_records() -> Q:
    """A pupil with any SEN record left (deleting the pupil would take them early). A status history of "no
    SEN" only (Tandem's or the MIS's) is part of the pupil's ordinary record, not an SEN file: it goes with
    the pupil."""

    def records(model: type[Model]) -> QuerySet[Any]:
        rows = model._default_manager.filter(pupil=OuterRef("pk"))
        return rows.exclude(provision=Provision.NONE) if model in (SenStatusPeriod, MisSenStatus) else rows

    return Q(*(Exists(records(model)) for model in SEN_MODELS), _connector=Q.OR)


def retention_plan(*, school: School, today: dt.date | None = None) -> SchoolPlan:
    today = today or timezone.localdate()
    years = retention_years(school)
    plan = SchoolPlan(school=school, years=years)
    pupils = Pupil.objects.filter(school=school)

    sen_due = pupils.filter(date_of_birth__lt=born_before(today, years[RecordType.SEN_RECORDS]))
    held = _held(sen_due)
    plan.sen_pupils = list(sen_due.exclude(pk__in=held.values("pk")).values_list("pk", flat=True))
    plan.due[RecordType.SEN_RECORDS] = sum(
        model._default_manager.filter(pupil_id__in=plan.sen_pupils).count() for model in SEN_MODELS
    )
    plan.held[RecordType.SEN_RECORDS] = held.count()

    # A leaver whose own period has passed, and whose SEN records are gone or going now.
    leavers = pupils.filter(
        left_on__isnull=False, date_of_birth__lt=born_before(today, years[RecordType.PUPIL])
    )
    keeps_sen = leavers.filter(_with_sen_records()).exclude(pk__in=plan.sen_pupils)
    held_leavers = _held(leavers)
    due = leavers.exclude(pk__in=keeps_sen.values("pk")).exclude(pk__in=held_leavers.values("pk"))
    plan.leaver_pupils = list(due.values_list("pk", flat=True))
    plan.due[RecordType.PUPIL] = len(plan.leaver_pupils)
    plan.held[RecordType.PUPIL] = held_leavers.count()
    return plan


def retention_apply(*, school: School, today: dt.date | None = None) -> SchoolPlan:
    """Delete what the schedule says is due at the school (never a held pupil's), all or nothing."""
    with transaction.atomic():
        plan = retention_plan(school=school, today=today)
        deleted = 0
        # A plan's next cycle points at it (protected): unlink the cycles first, as they all go together.
        SupportPlan.objects.filter(pupil_id__in=plan.sen_pupils).update(previous=None)
        for model in SEN_MODELS:
            _, by_model = model._default_manager.filter(pupil_id__in=plan.sen_pupils).delete()
            deleted += by_model.get(model._meta.label, 0)
        if plan.sen_pupils:
            _record(school, RecordType.SEN_RECORDS, deleted)
        if plan.leaver_pupils:
            # The school's record of an answered request or a released hold goes with the pupil.
            SubjectAccessRequest.objects.filter(pupil_id__in=plan.leaver_pupils).delete()
            LegalHold.objects.filter(pupil_id__in=plan.leaver_pupils).delete()
            Pupil.objects.filter(pk__in=plan.leaver_pupils).delete()
            _record(school, RecordType.PUPIL, len(plan.leaver_pupils))
    return plan


def _record(school: School, record_type: str, count: int) -> None:
    # Codes and a count only: the event names no pupil.
    audit_record(
        actor=None,
        action="retention.delete",
        target_type=f"retention:{record_type}",
        target_id=count,
        school_id=school.pk,
    )


def retention_period_set(
    *, trust: Trust, record_type: str, years: str, actor: Actor | None = None
) -> int | None:
    """Change a trust's period for a kind of record ("default" removes its own); returns the years now set,
    None for the default. Audited."""
    if years == "default":
        RetentionPeriod.objects.filter(trust=trust, record_type=record_type).delete()
        value = None
    else:
        try:
            value = int(years)
        except ValueError:
            raise ValidationError("Give the years as a whole number, for example sen_records=35.") from None
        if not 1 <= value <= 100:
            raise ValidationError("A period is between 1 and 100 years.")
        RetentionPeriod.objects.update_or_create(
            trust=trust, record_type=record_type, defaults={"years": value}
        )
    audit_record(
        actor=actor,
        action="retention.period",
        target_type=f"retention:{record_type}",
        target_id=trust.pk,
        fields=["years"],
    )
    return value


def legal_hold_place(*, pupil: Pupil, reason: str, actor: Actor | None = None) -> LegalHold:
    """Stop the schedule deleting anything about the pupil until the hold is released. Audited."""
    if not reason.strip():
        raise ValidationError("Say why the records are held (a claim, a complaint, an inquiry).")
    hold = LegalHold.objects.create(
        pupil=pupil, reason=reason.strip()[:200], placed_by_id=actor.user_id if actor else None
    )
    audit_record(
        actor=actor,
        action="retention.hold",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
    )
    return hold


def legal_hold_release(*, pupil: Pupil, actor: Actor | None = None) -> int:
    """Release the pupil's open holds; returns how many. Audited."""
    released = LegalHold.objects.filter(pupil=pupil, released_at__isnull=True).update(
        released_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="retention.release",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
    )
    return released


def legal_hold_release_one(*, actor: Actor, hold: LegalHold) -> LegalHold:
    """Release one hold (from the Retention page). Audited."""
    LegalHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(released_at=timezone.now())
    audit_record(
        actor=actor,
        action="retention.release",
        target_type="pupil",
        target_id=hold.pupil_id,
        school_id=hold.pupil.school_id,
    )
    hold.refresh_from_db()
    return hold


def retention_trust_periods(*, trust_id: int) -> dict[str, int]:
    """The trust's own periods (kinds of record with none set are left out)."""
    return dict(RetentionPeriod.objects.filter(trust_id=trust_id).values_list("record_type", "years"))


def retention_periods_set(*, actor: Actor, trust_id: int, years: dict[str, int | None]) -> Trust:
    """Save a trust's periods from the Retention page: a number sets the trust's own, None the default."""
    trust = Trust.objects.get(pk=trust_id)
    for record_type in RecordType.values:
        value = years.get(record_type)
        retention_period_set(
            actor=actor,
            trust=trust,
            record_type=record_type,
            years="default" if value is None else str(value),
        )
    return trust
