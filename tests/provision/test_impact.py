"""An intervention's impact, end to end: a small school with placements, logs and assessments, the figures
checked by hand and against `tandem.lib.impact` on the same measures, and the page that shows them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from statistics import fmean

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.lib.impact import Measure, choose_comparison, effect_size, group_ratio_gain, months_of_progress
from tandem.provision.impact import intervention_impact
from tandem.provision.models import StaffRate
from tests import factories as f

TODAY = timezone.localdate()
ENTRY = TODAY - dt.timedelta(days=200)
EXIT = TODAY - dt.timedelta(days=60)
# Pupils in the intervention start 7 points apart, so each one's comparison pupils are theirs alone.
ENTRIES = (80.0, 87.0, 94.0, 101.0, 108.0, 115.0)
# Per pupil in the intervention: three candidates nearest their entry score (chosen) and a fourth, 3 points
# away, who is eligible but further (not chosen: three are enough).
CHOSEN_OFFSETS = (-1.0, 1.0, 2.0)
SPARE_OFFSET = 3.0


@dataclass
class Place:
    school: object
    senco: object
    ta: object
    teacher: object
    windows: list[object]
    serial: list[int]

    def pupil(self, school: object | None = None) -> object:
        self.serial[0] += 1
        return f.make_pupil(school=school or self.school, forename="Ira", surname=f"Impactee{self.serial[0]}")

    def results(
        self, pupil: object, entry: float, exit_: float, *, subject: str = "reading", **dates
    ) -> None:
        entry_on = dates.get("entry_on", ENTRY + dt.timedelta(days=2))
        exit_on = dates.get("exit_on", EXIT - dt.timedelta(days=3))
        f.make_assessment(
            pupil=pupil, window=self.windows[0], assessed_on=entry_on, points=entry, subject=subject
        )
        f.make_assessment(
            pupil=pupil, window=self.windows[1], assessed_on=exit_on, points=exit_, subject=subject
        )

    def intervention(self, **fields) -> object:
        values = {"sessions_per_week": 3, "minutes_per_session": 20, "weeks": 10, "group_size": 4}
        return f.make_intervention(self.school, **{**values, **fields})

    def group(self, intervention: object, **fields) -> object:
        values = {"starts_on": ENTRY + dt.timedelta(days=7), "ends_on": EXIT}
        return f.make_intervention_group(deliverer=self.ta, intervention=intervention, **{**values, **fields})

    def place(self, group: object, pupil: object, entry: float, exit_: float | None, **fields) -> object:
        values = {
            "starts_on": ENTRY + dt.timedelta(days=7),
            "entry_score": entry,
            "entry_on": ENTRY,
            "measure_kind": "standardised",
            "subject_id": "reading",
        }
        if exit_ is not None:
            values.update(exit_score=exit_, exit_on=EXIT, ends_on=EXIT)
        return f.make_placement(group=group, pupil=pupil, teacher=self.teacher, **{**values, **fields})


@pytest.fixture
def place(db) -> Place:
    school = f.make_school(name="Impact Primary")

    def user(role: str, name: str) -> object:
        u = f.make_user(email=f"{role}@impact.example", full_name=name)
        f.make_membership(user=u, role=role, school=school)
        return u

    senco, ta, teacher = (
        user("senco", "Sam Senco"),
        user("teaching_assistant", "Tia Assistant"),
        user("teacher", "Tom Teacher"),
    )
    windows = [
        f.make_window(school=school, start_year=2024, term="summer"),
        f.make_window(school=school, start_year=2025, term="autumn"),
    ]
    StaffRate.objects.create(school=school, staff_type="ta", hourly_rate=Decimal("18.00"))
    return Place(school, senco, ta, teacher, windows, [0])


@pytest.fixture
def candidates(place) -> dict[str, list[Measure]]:
    """Pupils NOT in any intervention, with reading results near the same dates: who should be chosen, and
    who should not be (too far in score, tested at other times, another subject, another school)."""
    chosen, spare = [], []
    for entry in ENTRIES:
        for i, offset in enumerate((*CHOSEN_OFFSETS, SPARE_OFFSET)):
            pupil = place.pupil()
            start, end = entry + offset, entry + offset + 1 + i % 3  # they grow 1 to 3 points
            place.results(pupil, start, end)
            measure = Measure(
                str(pupil.pk), start, end, ENTRY + dt.timedelta(days=2), EXIT - dt.timedelta(days=3)
            )
            (spare if offset == SPARE_OFFSET else chosen).append(measure)
    too_far = place.pupil()
    place.results(too_far, ENTRIES[0] - 5, ENTRIES[0] - 4)
    too_early = place.pupil()
    place.results(
        too_early,
        ENTRIES[0],
        ENTRIES[0] + 9,
        entry_on=ENTRY - dt.timedelta(days=120),
        exit_on=ENTRY - dt.timedelta(days=60),
    )
    maths = place.pupil()
    place.results(maths, ENTRIES[0], ENTRIES[0] + 9, subject="maths")
    elsewhere = f.make_school(name="Another Primary")
    other_windows = [
        f.make_window(school=elsewhere, start_year=2024, term="summer"),
        f.make_window(school=elsewhere, start_year=2025, term="autumn"),
    ]
    stranger = place.pupil(elsewhere)
    f.make_assessment(pupil=stranger, window=other_windows[0], assessed_on=ENTRY, points=ENTRIES[0])
    f.make_assessment(pupil=stranger, window=other_windows[1], assessed_on=EXIT, points=ENTRIES[0] + 9)
    return {"chosen": chosen, "spare": spare}


def _impact(place, intervention, on=TODAY):
    return intervention_impact(actor=actor_for(place.senco), intervention=intervention, on=on)


@pytest.fixture
def effective(place, candidates):
    """Six pupils in a reading group who gained about 20 points while similar pupils gained 1 to 3."""
    intervention = place.intervention(name="Reading boost", group_size=6)
    group = place.group(intervention, name="Reading boost A")
    treated = []
    for i, entry in enumerate(ENTRIES):
        pupil = place.pupil()
        place.results(pupil, entry, entry + 1)  # their own test results are never a comparison
        exit_ = entry + 20 + i % 3
        place.place(group, pupil, entry, exit_)
        treated.append(Measure(str(pupil.pk), entry, exit_, ENTRY, EXIT))
    # Placed in the intervention but not finished: never a comparison pupil, whatever their scores.
    waiting = place.pupil()
    place.results(waiting, ENTRIES[0], ENTRIES[0] + 2)
    place.place(place.group(intervention, name="Reading boost B", ends_on=None), waiting, ENTRIES[0], None)
    for day in range(24):
        f.make_session_log(group=group, held_on=ENTRY + dt.timedelta(days=7 + day), present=day % 6 != 0)
    return intervention, treated


def test_the_comparison_group_is_the_nearest_similar_pupils_not_in_it(place, candidates, effective):
    intervention, _ = effective
    m = _impact(place, intervention).measures[0]
    assert m.title == "Reading: standardised scores"
    assert m.comparison is not None
    chosen = {c.pupil for c in m.comparison.comparison}
    assert chosen == {c.pupil for c in candidates["chosen"]}
    assert not chosen & {c.pupil for c in candidates["spare"]}
    assert m.other_pupils == 18
    # By hand: each pupil's three comparisons start 1 below, 1 above and 2 above them.
    assert m.other_entry_mean == pytest.approx(fmean(ENTRIES) + 2 / 3)
    assert m.entry_mean == pytest.approx(fmean(ENTRIES))
    assert m.exit_mean == pytest.approx(fmean(ENTRIES) + 21)
    assert "within 3 of theirs" in m.comparison_note


def test_the_effect_size_is_the_library_s_on_the_same_measures(place, candidates, effective):
    intervention, treated = effective
    impact = _impact(place, intervention)
    m = impact.measures[0]
    expected = effect_size(
        choose_comparison(
            treated, candidates["chosen"] + candidates["spare"], per_pupil=3, max_baseline_gap=3.0
        )
    )
    assert m.effect is not None and expected.g is not None
    assert m.effect.status == expected.status == "ok"
    assert (m.effect.n_treated, m.effect.n_comparison) == (6, 18)
    assert m.effect.g == pytest.approx(expected.g)
    assert m.effect.ci_low == pytest.approx(expected.ci_low)
    assert m.effect.ci_high == pytest.approx(expected.ci_high)
    assert m.effect.months == expected.months == months_of_progress(expected.g)
    assert m.effect.ci_low > 0
    assert m.verdict == "Measured gain" and m.gain_measured
    # Cost: £18 an hour x 20 minutes x 30 sessions / 6 pupils = £30.00 a place, per month of progress.
    assert impact.cost_per_pupil == Decimal("30.00")
    assert m.cost_per_unit == pytest.approx(30 / expected.months)
    assert not [flag for flag in impact.flags if "gain" in flag]


def test_dosage_attendance_and_the_groups(place, candidates, effective):
    intervention, _ = effective
    impact = _impact(place, intervention)
    # Group A ended: its whole course (3 x 10) was planned and 24 sessions were logged. Group B has run for
    # 200 - 7 days (28 weeks), so its ten weeks are all due, and it has logged nothing.
    assert impact.dosage.planned_sessions == 60
    assert impact.dosage.delivered_sessions == 24
    # Group A's six pupils each missed 4 of its 24 sessions (day % 6 == 0).
    a, b = impact.groups[0], impact.groups[1]
    assert (a.group.name, a.pupils, a.measured) == ("Reading boost A", 6, 6)
    assert a.dosage.percent_of_plan == pytest.approx(80.0)
    assert a.dosage.attendance_rate == pytest.approx(20 / 24)
    assert a.entry_mean == pytest.approx(fmean(ENTRIES)) and a.exit_mean == pytest.approx(fmean(ENTRIES) + 21)
    assert (b.pupils, b.measured, b.exit_mean, b.dosage.delivered_sessions) == (1, 0, None, 0)
    assert any(flag.startswith("No exit data: 1 pupil ") for flag in impact.flags)
    assert impact.placements == 7 and impact.finished == 6


def test_a_reading_age_group_gets_its_ratio_gain(place):
    intervention = place.intervention(name="Phonics boost", group_size=5)
    group = place.group(intervention, name="Phonics")
    exit_on = ENTRY + dt.timedelta(days=91)
    ages = [(84.0, 91.0), (86.0, 92.0), (90.0, 98.0), (92.0, 97.0), (95.0, 101.0)]
    for entry, exit_ in ages:
        place.place(
            group,
            place.pupil(),
            entry,
            exit_,
            measure_kind="reading_age",
            subject_id=None,
            exit_on=exit_on,
            ends_on=exit_on,
        )
    impact = _impact(place, intervention)
    m = impact.measures[0]
    expected = group_ratio_gain([(a, b, ENTRY, exit_on) for a, b in ages])
    assert m.ratio == expected
    assert expected.ratio == pytest.approx(6.4 / (91 / (365.25 / 12)))
    assert m.ratio is not None and m.ratio.band == "useful"
    assert m.title == "Reading age (months)" and m.verdict == "Measured gain"
    assert m.other_exit_mean == pytest.approx(m.entry_mean + 91 / (365.25 / 12))
    # £18 x 20 minutes x 30 sessions / 5 pupils = £36 a place, over the months gained beyond keeping pace.
    assert impact.cost_per_pupil == Decimal("36.00")
    assert m.cost_per_unit == pytest.approx(36 / (6.4 - 91 / (365.25 / 12)))
    assert m.effect is None
    assert not [flag for flag in impact.flags if not flag.startswith("Low dosage")]


def test_a_spelling_age_group_that_only_kept_pace_is_flagged(place):
    intervention = place.intervention(name="Spelling boost", group_size=5)
    group = place.group(intervention, name="Spelling")
    exit_on = ENTRY + dt.timedelta(days=91)
    for entry in (84.0, 86.0, 90.0, 92.0, 95.0):
        place.place(
            group,
            place.pupil(),
            entry,
            entry + 2,
            measure_kind="spelling_age",
            subject_id=None,
            exit_on=exit_on,
            ends_on=exit_on,
        )
    m = _impact(place, intervention).measures[0]
    assert m.ratio is not None and m.ratio.ratio is not None and m.ratio.ratio < 1
    assert m.verdict == "No measured gain" and m.cost_per_unit is None
    flags = [flag for flag in _impact(place, intervention).flags if not flag.startswith("Low dosage")]
    assert flags == [
        f"No measured gain (spelling age (months)): a ratio gain of {m.ratio.ratio:.1f} (1 or less) means "
        "the pupils at best kept pace with their age, so the gap did not close."
    ]


def test_a_group_of_three_is_too_small_to_say(place, candidates):
    intervention = place.intervention(name="Tiny group", group_size=3)
    group = place.group(intervention, name="Tiny")
    for entry in ENTRIES[:3]:
        place.place(group, place.pupil(), entry, entry + 20)
    m = _impact(place, intervention).measures[0]
    assert m.effect is not None and m.effect.status == "too_small" and m.effect.g is None
    assert m.verdict == "Too small to say" and m.cost_per_unit is None
    assert m.effect.message.startswith("Too few pupils to say: 3 in the group and 9 to compare with")
    flags = _impact(place, intervention).flags
    assert any(
        flag.startswith("Too small to say (reading: standardised scores): only 3 pupils") for flag in flags
    )


def test_no_better_than_similar_pupils_is_no_measured_gain(place, candidates):
    intervention = place.intervention(name="Reading as usual", group_size=6)
    group = place.group(intervention, name="As usual")
    for i, entry in enumerate(ENTRIES):
        place.place(group, place.pupil(), entry, entry + 1 + (i + 1) % 3)
    impact = _impact(place, intervention)
    m = impact.measures[0]
    assert m.effect is not None and m.effect.status == "ok"
    assert m.effect.ci_low is not None and m.effect.ci_high is not None
    assert m.effect.ci_low < 0 < m.effect.ci_high
    assert m.verdict == "No measured gain" and m.cost_per_unit is None
    assert any("includes zero" in flag for flag in impact.flags)


def test_no_evidence_and_no_exit_data_are_flagged(place):
    intervention = place.intervention(name="Brain training", evidence_strength=0, weeks=6)
    group = place.group(intervention, name="Brain", ends_on=None, starts_on=TODAY - dt.timedelta(days=90))
    # One ended without an exit measure; one still open but past its six weeks; one just started.
    place.place(group, place.pupil(), 80, None, ends_on=TODAY - dt.timedelta(days=20))
    place.place(group, place.pupil(), 82, None, starts_on=TODAY - dt.timedelta(days=90))
    place.place(group, place.pupil(), 84, None, starts_on=TODAY - dt.timedelta(days=3))
    impact = _impact(place, intervention)
    assert impact.measures == []
    assert impact.flags[0].startswith("No evidence base:")
    assert impact.flags[1] == (
        "No exit data: 2 pupils finished, or passed the planned 6 weeks, without an exit measure, so their "
        "progress cannot be counted. Record the exit measures on the group pages."
    )


def test_the_page_shows_the_figures_and_a_table(client, place, candidates, effective):
    intervention, _ = effective
    m = _impact(place, intervention).measures[0]
    client.force_login(place.senco)
    response = client.get(reverse("intervention_detail", args=[intervention.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="impact-heading">Impact</h2>' in html
    assert "Measured gain." in html
    assert m.effect is not None and m.effect.g is not None
    assert f"{m.effect.g:.2f}" in html and f"{m.effect.ci_low:.2f} to {m.effect.ci_high:.2f}" in html
    assert 'role="img"' in html and "<title id=" in html
    assert "<caption" in html and "Reading: standardised scores: mean entry and exit" in html
    assert f"{m.entry_mean:.1f}" in html and f"{m.other_entry_mean:.1f}" in html
    assert "Impact by group" in html and "Reading boost A" in html
    assert "£30.00" in html
    assert "No exit data" in html


def test_the_page_says_too_small_to_say(client, place, candidates):
    intervention = place.intervention(name="Tiny group", group_size=3)
    group = place.group(intervention, name="Tiny")
    for entry in ENTRIES[:3]:
        place.place(group, place.pupil(), entry, entry + 20)
    client.force_login(place.senco)
    html = client.get(reverse("intervention_detail", args=[intervention.pk])).content.decode()
    assert "Too small to say." in html
    assert "Too few pupils to say" in html


def _placed(place, name: str, pupils: int) -> object:
    intervention = place.intervention(name=name, group_size=pupils)
    group = place.group(intervention, name=f"{name} group")
    for i in range(pupils):
        entry = 80.0 + 3 * i
        pupil = place.pupil()
        place.results(pupil, entry, entry + 2)
        place.place(group, pupil, entry, entry + 6)
    for day in range(3):
        f.make_session_log(group=group, held_on=ENTRY + dt.timedelta(days=10 + day))
    return intervention


def test_the_page_runs_as_many_queries_for_12_pupils_as_for_4(client, place, candidates):
    few, many = _placed(place, "Four", 4), _placed(place, "Twelve", 12)
    client.force_login(place.senco)
    client.get(reverse("intervention_detail", args=[few.pk]))  # warm up: sessions, caches
    counts = []
    for intervention in (few, many):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("intervention_detail", args=[intervention.pk]))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
