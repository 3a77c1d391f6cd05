from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "That email address and password do not match an account. Check both and try again.",
        "inactive": "This account has been switched off. Ask your school admin.",
    }


def health_view(request: HttpRequest) -> HttpResponse:
    """For load balancers and `make run`: no data, no session."""
    return JsonResponse({"status": "ok"})
