from __future__ import annotations

from typing import Any

from django import forms

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_by_upn
from tandem.core.forms import date_field
from tandem.subject_access.selectors import subject_staff_by_email


class RequestOpenForm(forms.Form):
    upn = forms.CharField(
        label="Pupil's UPN",
        max_length=13,
        required=False,
        help_text="For a request about a pupil: the unique pupil number, from the MIS or the pupil page.",
    )
    staff_email = forms.EmailField(
        label="Or a member of staff's email address",
        required=False,
        help_text="For a request a member of staff makes about themselves.",
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
        if not upn:
            return None
        pupil = pupil_by_upn(self.actor, Resource.SUBJECT_ACCESS, upn, Action.MANAGE)
        if pupil is None:
            raise forms.ValidationError(f"No pupil with UPN {upn} at the schools whose requests you answer.")
        return pupil

    def clean_staff_email(self) -> Any:
        email = self.cleaned_data["staff_email"].strip().lower()
        if not email:
            return None
        found = subject_staff_by_email(self.actor, email)
        if found is None:
            raise forms.ValidationError(
                f"Nobody with the address {email} works at the schools whose requests you answer."
            )
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and (data.get("upn") is None) == (data.get("staff_email") is None):
            raise forms.ValidationError(
                "Give a pupil's UPN or a member of staff's email address (one of them)."
            )
        return data


class RequestAnswerForm(forms.Form):
    answered_on = date_field("Date answered", help_text="The day the export (or the answer) was sent.")
