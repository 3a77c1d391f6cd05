from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tandem.core.context import reset_request_id, set_request_id

# Accept an upstream proxy's id only if it looks like one, so nothing odd reaches the logs.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        token = set_request_id(incoming if _SAFE_ID.match(incoming) else None)
        try:
            from tandem.core.context import current_request_id

            request.request_id = current_request_id()  # type: ignore[attr-defined]
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
            return response
        finally:
            reset_request_id(token)
