from __future__ import annotations

import copy
from typing import Any

from django import forms

from tandem.core.forms import date_field, text_area
from tandem.lib.isp import layer_help
from tandem.provision.models import (
    FUNDING_OTHER_LENGTH,
    EvidenceStrength,
    FundingSource,
    Layer,
    MeasureKind,
    Rating,
    StaffType,
)
from tandem.register.forms import AREAS

WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday")]


class FundingSourceField(forms.ChoiceField):
    """Radio buttons for what pays, one always ticked on the page. A post without the field at all (from a
    page older than funding sources) gets `missing` instead of a refusal."""

    def __init__(self, *, missing: str | None = FundingSource.NOTIONAL_SEN, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.missing = missing

    def clean(self, value: Any) -> Any:
        if value in self.empty_values:
            return self.missing
        return super().clean(value)


def funding_source_field(
    label: str, help_text: str, *, missing: str | None = FundingSource.NOTIONAL_SEN
) -> FundingSourceField:
    return FundingSourceField(
        label=label,
        choices=FundingSource.choices,
        initial=FundingSource.NOTIONAL_SEN,
        widget=forms.RadioSelect,
        help_text=help_text,
        missing=missing,
    )


def funding_other_field() -> forms.CharField:
    # Checked by the service (required for "Other", dropped for any other source), which names this field.
    return forms.CharField(
        label="If other, what pays for it",
        required=False,
        max_length=FUNDING_OTHER_LENGTH,
        help_text=f"A few words, e.g. 'Trust outreach grant'. Up to {FUNDING_OTHER_LENGTH} characters.",
    )


class InterventionForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    area = forms.ChoiceField(label="Area of need", choices=AREAS)
    description = text_area("What it is", help_text="What happens in a session, and what it aims to change.")
    evidence_strength = forms.TypedChoiceField(
        label="Strength of evidence",
        coerce=int,
        choices=EvidenceStrength.choices,
        help_text="As the EEF Teaching and Learning Toolkit rates it (its 'padlocks'); "
        "'No evidence found' if none is known.",
    )
    evidence_source = forms.URLField(label="Where the evidence is", required=False, assume_scheme="https")
    sessions_per_week = forms.IntegerField(label="Sessions a week", min_value=1, max_value=10)
    minutes_per_session = forms.IntegerField(label="Minutes a session", min_value=5, max_value=240)
    weeks = forms.IntegerField(label="Weeks", min_value=1, max_value=52)
    group_size = forms.IntegerField(label="Pupils in a group", min_value=1, max_value=30)
    staff_type = forms.ChoiceField(label="Delivered by", choices=StaffType.choices)
    layer = forms.ChoiceField(
        label="Layer of provision", choices=Layer.choices, initial=Layer.TARGETED, help_text=layer_help()
    )
    funding_source = funding_source_field(
        "Usually paid for from",
        "Each new group of it starts with this; you can change what pays for any one group.",
    )
    funding_other = funding_other_field()


class FundingForm(forms.Form):
    """What pays for a catalogue entry's groups by default, or for one running group."""

    funding_source = forms.ChoiceField(
        label="Paid for from",
        choices=FundingSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what pays for it.", "invalid_choice": "Choose from the list."},
    )
    funding_other = funding_other_field()

    def __init__(self, *args: Any, label: str, help_text: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funding_source"].label = label
        self.fields["funding_source"].help_text = help_text


class LayerForm(forms.Form):
    layer = forms.ChoiceField(
        label="Layer of provision", choices=Layer.choices, widget=forms.RadioSelect, help_text=layer_help()
    )


class StaffRateForm(forms.Form):
    staff_type = forms.ChoiceField(label="Staff", choices=StaffType.choices)
    hourly_rate = forms.DecimalField(
        label="Cost of an hour (£)",
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text="Pay plus on-costs. Every intervention's cost follows this, so costs keep up with pay.",
    )


class GroupForm(forms.Form):
    name = forms.CharField(label="Group name", max_length=120, help_text="e.g. 'Year 3 phonics, Tuesday'.")
    deliverer = forms.IntegerField(label="Run by", widget=forms.Select)
    weekdays = forms.TypedMultipleChoiceField(
        label="Days", coerce=int, choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    time_of_day = forms.CharField(
        label="Time", max_length=40, required=False, help_text="e.g. '9:10 to 9:30'."
    )
    starts_on = date_field("Starts")
    # A post without it (None) starts the group with what usually pays for the intervention.
    funding_source = funding_source_field(
        "Paid for from",
        "Filled in with what usually pays for this intervention; change it for this group.",
        missing=None,
    )
    funding_other = funding_other_field()

    def __init__(self, *args: Any, deliverers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deliverer"].widget.choices = [("", "Choose who runs it"), *deliverers]


class PlacementForm(forms.Form):
    pupil = forms.UUIDField(label="Pupil", widget=forms.Select)
    accountable_teacher = forms.IntegerField(
        label="Accountable teacher",
        widget=forms.Select,
        help_text="The pupil's class or subject teacher: they stay responsible for the pupil's progress.",
    )
    classroom_link = text_area(
        "Link to classroom teaching",
        help_text="How the class teacher will reinforce this in lessons this week (Code 6.52).",
    )
    starts_on = date_field("Starts")
    measure_kind = forms.ChoiceField(label="Measured by", choices=MeasureKind.choices)
    subject_code = forms.ChoiceField(
        label="Subject of the standardised score",
        required=False,
        help_text="For a standardised score: pupils with the same starting score in this subject, not "
        "in the group, are the comparison.",
    )
    entry_score = forms.FloatField(
        label="Entry measure", help_text="For a reading or spelling age, in months."
    )
    entry_on = date_field("Date of the entry measure")

    def __init__(
        self,
        *args: Any,
        pupils: list[tuple[str, str]],
        teachers: list[tuple[int, str]],
        subjects: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pupil"].widget.choices = [("", "Choose a pupil"), *pupils]
        self.fields["accountable_teacher"].widget.choices = [("", "Choose a teacher"), *teachers]
        subject = self.fields["subject_code"]
        assert isinstance(subject, forms.ChoiceField)
        subject.choices = [("", "Not a standardised score"), *subjects]


class ExitForm(forms.Form):
    exit_score = forms.FloatField(label="Exit measure", help_text="On the same scale as the entry measure.")
    exit_on = date_field("Date of the exit measure")


class ProgrammeForm(forms.Form):
    steps = text_area(
        "Steps or topics of the programme",
        required=False,
        rows=12,
        help_text="One on each line, in teaching order, each short (up to 80 characters), e.g. "
        "'Phase 3: ai, ee, igh'. Whoever logs a session ticks the ones covered instead of typing them.",
    )


class SessionLogForm(forms.Form):
    """Built for a phone: everyone ticked present by default, the programme's steps to tick, three big
    choices for how it went."""

    held_on = date_field("Date")
    present = forms.TypedMultipleChoiceField(
        label="Who came", coerce=str, required=False, widget=forms.CheckboxSelectMultiple
    )
    # Choices are the intervention's programme, so a pick from anywhere else is refused here (and again
    # by the service).
    picks = forms.MultipleChoiceField(
        label="What you covered", required=False, widget=forms.CheckboxSelectMultiple
    )
    covered = text_area("What you covered", rows=2)
    rating = forms.TypedChoiceField(
        label="How it went", coerce=int, choices=Rating.choices, widget=forms.RadioSelect
    )
    note = text_area("Note for the teacher", required=False, rows=2)

    def __init__(
        self, *args: Any, pupils: list[tuple[str, str]], programme: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = pupils
        picks = self.fields["picks"]
        assert isinstance(picks, forms.MultipleChoiceField)
        if programme:
            picks.choices = [(step, step) for step in programme]
            picks.help_text = "Tick the steps of the programme you worked on, and add anything else below."
            covered = self.fields["covered"]
            covered.label, covered.required = "Anything else you covered", False
        else:
            del self.fields["picks"]


class PlacementCorrectionForm(forms.Form):
    """The placement form's person-written fields (not the pupil, group or teacher), and the exit measure
    once recorded."""

    classroom_link = PlacementForm.base_fields["classroom_link"]
    measure_kind = PlacementForm.base_fields["measure_kind"]
    subject_code = PlacementForm.base_fields["subject_code"]
    entry_score = PlacementForm.base_fields["entry_score"]
    entry_on = PlacementForm.base_fields["entry_on"]

    def __init__(self, *args: Any, subjects: list[tuple[str, str]], exited: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subject = self.fields["subject_code"]
        assert isinstance(subject, forms.ChoiceField)
        subject.choices = [("", "Not a standardised score"), *subjects]
        if exited:
            self.fields.update(copy.deepcopy(ExitForm.base_fields))


class SessionLogCorrectionForm(forms.Form):
    """What the session log says, and who was there: one box for each pupil expected that day."""

    present = forms.TypedMultipleChoiceField(
        label="Who came", coerce=str, required=False, widget=forms.CheckboxSelectMultiple
    )
    covered = text_area("What was covered", rows=3)
    rating = SessionLogForm.base_fields["rating"]
    note = text_area("Note for the teacher", required=False, rows=2)

    def __init__(self, *args: Any, pupils: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = pupils
