"""The transferable support plan (tandem-plan-1): the export validates against the published schema and
carries nothing internal; a plan exported at one school and brought in at another for the pupil with the same
UPN is the same plan; bad files are refused with the reason and nothing written; leavers' plans go beside
their Common Transfer File."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.exchange.ctf import parse_ctf
from tandem.lib.plan_schema import schema_text
from tandem.people.models import GroupStaff, GroupStaffRole
from tandem.plans.models import NextStep, SupportPlan, Target, TargetProgress
from tandem.plans.transfer import MAX_FILE_BYTES, plan_import
from tests import factories as f
from tests.once import with_form_token

TODAY = timezone.localdate()
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "tandem-plan-1.schema.json"
PLAN_FIELDS = (
    "summary",
    "strengths",
    "needs",
    "pupil_views",
    "parent_views",
    "strategies",
    "interventions",
    "expected_impact",
    "starts_on",
    "review_on",
    "layer",
    "plan_type",
    "need_identified_on",
    "agreed_on",
    "parent_participation",
    "parent_participation_reason",
    "pupil_participation",
    "pupil_participation_reason",
    "reviewed_on",
    "review_summary",
    "review_pupil_views",
    "review_parent_views",
    "next_step",
)
TARGET_FIELDS = ("skill", "measure", "baseline", "success_criterion", "due_on", "outcome")


def _plan_with_targets(pupil, **fields):
    """A plan with two targets, progress (with evidence), a Do record and progress figures: the internal
    parts the file must leave behind."""
    values = {
        "layer": "targeted_plus",
        "need_identified_on": TODAY - dt.timedelta(days=40),
        "agreed_on": TODAY - dt.timedelta(days=12),
        "parent_participation": "call",
        "pupil_participation": "none",
        "pupil_participation_reason": "Too anxious to join; views from her key adult.",
        "evidence": "SECRET-EVIDENCE standardised score 78",
        "do_notes": "SECRET-DO note about a hard week",
        "progress_snapshot": [{"evidence": "SECRET-SNAPSHOT percentile 12"}],
        "interventions": "Reading catch-up\nSpeech and language therapist (termly)",
        "other_interventions": "Speech and language therapist (termly)",
        **fields,
    }
    plan = f.make_plan(pupil, **values)
    first = f.make_target(plan=plan)
    f.make_target(plan=plan, skill="Ask for help with a card", due_on=plan.review_on - dt.timedelta(days=7))
    for days, note in ((20, "Read 31 of 64 words."), (5, "Read 40 of 64 words.")):
        TargetProgress.objects.create(
            target=first,
            pupil=pupil,
            school=pupil.school,
            recorded_on=TODAY - dt.timedelta(days=days),
            note=note,
            evidence="SECRET-PROGRESS-EVIDENCE running record",
            recorded_by=plan.accountable_teacher,
        )
    return plan


def _export(client, user, plan) -> bytes:
    client.force_login(user)
    response = client.get(reverse("plan_export", args=[plan.pk]))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    return response.content


def _same_pupil_at(world, school):
    """The pupil world.a.taught_pupil, moved to `school` (world.b): same UPN, in its class, on SEN support."""
    source = world.a.taught_pupil
    pupil = f.make_pupil(
        school=school.school, forename="Kai", surname="SentinelaSupport", upn=source.upn, year_group=4
    )
    f.enrol(group=school.group, pupils=[pupil])
    f.set_sen_status(pupil=pupil, provision="K", need_codes=["SLCN"])
    return pupil


def _import_page(client, user, pupil, content: bytes, name: str = "plan.json"):
    client.force_login(user)
    upload = SimpleUploadedFile(name, content, content_type="application/json")
    return client.post(
        reverse("plan_import", args=[pupil.pk]), with_form_token({"file": upload}, user), format="multipart"
    )


# ---------------------------------------------------------------- the export
def test_it_publishes_the_schema_it_validates_with():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_it_exports_a_plan_that_validates_against_the_published_schema_and_holds_nothing_internal(
    client, world
):
    plan = _plan_with_targets(world.a.taught_pupil)
    content = _export(client, world.a.senco, plan)
    document = json.loads(content)
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    assert document["school"] == {"name": world.a.school.name, "urn": world.a.school.urn}
    assert document["pupil"]["upn"] == world.a.taught_pupil.upn
    assert [len(t["progress"]) for t in document["targets"]] == [0, 2] or [
        len(t["progress"]) for t in document["targets"]
    ] == [2, 0]
    text = content.decode()
    assert "SECRET" not in text and "@" not in text  # no evidence, Do notes, figures or staff emails
    assert world.a.teacher.full_name not in text
    event = AuditEvent.objects.get(action="export.support_plan")
    assert (event.target_id, event.actor_id) == (str(plan.pk), world.a.senco.pk)


def test_it_lets_a_teacher_export_their_pupils_plan_but_not_another_school_or_an_untaught_pupils(
    client, world
):
    mine = f.make_plan(world.a.taught_pupil)
    _export(client, world.a.teacher, mine)
    for other in (f.make_plan(world.b.taught_pupil), f.make_plan(world.a.untaught_pupil)):
        assert client.get(reverse("plan_export", args=[other.pk])).status_code == 404
    client.force_login(world.a.ta)
    assert (
        client.get(reverse("plan_export", args=[f.make_plan(world.a.untaught_pupil).pk])).status_code == 404
    )


def test_it_sends_no_file_for_a_pupil_without_a_upn_and_says_why(client, world):
    pupil = world.a.taught_pupil
    pupil.upn = ""
    pupil.save()
    plan = f.make_plan(pupil)
    client.force_login(world.a.senco)
    response = client.get(reverse("plan_export", args=[plan.pk]), follow=True)
    assert "This pupil has no UPN" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export.support_plan").exists()


# ---------------------------------------------------------------- the round trip
def test_it_brings_a_plan_from_school_a_into_school_b_unchanged(client, world):
    source = _plan_with_targets(world.a.taught_pupil)
    content = _export(client, world.a.senco, source)
    pupil = _same_pupil_at(world, world.b)

    response = _import_page(client, world.b.senco, pupil, content)

    imported = SupportPlan.objects.get(pupil=pupil)
    assert response.status_code == 302 and response["Location"] == reverse("plan_detail", args=[imported.pk])
    for name in PLAN_FIELDS:
        assert getattr(imported, name) == getattr(source, name), name
    assert (imported.cycle, imported.school_id) == (1, world.b.school.pk)
    # The SENCo does not teach the pupil: the class teacher at school B answers for the plan.
    assert imported.accountable_teacher_id == world.b.teacher.pk
    assert imported.imported_from.startswith(
        f"Imported from {world.a.school.name} (URN {world.a.school.urn})"
    )
    assert (imported.evidence, imported.do_notes, imported.progress_snapshot) == ("", "", [])
    theirs = list(source.targets.order_by("due_on", "created_at"))
    ours = list(imported.targets.order_by("due_on", "created_at"))
    assert len(ours) == len(theirs) == 2
    for mine, original in zip(ours, theirs, strict=True):
        for name in TARGET_FIELDS:
            assert getattr(mine, name) == getattr(original, name), name
        assert mine.accountable_teacher_id == world.b.teacher.pk
        assert [(p.recorded_on, p.note, p.evidence) for p in mine.progress.order_by("recorded_on")] == [
            (p.recorded_on, p.note, "") for p in original.progress.order_by("recorded_on")
        ]
    event = AuditEvent.objects.get(action="support_plan.import")
    assert event.target_id == str(imported.pk) and event.school_id == world.b.school.pk
    assert {"layer", "parent_participation", "targets", "targets.progress"} <= set(event.fields)
    page = client.get(reverse("plan_detail", args=[imported.pk])).content.decode()
    assert "Imported from School A" in page and "Targeted plus" in page


def test_it_brings_a_reviewed_plan_with_its_review_and_outcomes(client, world):
    source = _plan_with_targets(
        world.a.taught_pupil,
        reviewed_on=TODAY - dt.timedelta(days=1),
        review_summary="Most targets met.",
        review_pupil_views="Reading is easier.",
        review_parent_views="Much happier.",
        next_step=NextStep.NEW_CYCLE,
    )
    Target.objects.filter(plan=source).update(outcome="partly")
    pupil = _same_pupil_at(world, world.b)
    f.make_plan(pupil, reviewed_on=TODAY, next_step="continue")  # an earlier, closed cycle at school B
    # The SENCo at school B teaches the pupil's class too: the importer answers for the plan.
    senco = world.b.senco
    f.make_membership(user=senco, role="teacher", school=world.b.school)
    GroupStaff.objects.create(group=world.b.group, user=senco, role=GroupStaffRole.TEACHER)
    data = _export(client, world.a.senco, source)
    plan = plan_import(actor=actor_for(senco), pupil_id=pupil.pk, data=data)
    assert plan.cycle == 2 and plan.accountable_teacher_id == senco.pk
    for name in PLAN_FIELDS:
        assert getattr(plan, name) == getattr(source, name), name
    assert set(plan.targets.values_list("outcome", flat=True)) == {"partly"}


# ---------------------------------------------------------------- refusals, nothing written
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json {", "it is not JSON (line 1, column 1)"),
        (b"\xff\xfe\x00", "it is not text"),
        (b'{"schema": "something-else"}', "is not a tandem-plan-1 support plan file"),
        (b'{"schema": "tandem-plan-1", "schema_version": "9.0"}', "Tandem reads version 1.0"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_plan_file(client, world, content, message):
    pupil = world.a.taught_pupil
    response = _import_page(client, world.a.senco, pupil, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_it_names_the_field_a_file_gets_wrong_and_writes_nothing(client, world):
    document = json.loads(_export(client, world.a.senco, _plan_with_targets(world.a.taught_pupil)))
    SupportPlan.objects.all().delete()
    document["plan"]["layer"] = "enormous"
    del document["targets"][0]["due_on"]
    document["plan"]["do_notes"] = "Internal"
    response = _import_page(client, world.a.senco, world.a.taught_pupil, json.dumps(document).encode())
    page = response.content.decode()
    assert response.status_code == 400
    assert "plan.do_notes: this field is not part of a tandem-plan-1 file." in page
    assert (
        "plan.layer: &quot;enormous&quot; is not one of: universal, targeted, targeted_plus, specialist."
        in page
    )
    assert "targets[0].due_on: this field is missing." in page
    assert not SupportPlan.objects.exists() and not Target.objects.exists()


def test_it_refuses_a_file_for_another_pupil(client, world):
    content = _export(client, world.a.senco, f.make_plan(world.a.ehc_pupil))
    SupportPlan.objects.all().delete()
    response = _import_page(client, world.a.senco, world.a.taught_pupil, content)
    assert response.status_code == 400
    assert f"This file is for the pupil with UPN {world.a.ehc_pupil.upn}, not this pupil" in (
        response.content.decode()
    )
    assert not SupportPlan.objects.exists()


def test_it_refuses_a_file_over_the_size_limit_without_reading_it_whole(client, world):
    content = b'{"schema": "tandem-plan-1", "padding": "' + b"x" * MAX_FILE_BYTES + b'"}'
    response = _import_page(client, world.a.senco, world.a.taught_pupil, content)
    assert response.status_code == 400
    assert "This file is too big for a plan file: the limit is 1 MB." in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_it_writes_nothing_when_a_check_fails_after_the_schema(client, world):
    source = _plan_with_targets(world.a.taught_pupil)
    document = json.loads(_export(client, world.a.senco, source))
    pupil = _same_pupil_at(world, world.b)
    document["plan"]["review_on"] = (source.starts_on + dt.timedelta(days=400)).isoformat()
    response = _import_page(client, world.b.senco, pupil, json.dumps(document).encode())
    assert response.status_code == 400
    assert "plan.review_on: Review the plan at least once a year" in response.content.decode()
    document = json.loads(_export(client, world.a.senco, source))
    document["plan"]["plan_type"] = "isp"
    response = _import_page(client, world.b.senco, pupil, json.dumps(document).encode())
    assert "plan.plan_type: The Individual Support Plan is proposed" in response.content.decode()
    f.make_plan(pupil)  # an open plan at school B: review or withdraw it first
    response = _import_page(client, world.b.senco, pupil, _export(client, world.a.senco, source))
    assert "already has an open plan here" in response.content.decode()
    assert SupportPlan.objects.filter(pupil=pupil).count() == 1
    assert not Target.objects.filter(pupil=pupil).exists()
    assert not AuditEvent.objects.filter(action="support_plan.import").exists()


def test_it_answers_another_schools_pupil_and_a_teaching_assistant_as_not_found(client, world):
    content = _export(client, world.a.senco, f.make_plan(world.a.taught_pupil))
    client.force_login(world.a.senco)
    assert client.get(reverse("plan_import", args=[world.b.taught_pupil.pk])).status_code == 404
    response = _import_page(client, world.a.senco, world.b.taught_pupil, content)
    assert response.status_code == 404
    client.force_login(world.a.ta)
    assert client.get(reverse("plan_import", args=[world.a.taught_pupil.pk])).status_code == 404
    assert _import_page(client, world.a.ta, world.a.taught_pupil, content).status_code == 404
    assert SupportPlan.objects.count() == 1


def test_it_offers_the_import_on_the_support_record_and_the_export_on_the_plan(client, world):
    plan = f.make_plan(world.a.ehc_pupil)
    client.force_login(world.a.senco)
    record = client.get(reverse("pupil_timeline", args=[world.a.taught_pupil.pk])).content.decode()
    assert reverse("plan_import", args=[world.a.taught_pupil.pk]) in record
    page = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert reverse("plan_export", args=[plan.pk]) in page
    form = client.get(reverse("plan_import", args=[world.a.taught_pupil.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form


# ---------------------------------------------------------------- leavers
def test_it_sends_each_leavers_plan_beside_their_ctf_in_a_zip(client, world):
    leaver = world.a.taught_pupil
    plan = _plan_with_targets(leaver)
    leaver.left_on = TODAY - dt.timedelta(days=3)
    leaver.save()
    client.force_login(world.a.senco)
    since = (TODAY - dt.timedelta(days=30)).isoformat()
    response = client.post(reverse("transfer"), {"left_since": since})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="XXXXXXX_CTF_MMMMMMM_001.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    plan_name = f"support-plans/support-plan-{leaver.upn}-cycle-{plan.cycle}.json"
    assert set(archive.namelist()) == {"README.txt", plan_name, "XXXXXXX_CTF_MMMMMMM_001.xml"}
    assert [p.upn for p in parse_ctf(archive.read("XXXXXXX_CTF_MMMMMMM_001.xml")).pupils] == [leaver.upn]
    document = json.loads(archive.read(plan_name))
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    readme = archive.read("README.txt").decode()
    assert "Bring in a plan" in readme and "tandem-plan-1" in readme and leaver.legal_surname not in readme
    assert "support-plans/" in response["X-Tandem-Notes"]
    assert AuditEvent.objects.filter(action="support_plan.transfer", target_id=str(plan.pk)).count() == 1


def test_it_keeps_the_admins_leaver_ctf_plain_xml(client, world):
    leaver = world.a.taught_pupil
    f.make_plan(leaver)
    leaver.left_on = TODAY - dt.timedelta(days=3)
    leaver.save()
    client.force_login(world.a.admin)
    response = client.post(reverse("transfer"), {"left_since": (TODAY - dt.timedelta(days=30)).isoformat()})
    assert response["Content-Type"] == "application/xml"
    assert not AuditEvent.objects.filter(action="support_plan.transfer").exists()
