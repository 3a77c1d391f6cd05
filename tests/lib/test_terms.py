"""Terms as date ranges, for reports that look back term by term."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.lib.terms import day_in_words, period_in_words, term_containing, term_end, terms_up_to


def test_it_ends_each_term_on_its_last_day():
    assert term_end(dt.date(2026, 10, 5)) == dt.date(2026, 12, 31)
    assert term_end(dt.date(2027, 2, 1)) == dt.date(2027, 3, 31)
    assert term_end(dt.date(2027, 8, 31)) == dt.date(2027, 8, 31)


def test_it_names_a_term_with_its_school_year():
    term = term_containing(dt.date(2027, 1, 15))
    assert (term.name, term.start_year, term.label) == ("spring", 2026, "Spring 2026/27")
    assert (term.starts_on, term.ends_on) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))


def test_it_counts_back_terms_across_a_school_year_oldest_first():
    labels = [t.label for t in terms_up_to(dt.date(2026, 12, 7), 3)]
    assert labels == ["Spring 2025/26", "Summer 2025/26", "Autumn 2026/27"]


def test_it_refuses_to_count_no_terms():
    with pytest.raises(ValueError, match="at least one term"):
        terms_up_to(dt.date(2026, 12, 7), 0)


def test_it_words_a_whole_term_by_its_name_and_other_periods_by_their_dates():
    assert period_in_words(dt.date(2026, 9, 1), dt.date(2026, 12, 31)) == "Autumn 2026/27"
    assert (
        period_in_words(dt.date(2026, 9, 3), dt.date(2026, 12, 18)) == "3 September 2026 to 18 December 2026"
    )


def test_it_writes_dates_in_words_whatever_the_locale():
    assert day_in_words(dt.date(2026, 12, 7)) == "7 December 2026"
