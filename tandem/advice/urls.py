"""Specialist advice pages (included from tandem/urls.py at the site root, so the names stay global)."""

from django.urls import path

from tandem.advice import views

urlpatterns = [
    path("pupils/<uuid:pupil_id>/advice/", views.advice_list_view, name="advice_list"),
    path("pupils/<uuid:pupil_id>/advice/new/", views.advice_new_view, name="advice_new"),
    path("advice/<uuid:advice_id>/", views.advice_detail_view, name="advice_detail"),
    path("advice/<uuid:advice_id>/received/", views.advice_received_view, name="advice_received"),
    path(
        "advice/<uuid:advice_id>/recommendations/new/",
        views.recommendation_new_view,
        name="recommendation_new",
    ),
    path("advice/<uuid:advice_id>/withdraw/", views.advice_withdraw_view, name="advice_withdraw"),
    path("advice-documents/<uuid:document_id>/", views.document_download_view, name="advice_document"),
]
