from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.schools.models import Phase
from tandem.schools.services import school_create


class Command(BaseCommand):
    help = (
        "Add a school to Tandem with its first school admin, who gets an invitation email to choose a "
        "password and can then add the other staff."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", required=True, help="The school's name, e.g. 'Oakfield Primary School'."
        )
        parser.add_argument(
            "--urn", required=True, help="The school's unique reference number (URN) from GIAS."
        )
        parser.add_argument("--phase", required=True, choices=Phase.values, help="The school's phase.")
        parser.add_argument(
            "--lowest-year", type=int, required=True, help="Lowest year group on roll (0 = Reception)."
        )
        parser.add_argument(
            "--highest-year", type=int, required=True, help="Highest year group on roll (e.g. 6 or 11)."
        )
        parser.add_argument(
            "--dfe-number",
            metavar="LLL/EEEE",
            help="The school's DfE number: LA code and establishment number, e.g. 938/2001 (for CTFs).",
        )
        parser.add_argument("--trust", help="The trust's name, if the school is in a multi-academy trust.")
        parser.add_argument("--admin-email", required=True, help="Email address of the school admin.")
        parser.add_argument("--admin-name", required=True, help="Full name of the school admin.")
        parser.add_argument(
            "--base-url",
            default=settings.TANDEM_BASE_URL,
            help="The address staff reach Tandem at, for the invitation link (default: TANDEM_BASE_URL).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        la_number, establishment_number = "", ""
        if options["dfe_number"]:
            la_number, slash, establishment_number = options["dfe_number"].partition("/")
            if not (slash and la_number.isdigit() and len(la_number) == 3):
                raise CommandError("Give the DfE number as LA code/establishment number, e.g. 938/2001.")
            if not (establishment_number.isdigit() and len(establishment_number) == 4):
                raise CommandError("Give the DfE number as LA code/establishment number, e.g. 938/2001.")
        try:
            school, user = school_create(
                name=options["name"],
                urn=options["urn"],
                phase=options["phase"],
                lowest_year=options["lowest_year"],
                highest_year=options["highest_year"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                base_url=options["base_url"],
                trust_name=options["trust"],
                la_number=la_number,
                establishment_number=establishment_number,
            )
        except ValidationError as error:
            raise CommandError("Nothing was saved: " + "; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Added {school.name} (URN {school.urn}); {user.email} is its school admin.")
        )
        self.stdout.write(
            f"An invitation to choose a password is on its way to {user.email} (valid for "
            f"{settings.TANDEM_INVITATION_DAYS} days)."
        )
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(
                f"No mail server is set up (TANDEM_EMAIL_HOST): the email is in {settings.EMAIL_FILE_PATH}."
            )
