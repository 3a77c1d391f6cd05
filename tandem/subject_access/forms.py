from __future__ import annotations

from typing import Any

from django import forms

from tandem.access.actor import Actor
from tandem.core.forms import date_field
from tandem.subject_access.selectors import subject_pupil_by_upn


class RequestOpenForm(forms.Form):
    upn = forms.CharField(
        label="Pupil's UPN",
        max_length=13,
        help_text="The unique pupil number, from the MIS or the pupil page.",
    )
    requester = forms.CharField(
        label="Who asked",
        max_length=200,
        help_text='In their words, for example "the pupil\'s mother" or "the pupil, aged 16".',
    )
    received_on = date_field("Date received", help_text="The one-month deadline counts from this day.")

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_upn(self) -> Any:
        upn = self.cleaned_data["upn"].strip().upper()
        pupil = subject_pupil_by_upn(self.actor, upn)
        if pupil is None:
            raise forms.ValidationError(f"No pupil with UPN {upn} at the schools whose requests you answer.")
        return pupil


class RequestAnswerForm(forms.Form):
    answered_on = date_field("Date answered", help_text="The day the export (or the answer) was sent.")
