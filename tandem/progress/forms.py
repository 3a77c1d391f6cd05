from __future__ import annotations

from typing import Any

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


class ProgressSettingsForm(forms.Form):
    """The settings a school or trust may change; each field's hint is the setting's documented reason."""

    growth_threshold = forms.IntegerField(
        label="Flag growth percentiles below", min_value=1, max_value=99, help_text="Criterion (a)."
    )
    growth_significance = forms.FloatField(
        label="Significance level for criterion (a)", min_value=0.001, max_value=0.5
    )
    rci_z = forms.FloatField(
        label="Reliable change: z above which a change counts", min_value=0.5, max_value=4
    )
    behind_gap_z = forms.FloatField(
        label="Behind peers: gap (in standard deviations) below which a pupil counts as behind",
        min_value=-3,
        max_value=1,
    )
    reference_population = forms.ChoiceField(
        label="Compare pupils with",
        choices=[
            ("school", "Pupils at the same school"),
            ("trust", "Pupils across the trust (every school in the run)"),
            ("published", "The test's national norms where it has them"),
        ],
    )
    rate_lookback_intervals = forms.IntegerField(
        label="Criterion (b): earlier intervals the pupil's previous rate of progress is measured over",
        min_value=1,
        max_value=6,
    )
    long_gap_horizon = forms.IntegerField(
        label="Criterion (d): intervals back the gap's level and trend are measured over",
        min_value=2,
        max_value=8,
        required=False,
        help_text="Leave empty to compare only this window's gap with the one before.",
    )
    use_sgp = forms.BooleanField(
        label="Use growth percentiles (quantile regression) for large cohorts", required=False
    )

    def __init__(self, *args: Any, reasons: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.help_text = " ".join(part for part in (str(field.help_text), reasons.get(name, "")) if part)
