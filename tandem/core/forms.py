"""What every form page shares: date pickers, and a service's refusal shown beside the right field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

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


@dataclass(frozen=True)
class FormPage:
    """What a form page shows around its form (template `form_page.html`)."""

    heading: str
    submit_label: str
    cancel_url: str
    intro: str = ""
    pupil: Any = None  # the pupil the record is about: a link back to their support record
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. an aside template and its data

    def context(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "submit_label": self.submit_label,
            "cancel_url": self.cancel_url,
            "intro": self.intro,
            "pupil": self.pupil,
            **self.extra,
        }


def form_flow(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[], T],
    next_url: Callable[[T], str],
    page: FormPage,
    success: str | Callable[[T], str] = "",
    template: str = "form_page.html",
) -> HttpResponse:
    """GET shows the form; a valid POST calls the service and moves on with a message; a refusal comes
    back on the form, beside the field it is about, with nothing saved."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = success(result) if callable(success) else success
            if message:
                messages.success(request, message)
            return redirect(next_url(result))
    return render_form(request, template, form, page.context())


class OwnerForm(forms.Form):
    """One field, the accountable teacher, added by the view from the pupil's teachers."""
