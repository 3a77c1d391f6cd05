"""What every form page shares: date pickers, a service's refusal shown beside the right field, and a
one-time token so each form saves once however often it is sent (tandem/core/once.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tandem.core.apps import REQUIRED
from tandem.core.once import (
    FORM_FIELD_NAME,
    AlreadySubmitted,
    TokenRefused,
    form_fingerprint,
    form_submission_claim,
    form_submission_previous,
    form_submission_record,
    form_token_issue,
    form_token_key,
)

T = TypeVar("T")

ALREADY_SAVED = "This was already saved."
NOT_SAVED_STALE_FORM = (
    "Nothing was saved: this form was open for more than a day, or could not be checked. "
    "Check the details and save again."
)


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


#: Characters a free-text box takes by default: about two pages, more than any note or plan needs.
TEXT_LIMIT = 5_000


def text_area(
    label: str, *, required: bool = True, help_text: str = "", rows: int = 3, max_length: int = TEXT_LIMIT
) -> forms.CharField:
    """A free-text box, its limit shown beside it (and kept by the browser, and checked again here)."""
    limit = f"Up to {max_length:,} characters."
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=f"{help_text} {limit}" if help_text else limit,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": REQUIRED,
            "max_length": "Keep this to %(limit_value)s characters or fewer (it has %(show_value)s).",
        },
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
    repeats_by_typing: bool = True,
) -> HttpResponse:
    """GET shows the form with a fresh one-time token; a valid POST claims the token, calls the service and
    moves on with a message, all in one transaction; a refusal comes back on the form, beside the field it
    is about, with nothing saved. A repeat of a post that saved is sent where the first one went.

    `repeats_by_typing=False` for a page that changes a setting rather than adding a record (an owner, a
    rate, preferences): there, the same values sent again later the same day are a real change back, so
    only the token says what is a repeat."""
    if request.user.pk is None:  # every form page is behind @allow, which signs people in first
        raise PermissionError("Form pages are for signed-in users.")
    user_id: int = request.user.pk
    if request.method == "POST" and form.is_valid():
        try:
            key = form_token_key(token=request.POST.get(FORM_FIELD_NAME), user_id=user_id)
        except TokenRefused:
            form.add_error(None, NOT_SAVED_STALE_FORM)
        else:
            if repeats_by_typing:
                fingerprint = form_fingerprint(user_id=user_id, path=request.path, data=request.POST)
            else:
                fingerprint = f"token:{key}"  # matches no other post
            try:
                with transaction.atomic():
                    claim = form_submission_claim(key=key, user_id=user_id, fingerprint=fingerprint)
                    result = save()
                    url = next_url(result)
                    form_submission_record(claim=claim, result=result, next_url=url)
            except AlreadySubmitted as repeat:
                previous = form_submission_previous(repeat=repeat, key=key, user_id=user_id)
                if previous is not None:
                    messages.info(request, ALREADY_SAVED)
                    return redirect(previous.next_url)
                form.add_error(None, NOT_SAVED_STALE_FORM)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                message = success(result) if callable(success) else success
                if message:
                    messages.success(request, message)
                return redirect(url)
    context = {**page.context(), FORM_FIELD_NAME: form_token_issue(user_id=user_id)}
    return render_form(request, template, form, context)


class OwnerForm(forms.Form):
    """One field, the accountable teacher, added by the view from the pupil's teachers."""
