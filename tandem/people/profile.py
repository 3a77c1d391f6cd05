"""The class profile: one page per class or set with what every adult in the room needs to know about each
pupil with SEN or a current progress flag (needs, what helps, targets, interventions), printable on one or
two sides of A4.

Everything is read in a fixed number of queries whatever the size of the group: one per kind of record for
all the pupils at once, never one per pupil.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.access.scopes import current_enrolments, group_or_404, pupils_in_scope, running_on
from tandem.audit.services import audit_record
from tandem.people.models import Pupil, year_group_label
from tandem.people.selectors import GroupWithStaff, _staff_by_group, with_sen_summary
from tandem.plans.models import Target
from tandem.progress.models import ProgressResult
from tandem.progress.selectors import latest_runs
from tandem.provision.models import Placement
from tandem.register.models import Passport, Provision, SenNeed

ON_REGISTER = (Provision.SEN_SUPPORT.value, Provision.EHC_PLAN.value)
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class ProfileIntervention:
    name: str
    when: str  # e.g. "Mon, Wed, Fri, 9:10 to 9:30"
    classroom_link: str


@dataclass
class PupilProfile:
    pupil: Pupil
    provision: str  # N, K or E
    needs: list[str] = field(default_factory=list)  # need names, primary first
    what_helps: str = ""
    has_passport: bool = False
    targets: list[Target] = field(default_factory=list)
    interventions: list[ProfileIntervention] = field(default_factory=list)
    flagged_subjects: list[str] = field(default_factory=list)

    @property
    def provision_label(self) -> str:
        return Provision(self.provision).label if self.provision in Provision.values else self.provision


@dataclass
class GroupProfile:
    group: GroupWithStaff
    pupils: list[PupilProfile]
    pupils_in_group: int
    made_on: dt.date
    analysed_on: dt.date | None  # the 6.17 run the flags come from, if any

    @property
    def year_label(self) -> str:
        return year_group_label(self.group.group.year_group)


def _days(weekdays: str) -> str:
    return ", ".join(DAY_NAMES[int(d)] for d in weekdays.split(",") if d.strip().isdigit() and int(d) < 7)


def _flags(actor: Actor, pupil_ids: list[uuid.UUID]) -> tuple[dict[uuid.UUID, list[str]], dt.date | None]:
    """Subjects each pupil is flagged in, in their school's newest analysed window of the latest run."""
    runs = latest_runs(actor=actor)
    if not runs or not actor.can(Resource.PROGRESS):
        return {}, None
    flagged: dict[uuid.UUID, list[str]] = defaultdict(list)
    rows = (
        ProgressResult.objects.filter(
            run_id__in=[run.pk for run in runs.values()],
            school_id__in=list(runs),
            pupil_id__in=pupil_ids,
            is_current=True,
            flagged=True,
        )
        .select_related("subject")
        .order_by("subject__name")
    )
    for row in rows:
        # A trust run covers several schools: only the pupil's own school's newest run counts.
        if runs.get(row.school_id) is not None and runs[row.school_id].pk == row.run_id:
            flagged[row.pupil_id].append(row.subject.name)
    newest = max(runs.values(), key=lambda run: (run.finished_at, run.pk))
    return flagged, newest.finished_at.date() if newest.finished_at else None


def _fill(actor: Actor, profiles: dict[uuid.UUID, PupilProfile], today: dt.date) -> None:
    """Needs, passports, targets and interventions for every pupil at once: one query each."""
    ids = list(profiles)
    for need in (
        SenNeed.objects.filter(pupil_id__in=ids, ends_on__isnull=True)
        .select_related("need_type")
        .order_by("rank")
    ):
        profiles[need.pupil_id].needs.append(need.need_type.name)
    if actor.can(Resource.PASSPORT):
        # The newest version not withdrawn, as the passport page shows it.
        live = Passport.objects.filter(withdrawn_at__isnull=True)
        newest = live.filter(pupil=OuterRef("pupil_id")).order_by("-version").values("version")[:1]
        for passport in live.filter(pupil_id__in=ids, version=Subquery(newest)):
            profiles[passport.pupil_id].what_helps = passport.what_helps
            profiles[passport.pupil_id].has_passport = True
    if actor.can(Resource.SUPPORT_PLAN):
        # The targets of the open support plan: the ones still being worked on.
        for target in Target.objects.filter(
            pupil_id__in=ids,
            plan__reviewed_on__isnull=True,
            plan__withdrawn_at__isnull=True,
            withdrawn_at__isnull=True,
            outcome="",
        ).order_by("due_on", "created_at"):
            profiles[target.pupil_id].targets.append(target)
    placements = Placement.objects.filter(running_on(today), pupil_id__in=ids, withdrawn_at__isnull=True)
    for placement in placements.select_related("group__intervention").order_by("group__name"):
        group = placement.group
        when = ", ".join(part for part in (_days(group.weekdays), group.time_of_day) if part)
        profiles[placement.pupil_id].interventions.append(
            ProfileIntervention(
                name=group.intervention.name, when=when, classroom_link=placement.classroom_link
            )
        )


def group_profile(*, actor: Actor, group_id: uuid.UUID) -> GroupProfile:
    """The class profile of a class or set: its pupils on the SEN register or flagged for less than expected
    progress now, each with needs, what helps, current targets and interventions. The read is audited."""
    group = group_or_404(actor, group_id)
    staffed = _staff_by_group([group.pk])[group.pk]
    today = timezone.localdate()
    in_group = current_enrolments(on=today).filter(group_id=group.pk).values("pupil_id")
    pupils = list(
        with_sen_summary(pupils_in_scope(actor, Resource.SEN_RECORD).filter(id__in=in_group)).order_by(
            "legal_surname", "legal_forename", "id"
        )
    )
    flagged, analysed_on = _flags(actor, [p.pk for p in pupils])
    profiles = {
        p.pk: PupilProfile(pupil=p, provision=p.provision, flagged_subjects=flagged.get(p.pk, []))
        for p in pupils
        if p.provision in ON_REGISTER or p.pk in flagged
    }
    if profiles:
        _fill(actor, profiles, today)
    audit_record(
        actor=actor,
        action="group_profile.view",
        target_type="teaching_group",
        target_id=group.pk,
        school_id=group.school_id,
        fields=["sen_status", "sen_needs", "passport", "targets", "placements", "progress_flags"],
    )
    return GroupProfile(
        group=staffed,
        pupils=list(profiles.values()),
        pupils_in_group=len(pupils),
        made_on=today,
        analysed_on=analysed_on,
    )
