import dataclasses
import datetime
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.lib.smart import (
    FIELD_ORDER,
    RULES,
    Complaint,
    TargetDraft,
    check_target,
    is_measurable,
    is_vague_skill,
)

TODAY = datetime.date(2025, 1, 6)
REVIEW = datetime.date(2025, 3, 31)

GOOD = TargetDraft(
    skill="Read aloud Year 2 common exception words",
    measure="Adult checks the 64-word list each fortnight",
    baseline="Reads 20 of the 64 words",
    success_criterion="Reads 50 of the 64 words on two checks in a row",
    due_on=datetime.date(2025, 3, 28),
    accountable_teacher="Ms Patel",
)

# Every rule, with a draft that breaks it and nothing else (the field each complaint is about).
BROKEN: dict[str, tuple[TargetDraft, str]] = {
    "no_skill": (dataclasses.replace(GOOD, skill="   "), "skill"),
    "vague_skill": (dataclasses.replace(GOOD, skill="Improve his reading skills"), "skill"),
    "no_measure": (dataclasses.replace(GOOD, measure=""), "measure"),
    "no_baseline": (dataclasses.replace(GOOD, baseline="\t\n"), "baseline"),
    "no_success_criterion": (dataclasses.replace(GOOD, success_criterion=""), "success_criterion"),
    "success_criterion_not_measurable": (
        dataclasses.replace(GOOD, success_criterion="better reading"),
        "success_criterion",
    ),
    "success_criterion_same_as_baseline": (
        dataclasses.replace(GOOD, success_criterion="  reads 20 OF the 64   words "),
        "success_criterion",
    ),
    "no_deadline": (dataclasses.replace(GOOD, due_on=None), "due_on"),
    "deadline_not_in_future": (dataclasses.replace(GOOD, due_on=TODAY), "due_on"),
    "deadline_after_review": (dataclasses.replace(GOOD, due_on=datetime.date(2025, 4, 1)), "due_on"),
    "no_accountable_teacher": (dataclasses.replace(GOOD, accountable_teacher=""), "accountable_teacher"),
}
# Too far is checked without a review date: with one, the review date would also be passed.
TOO_FAR = dataclasses.replace(GOOD, due_on=datetime.date(2026, 1, 7))


def check(target, plan_review_on=REVIEW, today=TODAY):
    return check_target(target, plan_review_on=plan_review_on, today=today)


def rules(complaints):
    return [c.rule for c in complaints]


def all_fixture_complaints():
    complaints = [c for target, _ in BROKEN.values() for c in check(target)]
    return complaints + check(TOO_FAR, plan_review_on=None)


def test_it_accepts_a_well_formed_target():
    assert check(GOOD) == []


def test_it_accepts_a_well_formed_target_without_a_review_date():
    assert check(GOOD, plan_review_on=None) == []


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_it_fires_each_rule_alone_on_the_right_field(rule):
    target, field = BROKEN[rule]
    assert check(target) == [Complaint(field, rule, check(target)[0].message)]


def test_it_complains_about_a_deadline_more_than_12_months_away():
    [complaint] = check(TOO_FAR, plan_review_on=None)
    assert complaint.field == "due_on"
    assert complaint.rule == "deadline_too_far"
    assert "12 months" in complaint.message


def test_it_lists_exactly_the_rules_it_can_emit():
    assert set(RULES) == {c.rule for c in all_fixture_complaints()}


def test_it_explains_every_rule_in_one_line():
    for rule, explanation in RULES.items():
        assert re.fullmatch(r"[a-z_]+", rule)
        assert "\n" not in explanation and explanation.endswith(".")


def test_it_writes_messages_in_plain_english():
    for complaint in all_fixture_complaints():
        message = complaint.message
        assert message[0].isupper()
        assert message.endswith((".", "?"))
        assert complaint.rule not in message
        assert "_" not in message
        assert "SMART" not in message
        assert len(message) >= 30


def test_it_names_only_target_fields():
    assert {c.field for c in all_fixture_complaints()} <= set(FIELD_ORDER)
    assert "supporters" not in {c.field for c in all_fixture_complaints()}


def test_it_reports_every_problem_in_field_order():
    empty = TargetDraft("", "", "", "", None, "")
    assert rules(check(empty)) == [
        "no_skill",
        "no_measure",
        "no_baseline",
        "no_success_criterion",
        "no_deadline",
        "no_accountable_teacher",
    ]
    assert [c.field for c in check(empty)] == [f for f in FIELD_ORDER if f != "supporters"]


def test_it_does_not_call_a_missing_field_vague():
    assert rules(check(dataclasses.replace(GOOD, skill=""))) == ["no_skill"]
    assert rules(check(dataclasses.replace(GOOD, success_criterion=" "))) == ["no_success_criterion"]


def test_it_does_not_compare_with_a_missing_baseline():
    target = dataclasses.replace(GOOD, baseline="", success_criterion="")
    assert rules(check(target)) == ["no_baseline", "no_success_criterion"]


def test_it_never_complains_about_supporters():
    assert check(dataclasses.replace(GOOD, supporters="")) == []
    assert check(dataclasses.replace(GOOD, supporters="Mr Jones (TA), speech and language therapist")) == []


@pytest.mark.parametrize("text", ["-", "...", "?", "N/A", "tbc", " TBD "])
def test_it_treats_placeholders_as_missing(text):
    assert rules(check(dataclasses.replace(GOOD, measure=text))) == ["no_measure"]


# ------------------------------------------------------------------ the skill
@pytest.mark.parametrize(
    "skill",
    [
        "Improve reading",
        "Be better at maths",
        "Work harder in class",
        "Try harder",
        "Develop his phonics skills",
        "Understand fractions",
        "Know more",
        "Learn to read",
        "Listen in class",
        "Behave well in lessons",
        "Be able to write",
        "Improve her behaviour and concentration",
        "Become more confident",
        "Read",
        "Uses scissors",
    ],
)
def test_it_calls_these_skills_vague(skill):
    assert is_vague_skill(skill)
    assert rules(check(dataclasses.replace(GOOD, skill=skill))) == ["vague_skill"]


@pytest.mark.parametrize(
    "skill",
    [
        "Read aloud Year 2 common exception words",
        "Use a number line to add within 20",
        "Ask an adult for help when stuck",
        "Follow a two-step instruction from the class teacher",
        "Stay in his seat during carpet time",
        "Write his name",
        "Be able to read CVC words",
        "Develop fine motor control to cut along a line",
        "Learn the 2, 5 and 10 times tables",
        "Use a calm-down card when upset",
    ],
)
def test_it_accepts_these_skills_as_specific(skill):
    assert not is_vague_skill(skill)


def test_it_says_why_a_skill_is_vague():
    assert "too short" in check(dataclasses.replace(GOOD, skill="Read more"))[0].message
    assert "'improve'" in check(dataclasses.replace(GOOD, skill="Improve his reading skills"))[0].message


# ------------------------------------------------------------------ the success criterion
@pytest.mark.parametrize(
    "criterion",
    [
        "Reads 50 of 64 words",
        "independently in 4 out of 5 lessons",
        "Puts on his coat independently without prompts",
        "Scores 80% on the weekly quiz",
        "Eighty per cent of spellings correct",
        "Uses the card every lesson for a half term",
        "Asks for help twice a day",
        "Writes five sentences",
        "Spells all the Year 1 words",
        "Stays on the carpet for the whole story",
        "Reads the passage with no errors",
        "Dresses unaided after PE",
        "Completes the task without adult support",
        "Checked daily by the TA",
        "Lines up with the class 3 times a week",
    ],
)
def test_it_accepts_these_success_criteria_as_measurable(criterion):
    assert is_measurable(criterion)


@pytest.mark.parametrize(
    "criterion",
    [
        "better reading",
        "Reads more fluently",
        "Behaves better most of the time",
        "Regularly joins in",
        "Is more confident when speaking",
        "Consistently uses capital letters",
        "Knows his sounds",
    ],
)
def test_it_calls_these_success_criteria_unmeasurable(criterion):
    assert not is_measurable(criterion)
    assert rules(check(dataclasses.replace(GOOD, success_criterion=criterion))) == [
        "success_criterion_not_measurable"
    ]


def test_it_does_not_read_numbers_inside_words():
    # "someone", "often" and "alone" contain "one", "ten" and "one" but are not counts.
    assert not is_measurable("Someone often reads alone")


def test_it_compares_baseline_and_criterion_ignoring_case_spaces_and_a_full_stop():
    target = dataclasses.replace(
        GOOD, baseline="Reads 20 of the 64 words.", success_criterion="READS 20 of the 64 words"
    )
    assert rules(check(target)) == ["success_criterion_same_as_baseline"]


def test_it_gives_both_success_criterion_complaints_in_rule_order():
    target = dataclasses.replace(GOOD, baseline="Reads fluently", success_criterion="reads fluently")
    assert rules(check(target)) == ["success_criterion_not_measurable", "success_criterion_same_as_baseline"]


# ------------------------------------------------------------------ the deadline
def test_it_accepts_a_deadline_on_the_review_date():
    assert check(dataclasses.replace(GOOD, due_on=REVIEW)) == []


def test_it_rejects_a_deadline_of_today():
    assert rules(check(dataclasses.replace(GOOD, due_on=TODAY))) == ["deadline_not_in_future"]


def test_it_accepts_a_deadline_of_tomorrow():
    assert check(dataclasses.replace(GOOD, due_on=TODAY + datetime.timedelta(days=1))) == []


def test_it_rejects_a_deadline_in_the_past_and_names_the_date():
    [complaint] = check(dataclasses.replace(GOOD, due_on=datetime.date(2024, 12, 20)))
    assert complaint.rule == "deadline_not_in_future"
    assert "20 December 2024" in complaint.message


def test_it_names_the_review_date():
    [complaint] = check(dataclasses.replace(GOOD, due_on=datetime.date(2025, 4, 1)))
    assert "31 March 2025" in complaint.message


def test_it_accepts_a_deadline_exactly_12_months_away():
    target = dataclasses.replace(GOOD, due_on=datetime.date(2026, 1, 6))
    assert check(target, plan_review_on=None) == []


def test_it_counts_12_months_from_29_february_to_28_february():
    leap_day = datetime.date(2024, 2, 29)
    on_time = dataclasses.replace(GOOD, due_on=datetime.date(2025, 2, 28))
    too_late = dataclasses.replace(GOOD, due_on=datetime.date(2025, 3, 1))
    assert check(on_time, plan_review_on=None, today=leap_day) == []
    assert rules(check(too_late, plan_review_on=None, today=leap_day)) == ["deadline_too_far"]


def test_it_gives_both_complaints_when_far_away_and_after_review():
    target = dataclasses.replace(GOOD, due_on=datetime.date(2026, 6, 1))
    assert rules(check(target)) == ["deadline_after_review", "deadline_too_far"]


def test_it_accepts_datetimes_for_dates():
    noon = datetime.datetime(2025, 3, 28, 12, 0, tzinfo=datetime.UTC)
    target = dataclasses.replace(GOOD, due_on=noon)
    assert check(target, today=datetime.datetime(2025, 1, 6, 9, 0, tzinfo=datetime.UTC)) == []


# ------------------------------------------------------------------ properties
@st.composite
def drafts(draw):
    text = st.one_of(st.text(max_size=40), st.sampled_from(["", " ", "TBC", GOOD.skill, GOOD.baseline]))
    day = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31))
    return TargetDraft(
        skill=draw(text),
        measure=draw(text),
        baseline=draw(text),
        success_criterion=draw(text),
        due_on=draw(st.none() | day),
        accountable_teacher=draw(text),
        supporters=draw(text),
    )


@given(
    drafts(),
    st.none() | st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31)),
    st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31)),
)
def test_it_answers_any_draft_with_known_rules_in_field_order(target, review, today):
    complaints = check_target(target, plan_review_on=review, today=today)
    assert all(c.rule in RULES for c in complaints)
    positions = [FIELD_ORDER.index(c.field) for c in complaints]
    assert positions == sorted(positions)
    assert len(set(rules(complaints))) == len(complaints)
    assert check_target(target, plan_review_on=review, today=today) == complaints


@given(st.sampled_from(["", " ", "  ", "\t"]), st.sampled_from(["", " ", "\n"]))
def test_it_ignores_surrounding_whitespace(before, after):
    padded = TargetDraft(
        skill=before + GOOD.skill + after,
        measure=before + GOOD.measure + after,
        baseline=before + GOOD.baseline + after,
        success_criterion=before + GOOD.success_criterion + after,
        due_on=GOOD.due_on,
        accountable_teacher=before + GOOD.accountable_teacher + after,
    )
    assert check(padded) == []
