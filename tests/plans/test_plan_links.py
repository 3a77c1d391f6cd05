"""Who supports a target and which interventions a plan uses: chosen from the school's staff and catalogue,
checked by the services, linked on the plan page for those who may open them, named for parents, kept in
the history, and the words written before carried over by the data migration."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from tandem.access.actor import actor_for
from tandem.access.policy import POLICY, Action, Resource
from tandem.audit.models import AuditEvent
from tandem.people.models import Role
from tandem.plans.links import NOT_IN_CATALOGUE, NOT_STAFF
from tandem.plans.models import NextStep, SupportPlan, Target, TargetOutcome
from tandem.plans.selectors import plan_for_parents, supporter_choices
from tandem.plans.services import (
    PlanFields,
    ReviewFields,
    TargetFields,
    plan_correct,
    plan_create,
    plan_review,
    target_add,
    target_correct,
)
from tandem.revisions.kinds import PLAN, TARGET
from tandem.revisions.selectors import record_history
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _plan_fields(world, **overrides: object) -> PlanFields:
    values: dict[str, object] = {
        "accountable_teacher_id": world.a.teacher.pk,
        "summary": "Reading fluency is well below peers.",
        "strengths": "Keen, good oral vocabulary.",
        "needs": "Decoding longer words.",
        "pupil_views": "I like reading with a grown-up.",
        "parent_views": "Reads at home most nights.",
        "strategies": "Pre-teach key words.",
        "expected_impact": "Reads Year 3 texts at 90 words a minute.",
        "starts_on": TODAY,
        "review_on": TODAY + 70 * DAY,
    }
    values.update(overrides)
    return PlanFields(**values)  # type: ignore[arg-type]


def _target_fields(world, **overrides: object) -> TargetFields:
    values: dict[str, object] = {
        "skill": "Read aloud the Year 3 common exception words",
        "measure": "Adult checks the word list each fortnight",
        "baseline": "Reads 20 of the 64 words",
        "success_criterion": "Reads 50 of the 64 words on two checks in a row",
        "due_on": TODAY + 60 * DAY,
        "accountable_teacher_id": world.a.teacher.pk,
    }
    values.update(overrides)
    return TargetFields(**values)  # type: ignore[arg-type]


@pytest.fixture
def catalogue(world):
    """School A's catalogue entry, and school B's (another trust)."""
    return (
        f.make_intervention(world.a.school, name="Toe by Toe"),
        f.make_intervention(world.b.school, name="Beanstalk reading"),
    )


@pytest.fixture
def plan_with_links(world, catalogue):
    """A plan for school A's pupil naming a catalogue intervention, with a target two staff support."""
    senco = actor_for(world.a.senco)
    plan = plan_create(
        actor=senco,
        pupil_id=world.a.taught_pupil.pk,
        fields=_plan_fields(
            world, intervention_ids=[catalogue[0].pk], other_interventions="Termly visit from a specialist"
        ),
    )
    target_add(
        actor=senco,
        plan_id=plan.pk,
        fields=_target_fields(
            world,
            supporter_ids=[world.a.ta.pk, world.a.senco.pk],
            other_supporters="Speech and language therapist",
        ),
    )
    return plan


# ---------------------------------------------------------------- services
def test_it_saves_the_chosen_staff_and_interventions_with_the_lines_the_history_keeps(
    world, catalogue, plan_with_links
):
    plan = plan_with_links
    assert list(plan.catalogue_interventions.all()) == [catalogue[0]]
    assert plan.other_interventions == "Termly visit from a specialist"
    assert plan.interventions == "Toe by Toe\nTermly visit from a specialist"
    target = plan.targets.get()
    assert set(target.supporting_staff.all()) == {world.a.ta, world.a.senco}
    assert target.other_supporters == "Speech and language therapist"
    assert target.supporters == "Assistant A, Senco A, Speech and language therapist"
    added = AuditEvent.objects.get(action="target.add")
    assert "supporting_staff" in added.fields and "Assistant" not in str(added.fields)
    assert "catalogue_interventions" in AuditEvent.objects.get(action="support_plan.create").fields


def test_it_refuses_another_schools_intervention_and_saves_nothing(world, catalogue):
    with pytest.raises(ValidationError) as refused:
        plan_create(
            actor=actor_for(world.a.senco),
            pupil_id=world.a.taught_pupil.pk,
            fields=_plan_fields(world, intervention_ids=[catalogue[0].pk, catalogue[1].pk]),
        )
    assert refused.value.message_dict == {"intervention_ids": [NOT_IN_CATALOGUE]}
    assert not SupportPlan.objects.exists()
    assert not AuditEvent.objects.filter(action="support_plan.create").exists()


@pytest.mark.parametrize("who", ["b.ta", "a.dpo", "nobody"])
def test_it_refuses_anyone_not_on_the_pupils_school_staff_and_saves_nothing(world, who):
    plan = f.make_plan(world.a.taught_pupil)
    school, _, role = who.partition(".")
    user_id = getattr(getattr(world, school), role).pk if role else 999_999
    with pytest.raises(ValidationError) as refused:
        target_add(
            actor=actor_for(world.a.senco),
            plan_id=plan.pk,
            fields=_target_fields(world, supporter_ids=[world.a.ta.pk, user_id]),
        )
    assert refused.value.message_dict == {"supporter_ids": [NOT_STAFF]}
    assert not Target.objects.exists()


def test_it_refuses_a_correction_naming_another_schools_staff_and_changes_nothing(world, plan_with_links):
    target = plan_with_links.targets.get()
    with pytest.raises(ValidationError):
        target_correct(
            actor=actor_for(world.a.senco),
            target_id=target.pk,
            version=1,
            fields=_target_fields(world, supporter_ids=[world.b.teacher.pk]),
        )
    target.refresh_from_db()
    assert set(target.supporting_staff.all()) == {world.a.ta, world.a.senco}
    assert target.supporters == "Assistant A, Senco A, Speech and language therapist"


def test_it_offers_the_pupils_own_adults_first_then_the_other_staff(world):
    choices = supporter_choices(pupil=world.a.taught_pupil)
    assert choices[:2] == [
        (world.a.teacher.pk, "Teacher A (teaches this pupil)"),
        (world.a.ta.pk, "Assistant A (teaching assistant in this pupil's class)"),
    ]
    others = [name for _, name in choices[2:]]
    assert others == sorted(others) and "Senco A" in others and "Head A" in others
    assert "Admin A" not in others and "Teacher B" not in str(choices)


# ---------------------------------------------------------------- corrections and history
def test_it_corrects_the_choices_and_the_history_shows_the_names(world, catalogue, plan_with_links):
    senco = actor_for(world.a.senco)
    plan = plan_with_links
    target = plan.targets.get()
    target_correct(
        actor=senco,
        target_id=target.pk,
        version=1,
        fields=_target_fields(world, supporter_ids=[world.a.ta.pk], other_supporters=""),
    )
    assert list(target.supporting_staff.all()) == [world.a.ta]
    [_first, corrected] = record_history(actor=senco, kind=TARGET, record_id=target.pk)
    [change] = corrected.changes
    assert (change.label, change.before, change.after) == (
        "Who supports",
        "Assistant A, Senco A, Speech and language therapist",
        "Assistant A",
    )
    other = f.make_intervention(world.a.school, name="Number sense")
    values = {name: getattr(plan, name) for name in ("summary", "strengths", "needs", "pupil_views")}
    values |= {"parent_views": plan.parent_views, "strategies": plan.strategies}
    values |= {"expected_impact": plan.expected_impact, "starts_on": plan.starts_on}
    values |= {"review_on": plan.review_on, "intervention_ids": [str(other.pk), str(catalogue[0].pk)]}
    plan_correct(actor=senco, plan_id=plan.pk, version=1, values=values)
    assert {i.name for i in plan.catalogue_interventions.all()} == {"Number sense", "Toe by Toe"}
    plan.refresh_from_db()
    assert plan.other_interventions == ""
    [change] = record_history(actor=senco, kind=PLAN, record_id=plan.pk)[1].changes
    assert (change.before, change.after) == (
        "Toe by Toe\nTermly visit from a specialist",
        "Number sense, Toe by Toe",
    )


def test_it_offers_the_same_choices_on_the_correction_form_ticked_as_saved(client, world, plan_with_links):
    target = plan_with_links.targets.get()
    client.force_login(world.a.senco)
    page = client.get(reverse("target_edit", args=[target.pk])).content.decode()
    assert "Teacher A (teaches this pupil)" in page
    ticked = set(re.findall(r'name="supporter_ids" value="(\d+)"[^>]*checked', page))
    assert ticked == {str(world.a.ta.pk), str(world.a.senco.pk)}
    response = client.post(
        reverse("target_edit", args=[target.pk]),
        with_form_token(
            {
                "skill": target.skill,
                "measure": target.measure,
                "baseline": target.baseline,
                "success_criterion": target.success_criterion,
                "due_on": target.due_on.isoformat(),
                "supporter_ids": [str(world.a.ta.pk), str(world.a.teacher.pk)],
                "other_supporters": "",
                "version": "1",
            },
            world.a.senco,
        ),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.supporters == "Assistant A, Teacher A"


def test_it_carries_the_links_into_the_next_cycle(world, plan_with_links):
    plan = plan_with_links
    target = plan.targets.get()
    following = plan_review(
        actor=actor_for(world.a.senco),
        plan_id=plan.pk,
        fields=ReviewFields(
            reviewed_on=TODAY,
            summary="Partly there.",
            pupil_views="Fine.",
            parent_views="Fine.",
            target_outcomes={str(target.pk): TargetOutcome.PARTLY},
            next_step=NextStep.CONTINUE,
            next_review_on=TODAY + 70 * DAY,
        ),
    )
    assert following is not None
    assert [i.name for i in following.catalogue_interventions.all()] == ["Toe by Toe"]
    carried = following.targets.get()
    assert set(carried.supporting_staff.all()) == {world.a.ta, world.a.senco}
    assert carried.other_supporters == "Speech and language therapist"


# ---------------------------------------------------------------- the plan page
def test_it_links_staff_and_interventions_for_the_senco(client, world, catalogue, plan_with_links):
    client.force_login(world.a.senco)
    page = client.get(reverse("plan_detail", args=[plan_with_links.pk])).content.decode()
    intervention_url = reverse("intervention_detail", args=[catalogue[0].pk])
    assert f'<a href="{intervention_url}">Toe by Toe</a>' in page
    link = f"{reverse('staff')}?{urlencode({'q': world.a.ta.email})}#staff-{world.a.ta.pk}"
    assert f'<a href="{escape(link)}">Assistant A</a>' in page
    assert "Speech and language therapist" in page and "Termly visit from a specialist" in page
    staff_page = client.get(reverse("staff")).content.decode()
    assert f'id="staff-{world.a.ta.pk}"' in staff_page


def test_it_names_without_links_what_the_viewer_may_not_open(
    client, world, catalogue, plan_with_links, monkeypatch
):
    # A teacher may not open the staff page; without the catalogue row, not the intervention either.
    monkeypatch.delitem(POLICY, (Role.TEACHER, Resource.INTERVENTION, Action.VIEW))
    client.force_login(world.a.teacher)
    page = client.get(reverse("plan_detail", args=[plan_with_links.pk])).content.decode()
    assert "Assistant A" in page and "Toe by Toe" in page
    assert "#staff-" not in page
    assert reverse("intervention_detail", args=[catalogue[0].pk]) not in page


def test_it_reads_the_plan_page_in_as_many_queries_for_ten_targets_as_for_one(client, world):
    senco = actor_for(world.a.senco)

    def plan_with(pupil, targets: int) -> SupportPlan:
        intervention = f.make_intervention(world.a.school)
        plan = plan_create(
            actor=senco, pupil_id=pupil.pk, fields=_plan_fields(world, intervention_ids=[intervention.pk])
        )
        for n in range(targets):
            target_add(
                actor=senco,
                plan_id=plan.pk,
                fields=_target_fields(
                    world,
                    skill=f"Read aloud the Year 3 common exception words, list {n}",
                    supporter_ids=[world.a.ta.pk, world.a.senco.pk],
                ),
            )
        return plan

    def queries(plan: SupportPlan, targets: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("plan_detail", args=[plan.pk]))
        assert response.status_code == 200
        assert response.content.decode().count(f"#staff-{world.a.ta.pk}") == targets
        return len(captured.captured_queries)

    one, ten = plan_with(world.a.taught_pupil, 1), plan_with(world.a.ehc_pupil, 10)
    client.force_login(world.a.senco)
    client.get(reverse("plan_detail", args=[one.pk]))  # the first request of a session reads more
    assert queries(one, 1) == queries(ten, 10)


# ---------------------------------------------------------------- parents' copy
def test_it_names_the_staff_and_interventions_in_the_parents_pdf(client, world, plan_with_links):
    document = plan_for_parents(actor=actor_for(world.a.senco), plan_id=plan_with_links.pk)
    assert document.extra_support == "Toe by Toe\nTermly visit from a specialist"
    [target] = document.targets
    assert target.who_helps == "Teacher A, Assistant A, Senco A, Speech and language therapist"
    client.force_login(world.a.senco)
    response = client.get(reverse("plan_pdf", args=[plan_with_links.pk]))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Toe by Toe" in text and "Assistant A" in text and "staff-" not in text


# ---------------------------------------------------------------- the data migration
def test_the_data_migration_keeps_the_words_written_before_in_the_others_fields(world):
    migration = importlib.import_module(
        "tandem.plans.migrations.0004_keep_free_text_supporters_and_interventions"
    )
    plan = f.make_plan(world.a.taught_pupil, interventions="Daily phonics catch-up with the TA.")
    target = f.make_target(plan=plan, supporters="Mr Obi (teaching assistant), speech therapist")
    untouched = f.make_target(plan=plan, supporters="", skill="Count to 20")
    migration.keep_old_text(apps, None)
    plan.refresh_from_db()
    target.refresh_from_db()
    untouched.refresh_from_db()
    assert plan.other_interventions == plan.interventions == "Daily phonics catch-up with the TA."
    assert target.other_supporters == target.supporters == "Mr Obi (teaching assistant), speech therapist"
    assert untouched.other_supporters == ""
    assert not target.supporting_staff.exists() and not plan.catalogue_interventions.exists()
