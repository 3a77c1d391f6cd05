from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.subject_access.models import SubjectAccessRequest
from tandem.subject_access.services import export_build


class Command(BaseCommand):
    help = (
        "Subject access requests. `tandem sar export REQUEST_ID --out FILE.zip` builds the request's export "
        "(every record about the pupil, JSON and PDF) and writes it to FILE; the request is recorded first "
        "on the Subject access requests page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        export = sub.add_parser("export", help="Build a request's export and write it to a file.")
        export.add_argument("request_id", help="The request's id (from its page's address).")
        export.add_argument("--out", required=True, help="Where to write the ZIP file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            request_id = uuid.UUID(options["request_id"])
        except ValueError:
            raise CommandError("That is not a request id: copy it from the request page's address.") from None
        if not SubjectAccessRequest.objects.filter(pk=request_id).exists():
            raise CommandError("No subject access request has that id.")
        out = Path(options["out"])
        if out.exists():
            raise CommandError(f"{out} exists already: choose a new file name.")
        built = export_build(actor=None, request_id=request_id)
        content = bytes(built.export or b"")
        out.write_bytes(content)
        out.chmod(0o600)
        self.stdout.write(f"Wrote {out} ({len(content) / 1024:,.0f} KB).")
