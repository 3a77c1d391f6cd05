"""Kinds of job and the functions that run them, registered by each app's `jobs.py`.

A handler gets a JobContext and returns the outcome sentence. It must be idempotent: a worker killed after
the handler's last write but before the job is marked done runs it again, so a handler first checks whether
its work is already in the database (an import already applied, an analysis already stored) and if so
only reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tandem.access.actor import Actor
    from tandem.jobs.models import Job


class JobRefused(Exception):
    """The job cannot do what was asked (e.g. the import was discarded meanwhile); the message says why,
    in plain English, and becomes the job's outcome."""


@dataclass
class JobContext:
    job: Job
    actor: Actor | None
    # Writes the job's stage and counts where the page can see them (call it outside your write
    # transaction: inside one, nobody else sees it until the commit).
    progress: Callable[[str, int, int], None]

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self.job.arguments)

    def remember(self, **values: Any) -> None:
        """Keep ids the pages (and a retry) need, e.g. the analysis run this job made."""
        from tandem.jobs.models import Job

        self.job.result = {**self.job.result, **values}
        Job.objects.filter(pk=self.job.pk).update(result=self.job.result)


Handler = Callable[[JobContext], str]

HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if kind in HANDLERS and HANDLERS[kind] is not handler:
            raise ValueError(f"two handlers for job kind {kind!r}")
        HANDLERS[kind] = handler
        return handler

    return register
