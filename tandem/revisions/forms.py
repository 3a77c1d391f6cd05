"""The fields every correction and withdrawal form adds: the version the form was opened at (so a change
saved meanwhile by someone else is noticed) and the reason."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.core.forms import text_area
from tandem.revisions.models import REASON_LIMIT


def _version_field(version: int) -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, initial=version, required=False, min_value=1)


def add_correction_fields(form: forms.Form, *, version: int) -> None:
    """Turn a create form into its correction form: the version it started from and an optional reason."""
    form.fields["reason"] = text_area(
        "What was wrong",
        required=False,
        help_text="For example 'Typing mistake in the date'. Kept in the record's history.",
        rows=2,
        max_length=REASON_LIMIT,
    )
    form.fields["version"] = _version_field(version)


def correction_data(form: forms.Form) -> tuple[dict[str, Any], int | None, str]:
    """The form's values without the correction fields, the version it started from, and the reason."""
    data = dict(form.cleaned_data)
    return data, data.pop("version", None), data.pop("reason", "")


class WithdrawForm(forms.Form):
    reason = text_area(
        "Why is it being withdrawn?",
        help_text="For example 'Recorded for the wrong pupil'. Everyone who can see the record sees this.",
        rows=3,
        max_length=REASON_LIMIT,
    )

    def __init__(self, *args: Any, version: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"] = _version_field(version)
