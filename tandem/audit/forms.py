from __future__ import annotations

from typing import Any

from django import forms

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.access.scopes import pupil_by_upn
from tandem.audit.models import Outcome
from tandem.audit.selectors import AuditFilters, audit_people
from tandem.core.forms import DateInput


class AuditFilterForm(forms.Form):
    """The filters above the audit trail. A value that matches nothing is reported, never ignored."""

    person = forms.TypedChoiceField(label="Person", required=False, coerce=int, empty_value=None)
    upn = forms.CharField(
        label="Pupil's UPN",
        required=False,
        max_length=13,
        help_text="Events about the pupil and every record of theirs.",
    )
    action = forms.CharField(
        label="Action",
        required=False,
        max_length=64,
        help_text='The start of its name: "sen_record" finds every view and change of SEN records.',
    )
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any"), *Outcome.choices])
    since = forms.DateField(label="From", required=False, widget=DateInput())
    until = forms.DateField(label="To", required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        people = audit_people(actor).only("id", "full_name", "email")
        field = self.fields["person"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Anyone"), *((p.pk, f"{p.full_name} ({p.email})") for p in people)]

    def clean_upn(self) -> Any:
        upn = self.cleaned_data["upn"].strip().upper()
        if not upn:
            return None
        pupil = pupil_by_upn(self.actor, Resource.AUDIT, upn)
        if pupil is None:
            raise forms.ValidationError(f"No pupil with UPN {upn} at the schools whose trail you read.")
        return pupil

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def filters(self) -> AuditFilters | None:
        """The filters asked for; None when one of them is wrong (the page shows why, and no events)."""
        if not self.is_bound:
            return AuditFilters()
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return AuditFilters(
            person_id=data.get("person"),
            pupil=data.get("upn"),
            action=(data.get("action") or "").strip(),
            outcome=data.get("outcome") or "",
            since=data.get("since"),
            until=data.get("until"),
        )
