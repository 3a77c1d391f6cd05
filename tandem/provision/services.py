"""Writes for interventions: the catalogue, staff rates, groups, placements, session logs, acknowledgements.

Each is one transaction with its audit event. A placement always names the pupil's accountable teacher (who
teaches the pupil and is not the deliverer) and a specific link to classroom teaching (Code 6.52).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import (
    intervention_group_or_404,
    intervention_groups_in_scope,
    placement_or_404,
    pupil_or_404,
    running_on,
)
from tandem.audit.services import audit_record
from tandem.core.validation import require_date, require_past_or_today, require_text
from tandem.people.accountability import require_accountable_teacher, school_staff
from tandem.people.models import Role
from tandem.provision.models import (
    FUNDING_OTHER_LENGTH,
    EvidenceStrength,
    FundingSource,
    Intervention,
    InterventionGroup,
    Layer,
    LogAcknowledgement,
    MeasureKind,
    Placement,
    Rating,
    SessionAttendance,
    SessionLog,
    StaffRate,
    StaffType,
)
from tandem.provision.selectors import attendance_to_correct, session_log_to_change
from tandem.register.models import BroadArea
from tandem.revisions.kinds import PLACEMENT, SESSION_LOG
from tandem.revisions.services import record_correct, record_withdraw

# A link to class teaching has to say what the teacher will do; these say nothing.
_EMPTY_LINKS = re.compile(r"^(n/?a|none|tbc|tbd|as above|see (the )?plan|same as (the )?group|-+|\.+)$", re.I)
MIN_LINK_WORDS = 6
# Who may run a group: teaching assistants, teachers and the SENCo (specialists hold one of these roles).
DELIVERER_ROLES = (Role.TEACHING_ASSISTANT, Role.TEACHER, Role.SENCO)


def _require_manager(actor: Actor) -> int:
    if not actor.can(Resource.INTERVENTION, Action.MANAGE) or actor.school_id is None:
        raise ValidationError("Only the SENCo manages the intervention catalogue and groups.")
    return actor.school_id


def _funding(source: str, other: str) -> tuple[str, str]:
    """A funding source and, for "other", the few words that say what it is (dropped for any other source)."""
    if source not in FundingSource.values:
        raise ValidationError({"funding_source": "Choose what pays for it from the list."})
    if source != FundingSource.OTHER:
        return source, ""
    words = " ".join(other.split())
    if not words:
        raise ValidationError(
            {"funding_other": "Say in a few words what pays for it, e.g. 'Trust outreach grant'."}
        )
    if len(words) > FUNDING_OTHER_LENGTH:
        raise ValidationError({"funding_other": f"Keep this to {FUNDING_OTHER_LENGTH} characters or fewer."})
    return source, words


@dataclass(frozen=True)
class InterventionFields:
    name: str
    area: str
    description: str
    evidence_strength: int
    sessions_per_week: int
    minutes_per_session: int
    weeks: int
    group_size: int
    staff_type: str
    layer: str = Layer.TARGETED
    evidence_source: str = ""
    funding_source: str = FundingSource.NOTIONAL_SEN
    funding_other: str = ""


def intervention_create(*, actor: Actor, fields: InterventionFields) -> Intervention:
    school_id = _require_manager(actor)
    text = require_text(name=fields.name, description=fields.description)
    text["funding_source"], text["funding_other"] = _funding(fields.funding_source, fields.funding_other)
    if fields.area not in BroadArea.values:
        raise ValidationError({"area": "Choose the area of need it addresses."})
    if fields.evidence_strength not in EvidenceStrength.values:
        raise ValidationError({"evidence_strength": "Choose the strength of its evidence."})
    if fields.staff_type not in StaffType.values or fields.layer not in Layer.values:
        raise ValidationError("Choose who delivers it and its layer of provision.")
    for name in ("sessions_per_week", "minutes_per_session", "weeks", "group_size"):
        if getattr(fields, name) < 1:
            raise ValidationError({name: "This must be at least 1."})
    taken = {"name": "The catalogue already has an intervention with this name."}
    if Intervention.objects.filter(school_id=school_id, name__iexact=text["name"]).exists():
        raise ValidationError(taken)
    try:
        with transaction.atomic():
            intervention = Intervention.objects.create(school_id=school_id, **{**asdict(fields), **text})
            audit_record(
                actor=actor,
                action="intervention.create",
                target_type="intervention",
                target_id=intervention.pk,
                fields=sorted(asdict(fields)),
            )
    except IntegrityError as error:
        # The check above cannot see a name saved a moment ago by a post still in flight; the constraint can.
        raise ValidationError(taken) from error
    return intervention


MAX_PROGRAMME_STEPS = 40
MAX_STEP_LENGTH = 80


def intervention_programme_set(
    *, actor: Actor, intervention_id: uuid.UUID, steps: Sequence[str]
) -> Intervention:
    """The steps or topics of the intervention's own programme, in teaching order: the quick picks a
    session log offers. Blank lines and repeats are dropped; a log already saved keeps its words."""
    school_id = _require_manager(actor)
    intervention = Intervention.objects.filter(pk=intervention_id, school_id=school_id).first()
    if intervention is None:
        raise ValidationError("That intervention is not in this school's catalogue.")
    cleaned: list[str] = []
    for step in steps:
        text = " ".join(step.split())
        if text and text.casefold() not in {s.casefold() for s in cleaned}:
            cleaned.append(text)
    too_long = next((s for s in cleaned if len(s) > MAX_STEP_LENGTH), None)
    if too_long is not None:
        raise ValidationError(
            {
                "steps": f"Keep each step to {MAX_STEP_LENGTH} characters or fewer: "
                f"'{too_long[:30]}...' is longer."
            }
        )
    if len(cleaned) > MAX_PROGRAMME_STEPS:
        raise ValidationError(
            {"steps": f"List up to {MAX_PROGRAMME_STEPS} steps (there are {len(cleaned)})."}
        )
    with transaction.atomic():
        intervention.programme_steps = cleaned
        intervention.save(update_fields=["programme_steps"])
        audit_record(
            actor=actor,
            action="intervention.programme_set",
            target_type="intervention",
            target_id=intervention.pk,
            fields=["programme_steps"],
        )
    return intervention


def intervention_layer_set(*, actor: Actor, intervention_id: uuid.UUID, layer: str) -> Intervention:
    """The layer of support a catalogue entry belongs to (universal, targeted, targeted plus, specialist):
    the provision map totals by it."""
    school_id = _require_manager(actor)
    intervention = Intervention.objects.filter(pk=intervention_id, school_id=school_id).first()
    if intervention is None:
        raise ValidationError("That intervention is not in this school's catalogue.")
    if layer not in Layer.values:
        raise ValidationError({"layer": "Choose a layer of provision from the list."})
    with transaction.atomic():
        intervention.layer = layer
        intervention.save(update_fields=["layer"])
        audit_record(
            actor=actor,
            action="intervention.layer_set",
            target_type="intervention",
            target_id=intervention.pk,
            fields=["layer"],
        )
    return intervention


def intervention_funding_set(
    *, actor: Actor, intervention_id: uuid.UUID, funding_source: str, funding_other: str = ""
) -> Intervention:
    """What usually pays for a catalogue entry: each group started from now on begins with it. Groups already
    running keep their own."""
    school_id = _require_manager(actor)
    intervention = Intervention.objects.filter(pk=intervention_id, school_id=school_id).first()
    if intervention is None:
        raise ValidationError("That intervention is not in this school's catalogue.")
    _funding_save(actor, intervention, funding_source, funding_other, target_type="intervention")
    return intervention


def _funding_save(
    actor: Actor,
    record: Intervention | InterventionGroup,
    funding_source: str,
    funding_other: str,
    *,
    target_type: str,
) -> None:
    source, other = _funding(funding_source, funding_other)
    with transaction.atomic():
        record.funding_source, record.funding_other = source, other
        record.save(update_fields=["funding_source", "funding_other"])
        audit_record(
            actor=actor,
            action=f"{target_type}.funding_set",
            target_type=target_type,
            target_id=record.pk,
            fields=["funding_source", "funding_other"],
        )


def staff_rate_set(*, actor: Actor, staff_type: str, hourly_rate: Decimal) -> StaffRate:
    """The cost of an hour of this kind of staff time; every intervention's cost follows it."""
    school_id = _require_manager(actor)
    if staff_type not in StaffType.values:
        raise ValidationError({"staff_type": "Choose a kind of staff."})
    if hourly_rate < 0 or hourly_rate > Decimal("500"):
        raise ValidationError({"hourly_rate": "Enter an hourly cost between £0 and £500."})
    with transaction.atomic():
        rate, _ = StaffRate.objects.update_or_create(
            school_id=school_id, staff_type=staff_type, defaults={"hourly_rate": hourly_rate}
        )
        audit_record(
            actor=actor,
            action="staff_rate.set",
            target_type="staff_rate",
            target_id=rate.pk,
            fields=["hourly_rate"],
        )
    return rate


def group_create(
    *,
    actor: Actor,
    intervention_id: uuid.UUID,
    name: str,
    deliverer_id: int | None,
    weekdays: Collection[int],
    time_of_day: str,
    starts_on: dt.date | None,
    funding_source: str | None = None,
    funding_other: str = "",
) -> InterventionGroup:
    """Start a group. What pays for it is the intervention's usual source unless `funding_source` says
    otherwise."""
    school_id = _require_manager(actor)
    intervention = Intervention.objects.filter(pk=intervention_id, school_id=school_id).first()
    if intervention is None:
        raise ValidationError("That intervention is not in this school's catalogue.")
    if funding_source is None:
        funding_source, funding_other = intervention.funding_source, intervention.funding_other
    source, other = _funding(funding_source, funding_other)
    text = require_text(name=name)
    start = require_date(starts_on, "starts_on", "Enter the date the group starts.")
    days = sorted({int(d) for d in weekdays})
    if not days or any(d < 0 or d > 6 for d in days):
        raise ValidationError({"weekdays": "Choose the days the group runs."})
    deliverer = school_staff(school_id=school_id, roles=DELIVERER_ROLES).filter(pk=deliverer_id or 0).first()
    if deliverer is None:
        raise ValidationError({"deliverer": "Choose a member of staff at this school to deliver it."})
    with transaction.atomic():
        group = InterventionGroup.objects.create(
            school_id=school_id,
            intervention=intervention,
            name=text["name"],
            deliverer=deliverer,
            weekdays=",".join(str(d) for d in days),
            time_of_day=time_of_day.strip(),
            starts_on=start,
            funding_source=source,
            funding_other=other,
        )
        audit_record(
            actor=actor,
            action="intervention_group.create",
            target_type="intervention_group",
            target_id=group.pk,
            fields=["intervention", "name", "deliverer", "weekdays", "starts_on", "funding_source"],
        )
    return group


def group_funding_set(
    *, actor: Actor, group_id: uuid.UUID, funding_source: str, funding_other: str = ""
) -> InterventionGroup:
    """What pays for a running group (the provision map's funding column and its cost by funding source)."""
    school_id = _require_manager(actor)
    group = InterventionGroup.objects.filter(pk=group_id, school_id=school_id).first()
    if group is None:
        raise ValidationError("That group is not at this school.")
    _funding_save(actor, group, funding_source, funding_other, target_type="intervention_group")
    return group


def classroom_link_problem(link: str) -> str | None:
    """Why a link to classroom teaching is not specific enough; None if it will do."""
    text = " ".join(link.split())
    if not text:
        return "Say how the class teacher will reinforce this in lessons: the Code asks for the link (6.52)."
    if _EMPTY_LINKS.match(text) or len(text.split()) < MIN_LINK_WORDS:
        return (
            "Be specific: what will the class teacher do in lessons this week to build on the sessions? "
            "For example: 'Pre-teach the week's topic words on Monday; prompt use of the sound mat.'"
        )
    return None


@dataclass(frozen=True)
class PlacementFields:
    pupil_id: uuid.UUID
    accountable_teacher_id: int | None
    classroom_link: str
    starts_on: dt.date | None
    measure_kind: str
    entry_score: float | None
    entry_on: dt.date | None
    subject_code: str = ""


def placement_add(*, actor: Actor, group_id: uuid.UUID, fields: PlacementFields) -> Placement:
    """Place a pupil in a group. Refused without an accountable teacher who teaches the pupil (and is not the
    deliverer), or without a specific link to classroom teaching."""
    group = intervention_group_or_404(actor, group_id, Action.MANAGE)
    pupil = pupil_or_404(actor, fields.pupil_id, Resource.INTERVENTION_GROUP, Action.MANAGE)
    teacher = require_accountable_teacher(
        pupil=pupil, user_id=fields.accountable_teacher_id, field="accountable_teacher"
    )
    if teacher.pk == group.deliverer_id:
        raise ValidationError(
            {
                "accountable_teacher": f"{teacher.full_name} delivers this group. The accountable teacher is "
                "the pupil's class or subject teacher, who links the sessions back to lessons."
            }
        )
    problem = classroom_link_problem(fields.classroom_link)
    if problem:
        raise ValidationError({"classroom_link": problem})
    if fields.measure_kind not in MeasureKind.values:
        raise ValidationError({"measure_kind": "Choose how progress is measured."})
    if fields.entry_score is None:
        raise ValidationError({"entry_score": "Enter the entry measure: impact cannot be shown without it."})
    start = require_date(fields.starts_on, "starts_on", "Enter the date the pupil starts.")
    entry_on = require_past_or_today(fields.entry_on, "entry_on")
    try:
        with transaction.atomic():
            placement = Placement.objects.create(
                group=group,
                pupil=pupil,
                school_id=pupil.school_id,
                accountable_teacher=teacher,
                classroom_link=" ".join(fields.classroom_link.split()),
                starts_on=start,
                measure_kind=fields.measure_kind,
                subject_id=fields.subject_code or None,
                entry_score=fields.entry_score,
                entry_on=entry_on,
                created_by_id=actor.user_id,
            )
            audit_record(
                actor=actor,
                action="placement.add",
                target_type="placement",
                target_id=placement.pk,
                school_id=pupil.school_id,
                fields=["pupil", "accountable_teacher", "classroom_link", "entry_score"],
            )
    except IntegrityError as error:
        raise ValidationError("This pupil is already in the group.") from error
    return placement


def placement_exit(
    *, actor: Actor, placement_id: uuid.UUID, exit_score: float | None, exit_on: dt.date | None
) -> Placement:
    """Record the exit measure and end the placement on that date."""
    placement = (
        Placement.objects.filter(
            pk=placement_id,
            group__in=intervention_groups_in_scope(actor, Action.MANAGE),
            withdrawn_at__isnull=True,
        )
        .select_related("pupil")
        .first()
    )
    if placement is None:
        raise ValidationError("No such placement here.")
    if exit_score is None:
        raise ValidationError({"exit_score": "Enter the exit measure, on the same scale as the entry."})
    day = require_past_or_today(exit_on, "exit_on")
    if day < placement.entry_on:
        raise ValidationError({"exit_on": "The exit measure cannot be before the entry measure."})
    with transaction.atomic():
        placement.exit_score, placement.exit_on, placement.ends_on = exit_score, day, day
        placement.save(update_fields=["exit_score", "exit_on", "ends_on"])
        audit_record(
            actor=actor,
            action="placement.exit",
            target_type="placement",
            target_id=placement.pk,
            school_id=placement.school_id,
            fields=["exit_score", "exit_on", "ends_on"],
        )
    return placement


def session_log_record(
    *,
    actor: Actor,
    group_id: uuid.UUID,
    held_on: dt.date | None,
    present: Collection[uuid.UUID],
    covered: str,
    rating: int | None,
    note: str = "",
    picks: Collection[str] = (),
) -> SessionLog:
    """A session: who came, what was covered, how it went. Only the deliverer (or the SENCo) logs it.

    `picks` are steps of the intervention's programme ticked as covered; they are written into `covered`
    (in programme order, before any words typed), so the log reads the same to the teacher as any other."""
    group = intervention_group_or_404(actor, group_id)
    if not actor.can(Resource.SESSION_LOG, Action.ADD):
        raise ValidationError("You cannot log sessions in this role.")
    if group.deliverer_id != actor.user_id and actor.role != Role.SENCO:
        raise ValidationError("Only the person who runs this group, or the SENCo, logs its sessions.")
    day = require_past_or_today(held_on, "held_on")
    programme = group.intervention.programme_steps
    if set(picks) - set(programme):
        raise ValidationError({"picks": "Choose only steps from this intervention's programme."})
    parts = [step for step in programme if step in picks] + ([covered.strip()] if covered.strip() else [])
    if not parts:
        empty = "Tick what you covered, or say in a few words." if programme else "This cannot be left empty."
        raise ValidationError({"picks" if programme else "covered": empty})
    if rating not in Rating.values:
        raise ValidationError({"rating": "Say how the session went."})
    placements = list(group.placements.filter(running_on(day), withdrawn_at__isnull=True))
    if not placements:
        raise ValidationError("No pupils were in this group on that day.")
    unknown = set(present) - {p.pk for p in placements}
    if unknown:
        raise ValidationError("Some of the pupils ticked are not in this group.")
    try:
        with transaction.atomic():
            log = SessionLog.objects.create(
                group=group,
                school_id=group.school_id,
                held_on=day,
                delivered_by_id=actor.user_id,
                covered="; ".join(parts),
                rating=rating,
                note=note.strip(),
            )
            SessionAttendance.objects.bulk_create(
                SessionAttendance(
                    log=log, placement=p, pupil_id=p.pupil_id, school_id=p.school_id, present=p.pk in present
                )
                for p in placements
            )
            audit_record(
                actor=actor,
                action="session_log.record",
                target_type="session_log",
                target_id=log.pk,
                school_id=group.school_id,
                fields=["attendance", "covered", "rating", "note"],
            )
    except IntegrityError as error:
        raise ValidationError({"held_on": "This group's session on that day is already logged."}) from error
    return log


def logs_acknowledge(*, actor: Actor, log_ids: list[uuid.UUID]) -> int:
    """The accountable teacher confirms, in one go, they have read the session logs they were shown (a whole
    group's this term, or every one from earlier terms); returns how many were newly acknowledged. Logs not
    about their pupils are refused whole, so nothing is half-done."""
    if not actor.can(Resource.SESSION_LOG, Action.MANAGE):
        raise ValidationError(
            "Only the pupils' accountable teacher can acknowledge a session log: it is how the sessions "
            "reach the classroom (Code 6.52)."
        )
    wanted = set(log_ids)
    if not wanted:
        raise ValidationError("Choose at least one session log to acknowledge.")
    logs = set(
        SessionLog.objects.filter(
            pk__in=wanted,
            attendance__placement__accountable_teacher_id=actor.user_id,
            school_id=actor.school_id or 0,
            withdrawn_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    if logs != wanted:
        raise ValidationError("Some of these session logs are not about pupils you are accountable for.")
    with transaction.atomic():
        done = set(
            LogAcknowledgement.objects.filter(log_id__in=logs, teacher_id=actor.user_id).values_list(
                "log_id", flat=True
            )
        )
        new = sorted(logs - done, key=str)
        LogAcknowledgement.objects.bulk_create(
            LogAcknowledgement(log_id=pk, teacher_id=actor.user_id) for pk in new
        )
        for pk in new:
            audit_record(
                actor=actor,
                action="session_log.acknowledge",
                target_type="session_log",
                target_id=pk,
                fields=["acknowledged_at"],
            )
    return len(new)


def log_acknowledge(*, actor: Actor, log_id: uuid.UUID) -> LogAcknowledgement:
    """The accountable teacher confirms they have read a session log about their pupils."""
    if not actor.can(Resource.SESSION_LOG, Action.MANAGE):
        raise ValidationError(
            "Only the pupils' accountable teacher can acknowledge a session log: it is how the sessions "
            "reach the classroom (Code 6.52)."
        )
    log = SessionLog.objects.filter(
        pk=log_id,
        attendance__placement__accountable_teacher_id=actor.user_id,
        school_id=actor.school_id or 0,
        withdrawn_at__isnull=True,
    ).first()
    if log is None:
        raise ValidationError("This session log is not about any pupil you are accountable for.")
    with transaction.atomic():
        ack, created = LogAcknowledgement.objects.get_or_create(log=log, teacher_id=actor.user_id)
        if created:
            audit_record(
                actor=actor,
                action="session_log.acknowledge",
                target_type="session_log",
                target_id=log.pk,
                fields=["acknowledged_at"],
            )
    return ack


# ---------------------------------------------------------------- corrections and withdrawals
@dataclass(frozen=True)
class PlacementCorrection:
    classroom_link: str
    measure_kind: str
    entry_score: float | None
    entry_on: dt.date | None
    subject_code: str = ""
    exit_score: float | None = None
    exit_on: dt.date | None = None


def _placement_values(placement: Placement, fields: PlacementCorrection) -> dict[str, Any]:
    """The corrected values, checked as when the pupil was placed (and the exit measure recorded)."""
    problem = classroom_link_problem(fields.classroom_link)
    if problem:
        raise ValidationError({"classroom_link": problem})
    if fields.measure_kind not in MeasureKind.values:
        raise ValidationError({"measure_kind": "Choose how progress is measured."})
    if fields.entry_score is None:
        raise ValidationError({"entry_score": "Enter the entry measure: impact cannot be shown without it."})
    entry_on = require_past_or_today(fields.entry_on, "entry_on")
    values: dict[str, Any] = {
        "classroom_link": " ".join(fields.classroom_link.split()),
        "measure_kind": fields.measure_kind,
        "subject_id": fields.subject_code or None,
        "entry_score": fields.entry_score,
        "entry_on": entry_on,
    }
    if placement.exit_on is not None:  # an exit is recorded (and ends the placement) apart, not here
        if fields.exit_score is None:
            raise ValidationError({"exit_score": "Enter the exit measure, on the same scale as the entry."})
        exit_on = require_past_or_today(fields.exit_on, "exit_on")
        if exit_on < entry_on:
            raise ValidationError({"exit_on": "The exit measure cannot be before the entry measure."})
        values.update(exit_score=fields.exit_score, exit_on=exit_on)
    return values


def placement_correct(
    *,
    actor: Actor,
    placement_id: uuid.UUID,
    version: int | None,
    fields: PlacementCorrection,
    reason: str = "",
) -> Placement:
    """Correct what a placement says (the link to lessons, the measures); by whoever places pupils. The
    pupil, group and teacher are not corrected: a placement for the wrong pupil is withdrawn."""
    placement = placement_or_404(actor, placement_id, Action.MANAGE)
    with transaction.atomic():
        values = _placement_values(placement, fields)
        corrected = record_correct(
            actor=actor, record=placement, kind=PLACEMENT, version=version, values=values, reason=reason
        )
        if corrected.exit_on is not None and corrected.ends_on != corrected.exit_on:
            # Recording the exit ended the placement that day: a corrected date moves the end with it.
            corrected.ends_on = corrected.exit_on
            corrected.save(update_fields=["ends_on"])
        return corrected


def placement_withdraw(
    *, actor: Actor, placement_id: uuid.UUID, version: int | None, reason: str
) -> Placement:
    """Withdraw a placement made by mistake: it leaves the group, the provision map, impact and counts,
    and no longer gives anyone access to the pupil."""
    placement = placement_or_404(actor, placement_id, Action.MANAGE)
    with transaction.atomic():
        return record_withdraw(actor=actor, record=placement, kind=PLACEMENT, version=version, reason=reason)


def session_log_correct(
    *,
    actor: Actor,
    log_id: uuid.UUID,
    version: int | None,
    covered: str,
    rating: int | None,
    note: str = "",
    present: Collection[uuid.UUID] = (),
    reason: str = "",
) -> SessionLog:
    """Correct a session log and who came: by the person who delivered it, or the SENCo. Only the pupils
    the form listed change; the others (a withdrawn placement's, say) keep their mark."""
    log = session_log_to_change(actor=actor, log_id=log_id)
    with transaction.atomic():
        text = require_text(covered=covered)
        if rating not in Rating.values:
            raise ValidationError({"rating": "Say how the session went."})
        listed = {row.pupil_id: row for row in attendance_to_correct(actor=actor, log=log)}
        if set(present) - set(listed):
            raise ValidationError("Some of the pupils ticked were not expected at this session.")
        marks = {row.pupil_id: row.present for row in log.attendance.all()}
        marks.update({pupil_id: pupil_id in present for pupil_id in listed})
        corrected = record_correct(
            actor=actor,
            record=log,
            kind=SESSION_LOG,
            version=version,
            values={
                "covered": text["covered"],
                "rating": rating,
                "note": note.strip(),
                "present": sorted(str(pupil_id) for pupil_id, here in marks.items() if here),
            },
            reason=reason,
        )
        for pupil_id, row in listed.items():
            if row.present != marks[pupil_id]:
                row.present = marks[pupil_id]
                row.save(update_fields=["present"])
        return corrected


def session_log_withdraw(*, actor: Actor, log_id: uuid.UUID, version: int | None, reason: str) -> SessionLog:
    """Withdraw a session log made by mistake (the wrong group or day): it leaves the teachers' To do, the
    session counts and impact; the day can be logged again."""
    log = session_log_to_change(actor=actor, log_id=log_id)
    with transaction.atomic():
        return record_withdraw(actor=actor, record=log, kind=SESSION_LOG, version=version, reason=reason)
