"""Assessment scales, kept in step with the database after every migrate (and flush)."""

from __future__ import annotations

from typing import Any

# Points for grade scales are ordinal steps; only their order is used for progress.
PRIMARY_TA = [
    ("PK1", 1, "Pre-key stage 1"),
    ("PK2", 2, "Pre-key stage 2"),
    ("PK3", 3, "Pre-key stage 3"),
    ("PK4", 4, "Pre-key stage 4"),
    ("PK5", 5, "Pre-key stage 5"),
    ("PK6", 6, "Pre-key stage 6"),
    ("WTS", 7, "Working towards the expected standard"),
    ("EXS", 8, "Working at the expected standard"),
    ("GDS", 9, "Working at greater depth"),
]
GCSE = [("U", 0, "Ungraded")] + [(str(g), g, f"Grade {g}") for g in range(1, 10)]

SCALES = [
    {
        "code": "standardised",
        "name": "Standardised score (mean 100, SD 15)",
        "kind": "standardised",
        "min_points": 69,
        "max_points": 141,
        "norm_mean": 100,
        "norm_sd": 15,
        "reliability": 0.9,
        "measurement_error": 4.7,
        "grades": [],
    },
    {
        "code": "primary-ta",
        "name": "Primary teacher assessment (pre-key stage to greater depth)",
        "kind": "grade",
        "min_points": 1,
        "max_points": 9,
        "grades": [{"code": c, "points": p, "label": label} for c, p, label in PRIMARY_TA],
        "measurement_error": 1,
    },
    {
        "code": "gcse-working-at",
        "name": "Secondary working-at grade (GCSE 9-1)",
        "kind": "grade",
        "min_points": 0,
        "max_points": 9,
        "grades": [{"code": c, "points": p, "label": label} for c, p, label in GCSE],
        "measurement_error": 1,
    },
]


def sync_scales(*, using: str = "default", **_: Any) -> None:
    from tandem.assessment.models import Scale

    for scale in SCALES:
        values: dict[str, Any] = dict(scale)
        code = values.pop("code")
        Scale.objects.using(using).update_or_create(code=code, defaults=values)
