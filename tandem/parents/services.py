"""Writes about parents and carers as partners (SEND Code of Practice 6.64 to 6.71): linking a parent to their
child, sharing records with them, asking for their views, and what they send back.

Each write is one transaction with its audit event (field names only). The email a parent gets says only
that something is waiting at the school, with the sign-in link: never the child's name, never what was
shared. It goes once the staff member's write has committed; a mail server that refuses it loses nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404, shared_meeting_or_404
from tandem.accounts.services import invitation_issue
from tandem.audit.models import Outcome
from tandem.audit.services import audit_record
from tandem.core.validation import require_text, require_visible_name
from tandem.lib.family_words import QuestionProblem, checked_questions
from tandem.parents.models import (
    ANSWER_LIMIT,
    RELATIONSHIP_LIMIT,
    MeetingRequest,
    MeetingResponse,
    ParentLink,
    ParentViews,
    SharedKind,
    Sharing,
    ViewsRequest,
)
from tandem.parents.selectors import views_request_is_open
from tandem.people.models import Membership, Pupil, Role, User
from tandem.people.services import needs_invitation
from tandem.plans.models import ParentMeeting, SupportPlan
from tandem.register.models import Passport
from tandem.revisions.models import Withdrawable

logger = logging.getLogger("tandem.parents")

PURPOSE_LIMIT = 200
GOOD_TIMES_LIMIT = 200
LINK_YOURSELF = "You cannot link yourself to a pupil. Ask another member of staff to do it."
# What each kind of shared record is called in the audit trail (the pupil's "who has seen this" list reads
# these names) and which model it is.
SHARED_MODELS: dict[SharedKind, tuple[type[Withdrawable], str]] = {
    SharedKind.PLAN: (SupportPlan, "support_plan"),
    SharedKind.PASSPORT: (Passport, "passport"),
    SharedKind.MEETING: (ParentMeeting, "parent_meeting"),
}


def _too_long(field: str, text: str, limit: int) -> None:
    if len(text) > limit:
        raise ValidationError({field: f"Keep this to {limit:,} characters or fewer (it has {len(text):,})."})


def _lock_pupil(pupil: Pupil) -> None:
    # Two writes at once about one pupil take turns here, so the second sees the first's row and answers
    # with a clear message instead of failing on a "one open" constraint.
    Pupil.objects.select_for_update(no_key=True).filter(pk=pupil.pk).first()


# ---------------------------------------------------------------- emails
def _sign_in_url(base_url: str | None) -> str:
    return (base_url or settings.TANDEM_BASE_URL).rstrip("/") + reverse("account_login")


def _parents_to_tell(pupil_id: uuid.UUID, school_id: int) -> list[User]:
    """The pupil's linked parents who can sign in now (one who has not yet set a password has the
    invitation, which already says where to go)."""
    users = User.objects.filter(
        is_active=True,
        child_links__pupil_id=pupil_id,
        child_links__school_id=school_id,
        child_links__ended_at__isnull=True,
    ).distinct()
    return [user for user in users if not needs_invitation(user)]


def _tell_parents_on_commit(*, pupil: Pupil, base_url: str | None, only: User | None = None) -> None:
    school_name = pupil.school.name
    pupil_id, school_id = pupil.pk, pupil.school_id
    url = _sign_in_url(base_url)

    def send() -> None:
        people = [only] if only is not None else _parents_to_tell(pupil_id, school_id)
        _send_waiting(people, school_name=school_name, url=url)

    transaction.on_commit(send)


def _send_waiting(people: Sequence[User], *, school_name: str, url: str) -> None:
    """One email each: the school's name and the sign-in link, nothing else (DESIGN 5: emails carry no
    pupil names or SEN detail). A refusal is logged without the address; the write it follows is kept."""
    if not people:
        return
    context = {"school": school_name, "url": url}
    subject = render_to_string("parents/email/waiting_subject.txt", context).strip()
    body = render_to_string("parents/email/waiting_message.txt", context)
    try:
        with get_connection() as connection:
            for person in people:
                EmailMessage(subject=subject, body=body, to=[person.email], connection=connection).send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("parents' email was not sent: %s", type(error).__name__)


# ---------------------------------------------------------------- linking parents
def parent_invite(
    *,
    actor: Actor,
    pupil_id: uuid.UUID,
    email: str,
    full_name: str,
    relationship: str,
    base_url: str | None = None,
) -> ParentLink:
    """Link a parent or carer to a pupil: their account (made if new), a parent role at the school if they
    have none, and the link. Someone who has never set a password gets an invitation; anyone else an email
    that something is waiting."""
    pupil = pupil_or_404(actor, pupil_id, Resource.PARENT_ACCESS, Action.MANAGE)
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError as error:
        raise ValidationError({"email": "Enter an email address, like name@example.com."}) from error
    relation = require_text(relationship=relationship)["relationship"]
    _too_long("relationship", relation, RELATIONSHIP_LIMIT)
    user = User.objects.filter(email=address).first()
    if user is not None and user.pk == actor.user_id:
        # Outside the transaction below, so the trail keeps the attempt.
        audit_record(
            actor=actor,
            action="parent_link.create",
            target_type="pupil",
            target_id=pupil.pk,
            outcome=Outcome.DENIED,
            fields=["self"],
        )
        raise ValidationError({"email": LINK_YOURSELF})
    with transaction.atomic():
        _lock_pupil(pupil)
        new_user = user is None
        if user is None:
            name = require_text(full_name=full_name)["full_name"]
            name = require_visible_name(name, "full_name")
            _too_long("full_name", name, 200)
            user = User.objects.create_user(email=address, password=None, full_name=name)
        elif ParentLink.objects.filter(user=user, pupil=pupil, ended_at__isnull=True).exists():
            # Not the person's name: the address may belong to someone this member of staff does not know.
            raise ValidationError(
                {"email": "This person is already linked to this pupil. End that link first to change it."}
            )
        has_role = Membership.objects.filter(
            user=user, role=Role.PARENT, school_id=pupil.school_id, is_active=True
        ).exists()
        if not has_role:
            Membership.objects.create(user=user, role=Role.PARENT, school_id=pupil.school_id)
        try:
            with transaction.atomic():
                link = ParentLink.objects.create(
                    user=user,
                    pupil=pupil,
                    school_id=pupil.school_id,
                    relationship=relation,
                    linked_by_id=actor.user_id,
                )
        except IntegrityError as error:  # the same link made at the same moment by someone else
            raise ValidationError({"email": "This person is already linked to this pupil."}) from error
        if needs_invitation(user):
            invitation_issue(
                user=user,
                role=Role.PARENT,
                school=pupil.school,
                invited_by=actor.user,
                base_url=base_url,
                actor=actor,
            )
        else:
            _tell_parents_on_commit(pupil=pupil, base_url=base_url, only=user)
        audit_record(
            actor=actor,
            action="parent_link.create",
            target_type="parent_link",
            target_id=link.pk,
            school_id=pupil.school_id,
            fields=[
                "user",
                "pupil",
                "relationship",
                *(["new_user"] if new_user else []),
                *([] if has_role else ["membership"]),
            ],
        )
        return link


def parent_link_end(*, actor: Actor, link_id: uuid.UUID) -> ParentLink:
    """End a parent's link to a pupil: they no longer see the child. The row stays as the record of who
    could see what, and when. With no other child at the school, their parent role there ends too."""
    found = pupil_record_or_404(actor, ParentLink, link_id, Resource.PARENT_ACCESS, Action.MANAGE)
    with transaction.atomic():
        link = ParentLink.objects.select_for_update().get(pk=found.pk)
        if link.ended_at is not None:
            raise ValidationError("This link has already ended.")
        link.ended_at = timezone.now()
        link.ended_by_id = actor.user_id
        link.save(update_fields=["ended_at", "ended_by"])
        changed = ["ended_at", "ended_by"]
        others = ParentLink.objects.filter(
            user_id=link.user_id, school_id=link.school_id, ended_at__isnull=True
        )
        if not others.exists():
            ended = Membership.objects.filter(
                user_id=link.user_id, role=Role.PARENT, school_id=link.school_id, is_active=True
            ).update(is_active=False)
            if ended:
                changed.append("membership")
        audit_record(
            actor=actor,
            action="parent_link.end",
            target_type="parent_link",
            target_id=link.pk,
            school_id=link.school_id,
            fields=changed,
        )
        return link


# ---------------------------------------------------------------- sharing
def _shared_record(actor: Actor, kind: SharedKind | str, record_id: uuid.UUID) -> tuple[Withdrawable, str]:
    try:
        model, target_type = SHARED_MODELS[SharedKind(kind)]
    except ValueError as error:
        raise ValidationError("Choose a plan, a passport or a meeting record to share.") from error
    record = pupil_record_or_404(actor, model, record_id, Resource.PARENT_ACCESS, Action.ADD)
    return record, target_type


def record_share(
    *, actor: Actor, kind: SharedKind | str, record_id: uuid.UUID, base_url: str | None = None
) -> Sharing:
    """Let the pupil's parents read a plan, a passport or a meeting record. Their parents are emailed that
    something is waiting. A withdrawn record cannot be shared; sharing a passport shares its newest
    version (and stops an older one); sharing a meeting record dates it as given to the parents."""
    record, target_type = _shared_record(actor, kind, record_id)
    kind = SharedKind(kind)
    pupil: Pupil = record.pupil  # type: ignore[attr-defined]
    with transaction.atomic():
        _lock_pupil(pupil)
        current = type(record)._default_manager.select_for_update().get(pk=record.pk)
        if current.is_withdrawn:
            raise ValidationError("This record was withdrawn, so it cannot be shared with the parents.")
        if Sharing.objects.filter(kind=kind, record_id=record.pk, stopped_at__isnull=True).exists():
            raise ValidationError("This is already shared with the parents.")
        changed = ["kind", "record_id"]
        now = timezone.now()
        if kind is SharedKind.PASSPORT:
            assert isinstance(current, Passport)
            newest = (
                Passport.objects.filter(pupil=pupil, withdrawn_at__isnull=True).order_by("-version").first()
            )
            if newest is not None and newest.pk != current.pk:
                raise ValidationError(
                    f"A newer version of this passport exists (version {newest.version}): share that one."
                )
            older = Sharing.objects.filter(pupil=pupil, kind=kind, stopped_at__isnull=True)
            if older.update(stopped_at=now, stopped_by_id=actor.user_id):
                changed.append("older_version_stopped")
        if kind is SharedKind.MEETING:
            assert isinstance(current, ParentMeeting)
            if current.shared_with_parents_on is None:
                current.shared_with_parents_on = timezone.localdate()
                current.save(update_fields=["shared_with_parents_on"])
                changed.append("shared_with_parents_on")
        sharing = Sharing.objects.create(
            pupil=pupil, school_id=pupil.school_id, kind=kind, record_id=record.pk, shared_by_id=actor.user_id
        )
        audit_record(
            actor=actor,
            action="sharing.start",
            target_type=target_type,
            target_id=record.pk,
            school_id=pupil.school_id,
            fields=changed,
        )
        _tell_parents_on_commit(pupil=pupil, base_url=base_url)
        return sharing


def record_unshare(*, actor: Actor, kind: SharedKind | str, record_id: uuid.UUID) -> Sharing:
    """Stop sharing a record with the parents: they no longer see it. The row stays as the record."""
    record, target_type = _shared_record(actor, kind, record_id)
    pupil: Pupil = record.pupil  # type: ignore[attr-defined]
    with transaction.atomic():
        _lock_pupil(pupil)
        sharing = (
            Sharing.objects.select_for_update()
            .filter(kind=SharedKind(kind), record_id=record.pk, stopped_at__isnull=True)
            .first()
        )
        if sharing is None:
            raise ValidationError("This is not shared with the parents.")
        sharing.stopped_at = timezone.now()
        sharing.stopped_by_id = actor.user_id
        sharing.save(update_fields=["stopped_at", "stopped_by"])
        audit_record(
            actor=actor,
            action="sharing.stop",
            target_type=target_type,
            target_id=record.pk,
            school_id=pupil.school_id,
            fields=["stopped_at", "stopped_by"],
        )
        return sharing


# ---------------------------------------------------------------- asking for views
def views_request_create(
    *,
    actor: Actor,
    pupil_id: uuid.UUID,
    purpose: str,
    reply_by: dt.date | None,
    questions: Sequence[str],
    plan_id: uuid.UUID | None = None,
    base_url: str | None = None,
) -> ViewsRequest:
    """Ask the pupil's parents for their views, before a review or a meeting. With `plan_id` (the pupil's
    open plan), the answers are shown on that plan's review page."""
    pupil = pupil_or_404(actor, pupil_id, Resource.PARENT_ACCESS, Action.ADD)
    with transaction.atomic():
        text = require_text(purpose=purpose)
        _too_long("purpose", text["purpose"], PURPOSE_LIMIT)
        if reply_by is None:
            raise ValidationError({"reply_by": "Enter the date you would like answers by."})
        if reply_by < timezone.localdate():
            raise ValidationError({"reply_by": "This date has passed: choose today or a later date."})
        try:
            asked = checked_questions(questions)
        except QuestionProblem as problem:
            raise ValidationError({"questions": str(problem)}) from problem
        plan = None
        if plan_id is not None:
            plan = SupportPlan.objects.filter(
                pk=plan_id, pupil=pupil, reviewed_on__isnull=True, withdrawn_at__isnull=True
            ).first()
            if plan is None:
                raise ValidationError({"plan": "This pupil's plan has been reviewed or withdrawn since."})
        if not ParentLink.objects.filter(pupil=pupil, ended_at__isnull=True).exists():
            raise ValidationError("No parent or carer is linked to this pupil yet: invite one first.")
        request = ViewsRequest.objects.create(
            pupil=pupil,
            school_id=pupil.school_id,
            plan=plan,
            purpose=text["purpose"],
            questions=asked,
            reply_by=reply_by,
            asked_by_id=actor.user_id,
        )
        audit_record(
            actor=actor,
            action="views_request.create",
            target_type="views_request",
            target_id=request.pk,
            school_id=pupil.school_id,
            fields=["purpose", "questions", "reply_by", *(["plan"] if plan else [])],
        )
        _tell_parents_on_commit(pupil=pupil, base_url=base_url)
        return request


def parent_views_give(*, actor: Actor, views_request_id: uuid.UUID, answers: Sequence[str]) -> ParentViews:
    """A parent's answers to the school's questions, once each: `answers` in the order of the questions.
    Questions left blank are not stored; at least one must be answered."""
    request = pupil_record_or_404(actor, ViewsRequest, views_request_id, Resource.FAMILY, Action.ADD)
    with transaction.atomic():
        if not views_request_is_open(request):
            raise ValidationError(
                f"The school asked for answers by {request.reply_by:%-d %B %Y}, so this has closed. "
                "You can ask for a meeting instead."
            )
        if ParentViews.objects.filter(request=request, given_by_id=actor.user_id).exists():
            raise ValidationError("You have already sent your answers to these questions. Thank you.")
        questions = [str(q) for q in request.questions]
        if len(answers) > len(questions):
            raise ValidationError("There are more answers than questions: open the page again.")
        given: list[dict[str, str]] = []
        for number, (question, answer) in enumerate(zip(questions, answers, strict=False)):
            text = (answer or "").strip()
            _too_long(f"answer_{number}", text, ANSWER_LIMIT)
            if text:
                given.append({"question": question, "answer": text})
        if not given:
            raise ValidationError("Answer at least one question, even briefly.")
        try:
            with transaction.atomic():
                views = ParentViews.objects.create(
                    request=request,
                    pupil_id=request.pupil_id,
                    school_id=request.school_id,
                    given_by_id=actor.user_id,
                    answers=given,
                )
        except IntegrityError as error:  # the same answers sent twice at the same moment
            raise ValidationError("You have already sent your answers to these questions.") from error
        audit_record(
            actor=actor,
            action="parent_views.give",
            target_type="parent_views",
            target_id=views.pk,
            school_id=request.school_id,
            fields=["answers"],
        )
        return views


# ---------------------------------------------------------------- meetings
def meeting_response_give(
    *, actor: Actor, meeting_id: uuid.UUID, agrees: bool, comment: str = ""
) -> MeetingResponse:
    """A parent says a shared meeting record is fair, or says what is not right (a comment is then needed).
    Once per parent per meeting."""
    meeting = shared_meeting_or_404(actor, meeting_id, Action.ADD)
    with transaction.atomic():
        text = (comment or "").strip()
        _too_long("comment", text, ANSWER_LIMIT)
        if not agrees and not text:
            raise ValidationError({"comment": "Tell the school what is not right, so they can put it right."})
        if MeetingResponse.objects.filter(meeting=meeting, parent_id=actor.user_id).exists():
            raise ValidationError("You have already answered about this meeting record. Thank you.")
        try:
            with transaction.atomic():
                response = MeetingResponse.objects.create(
                    meeting=meeting,
                    pupil_id=meeting.pupil_id,
                    school_id=meeting.school_id,
                    parent_id=actor.user_id,
                    agrees=agrees,
                    comment=text,
                )
        except IntegrityError as error:
            raise ValidationError("You have already answered about this meeting record.") from error
        audit_record(
            actor=actor,
            action="meeting_response.give",
            target_type="meeting_response",
            target_id=response.pk,
            school_id=meeting.school_id,
            fields=["agrees", *(["comment"] if text else [])],
        )
        return response


def meeting_request_create(
    *, actor: Actor, pupil_id: uuid.UUID, about: str, good_times: str = ""
) -> MeetingRequest:
    """A parent asks the school for a meeting about their child."""
    pupil = pupil_or_404(actor, pupil_id, Resource.FAMILY, Action.ADD)
    with transaction.atomic():
        text = require_text(about=about)
        _too_long("about", text["about"], ANSWER_LIMIT)
        times = (good_times or "").strip()
        _too_long("good_times", times, GOOD_TIMES_LIMIT)
        request = MeetingRequest.objects.create(
            pupil=pupil,
            school_id=pupil.school_id,
            parent_id=actor.user_id,
            about=text["about"],
            good_times=times,
        )
        audit_record(
            actor=actor,
            action="meeting_request.create",
            target_type="meeting_request",
            target_id=request.pk,
            school_id=pupil.school_id,
            fields=["about", *(["good_times"] if times else [])],
        )
        return request


def meeting_request_answered(*, actor: Actor, meeting_request_id: uuid.UUID) -> MeetingRequest:
    """Staff record that they have answered a parent's request for a meeting (by phone, letter or a date)."""
    found = pupil_record_or_404(actor, MeetingRequest, meeting_request_id, Resource.PARENT_ACCESS, Action.ADD)
    with transaction.atomic():
        request = MeetingRequest.objects.select_for_update().get(pk=found.pk)
        if request.answered_at is not None:
            raise ValidationError("This request was already marked as answered.")
        request.answered_at = timezone.now()
        request.answered_by_id = actor.user_id
        request.save(update_fields=["answered_at", "answered_by"])
        audit_record(
            actor=actor,
            action="meeting_request.answered",
            target_type="meeting_request",
            target_id=request.pk,
            school_id=request.school_id,
            fields=["answered_at", "answered_by"],
        )
        return request
