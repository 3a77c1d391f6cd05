"""Jobs that run by themselves at a local hour each day, queued by whichever worker notices first.

Each app registers its daily jobs here (in its `jobs.py`); every worker calls `schedule_due` with each
heartbeat (tandem.jobs.worker). The day and hour are England's local time (settings.TIME_ZONE,
Europe/London: every school Tandem serves keeps it, summer time included), so "2 am" stays 2 am in June.
A job missed while no worker ran (the server was off at 2 am) is queued when one next starts, the same day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.jobs.models import Job, ScheduledRun
from tandem.schools.models import School


@dataclass(frozen=True)
class Daily:
    name: str
    hour: int  # local hour from which it is due
    # Queues the job for one school (per_school) or for everyone (school None); None: nothing to do today.
    enqueue: Callable[[School | None], Job | None]
    per_school: bool = True
    on_day: int | None = None  # a monthly job: due only on this day of the month


DAILY: dict[str, Daily] = {}


def daily_job(daily: Daily) -> Daily:
    if daily.name in DAILY and DAILY[daily.name] != daily:
        raise ValueError(f"two daily jobs named {daily.name!r}")
    DAILY[daily.name] = daily
    return daily


def schedule_due(*, now: datetime | None = None) -> int:
    """Queue every daily job that is due and not yet queued today; returns how many were queued."""
    local = timezone.localtime(now or timezone.now())
    queued = 0
    schools: list[School] | None = None
    for daily in DAILY.values():
        if local.hour < daily.hour or (daily.on_day is not None and local.day != daily.on_day):
            continue
        if daily.per_school:
            schools = schools if schools is not None else list(School.objects.order_by("pk"))
            targets: list[School | None] = list(schools)
        else:
            targets = [None]
        for school in targets:
            queued += _queue_once(daily, school, local)
    return queued


def _queue_once(daily: Daily, school: School | None, local: datetime) -> int:
    already = ScheduledRun.objects.filter(name=daily.name, school=school, on=local.date())
    if already.exists():
        return 0
    try:
        with transaction.atomic():
            claim = ScheduledRun.objects.create(name=daily.name, school=school, on=local.date())
            job = daily.enqueue(school)
            if job is not None:
                ScheduledRun.objects.filter(pk=claim.pk).update(job=job)
    except IntegrityError:
        return 0  # another worker claimed it first
    # Claimed either way: a job with nothing to do today is not asked again until tomorrow.
    return 0 if job is None else 1
