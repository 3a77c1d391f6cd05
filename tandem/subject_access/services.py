from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action
from tandem.audit.services import audit_record
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_enqueue
from tandem.lib.dates import one_month_after
from tandem.people.models import Pupil, User
from tandem.subject_access.export import archive, staff_access_data, subject_access_data
from tandem.subject_access.models import RequestStatus, SubjectAccessRequest
from tandem.subject_access.selectors import request_or_404

EXPORT_JOB = "subject_access_export"


@transaction.atomic
def request_open(
    *,
    actor: Actor,
    requester: str,
    received_on: dt.date,
    pupil: Pupil | None = None,
    staff: User | None = None,
    school_id: int | None = None,
) -> SubjectAccessRequest:
    """Record a request about a pupil (or a member of staff, at `school_id`), due one calendar month after it
    was received."""
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date received cannot be in the future."})
    if (pupil is None) == (staff is None):
        raise ValidationError("Say whom the request is about: a pupil's UPN or a member of staff's email.")
    at_school = pupil.school_id if pupil is not None else school_id
    if at_school is None:
        raise ValidationError("Say which school holds the records.")
    made = SubjectAccessRequest.objects.create(
        school_id=at_school,
        pupil=pupil,
        staff=staff,
        requester=requester.strip(),
        received_on=received_on,
        due_on=one_month_after(received_on),
        opened_by_id=actor.user_id,
    )
    audit_record(
        actor=actor,
        action="subject_access.open",
        target_type="subject_access_request",
        target_id=made.pk,
        school_id=at_school,
        fields=["pupil" if pupil is not None else "staff", "requester", "received_on"],
    )
    return made


def export_request(*, actor: Actor, request_id: uuid.UUID) -> Job:
    """Queue the job that builds the export, or return the one already waiting or running for it."""
    request = request_or_404(actor, request_id, Action.MANAGE)
    with transaction.atomic():
        # The request's row locked for the check-and-queue, so two clicks at once queue one job.
        SubjectAccessRequest.objects.select_for_update().filter(pk=request.pk).first()
        waiting = Job.objects.filter(
            kind=EXPORT_JOB,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
            arguments__request_id=str(request.pk),
        ).first()
        if waiting is not None:
            return waiting
        return job_enqueue(
            kind=EXPORT_JOB,
            actor=actor,
            school_id=request.school_id,
            arguments={"request_id": str(request.pk)},
        )


def export_build(*, actor: Actor | None, request_id: uuid.UUID) -> SubjectAccessRequest:
    """Build the request's ZIP (every record about the pupil, JSON and PDF) and keep it on the request.
    `actor` None is the command line, run by whoever looks after the server."""
    request = (
        request_or_404(actor, request_id, Action.MANAGE)
        if actor is not None
        else SubjectAccessRequest.objects.select_related("pupil__school", "school", "staff").get(
            pk=request_id
        )
    )
    if request.pupil is not None:
        data = subject_access_data(request.pupil)
    else:
        assert request.staff is not None  # the model's constraint: one or the other
        data = staff_access_data(request.staff, request.school)
    content = archive(data)
    with transaction.atomic():
        SubjectAccessRequest.objects.filter(pk=request.pk).update(
            export=content, export_built_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="subject_access.export",
            target_type="subject_access_request",
            target_id=request.pk,
            school_id=request.school_id,
            fields=[section["key"] for section in data["sections"] if section["records"]],
        )
    request.refresh_from_db()
    return request


def export_fetch(*, actor: Actor, request_id: uuid.UUID) -> SubjectAccessRequest:
    request = request_or_404(actor, request_id, Action.MANAGE)
    if not request.export:
        raise ValidationError("The export has not been built yet.")
    audit_record(
        actor=actor,
        action="subject_access.download",
        target_type="subject_access_request",
        target_id=request.pk,
        school_id=request.school_id,
    )
    return request


@transaction.atomic
def request_answer(*, actor: Actor, request_id: uuid.UUID, answered_on: dt.date) -> SubjectAccessRequest:
    request = request_or_404(actor, request_id, Action.MANAGE)
    if answered_on < request.received_on:
        raise ValidationError({"answered_on": "The answer cannot come before the request was received."})
    if answered_on > timezone.localdate():
        raise ValidationError({"answered_on": "The date answered cannot be in the future."})
    SubjectAccessRequest.objects.filter(pk=request.pk).update(
        status=RequestStatus.ANSWERED, answered_on=answered_on
    )
    audit_record(
        actor=actor,
        action="subject_access.answer",
        target_type="subject_access_request",
        target_id=request.pk,
        school_id=request.school_id,
        fields=["answered_on"],
    )
    request.refresh_from_db()
    return request
