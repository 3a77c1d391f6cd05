"""File mode without Django: reading marks as schools have them, deciding a scale, and summarising a run."""

from __future__ import annotations

import io

import numpy as np
import pytest

from tandem.progress.engine import CRITERIA, NORM_MODELS, ProgressTable
from tandem.progress.files import MarksFileError, read_marks
from tandem.progress.scales import decide_scale, decide_scales, declared, scale_info
from tandem.progress.settings import ProgressSettings
from tandem.progress.summary import (
    FlagShare,
    flag_share_warning,
    latest_flag_share,
    latest_rows,
)

HEADER = "pupil,subject,window,score,year_group\n"


def _read(text: str, **kwargs: bool):
    return read_marks(io.StringIO(HEADER + text), **kwargs)


# --------------------------------------------------------------------------------------------- reading


def test_it_counts_an_empty_score_as_not_assessed_not_an_error():
    marks = _read("a,maths,1,101,4\nb,maths,1,,4\nc,maths,1,  ,4\n")
    assert (marks.rows, marks.lines, marks.not_assessed, marks.skipped) == (1, 3, 2, [])
    assert marks.columns["pupil"].tolist() == ["a"]


def test_it_refuses_a_malformed_row_by_line_and_leaves_it_out_when_asked():
    text = "a,maths,1,101,4\nb,maths,1,abs,4\nc,maths,1,99,4.5\n"
    with pytest.raises(MarksFileError) as error:
        _read(text)
    message = str(error.value)
    assert "2 row(s) cannot be used; nothing was analysed" in message
    assert "Line 3: score 'abs' is not a number (leave it empty for a pupil who was not assessed)." in message
    assert "Line 4: year_group '4.5' is not a whole number." in message
    assert "--skip-errors" in message

    marks = _read(text, skip_errors=True)
    assert marks.rows == 1 and marks.columns["pupil"].tolist() == ["a"]
    assert [line.split(":")[0] for line in marks.skipped] == ["Line 3", "Line 4"]


@pytest.mark.parametrize("score", ["nan", "inf", "-inf"])
def test_it_refuses_a_score_that_float_would_read_but_is_no_mark(score):
    with pytest.raises(MarksFileError, match=f"Line 2: score '{score}' is not a number"):
        _read(f"a,maths,1,{score},4\n")


def test_it_reports_a_row_with_more_values_than_the_header():
    with pytest.raises(MarksFileError, match="Line 2: has 6 values but the header has 5"):
        _read("Smith, Jo,maths,1,101,4\n")


def test_it_ignores_rows_of_bare_commas_below_the_data():
    marks = _read("a,maths,1,101,4\n,,,,\n,,,,\n")
    assert (marks.rows, marks.blank, marks.skipped) == (1, 2, [])


def test_it_refuses_a_file_in_which_no_pupil_was_assessed():
    with pytest.raises(MarksFileError, match="None of the file's 2 rows has a usable score"):
        _read("a,maths,1,,4\nb,maths,1,,4\n")


# ---------------------------------------------------------------------------------------------- scales


def _cohorts(
    centre: float, sd: float, *, growth: float = 0.0, years: int = 1, pupils: int = 200, seed: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Scores for `years` year groups over 3 windows; a year group's centre rises by `growth` a window."""
    rng = np.random.default_rng(seed)
    points, cohort = [], []
    for year in range(years):
        for window in range(3):
            centre_now = centre + growth * (3 * year + window)
            points.append(np.rint(rng.normal(centre_now, sd, pupils)))
            cohort += [f"{year}|{window}"] * pupils
    return np.concatenate(points), np.asarray(cohort)


def test_it_takes_scores_with_mean_100_and_sd_15_for_standardised_scores():
    decision = decide_scale(*_cohorts(100, 15))
    assert decision.kind == "standardised" and decision.national_norms
    assert 14 < decision.within_sd < 16
    assert "compared with national norms" in decision.describe()


def test_it_does_not_take_raw_marks_with_an_sd_of_66_for_standardised_scores():
    decision = decide_scale(*_cohorts(400, 66, growth=25))
    assert decision.kind == "raw" and not decision.national_norms
    assert "an SD far from 15" in decision.reason and "values outside 40-160" in decision.reason
    assert "compared with their own cohort" in decision.describe()


def test_it_calls_scores_within_80_to_120_with_a_small_sd_scaled():
    points, cohort = _cohorts(104, 6)
    decision = decide_scale(np.clip(points, 80, 120), cohort)
    assert decision.kind == "scaled" and not decision.national_norms
    assert "an SD far from 15" in decision.reason


def test_it_does_not_take_scores_that_grow_with_age_for_standardised_scores():
    # Reading ages in months over four year groups: overall mean near 100, SD near 15 within each cohort,
    # but the youngest and oldest year groups sit far from 100.
    points, cohort = _cohorts(80, 15, growth=4, years=4)
    assert abs(points.mean() - 100) < 10
    decision = decide_scale(points, cohort)
    assert decision.kind == "raw"
    assert "a cohort whose mean is far from 100" in decision.reason


def test_it_treats_scores_too_few_to_judge_as_raw():
    decision = decide_scale(np.array([95.0, 100, 105, 110]), np.array(["a", "a", "b", "b"]))
    assert decision.kind == "raw" and np.isnan(decision.within_sd)
    assert "too few pupils to tell" in decision.describe()


def test_it_decides_each_subject_of_a_file_on_its_own():
    std, std_cohort = _cohorts(100, 15, pupils=100)
    raw, raw_cohort = _cohorts(400, 66, pupils=100)
    year_window = np.concatenate([std_cohort, raw_cohort])
    columns = {
        "subject": np.asarray(["reading"] * std.size + ["maths"] * raw.size, dtype=object),
        "points": np.concatenate([std, raw]),
        "year_group": np.asarray([int(c.split("|")[0]) + 3 for c in year_window]),
        "window": np.asarray([c.split("|")[1] for c in year_window], dtype=object),
    }
    decisions = decide_scales(columns)
    assert {s: d.kind for s, d in decisions.items()} == {"maths": "raw", "reading": "standardised"}


def test_it_keeps_what_the_data_looked_like_beside_a_declared_scale():
    looked = decide_scale(*_cohorts(400, 66))
    decision = declared("standardised", looked)
    assert decision.declared and decision.national_norms
    assert decision.within_sd == looked.within_sd
    assert "as declared" in decision.describe() and "the data look raw" in decision.describe()


def test_it_gives_national_norms_to_standardised_scores_only():
    assert scale_info("standardised", reliability=0.9).has_norms
    assert not scale_info("scaled", reliability=0.9).has_norms
    assert not scale_info("raw", reliability=0.9).has_norms


# ------------------------------------------------------------------------------------ flag share, warning


def _table(pupil, subject, window, flagged, *, criterion="peers", norm_model="sgp") -> ProgressTable:
    n = len(pupil)
    columns = {
        "pupil": np.asarray(pupil, dtype=object),
        "subject": np.asarray(subject, dtype=object),
        "window": np.asarray(window, dtype=object),
        "flagged": np.asarray(flagged, dtype=bool),
        "norm_model": np.full(n, NORM_MODELS.index(norm_model), dtype=np.int8),
        "gap_reference": np.ones(n, dtype=np.int8),
    }
    for name in CRITERIA:
        columns[name] = np.where(columns["flagged"] & (name == criterion), 1, 0).astype(np.int8)
    return ProgressTable(columns=columns, models=[], settings=ProgressSettings())


def test_it_finds_each_pupil_subjects_latest_row_whatever_the_row_order():
    pupil = ["b", "a", "a", "b", "a"]
    subject = ["maths", "maths", "maths", "maths", "reading"]
    window = ["2", "3", "1", "1", "1"]
    assert sorted(latest_rows(np.array(pupil), np.array(subject), np.array(window)).tolist()) == [0, 1, 4]


def test_it_counts_flags_at_the_latest_window_only():
    # Pupil a was flagged at window 1 only; b at window 2 (its latest); c never.
    table = _table(
        ["a", "a", "b", "b", "c", "c"],
        ["maths"] * 6,
        ["1", "2", "1", "2", "1", "2"],
        [True, False, False, True, False, False],
        criterion="widening",
    )
    share = latest_flag_share(table)
    assert (share.pupil_subjects, share.flagged) == (3, 1)
    assert share.by_criterion == {"peers": 0, "own_rate": 0, "not_closing": 0, "widening": 1}


def _share(flagged: int, of: int = 100, **kwargs: int) -> FlagShare:
    by = {name: 0 for name in CRITERIA} | {"not_closing": flagged}
    return FlagShare(pupil_subjects=of, flagged=flagged, by_criterion=by, **kwargs)


def test_it_says_nothing_up_to_15_percent_flagged():
    assert flag_share_warning(_share(15), threshold=20, default_threshold=20) is None
    assert flag_share_warning(_share(0, of=0), threshold=20, default_threshold=20) is None


def test_it_warns_above_15_percent_with_the_likely_reasons():
    warning = flag_share_warning(
        _share(29, national=4), threshold=35, default_threshold=20, not_standardised=["maths"]
    )
    assert warning is not None and warning.startswith("Warning: 29.0% of pupil-subjects are flagged")
    assert "maths is compared with national norms (mean 100, SD 15) but the scores do not look" in warning
    assert "4 of the flags are measured against national norms" in warning
    assert "the growth threshold is 35, above Tandem's default of 20" in warning
    assert "most flags come from (c) gap not closing (29.0%)" in warning


def test_it_names_only_the_reasons_that_apply():
    warning = flag_share_warning(_share(16), threshold=20, default_threshold=20)
    assert warning is not None
    assert "national norms" not in warning and "threshold" not in warning
    assert "a whole cohort may be making slow progress" in warning
