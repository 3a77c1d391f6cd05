from __future__ import annotations

from typing import Any

from django import forms

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_by_upn
from tandem.retention.models import RecordType
from tandem.retention.schedule import DEFAULT_YEARS


class HoldForm(forms.Form):
    upn = forms.CharField(label="Pupil's UPN", max_length=13)
    reason = forms.CharField(
        label="Why the records are held",
        max_length=200,
        help_text="A claim, a complaint, an inquiry: in a few words, without naming anyone.",
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_upn(self) -> Any:
        upn = self.cleaned_data["upn"].strip().upper()
        pupil = pupil_by_upn(self.actor, Resource.RETENTION, upn, Action.ADD)
        if pupil is None:
            raise forms.ValidationError(
                f"No pupil with UPN {upn} at the schools whose records you look after."
            )
        return pupil


class PeriodsForm(forms.Form):
    """The trust's own periods; left empty, a kind of record keeps the default."""

    def __init__(self, *args: Any, current: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for record_type in RecordType:
            default = DEFAULT_YEARS[record_type]
            self.fields[record_type.value] = forms.IntegerField(
                label=f"{record_type.label}: years from date of birth",
                min_value=1,
                max_value=100,
                required=False,
                initial=current.get(record_type.value, default),
                help_text=f"Leave empty for the default, {default} years.",
            )
