"""EHC plan services: who may write, what is refused (with nothing saved) and the audit trail (field names,
never values)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent, Outcome
from tandem.ehc.models import AnnualReview, EhcNeed, EhcOutcome, EhcPlan, EhcProvision
from tandem.ehc.services import (
    EhcPlanFields,
    ReviewFields,
    annual_review_book,
    annual_review_record,
    annual_review_withdraw,
    ehc_need_add,
    ehc_need_correct,
    ehc_outcome_add,
    ehc_outcome_correct,
    ehc_plan_correct,
    ehc_plan_create,
    ehc_plan_withdraw,
    ehc_provision_add,
)
from tandem.revisions.models import RecordVersion
from tests import factories as f

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def _fields(**overrides) -> EhcPlanFields:
    values = {"local_authority": "Alder County Council", "issued_on": dt.date(2026, 2, 1)}
    values.update(overrides)
    return EhcPlanFields(**values)


def _senco(world):
    return actor_for(world.a.senco)


def test_it_records_a_plan_and_audits_field_names_only(world):
    plan = ehc_plan_create(actor=_senco(world), pupil_id=world.a.ehc_pupil.pk, fields=_fields())
    assert plan.is_open and plan.school == world.a.school and plan.created_by == world.a.senco
    event = AuditEvent.objects.get(action="ehc_plan.create")
    assert event.target_type == "ehc_plan" and event.target_id == str(plan.pk)
    assert event.fields == ["issued_on", "local_authority", "status"]
    assert "Alder" not in str(event.fields)


@pytest.mark.parametrize("persona", ["teacher", "ta", "head", "admin", "dpo"])
def test_it_refuses_everyone_but_the_senco_with_a_404_and_saves_nothing(world, persona):
    actor = actor_for(getattr(world.a, persona))
    with pytest.raises(Http404):
        ehc_plan_create(actor=actor, pupil_id=world.a.ehc_pupil.pk, fields=_fields())
    assert not EhcPlan.objects.exists()


def test_it_refuses_another_schools_pupil_and_leaves_a_trail(world):
    with pytest.raises(Http404):
        ehc_plan_create(actor=_senco(world), pupil_id=world.b.ehc_pupil.pk, fields=_fields())
    assert not EhcPlan.objects.exists()
    assert AuditEvent.objects.filter(
        action="ehc_plan.manage", outcome=Outcome.DENIED, target_id=str(world.b.ehc_pupil.pk)
    ).exists()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"local_authority": "  "}, "local_authority", "This cannot be left empty."),
        ({"issued_on": None}, "issued_on", "Enter the date the local authority issued the final plan."),
        ({"issued_on": dt.date(2026, 12, 8)}, "issued_on", "This date is in the future"),
        ({"last_amended_on": dt.date(2026, 1, 31)}, "last_amended_on", "amended after it was issued"),
    ],
)
def test_it_refuses_bad_plan_details_with_a_clear_message(world, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        ehc_plan_create(actor=_senco(world), pupil_id=world.a.ehc_pupil.pk, fields=_fields(**overrides))
    assert message in " ".join(refused.value.message_dict[field])
    assert not EhcPlan.objects.exists()


def test_it_keeps_one_maintained_plan_per_pupil(world):
    f.make_ehc_plan(world.a.ehc_pupil)
    with pytest.raises(ValidationError, match="already has a maintained EHC plan"):
        ehc_plan_create(actor=_senco(world), pupil_id=world.a.ehc_pupil.pk, fields=_fields())
    assert EhcPlan.objects.count() == 1


def test_it_records_a_plan_ceasing_with_its_date_and_then_takes_a_new_one(world):
    plan = f.make_ehc_plan(world.a.ehc_pupil, issued_on=dt.date(2025, 1, 10))
    with pytest.raises(ValidationError) as refused:
        ehc_plan_correct(
            actor=_senco(world),
            ehc_plan_id=plan.pk,
            version=1,
            fields=_fields(issued_on=plan.issued_on, status="ceased"),
        )
    assert "Enter the date the local authority ceased the plan." in refused.value.message_dict["ceased_on"]
    ceased = ehc_plan_correct(
        actor=_senco(world),
        ehc_plan_id=plan.pk,
        version=1,
        fields=_fields(issued_on=plan.issued_on, status="ceased", ceased_on=dt.date(2026, 11, 1)),
    )
    assert ceased.status == "ceased" and not ceased.is_open
    assert list(RecordVersion.objects.filter(record_id=plan.pk).values_list("number", flat=True)) == [1, 2]
    assert AuditEvent.objects.get(action="ehc_plan.correct").fields == ["ceased_on", "status"]
    newer = ehc_plan_create(actor=_senco(world), pupil_id=world.a.ehc_pupil.pk, fields=_fields())
    assert newer.is_open


def test_it_refuses_to_reopen_a_ceased_plan_while_another_is_maintained(world):
    old = f.make_ehc_plan(
        world.a.ehc_pupil, issued_on=dt.date(2024, 1, 10), status="ceased", ceased_on=dt.date(2025, 1, 1)
    )
    f.make_ehc_plan(world.a.ehc_pupil)
    with pytest.raises(ValidationError, match="already has a maintained EHC plan"):
        ehc_plan_correct(
            actor=_senco(world), ehc_plan_id=old.pk, version=1, fields=_fields(issued_on=old.issued_on)
        )
    old.refresh_from_db()
    assert old.status == "ceased"


def test_it_withdraws_a_plan_made_by_mistake_so_another_can_be_recorded(world):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    ehc_plan_withdraw(actor=_senco(world), ehc_plan_id=plan.pk, version=1, reason="Wrong pupil")
    plan.refresh_from_db()
    assert plan.is_withdrawn and plan.withdrawn_reason == "Wrong pupil"
    ehc_plan_create(actor=_senco(world), pupil_id=world.a.ehc_pupil.pk, fields=_fields())
    with pytest.raises(ValidationError, match="withdrawn"):
        ehc_need_add(actor=_senco(world), ehc_plan_id=plan.pk, text="Needs.", need_type="ASD")


def test_it_maps_a_section_b_need_to_a_current_type_and_not_to_nsa(world):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    for code in ("NSA", "BESD", "XYZ", ""):
        with pytest.raises(ValidationError) as refused:
            ehc_need_add(actor=_senco(world), ehc_plan_id=plan.pk, text="Needs.", need_type=code)
        assert refused.value.message_dict["need_type"] == [
            "Choose the type of need this part of section B describes."
        ]
    need = ehc_need_add(
        actor=_senco(world), ehc_plan_id=plan.pk, text="  Social communication.  ", need_type="ASD"
    )
    assert need.text == "Social communication." and need.need_type_id == "ASD"
    event = AuditEvent.objects.get(action="ehc_need.add")
    assert (event.target_type, event.target_id, event.fields) == (
        "ehc_plan",
        str(plan.pk),
        ["need_type", "text"],
    )
    corrected = ehc_need_correct(
        actor=_senco(world), ehc_need_id=need.pk, version=1, text="Social communication.", need_type="SLCN"
    )
    assert corrected.need_type_id == "SLCN"
    assert EhcNeed.objects.count() == 1


def test_it_links_an_outcome_only_to_the_pupils_own_targets(world):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    mine = f.make_target(
        plan=f.make_plan(world.a.ehc_pupil), skill="Reads 50 common words", due_on=dt.date(2027, 2, 1)
    )
    theirs = f.make_target(plan=f.make_plan(world.a.taught_pupil))
    with pytest.raises(ValidationError) as refused:
        ehc_outcome_add(
            actor=_senco(world), ehc_plan_id=plan.pk, text="Reads for pleasure.", target_ids=[theirs.pk]
        )
    assert refused.value.message_dict["target_ids"] == [
        "A target chosen is not one of this pupil's. Choose from the list."
    ]
    assert not EhcOutcome.objects.exists()
    outcome = ehc_outcome_add(
        actor=_senco(world), ehc_plan_id=plan.pk, text="Reads for pleasure.", target_ids=[str(mine.pk)]
    )
    assert list(outcome.targets.all()) == [mine]
    assert outcome.linked_targets == "Reads 50 common words (by 1 February 2027)"
    unlinked = ehc_outcome_correct(
        actor=_senco(world), ehc_outcome_id=outcome.pk, version=1, text="Reads for pleasure.", target_ids=[]
    )
    assert list(unlinked.targets.all()) == [] and unlinked.linked_targets == ""


def test_it_links_provision_to_the_schools_catalogue_and_the_pupils_placements(world):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    group = f.make_intervention_group(deliverer=world.a.ta)
    placed = f.make_placement(group=group, pupil=world.a.ehc_pupil)
    other_pupils = f.make_placement(group=group, pupil=world.a.taught_pupil)
    elsewhere = f.make_intervention(world.b.school)
    with pytest.raises(ValidationError) as refused:
        ehc_provision_add(
            actor=_senco(world), ehc_plan_id=plan.pk, text="Phonics.", intervention_ids=[elsewhere.pk]
        )
    assert "not in this school's catalogue" in refused.value.message_dict["intervention_ids"][0]
    with pytest.raises(ValidationError) as refused:
        ehc_provision_add(
            actor=_senco(world), ehc_plan_id=plan.pk, text="Phonics.", placement_ids=[other_pupils.pk]
        )
    assert refused.value.message_dict["placement_ids"] == [
        "A placement chosen is not one of this pupil's. Choose from the list."
    ]
    assert not EhcProvision.objects.exists()
    entry = ehc_provision_add(
        actor=_senco(world),
        ehc_plan_id=plan.pk,
        text="Phonics, daily.",
        intervention_ids=[group.intervention.pk],
        placement_ids=[placed.pk],
    )
    assert list(entry.interventions.all()) == [group.intervention] and list(entry.placements.all()) == [
        placed
    ]
    assert entry.linked_provision.startswith(f"Intervention: {group.intervention.name}\nPlacement: ")
    assert AuditEvent.objects.get(action="ehc_provision.add").fields == [
        "interventions",
        "placements",
        "text",
    ]


def test_it_books_a_review_and_audits_it(world):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    review = annual_review_book(
        actor=_senco(world),
        ehc_plan_id=plan.pk,
        fields=ReviewFields(meeting_on=dt.date(2027, 1, 20), invitations_sent_on=dt.date(2026, 12, 1)),
    )
    assert review.pupil == world.a.ehc_pupil and review.created_by == world.a.senco
    event = AuditEvent.objects.get(action="annual_review.book")
    assert event.target_id == str(review.pk)
    assert event.fields == ["invitations_sent_on", "meeting_on"]


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"meeting_on": None}, "meeting_on", "Enter the date of the review meeting."),
        (
            {"meeting_on": dt.date(2026, 11, 20), "papers_circulated_on": dt.date(2026, 11, 21)},
            "papers_circulated_on",
            "circulated before the meeting",
        ),
        (
            {"meeting_on": dt.date(2026, 11, 20), "report_sent_on": dt.date(2026, 11, 19)},
            "report_sent_on",
            "The report is sent after the meeting",
        ),
        (
            {"meeting_on": dt.date(2027, 1, 20), "invitations_sent_on": dt.date(2026, 12, 9)},
            "invitations_sent_on",
            "future",
        ),
        (
            {"meeting_on": dt.date(2026, 11, 20), "report_sent_on": dt.date(2026, 12, 1)},
            "recommendation",
            "Record the school's recommendation",
        ),
        (
            {"meeting_on": dt.date(2026, 11, 20), "recommendation": "amend"},
            "amendments",
            "Say which amendments the school recommends",
        ),
    ],
)
def test_it_refuses_review_dates_and_words_that_cannot_be_right(world, fields, field, message):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    with pytest.raises(ValidationError) as refused:
        annual_review_book(actor=_senco(world), ehc_plan_id=plan.pk, fields=ReviewFields(**fields))
    assert message in " ".join(refused.value.message_dict[field])
    assert not AnnualReview.objects.exists()


def test_it_refuses_what_was_said_at_a_meeting_not_yet_held(world):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    with pytest.raises(ValidationError, match="record what was said and recommended once it has been held"):
        annual_review_book(
            actor=_senco(world),
            ehc_plan_id=plan.pk,
            fields=ReviewFields(meeting_on=dt.date(2027, 1, 20), parent_views="Happy."),
        )


def test_it_refuses_a_second_booked_meeting_and_a_review_of_a_ceased_plan(world):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    f.make_annual_review(plan=plan, meeting_on=dt.date(2027, 1, 20), recommendation="", who_attended="")
    with pytest.raises(ValidationError) as refused:
        annual_review_book(
            actor=_senco(world), ehc_plan_id=plan.pk, fields=ReviewFields(meeting_on=dt.date(2027, 1, 27))
        )
    assert "already booked for 20 January 2027" in refused.value.message_dict["meeting_on"][0]
    ceased = f.make_ehc_plan(
        world.a.taught_pupil, issued_on=dt.date(2024, 1, 1), status="ceased", ceased_on=dt.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError, match="has ceased"):
        annual_review_book(
            actor=_senco(world), ehc_plan_id=ceased.pk, fields=ReviewFields(meeting_on=dt.date(2027, 1, 5))
        )


def test_it_records_the_review_step_by_step_keeping_each_version(world):
    plan = f.make_ehc_plan(world.a.ehc_pupil)
    review = annual_review_book(
        actor=_senco(world), ehc_plan_id=plan.pk, fields=ReviewFields(meeting_on=dt.date(2026, 11, 30))
    )
    recorded = annual_review_record(
        actor=_senco(world),
        annual_review_id=review.pk,
        version=1,
        fields=ReviewFields(
            meeting_on=dt.date(2026, 11, 30),
            papers_circulated_on=dt.date(2026, 11, 16),
            who_attended="Mother, SENCo",
            parent_views="Settled.",
            recommendation="amend",
            amendments="Add speech and language therapy to section F.",
            report_sent_on=dt.date(2026, 12, 4),
        ),
    )
    assert recorded.recommendation == "amend" and recorded.report_sent_on == dt.date(2026, 12, 4)
    event = AuditEvent.objects.get(action="annual_review.correct")
    assert "report_sent_on" in event.fields and "amendments" in event.fields
    assert "speech" not in str(event.fields)
    with pytest.raises(ValidationError, match="someone else changed this record"):
        annual_review_record(
            actor=_senco(world),
            annual_review_id=review.pk,
            version=1,
            fields=ReviewFields(meeting_on=dt.date(2026, 11, 30)),
        )


def test_it_lets_only_the_senco_record_or_withdraw_a_review(world):
    review = f.make_annual_review(plan=f.make_ehc_plan(world.a.taught_pupil))
    for persona in (world.a.teacher, world.a.head, world.b.senco):
        with pytest.raises(Http404):
            annual_review_withdraw(
                actor=actor_for(persona), annual_review_id=review.pk, version=1, reason="No"
            )
    annual_review_withdraw(actor=_senco(world), annual_review_id=review.pk, version=1, reason="Cancelled")
    review.refresh_from_db()
    assert review.is_withdrawn
    assert AuditEvent.objects.filter(action="annual_review.withdraw", target_id=str(review.pk)).exists()
