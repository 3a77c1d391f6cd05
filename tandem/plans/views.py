"""Pages for the graduated approach: the pupil's support record, plans, targets, reviews, meetings,
the teacher's to-do list and the SENCo's compliance view. Thin: parse, call one service or selector, render.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from django import forms
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_record_or_404
from tandem.core.forms import FormPage, OwnerForm, form_flow
from tandem.exchange.parent_pdf import meeting_pdf, plan_pdf
from tandem.parents.selectors import parent_views_for_plan
from tandem.people.forms import accountable_teacher_field
from tandem.people.models import Pupil
from tandem.plans.forms import (
    DoNoteForm,
    MeetingForm,
    PlanForm,
    ReviewForm,
    TargetForm,
    TargetProgressForm,
    add_review_text,
)
from tandem.plans.models import ParentMeeting, SupportPlan, Target, TargetProgress
from tandem.plans.selectors import (
    compliance_view,
    intervention_choices,
    meeting_detail,
    meeting_leaders,
    plan_detail,
    pupil_timeline,
    supporter_choices,
)
from tandem.plans.services import (
    REVIEW_TEXT,
    MeetingFields,
    PlanFields,
    ReviewFields,
    TargetFields,
    meeting_correct,
    meeting_give_to_parents,
    meeting_record,
    meeting_withdraw,
    plan_correct,
    plan_create,
    plan_do_record,
    plan_give_to_parents,
    plan_owner_change,
    plan_review,
    plan_withdraw,
    target_add,
    target_correct,
    target_owner_change,
    target_progress_correct,
    target_progress_record,
    target_progress_withdraw,
    target_withdraw,
)
from tandem.plans.to_do import to_do
from tandem.progress.models import FirstResponse
from tandem.progress.selectors import progress_snapshot
from tandem.progress.services import first_response_owner_change
from tandem.pupil_voice.selectors import about_me_latest
from tandem.revisions.forms import add_correction_fields, correction_data
from tandem.revisions.kinds import MEETING, PLAN, TARGET, TARGET_PROGRESS, RecordKind
from tandem.revisions.selectors import record_version_number
from tandem.revisions.views import correction_page, withdraw_page


@allow(Resource.SEN_RECORD)
def pupil_timeline_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    timeline = pupil_timeline(actor=actor, pupil_id=pupil_id)
    can = {
        "concern": actor.can(Resource.CONCERN, Action.ADD),
        "first_response": actor.can(Resource.FIRST_RESPONSE, Action.MANAGE),
        "sen_support": actor.can(Resource.SEN_RECORD, Action.MANAGE),
        "plan": actor.can(Resource.SUPPORT_PLAN, Action.MANAGE),
        "meeting": actor.can(Resource.PARENT_MEETING, Action.MANAGE),
        "passport": actor.can(Resource.PASSPORT),
    }
    return render(request, "plans/timeline.html", {"timeline": timeline, "pupil": timeline.pupil, "can": can})


def _evidence_from(snapshot: list[dict[str, object]]) -> str:
    # Each line is worded by the stored flag (progress_snapshot), so the evidence cannot contradict it.
    return "\n".join(str(row["evidence"]) for row in snapshot)


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.MANAGE)
def plan_new_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    today = timezone.localdate()
    snapshot = progress_snapshot(actor=actor, pupil_id=pupil.pk) if actor.can(Resource.PROGRESS) else []
    # Assess starts from the pupil's own words (Code 6.45): their newest "about me", shown and quoted.
    about_me = about_me_latest(actor=actor, pupil_id=pupil.pk) if actor.can(Resource.PUPIL_VIEWS) else None
    initial = {"starts_on": today, "evidence": _evidence_from(snapshot)}
    if about_me is not None:
        initial["pupil_views"] = about_me.as_plan_text()
    form = PlanForm(
        request.POST or None, interventions=intervention_choices(school_id=pupil.school_id), initial=initial
    )
    form.fields["accountable_teacher"] = accountable_teacher_field(pupil=pupil)
    if about_me is not None:
        views_field = form.fields["pupil_views"]
        views_field.help_text = f'Filled in from "About me" above; edit freely. {views_field.help_text}'

    def save() -> SupportPlan:
        data = dict(form.cleaned_data)
        teacher_id = data.pop("accountable_teacher")
        return plan_create(
            actor=actor, pupil_id=pupil.pk, fields=PlanFields(accountable_teacher_id=teacher_id, **data)
        )

    return form_flow(
        request,
        form,
        save=save,
        success="Plan saved. Now add its SMART targets.",
        next_url=lambda plan: reverse("plan_detail", args=[plan.pk]),
        page=FormPage(
            pupil=pupil,
            heading="Write a support plan",
            intro="Assess, then plan: agree the support, its expected impact and a clear review date "
            "with the parents and the pupil (Code 6.45 to 6.48).",
            submit_label="Save plan",
            cancel_url=reverse("pupil_timeline", args=[pupil.pk]),
            extra={"aside_template": "pupil_voice/_told_us.html", "about_me": about_me} if about_me else {},
        ),
    )


@allow(Resource.SUPPORT_PLAN)
def plan_detail_view(request: HttpRequest, actor: Actor, plan_id: uuid.UUID) -> HttpResponse:
    detail = plan_detail(actor=actor, plan_id=plan_id)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "detail": detail,
            "plan": detail.plan,
            "pupil": detail.plan.pupil,
            "can_manage": actor.can(Resource.SUPPORT_PLAN, Action.MANAGE),
            "can_add": actor.can(Resource.SUPPORT_PLAN, Action.ADD),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.MANAGE)
def target_new_view(request: HttpRequest, actor: Actor, plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    form = TargetForm(
        request.POST or None,
        supporters=supporter_choices(pupil=plan.pupil),
        initial={"due_on": plan.review_on},
    )
    form.fields["accountable_teacher"] = accountable_teacher_field(pupil=plan.pupil)
    form.order_fields([*[f for f in form.fields if f != "advice_checked"], "advice_checked"])

    def save() -> Target:
        data = dict(form.cleaned_data)
        teacher_id = data.pop("accountable_teacher")
        return target_add(
            actor=actor, plan_id=plan.pk, fields=TargetFields(accountable_teacher_id=teacher_id, **data)
        )

    return form_flow(
        request,
        form,
        save=save,
        success="Target added: it passed the SMART check.",
        next_url=lambda target: reverse("plan_detail", args=[plan.pk]),
        page=FormPage(
            pupil=plan.pupil,
            heading="Add a SMART target",
            intro=f"Specific, measurable, achievable, realistic and time-bound. The plan is reviewed on "
            f"{plan.review_on:%d %B %Y}: set the deadline on or before that date.",
            submit_label="Check and add target",
            cancel_url=reverse("plan_detail", args=[plan.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.ADD)
def target_progress_view(request: HttpRequest, actor: Actor, target_id: uuid.UUID) -> HttpResponse:
    target = pupil_record_or_404(actor, Target, target_id, Resource.SUPPORT_PLAN, Action.ADD)
    form = TargetProgressForm(request.POST or None, initial={"recorded_on": timezone.localdate()})

    return form_flow(
        request,
        form,
        save=lambda: target_progress_record(actor=actor, target_id=target.pk, **form.cleaned_data),
        success="Progress recorded.",
        next_url=lambda _: reverse("plan_detail", args=[target.plan_id]),
        page=FormPage(
            pupil=target.pupil,
            heading="Record progress on a target",
            intro=f"Target: {target.skill}. Met when: {target.success_criterion}",
            submit_label="Save progress",
            cancel_url=reverse("plan_detail", args=[target.plan_id]),
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.ADD)
def plan_do_view(request: HttpRequest, actor: Actor, plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.ADD)
    form = DoNoteForm(request.POST or None)
    return form_flow(
        request,
        form,
        save=lambda: plan_do_record(actor=actor, plan_id=plan.pk, **form.cleaned_data),
        next_url=lambda saved: reverse("plan_detail", args=[saved.pk]),
        page=FormPage(
            pupil=plan.pupil,
            heading="Add to the Do record",
            intro="What happened in class and in support: the teacher keeps daily responsibility "
            "(Code 6.52).",
            submit_label="Add note",
            cancel_url=reverse("plan_detail", args=[plan.pk]),
        ),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.MANAGE)
def plan_review_view(request: HttpRequest, actor: Actor, plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    today = timezone.localdate()
    form = ReviewForm(
        request.POST or None,
        targets=list(plan.targets.order_by("due_on", "created_at")),
        initial={"reviewed_on": today, "next_review_on": today + dt.timedelta(weeks=12)},
    )

    def save() -> SupportPlan | None:
        data = form.cleaned_data
        return plan_review(
            actor=actor,
            plan_id=plan.pk,
            fields=ReviewFields(
                reviewed_on=data["reviewed_on"],
                summary=data["summary"],
                pupil_views=data["pupil_views"],
                parent_views=data["parent_views"],
                target_outcomes=form.target_outcomes(),
                next_step=data["next_step"],
                next_review_on=data["next_review_on"],
            ),
        )

    return form_flow(
        request,
        form,
        save=save,
        success=lambda following: (
            "Review saved. SEN support has ended."
            if following is None
            else f"Review saved. Cycle {following.cycle} is open: update it with the parents."
        ),
        next_url=lambda following: (
            reverse("pupil_timeline", args=[plan.pupil_id])
            if following is None
            else reverse("plan_detail", args=[following.pk])
        ),
        page=FormPage(
            pupil=plan.pupil,
            heading=f"Review support plan cycle {plan.cycle}",
            intro="Review the impact and quality of the support with the pupil and parents, and decide "
            "the next step (Code 6.54 to 6.56).",
            submit_label="Save review",
            cancel_url=reverse("plan_detail", args=[plan.pk]),
            # What the parents said when asked for their views before this review (tandem.parents).
            extra={
                "aside_template": "parents/_views_for_review.html",
                "parent_views_given": parent_views_for_plan(actor=actor, plan_id=plan.pk),
            },
        ),
    )


@allow(Resource.SUPPORT_PLAN)
def plan_pdf_view(request: HttpRequest, actor: Actor, plan_id: uuid.UUID) -> HttpResponse:
    document = plan_pdf(plan_give_to_parents(actor=actor, plan_id=plan_id))
    return _pdf(document, "support-plan.pdf")


@require_http_methods(["GET", "POST"])
@allow(Resource.PARENT_MEETING, Action.MANAGE)
def meeting_new_view(request: HttpRequest, actor: Actor, pupil_id: uuid.UUID) -> HttpResponse:
    pupil = pupil_or_404(actor, pupil_id, Resource.PARENT_MEETING, Action.MANAGE)
    form = MeetingForm(
        request.POST or None,
        leaders=meeting_leaders(pupil=pupil),
        initial={"held_on": timezone.localdate(), "led_by": actor.user_id},
    )

    def save() -> ParentMeeting:
        data = dict(form.cleaned_data)
        led_by = data.pop("led_by")
        return meeting_record(actor=actor, pupil_id=pupil.pk, fields=MeetingFields(led_by_id=led_by, **data))

    return form_flow(
        request,
        form,
        save=save,
        success="Meeting recorded. Print the record for the parents from its page.",
        next_url=lambda meeting: reverse("meeting_detail", args=[meeting.pk]),
        page=FormPage(
            pupil=pupil,
            heading="Record a meeting with parents",
            intro="Meet parents at least three times a year while their child is on SEN support; the "
            "record is shared with staff and given to the parents (Code 6.65 to 6.71).",
            submit_label="Save meeting",
            cancel_url=reverse("pupil_timeline", args=[pupil.pk]),
        ),
    )


@allow(Resource.PARENT_MEETING)
def meeting_detail_view(request: HttpRequest, actor: Actor, meeting_id: uuid.UUID) -> HttpResponse:
    detail = meeting_detail(actor=actor, meeting_id=meeting_id)
    context = {
        "detail": detail,
        "meeting": detail.meeting,
        "pupil": detail.meeting.pupil,
        "can_manage": actor.can(Resource.PARENT_MEETING, Action.MANAGE),
    }
    return render(request, "plans/meeting_detail.html", context)


@allow(Resource.PARENT_MEETING)
def meeting_pdf_view(request: HttpRequest, actor: Actor, meeting_id: uuid.UUID) -> HttpResponse:
    document = meeting_pdf(meeting_give_to_parents(actor=actor, meeting_id=meeting_id))
    return _pdf(document, "meeting-record.pdf")


def _pdf(document: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # A parent document holds SEN details: never keep it in a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@allow(Resource.HOME)
def to_do_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    context = {"items": to_do(actor=actor), "by_pupil": request.GET.get("by") == "pupil"}
    return render(request, "plans/to_do.html", context)


@allow(Resource.COMPLIANCE)
def compliance_page_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "plans/compliance.html", {"c": compliance_view(actor=actor)})


def owner_change_page(
    request: HttpRequest,
    *,
    pupil: Pupil,
    current: str,
    change: Callable[[int | None], object],
    back: str,
) -> HttpResponse:
    """Choose a new accountable teacher for one open record; shared by plans, targets and first responses."""
    form = OwnerForm(request.POST or None)
    form.fields["accountable_teacher"] = accountable_teacher_field(
        pupil=pupil, label="New accountable teacher"
    )

    return form_flow(
        request,
        form,
        save=lambda: change(form.cleaned_data["accountable_teacher"]),
        success="The accountable teacher has been changed.",
        next_url=lambda _: back,
        page=FormPage(
            pupil=pupil,
            heading="Choose a new accountable teacher",
            intro=f"Now: {current}. Choose a teacher who teaches {pupil.display_name} now.",
            submit_label="Change accountable teacher",
            cancel_url=back,
        ),
        repeats_by_typing=False,
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.MANAGE)
def plan_owner_view(request: HttpRequest, actor: Actor, plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    return owner_change_page(
        request,
        pupil=plan.pupil,
        current=plan.accountable_teacher.full_name,
        change=lambda teacher_id: plan_owner_change(actor=actor, plan_id=plan.pk, teacher_id=teacher_id),
        back=reverse("plan_detail", args=[plan.pk]),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.MANAGE)
def target_owner_view(request: HttpRequest, actor: Actor, target_id: uuid.UUID) -> HttpResponse:
    target = pupil_record_or_404(actor, Target, target_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    return owner_change_page(
        request,
        pupil=target.pupil,
        current=target.accountable_teacher.full_name,
        change=lambda teacher_id: target_owner_change(
            actor=actor, target_id=target.pk, teacher_id=teacher_id
        ),
        back=reverse("plan_detail", args=[target.plan_id]),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.FIRST_RESPONSE, Action.MANAGE)
def first_response_owner_view(request: HttpRequest, actor: Actor, response_id: uuid.UUID) -> HttpResponse:
    response = pupil_record_or_404(actor, FirstResponse, response_id, Resource.FIRST_RESPONSE, Action.MANAGE)
    return owner_change_page(
        request,
        pupil=response.pupil,
        current=response.accountable_teacher.full_name,
        change=lambda teacher_id: first_response_owner_change(
            actor=actor, response_id=response.pk, teacher_id=teacher_id
        ),
        back=reverse("first_response_detail", args=[response.pk]),
    )


# ---------------------------------------------------------------- corrections and withdrawals
def _version(kind: RecordKind, record: Model) -> int:
    return record_version_number(record_type=kind.record_type, record_id=record.pk)


def _initial(form_class: type[forms.Form], record: Model) -> dict[str, object]:
    return {name: getattr(record, name) for name in form_class.base_fields if hasattr(record, name)}


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.MANAGE)
def plan_edit_view(request: HttpRequest, actor: Actor, plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    chosen = [str(pk) for pk in plan.catalogue_interventions.values_list("pk", flat=True)]
    form = PlanForm(
        request.POST or None,
        interventions=intervention_choices(school_id=plan.school_id, keep=chosen),
        initial={**_initial(PlanForm, plan), "intervention_ids": chosen},
    )
    if plan.reviewed_on is not None:
        add_review_text(form)
        form.initial.update({name: getattr(plan, name) for name in REVIEW_TEXT})
    add_correction_fields(form, version=_version(PLAN, plan))

    def save() -> SupportPlan:
        data, version, reason = correction_data(form)
        return plan_correct(actor=actor, plan_id=plan.pk, version=version, values=data, reason=reason)

    back = reverse("plan_detail", args=[plan.pk])
    return correction_page(
        request,
        form,
        pupil=plan.pupil,
        heading=f"Correct support plan cycle {plan.cycle}",
        save=save,
        back=back,
        success="Plan corrected. If the parents have a copy, give them the new version.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.MANAGE)
def plan_withdraw_view(request: HttpRequest, actor: Actor, plan_id: uuid.UUID) -> HttpResponse:
    plan = pupil_record_or_404(actor, SupportPlan, plan_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=plan.pupil,
        what=f"support plan cycle {plan.cycle}",
        version=_version(PLAN, plan),
        withdraw=lambda version, reason: plan_withdraw(
            actor=actor, plan_id=plan.pk, version=version, reason=reason
        ),
        back=reverse("plan_detail", args=[plan.pk]),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.MANAGE)
def target_edit_view(request: HttpRequest, actor: Actor, target_id: uuid.UUID) -> HttpResponse:
    target = pupil_record_or_404(actor, Target, target_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    chosen = list(target.supporting_staff.values_list("pk", flat=True))
    form = TargetForm(
        request.POST or None,
        supporters=supporter_choices(pupil=target.pupil, keep=chosen),
        initial={**_initial(TargetForm, target), "supporter_ids": chosen},
    )
    add_correction_fields(form, version=_version(TARGET, target))
    form.order_fields([*[f for f in form.fields if f not in ("advice_checked", "reason")], "advice_checked"])

    def save() -> Target:
        data, version, reason = correction_data(form)
        fields = TargetFields(accountable_teacher_id=target.accountable_teacher_id, **data)
        return target_correct(actor=actor, target_id=target.pk, version=version, fields=fields, reason=reason)

    back = reverse("plan_detail", args=[target.plan_id])
    return correction_page(
        request,
        form,
        pupil=target.pupil,
        heading="Correct a SMART target",
        save=save,
        back=back,
        success="Target corrected: it passed the SMART check.",
        submit_label="Check and save correction",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.MANAGE)
def target_withdraw_view(request: HttpRequest, actor: Actor, target_id: uuid.UUID) -> HttpResponse:
    target = pupil_record_or_404(actor, Target, target_id, Resource.SUPPORT_PLAN, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=target.pupil,
        what="a target",
        version=_version(TARGET, target),
        withdraw=lambda version, reason: target_withdraw(
            actor=actor, target_id=target.pk, version=version, reason=reason
        ),
        back=reverse("plan_detail", args=[target.plan_id]),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.ADD)
def target_progress_edit_view(request: HttpRequest, actor: Actor, progress_id: uuid.UUID) -> HttpResponse:
    entry = pupil_record_or_404(actor, TargetProgress, progress_id, Resource.SUPPORT_PLAN, Action.ADD)
    form = TargetProgressForm(request.POST or None, initial=_initial(TargetProgressForm, entry))
    add_correction_fields(form, version=_version(TARGET_PROGRESS, entry))

    def save() -> TargetProgress:
        data, version, reason = correction_data(form)
        return target_progress_correct(
            actor=actor, progress_id=entry.pk, version=version, reason=reason, **data
        )

    back = reverse("plan_detail", args=[entry.target.plan_id])
    return correction_page(
        request,
        form,
        pupil=entry.pupil,
        heading="Correct recorded progress",
        save=save,
        back=back,
        success="Progress corrected.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.SUPPORT_PLAN, Action.ADD)
def target_progress_withdraw_view(request: HttpRequest, actor: Actor, progress_id: uuid.UUID) -> HttpResponse:
    entry = pupil_record_or_404(actor, TargetProgress, progress_id, Resource.SUPPORT_PLAN, Action.ADD)
    return withdraw_page(
        request,
        pupil=entry.pupil,
        what=f"the progress recorded on {entry.recorded_on:%-d %B %Y}",
        version=_version(TARGET_PROGRESS, entry),
        withdraw=lambda version, reason: target_progress_withdraw(
            actor=actor, progress_id=entry.pk, version=version, reason=reason
        ),
        back=reverse("plan_detail", args=[entry.target.plan_id]),
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.PARENT_MEETING, Action.MANAGE)
def meeting_edit_view(request: HttpRequest, actor: Actor, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = pupil_record_or_404(actor, ParentMeeting, meeting_id, Resource.PARENT_MEETING, Action.MANAGE)
    leaders = meeting_leaders(pupil=meeting.pupil)
    if meeting.led_by_id not in dict(leaders):  # they led it then, even if they no longer teach the pupil
        leaders.append((meeting.led_by_id, meeting.led_by.full_name))
    initial = {**_initial(MeetingForm, meeting), "led_by": meeting.led_by_id}
    form = MeetingForm(request.POST or None, leaders=leaders, initial=initial)
    add_correction_fields(form, version=_version(MEETING, meeting))

    def save() -> ParentMeeting:
        data, version, reason = correction_data(form)
        fields = MeetingFields(led_by_id=data.pop("led_by"), **data)
        return meeting_correct(
            actor=actor, meeting_id=meeting.pk, version=version, fields=fields, reason=reason
        )

    back = reverse("meeting_detail", args=[meeting.pk])
    return correction_page(
        request,
        form,
        pupil=meeting.pupil,
        heading=f"Correct the record of the meeting on {meeting.held_on:%-d %B %Y}",
        save=save,
        back=back,
        success="Meeting record corrected. If the parents have a copy, give them the new version.",
    )


@require_http_methods(["GET", "POST"])
@allow(Resource.PARENT_MEETING, Action.MANAGE)
def meeting_withdraw_view(request: HttpRequest, actor: Actor, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = pupil_record_or_404(actor, ParentMeeting, meeting_id, Resource.PARENT_MEETING, Action.MANAGE)
    return withdraw_page(
        request,
        pupil=meeting.pupil,
        what=f"the record of the meeting on {meeting.held_on:%-d %B %Y}",
        version=_version(MEETING, meeting),
        withdraw=lambda version, reason: meeting_withdraw(
            actor=actor, meeting_id=meeting.pk, version=version, reason=reason
        ),
        back=reverse("meeting_detail", args=[meeting.pk]),
    )
