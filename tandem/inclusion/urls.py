"""Inclusion-base pages (included from tandem/urls.py at the site root, so the names stay global)."""

from django.urls import path

from tandem.inclusion import views

urlpatterns = [
    path("pupils/<uuid:pupil_id>/inclusion-base/", views.inclusion_list_view, name="inclusion_list"),
    path("pupils/<uuid:pupil_id>/inclusion-base/new/", views.inclusion_new_view, name="inclusion_new"),
    path(
        "inclusion-base/<uuid:inclusion_id>/withdraw/",
        views.inclusion_withdraw_view,
        name="inclusion_withdraw",
    ),
]
