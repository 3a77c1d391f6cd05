from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from tandem.core.forms import date_field, text_area
from tandem.lib.isp import ISP_NOT_LAW, REASON_LIMIT, REVIEW_WITHIN_MONTHS, layer_help
from tandem.plans.models import (
    NextStep,
    ParentParticipation,
    PlanType,
    PupilParticipation,
    Target,
    TargetOutcome,
)
from tandem.plans.services import NO_REVIEW_DATE
from tandem.provision.models import Layer

NOT_RECORDED = ("", "Not recorded")


class PlanForm(forms.Form):
    summary = text_area(
        "Assess: summary", help_text="Where the pupil is now and why support is needed.", rows=4
    )
    strengths = text_area("Strengths")
    needs = text_area("Needs", help_text="In plain words parents will understand.")
    pupil_views = text_area("The pupil's views")
    parent_views = text_area("The parents' views")
    evidence = text_area(
        "Evidence",
        required=False,
        help_text="Filled in with the pupil's latest progress figures; edit freely.",
        rows=5,
    )
    strategies = text_area("Plan: what every adult does in class", rows=4)
    intervention_ids = forms.MultipleChoiceField(
        label="Interventions from the school's catalogue",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Additional support outside class. Tick each one the plan uses.",
    )
    other_interventions = text_area(
        "Other support outside class",
        required=False,
        help_text="Anything not in the catalogue, for example a visit from a specialist teacher.",
    )
    expected_impact = text_area("Expected impact", help_text="What will be different by the review?")
    starts_on = date_field("Plan starts")
    review_on = date_field(
        "Review date",
        help_text=f"A clear date to review the plan with the parents (Code 6.48), no more than "
        f"{REVIEW_WITHIN_MONTHS} months after it starts.",
        missing=NO_REVIEW_DATE,
    )
    # Ready for an Individual Support Plan (tandem/lib/isp.py). Optional: the 2015 Code asks for none of them.
    layer = forms.ChoiceField(
        label="Layer of support",
        choices=Layer.choices,
        initial=Layer.TARGETED,
        required=False,
        widget=forms.RadioSelect,
        help_text=layer_help(),
    )
    plan_type = forms.ChoiceField(
        label="Kind of plan",
        choices=PlanType.choices,
        initial=PlanType.SEN_SUPPORT,
        required=False,
        widget=forms.RadioSelect,
        help_text=ISP_NOT_LAW,
    )
    need_identified_on = date_field(
        "Need first identified on",
        required=False,
        help_text="When the school first noticed the need (a concern or a progress flag). With the date the "
        "plan was agreed, the plan page shows how long it took.",
    )
    agreed_on = date_field("Plan agreed with the parents on", required=False)
    parent_participation = forms.ChoiceField(
        label="How the parents took part",
        choices=[NOT_RECORDED, *ParentParticipation.choices],
        required=False,
    )
    parent_participation_reason = forms.CharField(
        label="Why the parents did not take part",
        required=False,
        max_length=REASON_LIMIT,
        help_text="Only when they did not take part: why, and what was tried.",
    )
    pupil_participation = forms.ChoiceField(
        label="How the pupil took part",
        choices=[NOT_RECORDED, *PupilParticipation.choices],
        required=False,
    )
    pupil_participation_reason = forms.CharField(
        label="Why the pupil did not take part",
        required=False,
        max_length=REASON_LIMIT,
        help_text="Only when they did not take part: why, and what was tried.",
    )

    def __init__(self, *args: Any, interventions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if interventions:
            _choices(self, "intervention_ids", interventions)
        else:  # nothing in the catalogue yet: the words below are the only way to say it
            del self.fields["intervention_ids"]
        # An Individual Support Plan only once the school is set up for it (the law has not changed yet); a
        # plan written as one while it was offered keeps the choice when it is corrected.
        if not settings.TANDEM_ISP_ENABLED and self.initial.get("plan_type") != PlanType.ISP:
            _choices(self, "plan_type", [c for c in PlanType.choices if c[0] != PlanType.ISP])


def _choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def add_review_text(form: forms.Form) -> None:
    """A reviewed plan's correction form also holds the words of its review."""
    form.fields["review_summary"] = text_area("What the review found", rows=4)
    form.fields["review_pupil_views"] = text_area("The pupil's views at the review")
    form.fields["review_parent_views"] = text_area("The parents' views at the review")


class TargetForm(forms.Form):
    skill = text_area(
        "The skill or behaviour", help_text="What the pupil will be able to do, e.g. 'Read aloud…'."
    )
    measure = text_area("How it is measured", help_text="Who checks, with what, how often.")
    baseline = text_area("Where the pupil is now")
    success_criterion = text_area(
        "What counts as met", help_text="A number, proportion or frequency to check."
    )
    due_on = date_field(
        "By when",
        help_text="On or before the plan's review date.",
        missing="No deadline: by when should the pupil have met this target?",
    )
    supporter_ids = forms.TypedMultipleChoiceField(
        label="Staff who support this target",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The pupil's own teachers and teaching assistants come first.",
    )
    other_supporters = forms.CharField(
        label="Others who support",
        required=False,
        max_length=300,
        help_text="Anyone not on the staff list, for example 'speech and language therapist (termly visit)'.",
    )
    advice_checked = forms.BooleanField(
        label="I have read the advice above and the wording is right as it is",
        required=False,
        help_text="Only for advice about wording; missing elements must be filled in.",
    )

    def __init__(self, *args: Any, supporters: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "supporter_ids", supporters)


class TargetProgressForm(forms.Form):
    recorded_on = date_field("Date")
    note = text_area("Progress", help_text="Against the success criterion: e.g. 'Read 31 of 64 words'.")
    evidence = text_area("Evidence", required=False)


class DoNoteForm(forms.Form):
    note = text_area("What happened", help_text="In class and in support this week.")


class ReviewForm(forms.Form):
    reviewed_on = date_field("Date of the review")
    summary = text_area("What the review found", rows=4)
    pupil_views = text_area("The pupil's views")
    parent_views = text_area("The parents' views")
    next_step = forms.ChoiceField(label="Next step", choices=NextStep.choices, widget=forms.RadioSelect)
    next_review_on = date_field("Next review date", required=False, help_text="For the next cycle.")

    def __init__(self, *args: Any, targets: list[Target], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target_fields: list[str] = []
        for target in targets:
            name = f"target_{target.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"Target: {target.skill}",
                choices=[("", "Choose"), *TargetOutcome.choices],
                help_text=f"Met when: {target.success_criterion}",
            )
            self.target_fields.append(name)
        # Targets first: the review is about them.
        order = [*self.target_fields, "reviewed_on", "summary", "pupil_views", "parent_views"]
        self.order_fields(order)

    def target_outcomes(self) -> dict[str, str]:
        return {name.removeprefix("target_"): self.cleaned_data.get(name, "") for name in self.target_fields}


class MeetingForm(forms.Form):
    held_on = date_field("Date of the meeting")
    led_by = forms.IntegerField(
        label="Led by", widget=forms.Select, error_messages={"required": "Choose who led the meeting."}
    )
    who_attended = forms.CharField(label="Who attended", max_length=300)
    parent_views = text_area("The parents' views")
    pupil_views = text_area("The pupil's views", required=False)
    discussed = text_area("What was discussed")
    agreed_actions = text_area("Agreed actions", help_text="Who does what, by when.")
    shared_with_parents_on = date_field("Record given to the parents on", required=False)
    next_meeting_on = date_field("Next meeting", required=False)

    def __init__(self, *args: Any, leaders: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["led_by"].widget.choices = [("", "Choose who led it"), *leaders]
