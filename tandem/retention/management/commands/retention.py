from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.people.models import Pupil
from tandem.retention.models import RecordType
from tandem.retention.schedule import DEFAULT_YEARS
from tandem.retention.services import (
    legal_hold_place,
    legal_hold_release,
    retention_apply,
    retention_period_set,
    retention_plan,
)
from tandem.schools.models import School, Trust


class Command(BaseCommand):
    help = (
        "Apply the retention schedule: delete the records whose period has passed (docs/data-protection.md, "
        "Retention). Never anything about a pupil with an open subject access request or legal hold. "
        "--dry-run lists what is due at each school; --apply deletes exactly that, with an audit event per "
        "kind of record and count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--dry-run", action="store_true", help="List what is due; change nothing.")
        mode.add_argument("--apply", action="store_true", help="Delete what is due.")
        mode.add_argument(
            "--set",
            metavar="TYPE=YEARS",
            help="Change a trust's period (with --trust): sen_records=35 or pupil=30; TYPE=default goes back "
            "to the default.",
        )
        mode.add_argument(
            "--hold", metavar="UPN", help="Place a legal hold on a pupil (with --school, --reason)."
        )
        mode.add_argument("--release", metavar="UPN", help="Release a pupil's legal holds (with --school).")
        parser.add_argument("--reason", default="", help="Why the records are held (for --hold).")
        parser.add_argument("--school", type=int, default=None, help="Only this school (its id).")
        parser.add_argument("--trust", type=int, default=None, help="The trust whose period --set changes.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["set"]:
            self._set(options["set"], options["trust"])
            return
        if options["hold"] or options["release"]:
            self._hold(options)
            return
        schools = School.objects.order_by("pk")
        if options["school"] is not None:
            schools = schools.filter(pk=options["school"])
            if not schools.exists():
                raise CommandError(f"No school has id {options['school']}.")
        run = retention_apply if options["apply"] else retention_plan
        verb = "deleted" if options["apply"] else "due"
        for school in schools:
            plan = run(school=school)
            self.stdout.write(f"{school.name} (school {school.pk}):")
            for record_type in RecordType:
                years, due, held = plan.years[record_type], plan.due[record_type], plan.held[record_type]
                self.stdout.write(
                    f"  {record_type.label}, {years} years from date of birth: {due:,} {verb}, "
                    f"{held:,} pupil(s) held back by an open request or legal hold"
                )

    def _set(self, change: str, trust_id: int | None) -> None:
        record_type, _, years = change.partition("=")
        if record_type not in RecordType.values:
            raise CommandError(f"Say which records: {', '.join(RecordType.values)}.")
        trust = Trust.objects.filter(pk=trust_id).first() if trust_id is not None else None
        if trust is None:
            raise CommandError("Say which trust with --trust (its id).")
        try:
            period = retention_period_set(trust=trust, record_type=record_type, years=years)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        shown = f"{period} years" if period else f"the default, {DEFAULT_YEARS[record_type]} years"
        self.stdout.write(
            f"{trust.name}: {RecordType(record_type).label} now kept {shown} from date of birth."
        )

    def _hold(self, options: dict[str, Any]) -> None:
        school = (
            School.objects.filter(pk=options["school"]).first() if options["school"] is not None else None
        )
        if school is None:
            raise CommandError("Say which school with --school (its id).")
        upn = (options["hold"] or options["release"]).strip().upper()
        pupil = Pupil.objects.filter(school=school, upn=upn).first()
        if pupil is None:
            raise CommandError(f"No pupil with UPN {upn} at {school.name}.")
        try:
            if options["hold"]:
                legal_hold_place(pupil=pupil, reason=options["reason"])
                self.stdout.write("Held: nothing about this pupil is deleted until the hold is released.")
            else:
                released = legal_hold_release(pupil=pupil)
                self.stdout.write(f"Released {released} hold(s).")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
