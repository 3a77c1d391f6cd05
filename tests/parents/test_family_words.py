"""The pure wording helpers for parents (tandem/lib/family_words.py)."""

from __future__ import annotations

import pytest

from tandem.lib.family_words import (
    DEFAULT_QUESTIONS,
    QuestionProblem,
    checked_questions,
    days_in_words,
    how_often,
    questions_from_text,
)


def test_it_reads_one_question_a_line():
    text = "  What is going well?\r\n\r\nWhat is hard?\nWhat is going well?\n"
    assert questions_from_text(text) == ["What is going well?", "What is hard?"]


def test_it_keeps_the_default_questions_as_they_are():
    assert checked_questions(DEFAULT_QUESTIONS) == list(DEFAULT_QUESTIONS)


@pytest.mark.parametrize(
    ("questions", "words"),
    [
        ([], "at least one"),
        (["  "], "at least one"),
        ([f"Q{n}?" for n in range(11)], "at most 10"),
        (["x" * 301], "question 1"),
    ],
)
def test_it_refuses_questions_parents_could_not_answer_well(questions, words):
    with pytest.raises(QuestionProblem, match=words):
        checked_questions(questions)


def test_it_says_how_often_in_a_parents_words():
    assert how_often(sessions_per_week=3, minutes_per_session=20, weeks=10) == (
        "3 times a week, 20 minutes each time, for 10 weeks"
    )
    assert (
        how_often(sessions_per_week=1, minutes_per_session=1, weeks=1)
        == "Once a week, 1 minute each time, for 1 week"
    )
    assert how_often(sessions_per_week=2, minutes_per_session=30, weeks=6).startswith("Twice a week")


@pytest.mark.parametrize(
    ("days", "words"),
    [
        ([0, 1, 2, 3, 4], "Every school day"),
        ([4, 0, 2], "Monday, Wednesday and Friday"),
        ([1], "Tuesday"),
        ([], ""),
    ],
)
def test_it_names_the_days(days, words):
    assert days_in_words(days) == words
