"""The documents' pages for each persona: the SENCo and head draft, write, refresh, publish and start new
versions; the trust's SEND lead reads; everyone else, and another school, gets the missing-page 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.documents.content import INTERNAL_WARNING, sections_from_json
from tandem.documents.models import DocumentVersion
from tandem.documents.services import document_version_start
from tandem.lib.terms import term_containing
from tests.documents.reading import pdf_pages, word
from tests.once import with_form_token

pytestmark = pytest.mark.django_db

NOT_FOR = ("teacher", "ta", "admin", "dpo", "parent")
PAGES = ("document_version", "document_version_pdf", "document_version_docx")


def _draft(user) -> DocumentVersion:
    term = term_containing(timezone.localdate())
    return document_version_start(
        actor=actor_for(user), kind="governors_report", period_start=term.starts_on, period_end=term.ends_on
    )


def _texts(version: DocumentVersion) -> dict[str, str]:
    version.refresh_from_db()
    return {s.key: s.text for s in sections_from_json(version.sections)}


@pytest.mark.parametrize("persona", ["senco", "head"])
def test_it_lets_the_senco_and_head_draft_a_report_for_a_term(client, world, persona):
    user = getattr(world.a, persona)
    client.force_login(user)
    listing = client.get(reverse("documents"))
    assert listing.status_code == 200
    assert reverse("document_new") in listing.content.decode()
    form = client.get(reverse("document_new"))
    assert form.status_code == 200
    assert "Termly SEND report to governors and the trust board" in form.content.decode()
    term = term_containing(timezone.localdate())
    data = {"kind": "governors_report", "period_start": term.starts_on, "period_end": term.ends_on}
    response = client.post(reverse("document_new"), with_form_token(data, user))
    version = DocumentVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("document_version", args=[version.pk])
    assert version.created_by == user
    listing = client.get(reverse("documents")).content.decode()
    assert "Version 1" in listing
    assert f"{term.starts_on:%-d %B %Y} to {term.ends_on:%-d %B %Y}" in listing


def test_it_refuses_a_period_backwards_with_a_clear_message_and_saves_nothing(client, world):
    client.force_login(world.a.senco)
    data = {"kind": "governors_report", "period_start": "2026-09-01", "period_end": "2026-08-01"}
    response = client.post(reverse("document_new"), with_form_token(data, world.a.senco))
    assert response.status_code == 400
    assert "The last day must be on or after the first day." in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_it_shows_a_draft_with_a_box_for_each_sections_text_and_saves_it(client, world):
    version = _draft(world.a.senco)
    client.force_login(world.a.senco)
    page = client.get(reverse("document_version", args=[version.pk])).content.decode()
    for section in version.sections:
        assert f'name="text_{section["key"]}"' in page
        assert f'<h2 id="{section["key"]}-heading">{section["title"]}</h2>' in page
    assert INTERNAL_WARNING in page
    assert "Publish version 1" in page and "Refresh figures" in page
    texts = {f"text_{s['key']}": "" for s in version.sections} | {"text_commentary": "A strong term."}
    response = client.post(
        reverse("document_version", args=[version.pk]), with_form_token(texts, world.a.senco)
    )
    assert response.status_code == 302
    assert _texts(version)["commentary"] == "A strong term."
    assert "A strong term." in client.get(reverse("document_version", args=[version.pk])).content.decode()


def test_it_refreshes_publishes_and_starts_the_next_version_with_the_buttons(client, world):
    version = _draft(world.a.head)
    client.force_login(world.a.head)
    assert client.post(reverse("document_version_refresh", args=[version.pk])).status_code == 302
    response = client.post(reverse("document_version_publish", args=[version.pk]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "published"
    page = client.get(reverse("document_version", args=[version.pk])).content.decode()
    assert 'name="text_' not in page
    assert "Start version 2 from this text" in page
    assert "Publish version" not in page
    # A text form left open from before it was published saves nothing.
    stale = client.post(
        reverse("document_version", args=[version.pk]),
        with_form_token({"text_commentary": "Too late."}, world.a.head),
        follow=True,
    )
    assert "cannot change" in stale.content.decode()
    assert _texts(version)["commentary"] == ""
    again = client.post(reverse("document_version_publish", args=[version.pk]), follow=True)
    assert "cannot change" in again.content.decode()
    response = client.post(reverse("document_version_revise", args=[version.pk]))
    second = DocumentVersion.objects.get(number=2)
    assert response["Location"] == reverse("document_version", args=[second.pk])
    first_page = client.get(reverse("document_version", args=[version.pk])).content.decode()
    assert "change the text there" in first_page


def test_it_lets_the_trust_lead_read_every_version_without_changing_any(client, world):
    version = _draft(world.a.senco)
    client.force_login(world.trust_lead)
    listing = client.get(reverse("documents")).content.decode()
    assert "School A" in listing
    assert reverse("document_new") not in listing
    page = client.get(reverse("document_version", args=[version.pk]))
    assert page.status_code == 200
    assert 'name="text_' not in page.content.decode()
    assert "Publish version" not in page.content.decode()
    for name in ("document_version_pdf", "document_version_docx"):
        assert client.get(reverse(name, args=[version.pk])).status_code == 200
    texts = with_form_token({"text_commentary": "Trust words."}, world.trust_lead)
    assert client.post(reverse("document_version", args=[version.pk]), texts).status_code == 404
    for name in ("document_version_refresh", "document_version_publish", "document_version_revise"):
        assert client.post(reverse(name, args=[version.pk])).status_code == 404
    assert client.get(reverse("document_new")).status_code == 404
    assert _texts(version)["commentary"] == ""


@pytest.mark.parametrize("persona", NOT_FOR)
def test_it_is_a_missing_page_for_everyone_else_at_the_school(client, world, persona):
    version = _draft(world.a.senco)
    client.force_login(getattr(world.a, persona))
    assert client.get(reverse("documents")).status_code == 404
    assert client.get(reverse("document_new")).status_code == 404
    for name in PAGES:
        assert client.get(reverse(name, args=[version.pk])).status_code == 404
    assert client.post(reverse("document_version_publish", args=[version.pk])).status_code == 404
    assert DocumentVersion.objects.get(pk=version.pk).status == "draft"


def test_it_is_a_missing_page_for_another_school(client, world):
    version = _draft(world.a.senco)
    missing = reverse("document_version", args=[world.missing_id])
    for user in (world.b.senco, world.b.head):
        client.force_login(user)
        assert client.get(reverse("documents")).content.decode().count("Version 1") == 0
        gone = client.get(missing)
        for name in PAGES:
            response = client.get(reverse(name, args=[version.pk]))
            assert response.status_code == 404
        assert client.get(reverse("document_version", args=[version.pk])).content == gone.content
        assert client.post(reverse("document_version_publish", args=[version.pk])).status_code == 404
    denied = AuditEvent.objects.filter(target_id=str(version.pk), outcome="denied")
    assert denied.exists()
    assert DocumentVersion.objects.get(pk=version.pk).status == "draft"


def test_it_audits_each_opening_and_the_files_say_what_the_page_says(client, world):
    version = _draft(world.a.senco)
    client.force_login(world.a.senco)
    pdf = client.get(reverse("document_version_pdf", args=[version.pk]))
    docx = client.get(reverse("document_version_docx", args=[version.pk]))
    assert pdf["Content-Disposition"].startswith('attachment; filename="termly-send-report-')
    assert docx["Content-Disposition"].endswith('version-1-draft.docx"')
    text = " ".join(pdf_pages(pdf.content))
    headings = [p.text for p in word(docx.content).paragraphs if p.style.name == "Heading 1"]
    assert headings == [s["title"] for s in version.sections]
    for title in headings:
        assert title in text
    opened = AuditEvent.objects.filter(action="school_document.view", target_id=str(version.pk))
    assert sorted(e.fields[0] for e in opened) == ["docx", "pdf"]
    assert all(e.school_id == world.a.school.pk for e in opened)


def test_it_links_documents_from_the_menu_for_those_who_may_see_them(client, world):
    for user, shown in (
        (world.a.senco, True),
        (world.a.head, True),
        (world.trust_lead, True),
        (world.a.teacher, False),
    ):
        client.force_login(user)
        home = client.get(reverse("home")).content.decode()
        assert (f'href="{reverse("documents")}"' in home) is shown
