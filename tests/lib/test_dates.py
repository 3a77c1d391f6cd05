import datetime as dt

from tandem.lib.dates import academic_year_label, academic_year_start


def test_it_starts_the_school_year_on_the_first_of_september():
    assert academic_year_start(dt.date(2026, 9, 1)) == dt.date(2026, 9, 1)
    assert academic_year_start(dt.date(2026, 8, 31)) == dt.date(2025, 9, 1)
    assert academic_year_start(dt.date(2027, 1, 15)) == dt.date(2026, 9, 1)


def test_it_labels_the_school_year():
    assert academic_year_label(dt.date(2026, 11, 23)) == "2026/27"
    assert academic_year_label(dt.date(2000, 3, 1)) == "1999/00"
