"""Walks every URL for every persona and checks the answer against tandem/access/policy.py.

allowed and in scope -> 200 (302 for a form post); out of scope -> 404 with the same body as a
missing record; anonymous -> redirect to sign in. A URL whose view declares no policy fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tandem.access.policy import (
    PUBLIC_URL_NAMES,
    SIGN_IN_LIBRARY_MODULE,
    SUPERUSER_URL_NAMESPACES,
    Scope,
    scope_for,
)
from tests import factories as f
from tests.conftest import World, build_world


@pytest.fixture(scope="module")
def _shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The schools and their people, built once for the thousands of cases below and rolled back after the
    module; what each case adds (the records behind its URL, the audit events of its requests) is rolled
    back after that case, as in any other test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_shared_world: World, db: None) -> World:
    return _shared_world


PERSONA_ROLES = {
    "teacher": "teacher",
    "ta": "teaching_assistant",
    "senco": "senco",
    "head": "head",
    "admin": "school_admin",
    "dpo": "dpo",
    "parent": "parent",
}
TRUST_PERSONA_ROLES = {
    "trust_lead": "trust_send_lead",
    "trust_admin": "trust_admin",
    "trust_dpo": "trust_dpo",
}
PERSONAS = [f"{school}_{role}" for school in "ab" for role in PERSONA_ROLES] + list(TRUST_PERSONA_ROLES)
POST_ONLY = {
    "switch_role",
    "staff_remove",
    "invitation_resend",
    "invitation_revoke",
    "second_factors_reset",
    "two_factor_policy",
    "passport_read",
    "log_acknowledge",
    "logs_acknowledge",
    "import_columns",
    "import_apply",
    "import_discard",
    "role_remove",
    "role_approve",
    "role_reject",
    "analysis_request",
    "export_prepare",
    "subject_access_export",
    "legal_hold_release",
    # Parents and carers (tandem.parents): the staff's buttons.
    "parent_link_end",
    "plan_share",
    "passport_share",
    "meeting_share",
    "meeting_request_answered",
    # School documents (tandem.documents): a draft's buttons.
    "document_version_refresh",
    "document_version_publish",
    "document_version_revise",
}


def _walk(
    patterns: list[Any], namespace: str = "", library: bool = False
) -> Iterator[tuple[str, URLPattern, bool]]:
    """(namespace, pattern, whether it comes from the sign-in library's own URL modules)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            module = entry.urlconf_name if isinstance(entry.urlconf_name, str) else entry.urlconf_module
            name = module if isinstance(module, str) else getattr(module, "__name__", "")
            from_library = library or name.startswith(SIGN_IN_LIBRARY_MODULE)
            yield from _walk(entry.url_patterns, entry.namespace or namespace, from_library)
        else:
            yield namespace, entry, library


def tandem_urls() -> list[URLPattern]:
    """Tandem's own URLs: not Django's admin, nor the sign-in library's pages about the signed-in person."""
    return [
        p
        for ns, p, library in _walk(get_resolver().url_patterns)
        if ns not in SUPERUSER_URL_NAMESPACES and not library
    ]


def _role_of(persona: str) -> str:
    if persona.startswith("trust_"):
        return TRUST_PERSONA_ROLES[persona]
    return PERSONA_ROLES[persona.split("_", 1)[1]]


def _school_of(world: World, persona: str):
    return world.a if persona.startswith(("a_", "trust_")) else world.b


def _other_school(world: World, persona: str):
    return world.b if persona.startswith(("a_", "trust_")) else world.a


# Scopes narrower than the school: each URL is also tried with a record at the persona's own school that is
# out of their reach (a pupil they do not teach; for a parent, another family's child).
NARROW_SCOPES = (Scope.OWN, Scope.SUPPORTED, Scope.CHILD)


# For each URL argument: (an object the persona may reach if the role allows, one it may not, a missing one).
def _pupil_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    mine, other = _school_of(world, persona), _other_school(world, persona)
    out = [other.taught_pupil.pk]
    if scope in NARROW_SCOPES:
        # For a parent, another family's child at the same school.
        out.append(mine.untaught_pupil.pk)
    return mine.taught_pupil.pk, out, world.missing_id


def _group_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    mine, other = _school_of(world, persona), _other_school(world, persona)
    out = [other.group.pk]
    if scope in (Scope.OWN, Scope.SUPPORTED):
        out.append(mine.other_group.pk)
    return mine.group.pk, out, world.missing_id


def _membership_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    mine, other = _school_of(world, persona), _other_school(world, persona)
    return (
        mine.teacher.memberships.get().pk,
        [other.teacher.memberships.get().pk],
        987654321,
    )


def _records_for(maker: Callable[[Any], Any]) -> Callable[[World, str, Scope], tuple[Any, list[Any], Any]]:
    """A record about the persona's taught pupil, one about another school's, one about an untaught pupil."""

    def build(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
        mine, other = _school_of(world, persona), _other_school(world, persona)
        out = [maker(other.taught_pupil).pk]
        if scope in NARROW_SCOPES:
            out.append(maker(mine.untaught_pupil).pk)
        return maker(mine.taught_pupil).pk, out, world.missing_id

    return build


def _intervention_groups(world: World, persona: str) -> tuple[Any, Any, Any]:
    """A group at the persona's school run by its TA, with the taught pupil placed (their teacher
    accountable); one there run by the SENCo with only the untaught pupil; one at the other school."""
    mine, other = _school_of(world, persona), _other_school(world, persona)

    def run_by_ta(school: Any) -> Any:
        group = f.make_intervention_group(deliverer=school.ta)
        f.make_placement(group=group, pupil=school.taught_pupil, teacher=school.teacher)
        return group

    elsewhere = f.make_intervention_group(deliverer=mine.senco)
    f.make_placement(group=elsewhere, pupil=mine.untaught_pupil)
    return run_by_ta(mine), elsewhere, run_by_ta(other)


def _group_records(pick: Callable[[Any], Any]) -> Callable[[World, str, Scope], tuple[Any, list[Any], Any]]:
    def build(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
        mine, elsewhere, other = _intervention_groups(world, persona)
        out = [pick(other).pk]
        if scope in (Scope.OWN, Scope.SUPPORTED):
            out.append(pick(elsewhere).pk)
        return pick(mine).pk, out, world.missing_id

    return build


def _own_log_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    """A session log the persona delivered (the SENCo's: one their TA delivered, as the SENCo corrects any);
    one at the school that someone else delivered, for those who correct only their own; one elsewhere."""
    mine, other = _school_of(world, persona), _other_school(world, persona)
    user = world.persona(persona)

    def log(place: Any, deliverer: Any) -> Any:
        group = f.make_intervention_group(deliverer=deliverer)
        f.make_placement(group=group, pupil=place.taught_pupil, teacher=place.teacher)
        return f.make_session_log(group=group).pk

    delivers = user if _role_of(persona) in ("teacher", "teaching_assistant") else mine.ta
    out = [log(other, other.ta)]
    if scope in (Scope.OWN, Scope.SUPPORTED):
        # The teacher is accountable for the pupil, so sees this log, but did not deliver it.
        out.append(log(mine, mine.senco if delivers == mine.ta else mine.ta))
    return log(mine, delivers), out, world.missing_id


def _intervention_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    mine, other = _school_of(world, persona), _other_school(world, persona)
    return f.make_intervention(mine.school).pk, [f.make_intervention(other.school).pk], world.missing_id


def _import_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    mine, other = _school_of(world, persona), _other_school(world, persona)
    return f.make_import(mine.school).pk, [f.make_import(other.school).pk], world.missing_id


def _invitation_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    mine, other = _school_of(world, persona), _other_school(world, persona)
    return f.make_invitation(mine.school).pk, [f.make_invitation(other.school).pk], world.missing_id


def _user_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    mine, other = _school_of(world, persona), _other_school(world, persona)
    return mine.teacher.pk, [other.teacher.pk], 987654321


def _proposal_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    """An open request (from a staff import) for the SENCo role at the persona's school, one at the other."""
    from tandem.people.models import RoleProposal

    def proposal(place: Any) -> Any:
        person = f.make_user(email=f"proposed{RoleProposal.objects.count()}@test.example")
        return RoleProposal.objects.create(
            user=person, school=place.school, role="senco", proposed_by=place.admin
        )

    mine, other = _school_of(world, persona), _other_school(world, persona)
    return proposal(mine).pk, [proposal(other).pk], 987654321


def _analysis_job_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    from tandem.jobs.models import Job

    mine, other = _school_of(world, persona), _other_school(world, persona)

    def job(place: Any) -> Any:
        return Job.objects.create(kind="analysis", school=place.school)

    return job(mine).pk, [job(other).pk], world.missing_id


def _download_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    """A download the persona asked for; a colleague's at the same school and one at another school."""
    import datetime as dt

    from django.utils import timezone

    from tandem.exchange.downloads import DOWNLOAD_JOB
    from tandem.exchange.models import PreparedDownload
    from tandem.jobs.models import Job, JobStatus

    mine, other = _school_of(world, persona), _other_school(world, persona)

    def job(user: Any, school: Any) -> Any:
        made = Job.objects.create(
            kind=DOWNLOAD_JOB,
            school=school,
            requested_by=user,
            membership=user.memberships.first(),
            arguments={"what": "pupils", "format": "csv"},
            status=JobStatus.DONE,
        )
        PreparedDownload.objects.create(
            job=made,
            school=school,
            requested_by=user,
            file_name="pupils.csv",
            content_type="text/csv",
            content=b"UPN\n",
            rows=0,
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
        return made

    colleague = mine.senco if persona != f"{persona[0]}_senco" else mine.teacher
    return (
        job(world.persona(persona), mine.school).pk,
        [job(colleague, mine.school).pk, job(other.senco, other.school).pk],
        world.missing_id,
    )


def _subject_access_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    import datetime as dt

    from tandem.subject_access.models import SubjectAccessRequest

    mine, other = _school_of(world, persona), _other_school(world, persona)

    def request(place: Any) -> Any:
        return SubjectAccessRequest.objects.create(
            school=place.school,
            pupil=place.taught_pupil,
            requester="A parent",
            received_on=dt.date(2026, 11, 30),
            due_on=dt.date(2026, 12, 30),
            export=b"PK",
            export_built_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        )

    return request(mine).pk, [request(other).pk], world.missing_id


def _hold_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    from tandem.retention.models import LegalHold

    mine, other = _school_of(world, persona), _other_school(world, persona)
    return (
        LegalHold.objects.create(pupil=mine.taught_pupil, reason="A claim").pk,
        [LegalHold.objects.create(pupil=other.taught_pupil, reason="A claim").pk],
        987654321,
    )


def _make_target_progress(target: Any) -> Any:
    from tandem.plans.models import TargetProgress

    return TargetProgress.objects.create(
        target=target,
        pupil=target.pupil,
        school=target.school,
        recorded_on=target.plan.starts_on,
        note="Reads 30 of the 64 words.",
        recorded_by=target.accountable_teacher,
    )


def _document_version_ids(world: World, persona: str, scope: Scope) -> tuple[Any, list[Any], Any]:
    """A draft of the governors' report at the persona's school (school A for the trust roles), one at the
    other school."""
    mine, other = _school_of(world, persona), _other_school(world, persona)
    mine_id = f.make_document_version(mine.school).pk
    return mine_id, [f.make_document_version(other.school).pk], world.missing_id


ARGUMENTS: dict[str, Callable[[World, str, Scope], tuple[Any, list[Any], Any]]] = {
    "pupil_id": _pupil_ids,
    "group_id": _group_ids,
    "membership_id": _membership_ids,
    "concern_id": _records_for(f.make_concern),
    "response_id": _records_for(f.make_first_response),
    "plan_id": _records_for(f.make_plan),
    "target_id": _records_for(lambda pupil: f.make_target(plan=f.make_plan(pupil))),
    "meeting_id": _records_for(f.make_meeting),
    "progress_id": _records_for(lambda pupil: _make_target_progress(f.make_target(plan=f.make_plan(pupil)))),
    "passport_id": _records_for(f.make_passport),
    "intervention_id": _intervention_ids,
    "igroup_id": _group_records(lambda group: group),
    "placement_id": _group_records(lambda group: group.placements.get()),
    "log_id": _group_records(lambda group: f.make_session_log(group=group)),
    "own_log_id": _own_log_ids,
    "import_id": _import_ids,
    "invitation_id": _invitation_ids,
    "user_id": _user_ids,
    "proposal_id": _proposal_ids,
    "job_id": _analysis_job_ids,
    "download_id": _download_ids,
    "request_id": _subject_access_ids,
    "hold_id": _hold_ids,
    "advice_id": _records_for(f.make_advice),
    "document_id": _records_for(lambda pupil: f.make_advice_document(f.make_advice(pupil))),
    "inclusion_id": _records_for(f.make_inclusion_placement),
    # Parents and carers (tandem.parents): a shared meeting record, a request for views, a parent's link to
    # a pupil and a meeting a parent asked for, each about the persona's taught pupil (a parent's own child).
    "shared_meeting_id": _records_for(f.make_shared_meeting),
    "views_request_id": _records_for(f.make_views_request),
    "link_id": _records_for(f.make_parent_link),
    "meeting_request_id": _records_for(f.make_meeting_request),
    "ehc_plan_id": _records_for(f.make_ehc_plan),
    "ehc_need_id": _records_for(lambda pupil: f.make_ehc_need(plan=f.make_ehc_plan(pupil))),
    "ehc_outcome_id": _records_for(lambda pupil: f.make_ehc_outcome(plan=f.make_ehc_plan(pupil))),
    "ehc_provision_id": _records_for(lambda pupil: f.make_ehc_provision(plan=f.make_ehc_plan(pupil))),
    "annual_review_id": _records_for(lambda pupil: f.make_annual_review(plan=f.make_ehc_plan(pupil))),
    # A version of a school document (tandem.documents).
    "version_id": _document_version_ids,
    # The trust's school page: a school of the persona's trust (school A for the trust roles), another's.
    "school_id": lambda world, persona, scope: (
        _school_of(world, persona).school.pk,
        [_other_school(world, persona).school.pk],
        987654321,
    ),
    "what": lambda world, persona, scope: ("pupils", [], "no-such-list"),
    "token": lambda world, persona, scope: ("no-such-token", [], "no-such-token"),
}


# An executable script with no src, an event-handler attribute, a javascript: link, or inline style: all
# refused by the Content-Security-Policy (tandem/core/middleware.py), so none may be in a page. A JSON data
# block (<script type="application/json">) is not run, so it may.
INLINE_CODE = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>"
    r"|<[a-z][^>]*\son[a-z]+\s*="
    r"|javascript:"
    r"|<[a-z][^>]*\sstyle\s*="
    r"|<style\b",
    re.IGNORECASE,
)


def assert_hardened(response) -> None:
    """The headers every answer carries, and (for a page) no inline code for the policy to refuse."""
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]
    if response.get("Content-Type", "").startswith("text/html"):
        found = INLINE_CODE.search(response.content.decode())
        assert found is None, f"inline code the policy refuses: {found.group(0)!r}"


def _request(client, name: str, kwargs: dict[str, Any], persona_user=None):
    url = reverse(name, kwargs=kwargs)
    if name == "switch_role":
        return client.post(url, {"membership": persona_user.memberships.first().pk})
    return client.post(url) if name in POST_ONLY else client.get(url)


def test_it_declares_a_policy_for_every_url():
    undeclared = []
    for pattern in tandem_urls():
        policy = getattr(pattern.callback, "tandem_policy", None)
        if policy is None and pattern.name not in PUBLIC_URL_NAMES:
            undeclared.append(str(pattern.pattern))
    assert undeclared == [], f"URLs with no policy row: {undeclared}"


def test_it_knows_how_to_build_every_url_argument():
    unknown = {key for p in tandem_urls() for key in p.pattern.converters if key not in ARGUMENTS}
    assert unknown == set(), f"Add argument builders for: {unknown}"


POLICY_URL_NAMES = sorted(p.name for p in tandem_urls() if hasattr(p.callback, "tandem_policy"))


@pytest.mark.parametrize("name", POLICY_URL_NAMES)
def test_it_sends_anonymous_visitors_to_sign_in(client, world, name):
    pattern = next(p for p in tandem_urls() if p.name == name)
    kwargs = {key: ARGUMENTS[key](world, "a_senco", Scope.SCHOOL)[0] for key in pattern.pattern.converters}
    response = _request(client, name, kwargs, world.a.senco)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", POLICY_URL_NAMES)
def test_it_answers_each_persona_as_the_policy_says(client, world, name, persona):
    pattern = next(p for p in tandem_urls() if p.name == name)
    resource, action = pattern.callback.tandem_policy
    scope = scope_for(_role_of(persona), resource, action)
    user = world.persona(persona)
    client.force_login(user)
    converters = list(pattern.pattern.converters)
    assert len(converters) <= 1, "extend this test for URLs with several arguments"

    if not converters:
        response = _request(client, name, {}, user)
        assert_hardened(response)
        if scope is Scope.NONE:
            assert response.status_code == 404
        else:
            assert response.status_code == (302 if name in POST_ONLY else 200)
        return

    key = converters[0]
    in_scope, out_of_scope, missing = ARGUMENTS[key](world, persona, scope)
    missing_response = _request(client, name, {key: missing}, user)
    assert missing_response.status_code == 404
    for other in out_of_scope:
        response = _request(client, name, {key: other}, user)
        assert response.status_code == 404, f"{persona} reached another's {key}"
        assert response.content == missing_response.content
    response = _request(client, name, {key: in_scope}, user)
    assert_hardened(response)
    if scope is Scope.NONE:
        assert response.status_code == 404
        assert response.content == missing_response.content
    else:
        assert response.status_code == (302 if name in POST_ONLY else 200)


@pytest.mark.parametrize(
    "name", sorted(PUBLIC_URL_NAMES - {"invitation_accept", "two_factor_required", "email_unsubscribe"})
)
def test_it_serves_public_pages_to_anyone(client, db, name):
    from django.utils import timezone

    from tandem.jobs.services import worker_beat

    worker_beat(worker_id="w1", started_at=timezone.now())  # /health/ answers 200 only with a worker
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_hardened(response)


def test_it_answers_an_unknown_invitation_link_without_a_pupil_or_an_error(client, db):
    response = client.get(reverse("invitation_accept", kwargs={"token": "not-a-real-token"}))
    assert response.status_code == 410
    assert b"not recognised" in response.content


def test_it_keeps_django_admin_to_superusers(client, world):
    client.force_login(world.a.head)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
