"""Reads for the head's and the SENCo's home pages: tiles, progress gaps over time, accountability.

Every figure reuses another app's selector or scoped queryset, so a tile always counts what the page it
links to lists. Each runs a fixed number of queries whatever the number of pupils.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import intervention_groups_in_scope, pupil_records_in_scope, pupils_in_scope
from tandem.dashboards.wording import gap_sentence
from tandem.exchange.provision_map import format_money
from tandem.lib.charts import Series, line_chart
from tandem.lib.dates import term_start
from tandem.lib.text import counted
from tandem.people.accountability import school_teachers
from tandem.people.models import year_group_label
from tandem.plans.models import SupportPlan
from tandem.plans.selectors import FIRST_RESPONSE_SOON, SOON, compliance_queries
from tandem.progress.models import FirstResponse, ProgressResult
from tandem.progress.selectors import (
    _current_provision,
    _newest,
    _results,
    flagged_list,
    latest_runs,
    sen_gap_averages,
    subject_in_sentence,
)
from tandem.provision.models import LogAcknowledgement, Placement, SessionAttendance
from tandem.provision.selectors import place_cost, staff_rates


@dataclass(frozen=True)
class Tile:
    """One number on the home page, worded with it, and the page that lists what it counts."""

    key: str
    figure: str
    label: str
    url: str
    note: str = ""


# ---------------------------------------------------------------- tiles
def flags_not_responded(*, actor: Actor) -> QuerySet[ProgressResult]:
    """Flagged results in the newest analysed window with no first response or support plan started (or
    plan reviewed) since that window opened. Runs repeat nightly: "since" is the assessment, not the run.
    The home page counts their pupils; the Ofsted inspection lists name them."""
    run, results = flagged_list(actor=actor)
    if run is None:
        return ProgressResult.objects.none()
    opened = OuterRef("window__opens_on")
    responded = FirstResponse.objects.filter(
        pupil_id=OuterRef("pupil_id"), starts_on__gte=opened, withdrawn_at__isnull=True
    )
    planned = SupportPlan.objects.filter(pupil_id=OuterRef("pupil_id"), withdrawn_at__isnull=True).filter(
        Q(starts_on__gte=opened) | Q(reviewed_on__gte=opened)
    )
    return results.exclude(Exists(responded)).exclude(Exists(planned))


def flags_waiting(*, actor: Actor) -> int:
    """How many pupils have a flag not yet responded to (`flags_not_responded`)."""
    return flags_not_responded(actor=actor).order_by().values("pupil_id").distinct().count()


def _unacknowledged(actor: Actor) -> QuerySet[SessionAttendance]:
    """Attendance rows of session logs the pupil's accountable teacher has not acknowledged yet."""
    if not actor.can(Resource.SESSION_LOG):
        return SessionAttendance.objects.none()
    # The session-log scope matches the group scope row for row (see scopes.session_log_or_404).
    groups = intervention_groups_in_scope(actor).values("pk")
    acknowledged = LogAcknowledgement.objects.filter(
        log_id=OuterRef("log_id"), teacher_id=OuterRef("placement__accountable_teacher_id")
    )
    return SessionAttendance.objects.filter(
        log__group_id__in=groups, log__withdrawn_at__isnull=True, placement__withdrawn_at__isnull=True
    ).exclude(Exists(acknowledged))


@dataclass(frozen=True)
class TermCost:
    total: Decimal
    placements: int
    without_rate: int
    since: dt.date


def provision_cost_this_term(*, actor: Actor) -> TermCost:
    """Placements running at any time this term, each at its share of the whole course as the provision
    map costs it (`place_cost`); placements whose staff type has no hourly rate add nothing."""
    today = timezone.localdate()
    since = term_start(today)
    visible = pupils_in_scope(actor, Resource.PROVISION_MAP).values("pk")
    placements = (
        Placement.objects.filter(pupil_id__in=visible, starts_on__lte=today, withdrawn_at__isnull=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=since))
        .select_related("group__intervention")
    )
    rates = staff_rates(school_id=actor.school_id or 0)
    total, count, without_rate = Decimal("0"), 0, 0
    for placement in placements:
        cost = place_cost(placement.group.intervention, rates)
        count += 1
        if cost is None:
            without_rate += 1
        else:
            total += cost
    return TermCost(total=total, placements=count, without_rate=without_rate, since=since)


def dashboard_tiles(*, actor: Actor) -> list[Tile]:
    """The few numbers that matter, each linking to the list behind it; a tile the role may not see is left
    out."""
    today = timezone.localdate()
    tiles: list[Tile] = []
    if actor.can(Resource.PROGRESS):
        n = flags_waiting(actor=actor)
        tiles.append(
            Tile(
                "flags",
                str(n),
                ("pupil" if n == 1 else "pupils") + " flagged, no response yet",
                reverse("progress_list"),
                "For less than expected progress, in the latest analysis.",
            )
        )
    if actor.can(Resource.COMPLIANCE):
        q = compliance_queries(actor=actor)
        overdue = q.plans.filter(reviewed_on__isnull=True, review_on__lt=today).count()
        due = q.meetings_due(by=today + SOON, including=True).count()
        tiles.append(
            Tile(
                "reviews",
                str(overdue),
                ("support plan review" if overdue == 1 else "support plan reviews") + " overdue",
                reverse("compliance") + "#overdue-heading",
            )
        )
        tiles.append(
            Tile(
                "meetings",
                str(due),
                ("meeting" if due == 1 else "meetings") + " with parents due in the next 3 weeks or overdue",
                reverse("compliance") + "#due-heading",
            )
        )
    if actor.can(Resource.SESSION_LOG):
        logs = _unacknowledged(actor).values("log_id").distinct().count()
        tiles.append(
            Tile(
                "logs",
                str(logs),
                ("session log" if logs == 1 else "session logs") + " not yet acknowledged by a class teacher",
                # Each teacher acknowledges their own on their To do page; leaders see who has how many.
                "#accountability-heading",
            )
        )
    if actor.can(Resource.PROVISION_MAP):
        cost = provision_cost_this_term(actor=actor)
        note = f"{counted(cost.placements, 'placement')} running since {cost.since:%-d %B %Y}."
        if cost.without_rate:
            note += f" {counted(cost.without_rate, 'placement')} with no staff rate set, not counted."
        tiles.append(
            Tile("cost", format_money(cost.total), "provision cost this term", reverse("provision_map"), note)
        )
    return tiles


# ---------------------------------------------------------------- accountability
@dataclass(frozen=True)
class TeacherRow:
    name: str
    first_responses_due: int
    logs_unacknowledged: int


def teacher_accountability(*, actor: Actor) -> list[TeacherRow]:
    """One row per teacher at the school: first responses due for review (overdue or within a week, as
    their To do page counts them) and session logs about their pupils they have not acknowledged."""
    today = timezone.localdate()
    due: dict[int, int] = {}
    if actor.can(Resource.FIRST_RESPONSE):
        responses = pupil_records_in_scope(actor, FirstResponse, Resource.FIRST_RESPONSE, Action.VIEW).filter(
            outcome="", review_on__lte=today + FIRST_RESPONSE_SOON, withdrawn_at__isnull=True
        )
        due = dict(
            responses.order_by()
            .values("accountable_teacher_id")
            .annotate(n=Count("pk"))
            .values_list("accountable_teacher_id", "n")
        )
    logs = dict(
        _unacknowledged(actor)
        .order_by()
        .values("placement__accountable_teacher_id")
        .annotate(n=Count("log_id", distinct=True))
        .values_list("placement__accountable_teacher_id", "n")
    )
    teachers = school_teachers(school_id=actor.school_id or 0).only("pk", "full_name")
    return [TeacherRow(t.full_name, due.get(t.pk, 0), logs.get(t.pk, 0)) for t in teachers]


# ---------------------------------------------------------------- progress gaps
@dataclass(frozen=True)
class GapRow:
    window: str
    subject: str
    sen_gap: float
    other_gap: float
    sen_n: int
    other_n: int

    @property
    def difference(self) -> float:
        """How far, in standard deviations, pupils on the register are behind the others on average."""
        return self.other_gap - self.sen_gap


@dataclass
class ProgressGaps:
    year_group: int | None
    year_choices: list[tuple[int, str]]
    windows: list[str]
    rows: list[GapRow] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    chart: str = ""  # SVG markup, marked safe by _gap_chart

    @property
    def year_label(self) -> str:
        return "all year groups" if self.year_group is None else year_group_label(self.year_group)


def progress_gaps(*, actor: Actor, year_group: int | None = None) -> ProgressGaps:
    """Per assessment window (oldest first) and subject, the mean gap to peers of pupils on the SEN register
    and of the rest, from the newest run; today's SEN status, as the progress summary counts it. A
    window needs both groups to give a gap. Two queries whatever the number of pupils."""
    runs = latest_runs(actor=actor)
    if _newest(runs) is None:
        return ProgressGaps(None, [], [])
    results: QuerySet[ProgressResult] = _results(actor, runs).exclude(gap__isnull=True)
    years = sorted(set(results.order_by().values_list("pupil__year_group", flat=True).distinct()))
    if year_group not in years:
        year_group = None
    if year_group is not None:
        results = results.filter(pupil__year_group=year_group)
    grouped = sen_gap_averages(
        results.annotate(provision=_current_provision()), by=("subject__name", "subject_id")
    )
    rows = [
        GapRow(
            window=r["window"],
            subject=r["subject__name"],
            sen_gap=r["sen_gap"],
            other_gap=r["other_gap"],
            sen_n=r["sen_n"],
            other_n=r["other_n"],
        )
        for r in grouped
        if r["sen_n"] and r["other_n"]
    ]
    gaps = ProgressGaps(
        year_group=year_group,
        year_choices=[(y, year_group_label(y)) for y in years],
        windows=list(dict.fromkeys(row.window for row in rows)),
        rows=rows,
    )
    by_subject: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        by_subject[row.subject][row.window] = row.difference
    gaps.sentences = [
        gap_sentence(subject_in_sentence(subject), list(points.items()))
        for subject, points in by_subject.items()
    ]
    if rows:
        gaps.chart = _gap_chart(gaps, by_subject)
    return gaps


def _gap_chart(gaps: ProgressGaps, by_subject: dict[str, dict[str, float]]) -> SafeString:
    markup = line_chart(
        chart_id="gap-chart",
        title=f"Gap between pupils on the SEN register and others, {gaps.year_label}",
        desc=" ".join(gaps.sentences),
        x_labels=gaps.windows,
        series=[
            Series(subject, tuple(points.get(window) for window in gaps.windows))
            for subject, points in by_subject.items()
        ],
        x_axis="Assessment",
        y_axis="Gap (standard deviations)",
        value_format=lambda value: f"{value:.1f}",
        include_zero=True,
        width=520,
    )
    # line_chart escapes every piece of text it is given, so its markup can go into the page as it is.
    return mark_safe(markup)  # noqa: S308
