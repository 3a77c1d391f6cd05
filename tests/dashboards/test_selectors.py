"""The dashboard figures for a seeded school: right, and never counting another school's records."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.dashboards.selectors import (
    dashboard_tiles,
    flags_waiting,
    progress_gaps,
    teacher_accountability,
)
from tests import factories as f
from tests.dashboards import seed

TODAY = dt.date(2026, 12, 7)  # well inside the autumn term, after both seeded assessments


@pytest.fixture
def seeded(world, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    a = seed.seed_school(world.a)
    seed.seed_school(world.b)
    return world, a


def _figures(actor) -> dict[str, str]:
    return {tile.key: tile.figure for tile in dashboard_tiles(actor=actor)}


@pytest.mark.parametrize("role", ["head", "senco"])
def test_it_counts_each_tile_for_the_school_only(seeded, role):
    world, _ = seeded
    figures = _figures(actor_for(getattr(world.a, role)))
    assert figures == {
        "flags": str(seed.FLAGS_WAITING),
        "reviews": str(seed.REVIEWS_OVERDUE),
        "meetings": str(seed.MEETINGS_DUE),
        "logs": str(seed.LOGS_UNACKNOWLEDGED),
        "cost": seed.COST,
    }


def test_it_links_each_tile_to_the_list_behind_it(seeded):
    world, _ = seeded
    urls = {tile.key: tile.url for tile in dashboard_tiles(actor=actor_for(world.a.senco))}
    assert urls == {
        "flags": "/progress/",
        "reviews": "/compliance/#overdue-heading",
        "meetings": "/compliance/#due-heading",
        "logs": "#accountability-heading",
        "cost": "/provision-map/",
    }


def test_it_words_tiles_with_correct_plurals(seeded):
    world, _ = seeded
    labels = {tile.key: tile.label for tile in dashboard_tiles(actor=actor_for(world.a.head))}
    assert labels["flags"].startswith("pupils flagged")
    assert labels["reviews"] == "support plan review overdue"
    assert labels["logs"].startswith("session log not yet")
    cost = next(t for t in dashboard_tiles(actor=actor_for(world.a.head)) if t.key == "cost")
    assert cost.note == "2 placements running since 1 September 2026."


def test_it_stops_counting_a_flag_once_a_first_response_starts(seeded):
    world, a = seeded
    actor = actor_for(world.a.senco)
    f.make_first_response(a["noor"], starts_on=TODAY, review_on=TODAY + dt.timedelta(days=30))
    assert flags_waiting(actor=actor) == seed.FLAGS_WAITING - 1


def test_it_leaves_out_tiles_the_role_may_not_see(seeded):
    world, _ = seeded
    # A school admin sees no SEN records: none of these figures.
    assert dashboard_tiles(actor=actor_for(world.a.admin)) == []


def test_it_counts_costs_only_from_placements_with_a_staff_rate(seeded):
    world, _ = seeded
    group = f.make_intervention_group(
        deliverer=world.a.ta, intervention=f.make_intervention(world.a.school, staff_type="teacher")
    )
    f.make_placement(group=group, pupil=world.a.ehc_pupil, teacher=world.a.teacher)
    cost = next(t for t in dashboard_tiles(actor=actor_for(world.a.head)) if t.key == "cost")
    assert cost.figure == seed.COST
    assert "1 placement with no staff rate set" in cost.note


def test_it_lists_each_teacher_with_their_outstanding_records(seeded):
    world, a = seeded
    rows = {row.name: row for row in teacher_accountability(actor=actor_for(world.a.head))}
    mine, other = rows["Teacher A"], rows[a["robin_teacher"].full_name]
    assert (mine.first_responses_due, mine.logs_unacknowledged) == (0, 0)
    assert (other.first_responses_due, other.logs_unacknowledged) == (1, 1)
    assert not any("B" in name.split() for name in rows)  # school B's teachers are not listed


def test_it_gives_the_gap_per_window_oldest_first_for_a_year_group(seeded):
    world, _ = seeded
    gaps = progress_gaps(actor=actor_for(world.a.senco), year_group=4)
    assert gaps.windows == ["Autumn 2025/26", "Spring 2025/26"]
    assert [(r.window, r.subject, r.sen_n, r.other_n) for r in gaps.rows] == [
        ("Autumn 2025/26", "Mathematics", 2, 1),
        ("Spring 2025/26", "Mathematics", 2, 1),
    ]
    assert [round(r.difference, 2) for r in gaps.rows] == [seed.GAP_AUTUMN, seed.GAP_SPRING]
    assert gaps.sentences == [
        "In mathematics, the gap between pupils on the SEN register and others narrowed from 1.00 to 0.60 "
        "standard deviations since Autumn 2025/26."
    ]


def test_it_counts_every_year_group_unless_one_is_chosen(seeded):
    world, _ = seeded
    actor = actor_for(world.a.head)
    every = progress_gaps(actor=actor)
    assert every.year_group is None
    assert every.year_choices == [(4, "Year 4"), (5, "Year 5")]
    # Robin (Year 5, gap -2.0) joins the register's average in autumn.
    assert round(every.rows[0].difference, 2) == round(0.1 - (-1.0 - 0.8 - 2.0) / 3, 2)
    # A year group with results for no pupils off the register has no gap to give.
    assert progress_gaps(actor=actor, year_group=5).rows == []
    # A year group with no results at all is ignored.
    assert progress_gaps(actor=actor, year_group=9).year_group is None


def test_it_draws_the_gaps_as_a_labelled_chart(seeded):
    world, _ = seeded
    gaps = progress_gaps(actor=actor_for(world.a.head), year_group=4)
    svg = ET.fromstring(str(gaps.chart))  # noqa: S314 - markup the selector made
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img"
    assert "Year 4" in (svg.find(f"{ns}title").text or "")  # type: ignore[union-attr]
    assert "narrowed from 1.00 to 0.60" in (svg.find(f"{ns}desc").text or "")  # type: ignore[union-attr]
    texts = {t.text for t in svg.iter(f"{ns}text")}
    assert {
        "Autumn 2025/26",
        "Spring 2025/26",
        "Mathematics",
        "Assessment",
        "Gap (standard deviations)",
    } <= texts


def test_it_never_counts_another_schools_results_in_the_gaps(seeded):
    world, _ = seeded
    gaps = progress_gaps(actor=actor_for(world.a.senco), year_group=4)
    # Each school has three Year 4 pupils with results: school B's would double the counts.
    assert {(r.sen_n, r.other_n) for r in gaps.rows} == {(2, 1)}


def test_it_has_nothing_to_show_before_any_analysis(world):
    gaps = progress_gaps(actor=actor_for(world.a.senco))
    assert (gaps.rows, gaps.year_choices, str(gaps.chart)) == ([], [], "")
    assert flags_waiting(actor=actor_for(world.a.senco)) == 0
