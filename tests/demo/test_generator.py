"""The demo generator on its own: no database, so these run in a few seconds."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter, defaultdict

import numpy as np
import pytest

from tandem.demo import generator as g
from tandem.lib.upn import check_upn

AS_OF = dt.date(2026, 3, 20)  # spring window open: results must stop at "today"


@pytest.fixture(scope="module")
def data() -> g.DemoData:
    return g.generate(seed=11, as_of=AS_OF, schools=4, pupils_per_school=700)


@pytest.fixture(scope="module")
def default() -> g.DemoData:
    return g.generate(seed=2026, as_of=AS_OF)


def _open_provision(data: g.DemoData) -> np.ndarray:
    periods = data.sen_periods
    provision = np.full(len(data.pupils.id), "?", dtype="<U1")
    is_open = np.isnat(periods.ends_on)
    provision[periods.pupil[is_open]] = periods.provision[is_open]
    return provision


def _scores(data: g.DemoData) -> dict[tuple[int, int, int], float]:
    a = data.assessments
    std = a.scale == 0
    return {
        (int(p), int(s), int(data.windows.position[w])): float(pt)
        for p, s, w, pt in zip(a.pupil[std], a.subject[std], a.window[std], a.points[std], strict=True)
    }


def test_it_builds_the_same_data_from_the_same_seed():
    first = g.generate(seed=5, as_of=AS_OF, schools=2, pupils_per_school=100)
    again = g.generate(seed=5, as_of=AS_OF, schools=2, pupils_per_school=100)
    assert first.fingerprint() == again.fingerprint()
    assert first.pupils.id == again.pupils.id
    assert (
        g.generate(seed=6, as_of=AS_OF, schools=2, pupils_per_school=100).fingerprint() != first.fingerprint()
    )
    later = g.generate(seed=5, as_of=dt.date(2026, 7, 1), schools=2, pupils_per_school=100)
    assert later.fingerprint() != first.fingerprint()


def test_it_keeps_a_school_the_same_whatever_the_size_of_the_trust():
    one = g.generate(seed=5, as_of=AS_OF, schools=1, pupils_per_school=100)
    three = g.generate(seed=5, as_of=AS_OF, schools=3, pupils_per_school=100)
    n = len(one.pupils.id)
    assert three.pupils.id[:n] == one.pupils.id
    assert three.pupils.upn[:n] == one.pupils.upn
    assert three.schools.name[0] == one.schools.name[0]


def test_it_sizes_the_default_trust_like_real_schools(default):
    assert default.schools.phase == ["primary", "secondary"]
    assert list(default.schools.lowest_year) == [0, 7]
    assert list(default.schools.highest_year) == [6, 11]
    per_school = Counter(default.pupils.school.tolist())
    assert per_school == {0: 420, 1: 1000}
    primary_years = Counter(default.pupils.year_group[default.pupils.school == 0].tolist())
    assert primary_years == {year: 60 for year in range(7)}
    secondary_years = Counter(default.pupils.year_group[default.pupils.school == 1].tolist())
    assert secondary_years == {year: 200 for year in range(7, 12)}


def test_it_alternates_primary_and_secondary_schools(data):
    assert data.schools.phase == ["primary", "secondary", "primary", "secondary"]
    assert len(set(data.schools.urn)) == 4
    assert all(re.fullmatch(r"9\d{5}", urn) for urn in data.schools.urn)
    assert len(set(data.schools.name)) == 4


def test_it_gives_every_pupil_a_valid_unique_upn(data):
    upns = data.pupils.upn
    assert all(check_upn(upn).valid for upn in upns)
    assert len(set(upns)) == len(upns)
    assert all(not check_upn(upn).temporary for upn in upns)
    for school in range(4):
        mis = [m for m, s in zip(data.pupils.mis_id, data.pupils.school, strict=True) if s == school]
        assert len(set(mis)) == len(mis)
        assert all(re.fullmatch(r"\d{6}", m) for m in mis)


def test_it_numbers_primary_pupils_from_their_own_school(data):
    estab = int(data.schools.establishment[0])
    primary = data.pupils.school == 0
    assert {upn[4:8] for upn, p in zip(data.pupils.upn, primary, strict=True) if p} == {f"{estab:04d}"}


def test_it_dates_births_to_the_right_school_year(data):
    year = AS_OF.year - 1  # 2025/26
    for dob, yg in zip(data.pupils.date_of_birth, data.pupils.year_group, strict=True):
        born = dob.astype("datetime64[D]").item()
        assert dt.date(year - int(yg) - 5, 9, 1) <= born <= dt.date(year - int(yg) - 4, 8, 31)


def test_it_has_realistic_shares_of_pupils(data):
    shares = data.summary()
    assert 10 <= shares["SEN support (K) %"] <= 16
    assert 1.5 <= shares["EHC plan (E) %"] <= 5
    assert 18 <= shares["pupil premium %"] <= 33
    assert 13 <= shares["EAL %"] <= 28
    assert shares["looked after %"] < 2
    assert 40 <= 100 * np.mean(np.asarray(data.pupils.sex) == "F") <= 60


def test_it_keeps_one_open_sen_period_per_pupil_and_no_overlaps(data):
    periods = data.sen_periods
    by_pupil: dict[int, list[tuple[np.datetime64, np.datetime64, str]]] = defaultdict(list)
    for p, s, e, code in zip(
        periods.pupil, periods.starts_on, periods.ends_on, periods.provision, strict=True
    ):
        by_pupil[int(p)].append((s, e, str(code)))
    assert set(by_pupil) == set(range(len(data.pupils.id)))
    as_of = np.datetime64(AS_OF)
    for rows in by_pupil.values():
        rows.sort(key=lambda r: r[0])
        assert sum(np.isnat(e) for _, e, _ in rows) == 1
        assert np.isnat(rows[-1][1])
        for (s1, e1, c1), (s2, _, c2) in itertools.pairwise(rows):
            assert s1 <= e1 < s2
            assert e1 + np.timedelta64(1, "D") == s2  # no gaps: every day has a status
            assert c1 != c2
        assert all(s <= as_of for s, _, _ in rows)
        assert all(code in "NKE" for _, _, code in rows)


def test_it_gives_needs_only_to_pupils_on_the_register(data):
    provision = _open_provision(data)
    needs = data.sen_needs
    current = np.isnat(needs.ends_on)
    on_register = np.flatnonzero(provision != "N")
    rank1 = needs.pupil[current & (needs.rank == 1)]
    assert sorted(rank1.tolist()) == sorted(on_register.tolist())
    assert set(needs.pupil[current & (needs.rank == 2)].tolist()) <= set(rank1.tolist())
    assert not set(needs.pupil[current].tolist()) - set(on_register.tolist())
    nsa = needs.pupil[current & (needs.need_type == "NSA")]
    assert set(provision[nsa]) <= {"K"}
    assert not np.any(current & (needs.rank == 2) & (needs.need_type == "NSA"))
    pairs = Counter(zip(needs.pupil[current].tolist(), needs.need_type[current].tolist(), strict=True))
    assert max(pairs.values()) == 1
    second = np.isin(on_register, needs.pupil[current & (needs.rank == 2)]).mean()
    assert 0.2 <= second <= 0.45
    # Closed needs belong to pupils who came off SEN support.
    assert set(provision[needs.pupil[~current]]) <= {"N"}


def test_it_reflects_the_census_mix_of_needs(data):
    provision = _open_provision(data)
    needs = data.sen_needs
    rank1 = np.isnat(needs.ends_on) & (needs.rank == 1)
    phase = np.asarray(data.schools.phase)[data.pupils.school[needs.pupil]]
    primary_k = Counter(
        needs.need_type[rank1 & (phase == "primary") & (provision[needs.pupil] == "K")].tolist()
    )
    assert primary_k.most_common(1)[0][0] == "SLCN"
    secondary_k = Counter(
        needs.need_type[rank1 & (phase == "secondary") & (provision[needs.pupil] == "K")].tolist()
    )
    assert "SEMH" in [code for code, _ in secondary_k.most_common(2)]
    assert secondary_k["SEMH"] / sum(secondary_k.values()) > 0.18
    ehc = Counter(needs.need_type[rank1 & (provision[needs.pupil] == "E")].tolist())
    assert ehc.most_common(1)[0][0] == "ASD"


def test_it_builds_nine_windows_for_each_school_up_to_today(data):
    w = data.windows
    assert len(w.term) == 4 * g.WINDOWS_PER_SCHOOL
    school0 = w.school == 0
    assert list(w.position[school0]) == list(range(9))
    assert np.all(w.opens_on <= np.datetime64(AS_OF))
    assert np.all(np.diff(w.opens_on[school0].astype("int64")) > 0)
    assert w.term[:9][-1] == "spring" and w.start_year[8] == 2025
    assert set(w.start_year.tolist()) <= set(data.academic_years)
    assert data.current_start_year == 2025 in data.academic_years


def test_it_dates_results_inside_their_window_and_never_after_today(data):
    a = data.assessments
    opens = data.windows.opens_on[a.window]
    last = np.minimum(data.windows.closes_on[a.window], np.datetime64(AS_OF))
    assert np.all(a.assessed_on >= opens)
    assert np.all(a.assessed_on <= last)


def test_it_puts_every_pupil_in_one_class_or_one_set_per_subject(data):
    e, groups = data.enrolments, data.groups
    subjects = np.asarray(groups.subject, dtype=object)[e.group]
    phase = np.asarray(data.schools.phase)[data.pupils.school]
    counts = Counter(zip(e.pupil.tolist(), subjects.tolist(), strict=True))
    for pupil in range(len(data.pupils.id)):
        if phase[pupil] == "primary":
            assert counts[(pupil, None)] == 1
        else:
            assert [counts[(pupil, s)] for s in ("english", "maths", "science")] == [1, 1, 1]
    assert np.all(groups.year_group[e.group] == data.pupils.year_group[e.pupil])
    assert np.all(groups.school[e.group] == data.pupils.school[e.pupil])
    assert set(e.starts_on.tolist()) == {dt.date(2025, 9, 1)}
    per_school_names = Counter(zip(groups.school.tolist(), groups.name, strict=True))
    assert max(per_school_names.values()) == 1


def test_it_keeps_classes_and_sets_to_a_realistic_size(default):
    sizes = Counter(default.enrolments.group.tolist())
    kinds = np.asarray(default.groups.kind)
    class_sizes = [sizes[i] for i in np.flatnonzero(kinds == "class")]
    set_sizes = [sizes[i] for i in np.flatnonzero(kinds == "set")]
    assert max(class_sizes) <= 30
    assert min(set_sizes) >= 14 and max(set_sizes) <= 32
    assert {default.groups.name[i] for i in np.flatnonzero(kinds == "class")} >= {"R Oak", "4 Oak", "4 Ash"}
    assert "9Ma3" in default.groups.name


def test_it_sets_pupils_by_prior_attainment(default):
    scores = _scores(default)
    e, groups = default.enrolments, default.groups
    by_set: dict[str, list[float]] = defaultdict(list)
    for group, pupil in zip(e.group, e.pupil, strict=True):
        name = groups.name[group]
        if name.startswith("10Ma") and (int(pupil), 2, 7) in scores:
            by_set[name].append(scores[(int(pupil), 2, 7)])
    top, bottom = np.mean(by_set["10Ma1"]), np.mean(by_set[f"10Ma{len(by_set)}"])
    assert top > 115 and bottom < 85


def test_it_gives_each_group_one_teacher_and_tas_only_support(default):
    gs = default.group_staff
    teachers = Counter(gs.group[np.asarray(gs.role) == "teacher"].tolist())
    assert set(teachers) == set(range(len(default.groups.id)))
    assert set(teachers.values()) == {1}
    roles: dict[int, set[str]] = defaultdict(set)
    for staff, role in zip(default.memberships.staff, default.memberships.role, strict=True):
        roles[int(staff)].add(role)
    for staff, role in zip(gs.staff, gs.role, strict=True):
        if role == "support":
            assert roles[int(staff)] == {"teaching_assistant"}
        else:
            assert "teacher" in roles[int(staff)]
    secondary_senco = [s for s, r in roles.items() if "senco" in r and default.staff.school[s] == 1]
    assert len(secondary_senco) == 1 and roles[secondary_senco[0]] == {"senco", "teacher"}
    primary_tas = sum(
        1 for s, r in roles.items() if "teaching_assistant" in r and default.staff.school[s] == 0
    )
    assert 6 <= primary_tas <= 9
    secondary_teachers = sum(1 for s, r in roles.items() if r == {"teacher"} and default.staff.school[s] == 1)
    assert 35 <= secondary_teachers <= 45
    trust_roles = [r for s, r in roles.items() if default.staff.school[s] == -1]
    assert sorted(role for r in trust_roles for role in r) == ["trust_admin", "trust_dpo", "trust_send_lead"]


def test_it_gives_staff_unique_addresses_at_the_reserved_domain(data):
    emails = data.staff.email
    assert len(set(emails)) == len(emails)
    assert all(e.endswith(f".{g.DEMO_EMAIL_DOMAIN}") for e in emails)
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d*@[a-z0-9.-]+", e) for e in emails)


def test_it_lists_every_name_it_uses_for_the_log_scan(data):
    surnames, forenames = set(g.SURNAMES), set(g.FORENAMES)
    assert set(data.pupils.legal_surname) <= surnames
    assert set(data.pupils.legal_forename) <= forenames
    assert set(data.pupils.preferred_forename) - {""} <= forenames
    for full in data.staff.full_name:
        first, last = full.split(" ", 1)
        assert first in forenames and last in surnames
    assert len(g.SURNAMES) >= 200 and len(g.FORENAMES) >= 300
    assert all(len(name) >= 4 for name in g.SURNAMES + g.FORENAMES)


def test_it_keeps_a_typical_pupils_standardised_score_steady(data):
    scores = _scores(data)
    planted = set(zip(data.truth.pupil.tolist(), data.truth.subject, strict=True))
    now, before = [], []
    for (p, s, w), score in scores.items():
        if (p, g.SUBJECTS[s]) not in planted and (p, s, w - 1) in scores:
            now.append(score)
            before.append(scores[(p, s, w - 1)])
    assert np.corrcoef(now, before)[0, 1] > 0.85
    assert abs(np.mean(np.subtract(now, before))) < 1
    assert 4 < np.std(np.subtract(now, before)) < 9
    values = list(scores.values())
    assert 96 <= np.mean(values) <= 104 and 13 <= np.std(values) <= 17
    assert min(values) >= 69 and max(values) <= 141


def test_it_scores_pupils_with_sen_lower_on_average(data):
    provision = _open_provision(data)
    a = data.assessments
    latest = (a.scale == 0) & (data.windows.position[a.window] == 8)
    mean = {code: a.points[latest & (provision[a.pupil] == code)].mean() for code in "NKE"}
    assert mean["N"] - mean["K"] > 8
    assert mean["K"] > mean["E"]


def test_it_plants_progress_patterns_a_teacher_can_already_see(data):
    truth = data.truth
    assert set(truth.pattern) <= set(g.PATTERNS)
    assert set(truth.subject) <= {"reading", "maths"}
    kind, start = np.asarray(truth.pattern), truth.starts_window_index
    # (a), (b) and (d)'s patterns show in two or more results by the latest window (8), none in one only.
    assert set(start[np.isin(kind, ("stall", "slowed"))].tolist()) == {6, 7}
    assert set(start[kind == "falls_behind"].tolist()) == {1, 2, 3}
    others = start[np.isin(kind, ("not_closing", "improving"))]
    assert np.all((others >= 4) & (others <= 8))
    flagged = sum(p in g.FLAG_PATTERNS for p in truth.pattern)
    assert 6 <= 100 * flagged / (2 * len(data.pupils.id)) <= 12
    assert set(Counter(truth.pattern)) == set(g.PATTERNS)
    assert truth.pupil_id == [data.pupils.id[int(p)] for p in truth.pupil]
    provision = _open_provision(data)
    sen = np.isin(np.arange(len(data.pupils.id)), np.flatnonzero(provision != "N"))
    rate_sen = np.isin(np.flatnonzero(sen), truth.pupil).mean()
    rate_other = np.isin(np.flatnonzero(~sen), truth.pupil).mean()
    assert rate_sen > 1.5 * rate_other


def test_it_makes_each_pattern_show_in_the_true_scores(data):
    a, truth = data.assessments, data.truth
    std = a.scale == 0
    true = {
        (int(p), g.SUBJECTS[int(s)], int(data.windows.position[w])): float(t)
        for p, s, w, t in zip(a.pupil[std], a.subject[std], a.window[std], a.true_score[std], strict=True)
    }
    change: dict[str, list[float]] = defaultdict(list)
    per_term: dict[str, list[float]] = defaultdict(list)
    level: dict[str, list[float]] = defaultdict(list)
    lowest: dict[str, list[float]] = defaultdict(list)
    for p, subject, pattern, start in zip(
        truth.pupil, truth.subject, truth.pattern, truth.starts_window_index, strict=True
    ):
        scores = [true.get((int(p), subject, w)) for w in range(9)]
        # The pupil's own results before the pattern: two before a slowdown, one before a widening gap.
        needed = 1 if pattern == "falls_behind" else 2
        assert all(scores[int(start) - k] is not None for k in range(1, needed + 1))
        before, after = scores[int(start) - 1], scores[8]
        assert before is not None and after is not None
        change[pattern].append(after - before)
        per_term[pattern].extend(np.diff([x for x in scores[int(start) - 1 :] if x is not None]).tolist())
        level[pattern].append(after)
        lowest[pattern].append(min(x for x in scores if x is not None))
    # Issue 12's sizes: a slowdown of 8-21 points over the last 2-3 terms, a gap widening 2-4 points a term.
    for pattern in ("stall", "slowed"):
        assert min(change[pattern]) >= -21 and max(change[pattern]) <= -8
    assert all(-4 <= step <= -2 for step in per_term["falls_behind"])
    assert min(change["falls_behind"]) >= -32 and max(change["falls_behind"]) <= -12
    assert max(level["falls_behind"]) < 95  # behind peers now
    assert min(min(lowest[p]) for p in g.ABD_PATTERNS) >= 72  # clear of the test's floor of 69
    assert np.allclose(change["not_closing"], 0) and max(level["not_closing"]) < 85
    assert np.mean(change["improving"]) > 2


def test_it_grades_on_the_phase_scales(data):
    a = data.assessments
    phase = np.asarray(data.schools.phase)[data.pupils.school[a.pupil]]
    std = a.scale == 0
    assert set(a.subject[std].tolist()) == {0, 2}
    assert all(r == str(int(p)) for r, p in zip(a.result[std][:500], a.points[std][:500], strict=True))
    primary_ta = (a.scale == 1) & (phase == "primary")
    assert set(a.result[primary_ta].tolist()) <= set(g.PRIMARY_TA_CODES)
    assert np.all(a.points[primary_ta] == [g.PRIMARY_TA_CODES.index(r) + 1 for r in a.result[primary_ta]])
    assert not np.any((a.scale == 1) & (phase == "secondary"))
    gcse = a.scale == 2
    assert set(a.result[gcse].tolist()) <= set(g.GCSE_CODES)
    assert not np.any(gcse & (phase == "primary"))
    y6 = primary_ta & (a.year_group == 6) & (a.subject == 0)
    at_expected = np.isin(a.result[y6], ["EXS", "GDS"]).mean()
    assert 0.6 <= at_expected <= 0.85
    assert 0.01 <= np.char.startswith(a.result[primary_ta].astype(str), "PK").mean() <= 0.1
    y7 = gcse & (a.year_group == 7)
    y11 = gcse & (a.year_group == 11)
    assert np.median(a.points[y11]) >= np.median(a.points[y7]) + 2
    assert 0.6 <= (a.points[y11 & (a.subject == 2)] >= 4).mean() <= 0.85


def test_it_only_assesses_pupils_while_they_were_at_the_school(data):
    a = data.assessments
    lowest = data.schools.lowest_year[data.pupils.school[a.pupil]]
    assert np.all(a.year_group >= lowest)
    current = data.pupils.year_group[a.pupil]
    years_back = data.current_start_year - data.windows.start_year[a.window]
    assert np.all(a.year_group == current - years_back)
    assert not np.any((a.scale == 0) & (a.year_group == 0))  # no standardised tests in Reception
    keys = Counter(
        zip(a.pupil.tolist(), a.subject.tolist(), a.window.tolist(), a.scale.tolist(), strict=True)
    )
    assert max(keys.values()) == 1


def test_it_credits_this_years_results_to_the_pupils_teacher(data):
    a, e, gs = data.assessments, data.enrolments, data.group_staff
    teacher_of = {
        int(grp): int(st) for grp, st, r in zip(gs.group, gs.staff, gs.role, strict=True) if r == "teacher"
    }
    groups_of: dict[int, dict[str | None, int]] = defaultdict(dict)
    for grp, pupil in zip(e.group, e.pupil, strict=True):
        groups_of[int(pupil)][data.groups.subject[grp]] = int(grp)
    this_year = data.windows.start_year[a.window] == data.current_start_year
    assert this_year.any()
    for i in np.flatnonzero(this_year)[:2000]:
        mine = groups_of[int(a.pupil[i])]
        subject = g.SUBJECTS[int(a.subject[i])]
        group = mine.get(None) or mine["maths" if subject == "maths" else "english"]
        assert a.entered_by[i] == teacher_of[group]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"schools": 0},
        {"schools": g.MAX_SCHOOLS + 1},
        {"pupils_per_school": 5},
        {"pupils_per_school": g.MAX_PUPILS_PER_SCHOOL + 1},
    ],
)
def test_it_rejects_impossible_sizes(kwargs):
    with pytest.raises(ValueError):
        g.generate(seed=1, as_of=AS_OF, **kwargs)


def test_it_finds_the_nine_latest_windows_for_any_date():
    calendar = g.window_calendar(dt.date(2026, 10, 1))  # before this year's first window
    assert len(calendar) == 9
    assert calendar[-1][:2] == (2025, "summer")
    assert calendar[0][:2] == (2023, "autumn")
    assert g.window_calendar(dt.date(2026, 11, 1))[-1][:2] == (2026, "autumn")
