"""Forms for parents and carers (plain words, one thing a question) and for the staff who link them."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.core.forms import date_field, text_area
from tandem.lib.family_words import QUESTION_LIMIT, QUESTIONS_MOST, questions_from_text
from tandem.parents.models import ANSWER_LIMIT, RELATIONSHIP_LIMIT
from tandem.parents.services import GOOD_TIMES_LIMIT, PURPOSE_LIMIT


class ParentInviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="Tandem emails them a link to set a password. The email never names the child.",
        error_messages={"invalid": "Enter an email address, like name@example.com."},
    )
    full_name = forms.CharField(
        label="Full name",
        required=False,
        max_length=200,
        help_text="Needed if they are new to Tandem.",
    )
    relationship = forms.CharField(
        label="Relationship to the pupil",
        max_length=RELATIONSHIP_LIMIT,
        help_text="For example: Mother, Father, Grandmother, Foster carer.",
    )


class ViewsRequestForm(forms.Form):
    purpose = forms.CharField(
        label="What the views are for",
        max_length=PURPOSE_LIMIT,
        help_text="Parents see this, for example: Before the review of the support plan.",
    )
    reply_by = date_field("Answers by", missing="Enter the date you would like answers by.")
    questions = text_area(
        "Questions",
        rows=6,
        max_length=QUESTIONS_MOST * (QUESTION_LIMIT + 2),
        help_text=f"One question a line, in plain words; at most {QUESTIONS_MOST}. Change them as you wish.",
    )
    for_plan = forms.BooleanField(label="For the review of the current support plan", required=False)

    def __init__(self, *args: Any, plan_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plan_label:
            self.fields["for_plan"].label = plan_label
            self.fields["for_plan"].help_text = "The answers are then shown on the plan's review page."
        else:
            del self.fields["for_plan"]

    def question_list(self) -> list[str]:
        return questions_from_text(self.cleaned_data["questions"])


class ParentViewsForm(forms.Form):
    """One box per question the school asked; answer the ones you want to."""

    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, question in enumerate(questions):
            self.fields[f"answer_{number}"] = text_area(
                question, required=False, rows=4, max_length=ANSWER_LIMIT
            )
        self.question_count = len(questions)

    def answers(self) -> list[str]:
        return [self.cleaned_data.get(f"answer_{n}", "") for n in range(self.question_count)]


class MeetingResponseForm(forms.Form):
    agrees = forms.ChoiceField(
        label="Is this a fair record of the meeting?",
        choices=[("yes", "This is a fair record"), ("no", "Something is not right")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether this is a fair record."},
    )
    comment = text_area(
        "Anything you want to add or change",
        required=False,
        max_length=ANSWER_LIMIT,
        help_text="Needed if something is not right: tell the school what, so they can put it right.",
    )


class MeetingRequestForm(forms.Form):
    about = text_area("What would you like to talk about?", rows=4, max_length=ANSWER_LIMIT)
    good_times = forms.CharField(
        label="When suits you?",
        required=False,
        max_length=GOOD_TIMES_LIMIT,
        help_text="For example: after school on Tuesdays, or any morning before 9.",
    )
