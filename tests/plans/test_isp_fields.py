"""Plans ready for an Individual Support Plan: the layer, the kind of plan (an ISP only once switched on: the
law has not changed yet), the dates and turnaround, how the parents and the pupil took part, the review no
more than 12 months after the start, and all of it on the plan page, in corrections and the parents' PDF."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import migrations
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.lib import isp
from tandem.lib.dates import months_after
from tandem.plans.models import ParentParticipation, PlanType, PupilParticipation, SupportPlan
from tandem.plans.services import ISP_NOT_ENABLED, PlanFields, ReviewFields, plan_create, plan_review
from tandem.provision.models import Layer
from tandem.revisions.models import RecordVersion
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()


def _fields(teacher_id: int, **overrides: object) -> PlanFields:
    values: dict[str, object] = {
        "accountable_teacher_id": teacher_id,
        "summary": "Decoding well below peers.",
        "strengths": "Good oral vocabulary.",
        "needs": "Reading longer words.",
        "pupil_views": "I like reading with a grown-up.",
        "parent_views": "Reads at home most nights.",
        "strategies": "Pre-teach key words; paired reading.",
        "expected_impact": "Reads Year 3 texts fluently.",
        "starts_on": TODAY,
        "review_on": TODAY + dt.timedelta(days=70),
    }
    values.update(overrides)
    return PlanFields(**values)  # type: ignore[arg-type]


def _post(teacher_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "summary": "Decoding well below peers.",
        "strengths": "Good oral vocabulary.",
        "needs": "Reading longer words.",
        "pupil_views": "I like reading with a grown-up.",
        "parent_views": "Reads at home most nights.",
        "strategies": "Pre-teach key words; paired reading.",
        "expected_impact": "Reads Year 3 texts fluently.",
        "starts_on": TODAY.isoformat(),
        "review_on": (TODAY + dt.timedelta(days=70)).isoformat(),
        "accountable_teacher": str(teacher_id),
        "layer": "targeted_plus",
        "plan_type": "sen_support",
        "need_identified_on": (TODAY - dt.timedelta(days=21)).isoformat(),
        "agreed_on": TODAY.isoformat(),
        "parent_participation": "call",
        "pupil_participation": "about_me",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- the pure rules
def test_it_counts_months_as_people_do():
    assert months_after(dt.date(2026, 9, 1), 12) == dt.date(2027, 9, 1)
    assert months_after(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)
    assert months_after(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert months_after(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_it_allows_a_review_up_to_12_months_after_the_start_and_no_later():
    start = dt.date(2026, 9, 7)
    assert isp.review_date_problem(starts_on=start, review_on=dt.date(2027, 9, 7)) is None
    late = isp.review_date_problem(starts_on=start, review_on=dt.date(2027, 9, 8))
    assert late is not None and "at least once a year" in late and "7 September 2027 at the latest" in late
    assert isp.review_date_problem(starts_on=start, review_on=start) == (
        "The review date must be after the plan starts."
    )


def test_it_keeps_the_models_codes_and_the_plan_files_words_in_step():
    assert Layer.values == isp.codes(isp.LAYERS)
    assert PlanType.values == isp.codes(isp.PLAN_TYPES)
    assert ParentParticipation.values == isp.codes(isp.PARENT_PARTICIPATION)
    assert PupilParticipation.values == isp.codes(isp.PUPIL_PARTICIPATION)
    assert [label for _, label in Layer.choices] == [t.label for t in isp.LAYERS]
    assert [label for _, label in PupilParticipation.choices] == [t.label for t in isp.PUPIL_PARTICIPATION]
    assert isp.turnaround_days(need_identified_on=dt.date(2026, 9, 1), agreed_on=dt.date(2026, 9, 22)) == 21
    assert isp.turnaround_days(need_identified_on=None, agreed_on=dt.date(2026, 9, 22)) is None


def test_it_gives_plans_written_before_targeted_sen_support_and_no_dates():
    migration = importlib.import_module(
        "tandem.plans.migrations.0005_plan_layer_type_dates_and_participation"
    )
    added = {
        op.name: op.field for op in migration.Migration.operations if isinstance(op, migrations.AddField)
    }
    assert added["layer"].default == "targeted" and added["plan_type"].default == "sen_support"
    assert added["need_identified_on"].null and added["agreed_on"].null
    assert added["parent_participation"].blank and added["pupil_participation"].blank  # "Not recorded"


def test_it_makes_a_plan_targeted_sen_support_unless_told_otherwise(world):
    plan = plan_create(
        actor=actor_for(world.a.senco), pupil_id=world.a.taught_pupil.pk, fields=_fields(world.a.teacher.pk)
    )
    assert (plan.layer, plan.plan_type, plan.need_identified_on, plan.agreed_on) == (
        "targeted",
        "sen_support",
        None,
        None,
    )
    assert (plan.parent_participation, plan.pupil_participation) == ("", "")


# ---------------------------------------------------------------- writing a plan
def test_it_saves_the_layer_dates_and_participation_and_shows_the_turnaround(client, world):
    client.force_login(world.a.senco)
    response = client.post(
        reverse("plan_new", args=[world.a.taught_pupil.pk]),
        with_form_token(_post(world.a.teacher.pk), world.a.senco),
    )
    plan = SupportPlan.objects.get()
    assert response.status_code == 302
    assert (plan.layer, plan.plan_type, plan.parent_participation, plan.pupil_participation) == (
        "targeted_plus",
        "sen_support",
        "call",
        "about_me",
    )
    assert plan.turnaround_days == 21
    event = AuditEvent.objects.get(action="support_plan.create")
    assert {"layer", "plan_type", "agreed_on", "parent_participation"} <= set(event.fields)
    page = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert "Targeted plus" in page and "SEN support plan" in page
    assert "21 days from the need being identified to the plan being agreed" in page
    assert "By phone or video" in page and "Through &#x27;about me&#x27;" in page
    assert f"{TODAY.day} {TODAY:%B} {TODAY.year}" in page


def test_it_refuses_a_review_more_than_12_months_after_the_start_with_nothing_saved(client, world):
    latest = months_after(TODAY, 12)
    client.force_login(world.a.senco)
    response = client.post(
        reverse("plan_new", args=[world.a.taught_pupil.pk]),
        with_form_token(
            _post(world.a.teacher.pk, review_on=(latest + dt.timedelta(days=1)).isoformat()), world.a.senco
        ),
    )
    assert response.status_code == 400
    assert "Review the plan at least once a year" in response.content.decode()
    assert not SupportPlan.objects.exists()
    plan = plan_create(
        actor=actor_for(world.a.senco),
        pupil_id=world.a.taught_pupil.pk,
        fields=_fields(world.a.teacher.pk, review_on=latest),
    )
    assert plan.review_on == latest


def test_it_refuses_a_next_review_more_than_12_months_after_the_review(world):
    plan = f.make_plan(world.a.taught_pupil)
    with pytest.raises(ValidationError, match="at least once a year"):
        plan_review(
            actor=actor_for(world.a.senco),
            plan_id=plan.pk,
            fields=ReviewFields(
                reviewed_on=TODAY,
                summary="Good progress.",
                pupil_views="Happy.",
                parent_views="Pleased.",
                target_outcomes={},
                next_step="new_cycle",
                next_review_on=months_after(TODAY, 13),
            ),
        )
    plan.refresh_from_db()
    assert plan.reviewed_on is None


def test_it_refuses_an_individual_support_plan_until_the_school_is_set_up_for_it(client, world, settings):
    settings.TANDEM_ISP_ENABLED = False
    client.force_login(world.a.senco)
    url = reverse("plan_new", args=[world.a.taught_pupil.pk])
    page = client.get(url).content.decode()
    assert 'value="isp"' not in page and "the law has not changed yet" in page
    response = client.post(url, with_form_token(_post(world.a.teacher.pk, plan_type="isp"), world.a.senco))
    assert response.status_code == 400 and not SupportPlan.objects.exists()
    with pytest.raises(ValidationError) as refused:
        plan_create(
            actor=actor_for(world.a.senco),
            pupil_id=world.a.taught_pupil.pk,
            fields=_fields(world.a.teacher.pk, plan_type="isp"),
        )
    assert refused.value.message_dict == {"plan_type": [ISP_NOT_ENABLED]}

    settings.TANDEM_ISP_ENABLED = True
    assert 'value="isp"' in client.get(url).content.decode()
    response = client.post(url, with_form_token(_post(world.a.teacher.pk, plan_type="isp"), world.a.senco))
    assert response.status_code == 302 and SupportPlan.objects.get().plan_type == "isp"


def test_it_asks_why_when_the_parents_or_the_pupil_did_not_take_part(client, world):
    client.force_login(world.a.senco)
    url = reverse("plan_new", args=[world.a.taught_pupil.pk])
    response = client.post(
        url, with_form_token(_post(world.a.teacher.pk, parent_participation="none"), world.a.senco)
    )
    assert response.status_code == 400
    assert "Say why the parents did not take part" in response.content.decode()
    assert not SupportPlan.objects.exists()
    with pytest.raises(ValidationError, match="Give a reason only when the pupil did not take part"):
        plan_create(
            actor=actor_for(world.a.senco),
            pupil_id=world.a.taught_pupil.pk,
            fields=_fields(
                world.a.teacher.pk, pupil_participation="meeting", pupil_participation_reason="Ill"
            ),
        )
    plan = plan_create(
        actor=actor_for(world.a.senco),
        pupil_id=world.a.taught_pupil.pk,
        fields=_fields(
            world.a.teacher.pk,
            pupil_participation="none",
            pupil_participation_reason="In hospital; we will ask again at the review.",
            parent_participation="none",
            parent_participation_reason="No reply to three letters and two calls.",
        ),
    )
    assert plan.pupil_participation_reason == "In hospital; we will ask again at the review."


def test_it_refuses_an_agreement_before_the_need_or_in_the_future(world):
    actor = actor_for(world.a.senco)
    with pytest.raises(ValidationError, match="before the need was identified"):
        plan_create(
            actor=actor,
            pupil_id=world.a.taught_pupil.pk,
            fields=_fields(
                world.a.teacher.pk,
                need_identified_on=TODAY - dt.timedelta(days=3),
                agreed_on=TODAY - dt.timedelta(days=5),
            ),
        )
    with pytest.raises(ValidationError, match="in the future"):
        plan_create(
            actor=actor,
            pupil_id=world.a.taught_pupil.pk,
            fields=_fields(world.a.teacher.pk, agreed_on=TODAY + dt.timedelta(days=1)),
        )
    assert not SupportPlan.objects.exists()


# ---------------------------------------------------------------- corrections, reviews, the parents' copy
def test_it_corrects_the_layer_and_participation_and_keeps_them_in_the_history(client, world):
    plan = f.make_plan(world.a.taught_pupil)
    client.force_login(world.a.senco)
    data = {
        "summary": plan.summary,
        "strengths": plan.strengths,
        "needs": plan.needs,
        "pupil_views": plan.pupil_views,
        "parent_views": plan.parent_views,
        "strategies": plan.strategies,
        "expected_impact": plan.expected_impact,
        "starts_on": plan.starts_on.isoformat(),
        "review_on": plan.review_on.isoformat(),
        "layer": "specialist",
        "plan_type": "ehc",
        "parent_participation": "meeting",
        "version": "1",
        "reason": "Agreed at the meeting",
    }
    response = client.post(reverse("plan_edit", args=[plan.pk]), with_form_token(data, world.a.senco))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.layer, plan.plan_type, plan.parent_participation) == ("specialist", "ehc", "meeting")
    first, second = RecordVersion.objects.filter(record_id=plan.pk).order_by("number")
    assert (first.fields["layer"], second.fields["layer"]) == ("targeted", "specialist")
    event = AuditEvent.objects.get(action="plan.correct")
    assert set(event.fields) == {"layer", "plan_type", "parent_participation"}
    page = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert "Layer of support" in page and "Specialist" in page


def test_it_keeps_an_individual_support_plan_written_while_offered(world, settings):
    from tandem.plans.services import plan_correct

    plan = f.make_plan(world.a.taught_pupil, plan_type="isp")
    settings.TANDEM_ISP_ENABLED = False
    values = {name: getattr(plan, name) for name in ("summary", "strengths", "needs", "pupil_views")}
    values.update(
        parent_views=plan.parent_views,
        strategies=plan.strategies,
        expected_impact=plan.expected_impact,
        starts_on=plan.starts_on,
        review_on=plan.review_on,
        plan_type="isp",
        layer="targeted_plus",
    )
    corrected = plan_correct(actor=actor_for(world.a.senco), plan_id=plan.pk, version=1, values=values)
    assert (corrected.plan_type, corrected.layer) == ("isp", "targeted_plus")


def test_it_carries_the_layer_and_kind_into_the_next_cycle(world):
    plan = f.make_plan(world.a.taught_pupil, layer="targeted_plus", plan_type="sen_support", agreed_on=TODAY)
    following = plan_review(
        actor=actor_for(world.a.senco),
        plan_id=plan.pk,
        fields=ReviewFields(
            reviewed_on=TODAY,
            summary="Good progress.",
            pupil_views="Happy.",
            parent_views="Pleased.",
            target_outcomes={},
            next_step="new_cycle",
            next_review_on=TODAY + dt.timedelta(weeks=12),
        ),
    )
    assert following is not None
    assert (following.layer, following.plan_type, following.agreed_on) == (
        "targeted_plus",
        "sen_support",
        None,
    )


def test_it_prints_the_kind_layer_dates_and_participation_for_the_parents(client, world):
    plan = f.make_plan(
        world.a.taught_pupil,
        layer="targeted_plus",
        need_identified_on=dt.date(2026, 9, 14),
        agreed_on=dt.date(2026, 10, 5),
        parent_participation="none",
        parent_participation_reason="No reply to three letters.",
        pupil_participation="observed",
    )
    client.force_login(world.a.senco)
    response = client.get(reverse("plan_pdf", args=[plan.pk]))
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "Kind of plan SEN support plan" in text
    assert "Level of support Targeted plus: more expert help for less common needs" in text
    assert "Need first noticed 14 September 2026" in text and "Agreed with you on 5 October 2026" in text
    assert "How you and Kai took part" in text
    assert "Did not take part: No reply to three letters." in text
    assert "Not yet able to say, views gathered by observation" in text
