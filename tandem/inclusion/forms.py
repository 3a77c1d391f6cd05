"""The form for planning a pupil's time in the inclusion base."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.core.forms import date_field
from tandem.inclusion.models import MAX_MINUTES_PER_SESSION, MAX_SESSIONS_PER_WEEK, Purpose


class PlacementForm(forms.Form):
    purpose = forms.ChoiceField(
        label="What it is for",
        choices=Purpose.choices,
        widget=forms.RadioSelect,
        help_text="The inclusion base is for teaching and support, never a sanction.",
        error_messages={"required": "Choose what the time in the inclusion base is for."},
    )
    purpose_other = forms.CharField(
        label="What it is for, if 'Other'", required=False, max_length=300, help_text="In a few words."
    )
    led_by = forms.TypedChoiceField(
        label="Led by",
        coerce=int,
        help_text="A qualified teacher: one of the school's teachers or the SENCo.",
        error_messages={"required": "Choose the teacher who leads the time in the inclusion base."},
    )
    sessions_per_week = forms.IntegerField(
        label="Sessions a week", min_value=1, max_value=MAX_SESSIONS_PER_WEEK, widget=forms.NumberInput
    )
    minutes_per_session = forms.IntegerField(
        label="Minutes a session", min_value=1, max_value=MAX_MINUTES_PER_SESSION, help_text="For example 50."
    )
    starts_on = date_field("Starts on")
    ends_on = date_field("Ends on", required=False, help_text="Leave empty if the end is not set yet.")
    return_on = date_field(
        "Planned return to mainstream lessons",
        help_text="The day the pupil is planned to be back in these lessons.",
        missing="Enter the planned date of the return to mainstream lessons.",
    )
    return_lessons = forms.CharField(
        label="Which lessons the pupil returns to",
        max_length=300,
        help_text="For example 'English and maths with 8B, then all lessons after half term'.",
    )

    def __init__(self, *args: Any, leaders: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["led_by"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a teacher"), *leaders]
