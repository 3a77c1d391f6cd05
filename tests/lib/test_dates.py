import datetime as dt

import pytest

from tandem.lib.dates import (
    academic_year_label,
    academic_year_start,
    one_month_after,
    term_label,
    term_of,
    term_start,
    terms_ended,
)


def test_it_starts_the_school_year_on_the_first_of_september():
    assert academic_year_start(dt.date(2026, 9, 1)) == dt.date(2026, 9, 1)
    assert academic_year_start(dt.date(2026, 8, 31)) == dt.date(2025, 9, 1)
    assert academic_year_start(dt.date(2027, 1, 15)) == dt.date(2026, 9, 1)


def test_it_labels_the_school_year():
    assert academic_year_label(dt.date(2026, 11, 23)) == "2026/27"
    assert academic_year_label(dt.date(2000, 3, 1)) == "1999/00"


def test_it_gives_a_subject_access_request_one_calendar_month():
    assert one_month_after(dt.date(2026, 12, 7)) == dt.date(2027, 1, 7)
    assert one_month_after(dt.date(2027, 1, 31)) == dt.date(2027, 2, 28)
    assert one_month_after(dt.date(2028, 1, 31)) == dt.date(2028, 2, 29)
    assert one_month_after(dt.date(2026, 3, 31)) == dt.date(2026, 4, 30)
    assert one_month_after(dt.date(2026, 11, 30)) == dt.date(2026, 12, 30)


@pytest.mark.parametrize(
    ("day", "term", "start", "ended"),
    [
        (dt.date(2026, 9, 1), "autumn", dt.date(2026, 9, 1), 0),
        (dt.date(2026, 12, 31), "autumn", dt.date(2026, 9, 1), 0),
        (dt.date(2027, 1, 1), "spring", dt.date(2027, 1, 1), 1),
        (dt.date(2027, 3, 31), "spring", dt.date(2027, 1, 1), 1),
        (dt.date(2027, 4, 1), "summer", dt.date(2027, 4, 1), 2),
        (dt.date(2027, 8, 31), "summer", dt.date(2027, 4, 1), 2),
    ],
)
def test_it_places_a_day_in_its_term(day, term, start, ended):
    assert term_of(day) == term
    assert term_start(day) == start
    assert terms_ended(day) == ended


def test_it_labels_terms_so_they_sort_as_they_read():
    labels = [term_label("autumn", 2024), term_label("spring", 2024), term_label("summer", 2024)]
    assert labels == ["Autumn 2024/25", "Spring 2024/25", "Summer 2024/25"]
    assert term_label("autumn", 2099) == "Autumn 2099/00"
