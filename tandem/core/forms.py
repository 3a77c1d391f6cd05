"""What every form page shares: date pickers, and a service's refusal shown beside the right field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

T = TypeVar("T")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(
    label: str, *, required: bool = True, help_text: str = "", missing: str = "Enter a date."
) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        error_messages={"required": missing, "invalid": "Enter a real date, for example 23/11/2026."},
    )


def text_area(label: str, *, required: bool = True, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": "This cannot be left empty."},
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the form has it, else at the top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def render_form(
    request: HttpRequest, template: str, form: forms.Form, context: dict[str, Any]
) -> HttpResponse:
    """Render a form page; a form with errors answers 400 so nothing mistakes it for success."""
    return render(request, template, {"form": form, **context}, status=400 if form.errors else 200)


def form_flow(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[], T],
    done: Callable[[T], HttpResponse],
    context: dict[str, Any],
    template: str = "form_page.html",
) -> HttpResponse:
    """GET shows the form; a valid POST calls the service; a refusal comes back on the form, nothing saved."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return done(result)
    return render_form(request, template, form, context)


class OwnerForm(forms.Form):
    """One field, the accountable teacher, added by the view from the pupil's teachers."""
