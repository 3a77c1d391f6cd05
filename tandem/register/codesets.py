"""The census type-of-need code set, kept in step with the database after every migrate (and flush)."""

from __future__ import annotations

from typing import Any

# Census type-of-need codes and their broad areas (SEND Code of Practice 6.28-6.35).
NEED_TYPES = [
    ("SLCN", "Speech, language and communication needs", "communication", True),
    ("ASD", "Autistic spectrum disorder", "communication", True),
    ("SPLD", "Specific learning difficulty", "cognition", True),
    ("MLD", "Moderate learning difficulty", "cognition", True),
    ("SLD", "Severe learning difficulty", "cognition", True),
    ("PMLD", "Profound and multiple learning difficulty", "cognition", True),
    ("SEMH", "Social, emotional and mental health", "semh", True),
    ("HI", "Hearing impairment", "sensory_physical", True),
    ("VI", "Vision impairment", "sensory_physical", True),
    ("MSI", "Multi-sensory impairment", "sensory_physical", True),
    ("PD", "Physical disability", "sensory_physical", True),
    ("OTH", "Other difficulty or disability", "uncategorised", True),
    ("NSA", "SEN support but no specialist assessment of type of need", "uncategorised", True),
    # Replaced by SEMH in 2015: history only.
    ("BESD", "Behaviour, emotional and social difficulty (legacy)", "semh", False),
]


def sync_need_types(*, using: str = "default", **_: Any) -> None:
    from tandem.register.models import NeedType

    for order, (code, name, area, current) in enumerate(NEED_TYPES):
        NeedType.objects.using(using).update_or_create(
            code=code, defaults={"name": name, "broad_area": area, "is_current": current, "sort_order": order}
        )
