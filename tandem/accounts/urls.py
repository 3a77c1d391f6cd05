from django.urls import include, path

from tandem.accounts import views

# Tandem's own sign-in pages come first so they take precedence over the library's defaults.
urlpatterns = [
    path("login/", views.sign_in_view, name="account_login"),
    path("invitation/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("two-factor/required/", views.two_factor_required_view, name="two_factor_required"),
    path("", include("allauth.urls")),
]
