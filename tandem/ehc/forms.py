"""Forms for EHC plans, their sections and annual reviews. Each field is labelled in plain words; the
services check everything again, so a refusal shows beside the field it is about."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.core.forms import date_field, text_area
from tandem.ehc.models import EhcStatus, Recommendation
from tandem.ehc.services import LOCAL_AUTHORITY_LIMIT, NO_NEED_TYPE
from tandem.lib.annual_review import CODE


def _choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class EhcPlanForm(forms.Form):
    local_authority = forms.CharField(
        label="Local authority",
        max_length=LOCAL_AUTHORITY_LIMIT,
        help_text="The council that issued and maintains the plan, for example 'Kent County Council'.",
        error_messages={"required": "Enter the local authority that issued the plan."},
    )
    issued_on = date_field(
        "Date the final plan was issued",
        help_text="The first annual review is due within 12 months of this date "
        f"(Code {CODE['within_twelve_months']}).",
        missing="Enter the date the local authority issued the final plan.",
    )
    last_amended_on = date_field(
        "Date it was last amended",
        required=False,
        help_text="Leave empty if it has not been amended. An amendment does not restart the 12 months.",
    )


class EhcPlanEditForm(EhcPlanForm):
    status = forms.ChoiceField(
        label="Is the plan still maintained?",
        choices=EhcStatus.choices,
        widget=forms.RadioSelect,
        help_text="Choose Ceased once the local authority has told you it no longer maintains the plan.",
    )
    ceased_on = date_field(
        "Date the plan ceased", required=False, help_text="Only for a plan that has ceased."
    )


class NeedForm(forms.Form):
    text = text_area(
        "What section B says", help_text="The need in the plan's own words, or a short summary of it.", rows=4
    )
    need_type = forms.ChoiceField(
        label="Type of need",
        help_text="The census type of need this part of section B describes; its broad area follows from it.",
        error_messages={"required": NO_NEED_TYPE, "invalid_choice": NO_NEED_TYPE},
    )

    def __init__(self, *args: Any, need_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "need_type", [("", "Choose a type of need"), *need_types])


class OutcomeForm(forms.Form):
    text = text_area("What section E says", help_text="The outcome in the plan's own words.", rows=4)
    target_ids = forms.MultipleChoiceField(
        label="SMART targets working towards it",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Targets from the pupil's support plans. The annual review shows their latest progress.",
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if targets:
            _choices(self, "target_ids", targets)
        else:  # no targets yet: the outcome is recorded, and linked once the support plan has targets
            del self.fields["target_ids"]


class ProvisionForm(forms.Form):
    text = text_area(
        "What section F says",
        help_text="The provision in the plan's own words: what, how often, for how long, by whom.",
        rows=4,
    )
    intervention_ids = forms.MultipleChoiceField(
        label="Interventions from the school's catalogue",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    placement_ids = forms.MultipleChoiceField(
        label="The pupil's places in intervention groups",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Where the provision is being made now, so its sessions count as evidence.",
    )

    def __init__(
        self,
        *args: Any,
        interventions: list[tuple[str, str]],
        placements: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("intervention_ids", interventions), ("placement_ids", placements)):
            if choices:
                _choices(self, name, choices)
            else:
                del self.fields[name]


_PREPARATION_HELP = {
    "invitations_sent_on": "The parents, the school, the local authority's SEN officer, health and social "
    f"care are invited with at least two weeks' notice (Code {CODE['two_weeks_notice']}).",
    "advice_requested_on": "When advice and information were asked for from everyone invited.",
    "papers_circulated_on": "The advice and information gathered go to everyone invited at least two weeks "
    f"before the meeting (Code {CODE['papers_two_weeks_before']}).",
}


class ReviewBookingForm(forms.Form):
    meeting_on = date_field("Date of the review meeting", missing="Enter the date of the review meeting.")
    invitations_sent_on = date_field(
        "Invitations sent on", required=False, help_text=_PREPARATION_HELP["invitations_sent_on"]
    )
    advice_requested_on = date_field(
        "Advice asked for on", required=False, help_text=_PREPARATION_HELP["advice_requested_on"]
    )
    papers_circulated_on = date_field(
        "Advice and information circulated on",
        required=False,
        help_text=_PREPARATION_HELP["papers_circulated_on"],
    )


class ReviewRecordForm(ReviewBookingForm):
    who_attended = text_area("Who attended", required=False, rows=2)
    parent_views = text_area("The parents' views", required=False)
    pupil_views = text_area(
        "The pupil's views", required=False, help_text="In their own words where possible, however given."
    )
    working = text_area(
        "What is working", required=False, help_text="Progress towards the plan's outcomes, and what helps."
    )
    not_working = text_area("What is not working", required=False)
    recommendation = forms.ChoiceField(
        label="The school's recommendation to the local authority",
        required=False,
        choices=[("", "Not decided yet"), *Recommendation.choices],
        widget=forms.RadioSelect,
    )
    amendments = text_area(
        "Amendments recommended",
        required=False,
        help_text="Needed when recommending an amendment: what should change in the plan, and why.",
    )
    differences = text_area(
        "Where others at the meeting recommended differently",
        required=False,
        help_text="The report should say where the family or others disagreed with the school "
        f"(Code {CODE['report_two_weeks_after']}).",
    )
    report_sent_on = date_field(
        "Report sent to the local authority on",
        required=False,
        help_text="Within two weeks of the meeting, to the local authority and everyone invited "
        f"(Code {CODE['report_two_weeks_after']}).",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
