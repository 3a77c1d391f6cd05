"""The school's inclusion strategy: published on its website (first by 31 December 2026) and reviewed each
year. Every count passes disclosure control; money is the provision map's own summary, so the strategy's
cost by funding source and layer is the map's, penny for penny.
"""

from __future__ import annotations

from collections import Counter

from tandem.documents.content import Section, Table
from tandem.documents.drafting import Drafting
from tandem.documents.governors import TREND_TERMS, _register_by_term
from tandem.documents.published import (
    HOW_IMPACT_IS_MEASURED,
    measured_impact,
    period_counts,
    period_line,
    register_by_need,
)
from tandem.exchange.provision_map import NOT_RECORDED, format_money
from tandem.lib.terms import day_in_words
from tandem.plans.selectors import compliance_queries
from tandem.provision.models import Layer
from tandem.provision.provision_map import provision_map
from tandem.register.selectors import register_summary

FUNDING_CAPTION = "Cost of this school year's provision by funding source and layer (the provision map's)"
PLANS_BY_LAYER_CAPTION = "Open support plans by layer of support"
PROVISION_BY_LAYER_CAPTION = "Pupils with additional or different provision this school year, by layer"
TREND_CAPTION = f"The register at the end of each of the last {TREND_TERMS} terms"


def needs_profile_section(ctx: Drafting) -> Section:
    summary = register_summary(actor=ctx.actor)
    figures = register_by_need(ctx, summary)
    by_term = _register_by_term(ctx, summary)
    terms = [f"{term.label} (to {day_in_words(day)})" for term, day, _ in by_term]
    # Only the register's size, each count on its own: a term's split into SEN support and EHC plans
    # beside the lines above would let a reader work a hidden count out from the other table.
    trend = [(ctx.count(c.on_roll), ctx.count(c.on_register)) for _, _, c in by_term]
    open_plans = compliance_queries(actor=ctx.actor).plans.filter(reviewed_on__isnull=True)
    plan_layers = Counter(open_plans.values_list("layer", flat=True))
    # No total of open plans is published, so each layer's count is hidden on its own terms.
    plans = ctx.counts([plan_layers.get(layer.value, 0) for layer in Layer])
    pm, _ = provision_map(actor=ctx.actor)
    placed = pm.totals_by("layer")
    # A pupil may have provision in more than one layer, so the layers can add up to more than the pupils
    # the next section shows; when they do not, that figure is their total.
    # So a small count is hidden with a complement as if the layers added up to the pupils shown.
    pupils = [n for _, n, _ in placed]
    placed_shown = ctx.counts(pupils, total=max(pm.pupils, sum(pupils)))
    return Section(
        title="Our pupils' needs",
        lines=figures.lines,
        tables=(
            figures.table,
            Table(
                TREND_CAPTION,
                ("Term", "Pupils on roll", "On the register"),
                tuple((label, *row) for label, row in zip(terms, trend, strict=True)),
            ),
            Table(
                PLANS_BY_LAYER_CAPTION,
                ("Layer", "Plans"),
                tuple((layer.label, shown) for layer, shown in zip(Layer, plans, strict=True)),
            ),
            Table(
                PROVISION_BY_LAYER_CAPTION,
                ("Layer", "Pupils"),
                tuple((layer, shown) for (layer, _, _), shown in zip(placed, placed_shown, strict=True)),
            ),
        ),
        guidance="What the needs profile tells the school: which needs are growing, where pupils are "
        "supported (universal, targeted, targeted plus, specialist), and what the strategy must answer.",
    )


def universal_section(ctx: Drafting) -> Section:
    return Section(
        title="The universal offer: inclusive teaching for every pupil",
        empty="",
        guidance="What every classroom does for every pupil: high-quality teaching adapted to need, the "
        "environment, staff training, and how teachers spot a pupil who is falling behind.",
    )


def provision_section(ctx: Drafting) -> Section:
    pm, missing_rates = provision_map(actor=ctx.actor)
    summary = pm.cost_by_funding_and_layer()
    rows = tuple(
        (source or NOT_RECORDED, *(format_money(cost) for cost in costs), format_money(total))
        for source, costs, total in summary.rows
    )
    if rows:
        rows += (
            ("Total", *(format_money(cost) for cost in summary.layer_totals), format_money(summary.total)),
        )
    lines = [
        (f"Cost of provision in the school year {pm.academic_year}", format_money(pm.total_cost)),
        ("Pupils with additional or different provision", ctx.count(pm.pupils)),
    ]
    if missing_rates:
        lines.append(
            ("Staff roles with no hourly rate set (their provision is not costed)", ", ".join(missing_rates))
        )
    return Section(
        title="Targeted and specialist provision, and what it costs",
        lines=tuple(lines),
        tables=(Table(FUNDING_CAPTION, ("Funding source", *summary.layers, "Total"), rows),),
        empty="No provision recorded this school year.",
        guidance="The targeted and specialist provision the school runs, who delivers it, and how the "
        "school decides where its SEN budget goes.",
    )


def impact_section(ctx: Drafting) -> Section:
    return Section(
        title="Intended and measured impact",
        lines=(("How impact is measured", HOW_IMPACT_IS_MEASURED),),
        tables=(measured_impact(ctx),),
        empty="No intervention has measured results yet.",
        guidance="What the school intends each part of the strategy to achieve (the outcomes and how it "
        "will know), and what the results so far say.",
    )


def involvement_section(ctx: Drafting) -> Section:
    counts = period_counts(ctx)
    return Section(
        title="How parents and pupils are involved",
        lines=(
            period_line(ctx),
            ("Meetings with parents held", ctx.count(counts.meetings)),
            ("Requests for parents' views answered", ctx.count(counts.views_answered)),
            ('"About me" records of pupils\' own views', ctx.count(counts.about_me)),
        ),
        guidance="How parents and pupils helped shape this strategy, and how they take part in planning "
        "and reviewing support.",
    )


def monitoring_section(ctx: Drafting) -> Section:
    return Section(
        title="How the strategy will be monitored and reviewed",
        empty="",
        guidance="Who checks progress against the strategy, how often, what they look at, and when it is "
        "next reviewed (each year; first published on the website by 31 December 2026).",
    )
