"""Checks every service shares, so each refuses bad input with the same clear words and writes nothing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.lib.text import invisible_characters


def require_text(**fields: str) -> dict[str, str]:
    """Strip each field; refuse the whole write if a required one is empty, naming every empty field."""
    cleaned = {name: (value or "").strip() for name, value in fields.items()}
    missing = {name: "This cannot be left empty." for name, value in cleaned.items() if not value}
    if missing:
        raise ValidationError(missing)
    return cleaned


def require_visible_name(value: str, field: str) -> str:
    """A person's name as typed, stripped; refused if it holds invisible formatting characters (which can
    make one name look like another: tandem/lib/text.py). Imports take them out with a warning instead."""
    name = value.strip()
    hidden = invisible_characters(name)
    if hidden:
        raise ValidationError(
            {
                field: f"This name contains invisible formatting characters ({', '.join(hidden)}), which can "
                "make one name look like another. Type it again without them."
            }
        )
    return name


def require_past_or_today(day: dt.date | None, field: str) -> dt.date:
    if day is None:
        raise ValidationError({field: "Enter a date."})
    if day > timezone.localdate():
        raise ValidationError({field: "This date is in the future: record it once it has happened."})
    return day


def require_date(day: dt.date | None, field: str, message: str) -> dt.date:
    if day is None:
        raise ValidationError({field: message})
    return day
