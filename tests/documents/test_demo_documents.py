"""Each document for each demo school (a primary and a secondary): every section in the page, the PDF and
the Word file, its figures equal to the pages they come from, and no small count of pupils by need in a
published document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tandem.access.actor import actor_for
from tandem.dashboards.selectors import dashboard_tiles
from tandem.demo.loader import demo_analyse, load_demo
from tandem.documents.content import Audience, sections_from_json
from tandem.documents.inclusion import FUNDING_CAPTION
from tandem.documents.kinds import KINDS
from tandem.documents.models import DocumentVersion
from tandem.documents.published import NEEDS_CAPTION
from tandem.documents.services import document_version_start
from tandem.exchange.provision_map import format_money
from tandem.lib.disclosure import HIDDEN
from tandem.lib.terms import term_containing
from tandem.people.models import Membership, Role
from tandem.provision.provision_map import provision_map
from tandem.register.selectors import register_summary
from tests.documents.published_school import school_year
from tests.documents.reading import page_tables, pdf_pages, squeeze, word
from tests.documents.test_governors_report import COMPLIANCE_MEASURES

SMALL = {"1", "2", "3", "4"}
SCHOOLS = (0, 1)


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A small demo of two schools dated today, analysed, so every section has figures; rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(seed=5, as_of=timezone.localdate(), schools=2, pupils_per_school=120)
        demo_analyse()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def threshold(settings: Any) -> None:
    settings.TANDEM_DISCLOSURE_THRESHOLD = 5


def _senco(index: int) -> Any:
    """The SENCo of the demo's first or second school."""
    sencos = Membership.objects.filter(role=Role.SENCO, is_active=True, school__isnull=False)
    schools = sorted({m.school_id for m in sencos}, key=str)
    assert len(schools) == 2, "the demo has a primary and a secondary school"
    return sencos.filter(school_id=schools[index]).first().user


def _draft(user: Any, kind: str) -> DocumentVersion:
    if KINDS[kind].audience == Audience.INTERNAL:
        term = term_containing(timezone.localdate())
        start, end = term.starts_on, term.ends_on
    else:
        start, end = school_year()
    return document_version_start(actor=actor_for(user), kind=kind, period_start=start, period_end=end)


def _sections(version: DocumentVersion) -> dict[str, Any]:
    return {s.key: s.section for s in sections_from_json(version.sections)}


def _outputs(client: Any, version: DocumentVersion) -> tuple[str, str, Any]:
    page = client.get(reverse("document_version", args=[version.pk]))
    pdf = client.get(reverse("document_version_pdf", args=[version.pk]))
    docx = client.get(reverse("document_version_docx", args=[version.pk]))
    assert page.status_code == pdf.status_code == docx.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    # Each page's running footer taken off, so a line broken over two pages reads as one.
    footer = re.compile(rf"{re.escape(KINDS[version.document.kind].title)}, [^·]*· page \d+ of \d+$")
    text = " ".join(footer.sub("", page_text).strip() for page_text in pdf_pages(pdf.content))
    return page.content.decode(), text, word(docx.content)


def _count(shown: str, on_page: int) -> None:
    """A count in a published document is the page's, or hidden when the page's is small."""
    if shown == HIDDEN:
        assert 0 < on_page < 5, on_page
    else:
        assert shown == str(on_page)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoDocuments:
    @pytest.mark.parametrize("kind", list(KINDS))
    @pytest.mark.parametrize("school", SCHOOLS)
    def test_it_holds_every_section_and_figure_in_the_page_the_pdf_and_the_word_file(
        self, client, school, kind
    ):
        senco = _senco(school)
        version = _draft(senco, kind)
        sections = _sections(version)
        assert list(sections) == [spec.key for spec in KINDS[kind].sections]
        client.force_login(senco)
        page, pdf, docx = _outputs(client, version)
        paragraphs = [p.text for p in docx.paragraphs]
        assert [p.text for p in docx.paragraphs if p.style.name == "Heading 1"] == [
            s.title for s in sections.values()
        ]
        cells = [[c.text for c in row.cells] for t in docx.tables for row in t.rows]
        for key, section in sections.items():
            assert f'<h2 id="{key}-heading">{escape(section.title)}</h2>' in page, section.title
            assert section.title in pdf, section.title
            for label, text in section.lines:
                assert escape(text) in page, (label, text)
                assert squeeze(f"{label}: {text}") in pdf, (label, text)
                assert f"{label}: {text}" in paragraphs, (label, text)
            for table in section.tables:
                assert escape(table.caption) in page and table.caption in pdf, table.caption
                for row in table.rows:
                    assert list(row) in cells, row

    @pytest.mark.parametrize("school", SCHOOLS)
    def test_it_gives_the_governors_the_pages_figures(self, client, school):
        senco = _senco(school)
        actor = actor_for(senco)
        sections = _sections(_draft(senco, "governors_report"))
        client.force_login(senco)
        summary = register_summary(actor=actor)
        home = client.get(reverse("home")).content.decode()
        assert f"{summary.on_register} of {summary.on_roll} pupils are on the register." in home
        register = sections["register"]
        assert dict(register.lines)["Pupils on roll"] == str(summary.on_roll)
        on_home = page_tables(home).tables["Pupils on the register by primary (rank 1) need"]
        assert [row[2] for row in register.tables[0].rows] == [row[2] for row in on_home[1:]]
        assert [row[2] for row in register.tables[0].rows] == [str(n) for _, n in summary.by_need]
        measures = page_tables(client.get(reverse("compliance")).content.decode()).measures
        [table] = sections["compliance"].tables
        assert [row[1] for row in table.rows] == [measures[name] for name in COMPLIANCE_MEASURES]
        assert any(row[1] != "0" for row in table.rows), "the demo has something to count"
        [tile] = [t for t in dashboard_tiles(actor=actor) if t.key == "cost"]
        assert tile.figure in home
        lines = dict(sections["provision"].lines)
        assert [v for k, v in lines.items() if k.startswith("Cost of provision this term")] == [tile.figure]

    @pytest.mark.parametrize("school", SCHOOLS)
    def test_it_gives_the_sen_information_report_the_pages_figures(self, client, school):
        senco = _senco(school)
        sections = _sections(_draft(senco, "sen_information_report"))
        client.force_login(senco)
        summary = register_summary(actor=actor_for(senco))
        home = client.get(reverse("home")).content.decode()
        assert f"{summary.on_register} of {summary.on_roll} pupils are on the register." in home
        assert dict(sections["needs"].lines)["Pupils on the SEN register"] == str(summary.on_register)
        shown = {row[0]: row[2] for row in sections["needs"].tables[0].rows}
        for need, n in summary.by_need:
            _count(shown[f"{need.name} ({need.code})"], n)
        measures = page_tables(client.get(reverse("compliance")).content.decode()).measures
        _count(
            dict(sections["parents"].lines)["Meetings with parents held"], int(measures["meetings_this_year"])
        )
        _count(
            dict(sections["identifying"].lines)["Support plans reviewed"], int(measures["reviews_this_year"])
        )

    @pytest.mark.parametrize("school", SCHOOLS)
    def test_it_gives_the_inclusion_strategy_the_provision_maps_cost(self, client, school):
        senco = _senco(school)
        actor = actor_for(senco)
        sections = _sections(_draft(senco, "inclusion_strategy"))
        summary = register_summary(actor=actor)
        assert dict(sections["needs_profile"].lines)["Pupils on the SEN register"] == str(summary.on_register)
        pm, _ = provision_map(actor=actor)
        assert pm.total_cost > 0, "the demo costs its provision"
        provision = sections["provision"]
        lines = dict(provision.lines)
        assert lines[f"Cost of provision in the school year {pm.academic_year}"] == format_money(
            pm.total_cost
        )
        table = next(t for t in provision.tables if t.caption == FUNDING_CAPTION)
        assert table.rows[-1][-1] == format_money(pm.total_cost)
        client.force_login(senco)
        on_page = page_tables(client.get(reverse("provision_map")).content.decode()).tables[
            "Cost by funding source and layer (£)"
        ]

        def pounds(cell: str) -> Decimal:
            return Decimal(cell.replace("£", "").replace(",", ""))

        assert [[row[0], *map(pounds, row[1:])] for row in on_page[1:]] == [
            [row[0], *map(pounds, row[1:])] for row in table.rows
        ]

    @pytest.mark.parametrize("kind", [k for k, v in KINDS.items() if v.audience == Audience.PUBLISHED])
    @pytest.mark.parametrize("school", SCHOOLS)
    def test_it_prints_no_small_count_of_pupils_by_need_when_published(self, client, school, kind):
        senco = _senco(school)
        version = _draft(senco, kind)
        [table] = [t for s in _sections(version).values() for t in s.tables if t.caption == NEEDS_CAPTION]
        assert table.rows, "the demo has pupils on the register"
        by_need = register_summary(actor=actor_for(senco)).by_need
        assert any(0 < n < 5 for _, n in by_need), "the demo has a need held by few pupils to hide"
        assert not {row[2] for row in table.rows} & SMALL
        client.force_login(senco)
        page, pdf, docx = _outputs(client, version)
        assert not {row[2] for row in page_tables(page).tables[NEEDS_CAPTION][1:]} & SMALL
        [word_table] = [t for t in docx.tables if t.rows[0].cells[0].text == "Type of need"]
        assert not {row.cells[2].text for row in word_table.rows[1:]} & SMALL
        for row in table.rows:
            assert squeeze(" ".join(row)) in pdf, row
