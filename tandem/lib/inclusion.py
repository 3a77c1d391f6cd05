"""Time in the inclusion base: a check that the reason given is support, never a sanction, and the
weekly time in words.

Pure Python, no Django. An inclusion base is a place for teaching and support in a small group, planned
with a return to lessons. Sending a pupil there as a punishment turns it into internal exclusion, which
is a different decision with its own rules; so a purpose that reads as a sanction is refused, the way
tandem/lib/smart.py refuses "n/a" as a target. The list below is deliberately short and matches whole
words only: extend it with a test, not by guesswork.
"""

from __future__ import annotations

import re

from tandem.lib.text import fold, without_invisible_characters

SANCTION_REFUSED = (
    "The inclusion base is for support, not sanctions: describe the teaching or support the pupil will "
    "get there. A sanction (a detention, isolation, an exclusion) is a behaviour decision, recorded "
    "under the school's behaviour policy, not here."
)

# Whole words and phrases that make a purpose a sanction, with their common forms.
SANCTION_PHRASES: tuple[str, ...] = (
    r"detentions?",
    r"isolation",
    r"(?:internal\s+)?exclu(?:sion|sions|ded)",
    r"punish(?:ment|ments|ed|ing)?",
    r"sanction(?:s|ed)?",
    r"remov(?:al|ed)\s+from\s+(?:the\s+)?(?:class|classes|lessons?|the\s+classroom)",
    r"behaviou?r\s+consequences?",
)
_SANCTION = re.compile(r"\b(?:" + "|".join(SANCTION_PHRASES) + r")\b")


def sanction_words(text: str) -> list[str]:
    """The words in `text` that make it read as a sanction, as written (lower case), in order."""
    plain = " ".join(fold(without_invisible_characters(text)).split())
    return [match.group(0) for match in _SANCTION.finditer(plain)]


def reads_as_sanction(text: str) -> bool:
    return bool(sanction_words(text))


def weekly_minutes(*, sessions_per_week: int, minutes_per_session: int) -> int:
    return sessions_per_week * minutes_per_session


def hours_and_minutes(minutes: int) -> str:
    """ "2 hours 30 minutes", "45 minutes", "1 hour": how long, as people say it."""
    hours, rest = divmod(max(0, minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if rest or not hours:
        parts.append(f"{rest} minute{'' if rest == 1 else 's'}")
    return " ".join(parts)
