"""Running the Code 6.17 engine over the database and storing what it found, as one audited act."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.assessment.models import Scale, ScaleKind
from tandem.audit.services import AuditActor, audit_record
from tandem.core.staging import Staging, staging_available
from tandem.core.validation import require_date, require_past_or_today, require_text
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_enqueue
from tandem.people.accountability import accountable_teacher_set, require_accountable_teacher
from tandem.progress.engine import CRITERIA, ENGINE_VERSION, ProgressTable, assess_progress
from tandem.progress.extract import AssessmentColumns, assessment_columns
from tandem.progress.models import (
    AnalysisRun,
    FirstResponse,
    NormModelRecord,
    ProgressResult,
    ProgressSettingsRecord,
    ResponseOutcome,
    RunStatus,
)
from tandem.progress.selectors import progress_settings_for
from tandem.progress.settings import EDITABLE_SETTINGS, ProgressSettings, ScaleInfo, settings_with
from tandem.register.models import Concern, ConcernStatus
from tandem.revisions.kinds import FIRST_RESPONSE
from tandem.revisions.services import WITHDRAWN, record_correct, record_withdraw
from tandem.schools.models import School, Trust

Progress = Callable[[str], None]
logger = logging.getLogger("tandem.progress")
BATCH = 5_000
# Figures stored with each result for the pupil page: the chart band and the numbers behind the criteria.
FIGURES = (
    "score",
    "peer_p25",
    "peer_median",
    "peer_p75",
    "gap_previous",
    "gap_change_tolerance",
    "previous_rate",
    "rate_change",
    "rate_change_tolerance",
    "windows_so_far",
)
NORM_LABELS = {
    "sgp": "Growth percentile (quantile regression)",
    "prr": "Percentile rank of residuals",
    "peer_band": "Peer band (same starting score)",
    "published_norm": "Published national norms",
    "not_enough_data": "Not enough data",
}


def engine_scales(subjects: Iterable[str]) -> dict[str, ScaleInfo]:
    """The analysed scale as the database declares it, for each subject.

    National norms only for a scale declared standardised (its kind) with its norms set: on any other scale
    pupils are compared within their cohort, never with a national mean and SD the scores do not have.
    """
    scale = Scale.objects.filter(code="standardised").first()
    reliability = scale.reliability if scale and scale.reliability else 0.9
    name = scale.code if scale else "standardised"
    if scale and scale.kind == ScaleKind.STANDARDISED and scale.norm_mean is not None and scale.norm_sd:
        info = ScaleInfo(name=name, norm_mean=scale.norm_mean, norm_sd=scale.norm_sd, reliability=reliability)
    else:
        info = ScaleInfo(name=name, reliability=reliability)
    return dict.fromkeys(subjects, info)


def analysis_run_create(
    *,
    actor: AuditActor | None,
    school: School | None = None,
    trust: Trust | None = None,
    settings: ProgressSettings | None = None,
    progress: Progress | None = None,
    started: Callable[[AnalysisRun], None] | None = None,
) -> AnalysisRun:
    """Analyse every pupil's standardised scores at a school or across a trust and store the results.

    The run row is written first so a failure is recorded as such (`started` is told of it); the
    results and the run's completion land together in one short transaction, with the audit event:
    reading, the engine's work and (on SQLite) staging the rows happen before it, so other people's pages
    never wait on them.
    """
    say = progress or (lambda message: None)
    if (school is None) == (trust is None):
        raise ValueError("Analyse one school or one trust.")
    # The school's or trust's own settings (settings page) unless the caller gives a whole set.
    settings = settings or progress_settings_for(school=school, trust=trust).settings
    school_ids = (
        [school.pk] if school else list(School.objects.filter(trust=trust).values_list("pk", flat=True))
    )
    run = AnalysisRun.objects.create(
        school=school,
        trust=trust,
        started_by_id=actor.user_id if actor else None,
        settings=settings.to_dict(),
        engine_version=ENGINE_VERSION,
    )
    if started is not None:
        started(run)
    began = time.perf_counter()
    try:
        say("Reading assessments...")
        columns = assessment_columns(school_ids=school_ids)
        say(f"Analysing {len(columns):,} results...")
        scales = engine_scales(set(columns.subject.tolist()))
        table = assess_progress(columns=columns, scales=scales, settings=settings, reasons=False)
        say(f"Storing {len(table):,} results...")
        # On SQLite the rows are staged first, so the transaction (SQLite's one write lock) only copies them.
        staged = Staging("analysis") if staging_available() else None
        flagged = 0
        if staged:
            flagged = _result_rows(run, table, columns, lambda rows: staged.add_creates(ProgressResult, rows))
        try:
            writing = time.perf_counter()
            with transaction.atomic():
                if staged:
                    staged.copy_in()
                else:
                    flagged = _result_rows(run, table, columns, ProgressResult.objects.bulk_create)
                _store_norm_models(run, table)
                run.status = RunStatus.DONE
                run.finished_at = timezone.now()
                run.rows_in = len(columns)
                run.results = len(table)
                run.flagged = flagged
                run.seconds = time.perf_counter() - began
                run.save()
                audit_record(
                    actor=actor,
                    action="progress.analyse",
                    target_type="analysis_run",
                    target_id=run.pk,
                    school_id=school.pk if school else None,
                    fields=["progress_results", "norm_models"],
                )
            logger.info(
                "analysis run %s stored: %d results, transaction %.2f s",
                run.pk,
                len(table),
                time.perf_counter() - writing,
            )
        finally:
            if staged:
                staged.drop()
    except Exception:
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), seconds=time.perf_counter() - began
        )
        raise
    say(f"Done: {run.flagged:,} of {run.results:,} results flagged, in {run.seconds:.1f} s.")
    return run


#: Job kind of an analysis of one school (tandem/progress/jobs.py runs it).
ANALYSIS_JOB = "analysis"


def analysis_request(*, actor: Actor | None, school_id: int, reason: str = "asked") -> Job:
    """Queue an analysis of one school, or return the one already waiting or running there (two at once
    would only compute the same thing twice). `reason`: "asked", "import" or "nightly", for the record."""
    with transaction.atomic():
        # One school's row locked for the check-and-queue, so two clicks at once queue one job.
        School.objects.select_for_update().filter(pk=school_id).first()
        waiting = (
            Job.objects.filter(
                kind=ANALYSIS_JOB, school_id=school_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
            )
            .order_by("created_at")
            .first()
        )
        if waiting is not None:
            return waiting
        return job_enqueue(kind=ANALYSIS_JOB, actor=actor, school_id=school_id, arguments={"reason": reason})


def _json_number(value: Any) -> float | int | None:
    if isinstance(value, np.integer):
        return int(value)
    number = float(value)
    return None if np.isnan(number) else round(number, 3)


def _result_rows(
    run: AnalysisRun,
    table: ProgressTable,
    columns: AssessmentColumns,
    write: Callable[[list[ProgressResult]], object],
) -> int:
    """Hand the run's result rows to `write` in batches (memory stays flat on a trust's millions of
    rows); return how many are flagged."""
    c = table.columns
    names = table.norm_model_names()
    # Sentences only for flagged rows: a trust run has millions of rows and few of them need words.
    flagged_rows = np.flatnonzero(c["flagged"])
    texts = table.explain(rows=flagged_rows)
    position = {int(row): k for k, row in enumerate(flagged_rows)}
    # The newest window each school has results for: what its teachers act on now.
    newest: dict[int, int] = {}
    for school_id, window in zip(c["school"].tolist(), c["window"].tolist(), strict=True):
        newest[school_id] = max(window, newest.get(school_id, window))
    rows: list[ProgressResult] = []
    flagged = 0
    for i in range(len(table)):
        school_id, window = int(c["school"][i]), int(c["window"][i])
        is_flagged = bool(c["flagged"][i])
        flagged += is_flagged
        percentile = int(c["percentile"][i])
        rows.append(
            ProgressResult(
                run=run,
                school_id=school_id,
                pupil_id=uuid.UUID(str(c["pupil"][i])),
                subject_id=str(c["subject"][i]),
                window_id=columns.window_ids[(school_id, window)],
                norm_model=names[i],
                norm_n=int(c["norm_n"][i]) if c["norm_n"][i] > 0 else None,
                percentile=percentile if percentile > 0 else None,
                percentile_low=int(c["percentile_low"][i]) if c["percentile_low"][i] > 0 else None,
                percentile_high=int(c["percentile_high"][i]) if c["percentile_high"][i] > 0 else None,
                gap=_json_number(c["gap"][i]),
                gap_change=_json_number(c["gap_change"][i]),
                peers=int(c["peers"][i]),
                own_rate=int(c["own_rate"][i]),
                not_closing=int(c["not_closing"][i]),
                widening=int(c["widening"][i]),
                flagged=is_flagged,
                is_current=window == newest[school_id],
                reasons={
                    name: str(texts[f"reason_{name}"][position[i]])
                    for name in CRITERIA
                    if is_flagged and int(c[name][i]) == 1
                },
                figures={name: _json_number(c[name][i]) for name in FIGURES}
                | {"norm_label": NORM_LABELS.get(names[i], names[i])},
            )
        )
        if len(rows) >= BATCH:
            write(rows)
            rows = []
    write(rows)
    return flagged


def _store_norm_models(run: AnalysisRun, table: ProgressTable) -> None:
    NormModelRecord.objects.bulk_create(
        NormModelRecord(
            run=run,
            subject_id=str(model.subject),
            cohort=f"Y{model.year_group} window {model.window} from {list(model.prior_windows)}"[:64],
            kind=model.kind,
            norm_n=model.n,
            parameters=model.parameters,
        )
        for model in table.models
    )


# ---------------------------------------------------------------- first responses (Code 6.19, 6.37)
def first_response_create(
    *,
    actor: Actor,
    pupil_id: uuid.UUID,
    accountable_teacher_id: int | None,
    weakness: str,
    adjustments: str,
    starts_on: dt.date | None,
    review_on: dt.date | None,
    subject_code: str = "",
    concern_id: uuid.UUID | None = None,
    progress_result_id: int | None = None,
    follows: FirstResponse | None = None,
) -> FirstResponse:
    """The accountable teacher's targeted adjustments in class, from a flag or a concern, to be reviewed."""
    pupil = pupil_or_404(actor, pupil_id, Resource.FIRST_RESPONSE, Action.MANAGE)
    with transaction.atomic():
        text = require_text(weakness=weakness, adjustments=adjustments)
        start = require_date(starts_on, "starts_on", "Enter the date the adjustments start.")
        review = require_date(
            review_on, "review_on", "Enter a review date: when will you check it has worked?"
        )
        if review <= start:
            raise ValidationError({"review_on": "The review date must be after the start date."})
        teacher = require_accountable_teacher(
            pupil=pupil, user_id=accountable_teacher_id, field="accountable_teacher"
        )
        concern = None
        if concern_id is not None:
            concern = Concern.objects.filter(pk=concern_id, pupil=pupil).first()
            if concern is None:
                raise ValidationError("That concern is not about this pupil.")
        if (
            progress_result_id is not None
            and not ProgressResult.objects.filter(pk=progress_result_id, pupil=pupil).exists()
        ):
            raise ValidationError("That progress flag is not about this pupil.")
        response = FirstResponse.objects.create(
            pupil=pupil,
            school_id=pupil.school_id,
            accountable_teacher=teacher,
            subject_id=subject_code or None,
            starts_on=start,
            review_on=review,
            concern=concern,
            progress_result_id=progress_result_id,
            follows=follows,
            created_by_id=actor.user_id,
            **text,
        )
        if concern is not None and concern.status == ConcernStatus.OPEN:
            concern.status = ConcernStatus.FIRST_RESPONSE
            concern.next_step_by_id = actor.user_id
            concern.next_step_on = timezone.localdate()
            concern.save(update_fields=["status", "next_step_by", "next_step_on"])
        audit_record(
            actor=actor,
            action="first_response.create",
            target_type="first_response",
            target_id=response.pk,
            school_id=pupil.school_id,
            fields=["accountable_teacher", "weakness", "adjustments", "starts_on", "review_on"],
        )
        return response


def first_response_review(
    *,
    actor: Actor,
    response_id: uuid.UUID,
    outcome: str,
    note: str,
    reviewed_on: dt.date | None,
    next_review_on: dt.date | None = None,
) -> FirstResponse:
    """Record the review: resolved, continue (opens a follow-on with a new review date) or refer."""
    response = pupil_record_or_404(actor, FirstResponse, response_id, Resource.FIRST_RESPONSE, Action.MANAGE)
    with transaction.atomic():
        if response.outcome:
            raise ValidationError("This first response has already been reviewed.")
        if response.is_withdrawn:
            raise ValidationError(WITHDRAWN)
        if outcome not in ResponseOutcome.values:
            raise ValidationError({"outcome": "Choose the outcome of the review."})
        text = require_text(note=note)
        day = require_past_or_today(reviewed_on, "reviewed_on")
        if day < response.starts_on:
            raise ValidationError({"reviewed_on": "The review cannot be before the adjustments started."})
        if outcome == ResponseOutcome.CONTINUE:
            later = require_date(next_review_on, "next_review_on", "Enter the date of the next review.")
            if later <= day:
                raise ValidationError({"next_review_on": "The next review must be after this one."})
        response.outcome = outcome
        response.outcome_note = text["note"]
        response.reviewed_on = day
        response.reviewed_by_id = actor.user_id
        response.save(update_fields=["outcome", "outcome_note", "reviewed_on", "reviewed_by"])
        audit_record(
            actor=actor,
            action="first_response.review",
            target_type="first_response",
            target_id=response.pk,
            school_id=response.school_id,
            fields=["outcome", "outcome_note", "reviewed_on"],
        )
        if outcome == ResponseOutcome.CONTINUE:
            first_response_create(
                actor=actor,
                pupil_id=response.pupil_id,
                accountable_teacher_id=response.accountable_teacher_id,
                weakness=response.weakness,
                adjustments=response.adjustments,
                starts_on=day,
                review_on=next_review_on,
                subject_code=response.subject_id or "",
                follows=response,
            )
        if outcome == ResponseOutcome.REFER and response.concern_id is not None:
            Concern.objects.filter(pk=response.concern_id).update(status=ConcernStatus.REFERRED)
        return response


def first_response_correct(
    *,
    actor: Actor,
    response_id: uuid.UUID,
    version: int | None,
    weakness: str,
    adjustments: str,
    starts_on: dt.date | None,
    review_on: dt.date | None,
    outcome_note: str = "",
    reason: str = "",
) -> FirstResponse:
    """Correct what a first response says, and once reviewed what its review found."""
    response = pupil_record_or_404(actor, FirstResponse, response_id, Resource.FIRST_RESPONSE, Action.MANAGE)
    with transaction.atomic():
        text = require_text(weakness=weakness, adjustments=adjustments)
        start = require_date(starts_on, "starts_on", "Enter the date the adjustments start.")
        review = require_date(
            review_on, "review_on", "Enter a review date: when will you check it has worked?"
        )
        if review <= start:
            raise ValidationError({"review_on": "The review date must be after the start date."})
        values: dict[str, Any] = {**text, "starts_on": start, "review_on": review}
        if response.outcome:
            values["outcome_note"] = require_text(outcome_note=outcome_note)["outcome_note"]
        return record_correct(
            actor=actor, record=response, kind=FIRST_RESPONSE, version=version, values=values, reason=reason
        )


def first_response_withdraw(
    *, actor: Actor, response_id: uuid.UUID, version: int | None, reason: str
) -> FirstResponse:
    """Withdraw a first response recorded by mistake; one a later response carries on from stays."""
    response = pupil_record_or_404(actor, FirstResponse, response_id, Resource.FIRST_RESPONSE, Action.MANAGE)
    with transaction.atomic():
        if FirstResponse.objects.filter(follows=response, withdrawn_at__isnull=True).exists():
            raise ValidationError(
                "A later first response carries on from this one: correct this one instead, or withdraw "
                "the later one first."
            )
        return record_withdraw(
            actor=actor, record=response, kind=FIRST_RESPONSE, version=version, reason=reason
        )


def first_response_owner_change(
    *, actor: Actor, response_id: uuid.UUID, teacher_id: int | None
) -> FirstResponse:
    """A new accountable teacher for an open first response, e.g. when the pupil changes class."""
    response = pupil_record_or_404(actor, FirstResponse, response_id, Resource.FIRST_RESPONSE, Action.MANAGE)
    with transaction.atomic():
        if response.outcome:
            raise ValidationError("This first response has been reviewed; it needs no new owner.")
        teacher = require_accountable_teacher(
            pupil=response.pupil, user_id=teacher_id, field="accountable_teacher"
        )
        accountable_teacher_set(actor=actor, record=response, teacher=teacher, target_type="first_response")
    return response


def progress_settings_update(*, actor: Actor, values: Mapping[str, Any]) -> ProgressSettingsRecord:
    """Store the school's (or trust's) own settings: only those that differ from what it would inherit."""
    if not actor.can(Resource.PROGRESS_SETTINGS, Action.MANAGE):
        raise PermissionError("Only the SENCo, the head or the trust SEND lead change these settings.")
    unknown = set(values) - set(EDITABLE_SETTINGS)
    if unknown:
        raise ValidationError(f"These settings cannot be changed here: {', '.join(sorted(unknown))}.")
    school: School | None = None
    trust: Trust | None = None
    owner: School | Trust
    if actor.school_id is not None:
        owner = school = School.objects.get(pk=actor.school_id)
    else:
        owner = trust = Trust.objects.get(pk=actor.trust_id or 0)
    current = progress_settings_for(school=school, trust=trust)
    try:
        settings_with(current.inherited, values)
    except ValueError as error:
        raise ValidationError(f"These settings do not work together: {error}.") from error
    inherited = current.inherited.to_dict()
    own = {name: value for name, value in values.items() if inherited[name] != value}
    with transaction.atomic():
        record, _ = ProgressSettingsRecord.objects.update_or_create(
            school=school, trust=trust, defaults={"values": own, "updated_by_id": actor.user_id}
        )
        audit_record(
            actor=actor,
            action="progress_settings.update",
            target_type="school" if school else "trust",
            target_id=owner.pk,
            fields=sorted(values),
        )
    return record
