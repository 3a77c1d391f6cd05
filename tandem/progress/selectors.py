"""Reads of stored Code 6.17 results, always through the access scopes."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.access.scopes import pupil_or_404, pupils_in_scope
from tandem.progress.chart import ChartGeometry, ChartPoint, progress_chart
from tandem.progress.models import AnalysisRun, ProgressResult, RunStatus
from tandem.schools.models import School

CRITERIA = (
    ("peers", "Slower than peers from the same starting point"),
    ("own_rate", "Slower than the pupil's own previous rate"),
    ("not_closing", "Gap to peers not closing"),
    ("widening", "Gap to peers widening"),
)


def latest_run(*, actor: Actor) -> AnalysisRun | None:
    """The newest finished run that covers the actor's school (its own run or its trust's), or trust."""
    runs = AnalysisRun.objects.filter(status=RunStatus.DONE)
    if actor.school_id is not None:
        school = School.objects.filter(pk=actor.school_id).only("trust_id").first()
        scope = Q(school_id=actor.school_id)
        if school is not None and school.trust_id is not None:
            scope |= Q(trust_id=school.trust_id)
        runs = runs.filter(scope)
    else:
        runs = runs.filter(Q(trust_id=actor.trust_id) | Q(school__trust_id=actor.trust_id))
    return runs.order_by("-finished_at", "-id").first()


def _results(actor: Actor, run: AnalysisRun) -> QuerySet[ProgressResult]:
    visible = pupils_in_scope(actor, Resource.PROGRESS).values("pk")
    return ProgressResult.objects.filter(run=run, pupil_id__in=visible)


def flagged_list(
    *, actor: Actor, subject: str | None = None
) -> tuple[AnalysisRun | None, QuerySet[ProgressResult]]:
    """Flagged results in each school's newest analysed window, for the pupils the actor may see."""
    run = latest_run(actor=actor)
    if run is None:
        return None, ProgressResult.objects.none()
    results = _results(actor, run).filter(is_current=True, flagged=True)
    if subject:
        results = results.filter(subject_id=subject)
    return run, results.select_related("pupil", "subject", "window__academic_year").order_by(
        "pupil__legal_surname", "pupil__legal_forename", "pupil_id", "subject_id"
    )


@dataclass
class SubjectProgress:
    subject: str
    subject_name: str
    rows: list[ProgressResult] = field(default_factory=list)

    @property
    def latest(self) -> ProgressResult | None:
        return self.rows[-1] if self.rows else None

    @property
    def chart(self) -> ChartGeometry | None:
        return progress_chart(
            [
                ChartPoint(
                    label=window_label(row),
                    score=row.figures.get("score"),
                    peer_low=row.figures.get("peer_p25"),
                    peer_median=row.figures.get("peer_median"),
                    peer_high=row.figures.get("peer_p75"),
                )
                for row in self.rows
            ]
        )


def window_label(row: ProgressResult) -> str:
    """ "Spr 25/26": short enough for a chart axis."""
    window = row.window
    start = window.academic_year.start_year
    return f"{window.get_term_display()[:3]} {start % 100:02d}/{(start + 1) % 100:02d}"


def pupil_progress(*, actor: Actor, pupil_id: uuid.UUID) -> list[SubjectProgress]:
    """Every analysed window for one pupil from the latest run, per subject, oldest first."""
    pupil = pupil_or_404(actor, pupil_id, Resource.PROGRESS)
    run = latest_run(actor=actor)
    if run is None:
        return []
    rows = (
        ProgressResult.objects.filter(run=run, pupil=pupil)
        .select_related("subject", "window__academic_year")
        .order_by("subject_id", "window__opens_on")
    )
    by_subject: dict[str, SubjectProgress] = defaultdict(lambda: SubjectProgress("", ""))
    for row in rows:
        entry = by_subject[row.subject_id]
        entry.subject, entry.subject_name = row.subject_id, row.subject.name
        entry.rows.append(row)
    return list(by_subject.values())
