"""The worker process: django-tasks-db's worker loop, plus a heartbeat and the recovery of dead workers' jobs.

The library's worker claims a task by marking it RUNNING; if the process is killed, the task would stay
RUNNING for ever. Tandem's worker writes a heartbeat every BEAT_SECONDS (for /health/ and for the others)
and, on starting and with every beat, puts back on the queue the tasks of workers that are gone
(`workers_recover_stale`), so a job a killed worker had started runs again on a live one, and queues the
daily jobs that have fallen due (`tandem.jobs.schedule`).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from tandem.audit.chain import audit_seal
from tandem.jobs.schedule import schedule_due
from tandem.jobs.services import worker_beat, worker_gone, workers_recover_stale

logger = logging.getLogger("tandem.jobs")

BEAT_SECONDS = 20.0


class TandemWorker(Worker):
    def __init__(self, *, schedule: bool = True, **options: Any) -> None:
        super().__init__(**options)
        self.schedule = schedule

    def run(self) -> None:
        started_at = timezone.now()
        stop = threading.Event()
        self._beat(started_at)
        beating = threading.Thread(target=self._beat_until, args=(stop, started_at), daemon=True)
        beating.start()
        try:
            super().run()
        finally:
            stop.set()
            beating.join(timeout=BEAT_SECONDS)
            try:
                worker_gone(worker_id=self.worker_id)
            except Exception:  # the database may be the reason we are stopping
                logger.warning("worker %s could not remove its heartbeat", self.worker_id)

    def _beat(self, started_at: datetime) -> None:
        try:
            worker_beat(worker_id=self.worker_id, started_at=started_at)
            recovered = workers_recover_stale()
            if recovered:
                logger.warning(
                    "worker %s queued %d task(s) of stopped workers again", self.worker_id, recovered
                )
            audit_seal()
            scheduled = schedule_due() if self.schedule else 0
            if scheduled:
                logger.info("worker %s queued %d scheduled job(s)", self.worker_id, scheduled)
        except Exception:
            # A locked or unavailable database: try again at the next beat; /health/ will show the gap.
            logger.warning("worker %s could not write its heartbeat", self.worker_id)

    def _beat_until(self, stop: threading.Event, started_at: datetime) -> None:
        try:
            while not stop.wait(BEAT_SECONDS):
                self._beat(started_at)
        finally:
            connection.close()
