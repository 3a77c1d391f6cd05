"""Reads for the Ofsted inclusion pack: the pupil lists inspectors ask for, and one pupil's trail through
the graduated approach (assess, plan, do, review), for the SENCo and the head.

Nothing is recomputed here: each part is read through the selector its own page uses (the timeline, the
interventions with their figures, the inclusion base, specialist advice, the EHC plan page, the home page's
"flagged, no response yet"), so the pack can never say something the pages do not. Both reads run a fixed
number of queries however many pupils or records there are.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupils_in_scope, running_on
from tandem.advice.selectors import advice_list
from tandem.audit.services import audit_record
from tandem.dashboards.selectors import flags_not_responded
from tandem.ehc.selectors import ehc_page
from tandem.inclusion.models import InclusionBasePlacement
from tandem.inclusion.selectors import inclusion_list
from tandem.needs_assessment.pack import Pack, Section, Table
from tandem.people.models import Pupil, year_group_label
from tandem.plans.models import SupportPlan, Target
from tandem.plans.selectors import SOON, pupil_timeline
from tandem.provision.models import SessionAttendance
from tandem.provision.pupil_figures import PupilIntervention, pupil_interventions
from tandem.register.models import Provision, SenNeed, SenStatusPeriod

LIST_FIELDS = ["provision", "inclusion_base", "progress_flags"]
# The trail goes back to the pupil's first record: interventions from any year, not just this one.
SINCE_EVER = dt.date(1900, 1, 1)


def _day(value: dt.date | None) -> str:
    return f"{value:%-d %B %Y}" if value else "Not recorded"


def _dates(starts_on: dt.date, ends_on: dt.date | None) -> str:
    return f"{_day(starts_on)} to {_day(ends_on) if ends_on else 'now (running)'}"


# ---------------------------------------------------------------- the lists
@dataclass(frozen=True)
class ListedPupil:
    pupil_id: uuid.UUID
    name: str
    year: str
    status: str  # today's SEN status in words
    detail: str = ""  # what puts the pupil on this list, when the list needs saying (the subjects flagged)


@dataclass(frozen=True)
class PupilList:
    key: str
    title: str
    note: str
    pupils: list[ListedPupil]
    detail_header: str = ""


@dataclass(frozen=True)
class InspectionLists:
    lists: list[PupilList]
    today: dt.date


def inspection_lists(*, actor: Actor) -> InspectionLists:
    """The pupils on SEN support, with an EHC plan, in the inclusion base today, and with a less than
    expected progress flag nobody has responded to yet, each list by name. Four queries for the flags
    (the newest runs, then the flags) and one for the pupils, whatever the roll."""
    today = timezone.localdate()
    flags = list(flags_not_responded(actor=actor))
    flagged: dict[uuid.UUID, list[str]] = defaultdict(list)
    for result in flags:
        if result.subject.name not in flagged[result.pupil_id]:
            flagged[result.pupil_id].append(result.subject.name)
    in_base = InclusionBasePlacement.objects.filter(
        running_on(today), pupil_id=OuterRef("pk"), withdrawn_at__isnull=True
    )
    provision = Coalesce(
        Subquery(
            SenStatusPeriod.objects.filter(pupil=OuterRef("pk"), ends_on__isnull=True).values("provision")[:1]
        ),
        Value(Provision.NONE.value),
    )
    on_register = (Provision.SEN_SUPPORT.value, Provision.EHC_PLAN.value)
    pupils = list(
        pupils_in_scope(actor, Resource.COMPLIANCE)
        .annotate(provision=provision, in_base=Exists(in_base))
        .filter(Q(provision__in=on_register) | Q(in_base=True) | Q(pk__in=list(flagged)))
        .order_by("legal_surname", "legal_forename", "pk")
    )
    labels = dict(Provision.choices)

    def listed(pupil: Pupil, detail: str = "") -> ListedPupil:
        code = pupil.provision  # type: ignore[attr-defined]
        return ListedPupil(
            pupil.pk, pupil.display_name, year_group_label(pupil.year_group), labels.get(code, code), detail
        )

    audit_record(
        actor=actor,
        action="inspection.lists",
        target_type="school",
        target_id=actor.school_id or "",
        school_id=actor.school_id,
        fields=LIST_FIELDS,
    )
    return InspectionLists(
        today=today,
        lists=[
            PupilList(
                "sen_support",
                "SEN support",
                "Pupils whose SEN status today is SEN support (K).",
                [listed(p) for p in pupils if p.provision == Provision.SEN_SUPPORT],
            ),
            PupilList(
                "ehc_plan",
                "EHC plan",
                "Pupils whose SEN status today is an EHC plan (E).",
                [listed(p) for p in pupils if p.provision == Provision.EHC_PLAN],
            ),
            PupilList(
                "inclusion_base",
                "In the inclusion base now",
                "Pupils with time in the inclusion base running today.",
                [listed(p) for p in pupils if p.in_base],
            ),
            PupilList(
                "flags",
                "Less than expected progress, not yet responded to",
                "Pupils flagged in the latest analysis with no first response or support plan started (or "
                "plan reviewed) since that assessment: the same pupils the home page counts.",
                [listed(p, "; ".join(flagged[p.pk])) for p in pupils if p.pk in flagged],
                detail_header="Subjects flagged",
            ),
        ],
    )


# ---------------------------------------------------------------- one pupil's trail
@dataclass(order=True)
class Step:
    """One dated step of the trail, for the overview in date order."""

    day: dt.date
    order: int
    step: str = field(compare=False)
    what: str = field(compare=False)


def _identification(pupil: Pupil, steps: list[Step]) -> Section:
    periods = list(SenStatusPeriod.objects.filter(pupil=pupil).order_by("starts_on", "pk"))
    needs = list(
        SenNeed.objects.filter(pupil=pupil).select_related("need_type").order_by("starts_on", "rank")
    )
    for period in periods:
        steps.append(
            Step(period.starts_on, 1, "SEN status", f"{period.get_provision_display()} from this day")
        )
    for need in needs:
        steps.append(Step(need.starts_on, 1, "Need recorded", f"{need.need_type.name} (rank {need.rank})"))
    return Section(
        "identification",
        "When the need was identified",
        tables=[
            Table(
                "SEN status over time",
                ("From", "To", "SEN status"),
                [
                    (_day(p.starts_on), _day(p.ends_on) if p.ends_on else "now", p.get_provision_display())
                    for p in periods
                ],
            ),
            Table(
                "Needs, in the order recorded",
                ("From", "To", "Need", "Rank (1 = primary)"),
                [
                    (
                        _day(n.starts_on),
                        _day(n.ends_on) if n.ends_on else "now",
                        n.need_type.name,
                        str(n.rank),
                    )
                    for n in needs
                ],
            ),
        ],
    )


def _timeline_sections(actor: Actor, pupil: Pupil, steps: list[Step]) -> tuple[Section, Section, Section]:
    """The concerns and first responses, the SEN support decision, and the meetings with parents, from the
    pupil's timeline (the same entries as the support record page)."""
    timeline = pupil_timeline(actor=actor, pupil_id=pupil.pk)
    concerns, responses, meetings = [], [], []
    for entry in timeline.entries:
        row = (_day(entry.day), entry.title, entry.detail)
        if entry.kind == "Concern":
            concerns.append(row)
        elif entry.kind in ("First response", "SEN support"):
            responses.append(row)
        elif entry.kind == "Parent meeting":
            meetings.append(row)
        steps.append(Step(entry.day, 2 + entry.order, entry.kind, entry.title))
    return (
        Section(
            "concerns",
            "The concerns that started it",
            tables=[Table("Concerns raised and their next steps", ("Date", "What", "Observed"), concerns)],
        ),
        Section(
            "first_responses",
            "First responses and the decision to start SEN support",
            tables=[
                Table(
                    "Targeted teaching tried first, then SEN support", ("Date", "What", "Detail"), responses
                )
            ],
        ),
        Section(
            "meetings",
            "Meetings with parents",
            tables=[
                Table("Each meeting and what was agreed", ("Date", "Meeting", "Agreed actions"), meetings)
            ],
        ),
    )


def _cycles(pupil: Pupil) -> Section:
    """Each assess-plan-do-review cycle with its targets and their outcomes (the plan's dates and the
    review are on the timeline too, so they are in the overview already)."""
    targets = Prefetch(
        "targets", queryset=Target.objects.filter(withdrawn_at__isnull=True).order_by("due_on", "created_at")
    )
    plans = SupportPlan.objects.filter(pupil=pupil, withdrawn_at__isnull=True).prefetch_related(targets)
    section = Section("cycles", "Assess, plan, do, review: each cycle")
    for plan in plans.order_by("cycle"):
        reviewed = (
            f"reviewed {_day(plan.reviewed_on)}: {plan.get_next_step_display()}"
            if plan.reviewed_on
            else f"review due {_day(plan.review_on)}"
        )
        section.lines += [
            (f"Cycle {plan.cycle}, assess", plan.needs),
            (f"Cycle {plan.cycle}, plan (from {_day(plan.starts_on)})", plan.strategies),
            (f"Cycle {plan.cycle}, do", plan.do_notes),
            (f"Cycle {plan.cycle}, review ({reviewed})", plan.review_summary),
        ]
        section.tables.append(
            Table(
                f"Cycle {plan.cycle}: targets and outcomes",
                ("Target", "Success looks like", "Due", "Outcome"),
                [
                    (
                        t.skill,
                        t.success_criterion,
                        _day(t.due_on),
                        t.get_outcome_display() or "Not reviewed yet",
                    )
                    for t in plan.targets.all()
                ],
            )
        )
    return section


def _adaptations(actor: Actor, pupil: Pupil, rows: list[PupilIntervention], steps: list[Step]) -> Section:
    """How lessons change for the pupil: what the class teacher does alongside each intervention, and time
    in the inclusion base with its planned return to lessons."""
    base = inclusion_list(actor=actor, pupil_id=pupil.pk)
    in_class = []
    for row in sorted(rows, key=lambda r: r.placement.starts_on):
        p = row.placement
        in_class.append(
            (_day(p.starts_on), p.group.intervention.name, p.accountable_teacher.full_name, p.classroom_link)
        )
    time_in_base = []
    for placement_row in sorted(base.rows, key=lambda r: r.placement.starts_on):
        b = placement_row.placement
        time_in_base.append(
            (
                _dates(b.starts_on, b.ends_on),
                b.purpose_text,
                f"{b.weekly_time} a week, led by {b.led_by.full_name}",
                f"{b.return_lessons} (planned by {_day(b.return_on)})",
            )
        )
        steps.append(Step(b.starts_on, 8, "Inclusion base", f"{b.purpose_text}, {b.weekly_time} a week"))
    return Section(
        "adaptations",
        "Classroom adaptations",
        tables=[
            Table(
                "What the class teacher does in lessons alongside each intervention",
                ("From", "Intervention", "Class teacher", "In lessons"),
                in_class,
            ),
            Table(
                "Time in the inclusion base",
                ("Dates", "Purpose", "Time", "Return to lessons"),
                time_in_base,
            ),
        ],
    )


def _deployment(rows: list[PupilIntervention], steps: list[Step]) -> Section:
    """Who delivers each intervention group, and every session logged while the pupil was in it."""
    groups = []
    for row in sorted(rows, key=lambda r: r.placement.starts_on):
        p = row.placement
        groups.append(
            (
                p.group.name,
                p.group.intervention.name,
                p.group.deliverer.full_name,
                _dates(p.starts_on, p.ends_on),
                row.attendance,
            )
        )
        steps.append(
            Step(
                p.starts_on,
                9,
                "Intervention",
                f"{p.group.intervention.name} began, delivered by {p.group.deliverer.full_name}",
            )
        )
    sessions = (
        SessionAttendance.objects.filter(
            placement_id__in=[r.placement.pk for r in rows], log__withdrawn_at__isnull=True
        )
        .select_related("log__delivered_by", "log__group")
        .order_by("log__held_on", "log__created_at")
    )
    logged = [
        (
            _day(a.log.held_on),
            a.log.group.name,
            a.log.delivered_by.full_name,
            "Present" if a.present else "Absent",
        )
        for a in sessions
    ]
    return Section(
        "deployment",
        "Teaching assistant deployment",
        tables=[
            Table(
                "Each intervention group: who delivers it and the sessions the pupil attended",
                ("Group", "Intervention", "Delivered by", "Dates", "Sessions attended"),
                groups,
            ),
            Table("Sessions logged, oldest first", ("Date", "Group", "Delivered by", "Pupil"), logged),
        ],
    )


def _impact(rows: list[PupilIntervention], steps: list[Step]) -> Section:
    impact = []
    for row in sorted(rows, key=lambda r: r.placement.starts_on):
        p = row.placement
        impact.append(
            (
                p.group.intervention.name,
                _dates(p.starts_on, p.ends_on),
                row.measure,
                row.change,
                row.attendance,
            )
        )
        if row.finished and p.exit_on is not None:
            steps.append(Step(p.exit_on, 10, "Impact measured", f"{p.group.intervention.name}: {row.change}"))
    return Section(
        "impact",
        "Measured impact",
        tables=[
            Table(
                "The change measured from entry to exit of each intervention",
                ("Intervention", "Dates", "Measure", "Entry to exit", "Sessions attended"),
                impact,
            )
        ],
    )


def _advice(actor: Actor, pupil: Pupil, steps: list[Step]) -> Section:
    section = Section("advice", "Specialist advice")
    for advice in sorted(advice_list(actor=actor, pupil_id=pupil.pk).advice, key=lambda a: a.requested_on):
        who = ", ".join(x for x in (advice.professional_name, advice.organisation) if x)
        received = f"received {_day(advice.received_on)}" if advice.received_on else "not yet received"
        label = f"{advice.profession_name}" + (f" ({who})" if who else "")
        section.lines.append(
            (label, f"Asked for {_day(advice.requested_on)}, {received}. {advice.summary}".strip())
        )
        for recommendation in advice.recommendations.all():
            section.lines.append(
                (
                    f"{label}: recommendation ({recommendation.get_status_display().lower()})",
                    recommendation.text,
                )
            )
        steps.append(Step(advice.requested_on, 11, "Specialist advice", f"{label}: asked for"))
        if advice.received_on:
            steps.append(Step(advice.received_on, 11, "Specialist advice", f"{label}: received"))
    return section


def _ehc(actor: Actor, pupil: Pupil, steps: list[Step]) -> Section:
    page = ehc_page(actor=actor, today=timezone.localdate(), soon_days=SOON.days, pupil_id=pupil.pk)
    section = Section("ehc", "EHC plan and annual reviews", empty="No EHC plan.")
    plans = [p for p in page.other_plans if not p.is_withdrawn]
    if page.plan is not None:
        plans.append(page.plan.plan)
    for plan in sorted(plans, key=lambda p: p.issued_on):
        section.lines.append(
            (
                f"EHC plan issued {_day(plan.issued_on)}",
                f"{plan.local_authority}; {plan.get_status_display().lower()}",
            )
        )
        steps.append(Step(plan.issued_on, 12, "EHC plan", f"Issued by {plan.local_authority}"))
    if page.plan is not None:
        reviews = sorted((r.review for r in page.plan.reviews), key=lambda r: r.meeting_on)
        section.tables.append(
            Table(
                "Annual reviews of the current plan",
                ("Meeting", "Working", "Not working", "Recommendation"),
                [
                    (
                        _day(r.meeting_on),
                        r.working,
                        r.not_working,
                        r.get_recommendation_display() or "Not recorded",
                    )
                    for r in reviews
                ],
            )
        )
        for r in reviews:
            steps.append(Step(r.meeting_on, 13, "Annual review", "Annual review meeting of the EHC plan"))
    return section


def inspection_trail(*, actor: Actor, pupil_id: uuid.UUID, taken_as: str = "view") -> Pack:
    """One pupil's record as an inspector traces it: an overview of every dated step in date order, then
    each part in detail. Each read is audited (`taken_as`: "view" for the page, "pdf" for the download)."""
    pupil = pupil_or_404(actor, pupil_id, Resource.COMPLIANCE, Action.VIEW)
    steps: list[Step] = []
    identification = _identification(pupil, steps)
    concerns, responses, meetings = _timeline_sections(actor, pupil, steps)
    interventions = pupil_interventions(actor=actor, pupil_id=pupil.pk, since=SINCE_EVER) or []
    sections = [
        identification,
        concerns,
        responses,
        _cycles(pupil),
        _adaptations(actor, pupil, interventions, steps),
        _deployment(interventions, steps),
        _impact(interventions, steps),
        meetings,
        _advice(actor, pupil, steps),
        _ehc(actor, pupil, steps),
    ]
    overview = Section(
        "overview",
        "The trail in date order",
        tables=[
            Table(
                "Every dated step, oldest first",
                ("Date", "Step", "What"),
                [(_day(s.day), s.step, s.what) for s in sorted(steps)],
            )
        ],
    )
    audit_record(
        actor=actor,
        action=f"inspection_trail.{taken_as}",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
        fields=[overview.key, *(s.key for s in sections)],
    )
    return Pack(
        pupil_name=pupil.display_name,
        school=str(pupil.school),
        made_on=timezone.localdate(),
        sections=[overview, *sections],
        title="Inclusion trail for inspection",
        note="The graduated approach for this pupil, from the school's records.",
        footer_label="Inclusion trail for inspection",
    )
