"""The deadlines of an EHC plan's annual review, worked out from dates alone. Pure Python, no Django.

The SEND Code of Practice (January 2015), chapter 9, "Reviewing an EHC plan" (9.166 to 9.185):

- 9.166: an EHC plan must be reviewed by the local authority as a minimum every 12 months.
- 9.169: the first review must be held within 12 months of the date the plan was issued, and then within 12
  months of any previous review; the local authority's decision must reach the family within four weeks of
  the review meeting.
- 9.176, for a child at school: the parents, the school, the local authority's SEN officer, health and
  social care must be invited with at least two weeks' notice; the school seeks advice and information from
  all invited and sends it to them at least two weeks before the meeting; the school prepares a report of
  the meeting and sends it to everyone invited (the local authority among them) within two weeks of the
  meeting.

The paragraph numbers are in `CODE` (one table, as the reference asks, so a revised Code changes one place).
They are not in the project's reference file (docs of chapter 6 only): they were checked against public
pages that quote the Code's text with its numbers (local authorities' annual review guidance, IPSEA).

Tandem's readings, said here so the pages can say them too:

- "12 months after" is the same day a year later; 29 February gives 28 February in a year without it.
- The clock restarts at the last review meeting held (a meeting on or before the day asked about), not at an
  amendment: an amended plan does not restart it.
- "Two weeks" is 14 days: papers and invitations are on time when sent 14 days or more before the meeting;
  the report is on time when sent 14 days or fewer after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

#: The Code's paragraphs behind each deadline (SEND Code of Practice, January 2015, chapter 9).
CODE: dict[str, str] = {
    "every_twelve_months": "9.166",
    "within_twelve_months": "9.169",
    "local_authority_decision": "9.169",
    "two_weeks_notice": "9.176",
    "papers_two_weeks_before": "9.176",
    "report_two_weeks_after": "9.176",
}

TWO_WEEKS = dt.timedelta(days=14)
REVIEW_MONTHS = 12
LOCAL_AUTHORITY_DECISION = dt.timedelta(weeks=4)

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class Kind(StrEnum):
    REVIEW = "review"  # the next annual review of the plan
    INVITATIONS = "invitations"  # invitations with two weeks' notice of the meeting
    PAPERS = "papers"  # advice and information sent to all invited, two weeks before the meeting
    REPORT = "report"  # the school's report of the meeting, to the local authority, two weeks after it


class State(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    TO_DO = "to_do"  # not done, not yet late
    LATE = "late"  # not done, and the deadline has passed
    DONE = "done"
    DONE_LATE = "done_late"


STATE_WORDS = {
    State.NOT_YET_DUE: "Not yet due",
    State.DUE_SOON: "Due soon",
    State.OVERDUE: "Overdue",
    State.TO_DO: "To do",
    State.LATE: "Late",
    State.DONE: "Done",
    State.DONE_LATE: "Done late",
}


@dataclass(frozen=True)
class ReviewDates:
    """One annual review's dates, as recorded. `key` is the caller's id for it."""

    meeting_on: dt.date
    invitations_sent_on: dt.date | None = None
    papers_circulated_on: dt.date | None = None
    report_sent_on: dt.date | None = None
    key: str = ""


@dataclass(frozen=True)
class Deadline:
    kind: Kind
    state: State
    due_on: dt.date
    reason: str  # plain English, with the dates in words
    paragraph: str  # the Code's paragraph
    review: str = ""  # the review's key; "" for the plan's next annual review
    meeting_on: dt.date | None = None  # the review's meeting (the booked one, for the plan's next review)

    @property
    def words(self) -> str:
        """The state in a word or two, so a page never says it with colour alone."""
        return STATE_WORDS[self.state]

    @property
    def is_late(self) -> bool:
        return self.state in (State.OVERDUE, State.LATE, State.DONE_LATE)

    @property
    def needs_action(self) -> bool:
        return self.state in (State.DUE_SOON, State.OVERDUE, State.TO_DO, State.LATE)


def in_words(day: dt.date) -> str:
    """ "7 December 2026", whatever the machine's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it is shorter (31 January + 1 -> 28 or 29
    February; 29 February + 12 -> 28 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    last = (following - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def held_meetings(reviews: Iterable[ReviewDates], *, today: dt.date) -> list[dt.date]:
    """The review meetings held by `today` (a meeting on or before it), oldest first."""
    return sorted(r.meeting_on for r in reviews if r.meeting_on <= today)


def review_due_on(*, issued_on: dt.date, reviews: Iterable[ReviewDates], today: dt.date) -> dt.date:
    """By when the next annual review meeting must be held: 12 months after the plan was issued or the last
    review meeting held, whichever is later (Code 9.166, 9.169)."""
    start = max([issued_on, *held_meetings(reviews, today=today)])
    return add_months(start, REVIEW_MONTHS)


def papers_due_by(meeting_on: dt.date) -> dt.date:
    """The last day to send the advice and information to all invited: two weeks before the meeting
    (Code 9.176)."""
    return meeting_on - TWO_WEEKS


def invitations_due_by(meeting_on: dt.date) -> dt.date:
    """The last day to invite with two weeks' notice of the meeting (Code 9.176)."""
    return meeting_on - TWO_WEEKS


def report_due_by(meeting_on: dt.date) -> dt.date:
    """The last day to send the school's report of the meeting to the local authority and everyone invited:
    two weeks after the meeting (Code 9.176)."""
    return meeting_on + TWO_WEEKS


def decision_due_by(meeting_on: dt.date) -> dt.date:
    """The local authority tells the family whether it keeps, amends or ceases the plan within four weeks
    of the meeting (Code 9.169)."""
    return meeting_on + LOCAL_AUTHORITY_DECISION


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _until(today: dt.date, day: dt.date) -> str:
    n = (day - today).days
    if n == 0:
        return "today"
    if n == 1:
        return "tomorrow"
    return f"in {_days(n)}"


def _next_review(
    *, issued_on: dt.date, reviews: Sequence[ReviewDates], today: dt.date, soon_days: int
) -> Deadline:
    held = held_meetings(reviews, today=today)
    due = review_due_on(issued_on=issued_on, reviews=reviews, today=today)
    since = (
        f"12 months after the last review meeting on {in_words(held[-1])}"
        if held and held[-1] >= issued_on
        else f"12 months after the plan was issued on {in_words(issued_on)}"
    )
    booked = min((r.meeting_on for r in reviews if r.meeting_on > today), default=None)
    if booked is None:
        meeting = " No meeting is booked yet."
    elif booked <= due:
        meeting = f" A meeting is booked for {in_words(booked)}."
    else:
        meeting = f" The meeting booked for {in_words(booked)} is after that date: bring it forward."
    if today > due:
        late = (today - due).days
        state = State.OVERDUE
        reason = f"The annual review was due by {in_words(due)} ({since}): {_days(late)} overdue."
    elif (due - today).days <= soon_days:
        state = State.DUE_SOON
        reason = f"The annual review is due by {in_words(due)}, {_until(today, due)} ({since})."
    else:
        state = State.NOT_YET_DUE
        reason = f"The next annual review is due by {in_words(due)} ({since})."
    return Deadline(
        kind=Kind.REVIEW,
        state=state,
        due_on=due,
        reason=reason + meeting,
        paragraph=CODE["within_twelve_months"],
        meeting_on=booked,
    )


def _before_meeting(
    review: ReviewDates,
    *,
    kind: Kind,
    done_on: dt.date | None,
    today: dt.date,
    task: str,
    thing: str,
    did: str,
    not_done: str,
) -> Deadline:
    """Invitations or papers: on time when sent two weeks or more before the meeting."""
    meeting = in_words(review.meeting_on)
    due = review.meeting_on - TWO_WEEKS
    when = f"{in_words(due)}, two weeks before the meeting on {meeting}"
    if done_on is not None and done_on <= due:
        state = State.DONE
        reason = f"{did} on {in_words(done_on)}, at least two weeks before the meeting on {meeting}."
    elif done_on is not None:
        state = State.DONE_LATE
        short = (review.meeting_on - done_on).days
        reason = (
            f"{did} on {in_words(done_on)}, only {_days(short)} before the meeting on {meeting}: "
            f"the Code asks for two weeks (by {in_words(due)})."
        )
    elif today > due and review.meeting_on < today:
        state = State.LATE
        reason = f"No date is recorded for this: {thing} were due by {when}."
    elif today > due:
        state = State.LATE
        reason = f"{not_done}: {thing} were due by {when}. {task.capitalize()} now, or move the meeting."
    else:
        state = State.TO_DO
        reason = (
            f"To do: {task} by {in_words(due)} ({_until(today, due)}), two weeks before the meeting on "
            f"{meeting}."
        )
    return Deadline(
        kind=kind,
        state=state,
        due_on=due,
        reason=reason,
        paragraph=CODE["papers_two_weeks_before" if kind is Kind.PAPERS else "two_weeks_notice"],
        review=review.key,
        meeting_on=review.meeting_on,
    )


def _report(review: ReviewDates, *, today: dt.date) -> Deadline | None:
    if review.meeting_on > today:
        return None  # not due until the meeting has been held
    meeting = in_words(review.meeting_on)
    due = report_due_by(review.meeting_on)
    sent = review.report_sent_on
    if sent is not None and sent <= due:
        state = State.DONE
        reason = (
            f"Report sent to the local authority on {in_words(sent)}, within two weeks of the meeting on "
            f"{meeting}."
        )
    elif sent is not None:
        state = State.DONE_LATE
        reason = (
            f"Report sent to the local authority on {in_words(sent)}, {_days((sent - due).days)} after "
            f"the deadline of {in_words(due)} (two weeks after the meeting on {meeting})."
        )
    elif today > due:
        state = State.LATE
        reason = (
            f"Report not sent: it was due with the local authority by {in_words(due)}, two weeks after the "
            f"meeting on {meeting} ({_days((today - due).days)} late)."
        )
    else:
        state = State.TO_DO
        reason = (
            f"To do: send the report of the meeting on {meeting} to the local authority and everyone "
            f"invited by {in_words(due)} ({_until(today, due)})."
        )
    return Deadline(
        kind=Kind.REPORT,
        state=state,
        due_on=due,
        reason=reason,
        paragraph=CODE["report_two_weeks_after"],
        review=review.key,
        meeting_on=review.meeting_on,
    )


def review_deadlines(review: ReviewDates, *, today: dt.date) -> list[Deadline]:
    """One review's deadlines on `today`: invitations and papers two weeks before its meeting, and its
    report two weeks after (once the meeting has been held)."""
    found = [
        _before_meeting(
            review,
            kind=Kind.INVITATIONS,
            done_on=review.invitations_sent_on,
            today=today,
            task="send the invitations",
            thing="the invitations",
            did="Invitations sent",
            not_done="Invitations not sent",
        ),
        _before_meeting(
            review,
            kind=Kind.PAPERS,
            done_on=review.papers_circulated_on,
            today=today,
            task="circulate the advice and information to everyone invited",
            thing="the advice and information",
            did="Advice and information circulated",
            not_done="Papers not circulated",
        ),
    ]
    report = _report(review, today=today)
    return [*found, report] if report is not None else found


def deadlines(
    *,
    issued_on: dt.date,
    reviews: Sequence[ReviewDates],
    today: dt.date,
    soon_days: int = 21,
    is_open: bool = True,
) -> list[Deadline]:
    """For a plan and its reviews on `today`: the next annual review (overdue, due within `soon_days`, or not
    yet due; none once the plan has ceased), then each review's invitations, papers and report, newest
    review first. Each deadline has its state, its date and a plain-English reason."""
    found: list[Deadline] = []
    if is_open:
        found.append(_next_review(issued_on=issued_on, reviews=reviews, today=today, soon_days=soon_days))
    for review in sorted(reviews, key=lambda r: r.meeting_on, reverse=True):
        found.extend(review_deadlines(review, today=today))
    return found
