"""Support plans ready for the Individual Support Plan (ISP) the 2026 Schools White Paper proposes: the
layers of support, the kinds of plan, how parents and pupils took part, the yearly review rule and the
turnaround from a need being identified to the plan being agreed. Pure Python: the models, forms, the plan
file's schema (tandem/lib/plan_schema.py) and the parents' PDF all read these words from here, so they cannot
drift apart.

The law has not changed yet: the 2015 SEND Code of Practice still applies, and Tandem calls nothing a
statutory ISP until it does (docs/graduated-approach.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tandem.lib.dates import months_after


@dataclass(frozen=True)
class Term:
    code: str  # stored, and written in plan files
    label: str  # shown
    meaning: str = ""  # one plain sentence, for help text and parents


LAYERS: tuple[Term, ...] = (
    Term("universal", "Universal", "High-quality, inclusive teaching that every pupil gets in class."),
    Term(
        "targeted",
        "Targeted",
        "Extra help for common needs, such as small-group work, speech and language support or adapted "
        "lessons.",
    ),
    Term(
        "targeted_plus",
        "Targeted plus",
        "More expert help for less common needs, such as visiting specialists or time in an inclusion base.",
    ),
    Term("specialist", "Specialist", "Support for the most complex needs, usually with an EHC plan."),
)
DEFAULT_LAYER = "targeted"

PLAN_TYPES: tuple[Term, ...] = (
    Term("sen_support", "SEN support plan", "The plan for a pupil on SEN support, as the 2015 Code says."),
    Term(
        "isp",
        "Individual Support Plan",
        "The plan the 2026 Schools White Paper proposes for every child with SEND: not law yet.",
    ),
    Term("ehc", "EHC plan", "The school's plan for a pupil who has an education, health and care plan."),
)
DEFAULT_PLAN_TYPE = "sen_support"
ISP = "isp"
ISP_NOT_LAW = (
    "The Individual Support Plan is proposed in the 2026 Schools White Paper; the law has not changed yet, "
    "so the 2015 Code still applies and a school uses it only once Tandem is set up for it."
)

DID_NOT_TAKE_PART = "none"
_TOOK_PART: tuple[Term, ...] = (
    Term("meeting", "In a meeting"),
    Term("call", "By phone or video"),
    Term("writing", "In writing"),
    Term("tandem", "Through Tandem"),
)
PARENT_PARTICIPATION: tuple[Term, ...] = (*_TOOK_PART, Term(DID_NOT_TAKE_PART, "Did not take part"))
PUPIL_PARTICIPATION: tuple[Term, ...] = (
    *_TOOK_PART,
    Term("about_me", "Through 'about me'"),
    Term("with_help", "With an adult's help"),
    Term("observed", "Not yet able to say, views gathered by observation"),
    Term(DID_NOT_TAKE_PART, "Did not take part"),
)
REASON_LIMIT = 300

REVIEW_WITHIN_MONTHS = 12


def codes(terms: tuple[Term, ...]) -> list[str]:
    return [term.code for term in terms]


def label_of(terms: tuple[Term, ...], code: str) -> str:
    """The words for a code; "" for a code not in the list (or none)."""
    return next((term.label for term in terms if term.code == code), "")


def layer_help() -> str:
    """What each layer means, one sentence each, for a form's help text."""
    return " ".join(f"{term.label}: {term.meaning[0].lower()}{term.meaning[1:]}" for term in LAYERS)


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


def date_in_words(day: dt.date) -> str:
    """ "7 December 2026", whatever the machine's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def latest_review_on(starts_on: dt.date) -> dt.date:
    """The last day a plan starting on `starts_on` may be reviewed: at least once a year, as the White Paper
    proposes for ISPs and most schools already do (termly is usual)."""
    return months_after(starts_on, REVIEW_WITHIN_MONTHS)


def review_date_problem(*, starts_on: dt.date, review_on: dt.date) -> str | None:
    """Why a plan's review date cannot stand, in words for the person choosing it; None when it can."""
    if review_on <= starts_on:
        return "The review date must be after the plan starts."
    latest = latest_review_on(starts_on)
    if review_on > latest:
        return (
            f"Review the plan at least once a year: the review date can be no more than "
            f"{REVIEW_WITHIN_MONTHS} months after the plan starts, so {date_in_words(latest)} at the latest. "
            "Most schools review termly."
        )
    return None


def turnaround_days(*, need_identified_on: dt.date | None, agreed_on: dt.date | None) -> int | None:
    """Days from the need being identified to the plan being agreed with the parents; None unless both
    dates are known."""
    if need_identified_on is None or agreed_on is None:
        return None
    return (agreed_on - need_identified_on).days
