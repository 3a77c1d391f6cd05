"""Loading the demo into the database, the sign-ins it prints, and the `demo` command."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.assessment.models import Assessment
from tandem.audit.models import AuditEvent
from tandem.demo import generator
from tandem.demo.loader import DemoRefused, demo_logins, load_demo
from tandem.people.models import Enrolment, GroupStaff, Membership, Pupil, TeachingGroup, User
from tandem.register.models import SenNeed, SenStatusPeriod
from tandem.schools.models import AcademicYear, AssessmentWindow, School
from tests import factories as f

AS_OF = dt.date(2026, 3, 20)
SMALL = {"seed": 3, "as_of": AS_OF, "schools": 2, "pupils_per_school": 60}

pytestmark = pytest.mark.django_db


def _load(**overrides: object):
    return load_demo(**{**SMALL, **overrides})  # type: ignore[arg-type]


def test_it_writes_every_generated_row():
    report = _load()
    data = generator.generate(**SMALL)  # type: ignore[arg-type]
    counts = data.counts()
    assert School.objects.count() == counts["schools"] == 2
    assert AssessmentWindow.objects.count() == counts["assessment windows"] == 18
    # Staff come from the generator; parents and carers are added after (tandem/demo/partners.py).
    assert User.objects.exclude(memberships__role="parent").count() == counts["staff"]
    assert Membership.objects.exclude(role="parent").count() == counts["memberships"]
    assert Pupil.objects.count() == counts["pupils"] == 120
    assert TeachingGroup.objects.count() == counts["teaching groups"]
    assert GroupStaff.objects.count() == counts["group staff"]
    assert Enrolment.objects.count() == counts["enrolments"]
    assert SenStatusPeriod.objects.count() == counts["SEN periods"]
    # The census problems planted after (tandem/demo/census.py) add a few needs.
    added = report.rows["SEN needs added for census problems"]
    assert SenNeed.objects.count() == counts["SEN needs"] + added == counts["SEN needs"] + 3 * 2
    assert Assessment.objects.count() == counts["assessments"] > 1000
    assert set(AcademicYear.objects.values_list("start_year", flat=True)) == set(data.academic_years)
    assert report.rows["assessments"] == counts["assessments"]
    assert report.rows["pupils"] == 120
    assert report.seconds > 0
    assert 0 < report.summary["SEN support (K) %"] < 30


def test_it_records_one_audit_event_for_the_whole_load():
    report = _load()
    events = list(AuditEvent.objects.all())
    assert len(events) == 1
    assert events[0].action == "demo.load"
    assert events[0].target_type == "trust"
    assert events[0].target_id == str(report.trust_id)
    assert events[0].actor_id is None


def test_it_stores_values_exactly_as_generated():
    _load()
    data = generator.generate(**SMALL)  # type: ignore[arg-type]
    a = data.assessments
    index = {pid: i for i, pid in enumerate(data.pupils.id)}
    checked = 0
    for row in Assessment.objects.select_related("window", "scale").order_by("id")[:300]:
        i = index[row.pupil_id]
        matches = [
            j
            for j in range(len(a.pupil))
            if a.pupil[j] == i
            and generator.SUBJECTS[a.subject[j]] == row.subject_id
            and generator.SCALES[a.scale[j]] == row.scale_id
            and data.windows.opens_on[a.window[j]].item() == row.window.opens_on
        ]
        assert len(matches) == 1
        j = matches[0]
        assert row.result == a.result[j]
        assert row.points == a.points[j]
        assert row.assessed_on == a.assessed_on[j].item()
        assert row.year_group == a.year_group[j]
        assert row.source == "demo"
        checked += 1
    assert checked == 300
    pupil = Pupil.objects.get(id=data.pupils.id[0])
    assert pupil.upn == data.pupils.upn[0]
    assert pupil.date_of_birth == data.pupils.date_of_birth[0].item()
    assert pupil.pupil_premium == bool(data.pupils.pupil_premium[0])


def test_it_keeps_the_register_consistent():
    _load()
    assert SenStatusPeriod.objects.filter(ends_on__isnull=True).count() == Pupil.objects.count()
    on_register = set(
        SenStatusPeriod.objects.filter(ends_on__isnull=True, provision__in=["K", "E"]).values_list(
            "pupil_id", flat=True
        )
    )
    with_need = set(SenNeed.objects.filter(ends_on__isnull=True, rank=1).values_list("pupil_id", flat=True))
    # But for the census problems planted at each school (tandem/demo/census.py): one pupil on the register
    # with no primary need, one not on it with a need left open.
    assert len(on_register - with_need) == len(with_need - on_register) == 2


def test_it_credits_results_to_real_demo_users():
    _load()
    entered = Assessment.objects.exclude(entered_by=None)
    assert entered.exists()
    assert not entered.exclude(entered_by__email__endswith=generator.DEMO_EMAIL_DOMAIN).exists()
    row = entered.select_related("entered_by").first()
    assert row is not None
    assert GroupStaff.objects.filter(user=row.entered_by, role="teacher").exists()


def test_it_gives_every_demo_user_the_demo_password():
    _load()
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    user = User.objects.order_by("id").first()
    assert user is not None
    assert user.check_password(settings.TANDEM_DEMO_PASSWORD)
    assert not user.check_password("wrong password")


def test_it_refuses_a_database_that_already_has_schools():
    f.make_school(name="A Real School")
    with pytest.raises(DemoRefused, match="fresh database"):
        _load()
    assert not Pupil.objects.exists()
    assert not User.objects.exists()
    assert not AuditEvent.objects.filter(action="demo.load").exists()


def test_it_refuses_to_load_twice():
    _load()
    with pytest.raises(DemoRefused):
        _load()
    assert School.objects.count() == 2


def test_it_lists_one_sign_in_per_role_per_school_and_the_trust_roles():
    _load()
    logins = demo_logins()
    assert len(logins) == 2 * 6 + 3
    assert all(email.endswith(f".{generator.DEMO_EMAIL_DOMAIN}") for email, _, _ in logins)
    roles = [role for _, role, _ in logins]
    assert roles[:6] == [
        "SENCo",
        "Head or senior leader",
        "School admin (data and IT)",
        "Class teacher (Year 4)",
        "Teaching assistant",
        "Parent or carer",
    ]
    assert roles[9] == "Maths teacher"
    assert roles[11] == "Parent or carer"
    assert roles[-3:] == ["Trust SEND lead", "Trust admin", "Trust data protection officer"]
    primary, secondary = School.objects.order_by("id")
    assert {place for _, _, place in logins[:6]} == {primary.name}
    assert {place for _, _, place in logins[6:12]} == {secondary.name}
    assert all(logins[i][0].startswith("parent.001@families.") for i in (5, 11))
    year4 = User.objects.get(email=logins[3][0])
    assert GroupStaff.objects.filter(
        user=year4, role="teacher", group__year_group=4, group__kind="class"
    ).exists()
    maths = User.objects.get(email=logins[9][0])
    assert GroupStaff.objects.filter(user=maths, role="teacher", group__subject_id="maths").exists()
    assert not Membership.objects.filter(user=maths, role="senco").exists()


def test_it_lists_no_sign_ins_without_a_demo():
    f.make_membership(user=f.make_user(email="real@school.example"), role="senco", school=f.make_school())
    assert demo_logins() == []


def test_it_runs_as_the_demo_command():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "demo", "--schools", "2", "--pupils-per-school", "60", "--as-of", "2026-03-20", stdout=out, stderr=err
    )
    assert Pupil.objects.count() == 120
    text = out.getvalue()
    assert "Built the demo trust in" in text
    assert re.search(r"assessments\s+[\d,]+", text)
    assert f"password for all of them is {settings.TANDEM_DEMO_PASSWORD}" in text
    assert "Class teacher (Year 4)" in text
    progress = err.getvalue()
    assert "Writing 120 pupils" in progress
    assert "assessment results" in progress
    # Progress lines carry counts, never a name.
    words = set(re.findall(r"[^\W\d_]+", progress))
    assert not words & (set(generator.SURNAMES) | set(generator.FORENAMES))


def test_it_explains_why_the_command_refuses():
    f.make_school()
    with pytest.raises(CommandError, match="already has schools"):
        call_command("demo", "--pupils-per-school", "60", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize(
    "args",
    [["--as-of", "20/03/2026"], ["--schools", "0"], ["--pupils-per-school", "three"]],
)
def test_it_rejects_bad_options(args):
    with pytest.raises(CommandError):
        call_command("demo", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not School.objects.exists()
