"""Disclosure control is the mechanism's job: in a document for the website every count a section builder
writes through its `Drafting` passes tandem.lib.disclosure; in an internal one counts are written as they
are and the warning goes on every output instead."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.documents.content import INTERNAL_WARNING, Audience, Section, Table, sections_from_json
from tandem.documents.drafting import DocumentKind, Drafting, SectionSpec
from tandem.documents.kinds import KINDS
from tandem.documents.pdf import document_pdf
from tandem.documents.selectors import printable
from tandem.documents.services import document_version_start
from tandem.documents.word import document_docx
from tests.documents.reading import pdf_pages, word

pytestmark = pytest.mark.django_db


def _drafting(world, audience: Audience) -> Drafting:
    today = timezone.localdate()
    return Drafting(
        actor=actor_for(world.a.senco),
        school=world.a.school,
        period_start=today,
        period_end=today,
        audience=audience,
        today=today,
    )


def test_it_writes_counts_as_they_are_in_an_internal_document(world):
    ctx = _drafting(world, Audience.INTERNAL)
    assert ctx.count(3) == "3"
    assert ctx.counts([3, 40], total=43) == ["3", "40"]
    assert ctx.count_rows([[1, 9], [8, 7]]) == [["1", "9"], ["8", "7"]]


def test_it_hides_small_counts_and_their_complements_in_a_published_document(world, settings):
    settings.TANDEM_DISCLOSURE_THRESHOLD = 5
    ctx = _drafting(world, Audience.PUBLISHED)
    assert ctx.count(3) == "hidden"
    assert ctx.count(0) == "0"
    assert ctx.count(1204) == "1,204"
    # With the total shown, the next smallest is hidden too, or the total would give the 3 back.
    assert ctx.counts([3, 40, 12], total=55) == ["hidden", "40", "hidden"]
    assert ctx.counts([3, 40, 12]) == ["hidden", "40", "12"]
    rows = ctx.count_rows([[2, 30, 9], [20, 25, 11]])
    assert rows[0][0] == "hidden"
    assert sum(cell == "hidden" for row in rows for cell in row) >= 4  # no row or column gives it away


def _counted_section(ctx: Drafting) -> Section:
    """A made-up published section: pupils by need, as the SEN information report will count them."""
    needs = [("Speech, language and communication", 31), ("Hearing impairment", 2), ("Autism", 9)]
    shown = ctx.counts([n for _, n in needs], total=42)
    return Section(
        title="Pupils by type of need",
        lines=(("Pupils on the register", ctx.count(42)),),
        tables=(
            Table(
                "By need",
                ("Need", "Pupils"),
                tuple((need, s) for (need, _), s in zip(needs, shown, strict=True)),
            ),
        ),
    )


def test_it_drafts_a_published_kind_through_disclosure_control_without_the_internal_warning(
    world, monkeypatch, settings
):
    settings.TANDEM_DISCLOSURE_THRESHOLD = 5
    kind = DocumentKind(
        key="sen_information_report_test",
        title="SEN information report",
        audience=Audience.PUBLISHED,
        description="For the website.",
        sections=(SectionSpec("needs", _counted_section),),
    )
    monkeypatch.setitem(KINDS, kind.key, kind)
    today = timezone.localdate()
    version = document_version_start(
        actor=actor_for(world.a.senco), kind=kind.key, period_start=today, period_end=today
    )
    [needs] = sections_from_json(version.sections)
    assert needs.section.lines == (("Pupils on the register", "42"),)
    assert needs.section.tables[0].rows == (
        ("Speech, language and communication", "31"),
        ("Hearing impairment", "hidden"),
        ("Autism", "hidden"),
    )
    doc = printable(version)
    assert doc.warning == ""
    assert all(INTERNAL_WARNING not in page for page in pdf_pages(document_pdf(doc)))
    assert "hidden" in " ".join(pdf_pages(document_pdf(doc)))
    assert word(document_docx(doc)).sections[0].header.paragraphs[0].text == ""


def test_it_says_what_hidden_means_only_when_a_published_document_hides_something(
    world, monkeypatch, settings
):
    settings.TANDEM_DISCLOSURE_THRESHOLD = 5

    def plain(ctx: Drafting) -> Section:
        return Section(title="Pupils", lines=(("On the register", ctx.count(42)),))

    kind = DocumentKind(
        key="published_nothing_hidden_test",
        title="A published document",
        audience=Audience.PUBLISHED,
        description="For the website.",
        sections=(SectionSpec("pupils", plain),),
    )
    monkeypatch.setitem(KINDS, kind.key, kind)
    today = timezone.localdate()
    version = document_version_start(
        actor=actor_for(world.a.senco), kind=kind.key, period_start=today, period_end=today
    )
    doc = printable(version)
    assert doc.hidden_means == ""
    assert "stands for fewer than" not in " ".join(pdf_pages(document_pdf(doc)))
    assert all("stands for fewer than" not in p.text for p in word(document_docx(doc)).paragraphs)
