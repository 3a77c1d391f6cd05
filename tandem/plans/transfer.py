"""The transferable support plan: a plan written as a `tandem-plan-1` file for the pupil's next school, and
such a file brought in as a plan (docs/schemas/README.md).

The file carries what the plan says, its targets and their progress in words; never staff names or emails,
the Do record, evidence or progress figures (tandem/lib/plan_schema.py forbids them). Making a file is a
download of SEN data (audited, counted by the download limit); bringing one in is one transaction that
writes the plan and all its targets, or nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource, Scope
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.audit.services import audit_record
from tandem.lib.isp import date_in_words
from tandem.lib.plan_schema import PROBLEMS_SHOWN, SCHEMA_NAME, SCHEMA_VERSION, SCHEMA_VERSIONS, problems
from tandem.people.accountability import accountable_teachers
from tandem.people.models import Pupil
from tandem.plans.models import SupportPlan, Target, TargetProgress
from tandem.plans.services import (
    PLAN_TEXT,
    isp_values,
    plan_dates_checked,
    require_on_register,
)

MAX_FILE_BYTES = 1_000_000  # a plan with a hundred targets and their progress is a few hundred kilobytes
FILE_FIELD = "file"  # the import form's field: every refusal of the file is shown beside it
NO_UPN = (
    "This pupil has no UPN, so the next school could not match a plan file to them: add the UPN from the "
    "MIS first."
)


@dataclass(frozen=True)
class PlanFile:
    content: bytes
    file_name: str


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _current(records: Any) -> Any:
    return records.filter(withdrawn_at__isnull=True)


def plan_document(*, plan: SupportPlan, exported_on: dt.date) -> dict[str, Any]:
    """The plan as a `tandem-plan-1` document. `plan` was reached through the access scope."""
    pupil, school = plan.pupil, plan.school
    targets = list(_current(plan.targets).order_by("due_on", "created_at"))
    notes: dict[uuid.UUID, list[dict[str, Any]]] = {t.pk: [] for t in targets}
    entries = _current(TargetProgress.objects.filter(target__in=targets)).order_by(
        "recorded_on", "created_at"
    )
    for entry in entries:
        # The note in words only: the sending school's evidence stays with it.
        notes[entry.target_id].append({"recorded_on": entry.recorded_on.isoformat(), "note": entry.note})
    review = None
    if plan.reviewed_on is not None:
        review = {
            "reviewed_on": plan.reviewed_on.isoformat(),
            "summary": plan.review_summary,
            "pupil_views": plan.review_pupil_views,
            "parent_views": plan.review_parent_views,
            "next_step": plan.next_step,
        }
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "exported_on": exported_on.isoformat(),
        "school": {"name": school.name, "urn": school.urn},
        "pupil": {
            "upn": pupil.upn,
            "forename": pupil.legal_forename,
            "surname": pupil.legal_surname,
            "date_of_birth": pupil.date_of_birth.isoformat(),
            "year_group": pupil.year_group,
        },
        "plan": {
            "cycle": plan.cycle,
            "layer": plan.layer,
            "plan_type": plan.plan_type,
            "starts_on": plan.starts_on.isoformat(),
            "review_on": plan.review_on.isoformat(),
            "need_identified_on": _day(plan.need_identified_on),
            "agreed_on": _day(plan.agreed_on),
            "summary": plan.summary,
            "strengths": plan.strengths,
            "needs": plan.needs,
            "pupil_views": plan.pupil_views,
            "parent_views": plan.parent_views,
            "participation": {
                "parent": {
                    "how": plan.parent_participation or None,
                    "reason": plan.parent_participation_reason,
                },
                "pupil": {"how": plan.pupil_participation or None, "reason": plan.pupil_participation_reason},
            },
            "strategies": plan.strategies,
            "interventions": plan.interventions,
            "expected_impact": plan.expected_impact,
            "review": review,
        },
        "targets": [
            {
                "skill": t.skill,
                "measure": t.measure,
                "baseline": t.baseline,
                "success_criterion": t.success_criterion,
                "due_on": t.due_on.isoformat(),
                "outcome": t.outcome or None,
                "progress": notes[t.pk],
            }
            for t in targets
        ],
    }


def plan_file_name(plan: SupportPlan) -> str:
    """Named by the UPN (never the pupil's name) and the cycle, so a folder of them sorts by pupil."""
    return f"support-plan-{plan.pupil.upn}-cycle-{plan.cycle}.json"


def _file_bytes(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _written(plan: SupportPlan) -> bytes:
    """The plan's file, checked against the published schema first: Tandem never sends a file another
    school's system would refuse (a UPN not in the DfE's form, text longer than a plan box takes)."""
    if not plan.pupil.upn:
        raise ValidationError(NO_UPN)
    document = plan_document(plan=plan, exported_on=timezone.localdate())
    found = problems(document)
    if found:
        raise ValidationError(
            [f"This plan cannot be written as a {SCHEMA_NAME} file: {problem}" for problem in found]
        )
    return _file_bytes(document)


def plan_export(*, actor: Actor, plan_id: uuid.UUID) -> PlanFile:
    """The plan's file, for anyone who may read the plan; a download of SEN data, so audited as one."""
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN)
    if plan.is_withdrawn:
        raise Http404("A withdrawn plan is not sent to another school.")
    content = _written(plan)
    audit_record(
        actor=actor,
        action="export.support_plan",
        target_type="support_plan",
        target_id=plan.pk,
        school_id=plan.school_id,
        fields=["pupil", "plan", "targets", "targets.progress"],
    )
    return PlanFile(content, plan_file_name(plan))


@dataclass
class LeaverPlans:
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> a tandem-plan-1 file
    left_out: int = 0  # plans that could not be written (a UPN not in the DfE's form)


def leaver_plan_files(*, actor: Actor, pupils: Sequence[Pupil]) -> LeaverPlans:
    """Each leaver's latest plan (not withdrawn) as a file, for their Common Transfer File download. Only
    for someone who may read every plan at the school (the SENCo), as with SEN history; `pupils` come from
    `leavers_in_scope`, already off the roll, so their plans are out of every other page's reach."""
    found = LeaverPlans()
    if actor.scope(Resource.SUPPORT_PLAN) is not Scope.SCHOOL or actor.school_id is None:
        return found
    ids = [p.pk for p in pupils if p.school_id == actor.school_id]
    latest: dict[uuid.UUID, SupportPlan] = {}
    for plan in (
        SupportPlan.objects.filter(pupil_id__in=ids, school_id=actor.school_id, withdrawn_at__isnull=True)
        .select_related("pupil", "school")
        .order_by("pupil_id", "-cycle")
    ):
        latest.setdefault(plan.pupil_id, plan)
    for plan in latest.values():
        try:
            content = _written(plan)
        except ValidationError:
            found.left_out += 1
            continue
        found.files[plan_file_name(plan)] = content
        audit_record(
            actor=actor,
            action="support_plan.transfer",
            target_type="support_plan",
            target_id=plan.pk,
            school_id=plan.school_id,
            fields=["pupil", "plan", "targets", "targets.progress"],
        )
    return found


# ---------------------------------------------------------------- bringing a file in
def _refuse(*messages: str) -> ValidationError:
    return ValidationError({FILE_FIELD: list(messages)})


def read_plan_file(data: bytes) -> dict[str, Any]:
    """The file's document, or a refusal saying what is wrong: too big, not JSON, another kind of file, or
    the fields that do not match the schema (the first few)."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(
            f"This file is too big for a plan file: the limit is {MAX_FILE_BYTES // 1_000_000} MB. Check "
            f"it is the {SCHEMA_NAME} file the last school sent."
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _refuse(
            f"This is not a plan file: it is not text. Choose the {SCHEMA_NAME} file (ending .json)."
        ) from None
    except json.JSONDecodeError as error:
        raise _refuse(
            f"This is not a plan file: it is not JSON (line {error.lineno}, column {error.colno}). Choose "
            f"the {SCHEMA_NAME} file (ending .json) the last school sent."
        ) from None
    if isinstance(document, dict) and document.get("schema") != SCHEMA_NAME:
        raise _refuse(
            f"This JSON file is not a {SCHEMA_NAME} support plan file (its 'schema' field says so)."
        )
    if isinstance(document, dict) and document.get("schema_version") not in SCHEMA_VERSIONS:
        raise _refuse(
            f"This plan file is version {str(document.get('schema_version'))[:10]!r}; Tandem reads version "
            f"{', '.join(SCHEMA_VERSIONS)}. Ask the sending school for a file in that version."
        )
    found = problems(document)
    if found:
        more = len(found) - PROBLEMS_SHOWN
        raise _refuse(
            *(
                f"The file does not match the {SCHEMA_NAME} schema at {problem}"
                for problem in found[:PROBLEMS_SHOWN]
            ),
            *([f"...and {more} more problem{'s' if more > 1 else ''}."] if more > 0 else []),
        )
    assert isinstance(document, dict)  # the schema says so
    return document


def _in_file(error: ValidationError, section: str) -> ValidationError:
    """A service's refusal of a plan's field, said about the file's field ("plan.review_on: ...")."""
    if not hasattr(error, "error_dict"):
        return _refuse(*error.messages)
    return _refuse(
        *(
            f"{section}.{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        )
    )


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def plan_import(*, actor: Actor, pupil_id: uuid.UUID, data: bytes) -> SupportPlan:
    """Bring a plan file from the pupil's last school in as their next cycle, with its targets and their
    progress, in one transaction: anything refused leaves nothing written. The accountable teacher is the
    importer when they teach the pupil, else one of the pupil's teachers."""
    pupil = pupil_or_404(actor, pupil_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    document = read_plan_file(data)
    upn = str(document["pupil"]["upn"])
    if not pupil.upn:
        raise _refuse(NO_UPN)
    if upn.strip().upper() != pupil.upn.strip().upper():
        raise _refuse(
            f"This file is for the pupil with UPN {upn}, not this pupil (UPN {pupil.upn}). Check the file, "
            "or import it from the right pupil's support record."
        )
    plan_part: dict[str, Any] = document["plan"]
    school_part: dict[str, Any] = document["school"]
    with transaction.atomic():
        require_on_register(pupil)
        # As when a plan is written: two imports at once for one pupil take turns here.
        Pupil.objects.select_for_update(no_key=True).filter(pk=pupil.pk).first()
        if SupportPlan.objects.filter(
            pupil=pupil, reviewed_on__isnull=True, withdrawn_at__isnull=True
        ).exists():
            raise _refuse(
                "This pupil already has an open plan here: review or withdraw it before bringing one in."
            )
        try:
            start, review = plan_dates_checked(_date(plan_part["starts_on"]), _date(plan_part["review_on"]))
            participation = plan_part["participation"]
            isp = isp_values(
                values={
                    "layer": plan_part["layer"],
                    "plan_type": plan_part["plan_type"],
                    "need_identified_on": _date(plan_part["need_identified_on"]),
                    "agreed_on": _date(plan_part["agreed_on"]),
                    "parent_participation": participation["parent"]["how"],
                    "parent_participation_reason": participation["parent"]["reason"],
                    "pupil_participation": participation["pupil"]["how"],
                    "pupil_participation_reason": participation["pupil"]["reason"],
                }
            )
        except ValidationError as error:
            raise _in_file(error, "plan") from None
        text = {name: str(plan_part[name]).strip() for name in PLAN_TEXT}
        empty = [name for name, value in text.items() if not value]
        if empty:
            raise _refuse(*(f"plan.{name}: this cannot be left empty." for name in empty))
        teachers = accountable_teachers(pupil=pupil)
        teacher = teachers.filter(pk=actor.user_id).first() or teachers.first()
        if teacher is None:
            raise _refuse(
                "No teacher teaches this pupil in Tandem yet, and every plan needs an accountable teacher "
                "who does: add the pupil to a class first."
            )
        reviewed: dict[str, Any] = plan_part["review"] or {}
        interventions = str(plan_part["interventions"]).strip()
        exported_on = dt.date.fromisoformat(document["exported_on"])
        plan = SupportPlan.objects.create(
            pupil=pupil,
            school_id=pupil.school_id,
            cycle=(SupportPlan.objects.filter(pupil=pupil).aggregate(c=Max("cycle"))["c"] or 0) + 1,
            accountable_teacher=teacher,
            starts_on=start,
            review_on=review,
            # The other school's catalogue is not this one's: its interventions come as words.
            other_interventions=interventions,
            interventions=interventions,
            reviewed_on=_date(reviewed.get("reviewed_on")),
            review_summary=reviewed.get("summary", ""),
            review_pupil_views=reviewed.get("pupil_views", ""),
            review_parent_views=reviewed.get("parent_views", ""),
            next_step=reviewed.get("next_step", ""),
            imported_from=f"Imported from {str(school_part['name'])[:150]} (URN {school_part['urn']}) on "
            f"{date_in_words(timezone.localdate())}, from a file made on {date_in_words(exported_on)}",
            created_by_id=actor.user_id,
            **isp,
            **text,
        )
        progress = 0
        for part in document["targets"]:
            target = Target.objects.create(
                plan=plan,
                pupil_id=pupil.pk,
                school_id=pupil.school_id,
                skill=part["skill"],
                measure=part["measure"],
                baseline=part["baseline"],
                success_criterion=part["success_criterion"],
                due_on=dt.date.fromisoformat(part["due_on"]),
                accountable_teacher=teacher,
                outcome=part["outcome"] or "",
            )
            TargetProgress.objects.bulk_create(
                TargetProgress(
                    target=target,
                    pupil_id=pupil.pk,
                    school_id=pupil.school_id,
                    recorded_on=dt.date.fromisoformat(entry["recorded_on"]),
                    note=entry["note"],
                    recorded_by_id=actor.user_id,
                )
                for entry in part["progress"]
            )
            progress += len(part["progress"])
        audit_record(
            actor=actor,
            action="support_plan.import",
            target_type="support_plan",
            target_id=plan.pk,
            school_id=pupil.school_id,
            fields=sorted(
                {
                    "accountable_teacher",
                    "starts_on",
                    "review_on",
                    "interventions",
                    "imported_from",
                    *isp,
                    *text,
                    *(["review"] if reviewed else []),
                    *(["targets"] if document["targets"] else []),
                    *(["targets.progress"] if progress else []),
                }
            ),
        )
        return plan
