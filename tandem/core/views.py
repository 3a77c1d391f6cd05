import sys
from pathlib import Path

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader

from tandem.core import health

FAVICON = Path(__file__).resolve().parent / "static" / "tandem" / "favicon.svg"
# How long browsers and proxies are told to wait before trying again when the database is unavailable.
RETRY_AFTER_SECONDS = 30


def health_view(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: no data, no session. 503 with the problems in plain words."""
    problems = health.problems()
    if problems:
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ok"})


def favicon_view(request: HttpRequest) -> HttpResponse:
    """Browsers and tools ask for /favicon.ico whatever the page says: the same icon the pages name."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an error that means the database cannot serve just now (busy behind a long import,
    read-only, unreachable) is a 503 saying to try again, not "something went wrong"; anything else
    is the usual 500 page. Both are rendered without the request's context: the context processors read
    the database, which may be the thing that is down."""
    error = sys.exc_info()[1]
    if error is not None and health.database_unavailable(error):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))
