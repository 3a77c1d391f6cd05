"""The annual review's deadlines, from dates alone: the review due 12 months after the issue or the last
meeting, papers two weeks before the meeting, the report two weeks after, each with its reason in words."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.lib.annual_review import (
    CODE,
    Kind,
    ReviewDates,
    State,
    add_months,
    deadlines,
    in_words,
    papers_due_by,
    report_due_by,
    review_due_on,
)

TODAY = dt.date(2026, 12, 7)


def _only(found, kind):
    (deadline,) = [d for d in found if d.kind is kind]
    return deadline


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (dt.date(2025, 3, 15), 12, dt.date(2026, 3, 15)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),  # a leap day, in a year without one
        (dt.date(2023, 2, 28), 12, dt.date(2024, 2, 28)),
        (dt.date(2027, 2, 28), 12, dt.date(2028, 2, 28)),  # not moved to the 29th of a leap year
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),  # a month end into a shorter month
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2025, 8, 31), 1, dt.date(2025, 9, 30)),
        (dt.date(2025, 12, 31), 12, dt.date(2026, 12, 31)),
        (dt.date(2025, 11, 30), 3, dt.date(2026, 2, 28)),  # across a year end
    ],
)
def test_it_adds_months_keeping_month_ends(day, months, expected):
    assert add_months(day, months) == expected


def test_it_writes_dates_in_words():
    assert in_words(dt.date(2026, 12, 7)) == "7 December 2026"


def test_it_makes_the_first_review_due_12_months_after_the_plan_was_issued():
    assert review_due_on(issued_on=dt.date(2026, 3, 1), reviews=[], today=TODAY) == dt.date(2027, 3, 1)


def test_it_restarts_the_clock_at_the_last_meeting_held():
    reviews = [ReviewDates(dt.date(2025, 11, 20)), ReviewDates(dt.date(2024, 11, 10))]
    assert review_due_on(issued_on=dt.date(2023, 12, 1), reviews=reviews, today=TODAY) == dt.date(
        2026, 11, 20
    )


def test_it_does_not_restart_the_clock_at_a_meeting_still_to_come():
    booked = [ReviewDates(dt.date(2026, 12, 20))]
    assert review_due_on(issued_on=dt.date(2026, 1, 10), reviews=booked, today=TODAY) == dt.date(2027, 1, 10)


def test_it_counts_from_the_issue_when_a_review_came_before_it():
    # A review recorded from an earlier plan's time does not bring the new plan's review forward.
    reviews = [ReviewDates(dt.date(2025, 1, 5))]
    assert review_due_on(issued_on=dt.date(2025, 6, 1), reviews=reviews, today=TODAY) == dt.date(2026, 6, 1)


def test_it_says_a_review_is_not_yet_due_outside_the_window():
    review = _only(deadlines(issued_on=dt.date(2026, 3, 1), reviews=[], today=TODAY), Kind.REVIEW)
    assert review.state is State.NOT_YET_DUE and review.words == "Not yet due"
    assert review.due_on == dt.date(2027, 3, 1)
    assert "The next annual review is due by 1 March 2027" in review.reason
    assert "12 months after the plan was issued on 1 March 2026" in review.reason
    assert review.paragraph == CODE["within_twelve_months"] == "9.169"


def test_it_says_a_review_is_due_soon_within_the_window_and_in_how_many_days():
    issued = dt.date(2025, 12, 28)  # due 28 December 2026: 21 days after TODAY, the last day of the window
    review = _only(deadlines(issued_on=issued, reviews=[], today=TODAY, soon_days=21), Kind.REVIEW)
    assert review.state is State.DUE_SOON and review.words == "Due soon"
    assert "due by 28 December 2026, in 21 days" in review.reason
    assert "No meeting is booked yet." in review.reason
    later = _only(deadlines(issued_on=issued, reviews=[], today=TODAY, soon_days=20), Kind.REVIEW)
    assert later.state is State.NOT_YET_DUE


def test_it_says_a_review_due_today_is_due_not_overdue():
    review = _only(deadlines(issued_on=dt.date(2025, 12, 7), reviews=[], today=TODAY), Kind.REVIEW)
    assert review.state is State.DUE_SOON
    assert "due by 7 December 2026, today" in review.reason


def test_it_says_a_review_is_overdue_the_day_after_and_by_how_long():
    review = _only(deadlines(issued_on=dt.date(2025, 12, 6), reviews=[], today=TODAY), Kind.REVIEW)
    assert review.state is State.OVERDUE and review.is_late and review.needs_action
    assert review.reason.startswith("The annual review was due by 6 December 2026")
    assert "1 day overdue" in review.reason


def test_it_notes_a_booked_meeting_and_one_booked_too_late():
    issued = dt.date(2025, 12, 20)
    in_time = _only(
        deadlines(issued_on=issued, reviews=[ReviewDates(dt.date(2026, 12, 15))], today=TODAY), Kind.REVIEW
    )
    assert "A meeting is booked for 15 December 2026." in in_time.reason
    assert in_time.meeting_on == dt.date(2026, 12, 15)
    too_late = _only(
        deadlines(issued_on=issued, reviews=[ReviewDates(dt.date(2027, 1, 12))], today=TODAY), Kind.REVIEW
    )
    assert "The meeting booked for 12 January 2027 is after that date: bring it forward." in too_late.reason


def test_it_counts_a_leap_day_issue_to_28_february():
    review = _only(
        deadlines(issued_on=dt.date(2024, 2, 29), reviews=[], today=dt.date(2025, 3, 1)), Kind.REVIEW
    )
    assert review.due_on == dt.date(2025, 2, 28)
    assert review.state is State.OVERDUE and "1 day overdue" in review.reason


def test_it_gives_no_next_review_once_the_plan_has_ceased():
    found = deadlines(issued_on=dt.date(2024, 1, 1), reviews=[], today=TODAY, is_open=False)
    assert found == []


def test_it_wants_papers_circulated_two_weeks_before_the_meeting():
    meeting = dt.date(2026, 12, 21)
    assert papers_due_by(meeting) == dt.date(2026, 12, 7)
    on_the_day = ReviewDates(meeting, papers_circulated_on=dt.date(2026, 12, 7))
    papers = _only(deadlines(issued_on=dt.date(2026, 1, 1), reviews=[on_the_day], today=TODAY), Kind.PAPERS)
    assert papers.state is State.DONE and not papers.is_late
    assert papers.reason == (
        "Advice and information circulated on 7 December 2026, at least two weeks before the meeting on "
        "21 December 2026."
    )
    assert papers.paragraph == "9.176"


def test_it_calls_papers_a_day_short_of_two_weeks_late():
    review = ReviewDates(dt.date(2026, 12, 21), papers_circulated_on=dt.date(2026, 12, 8))
    papers = _only(deadlines(issued_on=dt.date(2026, 1, 1), reviews=[review], today=TODAY), Kind.PAPERS)
    assert papers.state is State.DONE_LATE and papers.words == "Done late" and papers.is_late
    assert "only 13 days before the meeting on 21 December 2026" in papers.reason
    assert "the Code asks for two weeks (by 7 December 2026)" in papers.reason


def test_it_lists_papers_to_circulate_and_then_late_for_a_booked_meeting():
    review = ReviewDates(dt.date(2026, 12, 28))
    ahead = _only(deadlines(issued_on=dt.date(2026, 1, 1), reviews=[review], today=TODAY), Kind.PAPERS)
    assert ahead.state is State.TO_DO and ahead.due_on == dt.date(2026, 12, 14)
    assert ahead.reason.startswith(
        "To do: circulate the advice and information to everyone invited by 14 December"
    )
    assert "(in 7 days)" in ahead.reason
    late = _only(
        deadlines(issued_on=dt.date(2026, 1, 1), reviews=[review], today=dt.date(2026, 12, 15)), Kind.PAPERS
    )
    assert late.state is State.LATE and late.words == "Late"
    assert late.reason.startswith("Papers not circulated: the advice and information were due by 14 December")
    assert "or move the meeting" in late.reason


def test_it_says_when_a_past_meeting_has_no_date_for_its_papers():
    review = ReviewDates(dt.date(2026, 11, 2))
    papers = _only(deadlines(issued_on=dt.date(2026, 1, 1), reviews=[review], today=TODAY), Kind.PAPERS)
    assert papers.state is State.LATE
    assert papers.reason.startswith("No date is recorded for this")


def test_it_wants_invitations_with_two_weeks_notice():
    review = ReviewDates(dt.date(2026, 12, 21), invitations_sent_on=dt.date(2026, 12, 1))
    invitations = _only(
        deadlines(issued_on=dt.date(2026, 1, 1), reviews=[review], today=TODAY), Kind.INVITATIONS
    )
    assert invitations.state is State.DONE
    assert invitations.reason.startswith("Invitations sent on 1 December 2026")


def test_it_wants_the_report_within_two_weeks_after_the_meeting():
    meeting = dt.date(2026, 11, 23)
    assert report_due_by(meeting) == dt.date(2026, 12, 7)
    on_the_day = ReviewDates(meeting, report_sent_on=dt.date(2026, 12, 7))
    report = _only(deadlines(issued_on=dt.date(2026, 1, 1), reviews=[on_the_day], today=TODAY), Kind.REPORT)
    assert report.state is State.DONE and report.words == "Done"
    assert "within two weeks of the meeting on 23 November 2026" in report.reason
    assert report.paragraph == "9.176"
    day_late = ReviewDates(meeting, report_sent_on=dt.date(2026, 12, 8))
    late = _only(
        deadlines(issued_on=dt.date(2026, 1, 1), reviews=[day_late], today=dt.date(2026, 12, 9)), Kind.REPORT
    )
    assert late.state is State.DONE_LATE
    assert "1 day after the deadline of 7 December 2026" in late.reason


def test_it_lists_a_report_to_send_then_late():
    review = ReviewDates(dt.date(2026, 11, 30))
    to_send = _only(deadlines(issued_on=dt.date(2026, 1, 1), reviews=[review], today=TODAY), Kind.REPORT)
    assert to_send.state is State.TO_DO and to_send.due_on == dt.date(2026, 12, 14)
    assert "send the report of the meeting on 30 November 2026 to the local authority" in to_send.reason
    late = _only(
        deadlines(issued_on=dt.date(2026, 1, 1), reviews=[review], today=dt.date(2026, 12, 20)), Kind.REPORT
    )
    assert late.state is State.LATE and late.needs_action
    assert late.reason.startswith("Report not sent: it was due with the local authority by 14 December 2026")
    assert "(6 days late)" in late.reason


def test_it_gives_no_report_deadline_before_the_meeting():
    review = ReviewDates(dt.date(2026, 12, 28))
    found = deadlines(issued_on=dt.date(2026, 1, 1), reviews=[review], today=TODAY)
    assert [d.kind for d in found] == [Kind.REVIEW, Kind.INVITATIONS, Kind.PAPERS]


def test_it_counts_a_meeting_today_as_held():
    review = ReviewDates(TODAY, key="r1")
    found = deadlines(issued_on=dt.date(2026, 1, 1), reviews=[review], today=TODAY)
    report = _only(found, Kind.REPORT)
    assert report.state is State.TO_DO and report.review == "r1"
    assert _only(found, Kind.REVIEW).due_on == dt.date(2027, 12, 7)


def test_it_handles_the_two_weeks_across_a_month_end_and_a_leap_day():
    assert papers_due_by(dt.date(2028, 3, 13)) == dt.date(2028, 2, 28)
    assert papers_due_by(dt.date(2028, 3, 14)) == dt.date(2028, 2, 29)
    assert report_due_by(dt.date(2028, 2, 20)) == dt.date(2028, 3, 5)
    assert report_due_by(dt.date(2027, 12, 25)) == dt.date(2028, 1, 8)


def test_it_lists_the_newest_review_first_after_the_next_review():
    old, new = ReviewDates(dt.date(2025, 11, 3), key="old"), ReviewDates(dt.date(2026, 11, 2), key="new")
    found = deadlines(issued_on=dt.date(2024, 12, 1), reviews=[old, new], today=TODAY)
    assert found[0].kind is Kind.REVIEW
    assert [d.review for d in found[1:]] == ["new"] * 3 + ["old"] * 3
