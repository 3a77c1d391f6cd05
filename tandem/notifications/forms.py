from __future__ import annotations

from typing import Any

from django import forms

from tandem.notifications.models import EmailKind
from tandem.notifications.selectors import reminder_days


def _help(kind: EmailKind) -> str:
    if kind is EmailKind.DIGEST:
        return (
            "Each Monday morning: how many first responses, reviews, targets, session logs, passports and "
            "concerns are on your To do list. None when there is nothing to do."
        )
    if kind is EmailKind.REMINDERS:
        days = " and ".join(str(n) for n in reminder_days())
        return (
            f"In the morning, {days} day(s) before a support plan review you are accountable for, or a "
            "meeting with parents you led the last one of, falls due. The SENCo gets the whole school's."
        )
    return (
        "Each Monday morning, for the SENCo: how many reviews, first responses and meetings with parents are "
        "overdue or waiting, as the compliance page counts them."
    )


class EmailPreferencesForm(forms.Form):
    """A tick box for each email the person can get in their roles."""

    def __init__(self, *args: Any, kinds: list[EmailKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.value] = forms.BooleanField(
                label=kind.label, required=False, help_text=_help(kind)
            )
