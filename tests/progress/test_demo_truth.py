"""The engine against the demo trust's planted truth, without a database.

`tandem.demo.generator` plants Code 6.17 patterns in the standardised reading and maths scores, with noise of
SD 4.7 points (reliability 0.9). Stall, slowed and falls_behind have the sizes issue 12 judges criteria (a),
(b) and (d) on, are still going on at the latest window and show in two or more results by then (none begins
in the latest window; not_closing and improving may):

- stall: keeping pace, then 8-21 points lost evenly over the last 2 or 3 terms;
- slowed: the same slowdown after gaining 0-3 points a term over the three terms before;
- falls_behind: a gap to peers widening by 2-4 points every term over the last 6-8 terms, ending below peers;
- not_closing ((c)'s pattern): gaining 1.5-3 points a term, then flat below 85 from one of the last five
  windows;
- improving (a negative): gaining 2.5-4.5 points a term.

What is scored, per pupil and subject, is the flag at the latest window: the one pages show teachers and the
one test_calibration.py scores (it weighs every earlier window, so a pattern seen in window 7 still counts).

- (a), (b) or (d): positives are stall, slowed and falls_behind; negatives are pupil-subjects with no pattern
  and improving ones. not_closing pupil-subjects are in neither: a flag on one is not a false alarm (their
  progress really did stop: 6.17(c)) but (a), (b) and (d) are not meant to find them, so they are not in the
  recall population either; how many (a)|(b)|(d) flags they got is printed (abd_flags_on_not_closing).
- Any criterion: positives are all four flag patterns (not_closing included), negatives as above.

Measured (seed 2026, 23 November 2026, two schools; 156 (a)/(b)/(d) patterns, 53 not_closing, 2,448
negatives), settings' defaults:

    (a), (b) or (d):        precision 0.73, recall 0.65 (stall 0.67, slowed 0.50, falls_behind 1.00)
    any criterion:          precision 0.44, recall 0.60
    flag rate among negatives: (a) 0.4%, (b) 0.2%, (c) 5.0%, (d) 1.0%; (a), (b) or (d) 1.5%
    (a)|(b)|(d) flags on not_closing pupils: 0 of 53

Before issue 12's truth (the old generator: patterns beginning in any of the last five windows, 71 of 235 in
the latest; stalls of 5-8 points a term, "slowed" by 2.5-4 a term; not_closing counted as an (a)|(b)|(d)
positive; flags in the last two windows) the same test measured precision 0.56, recall 0.36. The old truth
scored as here (latest window, not_closing in neither population): precision 0.68, recall 0.38.

Why the issue's 0.7 / 0.7 for (a)|(b)|(d) is still not met on the demo (the test below is a strict xfail):
precision is met; recall is 0.65 because 134 of the 156 patterns are slowdowns (the generator's weights, kept
from before: stall and slowed 0.3 each, falls_behind 0.45 and only for pupils now below peers, who must also
have six or more results), and a slowdown of 8-21 points over 2-3 terms is 1.7-4.5 SEM, found 50-67% of the
time with false alarms held to 3%. The independent simulation in test_calibration.py finds such slowdowns
62% of the time with local norms too, and meets 0.7 only because half its planted patterns are widening gaps
(found 90%; here 100%). "slowed" is the hardest: its earlier gain raises the earlier gaps (d) compares with.
Moving the critical values only trades one for the other (precision, recall): own_rate_z 2.326 gives 0.71,
0.69; with widening_z 2.17 too, 0.66, 0.71; growth_significance 0.1, 0.68, 0.70; growth_threshold 25, 0.699,
0.699. Weighting (d)'s recent windows towards the latest (a filter matched to a decline spread over the last
two or three terms) changed nothing (0.73, 0.65): a slowdown of this size is near what 9 scores with this
error can show, so reaching 0.7 / 0.7 here needs more evidence per pupil (a second subject, or item-level
scores), not another test of the same scores.

Why precision with (c) is low, honestly: (c) "fails to close the gap" flags every pupil who was behind peers
(beyond measurement error) and did not close the gap reliably. The generator's truth has no row for pupils who
are simply, steadily behind, "even though Code 6.17(c) may describe them" (its docstring), so they count as
false positives here; the check below shows they really were behind. (With behind_gap_z = 0, the Code's most
literal reading, (c) flagged 23% of negatives under the old truth. The default is -0.84 SD, the
lowest-attaining 20%: see ProgressSettings.behind_gap_z.)

The floors sit a margin below those numbers, so a change that makes the engine worse fails here.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pytest

from tandem.demo.generator import ABD_PATTERNS, FLAG_PATTERNS, SUBJECTS, generate
from tandem.progress.engine import Coded, ProgressTable, assess_progress
from tandem.progress.settings import ProgressSettings, ScaleInfo

STANDARDISED = 0  # index of "standardised" in generator.SCALES


@cache
def _run() -> tuple[ProgressTable, dict[str, np.ndarray], np.ndarray]:
    demo = generate(seed=2026, as_of=dt.date(2026, 11, 23), schools=2)
    a = demo.assessments
    std = a.scale == STANDARDISED
    columns = {
        "pupil": a.pupil[std],
        "subject": Coded(a.subject[std], np.asarray(SUBJECTS)),
        # Windows are rows per school; their position (0-8) lines the trust's calendar up.
        "window": demo.windows.position[a.window[std]],
        "date": a.assessed_on[std],
        "points": a.points[std],
        "year_group": a.year_group[std],
        "school": demo.pupils.school[a.pupil[std]],
    }
    scales = {subject: ScaleInfo.standardised(reliability=0.9) for subject in SUBJECTS}
    result = assess_progress(columns=columns, scales=scales, settings=ProgressSettings())
    truth = demo.truth
    planted = {
        "pupil": truth.pupil,
        "subject": np.asarray(truth.subject, dtype=object),
        "pattern": np.asarray(truth.pattern, dtype=object),
        "start": truth.starts_window_index,
    }
    # Noise-free score per result row, to check what (c) flagged.
    true_score = np.full(len(result), np.nan)
    key = {
        (int(p), SUBJECTS[int(s)], int(w)): t
        for p, s, w, t in zip(
            a.pupil[std], a.subject[std], demo.windows.position[a.window[std]], a.true_score[std], strict=True
        )
    }
    for i, (p, s, w) in enumerate(zip(result["pupil"], result["subject"], result["window"], strict=True)):
        true_score[i] = key[(int(p), str(s), int(w))]
    return result, planted, true_score


def _score() -> dict[str, float]:
    """Flags at the latest window against the planted truth (the module docstring defines each figure)."""
    result, planted, true_score = _run()
    cols = result.columns
    last = int(cols["window"].max())
    pattern = {
        (int(p), str(s)): str(k)
        for p, s, k in zip(planted["pupil"], planted["subject"], planted["pattern"], strict=True)
    }
    kinds: list[str] = []
    hits: list[dict[str, bool]] = []
    c_only_behind: list[bool] = []
    criteria = ("peers", "own_rate", "not_closing", "widening")
    for i in np.flatnonzero(cols["window"] == last):
        kind = pattern.get((int(cols["pupil"][i]), str(cols["subject"][i])), "")
        kinds.append(kind)
        hit = {c: bool(cols[c][i] == 1) for c in criteria}
        hit["any"] = bool(cols["flagged"][i])
        hit["abd"] = hit["peers"] or hit["own_rate"] or hit["widening"]
        hits.append(hit)
        if kind not in FLAG_PATTERNS and hit["not_closing"]:
            # Was the pupil truly behind the cohort at the previous window (noise-free scores)?
            same = (cols["window"] == cols["window"][i - 1]) & (
                cols["year_group"] == cols["year_group"][i - 1]
            )
            same &= cols["subject"] == cols["subject"][i]
            c_only_behind.append(bool(true_score[i - 1] < np.nanmean(true_score[same])))
    kind_of = np.asarray(kinds, dtype=object)
    negative = ~np.isin(kind_of, FLAG_PATTERNS)  # no pattern, or improving

    def flagged(name: str) -> np.ndarray:
        return np.asarray([h[name] for h in hits])

    def rates(name: str, positive: np.ndarray) -> tuple[float, float]:
        hit = flagged(name)
        tp, fp = int((hit & positive).sum()), int((hit & negative).sum())
        return tp / max(tp + fp, 1), tp / int(positive.sum())

    abd_positive = np.isin(kind_of, ABD_PATTERNS)
    out: dict[str, float] = {
        "abd_positives": float(abd_positive.sum()),
        "not_closing": float((kind_of == "not_closing").sum()),
        "negatives": float(negative.sum()),
    }
    out["abd_precision"], out["abd_recall"] = rates("abd", abd_positive)
    for kind in ABD_PATTERNS:
        out[f"abd_recall_{kind}"] = float(flagged("abd")[kind_of == kind].mean())
    out["abd_flags_on_not_closing"] = float((flagged("abd") & (kind_of == "not_closing")).sum())
    out["precision"], out["recall"] = rates("any", np.isin(kind_of, FLAG_PATTERNS))
    for name in criteria:
        out[f"negative_rate_{name}"] = float(flagged(name)[negative].mean())
    out["negative_rate_abd"] = float(flagged("abd")[negative].mean())
    out["c_false_alarms_truly_behind"] = float(np.mean(c_only_behind))
    return out


def test_it_finds_the_planted_patterns_in_the_demo_trust():
    score = _score()
    print("\ndemo truth (seed 2026):", {k: round(v, 3) for k, v in score.items()})
    assert score["abd_positives"] > 120 and score["not_closing"] > 30 and score["negatives"] > 2000
    # (a), (b), (d): measured 0.73 / 0.65.
    assert score["abd_precision"] >= 0.70
    assert score["abd_recall"] >= 0.62
    # Measured 0.67, 0.50, 1.00 (22 widening gaps).
    assert score["abd_recall_stall"] >= 0.62
    assert score["abd_recall_slowed"] >= 0.45
    assert score["abd_recall_falls_behind"] >= 0.95
    # Any criterion: measured 0.44 / 0.60 (see the module docstring for why precision is low with (c)).
    assert score["precision"] >= 0.41
    assert score["recall"] >= 0.57


@pytest.mark.xfail(
    strict=True,
    reason="issue 12's 0.7 / 0.7 for (a)|(b)|(d) on the demo: measured precision 0.73, recall 0.65 (stall "
    "0.67, slowed 0.50, falls_behind 1.00); 134 of the demo's 156 patterns are slowdowns of 8-21 points "
    "over 2-3 terms, which the engine finds 50-67% of the time (62% in test_calibration.py) with false "
    "alarms held to 3% (module docstring)",
)
def test_it_finds_the_demo_patterns_with_the_issues_precision_and_recall():
    score = _score()
    assert score["abd_recall"] >= 0.7
    assert score["abd_precision"] >= 0.7


def test_it_keeps_false_alarms_near_their_nominal_rates():
    score = _score()
    # Measured 0.4%, 0.2%, 1.0% in the latest window: (b) one-sided at 0.5%, (d) two tests at 1%.
    assert score["negative_rate_peers"] <= 0.01
    assert score["negative_rate_own_rate"] <= 0.01
    assert score["negative_rate_widening"] <= 0.02
    # Together: measured 1.5%; the issue's 3% (the demo's pupils without a pattern also drift a little).
    assert score["negative_rate_abd"] <= 0.03
    # (c) with the default "behind" cut (lowest 20%): measured 5.0%.
    assert score["negative_rate_not_closing"] <= 0.08


def test_it_flags_not_closing_only_for_pupils_who_really_were_behind():
    # (c)'s "false" alarms are pupils steadily behind peers, whom the Code's (c) does describe.
    assert _score()["c_false_alarms_truly_behind"] >= 0.95


@pytest.mark.parametrize(
    "column", ["reason_peers", "reason_own_rate", "reason_not_closing", "reason_widening"]
)
def test_it_gives_every_demo_result_a_reason(column: str):
    result, _, _ = _run()
    assert all(len(text) > 20 for text in result[column])
