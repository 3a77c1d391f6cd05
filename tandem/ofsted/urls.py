"""The Ofsted inclusion pack (included from tandem/urls.py at the site root, so the names stay global)."""

from django.urls import path

from tandem.ofsted import views

urlpatterns = [
    path("inspection/", views.inspection_view, name="inspection"),
    path(
        "pupils/<uuid:pupil_id>/inspection-trail/",
        views.inspection_trail_view,
        name="inspection_trail",
    ),
    path(
        "pupils/<uuid:pupil_id>/inspection-trail.pdf",
        views.inspection_trail_pdf_view,
        name="inspection_trail_pdf",
    ),
]
