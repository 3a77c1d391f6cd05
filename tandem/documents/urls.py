"""The school's documents (included from tandem/urls.py at the site root, so the names stay global)."""

from django.urls import path

from tandem.documents import views

urlpatterns = [
    path("documents/", views.document_list_view, name="documents"),
    path("documents/new/", views.document_new_view, name="document_new"),
    path("document-versions/<uuid:version_id>/", views.document_version_view, name="document_version"),
    path(
        "document-versions/<uuid:version_id>/refresh/",
        views.document_version_refresh_view,
        name="document_version_refresh",
    ),
    path(
        "document-versions/<uuid:version_id>/publish/",
        views.document_version_publish_view,
        name="document_version_publish",
    ),
    path(
        "document-versions/<uuid:version_id>/new-version/",
        views.document_version_revise_view,
        name="document_version_revise",
    ),
    path(
        "document-versions/<uuid:version_id>/document.pdf",
        views.document_version_pdf_view,
        name="document_version_pdf",
    ),
    path(
        "document-versions/<uuid:version_id>/document.docx",
        views.document_version_docx_view,
        name="document_version_docx",
    ),
]
