from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tandem.access.actor import Actor
from tandem.access.decorators import allow
from tandem.access.policy import Resource
from tandem.access.request import choose_membership
from tandem.audit.selectors import audit_overview
from tandem.audit.services import audit_record
from tandem.dashboards.selectors import dashboard_tiles, progress_gaps, teacher_accountability
from tandem.exchange.selectors import import_records
from tandem.parents.family_selectors import family_home
from tandem.people.models import Role
from tandem.people.selectors import PupilFilters, pupil_list, teaching_group_list
from tandem.plans.to_do import to_do
from tandem.provision.selectors import groups_today
from tandem.register.selectors import ON_REGISTER, register_summary
from tandem.schools.selectors import school_roll_by_year, staff_counts, trust_schools_compared

HOME_TEMPLATES = {
    Role.TEACHER: "dashboards/home_teacher.html",
    Role.TEACHING_ASSISTANT: "dashboards/home_teacher.html",
    Role.SENCO: "dashboards/home_senco.html",
    Role.HEAD: "dashboards/home_head.html",
    Role.SCHOOL_ADMIN: "dashboards/home_admin.html",
    Role.TRUST_SEND_LEAD: "dashboards/home_trust.html",
    Role.TRUST_ADMIN: "dashboards/home_trust.html",
    Role.DPO: "dashboards/home_dpo.html",
    Role.TRUST_DPO: "dashboards/home_dpo.html",
    Role.PARENT: "parents/home.html",
}


def _dashboard(actor: Actor, year_group: int | None) -> dict[str, Any]:
    """The head's and the SENCo's figures at a glance: tiles, gaps over time, accountability by teacher."""
    return {
        "tiles": dashboard_tiles(actor=actor),
        "gaps": progress_gaps(actor=actor, year_group=year_group),
        "accountability": teacher_accountability(actor=actor),
    }


def _year_group(request: HttpRequest) -> int | None:
    """The chart's year-group choice from the URL; anything else means every year group."""
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return None


def _home_context(actor: Actor, *, year_group: int | None = None) -> dict[str, Any]:
    role = Role(actor.role)
    if role in (Role.TEACHER, Role.TEACHING_ASSISTANT):
        sen_pupils = pupil_list(actor=actor, filters=PupilFilters()).filter(provision__in=ON_REGISTER)
        return {
            "groups": teaching_group_list(actor=actor),
            "sen_pupils": sen_pupils,
            "to_do": to_do(actor=actor),
            "groups_today": groups_today(actor=actor),
        }
    if role is Role.SENCO:
        return {"summary": register_summary(actor=actor), **_dashboard(actor, year_group)}
    if role is Role.HEAD:
        return {
            **_dashboard(actor, year_group),
            "summary": register_summary(actor=actor),
            "years": school_roll_by_year(actor=actor),
            "staff": staff_counts(actor=actor),
        }
    if role is Role.SCHOOL_ADMIN:
        return {
            "staff": staff_counts(actor=actor),
            "roles": dict(Role.choices),
            "imports": import_records(actor=actor)[:5],
        }
    if role is Role.PARENT:
        return {"family": family_home(actor=actor)}
    if role in (Role.DPO, Role.TRUST_DPO):
        return {
            "overview": audit_overview(actor=actor),
            "tally_limit": settings.TANDEM_AUDIT_DENIED_ROWS_PER_HOUR,
        }
    return {"compared": trust_schools_compared(actor=actor)}


@allow(Resource.HOME)
def home_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    context = _home_context(actor, year_group=_year_group(request))
    if actor.can(Resource.SEN_RECORD) and Role(actor.role) is not Role.SCHOOL_ADMIN:
        audit_record(
            actor=actor,
            action="home.view",
            target_type="school" if actor.school_id else "trust",
            target_id=actor.school_id or actor.trust_id or "",
            # The head's and SENCo's home also shows progress gaps and each teacher's outstanding records.
            fields=["sen_summary", *(["progress_gaps", "accountability"] if "gaps" in context else [])],
        )
    return render(request, HOME_TEMPLATES[Role(actor.role)], context)


@require_POST
@allow(Resource.HOME)
def switch_role_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        membership_id = int(request.POST.get("membership", ""))
    except ValueError as error:
        raise Http404 from error
    if membership_id not in {m.pk for m in actor.memberships}:
        raise Http404
    choose_membership(request, membership_id)
    return redirect("home")
