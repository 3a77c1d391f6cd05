from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def home(request: HttpRequest) -> HttpResponse:
    # Somewhere for a sign-in without `next` to land, and a cheap way to ask who is signed in.
    who = request.user.get_username() if request.user.is_authenticated else ""
    return HttpResponse(f"signed in as {who}" if who else "not signed in", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
