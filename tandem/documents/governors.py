"""The governors' and trust board's termly SEND report: its sections, each drawn from the selector behind the
page that shows the same figures (the register summary, the progress summary and the home page's gaps,
the compliance page, the home page's cost tile and the provision map, each intervention's impact section).

Nothing here recounts what a page already counts: a governor who opens the page sees the report's number.
The one figure no page has is the register at the end of past terms, counted here from the dated SEN
status periods and needs; the column for a term still running is the register summary itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.template.defaultfilters import floatformat
from django.utils import timezone

from tandem.access.policy import Resource
from tandem.access.scopes import interventions_in_scope, running_on, schools_in_scope
from tandem.dashboards.selectors import progress_gaps, provision_cost_this_term
from tandem.documents.content import Section, Table
from tandem.documents.drafting import Drafting
from tandem.exchange.provision_map import format_money
from tandem.lib.terms import Term, day_in_words, terms_up_to
from tandem.people.models import Pupil
from tandem.plans.selectors import Compliance, compliance_view
from tandem.progress.selectors import progress_summary
from tandem.provision.impact import InterventionImpact, MeasureImpact, intervention_impact
from tandem.provision.provision_map import provision_map
from tandem.provision.selectors import staff_rates
from tandem.register.models import BroadArea, Provision, SenNeed, SenStatusPeriod
from tandem.register.selectors import ON_REGISTER, RegisterSummary, register_summary

TREND_TERMS = 3
NO_FIGURE = "—"
NO_PRIMARY_NEED = "No primary need recorded"  # as the register summary words it


def _percent(part: int, whole: int) -> str:
    return f"{floatformat(100.0 * part / whole if whole else 0.0, 1)}%"


def _decimal(value: float | None, places: int) -> str:
    return NO_FIGURE if value is None else str(floatformat(value, places))


# ---------------------------------------------------------------- the register
@dataclass(frozen=True)
class RegisterCounts:
    on_roll: int
    sen_support: int
    ehc_plan: int
    by_area: dict[str, int]  # broad area in words -> pupils on the register with that primary need

    @property
    def on_register(self) -> int:
        return self.sen_support + self.ehc_plan


def _counts_of(summary: RegisterSummary) -> RegisterCounts:
    return RegisterCounts(
        on_roll=summary.on_roll,
        sen_support=summary.sen_support,
        ehc_plan=summary.ehc_plan,
        by_area=dict(summary.by_area),
    )


def register_on(ctx: Drafting, day: dt.date) -> RegisterCounts:
    """The register as it stood on a past day, from the dated status periods and needs. Pupils who have
    left since count in the terms they were here. Tandem keeps no joining date, so a pupil who joined
    later counts as on roll before then (never as on the register: that has its own dates)."""
    schools = schools_in_scope(ctx.actor, Resource.REGISTER).filter(pk=ctx.school.pk)
    pupils = Pupil.objects.filter(school__in=schools).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
    periods = SenStatusPeriod.objects.filter(running_on(day), pupil__in=pupils, provision__in=ON_REGISTER)
    by_provision = dict(
        periods.order_by()
        .values("provision")
        .annotate(n=Count("pupil", distinct=True))
        .values_list("provision", "n")
    )
    registered = periods.values("pupil_id")
    areas = dict(
        SenNeed.objects.filter(running_on(day), rank=1, pupil_id__in=registered)
        .order_by()
        .values("need_type__broad_area")
        .annotate(n=Count("pupil", distinct=True))
        .values_list("need_type__broad_area", "n")
    )
    labels = dict(BroadArea.choices)
    by_area = {labels.get(area, area): n for area, n in areas.items()}
    counts = RegisterCounts(
        on_roll=pupils.count(),
        sen_support=by_provision.get(Provision.SEN_SUPPORT.value, 0),
        ehc_plan=by_provision.get(Provision.EHC_PLAN.value, 0),
        by_area=by_area,
    )
    without = counts.on_register - sum(by_area.values())
    if without > 0:
        by_area[NO_PRIMARY_NEED] = without
    return counts


def _register_by_term(ctx: Drafting, now: RegisterSummary) -> list[tuple[Term, dt.date, RegisterCounts]]:
    """The register at the end of each of the last three terms, oldest first; for a term still running,
    today's register (as the register summary counts it)."""
    found = []
    for term in terms_up_to(ctx.period_end, TREND_TERMS):
        day = min(term.ends_on, ctx.today)
        found.append((term, day, _counts_of(now) if day >= ctx.today else register_on(ctx, day)))
    return found


def register_section(ctx: Drafting) -> Section:
    now = register_summary(actor=ctx.actor)
    by_term = _register_by_term(ctx, now)
    _, as_at, latest = by_term[-1]
    on_roll = latest.on_roll
    lines = [
        ("As at", day_in_words(as_at)),
        ("Pupils on roll", ctx.count(on_roll)),
        ("On the SEN register", f"{ctx.count(latest.on_register)} ({_percent(latest.on_register, on_roll)})"),
        ("SEN support", f"{ctx.count(latest.sen_support)} ({_percent(latest.sen_support, on_roll)})"),
        ("EHC plans", f"{ctx.count(latest.ehc_plan)} ({_percent(latest.ehc_plan, on_roll)})"),
    ]
    tables = []
    if as_at >= ctx.today:
        # The register summary's own table, need by need, as the register page shows it today.
        counts = ctx.counts([n for _, n in now.by_need])
        tables.append(
            Table(
                "Pupils on the register by primary need",
                ("Type of need", "Broad area", "Pupils"),
                tuple(
                    (f"{need.name} ({need.code})", str(need.get_broad_area_display()), shown)
                    for (need, _), shown in zip(now.by_need, counts, strict=True)
                ),
            )
        )
    terms = [f"{term.label} (to {day_in_words(day)})" for term, day, _ in by_term]
    size_rows = ctx.count_rows([[c.on_roll, c.sen_support, c.ehc_plan, c.on_register] for _, _, c in by_term])
    tables.append(
        Table(
            f"The register at the end of each of the last {TREND_TERMS} terms",
            ("Term", "On roll", "SEN support", "EHC plans", "On the register", "Share of roll"),
            tuple(
                (label, *row, _percent(c.on_register, c.on_roll))
                for label, row, (_, _, c) in zip(terms, size_rows, by_term, strict=True)
            ),
        )
    )
    areas = [label for _, label in BroadArea.choices] + [NO_PRIMARY_NEED]
    present = [a for a in areas if any(c.by_area.get(a) for _, _, c in by_term)]
    area_rows = ctx.count_rows([[c.by_area.get(area, 0) for _, _, c in by_term] for area in present])
    tables.append(
        Table(
            "Need mix: pupils on the register by broad area of their primary need, term by term",
            ("Broad area", *terms),
            tuple((area, *row) for area, row in zip(present, area_rows, strict=True)),
        )
    )
    return Section(
        title="The SEN register: its size and mix of needs",
        lines=tuple(lines),
        tables=tuple(tables),
        guidance="What has changed since last term and why: pupils added to or taken off the register, "
        "new EHC plans, needs identified more precisely.",
    )


# ---------------------------------------------------------------- progress gaps
def progress_section(ctx: Drafting) -> Section:
    summary = progress_summary(actor=ctx.actor)
    if summary.run is None:
        return Section(
            title="Progress: pupils on the SEN register and other pupils",
            lines=(("Analysis", "No analysis of assessments has been run yet."),),
            guidance="How pupils with SEND are progressing compared with their peers.",
        )
    rows = tuple(
        (
            row.window,
            f"{_decimal(row.sen_gap, 2)} ({ctx.count(row.sen_n)})" if row.sen_gap is not None else NO_FIGURE,
            f"{_decimal(row.other_gap, 2)} ({ctx.count(row.other_n)})"
            if row.other_gap is not None
            else NO_FIGURE,
            _decimal(row.difference, 2),
        )
        for row in summary.gaps
    )
    status_rows = tuple(
        (row.label, *ctx.counts([row.results, row.flagged]), f"{floatformat(row.percent, 1)}%")
        for row in summary.by_status
    )
    lines = [("Analysed on", day_in_words(timezone.localtime(summary.run.finished_at).date()))]
    lines += [("By subject", sentence) for sentence in progress_gaps(actor=ctx.actor).sentences]
    return Section(
        title="Progress: pupils on the SEN register and other pupils",
        lines=tuple(lines),
        tables=(
            Table(
                "Average gap to peers in standard deviations (pupils counted in brackets), each assessment",
                ("Assessment", "SEN support or EHC plan", "Other pupils", "Difference"),
                rows,
            ),
            Table(
                "Less than expected progress (Code 6.17) in the latest assessment, by SEN status",
                ("SEN status", "Pupil-subject results", "Less than expected progress", "Share"),
                status_rows,
            ),
        ),
        guidance="Whether the gap is closing, in which subjects, and what the school is doing where it "
        "is not. A gap can narrow because other pupils fell back: both groups are shown.",
    )


# ---------------------------------------------------------------- compliance
# The compliance page's rows, in its order and words (tandem/templates/plans/compliance.html).
COMPLIANCE_ROWS: tuple[tuple[str, Callable[[Compliance], int]], ...] = (
    ("Concerns waiting for a next step", lambda c: c.open_concerns),
    ("First responses in progress", lambda c: c.open_first_responses),
    ("First responses overdue for review", lambda c: len(c.first_responses_overdue)),
    ("Pupils referred to the SENCo, awaiting a decision", lambda c: len(c.referred_awaiting_decision)),
    ("Pupils on SEN support", lambda c: c.sen_support),
    ("On SEN support with no current plan (so no review date)", lambda c: len(c.without_plan)),
    ("Open support plans", lambda c: c.open_plans),
    ("Plan reviews overdue", lambda c: len(c.reviews_overdue)),
    ("Plan reviews held this year", lambda c: c.reviews_this_year),
    ("Open targets with no progress recorded in 6 weeks", lambda c: c.targets_without_recent_progress),
    ("Meetings with parents this year", lambda c: c.meetings_this_year),
    (
        "On SEN support with fewer meetings with parents than terms ended so far (Code 6.65: three a year)",
        lambda c: len(c.meetings_behind),
    ),
    ("On SEN support with no meeting with parents yet this term", lambda c: len(c.no_meeting_this_term)),
    ("Meetings with parents due in 3 weeks or overdue", lambda c: len(c.meetings_due)),
    ("On the register with no ranked need", lambda c: len(c.without_ranked_need)),
    ('On SEN support with primary need "not specified or assessed" (NSA)', lambda c: c.nsa_count),
    ("EHC plans maintained", lambda c: c.ehc.open_plans),
    ("EHC annual reviews due in 3 weeks", lambda c: len(c.ehc.reviews_due_soon)),
    (
        "EHC annual reviews overdue (more than 12 months since the plan was issued or last reviewed)",
        lambda c: len(c.ehc.reviews_overdue),
    ),
    ("EHC review papers not circulated two weeks before a booked meeting", lambda c: len(c.ehc.papers_late)),
    (
        "EHC review reports not sent to the local authority two weeks after the meeting",
        lambda c: len(c.ehc.reports_late),
    ),
    ("Open records needing a new accountable teacher", lambda c: len(c.needing_owner)),
)


def compliance_section(ctx: Drafting) -> Section:
    c = compliance_view(actor=ctx.actor)
    counts = ctx.counts([value(c) for _, value in COMPLIANCE_ROWS])
    return Section(
        title="Compliance with the SEND Code of Practice",
        lines=(("As at", day_in_words(c.today)), ("School year", c.year_label)),
        tables=(
            Table(
                "The graduated approach at a glance, as the compliance page counts it",
                ("Measure", "Number"),
                tuple((label, shown) for (label, _), shown in zip(COMPLIANCE_ROWS, counts, strict=True)),
            ),
        ),
        guidance="What is overdue and why, and what has been done about it: reviews, meetings with "
        "parents, EHC annual reviews.",
    )


# ---------------------------------------------------------------- provision and impact
def provision_section(ctx: Drafting) -> Section:
    term = provision_cost_this_term(actor=ctx.actor)
    pm, missing_rates = provision_map(actor=ctx.actor)
    lines = [
        (f"Cost of provision this term (since {day_in_words(term.since)})", format_money(term.total)),
        ("Placements running this term", ctx.count(term.placements)),
        (f"Cost of provision in the school year {pm.academic_year}", format_money(pm.total_cost)),
        ("Pupils with additional or different provision this year", ctx.count(pm.pupils)),
        ("Cost per pupil this year", format_money(pm.cost_per_pupil)),
    ]
    if term.without_rate:
        lines.append(
            ("Placements this term with no staff rate set (not costed)", ctx.count(term.without_rate))
        )
    if missing_rates:
        lines.append(("Staff types with no hourly rate set", ", ".join(missing_rates)))

    def totals(key: str, heading: str, caption: str) -> Table:
        found = pm.totals_by(key)
        pupils = ctx.counts([n for _, n, _ in found])
        return Table(
            caption,
            (heading, "Pupils", "Cost"),
            tuple(
                (value, shown, format_money(cost))
                for (value, _, cost), shown in zip(found, pupils, strict=True)
            ),
        )

    return Section(
        title="Provision and its cost",
        lines=tuple(lines),
        tables=(
            totals("layer", "Layer", "This year's provision by layer of support"),
            totals("area", "Area of need", "This year's provision by area of need"),
        ),
        guidance="Where the SEN budget goes, what has changed, and whether it is good value.",
    )


def _effect(m: MeasureImpact) -> str:
    if m.effect is not None and m.effect.g is not None:
        ci = ""
        if m.effect.ci_low is not None and m.effect.ci_high is not None:
            ci = f" (95% CI {_decimal(m.effect.ci_low, 2)} to {_decimal(m.effect.ci_high, 2)})"
        return f"{_decimal(m.effect.g, 2)}{ci}"
    if m.ratio is not None and m.ratio.ratio is not None:
        return f"Ratio gain {_decimal(m.ratio.ratio, 1)} ({m.ratio.band})"
    return NO_FIGURE


def _months(m: MeasureImpact) -> str:
    if m.effect is not None and m.effect.months is not None:
        return str(m.effect.months)
    if m.ratio is not None and m.ratio.months_gained is not None:
        return f"{_decimal(m.ratio.months_gained, 1)} in {_decimal(m.ratio.months_elapsed, 1)} months"
    return NO_FIGURE


def _dosage(impact: InterventionImpact) -> str:
    d = impact.dosage
    share = f" ({floatformat(d.percent_of_plan, 0)}%)" if d.percent_of_plan is not None else ""
    return f"{d.delivered_sessions} of {d.planned_sessions}{share}"


def _attendance(impact: InterventionImpact) -> str:
    rate = impact.dosage.attendance_rate
    return NO_FIGURE if rate is None else f"{round(rate * 100)}%"


def impact_section(ctx: Drafting) -> Section:
    rates = staff_rates(school_id=ctx.school.pk)
    found = []
    for intervention in interventions_in_scope(ctx.actor).filter(school=ctx.school).order_by("name"):
        impact = intervention_impact(actor=ctx.actor, intervention=intervention, on=ctx.today, rates=rates)
        if impact.placements:
            found.append((intervention.name, impact))
    dosage_rows = tuple(
        (
            name,
            *ctx.counts([impact.placements, impact.finished]),
            _dosage(impact),
            _attendance(impact),
            f"£{impact.cost_per_pupil}" if impact.cost_per_pupil is not None else "No staff rate set",
        )
        for name, impact in found
    )
    measured = tuple(
        (name, m.title, ctx.count(m.pupils), m.verdict, _effect(m), _months(m))
        for name, impact in found
        for m in impact.measures
    )
    return Section(
        title="Interventions: dosage, cost and measured impact",
        lines=(
            (
                "How impact is measured",
                "Standardised scores: an effect size (Hedges' g, adjusted for the entry score) against "
                "similar pupils at the school who did not have the intervention, with EEF months' progress. "
                "Reading and spelling ages: the ratio gain. Fewer than 5 pupils: too small to say.",
            ),
        ),
        tables=(
            Table(
                "Each intervention with pupils placed: dosage and the cost of a place",
                (
                    "Intervention",
                    "Pupil places",
                    "Finished",
                    "Sessions delivered",
                    "Attendance",
                    "Cost of a place",
                ),
                dosage_rows,
            ),
            Table(
                "Measured impact, from each intervention's page",
                ("Intervention", "Measure", "Pupils", "Verdict", "Effect size", "Months' progress"),
                measured,
            ),
        ),
        empty="No pupils have been placed in an intervention yet.",
        guidance="Which interventions are working and which will change; whether pupils got the sessions "
        "they were meant to.",
    )


def commentary_section(ctx: Drafting) -> Section:
    return Section(
        title="Commentary and next steps",
        empty="",
        guidance="The SENCo's and head's summary for governors and the trust board: what went well this "
        "term, what concerns you, what you will do next and what you need from governors.",
    )
