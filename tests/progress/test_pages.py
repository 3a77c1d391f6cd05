"""The teacher's less-than-expected-progress list and the pupil page's progress section."""

import pytest
from django.urls import reverse

from tests import factories as f

REASON = "Made less progress this term than most pupils who started from a similar score."


def _results_for(school, pupils, windows, flagged_pupils):
    for window_index, window in enumerate(windows):
        current = window_index == len(windows) - 1
        for n, pupil in enumerate(pupils):
            flagged = current and pupil in flagged_pupils
            yield {
                "pupil": pupil,
                "subject_id": "maths",
                "window": window,
                "percentile": 12 if flagged else 55,
                "peers": 1 if flagged else 0,
                "flagged": flagged,
                "is_current": current,
                "reasons": {"peers": REASON} if flagged else {},
                "figures": {
                    "score": 100 - 4 * window_index * flagged + n,
                    "peer_p25": 95,
                    "peer_median": 100,
                    "peer_p75": 105,
                },
                "norm_n": 1200,
            }


@pytest.fixture
def analysed(world):
    for school in (world.a, world.b):
        windows = [
            f.make_window(school=school.school, start_year=2025, term=t)
            for t in ("autumn", "spring", "summer")
        ]
        pupils = [school.taught_pupil, school.ehc_pupil, school.untaught_pupil]
        flagged = {school.taught_pupil, school.untaught_pupil}
        f.make_progress_run(
            school=school.school, results=_results_for(school.school, pupils, windows, flagged)
        )
    return world


def test_it_lists_a_teachers_own_flagged_pupils_with_reasons(client, analysed):
    client.force_login(analysed.a.teacher)
    body = client.get(reverse("progress_list")).content.decode()
    assert "SentinelaSupport" in body and REASON in body
    assert "SentinelaUntaught" not in body  # flagged, but not in this teacher's groups
    assert "SentinelaEhc" not in body  # in the group, not flagged
    assert "Sentinelb" not in body


def test_it_lists_the_whole_school_for_the_senco(client, analysed):
    client.force_login(analysed.a.senco)
    body = client.get(reverse("progress_list")).content.decode()
    assert "SentinelaSupport" in body and "SentinelaUntaught" in body
    assert "Sentinelb" not in body
    assert "Pupils with less than expected progress: 2" in body


def test_it_says_so_when_no_analysis_has_run(client, world):
    client.force_login(world.a.teacher)
    assert "No analysis has been run yet" in client.get(reverse("progress_list")).content.decode()


def test_it_shows_the_pupils_chart_with_a_table_alternative(client, analysed):
    client.force_login(analysed.a.teacher)
    body = client.get(reverse("pupil_detail", args=[analysed.a.taught_pupil.pk])).content.decode()
    assert '<svg viewBox="0 0 640 280" role="img"' in body
    assert "Less than expected progress in the latest assessment" in body and REASON in body
    assert "95 to 105 (middle 100)" in body  # the band, in the table too
    assert body.count("<circle") == 3


def test_it_never_uses_the_language_of_sen_for_a_progress_flag(client, analysed):
    client.force_login(analysed.a.teacher)
    body = client.get(reverse("progress_list")).content.decode().lower()
    assert "not a judgement that a pupil has special educational needs" in body


def test_it_counts_flags_by_year_group_class_status_and_need(client, analysed):
    client.force_login(analysed.a.senco)
    summary = client.get(reverse("progress_summary")).context["summary"]
    assert [(r.label, r.results, r.flagged) for r in summary.by_year] == [("Year 4", 2, 1), ("Year 5", 1, 1)]
    assert sorted((r.label, r.results, r.flagged) for r in summary.by_group) == [("4A", 2, 1), ("5A", 1, 1)]
    assert sorted((r.label, r.flagged) for r in summary.by_status) == [("EHC plan", 0), ("SEN support", 2)]
    assert sorted((r.label, r.flagged) for r in summary.by_need) == [("ASD", 0), ("SLCN", 1), ("SPLD", 1)]
    assert [g.window for g in summary.gaps] == []  # no gaps stored in this fixture


def test_it_summarises_only_a_teachers_own_pupils(client, analysed):
    client.force_login(analysed.a.teacher)
    summary = client.get(reverse("progress_summary")).context["summary"]
    assert sum(r.results for r in summary.by_year) == 2
