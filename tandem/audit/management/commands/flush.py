from typing import Any

from django.core.management.commands import flush
from django.db import connections

from tandem.audit import triggers


class Command(flush.Command):
    help = (
        "Delete ALL data from the database, the audit trail included, leaving the tables in place. "
        "The audit table refuses deletes, so its guard is lifted for the wipe and put back straight after."
    )

    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        triggers.remove(connection)
        try:
            super().handle(**options)
        finally:
            triggers.install(connection)
