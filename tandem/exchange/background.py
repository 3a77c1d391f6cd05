"""Large imports run on a thread of the web process, so the page can show how far they have got.

The progress lives in this process's memory, not in the database: the apply is one transaction, and
nothing it writes (progress included) is visible to anyone else until it commits. If the process stops
mid-apply, the transaction is rolled back and the record, still "applying" but unknown here, is offered
for applying again.

Asked for during a request, the thread starts only when that request has finished (Django's
request_finished, after the response and the session are written): the apply holds the database's
write lock from its first query, and a request still writing beside it (saving its session) met it,
on SQLite "database table is locked" at once in the tests' shared in-memory database.
"""

from __future__ import annotations

import logging
import threading
import uuid

from django.core.exceptions import ValidationError
from django.core.signals import request_finished
from django.db import connection

from tandem.access.actor import Actor
from tandem.core.context import current_request_id
from tandem.exchange.models import ImportRecord, ImportStatus
from tandem.exchange.services import ImportFailed, import_apply

logger = logging.getLogger("tandem.exchange")

_LOCK = threading.Lock()
_RUNNING: dict[uuid.UUID, tuple[str, int, int]] = {}


def import_progress(record_id: uuid.UUID) -> tuple[str, int, int] | None:
    """(stage, done, total) of an apply running in this process ("checking" rows, then "writing"), or None."""
    with _LOCK:
        return _RUNNING.get(record_id)


def import_apply_in_background(*, actor: Actor, record_id: uuid.UUID, skip_errors: bool) -> threading.Thread:
    """Mark the import as applying and apply it on a thread; the record says how it ended."""
    statuses = [ImportStatus.PREVIEWED, ImportStatus.FAILED]
    if import_progress(record_id) is None:
        statuses.append(ImportStatus.APPLYING)  # interrupted: its transaction was rolled back
    claimed = ImportRecord.objects.filter(
        pk=record_id, school_id=actor.school_id or 0, status__in=statuses
    ).update(status=ImportStatus.APPLYING, failure="")
    if not claimed:
        raise ValidationError("This import is already being applied, or has been.")
    with _LOCK:
        _RUNNING[record_id] = ("checking", 0, 0)

    def report(stage: str, done: int, total: int) -> None:
        with _LOCK:
            _RUNNING[record_id] = (stage, done, total)

    def run() -> None:
        try:
            import_apply(
                actor=actor, record_id=record_id, skip_errors=skip_errors, progress=report, background=True
            )
        except ValidationError as error:
            # Refused before writing (rows with errors, columns not chosen): back to the preview, with why.
            ImportRecord.objects.filter(pk=record_id).update(
                status=ImportStatus.PREVIEWED, failure=" ".join(error.messages)
            )
        except ImportFailed:
            pass  # the record already says it failed and nothing was changed
        except Exception:
            logger.exception("import %s stopped unexpectedly", record_id)
            ImportRecord.objects.filter(pk=record_id).update(
                status=ImportStatus.FAILED,
                failure="The import stopped unexpectedly, so nothing was changed. Try applying again.",
            )
        finally:
            with _LOCK:
                _RUNNING.pop(record_id, None)
            connection.close()

    thread = threading.Thread(target=run, name=f"import-{record_id}", daemon=True)
    if current_request_id() == "-":
        thread.start()  # a command or a test, not a request: nothing else of ours is writing
    else:
        _start_when_this_request_finishes(thread)
    return thread


def _start_when_this_request_finishes(thread: threading.Thread) -> None:
    # request_finished is sent on the thread that served the request, once the response is closed;
    # other requests finishing on other threads meanwhile are not this one.
    serving = threading.get_ident()
    uid = f"tandem-start-{thread.name}"

    def start(**kwargs: object) -> None:
        if threading.get_ident() != serving:
            return
        request_finished.disconnect(dispatch_uid=uid)
        thread.start()

    request_finished.connect(start, weak=False, dispatch_uid=uid)


def interrupted(record: ImportRecord) -> bool:
    """An apply this process is not running, though the record says one is: the server stopped mid-way."""
    return record.status == ImportStatus.APPLYING and import_progress(record.pk) is None
