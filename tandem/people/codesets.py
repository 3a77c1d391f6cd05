"""Subjects every school starts with, kept in step with the database after every migrate (and flush)."""

from __future__ import annotations

from typing import Any

SUBJECTS = [
    ("reading", "Reading"),
    ("writing", "Writing"),
    ("maths", "Mathematics"),
    ("english", "English"),
    ("science", "Science"),
]


def sync_subjects(*, using: str = "default", **_: Any) -> None:
    from tandem.people.models import Subject

    for code, name in SUBJECTS:
        Subject.objects.using(using).update_or_create(code=code, defaults={"name": name})
