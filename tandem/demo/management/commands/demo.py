"""`tandem demo`: build the made-up demo trust in an empty database."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tandem.demo import generator
from tandem.demo.loader import DemoRefused, demo_analyse, demo_logins, format_logins, load_demo


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-20."
        ) from None


def _count(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number.") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"choose a number from {low} to {high}.")
        return value

    return parse


class Command(BaseCommand):
    help = (
        "Build the demo trust in an empty database: made-up schools, staff sign-ins, pupils, the SEN "
        "register and three years of termly assessments, with some pupils making less than expected "
        "progress. Everything is invented and comes from a seed, so the same seed and date build the same "
        "demo. The demo is never mixed with real data: if the database already has schools, nothing is "
        "written. At the end it prints how long it took, the rows written and one sign-in per role per "
        "school; every demo account uses the password in TANDEM_DEMO_PASSWORD. For load testing, "
        "--schools 40 --pupils-per-school 1500 builds a 60,000-pupil trust."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help="Number the made-up data is built from; the same seed gives the same demo (default 2026).",
        )
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            metavar="YYYY-MM-DD",
            help="The demo's 'today': the current school year and the latest assessment window follow "
            "from it (default: today).",
        )
        parser.add_argument(
            "--schools",
            type=_count(1, generator.MAX_SCHOOLS),
            default=2,
            metavar="N",
            help="How many schools, alternating primary and secondary, starting with a primary (default 2).",
        )
        parser.add_argument(
            "--pupils-per-school",
            type=_count(generator.MIN_PUPILS_PER_SCHOOL, generator.MAX_PUPILS_PER_SCHOOL),
            default=None,
            metavar="N",
            help=f"Pupils on roll in each school, split evenly over its year groups (default: about "
            f"{generator.DEFAULT_PRIMARY_ROLL} in a primary and {generator.DEFAULT_SECONDARY_ROLL:,} in a "
            "secondary).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: dt.date = options["as_of"] or timezone.localdate()
        try:
            report = load_demo(
                seed=options["seed"],
                as_of=as_of,
                schools=options["schools"],
                pupils_per_school=options["pupils_per_school"],
                progress=self.stderr.write,
            )
        except DemoRefused as refused:
            raise CommandError(str(refused)) from None
        except ValueError as invalid:
            raise CommandError(str(invalid)) from None
        demo_analyse(progress=self.stderr.write)

        out = self.stdout.write
        out(
            self.style.SUCCESS(
                f"Built the demo trust in {report.seconds:.1f} s "
                f"(generating {report.generate_seconds:.1f} s, writing {report.write_seconds:.1f} s)."
            )
        )
        out("")
        out(f"Rows written ({report.total_rows:,} in all):")
        width = max(len(name) for name in report.rows)
        for name, count in report.rows.items():
            out(f"  {name.ljust(width)}  {count:>10,}")
        out("")
        out("What the pupils look like:")
        for name, share in report.summary.items():
            out(f"  {name}: {share:.1f}")
        out("")
        out(f"Demo sign-ins (the password for all of them is {settings.TANDEM_DEMO_PASSWORD}):")
        for line in format_logins(demo_logins()):
            out(f"  {line}")
        from tandem.core.management.commands.run import DEMO_SECOND_FACTOR_HELP

        out("")
        out(DEMO_SECOND_FACTOR_HELP)
