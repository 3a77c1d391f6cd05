"""A form page's one-time token (tandem/core/once.py), for tests that post to a form page directly."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tandem.core.once import FORM_FIELD_NAME, form_token_issue


def with_form_token(data: dict[str, Any], user: Any) -> dict[str, Any]:
    """The form data with a fresh token issued to `user`, as the form page would have given them."""
    return {**data, FORM_FIELD_NAME: form_token_issue(user_id=user.pk)}


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls on their own threads (each with its own database connection), released together;
    each call's result, or the exception it raised, in order."""
    from django.db import connection

    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[i] = calls[i]()
        except Exception as error:  # the test looks at what each call raised
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), name=f"at-once-{i}") for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def needs_parallel_connections() -> Any:
    """Skip on an in-memory SQLite test database: one connection that the live server's threads share, so
    requests cannot truly overlap there. The suite's SQLite test database is a file (tandem/settings.py),
    where each thread has its own connection and writers take turns through IMMEDIATE transactions; on
    PostgreSQL they take turns through row locks."""
    import pytest
    from django.db import connection

    in_memory = connection.vendor == "sqlite" and not connection.settings_dict.get("TEST", {}).get("NAME")
    return pytest.mark.skipif(in_memory, reason="needs a database with parallel connections")
