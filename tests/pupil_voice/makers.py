"""A builder for "about me" records, for the tests of pages that quote them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tandem.pupil_voice.models import AboutMe, HowRecorded


def make_about_me(pupil: Any, *, recorded_with: Any, **fields: Any) -> AboutMe:
    values = {
        "good_at": "Drawing dinosaurs.",
        "what_helps": "A quiet place to work.",
        "what_is_hard": "Loud assemblies.",
        "what_i_want": "To read chapter books.",
        "how_recorded": HowRecorded.SAID,
        "recorded_on": timezone.localdate(),
        **fields,
    }
    return AboutMe.objects.create(pupil=pupil, school=pupil.school, recorded_with=recorded_with, **values)
