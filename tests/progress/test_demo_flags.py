"""Acceptance: `tandem analyse` on the demo trust flags the pupils the generator made to stall, slow or fall
behind, and few others. Same scoring as test_demo_truth.py (flags at the latest window), but through the
database and the command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from tandem.demo.generator import ABD_PATTERNS, FLAG_PATTERNS, generate
from tandem.demo.loader import load_demo
from tandem.progress.models import ProgressResult
from tandem.schools.models import AssessmentWindow

DEMO = {"seed": 2026, "as_of": dt.date(2026, 11, 23), "schools": 2, "pupils_per_school": None}


@pytest.mark.django_db
def test_it_flags_the_planted_patterns_through_the_database(capsys):
    load_demo(**DEMO)  # type: ignore[arg-type]
    call_command("analyse", stdout=io.StringIO(), stderr=io.StringIO())
    truth = generate(seed=DEMO["seed"], as_of=DEMO["as_of"], schools=2).truth  # type: ignore[arg-type]
    planted = {(str(p), s): k for p, s, k in zip(truth.pupil_id, truth.subject, truth.pattern, strict=True)}
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
        if position[window] == last:  # the latest window, what pages show
            hits[(str(pupil), subject)] = flagged
            abd_hits[(str(pupil), subject)] = 1 in abd
    kind = {key: planted.get(key, "") for key in hits}
    negative = {key for key, k in kind.items() if k not in FLAG_PATTERNS}
    positive = {key for key, k in kind.items() if k in FLAG_PATTERNS}
    abd_positive = {key for key, k in kind.items() if k in ABD_PATTERNS}
    flagged = {key for key, hit in hits.items() if hit}
    precision = len(flagged & positive) / len(flagged)  # every key is a positive or a negative here
    recall = len(flagged & positive) / len(positive)
    # not_closing is in neither population for (a), (b) or (d): see test_demo_truth.py.
    abd_flagged = {key for key, hit in abd_hits.items() if hit} & (abd_positive | negative)
    abd_precision = len(abd_flagged & abd_positive) / len(abd_flagged)
    abd_recall = len(abd_flagged & abd_positive) / len(abd_positive)
    with capsys.disabled():
        print(
            f"\ntandem analyse on the demo trust: precision {precision:.2f}, recall {recall:.2f}; "
            f"(a), (b) or (d) {abd_precision:.2f} / {abd_recall:.2f} "
            f"({len(abd_positive)} planted for (a), (b) or (d), {len(positive)} in all, {len(negative)} not)"
        )
    # The same floors as the database-free test (measured 0.44 / 0.60 there; (a)|(b)|(d) 0.73 / 0.65). The
    # issue's 0.7 / 0.7 is a strict expected failure there, with the reason recall falls short on the demo.
    assert len(abd_positive) > 120
    assert recall >= 0.57
    assert precision >= 0.41
    assert abd_precision >= 0.70
    assert abd_recall >= 0.62
