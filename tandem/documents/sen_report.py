"""The SEN information report (Code 6.79-6.82; the Special Educational Needs and Disability Regulations
2014, Schedule 1): published on the school's website each year, so every count passes disclosure control.

Tandem's reference for the Code names Schedule 1 but does not list its items, so the sections here are the
parts Tandem holds figures for (the kinds of need provided for; how needs are identified and reviewed; how
the effectiveness of provision is evaluated; working with parents; pupils' views), and one section of
guidance for the rest, which asks the school to check the Regulations themselves. No paragraph numbers of
the Schedule are given: none is quoted in the reference.
"""

from __future__ import annotations

from tandem.documents.content import Section
from tandem.documents.drafting import Drafting
from tandem.documents.published import (
    HOW_IMPACT_IS_MEASURED,
    measured_impact,
    period_counts,
    period_line,
    register_by_need,
)


def needs_section(ctx: Drafting) -> Section:
    figures = register_by_need(ctx)
    return Section(
        title="The kinds of special educational needs the school provides for",
        lines=figures.lines,
        tables=(figures.table,),
        guidance="Describe the needs the school provides for in each broad area (communication and "
        "interaction; cognition and learning; social, emotional and mental health; sensory and/or physical), "
        "and any specialist provision or resourced base.",
    )


def identifying_section(ctx: Drafting) -> Section:
    counts = period_counts(ctx)
    return Section(
        title="How the school identifies and reviews pupils' needs",
        lines=(
            period_line(ctx),
            ("Concerns about a pupil raised by staff", ctx.count(counts.concerns)),
            (
                "First responses (targeted teaching by the class teacher) started",
                ctx.count(counts.first_responses),
            ),
            ("Support plans reviewed", ctx.count(counts.plans_reviewed)),
        ),
        guidance="How a concern is raised and what happens next; how the class teacher responds first with "
        "targeted teaching; how the school decides, with parents and the pupil, that a pupil needs SEN "
        "support; how often plans are reviewed (assess, plan, do, review).",
    )


def effectiveness_section(ctx: Drafting) -> Section:
    return Section(
        title="How the school evaluates the effectiveness of its provision",
        lines=(("How impact is measured", HOW_IMPACT_IS_MEASURED),),
        tables=(measured_impact(ctx),),
        empty="No intervention has measured results yet.",
        guidance="What the school has learnt from these results, which interventions it will keep, change "
        "or stop, and how plan reviews with parents and pupils judge each pupil's progress.",
    )


def parents_section(ctx: Drafting) -> Section:
    counts = period_counts(ctx)
    return Section(
        title="Working with parents and carers",
        lines=(
            period_line(ctx),
            ("Meetings with parents held", ctx.count(counts.meetings)),
            ("Requests for parents' views answered", ctx.count(counts.views_answered)),
        ),
        guidance="How parents are consulted and involved in their child's education: meetings (at least "
        "three a year for a pupil on SEN support), how to ask for one, and who to contact.",
    )


def pupils_section(ctx: Drafting) -> Section:
    counts = period_counts(ctx)
    return Section(
        title="Pupils' views and involvement",
        lines=(period_line(ctx), ('"About me" records of pupils\' own views', ctx.count(counts.about_me))),
        guidance="How pupils say what helps them and what they want, and how their views shape their "
        "support and its review.",
    )


def rest_section(ctx: Drafting) -> Section:
    return Section(
        title="Other information the report must give",
        empty="",
        guidance="Tandem's reference for the Code (6.79-6.82) names Schedule 1 of the Special Educational "
        "Needs and Disability Regulations 2014 but does not list its items: check the Regulations and the "
        "Code and cover each item not above in your own words (for example the SENCo's name and how to "
        "contact them, staff expertise and training, support when pupils move on, complaints, and where "
        "to find the local authority's local offer).",
    )
