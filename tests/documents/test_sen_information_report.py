"""The SEN information report: every section in the page, the PDF and the Word document, its figures those
of the pages they come from, and a need held by two pupils hidden in every output, with what "hidden" means
said once near the top of each."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from tandem.access.actor import actor_for
from tandem.documents.content import INTERNAL_WARNING, sections_from_json
from tandem.documents.kinds import SEN_INFORMATION_REPORT
from tandem.documents.published import IMPACT_CAPTION, NEEDS_CAPTION
from tandem.lib.disclosure import HIDDEN, HIDDEN_MEANS
from tandem.plans.selectors import compliance_view
from tandem.provision.impact import intervention_impact
from tandem.provision.models import Intervention
from tandem.register.selectors import register_summary
from tests.documents.published_school import SMALL_NEED, build, draft
from tests.documents.reading import page_tables, pdf_pages, word

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world: Any, settings: Any) -> Any:
    settings.TANDEM_DISCLOSURE_THRESHOLD = 5
    build(world)
    return draft(world.a.head, SEN_INFORMATION_REPORT.key)


def _outputs(client: Any, world: Any, version: Any) -> tuple[str, str, Any]:
    client.force_login(world.a.head)
    page = client.get(reverse("document_version", args=[version.pk])).content.decode()
    pdf = " ".join(pdf_pages(client.get(reverse("document_version_pdf", args=[version.pk])).content))
    docx = word(client.get(reverse("document_version_docx", args=[version.pk])).content)
    return page, pdf, docx


def _sections(version: Any) -> dict[str, Any]:
    return {s.key: s.section for s in sections_from_json(version.sections)}


def test_it_holds_every_section_in_the_page_the_pdf_and_the_word_document(client, world, report):
    page, pdf, docx = _outputs(client, world, report)
    titles = [s.title for s in _sections(report).values()]
    assert len(titles) == len(SEN_INFORMATION_REPORT.sections) == 6
    assert [p.text for p in docx.paragraphs if p.style.name == "Heading 1"] == titles
    for key, section in _sections(report).items():
        assert f'<h2 id="{key}-heading">{escape(section.title)}</h2>' in page
        assert section.title in pdf
        for table in section.tables:
            assert escape(table.caption) in page and table.caption in pdf
    assert "Schedule 1" in _sections(report)["other"].guidance
    # Published: no internal warning anywhere.
    assert INTERNAL_WARNING not in page and INTERNAL_WARNING not in pdf
    assert docx.sections[0].header.paragraphs[0].text == ""


def test_it_says_once_near_the_top_of_each_output_what_hidden_means(client, world, report):
    means = HIDDEN_MEANS.format(threshold=5)
    page, pdf, docx = _outputs(client, world, report)
    assert page.count(escape(means)) == 1
    assert page.index(escape(means)) < page.index('id="needs-heading"')
    assert pdf.count(means) == 1
    assert pdf.index(means) < pdf.index(_sections(report)["needs"].title)
    texts = [p.text for p in docx.paragraphs]
    assert texts.count(means) == 1
    first_heading = next(i for i, p in enumerate(docx.paragraphs) if p.style.name == "Heading 1")
    assert texts.index(means) < first_heading


def test_it_hides_a_need_held_by_two_pupils_in_every_output_and_in_the_totals(client, world, report):
    needs = _sections(report)["needs"]
    [table] = needs.tables
    rows = {row[0]: row[2] for row in table.rows}
    assert rows[SMALL_NEED] == HIDDEN
    # With the register's total shown, a second count is hidden, so the total less the rest leaves two
    # unknowns, never the small one.
    assert sum(cell == HIDDEN for cell in rows.values()) >= 2
    assert dict(needs.lines)["Pupils on the SEN register"] != HIDDEN
    page, pdf, docx = _outputs(client, world, report)
    on_page = page_tables(page).tables[NEEDS_CAPTION]
    assert [SMALL_NEED, "Sensory and/or physical", HIDDEN] in on_page
    assert f"{SMALL_NEED} Sensory and/or physical {HIDDEN}" in pdf
    [word_table] = [t for t in docx.tables if t.rows[0].cells[0].text == "Type of need"]
    assert [SMALL_NEED, "Sensory and/or physical", HIDDEN] in [
        [c.text for c in r.cells] for r in word_table.rows
    ]
    assert "Hearing impairment (HI) Sensory and/or physical 2" not in pdf


def test_it_gives_the_register_summary_and_the_compliance_pages_counts(world, report):
    actor = actor_for(world.a.head)
    summary = register_summary(actor=actor)
    needs = _sections(report)["needs"]
    assert dict(needs.lines)["Pupils on the SEN register"] == str(summary.on_register)
    shown = {row[0]: row[2] for row in needs.tables[0].rows}
    for need, n in summary.by_need:
        if shown[f"{need.name} ({need.code})"] != HIDDEN:
            assert shown[f"{need.name} ({need.code})"] == str(n)
    assert shown["Speech, language and communication needs (SLCN)"] == str(
        dict((need.code, n) for need, n in summary.by_need)["SLCN"]
    )
    compliance = compliance_view(actor=actor)
    # The period is this school year, so the meetings held are the compliance page's "this year".
    assert dict(_sections(report)["parents"].lines)["Meetings with parents held"] == str(
        compliance.meetings_this_year
    )
    assert dict(_sections(report)["identifying"].lines)["Support plans reviewed"] == str(
        compliance.reviews_this_year
    )
    assert dict(_sections(report)["identifying"].lines)["Concerns about a pupil raised by staff"] == "6"
    assert dict(_sections(report)["pupils"].lines)['"About me" records of pupils\' own views'] == "6"
    assert dict(_sections(report)["parents"].lines)["Requests for parents' views answered"] == "5"


def test_it_gives_each_interventions_measured_impact_from_its_page(world, report):
    actor = actor_for(world.a.head)
    [table] = _sections(report)["effectiveness"].tables
    assert table.caption == IMPACT_CAPTION
    assert {row[0] for row in table.rows} == {"Talk Boost", "Language therapy"}
    for row in table.rows:
        impact = intervention_impact(actor=actor, intervention=Intervention.objects.get(name=row[0]))
        [m] = [m for m in impact.measures if m.title == row[2]]
        assert row[4] == m.verdict
        assert row[3] == (str(m.pupils) if m.pupils >= 5 or m.pupils == 0 else HIDDEN)
