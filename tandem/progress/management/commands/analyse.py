from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.progress.engine import assess_progress
from tandem.progress.files import MarksFileError, error_report, read_marks, write_results
from tandem.progress.scales import SCALE_KINDS, decide_scales, declared, scale_info
from tandem.progress.selectors import progress_settings_for, run_flag_share
from tandem.progress.services import analysis_run_create
from tandem.progress.settings import ProgressSettings, settings_with
from tandem.progress.summary import flag_share_line, flag_share_warning, latest_flag_share, run_summary
from tandem.schools.models import School, Trust


class Command(BaseCommand):
    help = (
        "Find less than expected progress (SEND Code of Practice 6.17) for every pupil. Either over the "
        "database, storing a run for a school (--school URN) or a trust (--trust NAME; with neither, every "
        "trust and every school outside a trust), or on files with no database: --input marks.csv "
        "--output results.csv. The input is a long CSV with columns pupil, subject, window, score, "
        "year_group and optionally date and school; windows are compared as text, so label them to sort "
        "in time order (e.g. 2025-1-autumn, 2025-2-spring). An empty score is a pupil not assessed. "
        "National norms (mean 100, SD 15) are used only for standardised scores: see --scale."
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
            "--scale",
            choices=SCALE_KINDS,
            default=None,
            help=(
                "With --input: the scale of every subject's scores. standardised: compared with national "
                "norms (mean 100, SD 15); scaled (e.g. KS2 scaled scores) or raw: standardised within each "
                "cohort (subject, year group and window). Default: decided from the data per subject, and "
                "printed."
            ),
        )
        parser.add_argument(
            "--no-national-norms",
            action="store_true",
            help="The same as --scale raw (kept for existing scripts).",
        )
        parser.add_argument(
            "--skip-errors",
            action="store_true",
            help=(
                "With --input: leave out rows that cannot be used (listed by line) instead of refusing "
                "the file."
            ),
        )

    def _say(self, message: str) -> None:
        self.stderr.write(message)

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = {} if options["threshold"] is None else {"growth_threshold": options["threshold"]}
        if options["input"] or options["output"]:
            self._files(options, settings_with(ProgressSettings(), threshold))
            return
        if options["scale"] or options["no_national_norms"] or options["skip_errors"]:
            raise CommandError(
                "--scale, --no-national-norms and --skip-errors are for files (--input); in the database "
                "each scale's own setting decides whether national norms apply."
            )
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
            run_settings = settings_with(stored, threshold)
            run = analysis_run_create(
                actor=None, school=school, trust=trust, settings=run_settings, progress=self._say
            )
            self.stdout.write(
                f"{school or trust}: run {run.pk}, {run.results:,} results, {run.flagged:,} flagged, "
                f"{run.seconds:.1f} s."
            )
            share = run_flag_share(run=run)
            self.stdout.write(flag_share_line(share, where="each school's newest window"))
            self._warn(
                flag_share_warning(
                    share,
                    threshold=run_settings.growth_threshold,
                    default_threshold=ProgressSettings().growth_threshold,
                )
            )

    def _warn(self, warning: str | None) -> None:
        if warning:
            self.stderr.write(self.style.WARNING(warning))

    def _files(self, options: dict[str, Any], settings: ProgressSettings) -> None:
        if not (options["input"] and options["output"]):
            raise CommandError("Give both --input and --output.")
        source: Path = options["input"]
        if not source.exists():
            raise CommandError(f"{source} does not exist.")
        started = time.perf_counter()
        kind = options["scale"]
        if options["no_national_norms"]:
            if kind not in (None, "raw"):
                raise CommandError("--no-national-norms means --scale raw: give one or the other.")
            kind = "raw"
        try:
            with source.open(newline="", encoding="utf-8-sig") as handle:
                marks = read_marks(handle, skip_errors=options["skip_errors"])
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{source} is not UTF-8 text ({error.reason} at byte {error.start})."
            ) from error
        except MarksFileError as error:
            raise CommandError(str(error)) from error
        if marks.skipped:
            self.stdout.write(
                f"Skipped {len(marks.skipped):,} row(s) that cannot be used:\n{error_report(marks.skipped)}"
            )
        self._say(f"Read {marks.rows:,} marks; analysing...")
        # What the data look like is worked out even when the scale is declared, to print beside it.
        looked = decide_scales(marks.columns)
        decisions = {s: declared(kind, d) if kind else d for s, d in looked.items()}
        scales = {s: scale_info(d.kind, reliability=options["reliability"]) for s, d in decisions.items()}
        table = assess_progress(columns=marks.columns, scales=scales, settings=settings, reasons=True)
        written = write_results(table, options["output"])
        summary = run_summary(
            lines=marks.lines,
            marks=marks.rows,
            not_assessed=marks.not_assessed,
            blank=marks.blank,
            skipped=marks.skipped,
            table=table,
            decisions=decisions,
        )
        for line in summary:
            self.stdout.write(line)
        self._warn(
            flag_share_warning(
                latest_flag_share(table),
                threshold=settings.growth_threshold,
                default_threshold=ProgressSettings().growth_threshold,
                not_standardised=[
                    s for s, d in decisions.items() if d.national_norms and not looked[s].national_norms
                ],
            )
        )
        flagged = int(table.columns["flagged"].sum())
        self.stdout.write(
            f"Wrote {written:,} results ({flagged:,} flagged) to {options['output']} "
            f"in {time.perf_counter() - started:.1f} s."
        )
        sys.stdout.flush()
