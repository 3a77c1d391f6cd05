from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from tandem.people.models import User


class InvitationAcceptForm(forms.Form):
    """Choose a first password. Django's validators run here, as everywhere a password is set."""

    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Not a common password, and not like your name or email. "
        "Three or four random words work well.",
    )
    password2 = forms.CharField(
        label="Type the same password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are not the same. Type them again.")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
