"""SMART targets: a rule-based check that says, in plain English, what a draft target is missing.

Pure Python, no Django and no network: the same draft always gets the same answer, so forms, imports
and the demo generator can share it and a teacher can see exactly why something was flagged.

A SEND target is only useful if someone can tell, at the review, whether it was met. That needs a
Specific skill, a Measure, a Baseline to start from, a success criterion that is Achievable and
measurable, a deadline that is Time-bound (and falls before the plan's review), and a teacher who is
accountable for it. Each missing element is one complaint, so a teacher can fix them one by one.

The rules are deliberately simple and lean towards silence: a complaint that is wrong teaches
teachers to ignore the checker, so each rule only fires on patterns an experienced SENCo would
send back. The word lists below are small on purpose; extend them with a test, not by guesswork.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class TargetDraft:
    skill: str  # the skill or behaviour the pupil will show
    measure: str  # how it is measured
    baseline: str  # where the pupil is now
    success_criterion: str  # what counts as met
    due_on: datetime.date | None
    accountable_teacher: str  # display name of the accountable teacher, "" when none chosen
    supporters: str = ""  # who supports (optional, never a complaint)


@dataclass(frozen=True)
class Complaint:
    field: str  # the TargetDraft field name the complaint is about
    rule: str  # a short stable identifier, a key of RULES
    message: str  # plain English a teacher can act on


# The order of the form, and so of the complaints.
FIELD_ORDER: tuple[str, ...] = tuple(f.name for f in fields(TargetDraft))

RULES: dict[str, str] = {
    "no_skill": "The target does not say what skill or behaviour the pupil will show.",
    "vague_skill": "The skill is under 3 words, or only hopes something gets better, with nothing to see.",
    "no_measure": "The target does not say how progress will be measured.",
    "no_baseline": "The target does not say where the pupil is now.",
    "no_success_criterion": "The target does not say what counts as met.",
    "success_criterion_not_measurable": (
        "The success criterion has no number, proportion, frequency or 'independently' to check against."
    ),
    "success_criterion_same_as_baseline": "The success criterion says the same as the baseline.",
    "no_deadline": "The target has no deadline.",
    "deadline_not_in_future": "The deadline is today or already past.",
    "deadline_after_review": "The deadline falls after the plan's review date.",
    "deadline_too_far": "The deadline is more than 12 months away.",
    "no_accountable_teacher": "No teacher is accountable for the target.",
}

# Text that stands in for an answer without being one. Text with no letter or digit counts too.
PLACEHOLDERS = frozenset({"n/a", "na", "tbc", "tbd", "tba", "to be confirmed"})

# --- Specific: the skill -------------------------------------------------------------------------
# A skill is vague when it has fewer than MIN_SKILL_WORDS words, or when every word is in one of
# the three lists below: hopes ("improve", "be better at"), broad areas ("reading", "behaviour")
# and filler ("his", "in class"). "Improve his reading skills" is all three and so is vague;
# "Read aloud Year 2 common exception words" has words left over and so is specific.
MIN_SKILL_WORDS = 3

# Verbs and qualifiers that describe a hope rather than something an adult could see or hear.
VAGUE_WORDS = frozenset(
    {
        "improve", "improves", "improving", "improved", "improvement",
        "develop", "develops", "developing", "developed",
        "understand", "understands", "understanding",
        "know", "knows", "knowing", "knowledge",
        "learn", "learns", "learning",
        "try", "tries", "trying",
        "work", "works", "working",
        "increase", "increases", "increasing", "increased",
        "gain", "gains", "gaining",
        "be", "become", "becomes", "get", "gets", "getting",
        "better", "best", "more", "harder", "hard", "good", "well",
        "aware", "awareness", "confident", "confidence",
    }
)  # fmt: skip

# Broad areas of learning, and their bare verbs: a place to work on, not a thing the pupil does.
# "Learn to read" names nothing to read; "Read CVC words" does, so it has a word left over.
AREA_WORDS = frozenset(
    {
        "read", "reads", "write", "writes", "spell", "spells", "count", "counts", "speak", "speaks",
        "talk", "talks", "listen", "listens", "behave", "behaves", "concentrate", "concentrates",
        "reading", "writing", "maths", "math", "mathematics", "numeracy", "literacy", "english",
        "spelling", "phonics", "handwriting", "behaviour", "behavior", "concentration", "focus",
        "attention", "communication", "language", "social", "emotional", "skill", "skills",
        "self-esteem", "independence", "resilience", "progress", "attainment", "effort", "attitude",
    }
)  # fmt: skip

# Words that carry no skill of their own.
FILLER_WORDS = frozenset(
    {
        "a", "an", "the", "to", "at", "in", "on", "of", "for", "with", "and", "or", "as", "so",
        "his", "her", "their", "my", "your", "own", "he", "she", "they", "him", "them",
        "pupil", "child", "student", "will", "is", "are", "able", "all", "general", "generally",
        "overall", "class", "lesson", "lessons", "school", "subject", "subjects", "area", "areas",
    }
)  # fmt: skip

# Words, keeping "self-esteem" and "don't" (straight or curly apostrophe) whole.
_WORD = re.compile(r"[a-z0-9]+(?:['\u2019-][a-z0-9]+)*")

# --- Measurable: the success criterion ----------------------------------------------------------
# A success criterion is measurable when it contains any of:
#   - a count or proportion: a digit ("50", "4 out of 5", "80%"), a number word ("five", "twice",
#     "half", "all", "whole", "every", "each", "both", "none"), or "per cent";
#   - a frequency: "daily", "weekly", "fortnightly", "monthly", "termly" (and "half-termly");
#   - a named level of support that can be seen: "independently", "unaided",
#     "without (adult) prompts/help/support/reminders", "no errors".
# Words such as "better", "more", "most", "often", "regularly" and "consistently" are not enough:
# two adults could disagree about whether they have happened.
NUMBER_WORDS = frozenset(
    {
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
        "eighty", "ninety", "hundred", "once", "twice", "half", "halves", "third", "thirds",
        "quarter", "quarters", "all", "whole", "every", "each", "both", "none",
    }
)  # fmt: skip
FREQUENCY_WORDS = frozenset({"daily", "weekly", "fortnightly", "monthly", "termly"})
_SUPPORT = r"(?:prompts?|prompting|help|support|reminders?|errors?|mistakes?)"
_MEASURABLE = re.compile(
    r"\d|%|\bper ?cent\b"
    rf"|\b(?:{'|'.join(sorted(NUMBER_WORDS | FREQUENCY_WORDS))})\b"
    r"|\bindependently\b|\bunaided\b"
    rf"|\b(?:without|no)(?: any| an| a)?(?: adult)? {_SUPPORT}\b"
)

# --- Time-bound: the deadline --------------------------------------------------------------------
# Beyond this, a target outlives the plan it belongs to and nobody checks it in time to change course.
MAX_MONTHS_AHEAD = 12
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def check_target(
    target: TargetDraft, *, plan_review_on: datetime.date | None, today: datetime.date
) -> list[Complaint]:
    """Every SMART element the target is missing, in field order; [] for a well-formed target."""
    # Built in field order (the order of the form); within a field, in the order of RULES.
    return [
        *_check_skill(target.skill),
        *_check_present("measure", target.measure),
        *_check_present("baseline", target.baseline),
        *_check_success_criterion(target.success_criterion, target.baseline),
        *_check_due_on(target.due_on, plan_review_on, today),
        *_check_present("accountable_teacher", target.accountable_teacher),
    ]


def is_blank(text: str) -> bool:
    """True when text says nothing: empty, only spaces or punctuation, or a placeholder like "TBC"."""
    stripped = (text or "").strip()
    return not any(char.isalnum() for char in stripped) or stripped.casefold() in PLACEHOLDERS


def is_vague_skill(skill: str) -> bool:
    """True when a (non-blank) skill is too short, or names only hopes, broad areas and filler."""
    words = _WORD.findall(skill.casefold())
    if len(words) < MIN_SKILL_WORDS:
        return True
    return all(word in VAGUE_WORDS or word in AREA_WORDS or word in FILLER_WORDS for word in words)


def is_measurable(success_criterion: str) -> bool:
    """True when the success criterion has something two adults would count the same way."""
    return _MEASURABLE.search(" ".join(success_criterion.casefold().split())) is not None


_MISSING = {
    "skill": (
        "no_skill",
        "No skill: what will the pupil do? Describe something an adult could see or hear.",
    ),
    "measure": ("no_measure", "No measure: how will you know it has been met?"),
    "baseline": (
        "no_baseline",
        "No baseline: where is the pupil now? Without it nobody can tell whether they have made progress.",
    ),
    "success_criterion": ("no_success_criterion", "No success criterion: what exactly counts as met?"),
    "accountable_teacher": (
        "no_accountable_teacher",
        "No accountable teacher: choose the teacher responsible for making sure this target is worked on.",
    ),
}


def _check_present(field: str, text: str) -> list[Complaint]:
    if is_blank(text):
        rule, message = _MISSING[field]
        return [Complaint(field, rule, message)]
    return []


def _check_skill(skill: str) -> list[Complaint]:
    missing = _check_present("skill", skill)
    if missing:
        return missing
    if not is_vague_skill(skill):
        return []
    if len(_WORD.findall(skill.casefold())) < MIN_SKILL_WORDS:
        message = (
            "The skill is too short to be specific: say what the pupil will do, "
            "for example 'Read aloud Year 2 common exception words'."
        )
    else:
        message = (
            "The skill is too vague: words like 'improve' or 'be better at' say what should change, "
            "not what the pupil will do. Name something an adult could see or hear."
        )
    return [Complaint("skill", "vague_skill", message)]


def _check_success_criterion(success_criterion: str, baseline: str) -> list[Complaint]:
    missing = _check_present("success_criterion", success_criterion)
    if missing:
        return missing
    complaints = []
    if not is_measurable(success_criterion):
        complaints.append(
            Complaint(
                "success_criterion",
                "success_criterion_not_measurable",
                "The success criterion has nothing to count: add a number (such as '50 of the 64 words'), "
                "a proportion (such as '4 out of 5 lessons') or how often (such as 'every lesson').",
            )
        )
    if not is_blank(baseline) and _same_text(success_criterion, baseline):
        complaints.append(
            Complaint(
                "success_criterion",
                "success_criterion_same_as_baseline",
                "The success criterion is the same as the baseline, so the target is already met: "
                "say what the pupil will be able to do by the deadline.",
            )
        )
    return complaints


def _check_due_on(
    due_on: datetime.date | None, plan_review_on: datetime.date | None, today: datetime.date
) -> list[Complaint]:
    if due_on is None:
        return [Complaint("due_on", "no_deadline", "No deadline: when should this target be met by?")]
    due_on, today = _as_date(due_on), _as_date(today)
    complaints = []
    if due_on <= today:
        complaints.append(
            Complaint(
                "due_on",
                "deadline_not_in_future",
                f"The deadline ({_show(due_on)}) is today or already past: choose a date after today.",
            )
        )
    if plan_review_on is not None and due_on > _as_date(plan_review_on):
        complaints.append(
            Complaint(
                "due_on",
                "deadline_after_review",
                f"The deadline is after the plan's review date ({_show(_as_date(plan_review_on))}): "
                "targets should be reviewed at the review, so set it on or before that date.",
            )
        )
    if due_on > _months_after(today, MAX_MONTHS_AHEAD):
        complaints.append(
            Complaint(
                "due_on",
                "deadline_too_far",
                f"The deadline is more than {MAX_MONTHS_AHEAD} months away: nobody will check progress "
                "in time to change course. Choose a nearer step that can be reached by the next review.",
            )
        )
    return complaints


def _same_text(a: str, b: str) -> bool:
    """Equal ignoring case, runs of spaces and a closing full stop."""
    return " ".join(a.split()).casefold().rstrip(" .") == " ".join(b.split()).casefold().rstrip(" .")


def _as_date(value: datetime.date) -> datetime.date:
    """A datetime is a date too, but comparing the two raises: keep only the day."""
    return value.date() if isinstance(value, datetime.datetime) else value


def _months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day when that day does not exist (29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _show(day: datetime.date) -> str:
    """A date as a teacher writes it, e.g. "3 March 2025" (no locale, so always English)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
