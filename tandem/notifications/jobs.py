"""A school's emails for the day as one job on the worker, queued each morning by the schedule."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tandem.jobs.models import Job
from tandem.jobs.registry import JobContext, JobRefused, job_handler
from tandem.jobs.schedule import Daily, daily_job
from tandem.jobs.services import job_enqueue
from tandem.notifications.services import school_emails_send
from tandem.schools.models import School

SCHOOL_EMAILS_JOB = "school_emails"
#: Local hour (Europe/London) from which the morning's emails are queued.
EMAILS_HOUR = 7


@job_handler(SCHOOL_EMAILS_JOB)
def school_emails_job(context: JobContext) -> str:
    school = School.objects.filter(pk=context.job.school_id or 0).first()
    if school is None:
        raise JobRefused("The school is no longer in Tandem.")
    # The day it was queued for, not the day it runs: a retry after midnight still sends that day's emails,
    # and finds the ones already sent recorded (tandem.notifications.models.EmailSent).
    on = dt.date.fromisoformat(str(context.arguments["on"]))
    sending = school_emails_send(school=school, on=on, progress=context.progress)
    sentence = f"Sent {sending.sent:,} email{'s' if sending.sent != 1 else ''}."
    if sending.already:
        sentence += f" {sending.already:,} had been sent already."
    if sending.failed:
        sentence += f" {sending.failed:,} could not be sent: the mail server refused them (see the log)."
    return sentence


def school_emails_enqueue(school: School | None, on: dt.date | None = None) -> Job | None:
    if school is None:
        return None
    day = on or timezone.localdate()
    return job_enqueue(
        kind=SCHOOL_EMAILS_JOB, actor=None, school_id=school.pk, arguments={"on": day.isoformat()}
    )


#: One job per school each morning: the reminders every day; on Mondays the To do digest and the SENCo's
#: overdue summary as well (the job decides from its day, so the schedule needs no day of the week).
daily_job(Daily(name="school_emails", hour=EMAILS_HOUR, enqueue=school_emails_enqueue))
