"""Words for parents and carers: the questions staff ask them, and what the school does for their child said
the way a parent would say it ("3 times a week, 20 minutes each time"). Pure: no Django."""

from __future__ import annotations

from collections.abc import Iterable

# What staff ask a parent before a review or meeting, unless they change it (SEND Code of Practice 6.64:
# the parents' views are part of the assessment; plain words, one thing per question).
DEFAULT_QUESTIONS: tuple[str, ...] = (
    "What is going well for your child?",
    "What is worrying you?",
    "What would you like school to work on next?",
    "Is there anything else you want us to know before we meet?",
)
QUESTION_LIMIT = 300
QUESTIONS_MOST = 10

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class QuestionProblem(ValueError):
    """Why a set of questions cannot be sent, in words for the member of staff who typed them."""


def questions_from_text(text: str) -> list[str]:
    """One question a line, as typed in the box: blank lines dropped, spaces trimmed, repeats kept once."""
    lines = (line.strip() for line in text.replace("\r\n", "\n").split("\n"))
    return list(dict.fromkeys(line for line in lines if line))


def checked_questions(questions: Iterable[str]) -> list[str]:
    """The questions as they will be sent, or QuestionProblem: at least one, at most QUESTIONS_MOST, each
    no longer than QUESTION_LIMIT characters."""
    cleaned = list(dict.fromkeys(q.strip() for q in questions if q and q.strip()))
    if not cleaned:
        raise QuestionProblem("Ask at least one question.")
    if len(cleaned) > QUESTIONS_MOST:
        raise QuestionProblem(
            f"Ask at most {QUESTIONS_MOST} questions (there are {len(cleaned)}): "
            "a short set gets more answers."
        )
    long = [n for n, q in enumerate(cleaned, start=1) if len(q) > QUESTION_LIMIT]
    if long:
        which = ", ".join(str(n) for n in long)
        raise QuestionProblem(
            f"Keep each question to {QUESTION_LIMIT} characters or fewer (question {which} is longer)."
        )
    return cleaned


def times_a_week(sessions: int) -> str:
    if sessions == 1:
        return "once a week"
    if sessions == 2:
        return "twice a week"
    return f"{sessions} times a week"


def how_often(*, sessions_per_week: int, minutes_per_session: int, weeks: int) -> str:
    """ "3 times a week, 20 minutes each time, for 10 weeks" """
    minutes = "1 minute" if minutes_per_session == 1 else f"{minutes_per_session} minutes"
    span = "1 week" if weeks == 1 else f"{weeks} weeks"
    return f"{times_a_week(sessions_per_week).capitalize()}, {minutes} each time, for {span}"


def days_in_words(days: Iterable[int]) -> str:
    """[0, 2, 4] -> "Monday, Wednesday and Friday"; every weekday -> "Every school day"; none -> ""."""
    chosen = sorted({d for d in days if 0 <= d < len(_DAY_NAMES)})
    if chosen == [0, 1, 2, 3, 4]:
        return "Every school day"
    names = [_DAY_NAMES[d] for d in chosen]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
