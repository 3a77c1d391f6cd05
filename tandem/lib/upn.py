"""Unique pupil numbers: the DfE check-letter rule, with reasons a person can act on.

Pure Python, no Django: used by imports, forms and the demo generator.
A failing UPN is a warning to show, never something to "fix".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The 23 letters the DfE uses: no I, O or S (they look like 1, 0 and 5).
ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
_FORMAT = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$")
# Social-care returns use these for "UPN not known"; they are no UPN at all.
UNKNOWN_MARKERS = frozenset({"UN1", "UN2", "UN3", "UN4", "UN5"})


@dataclass(frozen=True)
class UpnCheck:
    upn: str
    valid: bool
    temporary: bool = False
    reason: str = ""


def check_letter(body: str) -> str:
    """The check letter for characters 2-13 of a UPN (12 characters)."""
    if len(body) != 12:
        raise ValueError("A UPN body has 12 characters.")
    total = 0
    for position, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else ALPHABET.index(char)
        total += value * position
    return ALPHABET[total % 23]


def check_upn(upn: str) -> UpnCheck:
    """Check a UPN as given. Surrounding spaces are reported, not stripped, so nothing is silently changed."""
    if upn in UNKNOWN_MARKERS:
        return UpnCheck(upn, False, reason=f"{upn} means the UPN is not known; record no UPN instead.")
    if upn != upn.strip():
        return UpnCheck(upn, False, reason="It has spaces before or after it.")
    if len(upn) != 13:
        return UpnCheck(upn, False, reason=f"A UPN has 13 characters; this has {len(upn)}.")
    if upn != upn.upper():
        return UpnCheck(upn, False, reason="UPN letters are capitals.")
    first, middle, last = upn[0], upn[1:12], upn[12]
    if first not in ALPHABET:
        return UpnCheck(
            upn, False, reason=f"It must start with a check letter (A-Z except I, O and S), not '{first}'."
        )
    if not middle.isdigit():
        return UpnCheck(upn, False, reason="Characters 2 to 12 must all be digits.")
    if not (last.isdigit() or last in ALPHABET):
        return UpnCheck(
            upn,
            False,
            reason=f"The last character must be a digit or a letter other than I, O and S, not '{last}'.",
        )
    assert _FORMAT.match(upn)
    temporary = last.isalpha()
    expected = check_letter(upn[1:])
    if expected != first:
        return UpnCheck(
            upn,
            False,
            temporary=temporary,
            reason=(
                f"The check letter is '{first}' but the digits give '{expected}': "
                "a character was probably mistyped or two were swapped."
            ),
        )
    return UpnCheck(upn, True, temporary=temporary)
