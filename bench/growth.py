"""Time Tandem's batched quantile-regression solver against a reference on the same SGP-like data.

    .venv/bin/python bench/growth.py                          # n = 7,000, 100,000 and 600,000
    .venv/bin/python bench/growth.py --sizes 7000 --reference statsmodels
    .venv/bin/python bench/growth.py --continuous             # no repeated rows: the solver's worst case
    .venv/bin/python bench/growth.py --sgp [options]          # the whole SGP method: bench/growth_sgp.py

`--sgp` runs the SGP-method bench instead (bench/growth_sgp.py: five years, two subjects, every order,
`tandem analyse` end to end against an R reference); the options after it are that bench's.

For each n: synthetic integer scale scores with one prior (prior ~ N(500, 50), current curved in the prior
with noise growing with it), the SGP design (p = 8) and all 100 taus. Tandem's `quantile_regression` is timed
per 100-tau model, then the reference on the same data in the same run:

- R quantreg `rq(y ~ X - 1, tau = taus, method = "fn")` through `Rscript`, when Rscript and the quantreg
  package are installed (Debian: `apt-get install r-base-core r-cran-quantreg`). Data go over a temporary
  CSV; only the `rq` call is timed (`system.time`), so reading the CSV is not counted against R;
- otherwise statsmodels `QuantReg` (iteratively reweighted least squares). It is slow, so for n >= 100,000 it
  runs on 10 of the 100 taus and the time is multiplied by 10 (the output says so), and agreement is then
  reported on those taus' fitted quantiles only.

Printed per n: seconds (Tandem: median and best of --repeat solves; reference: median of --repeat fits for
n <= 10,000, else one; ratio of the medians, reference/Tandem), agreement of growth percentiles (same rule
for both: sort, round to 5 decimals, count strictly below, 1..99) as % identical and % within 1, the largest
difference in fitted quantiles, and memory (Tandem's peak traced allocation during the solve, the process's
peak RSS, and R's peak RSS).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tandem.progress.quantreg import quantile_regression_with_info  # noqa: E402
from tandem.progress.sgp import TAUS, fit_growth_model, growth_percentiles  # noqa: E402
from tandem.progress.splines import design_matrix, fit_spline_spec  # noqa: E402

R_SCRIPT = r"""
suppressPackageStartupMessages(library(quantreg))
args <- commandArgs(trailingOnly = TRUE)
d <- as.matrix(read.csv(args[1], header = FALSE))
y <- d[, 1]
X <- d[, -1, drop = FALSE]
taus <- (seq_len(100) - 0.5) / 100
elapsed <- system.time(fit <- rq(y ~ X - 1, tau = taus, method = "fn"))[["elapsed"]]
write.table(coef(fit), args[2], sep = ",", row.names = FALSE, col.names = FALSE)
cat(sprintf("%.6f\n", elapsed))
cat(sprintf("%s\n", as.character(packageVersion("quantreg"))))
cat(sprintf("%s\n", R.version.string))
"""


def synthetic(n: int, seed: int, *, continuous: bool) -> tuple[np.ndarray, np.ndarray]:
    """SGP-like scores: integer prior and current scale scores, curved mean, heteroscedastic noise."""
    rng = np.random.default_rng(seed)
    prior = np.round(rng.normal(500, 50, n))
    mean = 100 + 0.8 * prior + 0.0004 * (prior - 500) ** 2
    noise = rng.normal(0, 1, n) * (20 + 0.05 * np.clip(prior - 400, 0, None))
    current = mean + noise
    if continuous:
        prior = prior + rng.uniform(-0.5, 0.5, n)
    else:
        current = np.round(current)
    return prior, current


def sgps(x: np.ndarray, y: np.ndarray, coef: np.ndarray, chunk: int = 65_536) -> np.ndarray:
    """The SGP counting rule on any coefficient matrix (same rule as `growth_percentiles`)."""
    out = np.empty(y.size, dtype=np.int16)
    for start in range(0, y.size, chunk):
        q = np.round(np.sort(x[start : start + chunk] @ coef, axis=1), 5)
        out[start : start + chunk] = np.clip(
            np.count_nonzero(q < y[start : start + chunk, None], axis=1), 1, 99
        )
    return out


def max_fitted_difference(x: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 65_536) -> float:
    worst = 0.0
    for start in range(0, x.shape[0], chunk):
        block = x[start : start + chunk]
        worst = max(worst, float(np.max(np.abs(block @ a - block @ b))))
    return worst


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('quantreg', quietly = TRUE))"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def run_r(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, str]:
    with tempfile.TemporaryDirectory(prefix="tandem-growth-") as tmp:
        data, out, script = Path(tmp, "data.csv"), Path(tmp, "coef.csv"), Path(tmp, "fit.R")
        script.write_text(R_SCRIPT)
        np.savetxt(data, np.column_stack([y, x]), delimiter=",", fmt="%.17g")
        done = subprocess.run(
            ["Rscript", str(script), str(data), str(out)], capture_output=True, text=True, check=True
        )
        lines = done.stdout.strip().splitlines()
        coef = np.loadtxt(out, delimiter=",", ndmin=2)
    return coef, float(lines[-3]), f"quantreg {lines[-2]}, {lines[-1]}"


def run_statsmodels(x: np.ndarray, y: np.ndarray, taus: np.ndarray) -> tuple[np.ndarray, float]:
    import warnings

    from statsmodels.regression.quantile_regression import QuantReg

    coef = np.empty((x.shape[1], taus.size))
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # IterationLimitWarning at extreme taus, as documented
        model = QuantReg(y, x)
        for j, tau in enumerate(taus):
            coef[:, j] = model.fit(q=tau, max_iter=5000).params
    return coef, time.perf_counter() - started


def percent(value: float) -> str:
    return f"{value:>8.3f}%" if value == value else f"{'-':>9}"


def peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    if "--sgp" in sys.argv[1:]:
        sys.argv.remove("--sgp")
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import growth_sgp

        growth_sgp.main()
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="7000,100000,600000", help="comma-separated cohort sizes")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reference", choices=["auto", "r", "statsmodels", "none"], default="auto")
    parser.add_argument("--continuous", action="store_true", help="non-integer scores: no repeated rows")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="Tandem solves per n (and R fits for n <= 10,000); medians reported",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    reference = args.reference
    if reference == "auto":
        reference = "r" if r_available() else "statsmodels"
    if reference == "r" and not r_available():
        sys.exit("Rscript with the quantreg package was not found")
    machine = platform.processor() or platform.machine()
    data = "continuous" if args.continuous else "integer"
    print(
        f"# {machine}, {os.cpu_count()} CPUs, Python {platform.python_version()}, numpy {np.__version__};"
        f" reference: {reference}; data: {data}"
    )

    # Warm up imports and BLAS so the first size is not charged for them.
    quantile_regression_with_info(np.column_stack([np.ones(50), np.arange(50.0)]), np.arange(50.0), TAUS)

    header = (
        f"{'n':>8} {'distinct':>8} {'tandem s':>9} {'best':>6} {'its':>4} {'ref s':>9} {'ratio':>6} "
        f"{'same SGP':>9} {'within 1':>9} {'max |dQ|':>9} {'tandem MB':>9} {'RSS MB':>7} {'R RSS MB':>8}"
    )
    print(header)
    for n in sizes:
        prior, current = synthetic(n, args.seed, continuous=args.continuous)
        spec = fit_spline_spec(priors=prior)
        x = design_matrix(spec, priors=prior)

        times = []
        for attempt in range(max(1, args.repeat)):
            if attempt == 0:
                tracemalloc.start()
            started = time.perf_counter()
            coef, info = quantile_regression_with_info(x, current, TAUS)
            times.append(time.perf_counter() - started)
            if attempt == 0:
                traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
        ours_s, ours_best = float(np.median(times)), min(times)

        note = ""
        ref_coef: np.ndarray | None = None
        ref_s = float("nan")
        taus_ref = TAUS
        if reference == "r":
            r_times = []
            for _ in range(max(1, args.repeat) if n <= 10_000 else 1):
                ref_coef, r_s, version = run_r(x, current)
                r_times.append(r_s)
            ref_s = float(np.median(r_times))
            note = f"{version}; R runs: {len(r_times)}"
        elif reference == "statsmodels":
            if n >= 100_000:
                taus_ref = TAUS[4::10]  # 10 taus: 0.045, 0.145, ..., 0.945
                sub, sub_s = run_statsmodels(x, current, taus_ref)
                ref_s = sub_s * TAUS.size / taus_ref.size
                ref_coef = sub
                note = (
                    f"statsmodels on {taus_ref.size} taus, time x{TAUS.size // taus_ref.size} (extrapolated)"
                )
            else:
                ref_coef, ref_s = run_statsmodels(x, current, TAUS)
                note = "statsmodels QuantReg, all 100 taus"

        same = within = dq = float("nan")
        if ref_coef is not None:
            if taus_ref.size == TAUS.size:
                a, b = sgps(x, current, coef), sgps(x, current, ref_coef)
                same = 100 * float(np.mean(a == b))
                within = 100 * float(np.mean(np.abs(a.astype(int) - b) <= 1))
                dq = max_fitted_difference(x, coef, ref_coef)
            else:
                columns = np.searchsorted(TAUS, taus_ref)
                dq = max_fitted_difference(x, coef[:, columns], ref_coef)
        ratio = ref_s / ours_s if ref_s == ref_s else float("nan")
        print(
            f"{n:>8} {info.distinct_rows:>8} {ours_s:>9.2f} {ours_best:>6.2f} {info.iterations:>4}"
            f" {ref_s:>9.2f} {ratio:>6.1f} "
            f"{percent(same)} {percent(within)} {dq:>9.2g} {traced_peak:>9.0f} "
            f"{peak_rss_mb(resource.RUSAGE_SELF):>7.0f} {peak_rss_mb(resource.RUSAGE_CHILDREN):>8.0f}"
            + (f"   [{note}]" if note else ""),
            flush=True,
        )

    # The whole SGP pipeline once at the largest size: knots, design, fit, and scoring every pupil.
    n = max(sizes)
    prior, current = synthetic(n, args.seed, continuous=args.continuous)
    started = time.perf_counter()
    model = fit_growth_model(priors=prior, current=current)
    fitted = time.perf_counter()
    growth_percentiles(model, priors=prior, current=current)
    scored = time.perf_counter()
    print(
        f"# full SGP at n = {n:,}: fit_growth_model {fitted - started:.2f} s, "
        f"growth_percentiles {scored - fitted:.2f} s"
    )


if __name__ == "__main__":
    main()
