"""Parents, carers and pupils as partners in the demo: linked parents, what staff share with them, the views
they give, their replies to meeting records, the meetings they ask for, and pupils' "about me".

Runs after the graduated approach and the interventions, inside the loader's transaction. It reads back the
open plans, meetings and passports (a few queries for the whole trust), decides everything for each school
from its own random stream, then writes with `bulk_create`. Every record follows the rules the services
enforce: a parent holds the parent role at the school of the one child they are linked to, by the SENCo; a
shared passport is the pupil's newest; a views request is for an open plan, its answers due after today and
before the plan's review; a reply that does not agree says what is wrong; an "about me" is recorded with one
of the pupil's own teachers or teaching assistants, on or before the day their plan started. Nothing that
happened is dated after the demo's "today" (`as_of`): the timestamps the models set on saving are put back
to the day each thing happened.

The first parent at each school (parent.001@families.<the school's domain>) is the parent of a pupil taught
by the teacher the demo's sign-ins print, with a shared open plan, a shared meeting record and a views
request waiting, so the printed parent sign-in has something on every page.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import Max, Model
from django.utils import timezone

from tandem.demo.facts import SchoolFacts, school_facts
from tandem.demo.wording.partners import (
    ABOUT_ME,
    ABOUT_ME_GOOD_AT,
    FEMALE_RELATIONSHIPS,
    MALE_RELATIONSHIPS,
    MEETING_AGREE_COMMENTS,
    MEETING_NOT_RIGHT_COMMENTS,
    MEETING_REQUEST_ABOUT,
    MEETING_REQUEST_TIMES,
    PARENT_ANSWERS,
    PARENT_FORENAMES_FEMALE,
    PARENT_FORENAMES_MALE,
    PARENT_SURNAMES,
    RELATIONSHIPS,
    SECOND_RELATIONSHIP,
    VIEWS_PURPOSE,
    VIEWS_PURPOSE_MEETING,
)
from tandem.lib.family_words import DEFAULT_QUESTIONS
from tandem.parents.models import (
    MeetingRequest,
    MeetingResponse,
    ParentLink,
    ParentViews,
    SharedKind,
    Sharing,
    ViewsRequest,
)
from tandem.people.models import Membership, Role, User
from tandem.plans.models import ParentMeeting, SupportPlan
from tandem.pupil_voice.models import AboutMe, HowRecorded
from tandem.register.models import BroadArea, Passport, Provision

T = TypeVar("T")

_BATCH = 2_000
DAY = dt.timedelta(days=1)

AREAS: tuple[str, ...] = (
    BroadArea.COGNITION,
    BroadArea.COMMUNICATION,
    BroadArea.SEMH,
    BroadArea.SENSORY_PHYSICAL,
)
# The share of pupils on the register with an open plan whose parents are linked, and of those with two.
LINKED_SHARE = 0.4
TWO_PARENTS_SHARE = 0.2
# Parents are asked for their views before a review due within this many days.
VIEWS_WINDOW = 42
# How "about me" was recorded, by phase: younger pupils more often say it or point to symbols.
_HOW_RECORDED: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "primary": (
        (HowRecorded.SAID, HowRecorded.SYMBOLS, HowRecorded.TYPED, HowRecorded.SIGNED),
        (0.6, 0.25, 0.1, 0.05),
    ),
    "secondary": (
        (HowRecorded.TYPED, HowRecorded.SAID, HowRecorded.SYMBOLS, HowRecorded.SIGNED),
        (0.6, 0.3, 0.07, 0.03),
    ),
}


@dataclass(frozen=True)
class _OpenPlan:
    id: uuid.UUID
    starts_on: dt.date
    review_on: dt.date
    teacher: int


@dataclass(frozen=True)
class _Meeting:
    id: uuid.UUID
    held_on: dt.date
    shared_on: dt.date | None


@dataclass
class _TrustRecords:
    """What the graduated approach wrote, read back for the whole trust in a few queries."""

    plans: dict[uuid.UUID, _OpenPlan]
    meetings: dict[uuid.UUID, list[_Meeting]]
    passports: dict[uuid.UUID, tuple[uuid.UUID, int]]  # newest: (id, writer)
    domains: dict[int, str]  # user id -> the part of their email after the @


@dataclass
class _Rows:
    users: list[User] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    links: list[ParentLink] = field(default_factory=list)
    sharings: list[Sharing] = field(default_factory=list)
    meetings_dated: list[ParentMeeting] = field(default_factory=list)
    views_requests: list[ViewsRequest] = field(default_factory=list)
    views: list[ParentViews] = field(default_factory=list)
    responses: list[MeetingResponse] = field(default_factory=list)
    meeting_requests: list[MeetingRequest] = field(default_factory=list)
    about_me: list[AboutMe] = field(default_factory=list)
    # The moment each record happened, put back after saving (the models stamp "now" on insert).
    stamps: dict[tuple[type[Model], str], list[tuple[Any, dt.datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # Parents are new users: (record, field) pairs to point at each one's id once it is saved, by index.
    by_parent: dict[int, list[tuple[Model, str]]] = field(default_factory=lambda: defaultdict(list))

    def stamp(self, record: Model, name: str, moment: dt.datetime) -> None:
        self.stamps[(type(record), name)].append((record, moment))

    def save(self) -> dict[str, int]:
        users = User.objects.bulk_create(self.users, batch_size=_BATCH)
        for index, user in enumerate(users):
            for record, attname in self.by_parent[index]:
                setattr(record, attname, user.pk)
        Membership.objects.bulk_create(self.memberships, batch_size=_BATCH)
        ParentLink.objects.bulk_create(self.links, batch_size=_BATCH)
        Sharing.objects.bulk_create(self.sharings, batch_size=_BATCH)
        ParentMeeting.objects.bulk_update(self.meetings_dated, ["shared_with_parents_on"], batch_size=_BATCH)
        ViewsRequest.objects.bulk_create(self.views_requests, batch_size=_BATCH)
        ParentViews.objects.bulk_create(self.views, batch_size=_BATCH)
        MeetingResponse.objects.bulk_create(self.responses, batch_size=_BATCH)
        MeetingRequest.objects.bulk_create(self.meeting_requests, batch_size=_BATCH)
        AboutMe.objects.bulk_create(self.about_me, batch_size=_BATCH)
        for (model, name), stamped in self.stamps.items():
            for record, moment in stamped:
                setattr(record, name, moment)
            model._default_manager.bulk_update([r for r, _ in stamped], [name], batch_size=_BATCH)
        return {
            "parents and carers": len(self.users),
            "parent links": len(self.links),
            "records shared with parents": len(self.sharings),
            "views requests": len(self.views_requests),
            "parents' views": len(self.views),
            "meeting record replies": len(self.responses),
            "meetings asked for": len(self.meeting_requests),
            "about me": len(self.about_me),
        }


def write_partners(*, trust_id: int, as_of: dt.date, seed: int) -> dict[str, int]:
    """Write parents and carers, what is shared with them and what they and the pupils say, for each school
    of the trust; rows written by table. Deterministic for a given seed and database."""
    records = _read(trust_id)
    rows = _Rows()
    # The demo's one password hash, as the loader gave the staff (hashing again would cost Argon2's time).
    password = User.objects.filter(memberships__school__trust_id=trust_id).values_list(
        "password", flat=True
    ).first() or make_password(settings.TANDEM_DEMO_PASSWORD)
    for facts in school_facts(trust_id, as_of):
        rng = random.Random(f"tandem-demo-partners/{seed}/{facts.index}")
        _School(facts, as_of, rng, rows, records, password).build()
    return rows.save()


def _read(trust_id: int) -> _TrustRecords:
    plans = {
        pupil: _OpenPlan(pk, starts_on, review_on, teacher)
        for pk, pupil, starts_on, review_on, teacher in SupportPlan.objects.filter(
            school__trust_id=trust_id, reviewed_on__isnull=True, withdrawn_at__isnull=True
        ).values_list("id", "pupil_id", "starts_on", "review_on", "accountable_teacher_id")
    }
    meetings: dict[uuid.UUID, list[_Meeting]] = defaultdict(list)
    for pk, pupil, held_on, shared_on in (
        ParentMeeting.objects.filter(school__trust_id=trust_id, withdrawn_at__isnull=True)
        .order_by("pupil_id", "held_on", "id")
        .values_list("id", "pupil_id", "held_on", "shared_with_parents_on")
    ):
        meetings[pupil].append(_Meeting(pk, held_on, shared_on))
    newest = dict(
        Passport.objects.filter(school__trust_id=trust_id, withdrawn_at__isnull=True)
        .values("pupil_id")
        .annotate(v=Max("version"))
        .values_list("pupil_id", "v")
    )
    passports = {
        pupil: (pk, writer)
        for pk, pupil, version, writer in Passport.objects.filter(
            school__trust_id=trust_id, withdrawn_at__isnull=True
        ).values_list("id", "pupil_id", "version", "written_by_id")
        if newest.get(pupil) == version
    }
    domains = {
        pk: email.rpartition("@")[2]
        for pk, email in User.objects.filter(
            memberships__school__trust_id=trust_id, memberships__role=Role.SENCO
        ).values_list("id", "email")
    }
    return _TrustRecords(plans=plans, meetings=dict(meetings), passports=passports, domains=domains)


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    """A time in the school day, on `day`, in the school's time zone; never later than now."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59))))
    return min(moment, timezone.now())


class _School:
    def __init__(
        self,
        facts: SchoolFacts,
        as_of: dt.date,
        rng: random.Random,
        rows: _Rows,
        records: _TrustRecords,
        password: str,
    ) -> None:
        self.f = facts
        self.as_of = as_of
        self.r = rng
        self.rows = rows
        self.records = records
        self.password = password
        self.numbered = 0
        self.parents_of: dict[uuid.UUID, list[int]] = {}  # pupil -> indexes into rows.users
        self.linked_on: dict[uuid.UUID, dt.date] = {}
        self.shared_meetings: dict[uuid.UUID, list[tuple[_Meeting, dt.date]]] = defaultdict(list)

    # ------------------------------------------------------------------ small helpers
    def pick(self, items: Sequence[T]) -> T:
        return items[self.r.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def days(self, lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=self.r.randint(lo, hi))

    def between(self, lo: dt.date, hi: dt.date) -> dt.date:
        """A day from lo to hi (hi when they cross)."""
        return hi if hi <= lo else lo + dt.timedelta(days=self.r.randint(0, (hi - lo).days))

    def area_of(self, pupil: uuid.UUID) -> str:
        area = self.f.area.get(pupil, "")
        return area if area in AREAS else AREAS[pupil.int % len(AREAS)]

    def moment(self, day: dt.date) -> dt.datetime:
        return _moment(min(day, self.as_of), self.r)

    # ------------------------------------------------------------------ the school
    def build(self) -> None:
        f = self.f
        senco = f.senco
        domain = self.records.domains.get(senco) if senco is not None else None
        with_plan = [p for p in f.pupils if f.provision.get(p) in (Provision.SEN_SUPPORT, Provision.EHC_PLAN)]
        with_plan = [p for p in with_plan if p in self.records.plans]
        self._about_me(with_plan)
        if senco is None or domain is None:
            return  # nobody to link parents: a school without a SENCo has no parents in Tandem yet
        showcase = self._showcase(with_plan)
        others = [p for p in with_plan if p != showcase]
        self.r.shuffle(others)
        linked = others[: max(0, round(LINKED_SHARE * len(with_plan)) - (1 if showcase else 0))]
        linked.sort(key=lambda p: p.hex)
        if showcase is not None:
            linked.insert(0, showcase)
        for pupil in linked:
            self._link(pupil, senco, domain, showcase=pupil == showcase)
        for pupil in linked:
            self._share(pupil, senco, showcase=pupil == showcase)
            self._ask_views(pupil, senco, showcase=pupil == showcase)
            self._respond(pupil, showcase=pupil == showcase)
        self._meeting_requests([p for p in linked if p != showcase] or linked)

    def _showcase(self, with_plan: list[uuid.UUID]) -> uuid.UUID | None:
        """The child of the school's first parent: taught by the printed teacher, with a meeting record to
        share and, best, a plan review coming up to ask the parents' views before."""
        teacher = self.f.showcase_teacher
        taught = [p for p in with_plan if teacher is not None and teacher in self.f.teachers.get(p, [])]
        if not taught:
            taught = list(with_plan)
        if not taught:
            return None

        def score(pupil: uuid.UUID) -> tuple[int, int, int]:
            plan = self.records.plans[pupil]
            soon = 0 < (plan.review_on - self.as_of).days <= VIEWS_WINDOW
            return (
                int(bool(self.records.meetings.get(pupil))),
                int(soon and (plan.review_on - self.as_of).days >= 3),
                int((plan.review_on - self.as_of).days >= 3),
            )

        best = max(score(p) for p in taught)
        return self.pick(sorted(p for p in taught if score(p) == best))

    # ------------------------------------------------------------------ linking
    def _new_parent(self, relationship: str, domain: str, surname: str | None = None) -> int:
        self.numbered += 1
        if relationship in FEMALE_RELATIONSHIPS:
            forenames = PARENT_FORENAMES_FEMALE
        elif relationship in MALE_RELATIONSHIPS:
            forenames = PARENT_FORENAMES_MALE
        else:
            forenames = self.pick((PARENT_FORENAMES_FEMALE, PARENT_FORENAMES_MALE))
        user = User(
            email=f"parent.{self.numbered:03d}@families.{domain}",
            full_name=f"{self.pick(forenames)} {surname or self.pick(PARENT_SURNAMES)}",
            password=self.password,
        )
        self.rows.users.append(user)
        return len(self.rows.users) - 1

    def _link(self, pupil: uuid.UUID, senco: int, domain: str, *, showcase: bool) -> None:
        plan = self.records.plans[pupil]
        # Linked when the school started sharing with the family: around the start of the current plan.
        linked_on = min(
            max(plan.starts_on - self.days(0, 21), self.as_of - dt.timedelta(days=365)), self.as_of
        )
        self.linked_on[pupil] = linked_on
        first = self.r.choices([r for r, _ in RELATIONSHIPS], weights=[w for _, w in RELATIONSHIPS])[0]
        relationships = [first]
        if not showcase and self.chance(TWO_PARENTS_SHARE):
            relationships.append(self.pick(SECOND_RELATIONSHIP[first]))
        self.parents_of[pupil] = []
        for relationship in relationships:
            # A second parent often shares the first one's surname.
            first_parent = self.rows.users[self.parents_of[pupil][0]] if self.parents_of[pupil] else None
            shared = first_parent.full_name.split()[-1] if first_parent and self.chance(0.6) else None
            index = self._new_parent(relationship, domain, shared)
            self.parents_of[pupil].append(index)
            membership = Membership(role=Role.PARENT, school_id=self.f.id)
            link = ParentLink(
                pupil_id=pupil, school_id=self.f.id, relationship=relationship, linked_by_id=senco
            )
            self.rows.memberships.append(membership)
            self.rows.links.append(link)
            self.rows.by_parent[index].extend([(membership, "user_id"), (link, "user_id")])
            self.rows.stamp(link, "linked_at", self.moment(linked_on))

    # ------------------------------------------------------------------ sharing
    def _sharer(self, pupil: uuid.UUID, senco: int) -> int:
        return senco if self.chance(0.5) else self.records.plans[pupil].teacher

    def _share(self, pupil: uuid.UUID, senco: int, *, showcase: bool) -> None:
        plan = self.records.plans[pupil]
        linked_on = self.linked_on[pupil]
        if showcase or self.chance(0.8):
            day = self.between(max(plan.starts_on, linked_on), self.as_of)
            self._sharing(pupil, SharedKind.PLAN, plan.id, self._sharer(pupil, senco), day)
        passport = self.records.passports.get(pupil)
        if passport is not None and self.chance(0.35):
            day = self.between(linked_on, self.as_of)
            self._sharing(pupil, SharedKind.PASSPORT, passport[0], self._sharer(pupil, senco), day)
        meetings = self.records.meetings.get(pupil, [])
        for n, meeting in enumerate(meetings):
            newest = n == len(meetings) - 1
            if not (showcase and newest) and not self.chance(0.8):
                continue
            given = meeting.shared_on
            if given is None:
                # Shared now, as the service does: the record is dated as given to the parents.
                given = min(meeting.held_on + self.days(0, 7), self.as_of)
                self.rows.meetings_dated.append(ParentMeeting(id=meeting.id, shared_with_parents_on=given))
            day = min(max(given, linked_on), self.as_of)
            self._sharing(pupil, SharedKind.MEETING, meeting.id, self._sharer(pupil, senco), day)
            self.shared_meetings[pupil].append((meeting, day))

    def _sharing(self, pupil: uuid.UUID, kind: SharedKind, record: uuid.UUID, by: int, day: dt.date) -> None:
        sharing = Sharing(pupil_id=pupil, school_id=self.f.id, kind=kind, record_id=record, shared_by_id=by)
        self.rows.sharings.append(sharing)
        self.rows.stamp(sharing, "shared_at", self.moment(day))

    # ------------------------------------------------------------------ views before a review
    def _ask_views(self, pupil: uuid.UUID, senco: int, *, showcase: bool) -> None:
        plan = self.records.plans[pupil]
        ahead = (plan.review_on - self.as_of).days
        for_review = 2 <= ahead <= VIEWS_WINDOW
        if not for_review and not showcase:
            return
        if not showcase and not self.chance(0.85):
            return
        if for_review:
            # Answers wanted after today and a few days before the review, to read before it.
            reply_by = max(plan.review_on - self.days(2, 10), self.as_of + DAY)
            purpose = self.pick(VIEWS_PURPOSE)
        else:
            reply_by = self.as_of + self.days(10, 21)
            purpose = VIEWS_PURPOSE_MEETING
        asked_on = self.between(max(self.linked_on[pupil], self.as_of - dt.timedelta(days=14)), self.as_of)
        request = ViewsRequest(
            pupil_id=pupil,
            school_id=self.f.id,
            plan_id=plan.id if for_review else None,
            purpose=purpose,
            questions=list(DEFAULT_QUESTIONS),
            reply_by=reply_by,
            asked_by_id=senco,
        )
        self.rows.views_requests.append(request)
        self.rows.stamp(request, "asked_at", self.moment(asked_on))
        if showcase or not self.chance(0.5):
            return  # not answered yet: the printed parent always has one waiting
        bank = PARENT_ANSWERS[self.area_of(pupil)]
        answers = [
            {"question": question, "answer": answer}
            for question, options in zip(DEFAULT_QUESTIONS, bank, strict=True)
            if (answer := self.pick(options))
        ]
        parent = self.pick(self.parents_of[pupil])
        views = ParentViews(request=request, pupil_id=pupil, school_id=self.f.id, answers=answers)
        self.rows.views.append(views)
        self.rows.by_parent[parent].append((views, "given_by_id"))
        self.rows.stamp(views, "given_at", self.moment(self.between(asked_on, self.as_of)))

    # ------------------------------------------------------------------ replies to meeting records
    def _respond(self, pupil: uuid.UUID, *, showcase: bool) -> None:
        parents = self.parents_of[pupil]
        for meeting, shared_on in self.shared_meetings.get(pupil, []):
            if showcase or not self.chance(0.55):
                continue  # the printed parent has a meeting record waiting for their reply
            roll = self.r.random()
            agrees, comment = True, ""
            if roll < 0.12:
                agrees, comment = False, self.pick(MEETING_NOT_RIGHT_COMMENTS)
            elif roll < 0.2:
                comment = self.pick(MEETING_AGREE_COMMENTS)
            parent = self.pick(parents)
            response = MeetingResponse(
                meeting_id=meeting.id, pupil_id=pupil, school_id=self.f.id, agrees=agrees, comment=comment
            )
            self.rows.responses.append(response)
            self.rows.by_parent[parent].append((response, "parent_id"))
            self.rows.stamp(response, "responded_at", self.moment(self.between(shared_on, self.as_of)))

    def _meeting_requests(self, linked: list[uuid.UUID]) -> None:
        """One or two parents asking for a meeting, not yet answered."""
        for pupil in self.r.sample(linked, min(len(linked), self.r.randint(1, 2))):
            parent = self.pick(self.parents_of[pupil])
            request = MeetingRequest(
                pupil_id=pupil,
                school_id=self.f.id,
                about=self.pick(MEETING_REQUEST_ABOUT),
                good_times=self.pick(MEETING_REQUEST_TIMES),
            )
            self.rows.meeting_requests.append(request)
            self.rows.by_parent[parent].append((request, "parent_id"))
            asked_on = self.between(max(self.linked_on[pupil], self.as_of - dt.timedelta(days=6)), self.as_of)
            self.rows.stamp(request, "asked_at", self.moment(asked_on))

    # ------------------------------------------------------------------ about me
    def _about_me(self, with_plan: list[uuid.UUID]) -> None:
        """About half the pupils with a plan gave their views with an adult who works with them, before the
        plan was written."""
        kinds, weights = _HOW_RECORDED.get(self.f.phase, _HOW_RECORDED["primary"])
        for pupil in with_plan:
            adults = [*self.f.teachers.get(pupil, []), *self.f.tas.get(pupil, [])]
            if not adults or not self.chance(0.5):
                continue
            plan = self.records.plans[pupil]
            helps, hard, want = ABOUT_ME[self.area_of(pupil)]
            recorded_on = min(plan.starts_on - self.days(0, 14), self.as_of)
            about = AboutMe(
                pupil_id=pupil,
                school_id=self.f.id,
                good_at=self.pick(ABOUT_ME_GOOD_AT),
                what_helps=self.pick(helps),
                what_is_hard=self.pick(hard),
                what_i_want=self.pick(want) if self.chance(0.8) else "",
                how_recorded=self.r.choices(kinds, weights=weights)[0],
                recorded_with_id=self.pick(adults),
                recorded_on=recorded_on,
            )
            self.rows.about_me.append(about)
            self.rows.stamp(about, "created_at", self.moment(recorded_on))
