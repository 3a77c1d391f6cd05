"""The governors' termly report on a demo school: every section in the page, the PDF and the Word file,
the warning on each, and each figure equal to the page it comes from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.dashboards.selectors import dashboard_tiles
from tandem.demo.loader import demo_analyse, load_demo
from tandem.documents.content import INTERNAL_WARNING, sections_from_json
from tandem.documents.governors import COMPLIANCE_ROWS
from tandem.documents.kinds import GOVERNORS_REPORT
from tandem.documents.models import DocumentVersion
from tandem.documents.services import document_version_start, document_version_text_save
from tandem.lib.terms import term_containing
from tandem.people.models import Membership, Role
from tandem.provision.impact import intervention_impact
from tandem.provision.models import Intervention
from tandem.register.selectors import register_summary
from tests.documents.reading import page_tables, pdf_pages, word

# The compliance page's measures, in the order of its rows (tandem/templates/plans/compliance.html).
COMPLIANCE_MEASURES = (
    "open_concerns",
    "open_first_responses",
    "first_responses_overdue",
    "referred",
    "sen_support",
    "without_plan",
    "open_plans",
    "reviews_overdue",
    "reviews_this_year",
    "targets_without_recent_progress",
    "meetings_this_year",
    "meetings_behind",
    "no_meeting_this_term",
    "meetings_due",
    "without_ranked_need",
    "nsa",
    "ehc_plans",
    "ehc_reviews_due",
    "ehc_reviews_overdue",
    "ehc_papers_late",
    "ehc_reports_late",
    "needing_owner",
)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A small demo dated today, analysed, so every section has figures; rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(seed=5, as_of=timezone.localdate(), schools=1, pupils_per_school=120)
        demo_analyse()
        yield
        transaction.set_rollback(True)


def _senco() -> Any:
    return Membership.objects.filter(role=Role.SENCO, is_active=True, school__isnull=False).first().user


def _draft(user: Any) -> DocumentVersion:
    term = term_containing(timezone.localdate())
    return document_version_start(
        actor=actor_for(user), kind="governors_report", period_start=term.starts_on, period_end=term.ends_on
    )


def _stored(version: DocumentVersion) -> dict[str, Any]:
    return {s.key: s for s in sections_from_json(version.sections)}


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestGovernorsReport:
    def test_it_holds_every_section_in_the_page_the_pdf_and_the_word_document(self, client):
        senco = _senco()
        version = _draft(senco)
        document_version_text_save(
            actor=actor_for(senco),
            version_id=version.pk,
            texts={"commentary": "Reviews are on time.\n\nNext term: maths interventions."},
        )
        titles = [s.section.title for s in _stored(version).values()]
        assert len(titles) == len(GOVERNORS_REPORT.sections) == 6
        client.force_login(senco)
        page = client.get(reverse("document_version", args=[version.pk])).content.decode()
        pdf = client.get(reverse("document_version_pdf", args=[version.pk]))
        docx = client.get(reverse("document_version_docx", args=[version.pk]))
        assert pdf["Content-Type"] == "application/pdf"
        assert docx["Content-Type"].endswith("wordprocessingml.document")
        assert "no-store" in pdf["Cache-Control"] and "no-store" in docx["Cache-Control"]
        text = " ".join(pdf_pages(pdf.content))
        doc = word(docx.content)
        headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
        assert headings == titles
        assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == [GOVERNORS_REPORT.title]
        for section in _stored(version).values():
            assert f'<h2 id="{section.key}-heading">{section.section.title}</h2>' in page
            assert section.section.title in text
            for caption in (t.caption for t in section.section.tables):
                assert caption in text
        for said in ("Reviews are on time.", "Next term: maths interventions."):
            assert said in page and said in text
            assert said in [p.text for p in doc.paragraphs]

    def test_it_writes_real_word_tables_with_header_rows(self, client):
        senco = _senco()
        version = _draft(senco)
        client.force_login(senco)
        doc = word(client.get(reverse("document_version_docx", args=[version.pk])).content)
        tables = [t for s in _stored(version).values() for t in s.section.tables if t.rows]
        assert len(doc.tables) == len(tables)
        for expected, found in zip(tables, doc.tables, strict=True):
            assert [c.text for c in found.rows[0].cells] == list(expected.headers)
            assert all(run.bold for c in found.rows[0].cells for run in c.paragraphs[0].runs)
            assert found.rows[0]._tr.trPr is not None  # marked to repeat as the header row
            assert [[c.text for c in row.cells] for row in found.rows[1:]] == [list(r) for r in expected.rows]

    def test_it_warns_on_every_output_that_it_holds_pupil_data(self, client):
        senco = _senco()
        version = _draft(senco)
        client.force_login(senco)
        page = client.get(reverse("document_version", args=[version.pk])).content.decode()
        assert INTERNAL_WARNING in page
        pages = pdf_pages(client.get(reverse("document_version_pdf", args=[version.pk])).content)
        assert len(pages) > 1
        assert all(INTERNAL_WARNING in text for text in pages)
        doc = word(client.get(reverse("document_version_docx", args=[version.pk])).content)
        assert doc.sections[0].header.paragraphs[0].text == INTERNAL_WARNING
        assert INTERNAL_WARNING in [p.text for p in doc.paragraphs]

    def test_it_gives_the_compliance_pages_counts(self, client):
        senco = _senco()
        version = _draft(senco)
        client.force_login(senco)
        measures = page_tables(client.get(reverse("compliance")).content.decode()).measures
        on_page = [measures[name] for name in COMPLIANCE_MEASURES]
        [table] = _stored(version)["compliance"].section.tables
        assert [row[1] for row in table.rows] == on_page
        assert [row[0] for row in table.rows] == [label for label, _ in COMPLIANCE_ROWS]
        assert any(value != "0" for value in on_page), "the demo has something to count"

    def test_it_gives_the_register_summary_with_three_terms_of_trend(self, client):
        senco = _senco()
        version = _draft(senco)
        summary = register_summary(actor=actor_for(senco))
        register = _stored(version)["register"].section
        lines = dict(register.lines)
        assert lines["Pupils on roll"] == str(summary.on_roll)
        assert (
            lines["SEN support"] == f"{summary.sen_support} ({floatformat(summary.sen_support_percent, 1)}%)"
        )
        assert lines["EHC plans"] == f"{summary.ehc_plan} ({floatformat(summary.ehc_plan_percent, 1)}%)"
        by_need, trend, mix = register.tables
        assert [row[2] for row in by_need.rows] == [str(n) for _, n in summary.by_need]
        client.force_login(senco)
        home = page_tables(client.get(reverse("home")).content.decode()).tables
        on_page = home["Pupils on the register by primary (rank 1) need"]
        assert [row[2] for row in on_page[1:]] == [row[2] for row in by_need.rows]
        assert len(trend.rows) == 3
        assert trend.rows[-1][1:5] == (
            str(summary.on_roll),
            str(summary.sen_support),
            str(summary.ehc_plan),
            str(summary.on_register),
        )
        assert trend.rows[-1][0].startswith(term_containing(timezone.localdate()).label)
        assert {row[0] for row in mix.rows} <= {area for area, _ in summary.by_area} | {
            "Communication and interaction",
            "Cognition and learning",
            "Social, emotional and mental health",
            "Sensory and/or physical",
        }
        now = {area: str(n) for area, n in summary.by_area}
        assert {row[0]: row[-1] for row in mix.rows if row[-1] != "0"} == now

    def test_it_gives_the_progress_summary_pages_gaps(self, client):
        senco = _senco()
        version = _draft(senco)
        client.force_login(senco)
        tables = page_tables(client.get(reverse("progress_summary")).content.decode()).tables
        on_page = tables["Average gap to peers: pupils on the SEN register and other pupils, each assessment"]
        gaps = _stored(version)["progress"].section.tables[0]
        assert [list(row) for row in gaps.rows] == on_page[1:]
        assert gaps.rows, "the demo is analysed"

    def test_it_gives_the_home_pages_cost_and_each_interventions_impact(self, client):
        senco = _senco()
        actor = actor_for(senco)
        version = _draft(senco)
        provision = _stored(version)["provision"].section
        [tile] = [t for t in dashboard_tiles(actor=actor) if t.key == "cost"]
        lines = dict(provision.lines)
        assert [v for k, v in lines.items() if k.startswith("Cost of provision this term")] == [tile.figure]
        client.force_login(senco)
        assert tile.figure in client.get(reverse("home")).content.decode()
        dosage, measured = _stored(version)["impact"].section.tables
        assert dosage.rows and measured.rows
        for row in measured.rows:
            intervention = Intervention.objects.get(school=senco.memberships.first().school, name=row[0])
            impact = intervention_impact(actor=actor, intervention=intervention)
            [m] = [m for m in impact.measures if m.title == row[1]]
            assert (row[2], row[3]) == (str(m.pupils), m.verdict)
            if m.effect is not None and m.effect.g is not None:
                assert row[4].startswith(str(floatformat(m.effect.g, 2)))
                assert row[5] == str(m.effect.months)

    def test_it_audits_each_opening_with_its_form(self, client):
        senco = _senco()
        version = _draft(senco)
        client.force_login(senco)
        for name in ("document_version", "document_version_pdf", "document_version_docx"):
            assert client.get(reverse(name, args=[version.pk])).status_code == 200
        opened = AuditEvent.objects.filter(action="school_document.view", target_id=str(version.pk))
        assert sorted(e.fields[0] for e in opened) == ["docx", "html", "pdf"]
