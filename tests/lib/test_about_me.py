from __future__ import annotations

import datetime as dt

from tandem.lib.about_me import ANSWER_LIMIT, NOTHING_ANSWERED, answer_problems, labelled_lines, long_date


def test_it_needs_at_least_one_answer():
    assert answer_problems({}) == (NOTHING_ANSWERED, {})
    assert answer_problems({"good_at": "", "what_i_want": ""}) == (NOTHING_ANSWERED, {})
    assert answer_problems({"what_i_want": "A dog."}) == ("", {})


def test_it_names_each_answer_that_is_too_long():
    whole, per_field = answer_problems(
        {"good_at": "x" * ANSWER_LIMIT, "what_helps": "y" * (ANSWER_LIMIT + 1)}
    )
    assert whole == ""
    assert per_field == {"what_helps": "Keep this to 1,000 characters or fewer (it has 1,001)."}


def test_it_writes_the_answers_as_labelled_lines_dated_and_attributed():
    text = labelled_lines(
        {"good_at": "Football\nand drawing", "what_helps": "", "what_is_hard": "Spelling", "what_i_want": ""},
        recorded_on=dt.date(2026, 12, 7),
        adult="Ms Rivers",
        how="The pupil said it and an adult wrote it down",
    )
    assert text.splitlines() == [
        "What I am good at: Football and drawing",
        "What is hard for me: Spelling",
        '(From "About me" on 7 December 2026, with Ms Rivers. The pupil said it and an adult wrote it down.)',
    ]


def test_it_fits_four_full_answers_in_the_plans_box():
    full = {f: "x" * ANSWER_LIMIT for f in ("good_at", "what_helps", "what_is_hard", "what_i_want")}
    text = labelled_lines(full, recorded_on=dt.date(2026, 1, 1), adult="A" * 200, how="B" * 100)
    assert len(text) < 5_000


def test_it_writes_dates_without_a_leading_zero():
    assert long_date(dt.date(2026, 3, 4)) == "4 March 2026"
