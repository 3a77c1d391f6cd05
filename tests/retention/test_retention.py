"""The retention schedule on the demo: records aged past their period are listed by --dry-run, removed by
--apply (exactly those), never while a subject access request or legal hold is open, with audit events."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.audit.models import AuditEvent
from tandem.demo.loader import load_demo
from tandem.jobs.models import JobStatus
from tandem.jobs.services import job_enqueue, job_run
from tandem.people.models import Pupil
from tandem.register.models import SenStatusPeriod
from tandem.retention.jobs import RETENTION_JOB
from tandem.retention.models import LegalHold, RetentionPeriod
from tandem.retention.schedule import born_before, years_after
from tandem.retention.services import SEN_MODELS, _with_sen_records, retention_plan
from tandem.subject_access.models import SubjectAccessRequest
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.datetime.now(dt.UTC).date()


def _aged(pupils: list[Pupil], *, years: int, left: bool) -> None:
    for pupil in pupils:
        pupil.date_of_birth = TODAY.replace(year=TODAY.year - years, month=1, day=1)
        pupil.left_on = TODAY.replace(year=TODAY.year - years + 16, month=7, day=20) if left else None
        pupil.save()


def _sen_rows(pupil_ids: list[object]) -> int:
    return sum(model._default_manager.filter(pupil_id__in=pupil_ids).count() for model in SEN_MODELS)


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in (*SEN_MODELS, Pupil)}


@pytest.fixture
def aged() -> dict[str, list[Pupil]]:
    """Demo pupils made old: SEN pupils past 31 years (two left, one of them with an open request, one with
    a legal hold), leavers past 25 but not 31 with SEN records, and a leaver with none past 25."""
    load_demo(seed=3, as_of=dt.date(2026, 11, 23), schools=1, pupils_per_school=150)
    on_register = SenStatusPeriod.objects.exclude(provision="N").values("pupil_id")
    sen = list(Pupil.objects.filter(pk__in=on_register).order_by("pk")[:6])
    # A leaver with no SEN record at all, and a demo leaver whose status history is only "no SEN" (part of
    # the ordinary pupil record: it goes with the pupil at 25 years).
    plain = [f.make_pupil(school=sen[0].school, forename="Robin", surname="Plainrecord")]
    plain += list(Pupil.objects.exclude(_with_sen_records()).exclude(pk__in=[p.pk for p in sen])[:1])
    assert len(plain) == 2 and SenStatusPeriod.objects.filter(pupil=plain[1], provision="N").exists()
    _aged(sen[:2], years=40, left=True)
    _aged(sen[2:3], years=40, left=False)
    _aged(sen[3:4], years=40, left=True)  # held by an open request
    _aged(sen[4:5], years=28, left=True)  # its SEN records keep it
    _aged(sen[5:6], years=40, left=True)  # held by a legal hold
    _aged(plain, years=28, left=True)
    SubjectAccessRequest.objects.create(
        school=sen[3].school, pupil=sen[3], requester="A solicitor", received_on=TODAY, due_on=TODAY
    )
    LegalHold.objects.create(pupil=sen[5], reason="A claim")
    return {"due_sen": sen[:3], "held": [sen[3], sen[5]], "kept_by_sen": sen[4:5], "due_plain": plain}


def test_it_lists_what_is_due_and_changes_nothing_on_a_dry_run(aged):
    before = _counts()
    out = io.StringIO()

    call_command("retention", "--dry-run", stdout=out)

    expected_sen = _sen_rows([p.pk for p in aged["due_sen"]])
    assert expected_sen > 0
    text = out.getvalue()
    assert f"31 years from date of birth: {expected_sen:,} due, 2 pupil(s) held back" in text
    # Two SEN leavers and the two plain leavers; not the held ones nor the one whose SEN records still run.
    assert "25 years from date of birth: 4 due, 2 pupil(s) held back" in text
    assert _counts() == before
    assert not AuditEvent.objects.filter(action="retention.delete").exists()


def test_it_deletes_exactly_what_was_due_and_records_it(aged):
    due_sen = [p.pk for p in aged["due_sen"]]
    expected_sen = _sen_rows(due_sen)
    held_rows = _sen_rows([p.pk for p in aged["held"]])
    n_only_rows = _sen_rows([aged["due_plain"][1].pk])
    before = _counts()

    call_command("retention", "--apply", stdout=io.StringIO())

    after = _counts()
    removed_sen = sum(before[m._meta.label] - after[m._meta.label] for m in SEN_MODELS)
    # The SEN records due, and the "no SEN" history that went with its leaver's record.
    assert removed_sen == expected_sen + n_only_rows
    assert _sen_rows(due_sen) == 0
    assert _sen_rows([p.pk for p in aged["held"]]) == held_rows  # untouched while the request is open
    gone = {*due_sen[:2], *(p.pk for p in aged["due_plain"])}
    assert before["people.Pupil"] - after["people.Pupil"] == 4
    assert not Pupil.objects.filter(pk__in=gone).exists()
    assert (
        Pupil.objects.filter(pk__in=[due_sen[2], *[p.pk for p in aged["held"] + aged["kept_by_sen"]]]).count()
        == 4
    )
    events = dict(
        AuditEvent.objects.filter(action="retention.delete").values_list("target_type", "target_id")
    )
    assert events == {"retention:sen_records": str(expected_sen), "retention:pupil": "4"}
    # Nothing is due the second time.
    assert sum(retention_plan(school=aged["due_sen"][0].school).due.values()) == 0


def test_it_deletes_once_the_request_is_answered_and_the_hold_released(aged):
    call_command("retention", "--apply", stdout=io.StringIO())
    SubjectAccessRequest.objects.update(status="answered", answered_on=TODAY)
    LegalHold.objects.update(released_at=dt.datetime.now(dt.UTC))

    call_command("retention", "--apply", stdout=io.StringIO())

    assert not Pupil.objects.filter(pk__in=[p.pk for p in aged["held"]]).exists()


def test_it_follows_a_trusts_own_longer_period(aged):
    school = aged["due_sen"][0].school
    RetentionPeriod.objects.create(trust=school.trust, record_type="sen_records", years=50)
    RetentionPeriod.objects.create(trust=school.trust, record_type="pupil", years=50)

    plan = retention_plan(school=school)

    assert plan.years == {"sen_records": 50, "pupil": 50}
    assert plan.due == {"sen_records": 0, "pupil": 0}


def test_it_runs_as_the_monthly_job(aged):
    job = job_enqueue(kind=RETENTION_JOB, actor=None, school_id=None)

    job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.outcome.startswith("Deleted ")
    assert not Pupil.objects.filter(pk=aged["due_plain"][0].pk).exists()


def test_it_refuses_an_unknown_school():
    with pytest.raises(CommandError, match="No school has id 999"):
        call_command("retention", "--dry-run", "--school", "999")


def test_it_counts_periods_from_the_date_of_birth_across_leap_days():
    assert years_after(dt.date(2000, 2, 29), 25) == dt.date(2025, 2, 28)
    assert born_before(dt.date(2024, 2, 29), 31) == dt.date(1993, 2, 28)
    assert born_before(dt.date(2026, 12, 7), 31) == dt.date(1995, 12, 7)


def test_it_sets_a_trusts_period_from_the_command_line_and_refuses_nonsense(aged):
    trust = aged["due_sen"][0].school.trust
    out = io.StringIO()

    call_command("retention", "--set", "sen_records=35", "--trust", str(trust.pk), stdout=out)

    assert "now kept 35 years" in out.getvalue()
    assert RetentionPeriod.objects.get(trust=trust, record_type="sen_records").years == 35
    assert AuditEvent.objects.filter(action="retention.period", target_id=str(trust.pk)).exists()
    call_command("retention", "--set", "sen_records=default", "--trust", str(trust.pk), stdout=out)
    assert not RetentionPeriod.objects.exists()
    for change, message in [
        ("sen_records=0", "between 1 and 100"),
        ("sen_records=ten", "whole number"),
        ("x=3", "Say which records"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("retention", "--set", change, "--trust", str(trust.pk))


def test_it_places_and_releases_a_legal_hold_from_the_command_line(aged):
    pupil = aged["due_sen"][2]
    school = str(pupil.school_id)

    call_command(
        "retention", "--hold", pupil.upn, "--school", school, "--reason", "A claim", stdout=io.StringIO()
    )

    assert retention_plan(school=pupil.school).held["sen_records"] == 3
    with pytest.raises(CommandError, match="Say why"):
        call_command("retention", "--hold", pupil.upn, "--school", school)
    call_command("retention", "--release", pupil.upn, "--school", school, stdout=io.StringIO())
    assert retention_plan(school=pupil.school).held["sen_records"] == 2
    actions = list(AuditEvent.objects.filter(target_id=str(pupil.pk)).values_list("action", flat=True))
    assert "retention.hold" in actions and "retention.release" in actions


def test_it_is_queued_on_the_first_of_each_month_only():
    from tandem.jobs.models import Job
    from tandem.jobs.schedule import schedule_due

    jobs = Job.objects.filter(kind=RETENTION_JOB)
    schedule_due(now=dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC))
    assert not jobs.exists()
    schedule_due(now=dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC))
    schedule_due(now=dt.datetime(2027, 1, 1, 5, 0, tzinfo=dt.UTC))
    assert jobs.count() == 1
