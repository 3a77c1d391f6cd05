from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest
from django.urls import path

from tandem.core.views import EmailAuthenticationForm, health_view
from tandem.dashboards.views import home_view, switch_role_view
from tandem.people import views as people
from tandem.progress.views import progress_list_view, progress_summary_view
from tandem.register.views import register_view
from tandem.schools.views import trust_view


def _superusers_only(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


# Django's admin is a maintenance tool for superusers, not a page for school staff.
admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
admin.site.site_header = "Tandem maintenance"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", health_view, name="health"),
    path("", home_view, name="home"),
    path("switch-role/", switch_role_view, name="switch_role"),
    path("pupils/", people.pupil_list_view, name="pupil_list"),
    path("pupils/<uuid:pupil_id>/", people.pupil_detail_view, name="pupil_detail"),
    path("groups/", people.group_list_view, name="group_list"),
    path("groups/<uuid:group_id>/", people.group_detail_view, name="group_detail"),
    path("register/", register_view, name="register"),
    path("progress/", progress_list_view, name="progress_list"),
    path("progress/summary/", progress_summary_view, name="progress_summary"),
    path("staff/", people.staff_view, name="staff"),
    path("staff/add/", people.staff_add_view, name="staff_add"),
    path("staff/<int:membership_id>/remove/", people.staff_remove_view, name="staff_remove"),
    path("trust/", trust_view, name="trust"),
    path("admin/", admin.site.urls),
]
