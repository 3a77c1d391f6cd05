"""The engine against the demo trust's planted truth, without a database.

`tandem.demo.generator` plants Code 6.17 patterns in the standardised reading and maths scores (stall, slowed,
falls_behind, not_closing: positives; improving: a negative) with noise of SD 4.7 points (reliability 0.9).
We score "any criterion flagged in the last two windows, at or after the pattern's start" per pupil and
subject, and print precision and recall with the settings' defaults.

Measured (seed 2026, 23 November 2026, two schools; 235 positives, 2,422 negatives), with (b) and (d)
using every window and false alarms held to 3% (issue 12; before it, in brackets):

    any criterion:           precision 0.34 (0.30), recall 0.51 (0.56)
    (a), (b) or (d) only:    precision 0.56 (0.40), recall 0.36 (0.40)
    flag rate among negatives: (a) 0.8%, (b) 0.4% (3.2%), (c) 6.9%, (d) 1.7% (5.2%)

(With behind_gap_z = 0, the Code's most literal reading, (c) flagged 23% of negatives. The default is -0.84
SD, the lowest-attaining 20%: see ProgressSettings.behind_gap_z.)

Why precision is still low with (c), honestly: (c) "fails to close the gap" flags every pupil who was
behind peers (beyond measurement error) and did not close the gap reliably. The generator's truth has no
row for pupils who are simply, steadily behind, "even though Code 6.17(c) may describe them" (its
docstring), so they count as false positives here; the check below shows they really were behind.

Why the issue's 0.7 / 0.7 for (a)|(b)|(d) is not met on the demo (the test below is a strict xfail):
71 of the 235 planted patterns begin in the latest window, so they show in one result only: a stall of
5-8 points, a slowed rate of 2.5-4 points or a levelling-off, against a single score's SEM of 4.7 points.
No test that keeps false alarms at 3% sees them (3% are caught), so recall on this truth table cannot
reach 0.70 (164 / 235). Patterns that began two or more windows earlier are found 41-61% of the time;
"not_closing" (a gain of 1.5-3 points a term that stops) is never found by (a), (b) or (d) (it is (c)'s).
The demo's pupils without a pattern also drift (SD 0.35 points a term), which the trend test can see.
The independent simulation in test_calibration.py, with the issue's slowdown and widening sizes, meets
0.7 / 0.7.

The floors sit a margin below those numbers, so a change that makes the engine worse fails here.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pytest

from tandem.demo.generator import FLAG_PATTERNS, SUBJECTS, generate
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
    result, planted, true_score = _run()
    last = int(result["window"].max())
    pattern = {
        (int(p), str(s)): (str(k), int(w))
        for p, s, k, w in zip(
            planted["pupil"], planted["subject"], planted["pattern"], planted["start"], strict=True
        )
    }
    cols = result.columns
    flags: dict[tuple[int, str], dict[str, bool]] = {}
    c_only_behind: list[bool] = []
    for i in np.flatnonzero(cols["window"] >= last - 1):
        key = (int(cols["pupil"][i]), str(cols["subject"][i]))
        kind, start = pattern.get(key, ("", 0))
        if kind in FLAG_PATTERNS and cols["window"][i] < start:
            continue  # before the pattern began: not part of the question
        entry = flags.setdefault(key, {"positive": kind in FLAG_PATTERNS, "any": False, "abd": False})
        entry.update(
            {
                c: entry.get(c, False) or bool(cols[c][i] == 1)
                for c in ("peers", "own_rate", "not_closing", "widening")
            }
        )
        entry["any"] |= bool(cols["flagged"][i])
        entry["abd"] |= bool(cols["peers"][i] == 1 or cols["own_rate"][i] == 1 or cols["widening"][i] == 1)
        if not entry["positive"] and cols["not_closing"][i] == 1:
            # Was the pupil truly behind the cohort at the previous window (noise-free scores)?
            same = (cols["window"] == cols["window"][i - 1]) & (
                cols["year_group"] == cols["year_group"][i - 1]
            )
            same &= cols["subject"] == cols["subject"][i]
            c_only_behind.append(bool(true_score[i - 1] < np.nanmean(true_score[same])))
    positive = np.asarray([f["positive"] for f in flags.values()])

    def rates(name: str) -> tuple[float, float]:
        hit = np.asarray([f[name] for f in flags.values()])
        tp = int((hit & positive).sum())
        return tp / max(int(hit.sum()), 1), tp / int(positive.sum())

    out: dict[str, float] = {"positives": float(positive.sum()), "negatives": float((~positive).sum())}
    out["precision"], out["recall"] = rates("any")
    out["abd_precision"], out["abd_recall"] = rates("abd")
    for name in ("peers", "own_rate", "not_closing", "widening"):
        out[f"negative_rate_{name}"] = float(np.mean([f[name] for f in flags.values() if not f["positive"]]))
    out["c_false_alarms_truly_behind"] = float(np.mean(c_only_behind))
    return out


def test_it_finds_the_planted_patterns_in_the_demo_trust():
    score = _score()
    print("\ndemo truth (seed 2026):", {k: round(v, 3) for k, v in score.items()})
    assert score["positives"] > 200 and score["negatives"] > 2000
    # Measured 0.51 / 0.34 (see the module docstring for why precision is low with (c)).
    assert score["recall"] >= 0.50
    assert score["precision"] >= 0.32
    # (a), (b), (d): measured 0.36 / 0.56.
    assert score["abd_precision"] >= 0.52
    assert score["abd_recall"] >= 0.33


@pytest.mark.xfail(
    strict=True,
    reason="issue 12's 0.7 / 0.7 for (a)|(b)|(d) on the demo: measured precision 0.56, recall 0.36; 71 of "
    "235 planted patterns begin in the latest window (one result), so recall cannot reach 0.7 with false "
    "alarms held to 3% (module docstring)",
)
def test_it_finds_the_demo_patterns_with_the_issues_precision_and_recall():
    score = _score()
    assert score["abd_recall"] >= 0.7
    assert score["abd_precision"] >= 0.7


def test_it_keeps_false_alarms_near_their_nominal_rates():
    score = _score()
    # Measured 0.8%, 0.4%, 1.7% over the last two windows: (b) one-sided at 0.5%, (d) two tests at 1%.
    assert score["negative_rate_peers"] <= 0.02
    assert score["negative_rate_own_rate"] <= 0.015
    assert score["negative_rate_widening"] <= 0.03
    # (c) with the default "behind" cut (lowest 20%): measured 6.9%.
    assert score["negative_rate_not_closing"] <= 0.10


def test_it_flags_not_closing_only_for_pupils_who_really_were_behind():
    # (c)'s "false" alarms are pupils steadily behind peers, whom the Code's (c) does describe.
    assert _score()["c_false_alarms_truly_behind"] >= 0.95


@pytest.mark.parametrize(
    "column", ["reason_peers", "reason_own_rate", "reason_not_closing", "reason_widening"]
)
def test_it_gives_every_demo_result_a_reason(column: str):
    result, _, _ = _run()
    assert all(len(text) > 20 for text in result[column])
