"""Tandem's growth percentiles against an R reference written to the SGP package's conventions.

    .venv/bin/python bench/growth_sgp.py                        # about 350,000 scores (5,800 pupils a cohort)
    .venv/bin/python bench/growth_sgp.py --pupils 3000 --seed 7
    .venv/bin/python bench/growth_sgp.py --input marks.csv      # your own long CSV
    .venv/bin/python bench/growth_sgp.py --workdir /tmp/sgp --reuse-reference   # R once, Tandem again

1. Data: `bench/sgp_data.py` (five annual windows, two subjects, year groups 3..8, about 3% of pupils with a
   repeated year group or a missed window, 0.6% empty scores), or `--input`.
2. Reference: `bench/sgp_reference.R` through Rscript (base R, splines and quantreg; installed with apt-get
   when Rscript or quantreg is missing: Debian's `r-base-core r-cran-quantreg`). Every order 1..4 that
   consecutive priors allow, knots and boundaries per subject and year group from the stacked scores of the
   years before the model's (`--knots`), 100 taus, `rq(method = "fn")`, predictions sorted and rounded to 5
   decimals, SGP = count strictly below, 1..99; the highest order is reported. Only the rq() calls are timed
   (system.time).
3. Tandem: `.venv/bin/tandem analyse --input data.csv --output out.csv`, timed end to end (process start,
   reading, every order, criteria, writing).
4. Joined on pupil, subject and window. Printed: % identical and % within 1 for the reported percentile
   (Tandem's `percentile` column against the reference's highest-order SGP), the same per order when Tandem
   writes `sgp_order_1..4` columns, disagreements by cause (the pupil's history, orders, Tandem's norm model),
   and the times with the ratio Tandem / R (the issue's target: at most 0.5).

Denominator: every pupil, subject and window the reference gives an SGP; a row where Tandem has no growth
percentile counts as a disagreement. Rows where only Tandem has one are counted separately.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
MAX_ORDER = 4
R_PACKAGES = ("r-base-core", "r-cran-quantreg")

Key = tuple[str, str, str]  # pupil, subject, window


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('quantreg', quietly = TRUE))"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def ensure_r() -> None:
    """Install Debian's R and quantreg when either is missing (the issue asks the bench to)."""
    if r_available():
        return
    if shutil.which("apt-get") is None:
        sys.exit("Rscript with the quantreg package is needed and apt-get is not available to install it.")
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    if prefix and shutil.which("sudo") is None:
        sys.exit(f"Rscript and quantreg are missing: run apt-get install {' '.join(R_PACKAGES)} as root.")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", *R_PACKAGES]
    print(f"# installing {' '.join(R_PACKAGES)} with apt-get", flush=True)
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
        # A fresh image may have no package lists yet.
        subprocess.run([*prefix, "apt-get", "update"], env=env, capture_output=True, check=True)
        subprocess.run(install, env=env, capture_output=True, check=True)
    if not r_available():
        sys.exit("R was installed but quantreg cannot be loaded.")


@dataclass
class Reference:
    sgp: dict[Key, tuple[int, int, list[int | None]]]  # highest-order SGP, its order, SGP by order 1..4
    fit_seconds: float
    wall_seconds: float
    models: int
    warned_models: int
    warning: str
    version: str


def run_reference(data: Path, workdir: Path, knots: str, *, reuse: bool) -> Reference:
    out, timing = workdir / f"reference_sgp_{knots}.csv", workdir / f"reference_timing_{knots}.csv"
    log = workdir / f"reference_{knots}.log"
    started = time.perf_counter()
    if not (reuse and out.exists() and timing.exists() and log.exists()):
        done = subprocess.run(
            ["Rscript", str(BENCH / "sgp_reference.R"), str(data), str(out), str(timing), knots],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"The R reference failed:\n{done.stderr}")
        log.write_text(done.stdout)
    wall = time.perf_counter() - started
    version = log.read_text().strip().splitlines()[-1]
    sgp: dict[Key, tuple[int, int, list[int | None]]] = {}
    with out.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_order = [int(row[f"sgp_order_{k}"]) if row[f"sgp_order_{k}"] else None for k in range(1, 5)]
            sgp[(row["pupil"], row["subject"], row["window"])] = (
                int(row["sgp"]),
                int(row["sgp_order"]),
                by_order,
            )
    seconds = 0.0
    models = warned = 0
    first_warning = ""
    with timing.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            models += 1
            seconds += float(row["seconds"])
            if int(row["warnings"]):
                warned += 1
                first_warning = first_warning or (
                    f"{row['subject']} {row['window']} year {row['year_group']} order {row['order']}: "
                    f"{row['warning']}"
                )
    return Reference(sgp, seconds, wall, models, warned, first_warning, version)


@dataclass
class TandemRow:
    percentile: int  # -1: none
    prior_order: int
    norm_model: str
    by_order: list[int | None] | None  # from sgp_order_1..4 when Tandem writes them


def run_tandem(data: Path, out: Path) -> float:
    tandem = ROOT / ".venv" / "bin" / "tandem"
    command = [str(tandem), "analyse", "--input", str(data), "--output", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"tandem analyse failed:\n{done.stderr}\n{done.stdout}")
    return seconds


def _optional_int(text: str | None) -> int | None:
    if text is None or text.strip() == "":
        return None
    value = int(float(text))
    return value if value >= 1 else None


def read_tandem(path: Path) -> tuple[dict[Key, TandemRow], bool]:
    rows: dict[Key, TandemRow] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        names = reader.fieldnames or []
        per_order = all(f"sgp_order_{k}" in names for k in range(1, MAX_ORDER + 1))
        for row in reader:
            rows[(row["pupil"], row["subject"], row["window"])] = TandemRow(
                percentile=int(float(row["percentile"] or -1)),
                prior_order=int(float(row["prior_order"] or 0)),
                norm_model=row["norm_model"],
                by_order=(
                    [_optional_int(row[f"sgp_order_{k}"]) for k in range(1, MAX_ORDER + 1)]
                    if per_order
                    else None
                ),
            )
    return rows, per_order


@dataclass
class Marks:
    rows: int
    empty: int
    pupils: int
    windows: list[str]
    subjects: list[str]
    history: dict[Key, str]  # what came before this sitting (see `histories`)


def read_marks(path: Path) -> Marks:
    """The input as the reference reads it, and each sitting's history in its subject."""
    sittings: dict[tuple[str, str], list[tuple[str, int, bool]]] = defaultdict(list)
    rows = empty = 0
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            rows += 1
            has_score = bool(row["score"].strip())
            empty += not has_score
            sittings[(row["pupil"].strip(), row["subject"].strip())].append(
                (row["window"].strip(), int(float(row["year_group"])), has_score)
            )
    windows = sorted({w for runs in sittings.values() for w, _, _ in runs})
    subjects = sorted({s for _, s in sittings})
    position = {w: i for i, w in enumerate(windows)}
    history: dict[Key, str] = {}
    for (pupil, subject), runs in sittings.items():
        runs.sort(key=lambda r: position[r[0]])
        broken = False
        empty_before = False
        for m, (window, grade, has_score) in enumerate(runs):
            if m == 0:
                history[(pupil, subject, window)] = "first sitting"
            else:
                previous_window, previous_grade, previous_score = runs[m - 1]
                step = position[window] - position[previous_window] == 1 and grade - previous_grade == 1
                if not step:
                    history[(pupil, subject, window)] = "previous sitting a gap or repeat"
                elif broken:
                    history[(pupil, subject, window)] = "gap or repeat further back"
                elif empty_before or not previous_score:
                    history[(pupil, subject, window)] = "an empty score before"
                else:
                    history[(pupil, subject, window)] = "consecutive, every score"
                broken = broken or not step
            empty_before = empty_before or not has_score
    return Marks(rows, empty, len({p for p, _ in sittings}), windows, subjects, history)


class Tally:
    """Counts of agreement for one group of rows."""

    def __init__(self) -> None:
        self.rows = self.same = self.within = self.none = 0

    def add(self, ours: int | None, theirs: int) -> None:
        self.rows += 1
        if ours is None:
            self.none += 1
            return
        self.same += ours == theirs
        self.within += abs(ours - theirs) <= 1

    def line(self, label: str, width: int = 36) -> str:
        def pct(v: int) -> str:
            return f"{100 * v / self.rows:>8.2f}%" if self.rows else f"{'-':>9}"

        return f"  {label:<{width}} {self.rows:>8,} {pct(self.same)} {pct(self.within)} {pct(self.none)}"


def header(first: str, width: int = 36) -> str:
    return f"  {first:<{width}} {'rows':>8} {'same':>9} {'within 1':>9} {'no value':>9}"


def print_groups(title: str, groups: dict[str, Tally], order: Iterable[str] | None = None) -> None:
    print(title)
    print(header(""))
    for name in order if order is not None else sorted(groups):
        if name in groups:
            print(groups[name].line(name))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pupils", type=int, default=None, help="pupils per cohort for the generated data")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--input", type=Path, help="a long CSV of marks instead of generated data")
    parser.add_argument(
        "--knots",
        choices=["prior", "all", "before"],
        default="before",
        help=(
            "windows whose scores place the knots: before = the windows before each model's current window "
            "(default), prior = every window before the newest, all = every window"
        ),
    )
    parser.add_argument("--workdir", type=Path, help="keep the data and both outputs here")
    parser.add_argument(
        "--reuse-reference",
        action="store_true",
        help="with --workdir: reuse the R output already there (same data) instead of running R again",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(BENCH))
    import sgp_data  # the generator sits beside this file, not in a package

    with tempfile.TemporaryDirectory(prefix="tandem-sgp-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.input:
            data = args.input.resolve()
            source = str(args.input)
        else:
            pupils = args.pupils or sgp_data.DEFAULT_PUPILS
            data = workdir / "marks.csv"
            if not (args.reuse_reference and data.exists()):
                sgp_data.write(sgp_data.generate(pupils, args.seed), data)
            source = f"bench/sgp_data.py --pupils {pupils} --seed {args.seed}"
        ensure_r()
        marks = read_marks(data)
        print(
            f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
            f"data: {source}: {marks.rows:,} rows ({marks.empty:,} empty scores), {marks.pupils:,} pupils, "
            f"{len(marks.subjects)} subjects, windows {', '.join(marks.windows)}",
            flush=True,
        )

        reference = run_reference(data, workdir, args.knots, reuse=args.reuse_reference)
        print(
            f"# reference: {reference.version}; {reference.models} models, rq() {reference.fit_seconds:.1f} s"
            f" (Rscript {reference.wall_seconds:.1f} s in all); quantreg warned on {reference.warned_models}"
            f" model(s)" + (f", e.g. {reference.warning}" if reference.warning else ""),
            flush=True,
        )
        out = workdir / "tandem.csv"
        tandem_seconds = run_tandem(data, out)
        ours, per_order = read_tandem(out)

    reported: dict[str, Tally] = defaultdict(Tally)
    by_history: dict[str, Tally] = defaultdict(Tally)
    by_ref_order: dict[str, Tally] = defaultdict(Tally)
    by_order_match: dict[str, Tally] = defaultdict(Tally)
    by_model: dict[str, Tally] = defaultdict(Tally)
    orders: dict[str, Tally] = defaultdict(Tally)
    for key, (theirs, ref_order, ref_by_order) in reference.sgp.items():
        row = ours.get(key)
        value = row.percentile if row is not None and row.percentile >= 1 else None
        reported["all"].add(value, theirs)
        by_history[marks.history.get(key, "not in the input")].add(value, theirs)
        by_ref_order[f"reference order {ref_order}"].add(value, theirs)
        tandem_order = row.prior_order if row is not None else 0
        relation = (
            "same" if tandem_order == ref_order else ("lower" if tandem_order < ref_order else "higher")
        )
        by_order_match[f"Tandem's order {relation}"].add(value, theirs)
        by_model[row.norm_model if row is not None else "no row"].add(value, theirs)
        if per_order and row is not None and row.by_order is not None:
            for k in range(1, MAX_ORDER + 1):
                expected = ref_by_order[k - 1]
                if expected is not None:
                    orders[f"order {k}"].add(row.by_order[k - 1], expected)
    only_ours: Counter[str] = Counter(
        f"{marks.history.get(key, 'not in the input')} ({row.norm_model})"
        for key, row in ours.items()
        if row.percentile >= 1 and key not in reference.sgp
    )

    total = reported["all"]
    print_groups(
        "Reported growth percentile (Tandem `percentile` vs the reference's highest order):", reported
    )
    if per_order:
        print_groups("Per order (Tandem `sgp_order_k` vs the reference's order-k SGP):", orders)
    else:
        print("Per order: skipped (Tandem's output has no sgp_order_1..4 columns).")
    print_groups("By the reference's order:", by_ref_order)
    print_groups("By Tandem's prior_order against the reference's:", by_order_match)
    print_groups("By Tandem's norm model:", by_model)
    print_groups(
        "By the pupil's history in the subject:",
        by_history,
        order=[
            "consecutive, every score",
            "an empty score before",
            "gap or repeat further back",
            "previous sitting a gap or repeat",
            "not in the input",
        ],
    )
    print(
        f"Rows with a Tandem growth percentile and none in the reference: {sum(only_ours.values()):,}"
        + (
            " (" + ", ".join(f"{name}: {count:,}" for name, count in only_ours.most_common()) + ")"
            if only_ours
            else ""
        )
    )
    ratio = tandem_seconds / reference.fit_seconds if reference.fit_seconds else float("nan")
    same = 100 * total.same / total.rows if total.rows else float("nan")
    within = 100 * total.within / total.rows if total.rows else float("nan")
    print(
        f"RESULT rows {total.rows:,}: identical {same:.2f}% (target >= 99%), within 1 {within:.2f}% "
        f"(target >= 99.9%); Tandem end to end {tandem_seconds:.1f} s, R fn fitting alone "
        f"{reference.fit_seconds:.1f} s, Tandem / R = {ratio:.2f} (target <= 0.5)"
    )


if __name__ == "__main__":
    main()
