"""Forms for specialist advice: asking for or recording it, its arrival, a document, a recommendation."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.advice.models import Profession, RecommendationStatus
from tandem.core.forms import date_field, text_area
from tandem.lib.uploads import EMPTY, KINDS, size_text

ACCEPT = ",".join([*(f".{k.extension}" for k in KINDS), ".jpeg", *(k.content_type for k in KINDS)])


def document_field(*, max_bytes: int, required: bool) -> forms.FileField:
    """The file input; what the file really is, and its size, are checked by the service from its bytes."""
    return forms.FileField(
        label="Document",
        required=required,
        help_text="A PDF, a Word document (.docx), or a photo or scan as JPEG or PNG; "
        f"up to {size_text(max_bytes)}. Only people who may see this advice can open it.",
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": "Choose the document to upload.", "empty": EMPTY},
    )


class AdviceForm(forms.Form):
    profession = forms.ChoiceField(
        label="Profession",
        choices=[("", "Choose a profession"), *Profession.choices],
        error_messages={"required": "Choose the specialist's profession."},
    )
    other_profession = forms.CharField(
        label="Profession, if not on the list",
        required=False,
        max_length=120,
        help_text="For example 'Dietitian' or 'Specialist teacher for autism'.",
    )
    professional_name = forms.CharField(
        label="Professional's name",
        required=False,
        max_length=120,
        help_text="Leave empty if you do not know yet who will see the pupil.",
    )
    organisation = forms.CharField(
        label="Organisation",
        max_length=160,
        help_text="For example the local NHS trust or the council's service.",
    )
    requested_on = date_field("Asked for on", help_text="The day the school asked for the advice.")
    received_on = date_field(
        "Received on",
        required=False,
        help_text="Leave empty while you are still waiting; record it on the advice's page when it arrives.",
    )
    summary = text_area(
        "Summary",
        required=False,
        help_text="While waiting: what you asked for. Once received: the main points of the advice.",
        rows=5,
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"] = document_field(max_bytes=max_bytes, required=False)


class ReceiveForm(forms.Form):
    received_on = date_field("Received on", missing="Enter the day the advice arrived.")
    summary = text_area("Summary of the advice", help_text="Its main points, in a few lines.", rows=5)

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"] = document_field(max_bytes=max_bytes, required=False)


class DocumentForm(forms.Form):
    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"] = document_field(max_bytes=max_bytes, required=True)


class RecommendationForm(forms.Form):
    text = text_area("What the specialist recommends", rows=4)
    target = forms.ChoiceField(
        label="The target it serves",
        required=False,
        help_text="One of this pupil's targets, if the recommendation works towards one.",
    )
    intervention = forms.ChoiceField(
        label="The provision that delivers it",
        required=False,
        help_text="An intervention from the school's catalogue, if one delivers it.",
    )
    status = forms.ChoiceField(
        label="What the school has done",
        choices=RecommendationStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether it is planned, in place or not taken up."},
    )
    not_taken_up_reason = text_area(
        "Why it was not taken up", required=False, help_text="Needed when it was not taken up.", rows=2
    )

    def __init__(
        self, *args: Any, targets: list[tuple[str, str]], interventions: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["target"], [("", "None"), *targets])
        _set_choices(self.fields["intervention"], [("", "None"), *interventions])


def _set_choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices
