"""`tandem democode EMAIL`: the code a demo user's authenticator app would show now (demo only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.demo.generator import DEMO_EMAIL_DOMAIN
from tandem.demo.sign_in import DemoShortcutRefused, current_code


class Command(BaseCommand):
    help = (
        "Print the 6-digit two-factor code for a demo sign-in, for trying the demo without an "
        "authenticator app. Demo accounts only; refused when TANDEM_PRODUCTION is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="A demo sign-in's email address, as printed by `make run`.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        if not email.endswith(f".{DEMO_EMAIL_DOMAIN}"):
            raise CommandError("Only the demo's own accounts have codes here.")
        try:
            code = current_code(email)
        except (DemoShortcutRefused, LookupError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{code}  (changes every 30 seconds; each code works once)")
