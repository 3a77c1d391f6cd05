import datetime as dt

from tandem.lib.dates import academic_year_label, academic_year_start, one_month_after


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
