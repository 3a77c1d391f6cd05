from __future__ import annotations

import pytest

from tandem.lib.text import (
    REDACTED,
    counted,
    invisible_characters,
    redact_names,
    without_invisible_characters,
)

# A Persian word spelt with the zero-width non-joiner (escaped: its letters look like Latin ones).
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"


@pytest.mark.parametrize(
    ("raw", "clean", "found"),
    [
        ("Ada Okafor", "Ada Okafor", []),
        ("Zoë O'Brien-Łukasz", "Zoë O'Brien-Łukasz", []),
        ("محمد", "محمد", []),
        # "Trojan Source": an override that shows "Ada" with the rest reversed.
        ("Ada\u202eroFakO\u202c", "AdaroFakO", ["U+202E", "U+202C"]),
        ("Ada\u2067 Okafor\u2069", "Ada Okafor", ["U+2067", "U+2069"]),
        ("\u200fAda", "Ada", ["U+200F"]),
        ("Ada\u200bOkafor", "AdaOkafor", ["U+200B"]),
        ("\ufeffAda", "Ada", ["U+FEFF"]),
        ("Ok\u00adafor", "Okafor", ["U+00AD"]),
        ("Ada\u2060", "Ada", ["U+2060"]),
        # A joiner between Latin letters, or at an edge, hides nothing but is no part of any spelling.
        ("Ad\u200da", "Ada", ["U+200D"]),
        ("\u200cAda", "Ada", ["U+200C"]),
        # Persian spells some words with the zero-width non-joiner, Hindi some conjuncts with the joiner.
        (PERSIAN, PERSIAN, []),
        ("क्\u200dष", "क्\u200dष", []),
    ],
)
def test_it_finds_and_removes_invisible_characters(raw: str, clean: str, found: list[str]):
    assert invisible_characters(raw) == found
    assert without_invisible_characters(raw) == clean


def test_it_redacts_whole_names_whatever_their_case_and_leaves_other_words():
    text = "Worked with Amy Lee and amy; Leeds trip. Tom joined. Tomas did not."
    redacted = redact_names(text, ["Amy Lee", "Amy", "Tom"])
    assert redacted == f"Worked with {REDACTED} and {REDACTED}; Leeds trip. {REDACTED} joined. Tomas did not."


def test_it_leaves_text_alone_with_no_names():
    assert redact_names("Read well today.", []) == "Read well today."


def test_it_counts_nouns_in_the_singular_and_the_plural():
    assert counted(1, "session") == "1 session"
    assert counted(0, "session") == "0 sessions"
    assert counted(2, "row") == "2 rows"
    assert counted(3, "child", "children") == "3 children"
