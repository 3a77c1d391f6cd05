"""Time `load_demo` for a large trust on a fresh SQLite database.

    .venv/bin/python bench/demo_scale.py                      # 40 schools x 1,500 pupils = 60,000 pupils
    .venv/bin/python bench/demo_scale.py --schools 4 --pupils-per-school 500

Creates a throwaway database file (deleted afterwards unless --keep), runs the migrations, loads the demo and
prints the time per stage, the rows written per table and the peak memory. Nothing else is touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--schools", type=int, default=40)
    parser.add_argument("--pupils-per-school", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=2026)
    # A fixed date, so every run writes the same rows: mid-July, three full school years of windows.
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 7, 15))
    parser.add_argument("--keep", action="store_true", help="keep the database file and print its path")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    db_path = workdir / "demo.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    from tandem.demo.loader import load_demo

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.perf_counter()
    print(f"migrate: {migrated - started:.1f} s", file=sys.stderr)

    report = load_demo(
        seed=args.seed,
        as_of=args.as_of,
        schools=args.schools,
        pupils_per_school=args.pupils_per_school,
        progress=lambda message: print(message, file=sys.stderr, flush=True),
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = sum(p.stat().st_size for p in workdir.iterdir()) / 1e6

    print()
    print(
        f"load_demo(schools={args.schools}, pupils_per_school={args.pupils_per_school}, seed={args.seed}, "
        f"as_of={args.as_of.isoformat()}) on SQLite"
    )
    print(
        f"  machine:        {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"  total:          {report.seconds:.1f} s")
    print(f"  generating:     {report.generate_seconds:.1f} s")
    print(f"  writing:        {report.write_seconds:.1f} s (one transaction, including the commit)")
    print(f"  rows written:   {report.total_rows:,} ({report.total_rows / report.write_seconds:,.0f} rows/s)")
    for name, count in report.rows.items():
        print(f"    {name:<20} {count:>10,}")
    print(f"  peak memory:    {peak_mb:,.0f} MB")
    print(f"  database size:  {size_mb:,.0f} MB")
    if args.keep:
        print(f"  database kept:  {db_path}")
    else:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
