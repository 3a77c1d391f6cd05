from __future__ import annotations

from django import forms

from tandem.core.forms import date_field, text_area
from tandem.progress.models import ResponseOutcome


class FirstResponseForm(forms.Form):
    subject = forms.ChoiceField(label="Subject", required=False)
    weakness = text_area("The weakness to target", help_text="What exactly is the pupil finding hard?")
    adjustments = text_area(
        "What you will change in class",
        help_text="High-quality teaching aimed at the weakness: seating, pre-teaching, scaffolds, feedback.",
        rows=4,
    )
    starts_on = date_field("Start date")
    review_on = date_field(
        "Review date",
        help_text="Usually 4 to 6 weeks from the start.",
        missing="Enter a review date: when will you check it has worked?",
    )
    concern = forms.UUIDField(required=False, widget=forms.HiddenInput)
    flag = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FirstResponseReviewForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=ResponseOutcome.choices, widget=forms.RadioSelect)
    note = text_area("What you found", help_text="The evidence: marks, work, observations.")
    reviewed_on = date_field("Date of the review")
    next_review_on = date_field("Next review date", required=False, help_text="Only when you continue.")
