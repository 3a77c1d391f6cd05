from __future__ import annotations

from typing import Any

from django import forms

from tandem.core.forms import date_field, text_area
from tandem.register.models import BroadArea, ConcernStatus, NeedType

AREAS = [("", "Choose an area")] + [(a.value, a.label) for a in BroadArea if a != BroadArea.UNCATEGORISED]


class ConcernForm(forms.Form):
    area = forms.ChoiceField(
        label="Area of need", choices=AREAS, help_text="The area closest to what you saw."
    )
    observed = text_area(
        "What did you see?",
        help_text="Describe what happened, not a diagnosis: what, when, how often.",
        rows=4,
    )
    evidence = text_area("Evidence", required=False, help_text="Work samples, assessment results, notes.")
    raised_on = date_field("Date you noticed it")


class ConcernNextStepForm(forms.Form):
    status = forms.ChoiceField(
        label="What happens next",
        choices=[
            (ConcernStatus.REFERRED.value, "Refer to the SENCo to assess whether the pupil has SEN"),
            (ConcernStatus.NO_ACTION.value, "No further action"),
        ],
        widget=forms.RadioSelect,
    )
    note = text_area("Why", required=False, help_text="Required for no further action.")


class SenSupportForm(forms.Form):
    decided_on = date_field("Date of the decision")
    evidence = text_area(
        "Evidence", help_text="Assessments, progress data and what was tried in class first.", rows=4
    )
    pupil_views = text_area("The pupil's views")
    parent_views = text_area("The parents' views")
    parents_informed_on = date_field(
        "Date the parents were told", missing="Enter the date the parents were told of the decision."
    )
    parent_note = text_area(
        "Note given to the parents",
        help_text="A short note in plain words: what was decided, why, and what happens next (Code 6.40).",
        rows=4,
    )
    primary_need = forms.ChoiceField(
        label="Primary need (rank 1)", error_messages={"required": "Choose the pupil's primary need."}
    )
    secondary_need = forms.ChoiceField(label="Secondary need (rank 2)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        needs = [(n.code, n.name) for n in NeedType.objects.filter(is_current=True)]
        self.fields["primary_need"].choices = [("", "Choose the primary need"), *needs]  # type: ignore[attr-defined]
        self.fields["secondary_need"].choices = [("", "None"), *needs]  # type: ignore[attr-defined]

    def need_codes(self) -> list[str]:
        return [self.cleaned_data.get("primary_need") or "", self.cleaned_data.get("secondary_need") or ""]


class PassportForm(forms.Form):
    strengths = text_area(
        "What I am good at", help_text="Strengths and interests, in the pupil's words if possible."
    )
    needs = text_area("What I find hard")
    what_helps = text_area(
        "What helps me", help_text="Strategies every adult can use, in class and around school."
    )
