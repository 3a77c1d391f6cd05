"""Running the Code 6.17 engine over the database and storing what it found, as one audited act."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from tandem.assessment.models import Scale
from tandem.audit.services import AuditActor, audit_record
from tandem.progress.engine import CRITERIA, ENGINE_VERSION, ProgressTable, assess_progress
from tandem.progress.extract import AssessmentColumns, assessment_columns
from tandem.progress.models import AnalysisRun, NormModelRecord, ProgressResult, RunStatus
from tandem.progress.settings import ProgressSettings, ScaleInfo
from tandem.schools.models import School, Trust

Progress = Callable[[str], None]
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


def engine_scales() -> dict[str, ScaleInfo]:
    """The standardised scale's published norms and reliability, for each analysed subject."""
    scale = Scale.objects.filter(code="standardised").first()
    reliability = scale.reliability if scale and scale.reliability else 0.9
    info = ScaleInfo.standardised(reliability=reliability)
    return {"reading": info, "maths": info, "writing": info}


def analysis_run_create(
    *,
    actor: AuditActor | None,
    school: School | None = None,
    trust: Trust | None = None,
    settings: ProgressSettings | None = None,
    progress: Progress | None = None,
) -> AnalysisRun:
    """Analyse every pupil's standardised scores at a school or across a trust and store the results.

    The run row is written first so a failure is recorded as such; the results and the run's
    completion land together in one transaction, with the audit event.
    """
    say = progress or (lambda message: None)
    settings = settings or ProgressSettings()
    if (school is None) == (trust is None):
        raise ValueError("Analyse one school or one trust.")
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
    started = time.perf_counter()
    try:
        say("Reading assessments...")
        columns = assessment_columns(school_ids=school_ids)
        say(f"Analysing {len(columns):,} results...")
        table = assess_progress(columns=columns, scales=engine_scales(), settings=settings, reasons=False)
        say(f"Storing {len(table):,} results...")
        with transaction.atomic():
            flagged = _store(run, table, columns)
            run.status = RunStatus.DONE
            run.finished_at = timezone.now()
            run.rows_in = len(columns)
            run.results = len(table)
            run.flagged = flagged
            run.seconds = time.perf_counter() - started
            run.save()
            audit_record(
                actor=actor,
                action="progress.analyse",
                target_type="analysis_run",
                target_id=run.pk,
                school_id=school.pk if school else None,
                fields=["progress_results", "norm_models"],
            )
    except Exception:
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), seconds=time.perf_counter() - started
        )
        raise
    say(f"Done: {run.flagged:,} of {run.results:,} results flagged, in {run.seconds:.1f} s.")
    return run


def _json_number(value: Any) -> float | int | None:
    if isinstance(value, np.integer):
        return int(value)
    number = float(value)
    return None if np.isnan(number) else round(number, 3)


def _store(run: AnalysisRun, table: ProgressTable, columns: AssessmentColumns) -> int:
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
            ProgressResult.objects.bulk_create(rows)
            rows = []
    ProgressResult.objects.bulk_create(rows)
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
    return flagged
