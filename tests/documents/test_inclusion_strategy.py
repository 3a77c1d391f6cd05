"""The inclusion strategy: every section in the page, the PDF and the Word document, its cost by funding
source and layer the provision map's to the penny, its register the register summary, and a need or layer
held by fewer than 5 pupils hidden in every output."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from tandem.access.actor import actor_for
from tandem.documents.content import INTERNAL_WARNING, sections_from_json
from tandem.documents.inclusion import FUNDING_CAPTION, PLANS_BY_LAYER_CAPTION, PROVISION_BY_LAYER_CAPTION
from tandem.documents.kinds import INCLUSION_STRATEGY
from tandem.documents.published import NEEDS_CAPTION
from tandem.exchange.provision_map import format_money
from tandem.lib.disclosure import HIDDEN, HIDDEN_MEANS
from tandem.plans.models import SupportPlan
from tandem.provision.provision_map import provision_map
from tandem.register.selectors import register_summary
from tests.documents.published_school import SMALL_NEED, build, draft
from tests.documents.reading import page_tables, pdf_pages, word

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategy(world: Any, settings: Any) -> Any:
    settings.TANDEM_DISCLOSURE_THRESHOLD = 5
    build(world)
    return draft(world.a.head, INCLUSION_STRATEGY.key)


def _outputs(client: Any, world: Any, version: Any) -> tuple[str, str, Any]:
    client.force_login(world.a.head)
    page = client.get(reverse("document_version", args=[version.pk])).content.decode()
    pdf = " ".join(pdf_pages(client.get(reverse("document_version_pdf", args=[version.pk])).content))
    docx = word(client.get(reverse("document_version_docx", args=[version.pk])).content)
    return page, pdf, docx


def _sections(version: Any) -> dict[str, Any]:
    return {s.key: s.section for s in sections_from_json(version.sections)}


def _table(section: Any, caption: str) -> Any:
    return next(t for t in section.tables if t.caption == caption)


def test_it_holds_every_section_in_the_page_the_pdf_and_the_word_document(client, world, strategy):
    page, pdf, docx = _outputs(client, world, strategy)
    sections = _sections(strategy)
    assert list(sections) == [
        "needs_profile",
        "universal",
        "provision",
        "impact",
        "involvement",
        "monitoring",
    ]
    titles = [s.title for s in sections.values()]
    assert [p.text for p in docx.paragraphs if p.style.name == "Heading 1"] == titles
    for key, section in sections.items():
        assert f'<h2 id="{key}-heading">{escape(section.title)}</h2>' in page
        assert section.title in pdf
        for table in section.tables:
            assert escape(table.caption) in page and table.caption in pdf
    assert INTERNAL_WARNING not in page and INTERNAL_WARNING not in pdf
    means = HIDDEN_MEANS.format(threshold=5)
    assert page.count(escape(means)) == 1 and pdf.count(means) == 1
    assert [p.text for p in docx.paragraphs].count(means) == 1


def test_it_gives_the_provision_maps_cost_by_funding_source_and_layer(client, world, strategy):
    pm, _ = provision_map(actor=actor_for(world.a.head))
    summary = pm.cost_by_funding_and_layer()
    table = _table(_sections(strategy)["provision"], FUNDING_CAPTION)
    assert table.headers == ("Funding source", *summary.layers, "Total")
    assert table.rows[-1] == (
        "Total",
        *(format_money(c) for c in summary.layer_totals),
        format_money(summary.total),
    )
    assert summary.total == pm.total_cost > 0
    assert [row[0] for row in table.rows[:-1]] == ["High-needs top-up funding", "Pupil premium"]
    # The provision map's page shows the same table in pounds: cell for cell, the same money.
    client.force_login(world.a.head)
    on_page = page_tables(client.get(reverse("provision_map")).content.decode()).tables[
        "Cost by funding source and layer (£)"
    ]

    def pounds(cell: str) -> Decimal:
        return Decimal(cell.replace("£", "").replace(",", ""))

    assert [[row[0], *map(pounds, row[1:])] for row in on_page[1:]] == [
        [row[0], *map(pounds, row[1:])] for row in table.rows
    ]
    lines = dict(_sections(strategy)["provision"].lines)
    assert lines[f"Cost of provision in the school year {pm.academic_year}"] == format_money(pm.total_cost)
    assert lines["Pupils with additional or different provision"] == str(pm.pupils)


def test_it_gives_the_register_by_need_and_by_layer(world, strategy):
    actor = actor_for(world.a.head)
    summary = register_summary(actor=actor)
    profile = _sections(strategy)["needs_profile"]
    assert dict(profile.lines)["Pupils on the SEN register"] == str(summary.on_register)
    by_need = {row[0]: row[2] for row in _table(profile, NEEDS_CAPTION).rows}
    counts = {f"{need.name} ({need.code})": n for need, n in summary.by_need}
    assert {k: v for k, v in by_need.items() if v != HIDDEN} == {
        k: str(n) for k, n in counts.items() if by_need.get(k) != HIDDEN
    }
    plans = Counter(
        SupportPlan.objects.filter(
            school=world.a.school, reviewed_on__isnull=True, withdrawn_at__isnull=True
        ).values_list("layer", flat=True)
    )
    by_layer = dict(_table(profile, PLANS_BY_LAYER_CAPTION).rows)
    assert by_layer["Specialist"] == str(plans["specialist"]) == "7"
    assert by_layer["Targeted plus"] == HIDDEN  # three plans
    # Two pupils have specialist provision, eight targeted; the provision section shows the 10 pupils, so
    # the 8 is hidden too or it would give the 2 back.
    assert dict(_table(profile, PROVISION_BY_LAYER_CAPTION).rows) == {
        "Targeted": HIDDEN,
        "Specialist": HIDDEN,
    }
    trend = profile.tables[1]
    assert len(trend.rows) == 3
    assert trend.rows[-1][1:] == (f"{summary.on_roll:,}", str(summary.on_register))


def test_it_hides_a_need_held_by_two_pupils_in_every_output(client, world, strategy):
    needs = _table(_sections(strategy)["needs_profile"], NEEDS_CAPTION)
    assert dict((row[0], row[2]) for row in needs.rows)[SMALL_NEED] == HIDDEN
    assert sum(row[2] == HIDDEN for row in needs.rows) >= 2  # the total cannot give it back
    page, pdf, docx = _outputs(client, world, strategy)
    assert [SMALL_NEED, "Sensory and/or physical", HIDDEN] in page_tables(page).tables[NEEDS_CAPTION]
    assert f"{SMALL_NEED} Sensory and/or physical {HIDDEN}" in pdf
    cells = [[c.text for c in r.cells] for t in docx.tables for r in t.rows]
    assert [SMALL_NEED, "Sensory and/or physical", HIDDEN] in cells
    assert [SMALL_NEED, "Sensory and/or physical", "2"] not in cells


def test_it_counts_parents_and_pupils_involvement_in_the_period(world, strategy):
    lines = dict(_sections(strategy)["involvement"].lines)
    assert lines["Meetings with parents held"] == "6"
    assert lines["Requests for parents' views answered"] == "5"
    assert lines['"About me" records of pupils\' own views'] == "6"
