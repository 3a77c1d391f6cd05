"""Synthetic longitudinal marks for checking Tandem's growth percentiles against an R reference.

    .venv/bin/python bench/sgp_data.py marks.csv                     # about 350,000 scores
    .venv/bin/python bench/sgp_data.py marks.csv --pupils 3000 --seed 7

Writes the long CSV `tandem analyse --input` reads (`pupil,subject,window,score,year_group`): annual windows
2021..2025 (text that sorts in time order), two subjects, year groups 3..8, one year group up per year.
`--pupils` is the size of each cohort (pupils starting together); ten cohorts overlap the five windows, so
the file has about 6 x 2 x 5 x pupils rows (5,800 -> about 348,000 scores, the size of the issue's file).

Scores are built so that the spline design matters, the case SGPs are made for:

- a latent attainment per pupil that grows at a pupil-specific rate with yearly shocks;
- a different nonlinear scale per subject (maths stretched at the top, reading skewed and compressed at the
  top), integer scale scores with a floor and a ceiling (ties, as real tests have);
- measurement error that grows away from the middle of the scale (heteroscedastic).

About 3% of pupils break the consecutive pattern: half repeat a year group (same year group two windows
running) and half miss a whole window (no row that year, year group moves on by two). SGP priors must be
consecutive years and year groups, so these pupils lose their priors across the break. About 0.6% of scores
are empty (a pupil not assessed). Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

SUBJECTS = ("maths", "reading")
FIRST_YEAR = 2021
YEARS = 5
YEAR_GROUPS = (3, 8)
DEFAULT_PUPILS = 5_800
BREAK_SHARE = 0.03  # pupils who repeat a year group or miss a window
MISSING_SHARE = 0.006  # scores left empty
LOSS, HOSS = 150, 850  # lowest and highest obtainable scale scores


def _scale(subject: str, latent: np.ndarray, year_group: np.ndarray) -> np.ndarray:
    """Subject-specific monotone but nonlinear map from latent attainment to the scale's points."""
    centre = 300.0 + 40.0 * (year_group - 3)
    if subject == "maths":
        # Stretched at the top: the strongest pupils pull away.
        return centre + 45.0 * latent + 6.0 * np.maximum(latent, 0.0) ** 2.5
    # Reading: skewed and compressed at the top (a test that is easy for the strongest readers).
    return centre + 120.0 * (1.0 - np.exp(-0.45 * (latent + 2.5))) - 60.0 + 8.0 * latent


def generate(pupils: int, seed: int) -> list[tuple[str, str, str, str, int]]:
    """Rows (pupil, subject, window, score text, year group); score text is empty for a missing score."""
    rng = np.random.default_rng(seed)
    lo, hi = YEAR_GROUPS
    # Cohorts by their year group in the first window: every cohort that is in 3..8 in some window.
    starts = np.arange(lo - (YEARS - 1), hi + 1)
    start = np.repeat(starts, pupils)
    n = start.size
    ids = np.array([f"P{i:07d}" for i in range(1, n + 1)], dtype=object)

    # Year group by window: one up a year, except repeaters (stay one year) and pupils missing a window.
    years = np.arange(YEARS)
    year_group = start[:, None] + years[None, :]
    present = np.ones((n, YEARS), dtype=bool)
    broken = rng.random(n) < BREAK_SHARE
    repeats = broken & (rng.random(n) < 0.5)
    gaps = broken & ~repeats
    when = rng.integers(1, YEARS - 1, n)  # the window of the repeat or the gap (never the first or last)
    held = repeats[:, None] & (years[None, :] >= when[:, None])
    year_group = year_group - held
    present[gaps, when[gaps]] = False
    present &= (year_group >= lo) & (year_group <= hi)

    # Latent attainment: a level, a pupil-specific growth rate (correlated with the level) and yearly shocks.
    level = rng.normal(0.0, 1.0, n)
    rate = 0.25 * level + rng.normal(0.0, 0.35, n)
    shocks = np.cumsum(rng.normal(0.0, 0.3, (n, YEARS)), axis=1)
    latent_common = level[:, None] + 0.15 * rate[:, None] * (year_group - lo) + shocks
    latent_common = latent_common - 0.3 * held  # a repeated year: behind where the year group would be

    rows: list[tuple[str, str, str, str, int]] = []
    windows = [str(FIRST_YEAR + y) for y in years]
    for subject in SUBJECTS:
        # Subjects share most of the latent attainment but not all of it.
        own = rng.normal(0.0, 0.45, n)[:, None] + np.cumsum(rng.normal(0.0, 0.2, (n, YEARS)), axis=1)
        latent = 0.85 * latent_common + own
        true = _scale(subject, latent, year_group)
        # Measurement error larger away from the middle of each year group's scale.
        centre = 300.0 + 40.0 * (year_group - lo)
        sem = 8.0 + 0.004 * (true - centre) ** 2 / (1.0 + 0.02 * np.abs(true - centre))
        observed = np.clip(np.round(true + rng.normal(0.0, 1.0, true.shape) * sem), LOSS, HOSS)
        missing = rng.random(true.shape) < MISSING_SHARE
        for y, window in enumerate(windows):
            for i in np.flatnonzero(present[:, y]):
                score = "" if missing[i, y] else str(int(observed[i, y]))
                rows.append((ids[i], subject, window, score, int(year_group[i, y])))
    return rows


def write(rows: list[tuple[str, str, str, str, int]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pupil", "subject", "window", "score", "year_group"])
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("output", type=Path, help="where to write the CSV")
    parser.add_argument("--pupils", type=int, default=DEFAULT_PUPILS, help="pupils per cohort (%(default)s)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rows = generate(args.pupils, args.seed)
    write(rows, args.output)
    empty = sum(1 for row in rows if not row[3])
    print(f"Wrote {len(rows):,} rows ({empty:,} empty scores) to {args.output}")


if __name__ == "__main__":
    main()
