"""The graduated approach in the demo: concerns, first responses, SEN support, plans, meetings and passports.

Runs after the loader has written the roll, classes and sets, the register and the assessments, inside the
same transaction. It reads those back (a few queries for the whole trust), decides everything for each
school from its own random stream, then writes with `bulk_create`. Every record follows the rules the
services enforce: the accountable teacher teaches the pupil now and holds the teacher role (a teaching
assistant never does), a plan is reviewed within a year of starting and only one is open per pupil, a
target falls due on or before its plan's review and passes the SMART check on the day the plan was written,
a parent meeting is led by one of the pupil's teachers or the SENCo, and nothing that happened is dated
after the demo's "today" (`as_of`).

So that a new user sees every page populated, each school gets every stage: concerns in each status (some
raised by teaching assistants), first responses open, due and reviewed with each outcome, decisions to start
SEN support (a few pupils' support began before Tandem and has none), open, overdue and reviewed plan
cycles with targets carried forward, a spread of parent meetings this year, and passports that some adults
have read and some have not. The teacher and teaching assistant printed in the demo sign-ins always have
something waiting on their to-do list.

The text comes from small banks of plain-English sentences; none of it names a pupil.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tandem.demo.facts import SchoolFacts, school_facts
from tandem.demo.wording.graduated import (
    CONCERN_EVIDENCE,
    CONCERN_OBSERVED,
    DECISION_EVIDENCE,
    DO_NOTES,
    EXPECTED_IMPACT,
    FIRST_RESPONSE_NOTES,
    INTERVENTIONS,
    MEETING_ACTIONS,
    MEETING_DISCUSSED,
    MEETING_PUPIL_VIEWS,
    MORE_ADJUSTMENTS,
    NEED_PHRASE,
    NEEDS,
    NO_ACTION_NOTES,
    OUTCOME_NOTES,
    PARENT_NOTES,
    PARENT_VIEWS,
    PASSPORT_HELPS,
    PASSPORT_NEEDS,
    PLAN_SUMMARY,
    PROGRESS_EVIDENCE,
    PROGRESS_NOTES,
    PUPIL_VIEWS,
    REFERRED_NOTES,
    RESPONSES,
    REVIEW_PARENT_VIEWS,
    REVIEW_PUPIL_VIEWS,
    REVIEW_SUMMARY,
    STRATEGIES,
    STRENGTHS,
    TARGETS,
    WHO_ATTENDED,
)
from tandem.plans.models import NextStep, ParentMeeting, SupportPlan, Target, TargetOutcome, TargetProgress
from tandem.progress.models import FirstResponse, ResponseOutcome
from tandem.provision.models import Intervention, Placement
from tandem.register.models import (
    BroadArea,
    Concern,
    ConcernStatus,
    Passport,
    PassportRead,
    Provision,
    SenNeed,
    SenSupportDecision,
)

T = TypeVar("T")

_BATCH = 2_000
DAY = dt.timedelta(days=1)

AREAS: tuple[str, ...] = (
    BroadArea.COGNITION,
    BroadArea.COMMUNICATION,
    BroadArea.SEMH,
    BroadArea.SENSORY_PHYSICAL,
)
# How often each area comes up in a concern about a pupil with no SEN.
_CONCERN_AREA_WEIGHTS = (0.38, 0.24, 0.28, 0.10)

# First-response states: open (review ahead), open and due, and reviewed with each outcome.
OPEN_AHEAD, OPEN_DUE = "open_ahead", "open_due"
RESOLVED, CONTINUE, REFER = (o.value for o in ResponseOutcome)
_FR_STATES = (OPEN_AHEAD, OPEN_DUE, RESOLVED, CONTINUE, REFER)
_FR_STATE_WEIGHTS = (0.3, 0.2, 0.2, 0.15, 0.15)

# Plan shapes: one open cycle in date; an open cycle past its review; a reviewed cycle and an open one.
PLAN_OPEN, PLAN_OVERDUE, PLAN_CONTINUED, PLAN_NEW_CYCLE, PLAN_SOON = (
    "open",
    "overdue",
    "continued",
    "new_cycle",
    "soon",
)


# Where there are sets, the teacher of the nearest subject answers for a learning or language need.
_SUBJECTS_FOR_AREA: dict[str, tuple[str, ...]] = {
    BroadArea.COGNITION: ("english", "maths"),
    BroadArea.COMMUNICATION: ("english",),
}
_TARGET_BY_SKILL = {t[0]: t for bank in TARGETS.values() for t in bank}


# ============================================================================================== writing
@dataclass
class _Rows:
    concerns: list[Concern] = field(default_factory=list)
    responses: list[FirstResponse] = field(default_factory=list)
    follow_ons: list[FirstResponse] = field(default_factory=list)
    decisions: list[SenSupportDecision] = field(default_factory=list)
    plans: list[SupportPlan] = field(default_factory=list)
    next_plans: list[SupportPlan] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    carried: list[Target] = field(default_factory=list)
    progress: list[TargetProgress] = field(default_factory=list)
    meetings: list[ParentMeeting] = field(default_factory=list)
    passports: list[Passport] = field(default_factory=list)
    reads: list[PassportRead] = field(default_factory=list)
    target_staff: list[tuple[uuid.UUID, int]] = field(default_factory=list)  # (target, supporting user)

    def save(self) -> dict[str, int]:
        """Write in dependency order; every id is set already (UUIDs), so links need no read-back."""
        Concern.objects.bulk_create(self.concerns, batch_size=_BATCH)
        FirstResponse.objects.bulk_create(self.responses, batch_size=_BATCH)
        FirstResponse.objects.bulk_create(self.follow_ons, batch_size=_BATCH)
        SenSupportDecision.objects.bulk_create(self.decisions, batch_size=_BATCH)
        SupportPlan.objects.bulk_create(self.plans, batch_size=_BATCH)
        SupportPlan.objects.bulk_create(self.next_plans, batch_size=_BATCH)
        Target.objects.bulk_create(self.targets, batch_size=_BATCH)
        Target.objects.bulk_create(self.carried, batch_size=_BATCH)
        links = Target.supporting_staff.through
        links.objects.bulk_create(
            (links(target_id=target, user_id=user) for target, user in self.target_staff), batch_size=_BATCH
        )
        TargetProgress.objects.bulk_create(self.progress, batch_size=_BATCH)
        ParentMeeting.objects.bulk_create(self.meetings, batch_size=_BATCH)
        Passport.objects.bulk_create(self.passports, batch_size=_BATCH)
        PassportRead.objects.bulk_create(self.reads, batch_size=_BATCH)
        return {
            "concerns": len(self.concerns),
            "first responses": len(self.responses) + len(self.follow_ons),
            "SEN support decisions": len(self.decisions),
            "support plans": len(self.plans) + len(self.next_plans),
            "targets": len(self.targets) + len(self.carried),
            "target progress": len(self.progress),
            "parent meetings": len(self.meetings),
            "passports": len(self.passports),
            "passport reads": len(self.reads),
        }


def write_graduated_approach(*, trust_id: int, as_of: dt.date, seed: int) -> dict[str, int]:
    """Write every stage of the graduated approach for each school of the trust; rows written by table.

    Deterministic for a given seed and database (each school draws from its own stream), and linear in
    the number of pupils: a few thousand rows for a large secondary.
    """
    rows = _Rows()
    for facts in school_facts(trust_id, as_of):
        rng = random.Random(f"tandem-demo-graduated/{seed}/{facts.index}")
        _School(facts, as_of, rng, rows).build()
    return rows.save()


def link_plan_interventions(*, trust_id: int, seed: int) -> dict[str, int]:
    """Each plan names interventions from its school's catalogue, in place of the words it was written
    with: those its pupil has a place in, else one for the area of the pupil's primary need. Run once the
    catalogue is written (after the plans: the interventions demo places the pupils the plans are about).
    Every cycle of a pupil's plan names the same ones, as a review carries them into the next cycle."""
    catalogue: dict[tuple[int, str], list[tuple[uuid.UUID, str]]] = defaultdict(list)
    names: dict[uuid.UUID, str] = {}
    for pk, school_id, area, name in (
        Intervention.objects.filter(school__trust_id=trust_id, is_active=True)
        .order_by("school_id", "name")
        .values_list("id", "school_id", "area", "name")
    ):
        catalogue[(school_id, area)].append((pk, name))
        names[pk] = name
    attends: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for pupil_id, intervention_id in Placement.objects.filter(school__trust_id=trust_id).values_list(
        "pupil_id", "group__intervention_id"
    ):
        attends[pupil_id].add(intervention_id)
    area_of = dict(
        SenNeed.objects.filter(school__trust_id=trust_id, ends_on__isnull=True, rank=1).values_list(
            "pupil_id", "need_type__broad_area"
        )
    )
    plans = list(
        SupportPlan.objects.filter(school__trust_id=trust_id)
        .order_by("school_id", "pupil_id", "cycle")
        .only("id", "school_id", "pupil_id", "interventions", "other_interventions")
    )
    rng = random.Random(f"tandem-demo-plan-interventions/{seed}")
    chosen: dict[uuid.UUID, list[uuid.UUID]] = {}
    links = SupportPlan.catalogue_interventions.through
    rows: list[Any] = []
    changed: list[SupportPlan] = []
    for plan in plans:
        if plan.pupil_id not in chosen:
            placed = sorted(i for i in attends[plan.pupil_id] if i in names)
            offered = catalogue.get((plan.school_id, area_of.get(plan.pupil_id, "")), [])
            chosen[plan.pupil_id] = placed or ([rng.choice(offered)[0]] if offered else [])
        picked = sorted(chosen[plan.pupil_id], key=lambda pk: names[pk].casefold())
        if picked:
            plan.other_interventions = ""
            plan.interventions = ", ".join(names[pk] for pk in picked)
            rows.extend(links(supportplan_id=plan.pk, intervention_id=pk) for pk in picked)
            changed.append(plan)
    SupportPlan.objects.bulk_update(changed, ["interventions", "other_interventions"], batch_size=_BATCH)
    links.objects.bulk_create(rows, batch_size=_BATCH)
    return {"interventions named by plans": len(rows)}


@dataclass
class _Plan:
    plan: SupportPlan
    targets: list[Target]


class _School:
    def __init__(self, facts: SchoolFacts, as_of: dt.date, rng: random.Random, rows: _Rows) -> None:
        self.f = facts
        self.as_of = as_of
        self.r = rng
        self.rows = rows
        self.year_start = dt.date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)
        self.school_id = facts.id
        # Pupils the loader's representative sign-ins must see something for.
        self.showcase: dict[str, uuid.UUID] = {}
        self.plans_of: dict[uuid.UUID, list[SupportPlan]] = {}
        self.areas: dict[uuid.UUID, str] = {}

    # ------------------------------------------------------------------ small helpers
    def pick(self, items: Sequence[T]) -> T:
        return items[self.r.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def days(self, lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=self.r.randint(lo, hi))

    def ago(self, lo: int, hi: int) -> dt.date:
        return self.as_of - self.days(lo, hi)

    def back(self, lo: int, hi: int, *, lead: int = 0) -> dt.date:
        """A day lo to hi days ago: inside this school year, `lead` days into it, when there is room."""
        room = (self.as_of - self.year_start).days - lead
        return self.ago(lo, min(hi, room) if room >= lo + 7 else hi)

    def school_day(
        self, day: dt.date, earliest: dt.date = dt.date.min, latest: dt.date | None = None
    ) -> dt.date:
        """A weekend day moved into the week before it, or else to the Monday after, within the bounds."""
        if day.weekday() < 5:
            return day
        weekday = day - dt.timedelta(days=day.weekday() - 4 + self.r.randint(0, 4))
        if weekday >= earliest:
            return weekday
        monday = day + dt.timedelta(days=7 - day.weekday())
        return monday if monday <= min(latest or self.as_of, self.as_of) else day

    def area_of(self, pupil: uuid.UUID) -> str:
        """The broad area of the pupil's primary need; when uncategorised, one of the four, kept per pupil."""
        if pupil not in self.areas:
            area = self.f.area.get(pupil, "")
            self.areas[pupil] = area if area in AREAS else self.pick(AREAS)
        return self.areas[pupil]

    def teacher_for(self, pupil: uuid.UUID, area: str) -> int:
        """One of the pupil's teachers, the one for the subject closest to the need where there are sets."""
        by_subject = self.f.by_subject.get(pupil, {})
        preferred = _SUBJECTS_FOR_AREA.get(area, ())
        choices = [u for s in preferred for u in by_subject.get(s, [])]
        return self.pick(choices or self.f.teachers[pupil])

    def subject_for(self, pupil: uuid.UUID, area: str) -> tuple[str | None, int]:
        """(subject, teacher) for a first response: a subject for learning needs, none for the rest."""
        by_subject = self.f.by_subject.get(pupil, {})
        if area != BroadArea.COGNITION:
            return None, self.teacher_for(pupil, area)
        if by_subject.get(""):  # a primary class: its teacher teaches everything
            return self.pick(("reading", "writing", "maths")), self.pick(by_subject[""])
        options = [(s, u) for s in ("english", "maths") for u in by_subject.get(s, [])]
        if not options:
            return None, self.teacher_for(pupil, area)
        return self.pick(options)

    def subject_taught_by(self, pupil: uuid.UUID, area: str, teacher: int) -> str | None:
        if area != BroadArea.COGNITION:
            return None
        for subject, teachers in sorted(self.f.by_subject.get(pupil, {}).items()):
            if teacher in teachers:
                if not subject:
                    return self.pick(("reading", "writing", "maths"))
                if subject in ("english", "maths"):
                    return subject
        return None

    def adult_for_progress(self, pupil: uuid.UUID, teacher: int) -> int:
        tas = self.f.tas.get(pupil, [])
        return self.pick(tas) if tas and self.chance(0.5) else teacher

    # ------------------------------------------------------------------ the school
    def build(self) -> None:
        f = self.f
        taught = [p for p in f.pupils if f.teachers.get(p)]
        no_sen = [p for p in taught if f.provision.get(p, Provision.NONE) == Provision.NONE]
        k = [p for p in taught if f.provision.get(p) == Provision.SEN_SUPPORT]
        e = [p for p in taught if f.provision.get(p) == Provision.EHC_PLAN]
        self._pick_showcase(no_sen, k + e)
        self._concerns_and_responses(no_sen)
        self._sen_support_concerns(k)
        self._decisions(k)
        self._plans(k, e)
        self._meetings(k)
        self._passports(k + e)

    def _pick_showcase(self, no_sen: list[uuid.UUID], register: list[uuid.UUID]) -> None:
        teacher, ta = self.f.showcase_teacher, self.f.showcase_ta
        if teacher is not None:
            mine = [p for p in no_sen if teacher in self.f.teachers[p]]
            self.r.shuffle(mine)
            if mine:
                self.showcase["concern"] = mine[0]
            if len(mine) > 1:
                self.showcase["response"] = mine[1]
            on_register = [p for p in register if teacher in self.f.teachers[p]]
            k = [p for p in on_register if self.f.provision[p] == Provision.SEN_SUPPORT]
            if k or on_register:
                self.showcase["plan"] = self.pick(k or on_register)
            if on_register:
                self.showcase["passport_teacher"] = self.pick(on_register)
        if ta is not None:
            supported = [p for p in register if ta in self.f.tas.get(p, [])]
            if supported:
                self.showcase["passport_ta"] = self.pick(supported)

    # ------------------------------------------------------------------ concerns and first responses
    def _concerns_and_responses(self, no_sen: list[uuid.UUID]) -> None:
        """About one pupil in nine with no SEN has a concern, a first response or both."""
        # (concern status or "", first-response state or ""): every combination a page needs, then a mix.
        needed: list[tuple[str, str]] = [
            (ConcernStatus.OPEN, ""),
            (ConcernStatus.OPEN, ""),
            (ConcernStatus.NO_ACTION, ""),
            (ConcernStatus.REFERRED, ""),
            (ConcernStatus.FIRST_RESPONSE, OPEN_AHEAD),
            (ConcernStatus.FIRST_RESPONSE, OPEN_DUE),
            (ConcernStatus.FIRST_RESPONSE, CONTINUE),
            ("", RESOLVED),
            ("", CONTINUE),
            ("", REFER),
            ("", OPEN_DUE),
            ("", OPEN_AHEAD),
        ]
        forced = {
            self.showcase.get("concern"): (ConcernStatus.OPEN, ""),
            self.showcase.get("response"): ("", OPEN_DUE),
        }
        forced.pop(None, None)
        others = [p for p in no_sen if p not in forced]
        self.r.shuffle(others)
        count = max(min(len(needed), len(no_sen) // 2), round(0.11 * len(no_sen))) - len(forced)
        chosen = others[: max(count, 0)]
        stories: list[tuple[uuid.UUID, tuple[str, str]]] = [
            (p, s) for p, s in forced.items() if p is not None
        ]
        for i, pupil in enumerate(chosen):
            stories.append((pupil, needed[i] if i < len(needed) else self._random_story()))
        ta_raised = False
        for pupil, (status, state) in stories:
            area = self.r.choices(AREAS, weights=_CONCERN_AREA_WEIGHTS)[0]
            concern = None
            if status:
                by_ta = status == ConcernStatus.OPEN and bool(self.f.tas.get(pupil)) and self.chance(0.4)
                concern = self._concern(pupil, area, status, raised_by_ta=by_ta)
                ta_raised = ta_raised or by_ta
            if state:
                teacher = self.f.showcase_teacher if pupil == self.showcase.get("response") else None
                self._response(pupil, area, state, concern=concern, teacher=teacher)
        if not ta_raised:  # teaching assistants raise concerns too: make sure one shows
            storied = {p for p, _ in stories}
            supported = [p for p in no_sen if self.f.tas.get(p) and p not in storied]
            if supported:
                area = self.r.choices(AREAS, weights=_CONCERN_AREA_WEIGHTS)[0]
                self._concern(self.pick(supported), area, ConcernStatus.OPEN, raised_by_ta=True)

    def _random_story(self) -> tuple[str, str]:
        state = self.r.choices(_FR_STATES, weights=_FR_STATE_WEIGHTS)[0]
        return self.r.choices(
            [
                (ConcernStatus.OPEN, ""),
                (ConcernStatus.NO_ACTION, ""),
                (ConcernStatus.REFERRED, ""),
                (ConcernStatus.FIRST_RESPONSE, state),
                ("", state),
            ],
            weights=(0.2, 0.1, 0.06, 0.29, 0.35),
        )[0]

    def _concern(self, pupil: uuid.UUID, area: str, status: str, *, raised_by_ta: bool) -> Concern:
        teacher = self.teacher_for(pupil, area)
        if pupil == self.showcase.get("concern") and self.f.showcase_teacher is not None:
            teacher = self.f.showcase_teacher
        raised_by = self.pick(self.f.tas[pupil]) if raised_by_ta else teacher
        concern = Concern(
            pupil_id=pupil,
            school_id=self.school_id,
            raised_by_id=raised_by,
            area=area,
            observed=self.pick(CONCERN_OBSERVED[area]),
            evidence=self.pick(CONCERN_EVIDENCE),
            status=status,
        )
        if status == ConcernStatus.OPEN:
            concern.raised_on = self.school_day(self.back(0, 25))
        elif status == ConcernStatus.FIRST_RESPONSE:
            concern.raised_on = self.as_of  # set from the first response's start below
            concern.next_step_note = self.pick(FIRST_RESPONSE_NOTES)
            concern.next_step_by_id = teacher
        else:
            concern.raised_on = self.school_day(self.back(12, 110))
            concern.next_step_on = min(concern.raised_on + self.days(2, 10), self.as_of)
            concern.next_step_by_id = teacher
            if status == ConcernStatus.NO_ACTION:
                concern.next_step_note = self.pick(NO_ACTION_NOTES[area])
            else:
                concern.next_step_note = self.pick(REFERRED_NOTES)
        self.rows.concerns.append(concern)
        return concern

    def _response(
        self,
        pupil: uuid.UUID,
        area: str,
        state: str,
        *,
        concern: Concern | None = None,
        teacher: int | None = None,
        reviewed_by: dt.date | None = None,
    ) -> FirstResponse:
        if teacher is None:
            subject, teacher = self.subject_for(pupil, area)
        else:
            subject = self.subject_taught_by(pupil, area, teacher)
        weakness, adjustments = self.pick(RESPONSES[area])
        length = self.days(35, 49)
        if reviewed_by is not None:  # reviewed shortly before a later step, e.g. the SEN support decision
            reviewed_on = reviewed_by
            review_on = reviewed_on - self.days(0, 4)
        elif state == OPEN_AHEAD:
            review_on = self.as_of + self.days(10, 35)
        elif state == OPEN_DUE:
            review_on = self.back(0, 20, lead=49)
        else:
            review_on = self.back(10, 110, lead=60)
            reviewed_on = min(review_on + self.days(0, 5), self.as_of)
        starts_on = min(review_on - length, self.as_of)
        response = FirstResponse(
            pupil_id=pupil,
            school_id=self.school_id,
            accountable_teacher_id=teacher,
            subject_id=subject,
            weakness=weakness,
            adjustments=adjustments,
            starts_on=starts_on,
            review_on=review_on,
            concern=concern,
            created_by_id=teacher,
        )
        if state in (RESOLVED, CONTINUE, REFER):
            response.outcome = state
            response.outcome_note = self.pick(OUTCOME_NOTES[state])
            response.reviewed_on = reviewed_on
            response.reviewed_by_id = teacher
        if concern is not None:
            concern.raised_on = starts_on - self.days(1, 10)
            concern.next_step_on = starts_on
        self.rows.responses.append(response)
        if state == CONTINUE:
            assert response.reviewed_on is not None
            follow_on = FirstResponse(
                pupil_id=pupil,
                school_id=self.school_id,
                accountable_teacher_id=teacher,
                subject_id=response.subject_id,
                weakness=weakness,
                adjustments=adjustments + self.pick(MORE_ADJUSTMENTS),
                starts_on=response.reviewed_on,
                review_on=response.reviewed_on + self.days(35, 49),
                concern=concern,
                follows=response,
                created_by_id=teacher,
            )
            self.rows.follow_ons.append(follow_on)
        return response

    def _sen_support_concerns(self, k: list[uuid.UUID]) -> None:
        """A few pupils on SEN support have a new concern in another area."""
        chosen = self.r.sample(k, min(len(k), max(1, round(0.06 * len(k))))) if k else []
        for pupil in chosen:
            own = self.f.area.get(pupil)
            area = self.pick([a for a in AREAS if a != own])
            status = ConcernStatus.OPEN if self.chance(0.6) else ConcernStatus.REFERRED
            self._concern(pupil, area, status, raised_by_ta=bool(self.f.tas.get(pupil)) and self.chance(0.3))

    # ------------------------------------------------------------------ SEN support
    def _decisions(self, k: list[uuid.UUID]) -> None:
        """The SENCo's decision for most pupils on SEN support; a few began before Tandem and have none."""
        if self.f.senco is None:
            return
        pupils = list(k)
        self.r.shuffle(pupils)
        without = max(1, round(0.1 * len(pupils))) if len(pupils) >= 3 else 0
        for pupil in pupils[without:]:
            period_id, starts_on = self.f.period[pupil]
            area = self.area_of(pupil)
            informed = min(starts_on + self.days(0, 6), self.as_of)
            self.rows.decisions.append(
                SenSupportDecision(
                    pupil_id=pupil,
                    school_id=self.school_id,
                    decided_on=starts_on,
                    decided_by_id=self.f.senco,
                    evidence=self.pick(DECISION_EVIDENCE[area]),
                    pupil_views=self.pick(PUPIL_VIEWS[area]),
                    parent_views=self.pick(PARENT_VIEWS),
                    parents_informed_on=informed,
                    parent_note=self.pick(PARENT_NOTES).format(need=NEED_PHRASE[area]),
                    period_id=period_id,
                )
            )
            # Support that began this year shows the first response tried before it (Code 6.19).
            if starts_on >= self.year_start + dt.timedelta(days=50) and self.chance(0.6):
                self._response(pupil, area, REFER, reviewed_by=starts_on - self.days(1, 7))

    def _plans(self, k: list[uuid.UUID], e: list[uuid.UUID]) -> None:
        """Plans for most pupils on SEN support and some with an EHC plan; a few on SEN support have none."""
        pupils = list(k)
        self.r.shuffle(pupils)
        showcase = self.showcase.get("plan")
        if showcase in pupils:
            pupils.remove(showcase)
        without = max(1, round(0.07 * len(pupils))) if len(pupils) >= 4 else 0
        needed = [PLAN_CONTINUED, PLAN_NEW_CYCLE, PLAN_OVERDUE, PLAN_OPEN]
        if showcase is not None:
            self._plan(showcase, PLAN_SOON, teacher=self.f.showcase_teacher)
        for pupil in pupils[without:]:
            fits = [s for s in needed if self._fits(pupil, s)]
            if fits:
                shape = fits[0]
                needed.remove(shape)
            else:
                shape = self.r.choices(
                    (PLAN_OPEN, PLAN_OVERDUE, PLAN_CONTINUED, PLAN_NEW_CYCLE), weights=(0.5, 0.15, 0.2, 0.15)
                )[0]
            self._plan(pupil, shape if self._fits(pupil, shape) else PLAN_OPEN)
        for pupil in e:
            if pupil != showcase and self.chance(0.3):
                shape = PLAN_OPEN if self.chance(0.8) else PLAN_OVERDUE
                self._plan(pupil, shape if self._fits(pupil, shape) else PLAN_OPEN)

    def _fits(self, pupil: uuid.UUID, shape: str) -> bool:
        """Whether the pupil has been on the register long enough for this shape of plan history."""
        room = (self.as_of - self.f.period[pupil][1]).days
        return room >= {PLAN_OVERDUE: 110, PLAN_CONTINUED: 150, PLAN_NEW_CYCLE: 150}.get(shape, 0)

    def _plan(self, pupil: uuid.UUID, shape: str, *, teacher: int | None = None) -> None:
        area = self.area_of(pupil)
        teacher = teacher or self.teacher_for(pupil, area)
        earliest = self.f.period[pupil][1]  # plans follow the start of SEN support
        cycle_days = self.days(70, 100)
        if shape in (PLAN_CONTINUED, PLAN_NEW_CYCLE):
            reviewed_on = min(max(self.back(14, 80), earliest + cycle_days + DAY), self.as_of)
            review_on = reviewed_on - self.days(0, 7)
            starts_on = max(review_on - cycle_days, earliest)
            next_step = NextStep.CONTINUE if shape == PLAN_CONTINUED else NextStep.NEW_CYCLE
            first = self._cycle(pupil, area, teacher, starts_on, review_on, until=reviewed_on)
            self._review(first, reviewed_on, next_step)
            self._cycle(pupil, area, teacher, reviewed_on, reviewed_on + self.days(70, 100), previous=first)
            return
        if shape == PLAN_OVERDUE:
            review_on = max(self.ago(1, 30), earliest + DAY)
            starts_on = max(review_on - cycle_days, earliest)
        elif shape == PLAN_SOON:
            review_on = self.as_of + self.days(3, 18)
            starts_on = min(max(review_on - cycle_days, earliest), self.as_of)
        else:
            starts_on = min(max(self.as_of - cycle_days + self.days(8, 60), earliest), self.as_of)
            review_on = max(starts_on + cycle_days, self.as_of + self.days(8, 40))
        self._cycle(pupil, area, teacher, starts_on, review_on)

    def _cycle(
        self,
        pupil: uuid.UUID,
        area: str,
        teacher: int,
        starts_on: dt.date,
        review_on: dt.date,
        *,
        previous: _Plan | None = None,
        until: dt.date | None = None,
    ) -> _Plan:
        """One plan cycle with its targets and their progress, recorded up to `until` (default today)."""
        assert starts_on < review_on <= starts_on + dt.timedelta(days=366), (starts_on, review_on)
        until = min(until or self.as_of, self.as_of)
        if previous is None:
            plan = SupportPlan(
                cycle=1,
                summary=self.pick(PLAN_SUMMARY[area]),
                strengths=self.pick(STRENGTHS),
                needs=self.pick(NEEDS[area]),
                pupil_views=self.pick(PUPIL_VIEWS[area]),
                parent_views=self.pick(PARENT_VIEWS),
                evidence=self.pick(DECISION_EVIDENCE[area]),
                strategies=self.pick(STRATEGIES[area]),
                interventions=self.pick(INTERVENTIONS[area]),
                expected_impact=self.pick(EXPECTED_IMPACT),
            )
            # In words until the catalogue is written: link_plan_interventions then chooses from it.
            plan.other_interventions = plan.interventions
        else:  # the next cycle starts from the review, as the service does
            old = previous.plan
            plan = SupportPlan(
                cycle=old.cycle + 1,
                previous=old,
                summary=old.review_summary,
                strengths=old.strengths,
                needs=old.needs,
                pupil_views=old.review_pupil_views,
                parent_views=old.review_parent_views,
                evidence=old.evidence,
                strategies=old.strategies,
                interventions=old.interventions,
                other_interventions=old.other_interventions,
                expected_impact=old.expected_impact,
            )
        plan.pupil_id = pupil
        plan.school_id = self.school_id
        plan.accountable_teacher_id = teacher
        plan.starts_on = starts_on
        plan.review_on = review_on
        plan.created_by_id = self.f.senco or teacher
        (self.rows.next_plans if previous else self.rows.plans).append(plan)
        self.plans_of.setdefault(pupil, []).append(plan)
        if self.chance(0.5):
            lines = self.r.sample(DO_NOTES, self.r.randint(1, 2))
            days = sorted(self._days_between(starts_on + DAY, until, len(lines)))
            name = self.f.names.get(teacher, "Class teacher")
            plan.do_notes = "\n".join(
                f"{d:%d %b %Y}, {name}: {line}" for d, line in zip(days, lines, strict=False)
            )

        made = _Plan(plan, [])
        used: set[str] = set()
        if previous is not None:
            used = {t.skill for t in previous.targets}
            if previous.plan.next_step == NextStep.CONTINUE:
                for t in previous.targets:
                    if t.outcome != TargetOutcome.MET:
                        made.targets.append(self._target(plan, t.skill, teacher, review_on, carried_from=t))
        phase_bank = [t[0] for t in TARGETS[area] if t[4] in ("", self.f.phase)]
        carried = {t.skill for t in made.targets}
        # New targets are new where the bank allows; otherwise an earlier one is set again.
        bank = [s for s in phase_bank if s not in used] or [s for s in phase_bank if s not in carried]
        wanted = self.r.choices((1, 2, 3), weights=(0.25, 0.45, 0.3))[0]
        new = max(wanted - len(made.targets), 0 if made.targets else 1)
        for skill in self.r.sample(bank, min(new, len(bank))):
            due = review_on if self.chance(0.6) else review_on - self.days(7, 21)
            if due <= starts_on + dt.timedelta(days=7):
                due = review_on
            others = [u for u in self.f.teachers[pupil] if u != teacher]
            owner = self.pick(others) if others and self.chance(0.15) else teacher
            made.targets.append(self._target(plan, skill, owner, due))
        for target in made.targets:
            self._progress(pupil, target, until=until)
        return made

    def _target(
        self, plan: SupportPlan, skill: str, teacher: int, due_on: dt.date, carried_from: Target | None = None
    ) -> Target:
        _, measure, baseline, criterion, _ = _TARGET_BY_SKILL[skill]
        tas = [u for u in self.f.tas.get(plan.pupil_id, []) if u in self.f.names]
        staff: list[int] = []
        other = ""
        if tas and self.chance(0.7):
            staff = tas[:2]
        else:
            other = self.pick(("", "SENCo", "Speech and language therapist (termly visit)"))
            senco = self.f.senco
            if other == "SENCo" and senco is not None and senco in self.f.names:
                staff, other = [senco], ""
        # Chosen from the school's staff, as the service records them; the one line the history keeps.
        staff.sort(key=lambda u: self.f.names[u].casefold())
        supporters = ", ".join([*(self.f.names[u] for u in staff), *([other] if other else [])])
        target = Target(
            plan=plan,
            pupil_id=plan.pupil_id,
            school_id=self.school_id,
            skill=skill,
            measure=measure,
            baseline=baseline,
            success_criterion=criterion,
            due_on=due_on,
            accountable_teacher_id=teacher,
            supporters=supporters,
            other_supporters=other,
            carried_from=carried_from,
        )
        self.rows.target_staff.extend((target.id, user) for user in staff)
        (self.rows.carried if carried_from else self.rows.targets).append(target)
        return target

    def _days_between(self, lo: dt.date, hi: dt.date, count: int) -> list[dt.date]:
        span = (hi - lo).days
        if span < 0:
            return []
        return [
            self.school_day(lo + dt.timedelta(days=self.r.randint(0, span)), lo, hi) for _ in range(count)
        ]

    def _progress(self, pupil: uuid.UUID, target: Target, *, until: dt.date) -> None:
        """Dated progress on about two targets in three, by the teacher or a teaching assistant."""
        if not self.chance(0.65):
            return
        first = target.plan.starts_on + dt.timedelta(days=7)
        for day in sorted(self._days_between(first, until, self.r.randint(1, 3))):
            self.rows.progress.append(
                TargetProgress(
                    target=target,
                    pupil_id=pupil,
                    school_id=self.school_id,
                    recorded_on=day,
                    note=self.pick(PROGRESS_NOTES),
                    evidence=self.pick(PROGRESS_EVIDENCE),
                    recorded_by_id=self.adult_for_progress(pupil, target.accountable_teacher_id),
                )
            )

    def _review(self, made: _Plan, reviewed_on: dt.date, next_step: NextStep) -> None:
        """Review a cycle: how far each target was met, views, and the next step."""
        plan = made.plan
        plan.reviewed_on = reviewed_on
        plan.reviewed_by_id = self.f.senco or plan.accountable_teacher_id
        plan.next_step = next_step
        plan.review_summary = self.pick(REVIEW_SUMMARY[next_step])
        plan.review_pupil_views = self.pick(REVIEW_PUPIL_VIEWS[self.area_of(plan.pupil_id)])
        plan.review_parent_views = self.pick(REVIEW_PARENT_VIEWS)
        outcomes = [self.r.choices(TargetOutcome.values, weights=(0.35, 0.4, 0.25))[0] for _ in made.targets]
        if next_step == NextStep.CONTINUE and all(o == TargetOutcome.MET for o in outcomes):
            outcomes[-1] = TargetOutcome.PARTLY  # "continue" carries on the targets not yet met
        for target, outcome in zip(made.targets, outcomes, strict=True):
            target.outcome = outcome

    # ------------------------------------------------------------------ parent meetings
    def _meetings(self, k: list[uuid.UUID]) -> None:
        """This year's meetings with parents of pupils on SEN support: none, one, two, three or more."""
        pupils = list(k)
        self.r.shuffle(pupils)
        first_day = {p: max(self.year_start, self.f.period[p][1] - dt.timedelta(days=14)) for p in pupils}
        # The first four pupils with room for three meetings have none, one, two and three of them.
        roomy = [p for p in pupils if (self.as_of - first_day[p]).days >= 63][:4]
        forced = {p: n for n, p in enumerate(roomy)}
        for pupil in pupils:
            window = (self.as_of - first_day[pupil]).days
            if window < 0:
                continue
            if pupil in forced:
                count = forced[pupil]
            else:
                count = self.r.choices((0, 1, 2, 3, 4), weights=(0.12, 0.3, 0.3, 0.22, 0.06))[0]
                # Early in the year fewer meetings have happened yet, and they are weeks apart.
                count = sum(self.chance(min(1.0, window / 120)) for _ in range(count))
                count = min(count, 1 + window // 21)
            area = self.area_of(pupil)
            slot = (window + 1) / max(count, 1)
            offsets = [min(window, int(i * slot + self.r.random() * slot)) for i in range(count)]
            start = first_day[pupil]
            held = sorted({self.school_day(start + dt.timedelta(days=o), start) for o in offsets})
            plans = self.plans_of.get(pupil, [])
            teachers = [p.accountable_teacher_id for p in plans] or self.f.teachers[pupil]
            for n, held_on in enumerate(held):
                lead = self.f.senco if self.f.senco is not None and self.chance(0.45) else self.pick(teachers)
                shared = held_on + self.days(0, 7)
                plan = next(
                    (
                        p
                        for p in plans
                        if p.starts_on <= held_on and (p.reviewed_on is None or held_on < p.reviewed_on)
                    ),
                    None,
                )
                following = held[n + 1] if n + 1 < len(held) else held_on + self.days(42, 90)
                self.rows.meetings.append(
                    ParentMeeting(
                        pupil_id=pupil,
                        school_id=self.school_id,
                        plan=plan,
                        held_on=held_on,
                        led_by_id=lead,
                        who_attended=self.pick(WHO_ATTENDED.get(self.f.phase, WHO_ATTENDED["primary"])),
                        parent_views=self.pick(PARENT_VIEWS),
                        pupil_views=self.pick(MEETING_PUPIL_VIEWS),
                        discussed=self.pick(MEETING_DISCUSSED),
                        agreed_actions=self.pick(MEETING_ACTIONS[area]),
                        shared_with_parents_on=shared if shared <= self.as_of and self.chance(0.65) else None,
                        next_meeting_on=following if following > held_on and self.chance(0.6) else None,
                        recorded_by_id=lead,
                    )
                )

    # ------------------------------------------------------------------ passports
    def _passports(self, register: list[uuid.UUID]) -> None:
        """Passports for most pupils on the register, read by some of the adults who work with them."""
        unread_by: dict[uuid.UUID, set[int]] = defaultdict(set)
        for key, user in (
            ("passport_teacher", self.f.showcase_teacher),
            ("passport_ta", self.f.showcase_ta),
        ):
            pupil = self.showcase.get(key)
            if pupil is not None and user is not None:
                unread_by[pupil].add(user)
        for pupil in register:
            keep_unread = unread_by.get(pupil, set())
            if not keep_unread and not self.chance(0.85):
                continue
            area = self.area_of(pupil)
            teachers = self.f.teachers[pupil]
            adults = sorted(set(teachers) | set(self.f.tas.get(pupil, [])))
            second_writers = [u for u in teachers if u not in keep_unread]
            versions = 2 if second_writers and self.chance(0.25) else 1
            for version in range(1, versions + 1):
                last = version == versions
                if version == 1:
                    writer = self.f.senco or self.pick(second_writers or teachers)
                else:
                    writer = self.pick(second_writers)
                passport = Passport(
                    pupil_id=pupil,
                    school_id=self.school_id,
                    version=version,
                    strengths=self.pick(STRENGTHS),
                    needs=" ".join(self.r.sample(PASSPORT_NEEDS[area], self.r.randint(1, 2))),
                    what_helps=self.pick(PASSPORT_HELPS[area]),
                    written_by_id=writer,
                )
                self.rows.passports.append(passport)
                # The author has read what they wrote; others read the older version more often.
                readers = {writer} | {u for u in adults if self.chance(0.55 if last else 0.85)}
                if last:
                    readers -= keep_unread
                self.rows.reads.extend(PassportRead(passport=passport, user_id=u) for u in sorted(readers))
