"""Reads for the staff who work with parents and carers (a pupil's parents page, the views on a plan's
review), and the small helpers the parent's own pages (family_selectors.py) share.

A parent's pages are built from small dataclasses holding only what a parent may read, so a staff-only
field (a plan's "do" notes and evidence, its progress figures, a progress note's evidence) never reaches
their templates. Every read starts from the access scopes (a parent reaches only their own children, and
only records staff share with them now), records an audit event, and runs a fixed number of queries
however many targets, meetings or requests there are.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import (
    pupil_or_404,
    pupil_records_in_scope,
)
from tandem.audit.services import audit_record
from tandem.parents.models import (
    MeetingRequest,
    MeetingResponse,
    ParentLink,
    ParentViews,
    SharedKind,
    Sharing,
    ViewsRequest,
)
from tandem.people.models import Pupil
from tandem.plans.models import ParentMeeting, SupportPlan
from tandem.register.models import Passport


def first_name(pupil: Pupil) -> str:
    """The name the family uses for the child: the preferred forename when the school has one."""
    return pupil.preferred_forename or pupil.legal_forename


def views_request_is_open(request: ViewsRequest, *, today: dt.date | None = None) -> bool:
    """Parents may still answer: not closed, and its date for answers not yet passed."""
    return request.closed_at is None and request.reply_by >= (today or timezone.localdate())


# ---------------------------------------------------------------- the staff's page
@dataclass(frozen=True)
class LinkRow:
    link: ParentLink
    status: str


@dataclass(frozen=True)
class ShareRow:
    kind: SharedKind
    record_id: uuid.UUID
    title: str
    url: str
    shared: bool
    share_url: str


@dataclass(frozen=True)
class AnswerRow:
    who: str
    when: dt.datetime
    agrees: bool
    comment: str


@dataclass(frozen=True)
class MeetingRow:
    share: ShareRow
    answers: list[AnswerRow]


@dataclass(frozen=True)
class GivenViews:
    who: str
    given_at: dt.datetime
    answers: list[dict[str, str]]


@dataclass(frozen=True)
class ViewsRow:
    request: ViewsRequest
    is_open: bool
    given: list[GivenViews]


@dataclass(frozen=True)
class RequestRow:
    request: MeetingRequest
    who: str


@dataclass(frozen=True)
class ParentsPage:
    pupil: Pupil
    links: list[LinkRow]
    plans: list[ShareRow]
    passport: ShareRow | None
    # When parents see an older version of the passport than the newest: that version's number.
    passport_shared_version: int | None
    meetings: list[MeetingRow]
    views_requests: list[ViewsRow]
    meeting_requests: list[RequestRow]
    has_open_link: bool = field(default=False)


def _link_status(link: ParentLink) -> str:
    if link.ended_at is not None:
        who = f" by {link.ended_by.full_name}" if link.ended_by else ""
        return f"Ended on {timezone.localtime(link.ended_at):%-d %B %Y}{who}"
    if link.user.last_login is not None:
        return "Has signed in"
    return "Invited: has not signed in yet"


def _who(names: dict[int, str], relationships: dict[int, str], user_id: int) -> str:
    name = names.get(user_id, "A parent or carer")
    relation = relationships.get(user_id)
    return f"{name} ({relation})" if relation else name


def _relationships(pupil_ids: list[uuid.UUID]) -> tuple[dict[int, str], dict[int, str]]:
    """Each linked person's name and relationship to the pupil (the newest link says it)."""
    names: dict[int, str] = {}
    relationships: dict[int, str] = {}
    for link in (
        ParentLink.objects.filter(pupil_id__in=pupil_ids).select_related("user").order_by("linked_at")
    ):
        names[link.user_id] = link.user.full_name
        relationships[link.user_id] = link.relationship
    return names, relationships


def parents_page(*, actor: Actor, pupil_id: uuid.UUID) -> ParentsPage:
    """The staff's page about a pupil's parents and carers: who is linked, what is shared with them, the
    views they gave, their answers to meeting records and the meetings they asked for."""
    pupil = pupil_or_404(actor, pupil_id, Resource.PARENT_ACCESS, Action.VIEW)
    links = list(
        ParentLink.objects.filter(pupil=pupil)
        .select_related("user", "linked_by", "ended_by")
        .order_by("ended_at", "linked_at", "id")
    )
    names = {link.user_id: link.user.full_name for link in links}
    relationships = {link.user_id: link.relationship for link in links}
    shared = set(
        Sharing.objects.filter(pupil=pupil, stopped_at__isnull=True).values_list("kind", "record_id")
    )

    def row(kind: SharedKind, record_id: uuid.UUID, title: str, url: str, share: str) -> ShareRow:
        return ShareRow(
            kind=kind,
            record_id=record_id,
            title=title,
            url=url,
            shared=(kind.value, record_id) in shared,
            share_url=reverse(share, args=[record_id]),
        )

    plans = [
        row(
            SharedKind.PLAN,
            plan.pk,
            f"Support plan, cycle {plan.cycle}"
            + (f" (reviewed {plan.reviewed_on:%-d %B %Y})" if plan.reviewed_on else " (current)"),
            reverse("plan_detail", args=[plan.pk]),
            "plan_share",
        )
        for plan in SupportPlan.objects.filter(pupil=pupil, withdrawn_at__isnull=True)
        .only("id", "cycle", "reviewed_on")
        .order_by("-cycle")
    ]
    passports = list(
        Passport.objects.filter(pupil=pupil, withdrawn_at__isnull=True)
        .only("id", "version")
        .order_by("-version")
    )
    passport = None
    passport_shared_version = None
    if passports:
        newest = passports[0]
        passport = row(
            SharedKind.PASSPORT,
            newest.pk,
            f"Pupil passport, version {newest.version} (the newest)",
            reverse("passport", args=[pupil.pk]),
            "passport_share",
        )
        older = [p.version for p in passports[1:] if (SharedKind.PASSPORT.value, p.pk) in shared]
        passport_shared_version = older[0] if older else None
    responses = MeetingResponse.objects.order_by("responded_at", "id")
    meetings = [
        MeetingRow(
            share=row(
                SharedKind.MEETING,
                m.pk,
                f"Meeting with parents, {m.held_on:%-d %B %Y}",
                reverse("meeting_detail", args=[m.pk]),
                "meeting_share",
            ),
            answers=[
                AnswerRow(
                    who=_who(names, relationships, r.parent_id),
                    when=r.responded_at,
                    agrees=r.agrees,
                    comment=r.comment,
                )
                for r in m.parent_responses.all()
            ],
        )
        for m in ParentMeeting.objects.filter(pupil=pupil, withdrawn_at__isnull=True)
        .only("id", "held_on", "created_at")
        .prefetch_related(Prefetch("parent_responses", queryset=responses))
        .order_by("-held_on", "-created_at")
    ]
    requests = (
        ViewsRequest.objects.filter(pupil=pupil)
        .select_related("asked_by", "plan")
        .prefetch_related(Prefetch("answers", queryset=ParentViews.objects.order_by("given_at", "id")))
        .order_by("-asked_at", "id")
    )
    views_rows = [
        ViewsRow(
            request=r,
            is_open=views_request_is_open(r),
            given=[
                GivenViews(
                    who=_who(names, relationships, a.given_by_id), given_at=a.given_at, answers=a.answers
                )
                for a in r.answers.all()
            ],
        )
        for r in requests
    ]
    asked = [
        RequestRow(request=r, who=_who(names, relationships, r.parent_id))
        for r in MeetingRequest.objects.filter(pupil=pupil)
        .select_related("answered_by")
        .order_by("answered_at", "-asked_at", "id")
    ]
    audit_record(
        actor=actor,
        action="parent_access.view",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
        fields=[
            "parent_links",
            "sharing",
            "views_requests",
            "parent_views",
            "meeting_responses",
            "meeting_requests",
        ],
    )
    return ParentsPage(
        pupil=pupil,
        links=[LinkRow(link=link, status=_link_status(link)) for link in links],
        plans=plans,
        passport=passport,
        passport_shared_version=passport_shared_version,
        meetings=meetings,
        views_requests=views_rows,
        meeting_requests=asked,
        has_open_link=any(link.ended_at is None for link in links),
    )


def current_plan(*, pupil: Pupil) -> SupportPlan | None:
    """The pupil's open plan, whose review a request for views can be for."""
    return (
        SupportPlan.objects.filter(pupil=pupil, reviewed_on__isnull=True, withdrawn_at__isnull=True)
        .only("id", "cycle", "review_on", "pupil_id")
        .first()
    )


# ---------------------------------------------------------------- on the plan's review page
@dataclass(frozen=True)
class ViewsForReview:
    purpose: str
    asked_on: dt.date
    reply_by: dt.date
    given: list[GivenViews]


def parent_views_for_plan(*, actor: Actor, plan_id: uuid.UUID) -> list[ViewsForReview]:
    """What parents told the school before this plan's review: the answers to each request for views made
    for the plan, with who gave them and when. Empty for a role that does not read them."""
    if not actor.can(Resource.PARENT_ACCESS, Action.VIEW):
        return []
    requests = list(
        pupil_records_in_scope(actor, ViewsRequest, Resource.PARENT_ACCESS, Action.VIEW)
        .filter(plan_id=plan_id)
        .prefetch_related(Prefetch("answers", queryset=ParentViews.objects.order_by("given_at", "id")))
        .order_by("asked_at", "id")
    )
    if not requests:
        return []
    names, relationships = _relationships(list({r.pupil_id for r in requests}))
    found = [
        ViewsForReview(
            purpose=r.purpose,
            asked_on=timezone.localtime(r.asked_at).date(),
            reply_by=r.reply_by,
            given=[
                GivenViews(
                    who=_who(names, relationships, a.given_by_id), given_at=a.given_at, answers=a.answers
                )
                for a in r.answers.all()
            ],
        )
        for r in requests
    ]
    audit_record(
        actor=actor,
        action="parent_views.view",
        target_type="support_plan",
        target_id=plan_id,
        school_id=requests[0].school_id,
        fields=["answers"],
    )
    return found
