"""EHC plans, specialist advice and time in the inclusion base in the demo.

Runs after the graduated approach and the interventions, inside the loader's transaction: it reads back the
register's needs, the open plans' targets, the pupils' places in intervention groups and each school's
catalogue (a few queries for the whole trust), decides everything for each school from its own random
stream, then writes with `bulk_create`.

Every pupil with an EHC plan on the register ("E") gets the local authority's plan, issued one to four years
ago, with section B needs from their census types of need, section E outcomes linked to the targets of their
open support plan, section F provision linked to the interventions and places that deliver it, and a yearly
review held within twelve months of the last, its invitations and papers two weeks before the meeting and
its report within two weeks after (tandem/lib/annual_review.py). So that the compliance page and the
SENCo's To do have something true to say, each school also has one plan mid-way through its review (the
meeting booked two to three weeks ahead, invitations sent and advice asked for, the papers still to
circulate), one review overdue (the last meeting more than 13 months ago, none booked) and one report late
(the meeting three to four weeks ago, no report sent).

About a quarter of the pupils on the register have advice from a specialist suited to their need, most of it
received, with recommendations linked only to the pupil's own targets and the school's own interventions; a
few SEMH pupils at each school spend planned time in the inclusion base, for a purpose that is support and
never a sanction, led by the SENCo or a teacher who teaches them, with a planned return to lessons.

The text comes from banks in tandem/demo/wording/statutory.py; none of it names a pupil. Nothing that
happened is dated after the demo's "today" (`as_of`); only what is planned (a booked meeting, a return to
lessons) is later.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from tandem.advice.models import Profession, Recommendation, RecommendationStatus, SpecialistAdvice
from tandem.demo.facts import SchoolFacts, school_facts
from tandem.demo.wording.statutory import (
    ADVICE_SUMMARY,
    EHC_NEEDS,
    EHC_OUTCOMES,
    EHC_PROVISION,
    INCLUSION_OTHER_PURPOSES,
    INCLUSION_PURPOSES,
    LOCAL_AUTHORITIES,
    NOT_TAKEN_UP_REASONS,
    ORGANISATIONS,
    PROFESSIONAL_NAMES,
    RECOMMENDATIONS,
    RETURN_LESSONS,
    REVIEW_AMENDMENTS,
    REVIEW_DIFFERENCES,
    REVIEW_NOT_WORKING,
    REVIEW_PARENT_VIEWS,
    REVIEW_PUPIL_VIEWS,
    REVIEW_WHO_ATTENDED,
    REVIEW_WORKING,
)
from tandem.ehc.models import AnnualReview, EhcNeed, EhcOutcome, EhcPlan, EhcProvision
from tandem.ehc.models import Recommendation as ReviewRecommendation
from tandem.ehc.services import provision_text, targets_text
from tandem.inclusion.models import InclusionBasePlacement, Purpose
from tandem.lib.annual_review import TWO_WEEKS, add_months
from tandem.people.models import Pupil
from tandem.plans.models import Target
from tandem.provision.models import Intervention, Placement
from tandem.register.models import BroadArea, Provision, SenNeed

T = TypeVar("T")

_BATCH = 2_000
DAY = dt.timedelta(days=1)

AREAS: tuple[str, ...] = (
    BroadArea.COGNITION,
    BroadArea.COMMUNICATION,
    BroadArea.SEMH,
    BroadArea.SENSORY_PHYSICAL,
)
ADVICE_SHARE = 0.25
AWAITED_SHARE = 0.15

# The review shapes each school has one of; every other plan is reviewed on time.
ON_TIME, MID_REVIEW, OVERDUE, REPORT_LATE = "on_time", "mid_review", "overdue", "report_late"
_SHOWN = (OVERDUE, REPORT_LATE, MID_REVIEW)  # in this order when a school has fewer than three plans

# Specialists for a need: by census type first, then by broad area.
_PROFESSION_BY_TYPE: dict[str, tuple[str, ...]] = {
    "HI": (Profession.SENSORY_HEARING,),
    "VI": (Profession.SENSORY_VISION,),
    "MSI": (Profession.SENSORY_HEARING, Profession.SENSORY_VISION),
    "PD": (Profession.OCCUPATIONAL_THERAPY, Profession.PHYSIOTHERAPY),
}
_PROFESSION_BY_AREA: dict[str, tuple[str, ...]] = {
    BroadArea.COMMUNICATION: (Profession.SPEECH_LANGUAGE,),
    BroadArea.COGNITION: (Profession.EDUCATIONAL_PSYCHOLOGY,),
    BroadArea.SENSORY_PHYSICAL: (Profession.OCCUPATIONAL_THERAPY, Profession.SENSORY_HEARING),
    BroadArea.SEMH: (Profession.CAMHS, Profession.EDUCATIONAL_PSYCHOLOGY),
}


@dataclass
class _TrustRecords:
    """What the earlier writers left, read back for the whole trust in a few queries."""

    needs: dict[uuid.UUID, list[str]]  # pupil -> census types, primary first
    targets: dict[uuid.UUID, list[Target]]  # pupil -> the open plan's targets
    placements: dict[uuid.UUID, list[Placement]]  # pupil -> places in groups (with the intervention)
    catalogue: dict[tuple[int, str], list[uuid.UUID]]  # (school, area) -> active interventions
    interventions: dict[uuid.UUID, Intervention]
    born: dict[uuid.UUID, dt.date]


@dataclass
class _Rows:
    plans: list[EhcPlan] = field(default_factory=list)
    needs: list[EhcNeed] = field(default_factory=list)
    outcomes: list[EhcOutcome] = field(default_factory=list)
    outcome_targets: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    provision: list[EhcProvision] = field(default_factory=list)
    provision_interventions: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    provision_placements: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    reviews: list[AnnualReview] = field(default_factory=list)
    advice: list[SpecialistAdvice] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    inclusion: list[InclusionBasePlacement] = field(default_factory=list)

    def save(self) -> dict[str, int]:
        EhcPlan.objects.bulk_create(self.plans, batch_size=_BATCH)
        EhcNeed.objects.bulk_create(self.needs, batch_size=_BATCH)
        EhcOutcome.objects.bulk_create(self.outcomes, batch_size=_BATCH)
        targets = EhcOutcome.targets.through
        targets.objects.bulk_create(
            [targets(ehcoutcome_id=o, target_id=t) for o, t in self.outcome_targets], batch_size=_BATCH
        )
        EhcProvision.objects.bulk_create(self.provision, batch_size=_BATCH)
        interventions = EhcProvision.interventions.through
        interventions.objects.bulk_create(
            [interventions(ehcprovision_id=p, intervention_id=i) for p, i in self.provision_interventions],
            batch_size=_BATCH,
        )
        placements = EhcProvision.placements.through
        placements.objects.bulk_create(
            [placements(ehcprovision_id=p, placement_id=i) for p, i in self.provision_placements],
            batch_size=_BATCH,
        )
        AnnualReview.objects.bulk_create(self.reviews, batch_size=_BATCH)
        SpecialistAdvice.objects.bulk_create(self.advice, batch_size=_BATCH)
        Recommendation.objects.bulk_create(self.recommendations, batch_size=_BATCH)
        InclusionBasePlacement.objects.bulk_create(self.inclusion, batch_size=_BATCH)
        return {
            "EHC plans": len(self.plans),
            "EHC plan needs (section B)": len(self.needs),
            "EHC plan outcomes (section E)": len(self.outcomes),
            "EHC plan provision (section F)": len(self.provision),
            "annual reviews": len(self.reviews),
            "specialist advice": len(self.advice),
            "advice recommendations": len(self.recommendations),
            "inclusion base placements": len(self.inclusion),
        }


def write_statutory(*, trust_id: int, as_of: dt.date, seed: int) -> dict[str, int]:
    """Write EHC plans and their reviews, specialist advice and inclusion-base time for each school of the
    trust; rows written by table. Deterministic for a given seed and database."""
    records = _read(trust_id)
    rows = _Rows()
    for facts in school_facts(trust_id, as_of):
        rng = random.Random(f"tandem-demo-statutory/{seed}/{facts.index}")
        _School(facts, as_of, rng, rows, records).build()
    return rows.save()


def _read(trust_id: int) -> _TrustRecords:
    needs: dict[uuid.UUID, list[str]] = defaultdict(list)
    for pupil, code in (
        SenNeed.objects.filter(school__trust_id=trust_id, ends_on__isnull=True)
        .order_by("pupil_id", "rank")
        .values_list("pupil_id", "need_type_id")
    ):
        if code not in needs[pupil]:
            needs[pupil].append(code)
    targets: dict[uuid.UUID, list[Target]] = defaultdict(list)
    for target in (
        Target.objects.filter(
            school__trust_id=trust_id,
            plan__reviewed_on__isnull=True,
            plan__withdrawn_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .only("id", "pupil_id", "skill", "due_on")
        .order_by("pupil_id", "due_on", "skill", "id")
    ):
        targets[target.pupil_id].append(target)
    placements: dict[uuid.UUID, list[Placement]] = defaultdict(list)
    for placement in (
        Placement.objects.filter(school__trust_id=trust_id, withdrawn_at__isnull=True)
        .select_related("group__intervention")
        .order_by("pupil_id", "starts_on", "id")
    ):
        placements[placement.pupil_id].append(placement)
    catalogue: dict[tuple[int, str], list[uuid.UUID]] = defaultdict(list)
    interventions: dict[uuid.UUID, Intervention] = {}
    for intervention in Intervention.objects.filter(school__trust_id=trust_id, is_active=True).order_by(
        "school_id", "name", "id"
    ):
        catalogue[(intervention.school_id, intervention.area)].append(intervention.pk)
        interventions[intervention.pk] = intervention
    born = dict(Pupil.objects.filter(school__trust_id=trust_id).values_list("id", "date_of_birth"))
    return _TrustRecords(
        needs=dict(needs),
        targets=dict(targets),
        placements=dict(placements),
        catalogue=dict(catalogue),
        interventions=interventions,
        born=born,
    )


def in_term(day: dt.date) -> bool:
    """A school day: a weekday outside the Christmas and summer holidays (near enough for a demo)."""
    if day.weekday() > 4:
        return False
    md = (day.month, day.day)
    return not (md >= (12, 22) or md <= (1, 3) or (7, 23) <= md <= (8, 31))


def term_day(day: dt.date, *, later: bool = False) -> dt.date:
    """The school day nearest before `day` (or after it, when `later`): meetings happen in term time."""
    step = dt.timedelta(days=1 if later else -1)
    while not in_term(day):
        day += step
    return day


class _School:
    def __init__(
        self, facts: SchoolFacts, as_of: dt.date, rng: random.Random, rows: _Rows, records: _TrustRecords
    ) -> None:
        self.f = facts
        self.as_of = as_of
        self.r = rng
        self.rows = rows
        self.records = records

    # ------------------------------------------------------------------ small helpers
    def pick(self, items: Sequence[T]) -> T:
        return items[self.r.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def days(self, lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=self.r.randint(lo, hi))

    def between(self, lo: dt.date, hi: dt.date) -> dt.date:
        return hi if hi <= lo else lo + dt.timedelta(days=self.r.randint(0, (hi - lo).days))

    def area_of(self, pupil: uuid.UUID) -> str:
        area = self.f.area.get(pupil, "")
        return area if area in AREAS else AREAS[pupil.int % len(AREAS)]

    # ------------------------------------------------------------------ the school
    def build(self) -> None:
        senco = self.f.senco
        if senco is None:
            return  # no one to keep the statutory records: a school without a SENCo has none yet
        self.senco = senco
        register = [
            p for p in self.f.pupils if self.f.provision.get(p) in (Provision.SEN_SUPPORT, Provision.EHC_PLAN)
        ]
        ehc = [p for p in register if self.f.provision.get(p) == Provision.EHC_PLAN]
        self._ehc_plans(ehc)
        self._advice(register)
        self._inclusion_base(register)

    # ------------------------------------------------------------------ EHC plans
    def _ehc_plans(self, pupils: list[uuid.UUID]) -> None:
        shapes = dict.fromkeys(pupils, ON_TIME)
        for pupil, shape in zip(self.r.sample(pupils, min(len(pupils), len(_SHOWN))), _SHOWN, strict=False):
            shapes[pupil] = shape
        home = self.pick(LOCAL_AUTHORITIES)
        for pupil in pupils:
            local_authority = home if self.chance(0.85) else self.pick(LOCAL_AUTHORITIES)
            self._ehc_plan(pupil, shapes[pupil], local_authority)

    def _held_meetings(self, shape: str) -> tuple[list[dt.date], dt.date | None]:
        """(review meetings held, oldest first; a meeting booked ahead or None) for a plan of this shape."""
        booked = None
        if shape == OVERDUE:
            last = add_months(self.as_of, -13) - self.days(0, 45)
            count = self.r.randint(1, 2)
        elif shape == REPORT_LATE:
            last = self.as_of - self.days(21, 28)
            count = self.r.randint(2, 3)
        elif shape == MID_REVIEW:
            # Booked two to three weeks ahead, so the papers are still to do rather than late (else 10 to 13
            # days ahead, or the first school day after that), within 12 months of the last meeting: held a
            # year ago less a few days, moved later, never earlier, to a school day.
            ahead = [self.as_of + dt.timedelta(days=d) for d in range(10, 21)]
            choices = [d for d in ahead if in_term(d) and d >= self.as_of + TWO_WEEKS] or [
                d for d in ahead if in_term(d)
            ]
            booked = self.pick(choices) if choices else term_day(ahead[-1], later=True)
            last = term_day(booked - dt.timedelta(days=365) + self.days(3, 10), later=True)
            held = [last]
            if self.chance(0.5):
                held.insert(0, self.year_before(last))
            return held, booked
        else:
            last = self.as_of - self.days(30, 320)
            count = self.r.randint(1, 3)
        held = [term_day(last)]
        for _ in range(count - 1):
            held.insert(0, self.year_before(held[0]))
        return held, booked

    def year_before(self, meeting: dt.date) -> dt.date:
        """The review meeting before this one: a school day 330 to 364 days earlier, so that each review is
        held within 12 months of the last."""
        day = meeting - self.days(330, 350)
        earlier = term_day(day)
        return earlier if (meeting - earlier).days <= 364 else term_day(day, later=True)

    def _ehc_plan(self, pupil: uuid.UUID, shape: str, local_authority: str) -> None:
        held, booked = self._held_meetings(shape)
        born = self.records.born.get(pupil)
        # A young child's plan is not older than they are past the age of two: fewer reviews, then.
        while len(held) > 1 and born is not None and held[0] - dt.timedelta(days=350) < add_months(born, 24):
            held.pop(0)
        # Issued a year or more ago, and less than 12 months before the first review meeting.
        issued_on = min(held[0] - self.days(330, 350), self.as_of - dt.timedelta(days=366))
        issued_on -= dt.timedelta(days=max(0, issued_on.weekday() - 4))  # a weekday
        plan = EhcPlan(
            pupil_id=pupil,
            school_id=self.f.id,
            local_authority=local_authority,
            issued_on=issued_on,
            created_by_id=self.senco,
        )
        self.rows.plans.append(plan)
        for n, meeting in enumerate(held):
            last = n == len(held) - 1
            review = self._held_review(plan, meeting, report=not (last and shape == REPORT_LATE))
            if review.recommendation == ReviewRecommendation.AMEND:
                amended = meeting + self.days(28, 56)
                if amended <= self.as_of:
                    plan.last_amended_on = amended
        if booked is not None:
            invited = min(self.as_of, booked - TWO_WEEKS) - self.days(0, 5)
            self.rows.reviews.append(
                AnnualReview(
                    ehc_plan=plan,
                    pupil_id=pupil,
                    school_id=self.f.id,
                    meeting_on=booked,
                    invitations_sent_on=invited,
                    advice_requested_on=invited - self.days(0, 7),
                    created_by_id=self.senco,
                )
            )
        self._sections(plan)

    def _held_review(self, plan: EhcPlan, meeting: dt.date, *, report: bool) -> AnnualReview:
        """A review meeting held, prepared two weeks or more ahead, with its report sent on time (or not)."""
        amend = self.chance(0.25)
        review = AnnualReview(
            ehc_plan=plan,
            pupil_id=plan.pupil_id,
            school_id=self.f.id,
            meeting_on=meeting,
            invitations_sent_on=meeting - self.days(21, 35),
            advice_requested_on=meeting - self.days(35, 56),
            papers_circulated_on=meeting - self.days(14, 18),
            who_attended=self.pick(REVIEW_WHO_ATTENDED),
            parent_views=self.pick(REVIEW_PARENT_VIEWS),
            pupil_views=self.pick(REVIEW_PUPIL_VIEWS),
            working=self.pick(REVIEW_WORKING),
            not_working=self.pick(REVIEW_NOT_WORKING),
            recommendation=ReviewRecommendation.AMEND if amend else ReviewRecommendation.KEEP,
            amendments=self.pick(REVIEW_AMENDMENTS) if amend else "",
            differences=self.pick(REVIEW_DIFFERENCES),
            report_sent_on=min(meeting + self.days(2, 14), self.as_of) if report else None,
            created_by_id=self.senco,
        )
        self.rows.reviews.append(review)
        return review

    def _sections(self, plan: EhcPlan) -> None:
        """Sections B, E and F, mapped to need types, the open plan's targets and the pupil's provision."""
        pupil = plan.pupil_id
        common = {"ehc_plan": plan, "pupil_id": pupil, "school_id": self.f.id, "created_by_id": self.senco}
        for code in self.records.needs.get(pupil, ["NSA"])[:2]:
            text = self.pick(EHC_NEEDS.get(code, EHC_NEEDS["NSA"]))
            self.rows.needs.append(EhcNeed(text=text, need_type_id=code, **common))

        area = self.area_of(pupil)
        outcomes = [
            EhcOutcome(text=text, **common)
            for text in self.r.sample(EHC_OUTCOMES[area], self.r.randint(2, 3))
        ]
        linked: dict[uuid.UUID, list[Target]] = defaultdict(list)
        for target in self.records.targets.get(pupil, []):
            if self.chance(0.8):
                linked[self.pick(outcomes).id].append(target)
        for outcome in outcomes:
            chosen = sorted(linked[outcome.id], key=lambda t: (t.due_on, t.skill.casefold()))
            outcome.linked_targets = targets_text(chosen)
            self.rows.outcomes.append(outcome)
            self.rows.outcome_targets.extend((outcome.id, t.pk) for t in chosen)

        lines = [
            EhcProvision(text=text, **common)
            for text in self.r.sample(
                EHC_PROVISION[area], self.r.randint(2, min(3, len(EHC_PROVISION[area])))
            )
        ]
        places: dict[uuid.UUID, list[Placement]] = defaultdict(list)
        for placement in self.records.placements.get(pupil, []):
            places[self.pick(lines).id].append(placement)
        offered = self.records.catalogue.get((self.f.id, area), [])
        for line in lines:
            placed = sorted(places[line.id], key=lambda p: (p.starts_on, str(p.pk)))
            by_id = {p.group.intervention_id: p.group.intervention for p in placed}
            if not placed and offered and self.chance(0.3):
                extra = self.pick(offered)
                by_id[extra] = self.records.interventions[extra]
            interventions = sorted(by_id.values(), key=lambda i: i.name)
            line.linked_provision = provision_text(interventions=interventions, placements=placed)
            self.rows.provision.append(line)
            self.rows.provision_interventions.extend((line.id, i.pk) for i in interventions)
            self.rows.provision_placements.extend((line.id, p.pk) for p in placed)

    # ------------------------------------------------------------------ specialist advice
    def _profession(self, pupil: uuid.UUID) -> str:
        codes = self.records.needs.get(pupil, [])
        if codes and codes[0] in _PROFESSION_BY_TYPE:
            return self.pick(_PROFESSION_BY_TYPE[codes[0]])
        return self.pick(_PROFESSION_BY_AREA[self.area_of(pupil)])

    def _advice(self, register: list[uuid.UUID]) -> None:
        chosen = self.r.sample(register, round(ADVICE_SHARE * len(register)))
        still_awaited = max(1, round(AWAITED_SHARE * len(chosen)))  # a few, and at least one
        for n, pupil in enumerate(chosen):
            profession = self._profession(pupil)
            awaited = n < still_awaited
            if awaited:
                requested_on, received_on = self.as_of - self.days(7, 60), None
            else:
                requested_on = self.as_of - self.days(40, 330)
                received_on = self.between(
                    requested_on + dt.timedelta(days=20),
                    min(requested_on + dt.timedelta(days=90), self.as_of),
                )
            advice = SpecialistAdvice(
                pupil_id=pupil,
                school_id=self.f.id,
                profession=profession,
                professional_name=self.pick(PROFESSIONAL_NAMES) if self.chance(0.7) else "",
                organisation=self.pick(ORGANISATIONS[profession]),
                requested_on=requested_on,
                received_on=received_on,
                summary="" if awaited else self.pick(ADVICE_SUMMARY[profession]),
                created_by_id=self.senco,
            )
            self.rows.advice.append(advice)
            if not awaited:
                self._recommendations(advice)

    def _recommendations(self, advice: SpecialistAdvice) -> None:
        pupil = advice.pupil_id
        bank = RECOMMENDATIONS[advice.profession]
        targets = self.records.targets.get(pupil, [])
        offered = self.records.catalogue.get((self.f.id, self.area_of(pupil)), [])
        for text in self.r.sample(bank, self.r.randint(1, min(3, len(bank)))):
            status = self.r.choices(RecommendationStatus.values, weights=(0.35, 0.5, 0.15))[0]
            self.rows.recommendations.append(
                Recommendation(
                    advice=advice,
                    pupil_id=pupil,
                    school_id=self.f.id,
                    text=text,
                    target_id=self.pick(targets).pk if targets and self.chance(0.55) else None,
                    intervention_id=self.pick(offered) if offered and self.chance(0.4) else None,
                    status=status,
                    not_taken_up_reason=(
                        self.pick(NOT_TAKEN_UP_REASONS) if status == RecommendationStatus.NOT_TAKEN_UP else ""
                    ),
                    created_by_id=self.senco,
                )
            )

    # ------------------------------------------------------------------ the inclusion base
    def _inclusion_base(self, register: list[uuid.UUID]) -> None:
        semh = [p for p in register if self.area_of(p) == BroadArea.SEMH and self.f.teachers.get(p)]
        for pupil in self.r.sample(semh, min(len(semh), self.r.randint(2, 4))):
            starts_on = term_day(self.as_of - self.days(5, 70))
            purpose = self.pick(INCLUSION_PURPOSES)
            ended = (self.as_of - starts_on).days >= 28 and self.chance(0.25)
            ends_on = self.between(starts_on + dt.timedelta(days=21), self.as_of) if ended else None
            return_on = ends_on or starts_on + self.days(28, 84)
            leader = self.senco if self.chance(0.4) else self.pick(self.f.teachers[pupil])
            self.rows.inclusion.append(
                InclusionBasePlacement(
                    pupil_id=pupil,
                    school_id=self.f.id,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    sessions_per_week=self.r.randint(2, 10),
                    minutes_per_session=self.pick((30, 45, 50, 60)),
                    purpose=purpose,
                    purpose_other=self.pick(INCLUSION_OTHER_PURPOSES) if purpose == Purpose.OTHER else "",
                    led_by_id=leader,
                    return_on=return_on,
                    return_lessons=self.pick(RETURN_LESSONS),
                    created_by_id=self.senco,
                )
            )
