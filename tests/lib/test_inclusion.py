"""tandem/lib/inclusion.py: a purpose that reads as a sanction is refused; support is not; weekly time."""

from __future__ import annotations

import pytest

from tandem.lib.inclusion import hours_and_minutes, reads_as_sanction, sanction_words, weekly_minutes


@pytest.mark.parametrize(
    "text",
    [
        "Detention for lateness",
        "Isolation after the incident",
        "Internal exclusion",
        "Exclusion from lessons",
        "Excluded from science for a week",
        "Punishment for swearing",
        "Punished for refusing work",
        "Sanction under the behaviour policy",
        "Removal from class",
        "Removed from lessons after disruption",
        "Behaviour consequence (level 3)",
        "Behavior consequences",
        "DETENTIONS",
        "Déténtion",  # accents and capitals do not hide it
        "Deten\u200btion",  # nor an invisible character
    ],
)
def test_it_reads_sanctions_as_sanctions(text):
    assert reads_as_sanction(text)


@pytest.mark.parametrize(
    "text",
    [
        "Targeted teaching in a small group",
        "Regulation and emotional support",
        "Social communication group",
        "Preparing to return to lessons",
        "Pre-teaching vocabulary for science",
        "Feels isolated at lunchtime: a calm space and a friendship group",
        "Inclusive practice: maths intervention",
        "",
    ],
)
def test_it_leaves_support_alone(text):
    assert not reads_as_sanction(text)


def test_it_names_the_words_that_made_it_a_sanction():
    assert sanction_words("Internal exclusion, then detention") == ["internal exclusion", "detention"]


def test_it_says_weekly_time_in_hours_and_minutes():
    assert weekly_minutes(sessions_per_week=3, minutes_per_session=50) == 150
    assert hours_and_minutes(150) == "2 hours 30 minutes"
    assert hours_and_minutes(60) == "1 hour"
    assert hours_and_minutes(45) == "45 minutes"
    assert hours_and_minutes(61) == "1 hour 1 minute"
    assert hours_and_minutes(0) == "0 minutes"
