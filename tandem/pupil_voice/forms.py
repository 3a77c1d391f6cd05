from __future__ import annotations

from typing import Any

from django import forms

from tandem.core.forms import date_field
from tandem.lib.about_me import ANSWER_LIMIT, QUESTIONS
from tandem.pupil_voice.models import HowRecorded
from tandem.pupil_voice.services import CHOOSE_HOW


def _answer(label: str, hint: str) -> forms.CharField:
    # No "(optional)" and no character count beside a child's question: any may be left out (the page says
    # so once), and the browser stops typing at the limit, which the service checks again.
    return forms.CharField(
        label=label,
        required=False,
        max_length=ANSWER_LIMIT,
        help_text=hint,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "class": "answer", "spellcheck": "true"}),
        error_messages={
            "max_length": "Keep this to %(limit_value)s characters or fewer (it has %(show_value)s)."
        },
    )


class AboutMeForm(forms.Form):
    """The four questions, then the adult's part: how the answers were recorded, and when."""

    how_recorded = forms.ChoiceField(
        label="How were these answers recorded?",
        choices=HowRecorded.choices,
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_HOW, "invalid_choice": CHOOSE_HOW},
    )
    recorded_on = date_field("Date you did this together")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        answers = {q.field: _answer(q.heading, q.hint) for q in QUESTIONS}
        self.fields = {**answers, **self.fields}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[q.field] for q in QUESTIONS]
