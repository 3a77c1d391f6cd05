"""Figures the documents for the school's website share (the SEN information report and the inclusion
strategy): pupils by need, what happened in the period (concerns, first responses, reviews, meetings with
parents, views asked for and given), and the measured impact of interventions.

Each is read through the selector or scope the page showing it uses, so a figure here is the figure there,
and every count is written through `ctx`, so a count of 1 to 4 reads "hidden" and so does what would give
it back. Nothing here prints a share of a hidden count (a percentage would undo the hiding).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from tandem.access.policy import Action, Resource
from tandem.access.scopes import interventions_in_scope, pupil_records_in_scope
from tandem.documents.content import Table
from tandem.documents.drafting import Drafting
from tandem.documents.governors import NO_PRIMARY_NEED, _effect, _months
from tandem.lib.terms import day_in_words
from tandem.parents.models import ParentViews, ViewsRequest
from tandem.plans.models import ParentMeeting
from tandem.plans.selectors import compliance_queries
from tandem.provision.impact import intervention_impact
from tandem.provision.selectors import staff_rates
from tandem.pupil_voice.models import AboutMe
from tandem.register.models import Concern
from tandem.register.selectors import RegisterSummary, register_summary

NEEDS_CAPTION = "Pupils on the SEN register by their primary need"
IMPACT_CAPTION = "Measured impact of each intervention, from its page"


# ---------------------------------------------------------------- the register by need
@dataclass(frozen=True)
class NeedFigures:
    lines: tuple[tuple[str, str], ...]
    table: Table


def register_by_need(ctx: Drafting, summary: RegisterSummary | None = None) -> NeedFigures:
    """The register summary's counts: on the register, SEN support and EHC plans, and pupils by primary
    need with a row for those whose need is not recorded, so the table adds up to the register (the total
    shown), and a small count cannot be had back from it."""
    summary = summary or register_summary(actor=ctx.actor)
    by_need = list(summary.by_need)
    without = summary.on_register - sum(n for _, n in by_need)
    counted = [n for _, n in by_need] + ([without] if without > 0 else [])
    shown = ctx.counts(counted, total=summary.on_register)
    rows = [
        (f"{need.name} ({need.code})", str(need.get_broad_area_display()), cell)
        for (need, _), cell in zip(by_need, shown, strict=False)
    ]
    if without > 0:
        rows.append((NO_PRIMARY_NEED, "", shown[-1]))
    support, ehc = ctx.counts([summary.sen_support, summary.ehc_plan], total=summary.on_register)
    return NeedFigures(
        lines=(
            ("As at", day_in_words(ctx.today)),
            ("Pupils on the SEN register", ctx.count(summary.on_register)),
            ("On SEN support", support),
            ("With an education, health and care (EHC) plan", ehc),
        ),
        table=Table(NEEDS_CAPTION, ("Type of need", "Broad area", "Pupils"), tuple(rows)),
    )


# ---------------------------------------------------------------- what happened in the period
def _between(ctx: Drafting, rows: QuerySet[Any], field: str) -> int:
    return rows.filter(**{f"{field}__gte": ctx.period_start, f"{field}__lte": ctx.period_end}).count()


@dataclass(frozen=True)
class PeriodCounts:
    concerns: int  # concerns raised about a pupil
    first_responses: int  # first responses (targeted teaching) started
    plans_reviewed: int  # support plans reviewed
    meetings: int  # meetings with parents held
    views_answered: int  # requests for parents' views answered
    about_me: int  # "about me" records: pupils' own views


def period_counts(ctx: Drafting) -> PeriodCounts:
    """Counted from the records the compliance page counts (not withdrawn), dated in the period."""
    q = compliance_queries(actor=ctx.actor)
    concerns = pupil_records_in_scope(ctx.actor, Concern, Resource.CONCERN, Action.VIEW).filter(
        withdrawn_at__isnull=True
    )
    meetings = pupil_records_in_scope(ctx.actor, ParentMeeting, Resource.PARENT_MEETING, Action.VIEW).filter(
        withdrawn_at__isnull=True
    )
    about_me = pupil_records_in_scope(ctx.actor, AboutMe, Resource.PUPIL_VIEWS, Action.VIEW).filter(
        withdrawn_at__isnull=True
    )
    answered = ParentViews.objects.filter(
        request_id=OuterRef("pk"),
        given_at__date__gte=ctx.period_start,
        given_at__date__lte=ctx.period_end,
    )
    views = pupil_records_in_scope(ctx.actor, ViewsRequest, Resource.PARENT_ACCESS, Action.VIEW)
    return PeriodCounts(
        concerns=_between(ctx, concerns, "raised_on"),
        first_responses=_between(ctx, q.responses, "starts_on"),
        plans_reviewed=_between(ctx, q.plans, "reviewed_on"),
        meetings=_between(ctx, meetings, "held_on"),
        views_answered=views.filter(Exists(answered)).count(),
        about_me=_between(ctx, about_me, "recorded_on"),
    )


def period_line(ctx: Drafting) -> tuple[str, str]:
    return ("Counted from", f"{day_in_words(ctx.period_start)} to {day_in_words(ctx.period_end)}")


# ---------------------------------------------------------------- measured impact
HOW_IMPACT_IS_MEASURED = (
    "Pupils' scores are recorded when an intervention starts and when it ends. Standardised scores give an "
    "effect size (Hedges' g, adjusted for the starting score) against similar pupils at the school who did "
    "not have the intervention, with the Education Endowment Foundation's months of progress; reading and "
    "spelling ages give a ratio gain. With fewer than 5 pupils the result is too small to say."
)


def measured_impact(ctx: Drafting, *, on: dt.date | None = None) -> Table:
    """Each intervention with pupils placed, each kind of measure: the verdict and effect its page gives."""
    rates = staff_rates(school_id=ctx.school.pk)
    rows = []
    for intervention in interventions_in_scope(ctx.actor).filter(school=ctx.school).order_by("name"):
        impact = intervention_impact(
            actor=ctx.actor, intervention=intervention, on=on or ctx.today, rates=rates
        )
        if not impact.placements:
            continue
        for m in impact.measures:
            rows.append(
                (
                    intervention.name,
                    str(intervention.get_layer_display()),
                    m.title,
                    ctx.count(m.pupils),
                    m.verdict,
                    _effect(m),
                    _months(m),
                )
            )
    return Table(
        IMPACT_CAPTION,
        ("Intervention", "Layer", "Measure", "Pupils measured", "Verdict", "Effect size", "Months' progress"),
        tuple(rows),
    )
