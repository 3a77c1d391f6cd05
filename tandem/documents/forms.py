"""Forms for the school's documents: which document and period to draft, and the school's text for each
section of a draft."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from tandem.core.forms import date_field, text_area
from tandem.documents.content import StoredSection
from tandem.documents.kinds import kind_choices
from tandem.documents.services import SECTION_TEXT_LIMIT


class NewDocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Document",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the document to draft."},
    )
    period_start = date_field(
        "Covers from", help_text="The first day the document reports on, usually the first day of the term."
    )
    period_end = date_field(
        "Covers to",
        help_text="The last day it reports on. While the period is still running, figures are as they stand "
        "on the day you draft or refresh them.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()  # type: ignore[attr-defined]


def text_field_name(key: str) -> str:
    return f"text_{key}"


class SectionTextForm(forms.Form):
    """One box per section of a draft, each holding the school's own text for it."""

    def __init__(self, *args: Any, sections: Sequence[StoredSection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section_keys = [section.key for section in sections]
        for section in sections:
            self.fields[text_field_name(section.key)] = text_area(
                f"Your text: {section.section.title}",
                required=False,
                rows=6,
                max_length=SECTION_TEXT_LIMIT,
                help_text=section.section.guidance,
            )
            self.initial.setdefault(text_field_name(section.key), section.text)

    def texts(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(text_field_name(key), "") for key in self.section_keys}
