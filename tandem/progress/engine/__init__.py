"""The Code 6.17 "less than expected progress" engine: a columnar table of results in, one row per pupil,
subject and window out, with the four criteria, the figures behind them and plain-English reasons.

Pure numpy/scipy, no Django: the same function runs in a request, a management command, a benchmark and
a test. Design (DESIGN.md section 4; analytics reference sections 1, 4, 7 and 8):

1. **Canonical order.** Rows are put in (pupil, subject, window) order with a counting sort (one result per
   pupil, subject and window: the latest sitting, then the higher score, wins). Every later sum and sort runs
   in that order, so the output is bitwise the same whatever order the rows came in.
2. **Cohorts never mix.** Gaps are measured within (reference population, subject, window, year group);
   norm models are fitted within that plus the windows of the priors (the SGP "progression"). A pupil's
   results depend only on the rows of their own cohorts, so adding a school or a year group to a run changes
   nobody else's figures, and cohorts are independent units of work (they could run in parallel).
3. **Vectorised.** Gaps, rates, tolerances, criteria and published-norm percentiles are array expressions over
   every row at once; peer bands are one segmented sort over all their cohorts; least-squares and SGP fits
   loop over cohorts, never over pupils.
4. **Honest numbers.** Every criterion is flagged only beyond measurement error, and is "not enough data"
   (never a flag) when there are too few windows or too few peers.

Norm model per cohort, by data sufficiency (settings): SGP when the order-1 norm group has at least
`sgp_min_n` pupils (and `tandem.progress.sgp` is installed), else PRR from `prr_min_n`, else peer bands from
`band_min_n`, else the test's published norms if the scale has them, else "not enough data". Each pupil then
gets the highest prior order (up to `max_prior_order`) whose group is still large enough for that model.

"Standardised progress" over an interval is the change in the pupil's gap z (against peers, or national norms
for small cohorts): 0 means keeping pace. (b) compares the least-squares rate over the last
`rate_recent_intervals` intervals with the rate over up to `rate_lookback_intervals` before them; (c) tests
the last interval's change; (d) tests the mean gap over the latest windows against the earlier ones and the
gap's trend over up to `long_gap_horizon` intervals. Standard errors and tolerances follow
`tandem.progress.criteria`; (b) and (d) use critical values that keep (a)|(b)|(d) false alarms <= 3%.

Windows are ordinals (e.g. academic year x 3 + term): a pupil's previous window is their previous sitting in
that subject, so a missed term joins a smaller progression cohort rather than being compared as if adjacent.

The stages, one module each, in the order `_compute` runs them:

- `prepare`: the input encoded and put in canonical order (`_Rows`);
- `cohorts`: gap groups with their means and SDs, and the norm-group histories that choose each cohort's
  model;
- `criteria`: gaps, rates and criteria (b)-(d) per chunk of pupil histories, and at the end criterion (a),
  `flagged` and the other per-row columns;
- `fit`: the norm models fitted per norm group and applied to the rows they score;
- `columns`: the output's types, constants and column meanings; `parallel`: chunking, threads and timings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from tandem.progress.engine.cohorts import _gap_groups, _subject_arrays
from tandem.progress.engine.columns import (
    _GAP_COLUMNS,
    _TREND_COLUMNS,
    COLUMNS,
    CRITERIA,
    ENGINE_VERSION,
    GAP_REFERENCES,
    LABEL_COLUMNS,
    NORM_MODELS,
    Coded,
    Columns,
    NormModelSummary,
    ProgressTable,
)
from tandem.progress.engine.criteria import _criteria_b_to_d, _Final, _final_pass
from tandem.progress.engine.fit import _norm_models, _NormResult
from tandem.progress.engine.parallel import _Clock, _without_huge_page_advice, default_workers
from tandem.progress.engine.prepare import _prepare, _Rows
from tandem.progress.settings import ProgressSettings, ScaleInfo

__all__ = [
    "COLUMNS",
    "CRITERIA",
    "ENGINE_VERSION",
    "GAP_REFERENCES",
    "LABEL_COLUMNS",
    "NORM_MODELS",
    "Coded",
    "Columns",
    "NormModelSummary",
    "ProgressTable",
    "assess_progress",
    "default_workers",
]


def assess_progress(
    *,
    columns: Any,
    scales: Mapping[Any, ScaleInfo],
    settings: ProgressSettings | None = None,
    reasons: bool = True,
    workers: int | None = None,
    knots: Mapping[tuple[Any, int], tuple[Sequence[float], tuple[float, float]]] | None = None,
) -> ProgressTable:
    """Run the Code 6.17 criteria over a long table of results.

    `columns`: a dict of arrays, a pandas DataFrame or any object with these attributes: pupil (ids), subject,
    window (ordinal: later windows larger), points, year_group; optional school (needed for the "school"
    reference population) and date (breaks ties between two results in one window). Columns may be numpy
    arrays, pandas Series or `Coded` (integer codes plus labels).
    `scales`: a `ScaleInfo` per subject label (a subject without one is treated as a scale without norms).
    `reasons`: build the plain-English reasons too (strings cost memory: for millions of rows, leave this off
    and call `ProgressTable.explain(rows=...)` for the rows someone will read).
    `workers`: threads for independent stages (default: the CPUs available, at most four); results are the
    same for any number.
    `knots`: a published table of SGP knots and boundaries by (subject, year group), e.g. from
    `tandem.progress.sgp.read_knots_table`; a subject and grade not in it takes them from the run's own
    earlier scores at that grade (as the SGP package does without a published table).
    """
    settings = settings or ProgressSettings()
    clock = _Clock()
    workers = workers or default_workers()
    with _without_huge_page_advice(), threadpool_limits(limits=1, user_api="blas"):
        rows = _prepare(columns, workers)
        clock.lap("prepare")
        out = _compute(rows, scales=scales, settings=settings, clock=clock, workers=workers, knots=knots)
    table = ProgressTable(columns=out.columns, models=out.models, settings=settings, timings=clock.laps)
    if reasons:
        table.columns.update(table.explain())
        clock.lap("reasons")
    return table


@dataclass
class _Output:
    columns: Columns
    models: list[NormModelSummary]


def _compute(
    rows: _Rows,
    *,
    scales: Mapping[Any, ScaleInfo],
    settings: ProgressSettings,
    clock: _Clock,
    workers: int,
    knots: Mapping[tuple[Any, int], tuple[Sequence[float], tuple[float, float]]] | None = None,
) -> _Output:
    scale = _subject_arrays(rows.subject_labels, scales, settings)
    groups = _gap_groups(rows, scale, settings, workers)
    clock.lap("gap groups")
    out = _criteria_b_to_d(rows, groups, settings, workers)
    clock.lap("criteria b-d")
    norm = _norm_models(rows, groups=groups, settings=settings, clock=clock, workers=workers, knots=knots)
    final = _final_pass(rows, groups, norm, out, settings, workers)
    columns = _output_columns(rows, out, norm, final)
    clock.lap("output")
    return _Output(columns=columns, models=norm.models)


def _output_columns(
    rows: _Rows, out: Mapping[str, NDArray[Any]], norm: _NormResult, final: _Final
) -> Columns:
    """The stages' columns in the output's order (the label columns as codes)."""
    coded = {
        "pupil": Coded(rows.pupil, rows.pupil_labels),
        "subject": Coded(rows.subject, rows.subject_labels.astype(object)),
        "window": Coded(rows.window, rows.window_labels),
    }
    if rows.school is not None and rows.school_labels is not None:
        coded["school"] = Coded(rows.school, rows.school_labels)
    columns: dict[str, NDArray[Any]] = {}
    columns.update(
        {
            "year_group": rows.year_group,
            "score": rows.points,
            "sem": out["sem"],
            "norm_model": norm.kind,
            "norm_n": norm.n,
            "prior_order": norm.order,
            "percentile": norm.percentile,
            "percentile_low": norm.low,
            "percentile_high": norm.high,
            "peer_p25": norm.quantiles[0],
            "peer_median": norm.quantiles[1],
            "peer_p75": norm.quantiles[2],
            "peers_n": final.peers_n,
            "gap_reference": out["gap_reference"],
        }
    )
    for name in _GAP_COLUMNS[1:9]:
        columns[name] = out[name]
    columns["rate_intervals"] = out["rate_intervals"]
    for name in _GAP_COLUMNS[9:]:
        columns[name] = out[name]
    columns.update(
        {
            "was_behind": out["was_behind"],
            "peers": final.peers,
            "own_rate": out["own_rate"],
            "not_closing": out["not_closing"],
            "widening": out["widening"],
            "flagged": final.flagged,
            "windows_so_far": final.windows_so_far,
            "is_latest": final.is_latest,
        }
    )
    for k, by_order in enumerate(norm.by_order, start=1):
        columns[f"sgp_order_{k}"] = by_order
    for name in (*_TREND_COLUMNS, "gap_windows"):
        columns[name] = out[name]
    return Columns(columns, coded)
