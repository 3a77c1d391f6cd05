"""Time the Code 6.17 engine on a national-scale table, and a straightforward pandas version of it.

    .venv/bin/python bench/progress.py                  # 1,000,000 pupils x 3 subjects x 6 windows
    .venv/bin/python bench/progress.py --pupils 100000  # smaller
    .venv/bin/python bench/progress.py --no-sgp         # skip the SGP timing
    .venv/bin/python bench/progress.py --full-sgp       # the whole table with SGP (about an hour)
    .venv/bin/python bench/progress.py --against d043f12 --rounds 3
                                                        # this engine against an earlier commit's, in turns

Builds 18M rows with vectorised numpy from a seed (7 year groups of ~143,000 pupils, 500 schools, termly
windows over two school years, a few percent of pupils with a planted decline, rows in random order), runs
`tandem.progress.engine.assess_progress` on all of them with PRR / peer bands, and reports wall time per
stage and peak RSS. SGP fits dominate at this size, so they are timed on one subject and year group (five
cohorts of ~143,000) and extrapolated per cohort. Then a plain pandas groupby implementation of the same
criteria is timed on a subsample of whole pupils (~200k rows) and extrapolated *linearly* to the full table
(its groupby sorts grow faster than linearly, so this flatters pandas), and the ratio is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# `--against` runs this script again with the engine of another checkout (a temporary git worktree).
ENGINE_ROOT = Path(os.environ.get("TANDEM_BENCH_ENGINE_ROOT", ROOT))
sys.path.insert(0, str(ENGINE_ROOT))

from tandem.progress import criteria as crit  # noqa: E402
from tandem.progress import norms  # noqa: E402
from tandem.progress.engine import LABEL_COLUMNS, NORM_MODELS, Coded, assess_progress  # noqa: E402
from tandem.progress.settings import ProgressSettings, ScaleInfo  # noqa: E402

SUBJECTS = np.asarray(["maths", "reading", "writing"])
WINDOWS = 6  # autumn, spring, summer of two school years
YEAR_GROUPS = 7


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # ru_maxrss is in KiB on Linux


def build(pupils: int, seed: int) -> dict[str, Any]:
    """18 rows per pupil (3 subjects x 6 windows); ~3% of pupils miss a sitting; ~4% decline from window 3."""
    rng = np.random.default_rng(seed)
    n = pupils * len(SUBJECTS) * WINDOWS
    pupil_ids = 10_000_000 + rng.permutation(pupils).astype(np.int64)  # ids not in row order
    year_now = rng.integers(1, YEAR_GROUPS + 1, size=pupils)  # year group in the second school year
    school = rng.integers(0, 500, size=pupils)
    latent = rng.normal(size=(pupils, 1)) * 0.8 + rng.normal(size=(pupils, len(SUBJECTS))) * 0.6
    drift = rng.normal(0, 0.3, size=(pupils, len(SUBJECTS)))
    decline = (rng.random((pupils, len(SUBJECTS))) < 0.04) * rng.uniform(3, 8, size=(pupils, len(SUBJECTS)))
    w = np.arange(WINDOWS)
    true = 100 + 15 * latent[:, :, None] + drift[:, :, None] * w - decline[:, :, None] * np.maximum(w - 2, 0)
    observed = np.clip(np.rint(true + rng.normal(0, 4.7, size=true.shape)), 69, 141)

    p_idx = np.repeat(np.arange(pupils), len(SUBJECTS) * WINDOWS)
    s_idx = np.tile(np.repeat(np.arange(len(SUBJECTS)), WINDOWS), pupils)
    w_idx = np.tile(w, pupils * len(SUBJECTS))
    keep = rng.random(n) >= 0.03 / WINDOWS  # about 3% of pupil-subjects miss one sitting
    order = rng.permutation(np.flatnonzero(keep))  # rows arrive in no particular order
    p_idx, s_idx, w_idx = p_idx[order], s_idx[order], w_idx[order]
    start_year = 2024 + (w_idx >= 3)
    term = w_idx % 3
    month = np.asarray([11, 3, 6])[term]
    calendar_year = start_year + (term > 0)
    dates = (
        (calendar_year - 1970).astype("datetime64[Y]").astype("datetime64[M]")
        + (month - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + rng.integers(0, 20, size=order.size).astype("timedelta64[D]")
    return {
        "pupil": pupil_ids[p_idx],
        "subject": Coded(s_idx.astype(np.int8), SUBJECTS),
        "window": (start_year * 3 + term).astype(np.int64),
        "date": dates,
        "points": observed[p_idx, s_idx, w_idx],
        "year_group": (year_now[p_idx] - (w_idx < 3)).astype(np.int16),
        "school": school[p_idx].astype(np.int32),
    }


# ------------------------------------------------------------------------------------- pandas baseline
def pandas_baseline(columns: dict[str, Any], settings: ProgressSettings, sem: float) -> Any:
    """The same criteria written the obvious pandas way: groupby shift/transform/rank, peer bands for (a)."""
    import pandas as pd

    z = settings.rci_z
    df = pd.DataFrame(
        {
            "pupil": columns["pupil"],
            "subject": SUBJECTS[np.asarray(columns["subject"].codes)],
            "window": columns["window"],
            "date": columns["date"],
            "points": columns["points"],
            "year_group": columns["year_group"],
        }
    )
    df = df.sort_values(["pupil", "subject", "window", "date"]).drop_duplicates(
        ["pupil", "subject", "window"], keep="last"
    )
    by_pupil = df.groupby(["pupil", "subject"], sort=False)
    df["prior"] = by_pupil["points"].shift(1)
    df["prior_window"] = by_pupil["window"].shift(1)
    cohort = ["subject", "window", "year_group"]
    peers = df.groupby(cohort)["points"]
    df["gap"] = (df["points"] - peers.transform("mean")) / peers.transform("std")
    df["se"] = sem / peers.transform("std")
    by_pupil = df.groupby(["pupil", "subject"], sort=False)
    df["gap_prev"] = by_pupil["gap"].shift(1)
    df["se_prev"] = by_pupil["se"].shift(1)
    df["dz"] = df["gap"] - df["gap_prev"]
    df["rci"] = df["dz"] / np.sqrt(df["se"] ** 2 + df["se_prev"] ** 2)
    # (b) and (d): contrasts of the gap over the pupil's windows, with the engine's weight tables by number of
    # windows (tandem.progress.criteria): the gaps and errors j windows back by groupby shifts, then a
    # weighted sum per row.
    horizon = settings.long_gap_horizon or 1
    tables, _ = crit.history_tables(
        horizon=horizon,
        recent_windows=settings.gap_recent_windows,
        min_windows_trend=None if settings.long_gap_horizon is None else settings.min_windows_trend,
        rate_recent=settings.rate_recent_intervals,
        rate_lookback=settings.rate_lookback_intervals,
    )
    depth = tables[0].shape[1]
    lag_gaps = np.column_stack(
        [df["gap"].to_numpy()] + [by_pupil["gap"].shift(j).to_numpy() for j in range(1, depth)]
    )
    lag_se = np.column_stack(
        [df["se"].to_numpy()] + [by_pupil["se"].shift(j).to_numpy() for j in range(1, depth)]
    )
    windows = np.minimum(by_pupil.cumcount().to_numpy(), depth - 1) + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        contrast = {}
        for name, table in zip(crit.HISTORY_CONTRASTS, tables, strict=True):
            if name not in ("gap_change_long", "gap_trend", "rate_change"):
                continue  # the other three are only shown, never tested
            w = table[windows]
            used = w != 0
            value = np.where(used, w * lag_gaps, 0.0).sum(axis=1)
            se = np.sqrt(np.where(used, (w * lag_se) ** 2, 0.0).sum(axis=1))
            value[se <= 0] = np.nan
            contrast[name] = value / se
        df["rci_long"] = contrast["gap_change_long"]
        df["rci_trend"] = contrast["gap_trend"]
        df["rci_rate"] = contrast["rate_change"]

    # (a) peer bands: 20 equal-count bands of the prior within the progression cohort, percentile within band.
    has_prior = df["prior"].notna()
    a = df[has_prior].copy()
    progression = [*cohort, "prior_window"]
    prior_rank = a.groupby(progression)["prior"].rank(method="average", pct=True)
    a["band"] = np.minimum((prior_rank * 20).astype(int), 19)
    bands = a.groupby([*progression, "band"])["points"]
    a["pct"] = bands.rank(method="average", pct=True)

    def upper(s: Any) -> Any:
        ordered = np.sort(s.to_numpy())
        hi = s.to_numpy() + settings.growth_interval_z * sem
        return pd.Series(
            (np.searchsorted(ordered, hi, "left") + np.searchsorted(ordered, hi, "right")) / (2 * len(s)),
            index=s.index,
        )

    a["pct_high"] = bands.transform(upper)
    df["pct"] = a["pct"]
    df["pct_high"] = a["pct_high"]
    df["peers_flag"] = df["pct_high"] * 100 < settings.growth_threshold
    df["own_rate"] = df["rci_rate"] < -settings.own_rate_z
    df["not_closing"] = (df["gap_prev"] + z * df["se_prev"] < settings.behind_gap_z) & ~(df["rci"] > z)
    df["widening"] = (df["rci_long"] < -settings.widening_z) | (df["rci_trend"] < -settings.widening_z)
    return df


def _subsample(columns: dict[str, Any], mask: np.ndarray) -> dict[str, Any]:
    return {
        k: (Coded(np.asarray(v.codes)[mask], v.labels) if isinstance(v, Coded) else v[mask])
        for k, v in columns.items()
    }


def engine_once(pupils: int, seed: int) -> None:
    """One timed run of the whole engine (PRR / peer bands), printed as a JSON line for `compare`."""
    columns = build(pupils, seed)
    scales = {str(s): ScaleInfo.standardised(reliability=0.9) for s in SUBJECTS}
    started = time.perf_counter()
    table = assess_progress(
        columns=columns, scales=scales, settings=ProgressSettings(use_sgp=False), reasons=False
    )
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": len(table), "timings": table.timings}))


def compare(against: str, rounds: int, pupils: int, seed: int) -> None:
    """This checkout's engine against the one at git revision `against`, in turns, each in a fresh process
    on the same data, so both see the same machine; prints each run and the ratio of the medians."""
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        other = Path(tmp) / "engine"
        git = ["git", "-C", str(ROOT), "worktree"]
        subprocess.run([*git, "add", "--detach", "--quiet", str(other), against], check=True)
        try:
            runs: dict[str, list[float]] = {"before": [], "after": []}
            for round_number in range(1, rounds + 1):
                for label, root in (("before", other), ("after", ROOT)):
                    done = subprocess.run(
                        [sys.executable, __file__, "--engine-once", f"--pupils={pupils}", f"--seed={seed}"],
                        env={**os.environ, "TANDEM_BENCH_ENGINE_ROOT": str(root)},
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    result = json.loads(done.stdout.strip().splitlines()[-1])
                    runs[label].append(result["seconds"])
                    source = against if label == "before" else "this checkout"
                    print(
                        f"round {round_number}, {label} ({source}): "
                        f"{result['seconds']:.2f} s for {result['rows']:,} rows; "
                        f"stages (s): {_stages(result['timings'])}",
                        flush=True,
                    )
        finally:
            subprocess.run([*git, "remove", "--force", str(other)], check=False)
    before, after = statistics.median(runs["before"]), statistics.median(runs["after"])
    print(
        f"median engine time: before {before:.2f} s, after {after:.2f} s; "
        f"after / before = {after / before:.2f} (issue 12's goal: at most 1.10); "
        f"load average now {os.getloadavg()[0]:.1f}"
    )


def _stages(timings: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in timings.items())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pupils", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--baseline-rows", type=int, default=200_000)
    parser.add_argument("--no-sgp", action="store_true", help="skip the SGP timing")
    parser.add_argument(
        "--full-sgp", action="store_true", help="run the whole table with SGP (slow: minutes per cohort)"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the pandas baseline")
    parser.add_argument(
        "--against",
        metavar="REV",
        help="time this engine against the one at git revision REV (a temporary worktree), in turns",
    )
    parser.add_argument("--rounds", type=int, default=3, help="turns each for --against (default 3)")
    parser.add_argument("--engine-once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_once:
        engine_once(args.pupils, args.seed)
        return
    if args.against:
        compare(args.against, args.rounds, args.pupils, args.seed)
        return

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    started = time.perf_counter()
    columns = build(args.pupils, args.seed)
    rows = len(columns["points"])
    print(f"built {rows:,} rows in {time.perf_counter() - started:.1f} s (peak RSS {peak_rss_gb():.2f} GB)")
    scales = {str(s): ScaleInfo.standardised(reliability=0.9) for s in SUBJECTS}

    # ---- the whole engine, PRR and peer bands for every cohort
    settings = ProgressSettings(use_sgp=False)
    started, cpu_started = time.perf_counter(), time.process_time()
    table = assess_progress(columns=columns, scales=scales, settings=settings, reasons=False)
    engine_seconds = time.perf_counter() - started
    engine_cpu = time.process_time() - cpu_started
    kinds = dict(
        zip(NORM_MODELS, np.bincount(table["norm_model"], minlength=len(NORM_MODELS)).tolist(), strict=True)
    )
    local_fits = [m for m in table.models if m.kind in ("prr", "peer_band")]
    print(
        f"engine, PRR / peer bands: {engine_seconds:.1f} s for {rows:,} rows "
        f"({rows / engine_seconds / 1e6:.2f}M rows/s; CPU time {engine_cpu:.1f} s, load average "
        f"{os.getloadavg()[0]:.1f})"
    )
    print(f"  stages (s): {_stages(table.timings)}")
    print(f"  results by norm model: {kinds}; {len(local_fits)} local models fitted")
    print(f"  flagged: {int(table['flagged'].sum()):,} results; peak RSS {peak_rss_gb():.2f} GB")
    started = time.perf_counter()
    decoded = [table[name] for name in LABEL_COLUMNS if name in table.columns]
    print(
        f"  decoding the label columns ({', '.join(LABEL_COLUMNS)}) from codes to {len(decoded)} arrays "
        f"of labels, on first read (not in the engine time): {time.perf_counter() - started:.1f} s"
    )
    del decoded
    latest_flagged = np.flatnonzero(table["is_latest"] & table["flagged"])
    started = time.perf_counter()
    reasons = table.explain(rows=latest_flagged)
    print(
        f"  reasons for the {latest_flagged.size:,} flagged latest results: "
        f"{time.perf_counter() - started:.1f} s ({sum(len(v) for v in reasons.values()):,} sentences)"
    )
    big_cohorts = sum(1 for m in table.models if m.n >= ProgressSettings().sgp_min_n)
    del table, reasons

    # ---- SGP: its fits dominate, so time them on one year group and subject and extrapolate per cohort
    if norms.sgp_module() is not None and not args.no_sgp:
        # A national run: SGP models fitted on a 5,000-pupil sample per cohort, as the SGP package's
        # max.n.for.coefficient.matrices allows (Tandem's default fits everyone, as the package does).
        sgp_settings = ProgressSettings(sgp_max_fit_n=5_000)
        if args.full_sgp:
            started = time.perf_counter()
            table = assess_progress(columns=columns, scales=scales, settings=sgp_settings, reasons=False)
            print(f"engine with SGP (whole table): {time.perf_counter() - started:.1f} s")
            print(f"  stages (s): {_stages(table.timings)}")
        else:
            # One subject and one year group (in its second school year): five full-size cohorts.
            year_now = columns["year_group"] + (columns["window"] < 2025 * 3)
            one = (np.asarray(columns["subject"].codes) == 0) & (year_now == 4)
            sub = _subsample(columns, one)
            started = time.perf_counter()
            table = assess_progress(columns=sub, scales=scales, settings=sgp_settings, reasons=False)
            seconds = time.perf_counter() - started
            fits = [m for m in table.models if m.kind == "sgp"]
            per_fit = table.timings.get("sgp", 0.0) / max(len(fits), 1)
            print(
                f"engine with SGP on {int(one.sum()):,} rows (one subject, one year group): {seconds:.1f} s, "
                f"{len(fits)} SGP cohorts of up to {max((m.n for m in fits), default=0):,} pupils, "
                f"{per_fit:.1f} s per cohort (fit on <= {sgp_settings.sgp_max_fit_n:,} pupils)"
            )
            print(
                f"  extrapolated to the whole table: {big_cohorts} SGP cohorts x {per_fit:.1f} s = "
                f"{big_cohorts * per_fit / 60:.0f} min of SGP fitting on top of the rest: SGP dominates"
            )
    elif norms.sgp_module() is None:
        print("tandem.progress.sgp is not installed: no SGP timing")

    if args.no_baseline:
        return
    # ---- pandas baseline on whole pupils, about baseline_rows rows, extrapolated linearly
    pupils = np.unique(columns["pupil"])
    size = max(1, args.baseline_rows * pupils.size // rows)
    take = np.random.default_rng(1).choice(pupils, size=size, replace=False)
    sub = _subsample(columns, np.isin(columns["pupil"], take))
    sub_rows = len(sub["points"])
    started = time.perf_counter()
    pandas_baseline(sub, settings, sem=15 * np.sqrt(0.1))
    pandas_seconds = time.perf_counter() - started
    extrapolated = pandas_seconds * rows / sub_rows
    started = time.perf_counter()
    assess_progress(columns=sub, scales=scales, settings=settings, reasons=False)
    engine_sub = time.perf_counter() - started
    print(
        f"pandas baseline: {pandas_seconds:.1f} s for {sub_rows:,} rows "
        f"(engine on the same rows: {engine_sub:.2f} s)"
    )
    print(f"  extrapolated LINEARLY to {rows:,} rows: {extrapolated:.0f} s")
    print(f"  ratio, pandas extrapolated / engine (PRR run): {extrapolated / engine_seconds:.1f}x")


if __name__ == "__main__":
    main()
