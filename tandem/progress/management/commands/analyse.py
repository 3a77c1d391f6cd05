from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.progress.engine import assess_progress
from tandem.progress.files import MarksFileError, read_marks, write_results
from tandem.progress.selectors import progress_settings_for
from tandem.progress.services import analysis_run_create
from tandem.progress.settings import ProgressSettings, ScaleInfo, settings_with
from tandem.schools.models import School, Trust


class Command(BaseCommand):
    help = (
        "Find less than expected progress (SEND Code of Practice 6.17) for every pupil. Either over the "
        "database, storing a run for a school (--school URN) or a trust (--trust NAME; with neither, every "
        "trust and every school outside a trust), or on files with no database: --input marks.csv "
        "--output results.csv. The input is a long CSV with columns pupil, subject, window, score, "
        "year_group and optionally date and school; windows are compared as text, so label them to sort "
        "in time order (e.g. 2025-1-autumn, 2025-2-spring)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", metavar="URN", help="Analyse one school, by its URN.")
        parser.add_argument("--trust", metavar="NAME", help="Analyse one trust's schools together.")
        parser.add_argument("--input", type=Path, help="A CSV of marks to analyse without the database.")
        parser.add_argument("--output", type=Path, help="Where to write the results CSV (with --input).")
        parser.add_argument(
            "--threshold",
            type=int,
            default=None,
            help=(
                "Flag growth percentiles below this, for this run only (default: the school's or trust's "
                f"setting, else {ProgressSettings().growth_threshold}; growth studies call 35 low)."
            ),
        )
        parser.add_argument(
            "--reliability",
            type=float,
            default=0.9,
            help="Reliability of the tests, for measurement error, with --input (default %(default)s).",
        )
        parser.add_argument(
            "--no-national-norms",
            action="store_true",
            help="With --input: the scores are not standardised (mean 100, SD 15); compare local peers only.",
        )

    def _say(self, message: str) -> None:
        self.stderr.write(message)

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = {} if options["threshold"] is None else {"growth_threshold": options["threshold"]}
        if options["input"] or options["output"]:
            self._files(options, settings_with(ProgressSettings(), threshold))
            return
        if options["school"] and options["trust"]:
            raise CommandError("Give --school or --trust, not both.")
        targets: list[tuple[School | None, Trust | None]]
        if options["school"]:
            school = School.objects.filter(urn=options["school"]).first()
            if school is None:
                raise CommandError(f"No school has URN {options['school']}.")
            targets = [(school, None)]
        elif options["trust"]:
            trust = Trust.objects.filter(name=options["trust"]).first()
            if trust is None:
                raise CommandError(f"No trust is called '{options['trust']}'.")
            targets = [(None, trust)]
        else:
            targets = [(None, trust) for trust in Trust.objects.all()]
            targets += [(school, None) for school in School.objects.filter(trust__isnull=True)]
        if not targets:
            raise CommandError("There are no schools to analyse yet.")
        for school, trust in targets:
            self._say(f"{school or trust}:")
            stored = progress_settings_for(school=school, trust=trust).settings
            run = analysis_run_create(
                actor=None,
                school=school,
                trust=trust,
                settings=settings_with(stored, threshold),
                progress=self._say,
            )
            self.stdout.write(
                f"{school or trust}: run {run.pk}, {run.results:,} results, {run.flagged:,} flagged, "
                f"{run.seconds:.1f} s."
            )

    def _files(self, options: dict[str, Any], settings: ProgressSettings) -> None:
        if not (options["input"] and options["output"]):
            raise CommandError("Give both --input and --output.")
        source: Path = options["input"]
        if not source.exists():
            raise CommandError(f"{source} does not exist.")
        started = time.perf_counter()
        try:
            with source.open(newline="", encoding="utf-8-sig") as handle:
                marks = read_marks(handle)
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{source} is not UTF-8 text ({error.reason} at byte {error.start})."
            ) from error
        except MarksFileError as error:
            raise CommandError(str(error)) from error
        self._say(f"Read {marks.rows:,} marks; analysing...")
        if options["no_national_norms"]:
            scale = ScaleInfo(name="local", reliability=options["reliability"])
        else:
            scale = ScaleInfo.standardised(reliability=options["reliability"])
        subjects = sorted(set(marks.columns["subject"].tolist()))
        table = assess_progress(
            columns=marks.columns, scales=dict.fromkeys(subjects, scale), settings=settings, reasons=True
        )
        written = write_results(table, options["output"])
        flagged = int(table.columns["flagged"].sum())
        self.stdout.write(
            f"Wrote {written:,} results ({flagged:,} flagged) to {options['output']} "
            f"in {time.perf_counter() - started:.1f} s."
        )
        sys.stdout.flush()
