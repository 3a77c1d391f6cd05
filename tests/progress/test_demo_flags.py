"""Acceptance: `tandem analyse` on the demo trust flags the pupils the generator made to stall, slow or fall
behind, and few others. Same scoring as test_demo_truth.py, but through the database and the command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from tandem.demo.generator import FLAG_PATTERNS, generate
from tandem.demo.loader import load_demo
from tandem.progress.models import ProgressResult
from tandem.schools.models import AssessmentWindow

DEMO = {"seed": 2026, "as_of": dt.date(2026, 11, 23), "schools": 2, "pupils_per_school": None}


@pytest.mark.django_db
def test_it_flags_the_planted_patterns_through_the_database(capsys):
    load_demo(**DEMO)  # type: ignore[arg-type]
    call_command("analyse", stdout=io.StringIO(), stderr=io.StringIO())
    truth = generate(seed=DEMO["seed"], as_of=DEMO["as_of"], schools=2).truth  # type: ignore[arg-type]
    planted = {
        (str(p), s): (k, int(w))
        for p, s, k, w in zip(
            truth.pupil_id, truth.subject, truth.pattern, truth.starts_window_index, strict=True
        )
    }
    # Window position 0-8 within each school's calendar, as the generator numbers them.
    position: dict[int, int] = {}
    for school_id in AssessmentWindow.objects.values_list("school_id", flat=True).distinct():
        windows = AssessmentWindow.objects.filter(school_id=school_id).order_by("opens_on")
        position.update({w.pk: i for i, w in enumerate(windows)})
    last = max(position.values())
    hits: dict[tuple[str, str], bool] = {}
    abd_hits: dict[tuple[str, str], bool] = {}
    rows = ProgressResult.objects.values_list(
        "pupil_id", "subject_id", "window_id", "flagged", "peers", "own_rate", "widening"
    )
    for pupil, subject, window, flagged, *abd in rows:
        at = position[window]
        if at < last - 1:
            continue
        kind, start = planted.get((str(pupil), subject), ("", 0))
        if kind in FLAG_PATTERNS and at < start:
            continue
        key = (str(pupil), subject)
        hits[key] = hits.get(key, False) or flagged
        abd_hits[key] = abd_hits.get(key, False) or 1 in abd
    positive = {key for key in hits if planted.get(key, ("", 0))[0] in FLAG_PATTERNS}
    flagged = {key for key, hit in hits.items() if hit}
    precision = len(flagged & positive) / len(flagged)
    recall = len(flagged & positive) / len(positive)
    abd_flagged = {key for key, hit in abd_hits.items() if hit}
    abd_precision = len(abd_flagged & positive) / len(abd_flagged)
    abd_recall = len(abd_flagged & positive) / len(positive)
    with capsys.disabled():
        print(
            f"\ntandem analyse on the demo trust: precision {precision:.2f}, recall {recall:.2f}; "
            f"(a), (b) or (d) {abd_precision:.2f} / {abd_recall:.2f} "
            f"({len(positive)} planted, {len(hits) - len(positive)} not)"
        )
    # The same floors as the database-free test (measured 0.34 / 0.51 there; (a)|(b)|(d) 0.56 / 0.36). The
    # issue's 0.7 / 0.7 is a strict expected failure there, with the reason it cannot be met on the demo.
    assert len(positive) > 200
    assert recall >= 0.50
    assert precision >= 0.32
    assert abd_precision >= 0.52
    assert abd_recall >= 0.33
