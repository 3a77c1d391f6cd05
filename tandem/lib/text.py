"""Characters that change how text is shown without being seen themselves. Pure Python, no Django.

In a name they can make one person look like another, or hide part of a name: the bidirectional embeddings,
overrides and isolates (the "Trojan Source" characters), the direction marks, the zero-width space, the word
joiner, the byte-order mark and the soft hyphen. The zero-width non-joiner and joiner are different: Persian,
Urdu and other Arabic-script names, and names in Indic scripts, are spelt with them, so they are kept between
two letters when either is not Latin, and count as invisible anywhere else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_INVISIBLE = frozenset(
    [
        *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO
        *range(0x2066, 0x206A),  # LRI, RLI, FSI, PDI
        0x200E,  # left-to-right mark
        0x200F,  # right-to-left mark
        0x061C,  # Arabic letter mark
        0x200B,  # zero-width space
        0x2060,  # word joiner
        0xFEFF,  # byte-order mark / zero-width no-break space
        0x00AD,  # soft hyphen
    ]
)
_JOINERS = frozenset([0x200C, 0x200D])  # zero-width non-joiner, zero-width joiner
_LAST_LATIN = 0x024F


def _letter(char: str) -> bool:
    return unicodedata.category(char)[0] in ("L", "M")


def _spelling_joiner(text: str, index: int) -> bool:
    """A joiner between two letters, one of them from a script beyond Latin, is part of the spelling."""
    if index == 0 or index == len(text) - 1:
        return False
    before, after = text[index - 1], text[index + 1]
    return _letter(before) and _letter(after) and max(ord(before), ord(after)) > _LAST_LATIN


def invisible_characters(text: str) -> list[str]:
    """The invisible characters in `text` (their code points as U+XXXX), in order, repeats included."""
    found = []
    for index, char in enumerate(text):
        code = ord(char)
        if code in _INVISIBLE or (code in _JOINERS and not _spelling_joiner(text, index)):
            found.append(f"U+{code:04X}")
    return found


def without_invisible_characters(text: str) -> str:
    """`text` with the invisible characters taken out (spelling joiners kept)."""
    return "".join(
        char
        for index, char in enumerate(text)
        if not (ord(char) in _INVISIBLE or (ord(char) in _JOINERS and not _spelling_joiner(text, index)))
    )


REDACTED = "[another pupil]"


def name_redactor(names: list[str]) -> Callable[[str], str]:
    """A function that replaces every whole-word, case-insensitive occurrence of each name with REDACTED,
    longest names first (so "Amy Lee" goes whole, not as "Amy" then "Lee"). Built once for many texts."""
    wanted = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if not wanted:
        return lambda text: text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in wanted) + r")(?!\w)", re.IGNORECASE)
    return lambda text: pattern.sub(REDACTED, text) if text else text


def redact_names(text: str, names: list[str]) -> str:
    return name_redactor(names)(text)


def counted(count: int, noun: str, plural: str = "") -> str:
    """ "1 row", "2 rows", "0 rows"; `plural` for a noun that does not just take an s ("2 children")."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _fold_table() -> tuple[str, str]:
    """Letters with accents (Latin-1 and Latin Extended-A, both cases) and the plain lower-case letter each
    folds to: one character for one, so the database can do the same with translate() (whose lower() may
    leave accented capitals alone) and the two always agree."""
    plain_from, plain_to = [], []
    for code in range(0xC0, 0x250):
        letter = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))
        if letter != base and len(base) == 1 and base.isascii() and base.isalpha():
            plain_from.append(letter)
            plain_to.append(base.lower())
    # Letters with a stroke have no decomposition, but people type them without it ("Lukasz", "Oystein").
    # Multi-letter ones (ß, æ, œ) cannot fold one for one and are left as they are.
    for letter, base in zip("ŁłØøĐđĦħı", "llooddhhi", strict=True):
        plain_from.append(letter)
        plain_to.append(base)
    return "".join(plain_from), "".join(plain_to)


FOLD_FROM, FOLD_TO = _fold_table()
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)


def fold(text: str) -> str:
    """Lower case without accents, for searching names: "José" and "jose" both fold to "jose"."""
    # Accents first, then case: lower() would turn "İ" into "i" and a combining dot the table never sees.
    return text.translate(_FOLD).lower()
