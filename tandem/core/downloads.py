"""What every download of pupils' data shares."""

from __future__ import annotations

from django.http import HttpResponse


def attachment(response: HttpResponse, file_name: str) -> HttpResponse:
    """Saved under this name, and never kept by a browser's or a proxy's cache."""
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "private, no-store"
    return response
