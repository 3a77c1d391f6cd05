"""Assessments out of the database as columns, the shape the pure engine takes.

One query, streamed; no model instances. Windows become a global ordinal (academic year x term) so
schools in a trust line up, and every id maps back for storing the results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tandem.assessment.models import Assessment
from tandem.schools.models import AssessmentWindow

TERM_ORDER = {"autumn": 0, "spring": 1, "summer": 2}
# Growth needs an interval scale: standardised scores. Teacher-assessment grades come later.
ANALYSED_SCALES = ("standardised",)


def window_ordinal(start_year: int, term: str) -> int:
    return start_year * 3 + TERM_ORDER[term]


@dataclass
class AssessmentColumns:
    pupil: NDArray[np.object_]  # pupil UUIDs as strings
    subject: NDArray[np.object_]
    window: NDArray[np.int64]  # global ordinal, see window_ordinal
    date: NDArray[np.datetime64]
    points: NDArray[np.float64]
    year_group: NDArray[np.int16]
    school: NDArray[np.int64]
    # (school id, window ordinal) -> AssessmentWindow id, to store results against the school's window.
    window_ids: dict[tuple[int, int], int]

    def __len__(self) -> int:
        return len(self.points)


def assessment_columns(
    *, school_ids: Iterable[int], scales: Iterable[str] = ANALYSED_SCALES
) -> AssessmentColumns:
    school_ids = list(school_ids)
    windows = AssessmentWindow.objects.filter(school_id__in=school_ids).values_list(
        "id", "school_id", "academic_year__start_year", "term"
    )
    window_ids: dict[tuple[int, int], int] = {}
    ordinal_of: dict[int, int] = {}
    for window_id, school_id, start_year, term in windows:
        ordinal = window_ordinal(start_year, term)
        window_ids[(school_id, ordinal)] = window_id
        ordinal_of[window_id] = ordinal
    rows = (
        Assessment.objects.filter(school_id__in=school_ids, scale_id__in=list(scales), points__isnull=False)
        .order_by()
        .values_list(
            "pupil_id", "subject_id", "window_id", "assessed_on", "points", "year_group", "school_id"
        )
        .iterator(chunk_size=20_000)
    )
    columns = list(zip(*rows, strict=True)) or [()] * 7
    pupil, subject, window, date, points, year_group, school = columns
    return AssessmentColumns(
        pupil=np.array([str(p) for p in pupil], dtype=object),
        subject=np.array(subject, dtype=object),
        window=np.array([ordinal_of[w] for w in window], dtype=np.int64),
        date=np.array(date, dtype="datetime64[D]"),
        points=np.array(points, dtype=np.float64),
        year_group=np.array(year_group, dtype=np.int16),
        school=np.array(school, dtype=np.int64),
        window_ids=window_ids,
    )
