"""What a run found, in a few lines for whoever ran it, and a warning when it flags too many to be believed.

Why 15%: at Tandem's defaults (a), (b) and (d) together are built to flag at most 3% of pupils whose progress
is exactly like their peers' (measured 2.6% on simulated scores: docs/progress.md), and (c) flags pupils who
were behind the lowest-attaining fifth and did not reliably close the gap. A run that flags more than 15% of
pupil-subjects at their latest window is far outside that, so either something does not fit the data (scores
that are not standardised compared with national norms, a raised threshold, cohorts too small for their own
norm model) or a whole cohort really is struggling, which is a question about teaching, not about individual
pupils. Either way the person who ran it should be told, with the likely reasons, rather than hand a SENCo a
list that long.

Pure numpy: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tandem.progress.engine import CRITERIA, NORM_MODELS, ProgressTable
from tandem.progress.scales import ScaleDecision

__all__ = [
    "CRITERION_LABELS",
    "FLAG_SHARE_LIMIT",
    "FlagShare",
    "cohort_lines",
    "flag_share_line",
    "flag_share_warning",
    "latest_flag_share",
    "latest_rows",
    "run_summary",
]

FLAG_SHARE_LIMIT = 0.15
CRITERION_LABELS = {
    "peers": "(a) slower than peers",
    "own_rate": "(b) slower than own rate",
    "not_closing": "(c) gap not closing",
    "widening": "(d) gap widening",
}
MODEL_LABELS = {
    "sgp": "growth percentiles",
    "prr": "percentile rank of residuals",
    "peer_band": "peer bands",
    "published_norm": "national norms",
    "not_enough_data": "not enough data",
}


@dataclass(frozen=True)
class FlagShare:
    """Pupil-subjects at their latest window, how many are flagged, and how many by each criterion."""

    pupil_subjects: int
    flagged: int
    by_criterion: Mapping[str, int]
    national: int = 0  # flagged ones measured against national norms rather than their peers

    @property
    def share(self) -> float:
        return self.flagged / self.pupil_subjects if self.pupil_subjects else 0.0

    def criterion_share(self, name: str) -> float:
        return self.by_criterion.get(name, 0) / self.pupil_subjects if self.pupil_subjects else 0.0


def latest_rows(pupil: NDArray[Any], subject: NDArray[Any], window: NDArray[Any]) -> NDArray[np.intp]:
    """Index of each pupil-subject's row at its latest window (windows compared as the engine does)."""
    if len(pupil) == 0:
        return np.zeros(0, dtype=np.intp)
    codes = [np.unique(np.asarray(column), return_inverse=True)[1] for column in (pupil, subject, window)]
    order = np.lexsort((codes[2], codes[1], codes[0]))
    p, s = codes[0][order], codes[1][order]
    # The last row of each (pupil, subject) run in that order has the latest window.
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (p[1:] != p[:-1]) | (s[1:] != s[:-1])
    rows: NDArray[np.intp] = order[last].astype(np.intp)
    return rows


def latest_flag_share(table: ProgressTable) -> FlagShare:
    """How much of a run's latest-window results it flags, in total and by criterion."""
    c = table.columns
    rows = latest_rows(c["pupil"], c["subject"], c["window"])
    flagged = np.asarray(c["flagged"], dtype=bool)[rows]
    national = (np.asarray(NORM_MODELS, dtype=object)[c["norm_model"][rows]] == "published_norm") | (
        c["gap_reference"][rows] == 2
    )
    return FlagShare(
        pupil_subjects=int(rows.size),
        flagged=int(flagged.sum()),
        by_criterion={name: int((c[name][rows] == 1).sum()) for name in CRITERIA},
        national=int((flagged & national).sum()),
    )


def flag_share_line(share: FlagShare, *, where: str = "each pupil's latest window") -> str:
    parts = ", ".join(f"{CRITERION_LABELS[name]} {share.criterion_share(name):.1%}" for name in CRITERIA)
    return (
        f"Flagged at {where}: {share.flagged:,} of {share.pupil_subjects:,} "
        f"pupil-subjects ({share.share:.1%}); {parts}."
    )


def flag_share_warning(
    share: FlagShare,
    *,
    threshold: int,
    default_threshold: int,
    not_standardised: Sequence[str] = (),
    limit: float = FLAG_SHARE_LIMIT,
) -> str | None:
    """A warning when more than `limit` of pupil-subjects are flagged, with the likely reasons; else None.

    `not_standardised`: subjects compared with national norms although their scores do not look standardised.
    """
    if share.share <= limit:
        return None
    reasons: list[str] = []
    if not_standardised:
        reasons.append(
            f"{', '.join(not_standardised)} {'is' if len(not_standardised) == 1 else 'are'} compared with "
            "national norms (mean 100, SD 15) but the scores do not look standardised: if they are not, "
            "give --scale raw (or correct the scale's norms) so pupils are compared within their cohort"
        )
    if share.national:
        reasons.append(
            f"{share.national:,} of the flags {'is' if share.national == 1 else 'are'} measured against "
            "national norms, not peers (cohorts or histories too small for their own norm model): pupils "
            "whose whole cohort is below the national average are flagged for where they started"
        )
    if threshold > default_threshold:
        reasons.append(f"the growth threshold is {threshold}, above Tandem's default of {default_threshold}")
    top = max(CRITERIA, key=share.criterion_share)
    reasons.append(
        f"most flags come from {CRITERION_LABELS[top]} ({share.criterion_share(top):.1%}); if nothing above "
        "explains it, a whole cohort may be making slow progress, which is a question for its teaching "
        "before it is one about individual pupils"
    )
    return (
        f"Warning: {share.share:.1%} of pupil-subjects are flagged at their latest window, more than the "
        f"{limit:.0%} that ordinary progress produces at these settings. Likely reasons: "
        + "; ".join(reasons)
        + "."
    )


def cohort_lines(table: ProgressTable) -> list[str]:
    """One line per cohort (subject x year group x window): the norm models used, for how many pupils."""
    c = table.columns
    names = np.asarray(NORM_MODELS, dtype=object)[c["norm_model"]]
    keys: dict[tuple[str, int, str], dict[str, list[int]]] = {}
    for subject, year, window, name, n in zip(
        c["subject"].tolist(),
        c["year_group"].tolist(),
        c["window"].tolist(),
        names.tolist(),
        c["norm_n"].tolist(),
        strict=True,
    ):
        keys.setdefault((str(subject), int(year), str(window)), {}).setdefault(name, []).append(int(n))
    lines = []
    for (subject, year, window), models in sorted(keys.items()):
        parts = []
        for name in sorted(models, key=lambda m: (-len(models[m]), m)):
            sizes = [n for n in models[name] if n > 0]
            group = f" (norm group {int(np.median(sizes)):,})" if sizes and name != "not_enough_data" else ""
            parts.append(f"{MODEL_LABELS.get(name, name)} for {len(models[name]):,}{group}")
        lines.append(f"  {subject}, year {year}, {window}: {'; '.join(parts)}")
    return lines


def run_summary(
    *,
    lines: int,
    marks: int,
    not_assessed: int,
    blank: int,
    skipped: Sequence[str],
    table: ProgressTable,
    decisions: Mapping[str, ScaleDecision],
) -> list[str]:
    """A file run's summary: rows read, pupils, cohorts, scales, norm model per cohort, flagged shares."""
    c = table.columns
    parts = [f"{marks:,} marks analysed", f"{not_assessed:,} not assessed (empty score)"]
    if blank:
        parts.append(f"{blank:,} blank")
    parts.append(f"{len(skipped):,} skipped (cannot be used)")
    pupils = len(set(c["pupil"].tolist()))
    cohorts = len(
        set(zip(c["subject"].tolist(), c["year_group"].tolist(), c["window"].tolist(), strict=True))
    )
    out = [
        f"Rows read: {lines:,}: {', '.join(parts)}.",
        f"Pupils: {pupils:,}. Cohorts (subject x year group x window): {cohorts:,}.",
    ]
    out += [f"Scale of {subject}: {decision.describe()}." for subject, decision in decisions.items()]
    out.append("Norm model per cohort:")
    out += cohort_lines(table)
    out.append(flag_share_line(latest_flag_share(table)))
    return out
