"""Writes for a pupil's own views ("about me")."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404
from tandem.audit.services import audit_record
from tandem.core.validation import require_past_or_today
from tandem.lib.about_me import FIELDS, answer_problems
from tandem.people.models import Pupil
from tandem.pupil_voice.models import AboutMe, HowRecorded

CHOOSE_HOW = "Choose how the answers were recorded."


def about_me_record(
    *,
    actor: Actor,
    pupil: Pupil,
    how_recorded: str,
    recorded_on: dt.date | None,
    good_at: str = "",
    what_helps: str = "",
    what_is_hard: str = "",
    what_i_want: str = "",
) -> AboutMe:
    """Save what the pupil said about themselves, with the signed-in adult as the one who helped. Any
    question may be left out (a pupil may only want to answer one), but not all of them."""
    # Checked again here, not trusted from the caller: the adult must reach the pupil to add their views.
    pupil = pupil_or_404(actor, pupil.pk, Resource.PUPIL_VIEWS, Action.ADD)
    given = {
        "good_at": good_at,
        "what_helps": what_helps,
        "what_is_hard": what_is_hard,
        "what_i_want": what_i_want,
    }
    answers = {name: (value or "").strip() for name, value in given.items()}
    whole, per_field = answer_problems(answers)
    errors: dict[str, list[str]] = {name: [message] for name, message in per_field.items()}
    if whole:
        errors[NON_FIELD_ERRORS] = [whole]
    if how_recorded not in HowRecorded.values:
        errors["how_recorded"] = [CHOOSE_HOW]
    try:
        day = require_past_or_today(recorded_on, "recorded_on")
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        # Every problem at once: the adult and the pupil put them all right in one go.
        raise ValidationError(errors)
    with transaction.atomic():
        about = AboutMe.objects.create(
            pupil=pupil,
            school_id=pupil.school_id,
            how_recorded=how_recorded,
            recorded_with_id=actor.user_id,
            recorded_on=day,
            **answers,
        )
        audit_record(
            actor=actor,
            action="about_me.record",
            target_type="about_me",
            target_id=about.pk,
            school_id=pupil.school_id,
            fields=[*(f for f in FIELDS if answers[f]), "how_recorded", "recorded_on"],
        )
        return about
