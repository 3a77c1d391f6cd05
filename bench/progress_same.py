"""Check that two versions of the progress engine give the same table, column by column.

    .venv/bin/python bench/progress_same.py --against HEAD~1                   # 100,000 pupils
    .venv/bin/python bench/progress_same.py --against HEAD~1 --pupils 1000000  # the benchmark's 18M rows

Builds the table of `bench/progress.py` (same seed), runs `assess_progress` with PRR / peer bands once with
the engine of this working tree and once with the engine of a git revision (its `tandem` package extracted
with `git archive` into a temporary directory), each in its own process, and compares every output column
bitwise (NaN equal to NaN), the reasons for the flagged latest results, and the fitted models' parameters.
Exit status 1 if any column or reason differs. Model parameters (least-squares coefficients) are reported
with their largest relative difference, as a different but equivalent solver may change their last bits.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def run_engine(tandem_root: str, pupils: int, seed: int, out: Path) -> None:
    """In a child process: build the table, run the engine found under `tandem_root`, save its output."""
    sys.path.insert(0, tandem_root)
    import tandem.progress.engine as engine  # the version under test, imported before the bench module

    spec = importlib.util.spec_from_file_location("bench_progress", ROOT / "bench" / "progress.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from tandem.progress.settings import ProgressSettings, ScaleInfo

    columns = bench.build(pupils, seed)
    scales = {str(s): ScaleInfo.standardised(reliability=0.9) for s in bench.SUBJECTS}
    started = time.perf_counter()
    table = engine.assess_progress(
        columns=columns, scales=scales, settings=ProgressSettings(use_sgp=False), reasons=False
    )
    label = "this tree" if Path(tandem_root).resolve() == ROOT else "reference"
    print(f"  {label}: engine {time.perf_counter() - started:.1f} s")
    out.mkdir(parents=True, exist_ok=True)
    names = list(table.columns)
    for name in names:
        if name in engine.LABEL_COLUMNS:
            values = np.asarray(table.columns.coded(name).codes)
        else:
            values = table.columns[name]
        np.save(out / f"{name}.npy", values)
    rows = np.flatnonzero(table["is_latest"] & table["flagged"])
    reasons = table.explain(rows=rows)
    with open(out / "extra.pickle", "wb") as f:
        pickle.dump(
            {
                "names": names,
                "reasons": {k: np.asarray(v, dtype=object) for k, v in reasons.items()},
                "models": [m.to_dict() for m in table.models],
            },
            f,
        )


def _numbers(value: Any) -> list[float]:
    """Every number inside a JSON-like value, in order."""
    if isinstance(value, dict):
        return [x for k in sorted(value) for x in _numbers(value[k])]
    if isinstance(value, list | tuple):
        return [x for v in value for x in _numbers(v)]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    return [float(value)]


def _skeleton(value: Any) -> Any:
    """The value with every number replaced by 0: what must match exactly."""
    if isinstance(value, dict):
        return {k: _skeleton(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_skeleton(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return 0


def compare(new: Path, old: Path) -> bool:
    with open(new / "extra.pickle", "rb") as f:
        extra_new = pickle.load(f)
    with open(old / "extra.pickle", "rb") as f:
        extra_old = pickle.load(f)
    same = True
    if extra_new["names"] != extra_old["names"]:
        print(f"column names differ: {extra_new['names']} vs {extra_old['names']}")
        same = False
    for name in extra_new["names"]:
        if name not in extra_old["names"]:
            continue
        a, b = np.load(new / f"{name}.npy"), np.load(old / f"{name}.npy")
        if a.dtype != b.dtype or a.shape != b.shape:
            print(f"  {name}: dtype/shape {a.dtype}{a.shape} vs {b.dtype}{b.shape}")
            same = False
            continue
        equal = np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        print(f"  {name:<22} {a.dtype!s:<8} {'identical' if equal else 'DIFFERENT'}")
        if not equal:
            same = False
            bad = ~((a == b) | (np.isnan(a) & np.isnan(b)) if a.dtype.kind == "f" else (a == b))
            print(f"      {int(bad.sum()):,} rows differ, first at {int(np.flatnonzero(bad)[0])}")
    reasons_same = extra_new["reasons"].keys() == extra_old["reasons"].keys() and all(
        np.array_equal(extra_new["reasons"][k], extra_old["reasons"][k]) for k in extra_new["reasons"]
    )
    print(f"  reasons for the flagged latest results: {'identical' if reasons_same else 'DIFFERENT'}")
    same &= reasons_same
    models_new, models_old = extra_new["models"], extra_old["models"]
    shape_same = json.dumps(_skeleton(models_new)) == json.dumps(_skeleton(models_old))
    nums_new = np.asarray([x for m in models_new for x in _numbers(m)])
    nums_old = np.asarray([x for m in models_old for x in _numbers(m)])
    if shape_same and nums_new.shape == nums_old.shape:
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.abs(nums_new - nums_old) / np.maximum(np.abs(nums_old), 1e-300)
        differing = int(np.count_nonzero(nums_new != nums_old))
        worst = float(np.nanmax(rel)) if rel.size else 0.0
        print(
            f"  {len(models_new)} models: same fields; {differing:,} of {nums_new.size:,} numbers differ "
            f"(largest relative difference {worst:.1e})"
        )
    else:
        print("  models: DIFFERENT fields or counts")
        same = False
    return same


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--against", required=True, help="git revision whose engine is the reference")
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", nargs=2, metavar=("TANDEM_ROOT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_engine(args.child[0], args.pupils, args.seed, Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "reference"
        reference.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.against, "tandem"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(reference)], input=archive, check=True)
        print(f"{args.pupils:,} pupils, seed {args.seed}: this tree against {args.against}")
        for root, out in ((ROOT, Path(tmp) / "new"), (reference, Path(tmp) / "old")):
            cmd = [sys.executable, __file__, "--pupils", str(args.pupils), "--seed", str(args.seed)]
            subprocess.run([*cmd, "--against", args.against, "--child", str(root), str(out)], check=True)
        same = compare(Path(tmp) / "new", Path(tmp) / "old")
    print("SAME" if same else "DIFFERENT")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
