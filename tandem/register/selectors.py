"""Reads of the SEN register. Every read that shows SEN data leaves one audit event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.access.scopes import current_enrolments, pupil_or_404, pupil_record_or_404, pupils_in_scope
from tandem.audit.services import audit_record
from tandem.lib.revisions import version_changes
from tandem.people.models import GroupStaff, Pupil, User
from tandem.people.selectors import PupilFilters, pupil_list, with_sen_summary
from tandem.register.models import (
    BroadArea,
    Concern,
    NeedType,
    Passport,
    PassportRead,
    Provision,
    SenNeed,
    SenStatusPeriod,
)
from tandem.revisions.kinds import CONCERN
from tandem.revisions.selectors import FieldChange, HistoryRow, record_history

ON_REGISTER = (Provision.SEN_SUPPORT.value, Provision.EHC_PLAN.value)
PASSPORT_LABELS = {
    "strengths": "What I am good at",
    "needs": "What I find hard",
    "what_helps": "What helps me",
}


@dataclass
class SenRecord:
    periods: list[SenStatusPeriod]
    needs: list[SenNeed]

    @property
    def current_provision(self) -> str:
        open_periods = [p for p in self.periods if p.ends_on is None]
        return open_periods[-1].provision if open_periods else Provision.NONE.value

    @property
    def current_needs(self) -> list[SenNeed]:
        return [need for need in self.needs if need.ends_on is None]


def sen_record_view(*, actor: Actor, pupil: Pupil) -> SenRecord:
    """A pupil's SEN history and needs, for a role allowed to read them; the read is audited."""
    pupil = pupil_or_404(actor, pupil.pk, Resource.SEN_RECORD)
    record = SenRecord(
        periods=list(SenStatusPeriod.objects.filter(pupil=pupil).order_by("starts_on", "id")),
        needs=list(
            SenNeed.objects.filter(pupil=pupil).select_related("need_type").order_by("ends_on", "rank")
        ),
    )
    audit_record(
        actor=actor,
        action="sen_record.view",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
        fields=["sen_periods", "sen_needs"],
    )
    return record


def register_list(*, actor: Actor, filters: PupilFilters, order: tuple[str, ...] = ()) -> QuerySet[Pupil]:
    """Pupils on the register (K or E) in scope; audited once per page by the caller via `register_viewed`."""
    ordered = {"order": order} if order else {}
    pupils = pupil_list(actor=actor, filters=filters, scope_resource=Resource.REGISTER, **ordered)
    if not filters.provision:
        pupils = pupils.filter(provision__in=ON_REGISTER)
    return pupils


def register_viewed(*, actor: Actor, filters: PupilFilters) -> None:
    audit_record(
        actor=actor,
        action="register.view",
        target_type="school" if actor.school_id else "trust",
        target_id=actor.school_id or actor.trust_id or "",
        fields=sorted(name for name, value in vars(filters).items() if value),
    )


@dataclass
class RegisterSummary:
    on_roll: int
    by_provision: dict[str, int]
    by_need: list[tuple[NeedType, int]]
    by_area: list[tuple[str, int]]

    @property
    def on_register(self) -> int:
        return sum(self.by_provision.get(code, 0) for code in ON_REGISTER)

    @property
    def sen_support(self) -> int:
        return self.by_provision.get(Provision.SEN_SUPPORT.value, 0)

    @property
    def ehc_plan(self) -> int:
        return self.by_provision.get(Provision.EHC_PLAN.value, 0)

    @property
    def sen_support_percent(self) -> float:
        return 100.0 * self.sen_support / self.on_roll if self.on_roll else 0.0

    @property
    def ehc_plan_percent(self) -> float:
        return 100.0 * self.ehc_plan / self.on_roll if self.on_roll else 0.0


def register_summary(*, actor: Actor) -> RegisterSummary:
    """Counts by provision, primary need and broad area: three grouped queries whatever the roll."""
    pupils = pupils_in_scope(actor, Resource.REGISTER)
    annotated = with_sen_summary(pupils)
    by_provision = {
        row["provision"]: row["n"] for row in annotated.order_by().values("provision").annotate(n=Count("id"))
    }
    on_register = annotated.filter(provision__in=ON_REGISTER)
    need_counts = {
        row["primary_need"]: row["n"]
        for row in on_register.order_by().values("primary_need").annotate(n=Count("id"))
    }
    needs = {need.code: need for need in NeedType.objects.all()}
    by_need = sorted(
        ((needs[code], n) for code, n in need_counts.items() if code in needs), key=lambda item: -item[1]
    )
    area_counts: dict[str, int] = {}
    for code, n in need_counts.items():
        area = needs[code].broad_area if code in needs else "not_recorded"
        area_counts[area] = area_counts.get(area, 0) + n
    area_labels = dict(BroadArea.choices) | {"not_recorded": "No primary need recorded"}
    by_area = sorted(((area_labels[a], n) for a, n in area_counts.items()), key=lambda item: -item[1])
    return RegisterSummary(
        on_roll=sum(by_provision.values()), by_provision=by_provision, by_need=by_need, by_area=by_area
    )


@dataclass(frozen=True)
class ConcernDetail:
    concern: Concern
    history: list[HistoryRow]


def concern_detail(*, actor: Actor, concern_id: uuid.UUID) -> ConcernDetail:
    concern = pupil_record_or_404(actor, Concern, concern_id, Resource.CONCERN)
    audit_record(
        actor=actor,
        action="concern.view",
        target_type="concern",
        target_id=concern.pk,
        school_id=concern.school_id,
    )
    return ConcernDetail(
        concern=concern, history=record_history(actor=actor, kind=CONCERN, record_id=concern.pk)
    )


@dataclass
class PassportView:
    pupil: Pupil
    passport: Passport | None
    readers: list[tuple[User, bool]]  # every adult who works with the pupil, and whether they have read it
    read_by_me: bool
    history: list[HistoryRow] = field(default_factory=list)


def passport_current(*, pupil: Pupil) -> Passport | None:
    """The newest version of a pupil's passport not withdrawn (the caller has already scoped the pupil)."""
    return (
        Passport.objects.filter(pupil=pupil, withdrawn_at__isnull=True)
        .select_related("written_by")
        .order_by("-version")
        .first()
    )


def _passport_history(pupil: Pupil) -> list[HistoryRow]:
    """Every version written, what it changed from the one before, and each withdrawal."""
    versions = list(
        Passport.objects.filter(pupil=pupil).select_related("written_by", "withdrawn_by").order_by("version")
    )
    changes = version_changes([{name: getattr(v, name) for name in PASSPORT_LABELS} for v in versions])
    rows: list[HistoryRow] = []
    for passport, changed in zip(versions, changes, strict=True):
        rows.append(
            HistoryRow(
                number=passport.version,
                kind="Written",
                changed_by=passport.written_by.full_name,
                changed_at=passport.created_at,
                changes=[FieldChange(PASSPORT_LABELS[n], a, b) for n, (a, b) in changed.items()],
                reason="",
            )
        )
        if passport.withdrawn_at is not None:
            rows.append(
                HistoryRow(
                    number=passport.version,
                    kind="Withdrawn",
                    changed_by=passport.withdrawn_by.full_name if passport.withdrawn_by else "Not recorded",
                    changed_at=passport.withdrawn_at,
                    changes=[],
                    reason=passport.withdrawn_reason,
                )
            )
    return sorted(rows, key=lambda row: row.changed_at)


def passport_view(*, actor: Actor, pupil_id: uuid.UUID) -> PassportView:
    """The current passport and who has read it: everyone who teaches or supports the pupil (Code 6.49)."""
    pupil = pupil_or_404(actor, pupil_id, Resource.PASSPORT)
    passport = passport_current(pupil=pupil)
    read_ids = set(PassportRead.objects.filter(passport=passport).values_list("user_id", flat=True))
    groups = current_enrolments().filter(pupil=pupil).values("group_id")
    adults = User.objects.filter(
        pk__in=GroupStaff.objects.filter(group_id__in=groups).values("user_id"), is_active=True
    ).order_by("full_name")
    if passport is not None:
        audit_record(
            actor=actor,
            action="passport.view",
            target_type="passport",
            target_id=passport.pk,
            school_id=pupil.school_id,
        )
    return PassportView(
        pupil=pupil,
        passport=passport,
        readers=[(adult, adult.pk in read_ids) for adult in adults],
        read_by_me=actor.user_id in read_ids,
        history=_passport_history(pupil),
    )
