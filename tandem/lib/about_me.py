"""A pupil's "about me": the four questions in a child's words, the checks on the answers, and the answers as
labelled lines for the pupil's views in a support plan. Pure: no Django."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

# Four answers with their labels and the line saying who they were given with stay well inside the plan's
# 5,000-character box for the pupil's views, so prefilling it never makes the plan refuse itself.
ANSWER_LIMIT = 1_000

NOTHING_ANSWERED = "Write an answer to at least one of the questions."


@dataclass(frozen=True)
class Question:
    field: str
    heading: str  # short and simple, in the pupil's own voice
    hint: str  # one line a child can follow, read out by the adult or the browser


QUESTIONS: tuple[Question, ...] = (
    Question("good_at", "What I am good at", "Things I like doing, or do well. At school or at home."),
    Question("what_helps", "What helps me", "Things people do, or things I use, that help me learn."),
    Question("what_is_hard", "What is hard for me", "Things I find hard, or that worry me."),
    Question("what_i_want", "What I want", "What I would like to get better at, or to happen next."),
)
FIELDS: tuple[str, ...] = tuple(q.field for q in QUESTIONS)


def too_long(count: int) -> str:
    return f"Keep this to {ANSWER_LIMIT:,} characters or fewer (it has {count:,})."


def answer_problems(answers: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """What is wrong with these (already stripped) answers: a message about the whole form (nothing answered)
    and one per over-long answer. Both empty when the answers can be saved."""
    per_field = {
        f: too_long(len(answers.get(f, ""))) for f in FIELDS if len(answers.get(f, "")) > ANSWER_LIMIT
    }
    whole = "" if any(answers.get(f, "") for f in FIELDS) else NOTHING_ANSWERED
    return whole, per_field


def long_date(day: dt.date) -> str:
    """7 December 2026."""
    return f"{day.day} {day:%B %Y}"


def labelled_lines(answers: Mapping[str, str], *, recorded_on: dt.date, adult: str, how: str) -> str:
    """The answers as one line each ("What helps me: ..."), unanswered questions left out, then when and with
    whom they were given: how a plan's "pupil's views" starts from them. Line breaks inside an answer become
    spaces so each answer stays on its own labelled line."""
    lines = [
        f"{q.heading}: {' '.join(answers[q.field].split())}"
        for q in QUESTIONS
        if answers.get(q.field, "").strip()
    ]
    lines.append(f'(From "About me" on {long_date(recorded_on)}, with {adult}. {how}.)')
    return "\n".join(lines)
