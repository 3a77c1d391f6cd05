"""Reads for the EHC needs assessment request pack, through the same selectors as the pupil's own pages."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Prefetch
from django.template.defaultfilters import floatformat
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_records_in_scope
from tandem.advice.selectors import advice_document_file, advice_list
from tandem.audit.services import audit_record
from tandem.lib.dates import academic_year_start
from tandem.needs_assessment.pack import Attachment, Pack, Section, Table
from tandem.parents.models import ParentViews
from tandem.people.models import Pupil, year_group_label
from tandem.plans.models import ParentMeeting, SupportPlan, Target
from tandem.plans.selectors import pupil_timeline
from tandem.progress.selectors import pupil_progress
from tandem.provision.pupil_figures import pupil_interventions
from tandem.pupil_voice.selectors import about_me_list
from tandem.register.models import SenNeed, SenStatusPeriod

# How far back the pack looks for interventions: the graduated approach rarely starts earlier.
YEARS_OF_INTERVENTIONS = 3
SECTION_FIELDS = ["pupil", "graduated_approach", "plans", "interventions", "progress", "advice", "views"]


def _day(value: object) -> str:
    return f"{value:%-d %B %Y}" if value else "Not recorded"


def _dates(starts_on: dt.date, ends_on: dt.date | None) -> str:
    return f"{_day(starts_on)} to {_day(ends_on) if ends_on else 'now (running)'}"


def _pupil_section(pupil: Pupil) -> Section:
    period = SenStatusPeriod.objects.filter(pupil=pupil, ends_on__isnull=True).first()
    needs = (
        SenNeed.objects.filter(pupil=pupil, ends_on__isnull=True).select_related("need_type").order_by("rank")
    )
    return Section(
        "pupil",
        "About the pupil",
        lines=[
            ("Name", pupil.display_name),
            ("Date of birth", _day(pupil.date_of_birth)),
            ("Unique pupil number", pupil.upn or "Not recorded"),
            ("Year group", year_group_label(pupil.year_group)),
            ("School", str(pupil.school)),
            ("SEN status", period.get_provision_display() if period else "No SEN recorded"),
            ("Needs, most significant first", "; ".join(n.need_type.name for n in needs) or "None recorded"),
        ],
    )


def _timeline_section(actor: Actor, pupil: Pupil) -> Section:
    timeline = pupil_timeline(actor=actor, pupil_id=pupil.pk)
    rows = [(_day(e.day), e.kind, e.title, e.detail) for e in timeline.entries]
    return Section(
        "graduated_approach",
        "The graduated approach so far",
        tables=[
            Table(
                "Concerns, first responses, SEN support, plans and meetings, oldest first",
                ("Date", "What", "Summary", "Detail"),
                rows,
            )
        ],
    )


def _plans_section(pupil: Pupil) -> Section:
    targets = Prefetch(
        "targets", queryset=Target.objects.filter(withdrawn_at__isnull=True).order_by("due_on")
    )
    plans = SupportPlan.objects.filter(pupil=pupil, withdrawn_at__isnull=True).prefetch_related(targets)
    tables = []
    for plan in plans.order_by("cycle"):
        reviewed = (
            f"reviewed {_day(plan.reviewed_on)}" if plan.reviewed_on else f"review due {_day(plan.review_on)}"
        )
        rows = [
            (t.skill, t.success_criterion, _day(t.due_on), t.get_outcome_display() or "Not reviewed yet")
            for t in plan.targets.all()
        ]
        tables.append(
            Table(
                f"Support plan cycle {plan.cycle}: from {_day(plan.starts_on)}, {reviewed}",
                ("Target", "Success looks like", "Due", "Outcome"),
                rows,
            )
        )
    return Section("plans", "Support plans: targets and outcomes", tables=tables)


def _interventions_section(actor: Actor, pupil: Pupil) -> Section:
    since = academic_year_start(timezone.localdate()).replace(
        year=academic_year_start(timezone.localdate()).year - (YEARS_OF_INTERVENTIONS - 1)
    )
    rows = [
        (
            row.placement.group.intervention.name,
            _dates(row.placement.starts_on, row.placement.ends_on),
            row.attendance,
            f"{row.measure}: {row.change}",
            row.cost_text,
        )
        for row in pupil_interventions(actor=actor, pupil_id=pupil.pk, since=since) or []
    ]
    return Section(
        "interventions",
        "Interventions: dosage, impact and cost",
        tables=[
            Table(
                "Each intervention: the sessions attended, the change measured and the cost of the place",
                ("Intervention", "Dates", "Sessions attended", "Entry to exit", "Cost of the place"),
                rows,
            )
        ],
    )


def _progress_section(actor: Actor, pupil: Pupil) -> Section:
    section = Section("progress", "Progress and less than expected progress (Code 6.17)")
    for subject in pupil_progress(actor=actor, pupil_id=pupil.pk):
        latest = subject.latest
        if latest is not None and latest.flagged:
            section.lines.append(
                (
                    subject.subject_name,
                    "Less than expected progress in the latest assessment: "
                    + " ".join(latest.reasons.values()),
                )
            )
        elif latest is not None:
            section.lines.append(
                (subject.subject_name, "No less than expected progress in the latest assessment.")
            )
        rows = [
            (
                str(row.window),
                floatformat(row.figures.get("score"), 0) or "—",
                note if row.percentile else "—",
                row.outcome,
            )
            for row, note in subject.table
        ]
        section.tables.append(
            Table(
                subject.subject_name,
                ("Assessment", "Score", "Growth percentile", "Less than expected progress?"),
                rows,
            )
        )
    return section


def _advice_section(actor: Actor, pupil: Pupil) -> tuple[Section, list[Attachment]]:
    """Each piece of advice with its recommendations; its documents go in the ZIP, read through the access
    layer one by one (each download audited, each checked against its digest)."""
    section = Section("advice", "Advice from specialists")
    attachments: list[Attachment] = []
    for number, advice in enumerate(reversed(advice_list(actor=actor, pupil_id=pupil.pk).advice), start=1):
        who = ", ".join(x for x in (advice.professional_name, advice.organisation) if x)
        received = f"received {_day(advice.received_on)}" if advice.received_on else "not yet received"
        section.lines.append(
            (
                f"{number}. {advice.profession_name}" + (f" ({who})" if who else ""),
                f"Asked for {_day(advice.requested_on)}, {received}. {advice.summary}".strip(),
            )
        )
        for recommendation in advice.recommendations.all():
            target, intervention = recommendation.target, recommendation.intervention
            links = [
                f"target: {target.skill}" if target is not None else "",
                f"provision: {intervention.name}" if intervention is not None else "",
            ]
            section.lines.append(
                (
                    f"{number}. Recommendation ({recommendation.get_status_display().lower()})",
                    "; ".join([recommendation.text, *(x for x in links if x)]),
                )
            )
        for document in advice.documents.all():
            _, content = advice_document_file(actor=actor, document_id=document.pk)
            name = f"advice-{number}-{document.original_name}"
            attachments.append(Attachment(name=name, content=content))
            section.lines.append((f"{number}. Document", f"{document.original_name} (attachments/{name})"))
    return section, attachments


def _views_section(actor: Actor, pupil: Pupil) -> Section:
    section = Section("views", "What the pupil and their parents say")
    for about in about_me_list(actor=actor, pupil_id=pupil.pk).records:
        said = "; ".join(f"{question}: {answer}" for question, answer in about.answers if answer)
        section.lines.append(
            (f"Pupil, about me, {_day(about.recorded_on)} with {about.recorded_with.full_name}", said)
        )
    given = (
        pupil_records_in_scope(actor, ParentViews, Resource.PARENT_ACCESS, Action.VIEW)
        .filter(pupil=pupil)
        .select_related("request")
        .order_by("given_at")
    )
    for views in given:
        said = "; ".join(f"{a['question']} {a['answer']}" for a in views.answers if a.get("answer"))
        section.lines.append((f"Parents, {views.request.purpose}, {_day(views.given_at.date())}", said))
    for plan in SupportPlan.objects.filter(pupil=pupil, withdrawn_at__isnull=True).order_by("cycle"):
        section.lines.append((f"Pupil, support plan cycle {plan.cycle}", plan.pupil_views))
        section.lines.append((f"Parents, support plan cycle {plan.cycle}", plan.parent_views))
        if plan.review_pupil_views:
            section.lines.append((f"Pupil, at the review of cycle {plan.cycle}", plan.review_pupil_views))
        if plan.review_parent_views:
            section.lines.append((f"Parents, at the review of cycle {plan.cycle}", plan.review_parent_views))
    for meeting in ParentMeeting.objects.filter(pupil=pupil, withdrawn_at__isnull=True).order_by("held_on"):
        section.lines.append((f"Parents, meeting on {_day(meeting.held_on)}", meeting.parent_views))
        if meeting.pupil_views:
            section.lines.append((f"Pupil, meeting on {_day(meeting.held_on)}", meeting.pupil_views))
    return section


def request_pack(*, actor: Actor, pupil_id: uuid.UUID, taken_as: str = "view") -> Pack:
    """Every section of the pack for one pupil, for the SENCo to check before sending; the read is audited
    (`taken_as`: "view" for the page, "pdf" or "zip" for a download)."""
    pupil = pupil_or_404(actor, pupil_id, Resource.EHC_PLAN, Action.MANAGE)
    advice, attachments = _advice_section(actor, pupil)
    sections = [
        _pupil_section(pupil),
        _timeline_section(actor, pupil),
        _plans_section(pupil),
        _interventions_section(actor, pupil),
        _progress_section(actor, pupil),
        advice,
        _views_section(actor, pupil),
    ]
    audit_record(
        actor=actor,
        action=f"ehc_request_pack.{taken_as}",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
        fields=SECTION_FIELDS,
    )
    return Pack(
        pupil_name=pupil.display_name,
        school=str(pupil.school),
        made_on=timezone.localdate(),
        sections=sections,
        attachments=attachments,
    )
