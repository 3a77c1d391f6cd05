"""Parent sentences and staff percentile notes (tandem/progress/explain.py): pure, vectorised, no Django."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from tandem.exchange.parent_pdf import find_jargon
from tandem.progress.explain import parent_sentences, percentile_notes

CODES = (-1, 0, 1)
# Every combination of the four criteria: 81 rows in one call.
COMBOS = np.array(list(itertools.product(CODES, repeat=4)))
FORBIDDEN = re.compile(r"\d|%|\bSD\b|percentile|criterion|criteria", re.IGNORECASE)


def _sentences(rows: np.ndarray, *, name: str = "Kai", subject: str = "reading", when: str = "this term"):
    return parent_sentences(
        name=name,
        subject=subject,
        when=when,
        peers=rows[:, 0],
        own_rate=rows[:, 1],
        not_closing=rows[:, 2],
        widening=rows[:, 3],
    )


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        (0, "Kai made less progress in reading this term than most pupils who started at the same level."),
        (1, "Kai made less progress in reading this term than they had been making before."),
        (
            2,
            "Kai is still further behind in reading than most pupils of the same age, "
            "and the gap did not close.",
        ),
        (3, "Kai fell further behind in reading than most pupils of the same age."),
    ],
)
def test_it_says_what_each_criterion_found_in_a_parents_words(criterion, expected):
    row = np.zeros((1, 4), dtype=np.int64)
    row[0, criterion] = 1
    assert str(_sentences(row)[0]) == expected


def test_it_gives_one_sentence_per_criterion_that_holds_in_the_codes_order():
    text = str(_sentences(np.array([[1, 0, -1, 1]]))[0])
    assert text == (
        "Kai made less progress in reading this term than most pupils who started at the same level. "
        "Kai fell further behind in reading than most pupils of the same age."
    )


def test_it_says_progress_was_as_expected_or_that_there_is_not_enough_information():
    sentences = _sentences(
        np.array([[0, 0, 0, 0], [0, -1, -1, -1], [-1, -1, -1, -1]]), when="in the spring term"
    )
    assert sentences.tolist() == [
        "Kai made the progress we would expect in reading in the spring term.",
        "Kai made the progress we would expect in reading in the spring term.",
        "There is not enough information yet to say how much progress Kai made in reading.",
    ]


def test_it_never_puts_a_figure_or_a_staff_word_in_a_parent_sentence():
    sentences = _sentences(COMBOS).tolist() + _sentences(COMBOS, when="", subject="mathematics").tolist()
    assert len(sentences) == 2 * 81 and all(sentences)
    for text in sentences:
        assert not FORBIDDEN.search(text), text
        assert find_jargon(text) == [], text
        assert "  " not in text and " ." not in text, text


def test_it_reports_less_progress_exactly_when_a_criterion_holds():
    held = COMBOS == 1
    sentences = _sentences(COMBOS)
    flagged = np.array(["less progress" in text or "behind" in text for text in sentences.tolist()])
    assert (flagged == held.any(axis=1)).all()


def test_it_builds_a_whole_lists_sentences_in_one_call_with_per_row_names_and_subjects():
    n = 10_000
    rng = np.random.default_rng(4)
    rows = rng.choice(CODES, size=(n, 4))
    names = np.array(["Kai", "Ellis"] * (n // 2))
    subjects = np.array(["reading", "mathematics"] * (n // 2))
    sentences = parent_sentences(
        name=names,
        subject=subjects,
        when="this term",
        peers=rows[:, 0],
        own_rate=rows[:, 1],
        not_closing=rows[:, 2],
        widening=rows[:, 3],
    )
    assert sentences.shape == (n,)
    assert str(sentences[1]).startswith(
        ("Ellis ", "There is not enough information yet to say how much progress Ellis")
    )
    assert "mathematics" in str(sentences[1]) and "reading" not in str(sentences[1])


# ---------------------------------------------------------------- staff notes follow the stored flag
def test_it_words_a_low_percentile_within_measurement_error_as_not_flagged():
    # Growth percentile 18 against a threshold of 20, but its interval reaches 27: (a) does not hold.
    note = str(percentile_notes(percentile=18, high=27, peers=0, threshold=20))
    assert note == (
        "growth percentile 18, below 20 but within measurement error of it (it could be as high as 27), "
        "so not flagged"
    )


def test_it_words_a_significantly_low_percentile_as_flagged():
    note = str(percentile_notes(percentile=12, high=17, peers=1, threshold=20))
    assert note == "growth percentile 12, below 20 even allowing for measurement error: flagged"


@pytest.mark.parametrize("threshold", [20, 35])
def test_its_note_agrees_with_the_stored_flag_for_every_percentile(threshold):
    pct = np.arange(1, 100)
    high = np.minimum(pct + 9, 99)
    for code in CODES:
        peers = np.full(pct.shape, code)
        notes = percentile_notes(percentile=pct, high=high, peers=peers, threshold=threshold).tolist()
        for p, note in zip(pct.tolist(), notes, strict=True):
            says_flagged = note.endswith(": flagged")
            says_not_flagged = "not flagged" in note or note.endswith(f"not below {threshold}")
            assert says_flagged == (code == 1), note
            if code == 0:
                assert says_not_flagged, note
            # Below the threshold is never printed without saying why it is or is not flagged.
            if p < threshold:
                assert "flagged" in note or "not enough data" in note, note


def test_it_says_when_there_is_no_percentile():
    assert str(percentile_notes(percentile=-1, high=-1, peers=-1, threshold=20)) == "no growth percentile"
