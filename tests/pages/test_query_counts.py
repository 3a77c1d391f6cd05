"""List pages run the same number of SQL queries for 10 pupils as for 500."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.assessment.models import Assessment
from tandem.people.models import Enrolment, Pupil
from tandem.register.models import SenNeed, SenStatusPeriod
from tests import factories as f

NEEDS = ["SLCN", "SEMH", "ASD", "MLD", "SPLD"]


def _school_with(n: int):
    trust = f.make_trust(name=f"Trust {n}")
    school = f.make_school(name=f"School {n}", trust=trust)
    people = {}
    for role in ("teacher", "senco", "head", "school_admin", "teaching_assistant", "dpo"):
        user = f.make_user(email=f"{role}.{n}@test.example", full_name=f"{role} {n}")
        f.make_membership(user=user, role=role, school=school)
        people[role] = user
    lead = f.make_user(email=f"lead.{n}@test.example", full_name="Lead")
    f.make_membership(user=lead, role="trust_send_lead", trust=trust)
    people["trust_send_lead"] = lead
    group = f.make_group(
        school=school, name="4Q", teachers=[people["teacher"]], supporters=[people["teaching_assistant"]]
    )
    pupils = Pupil.objects.bulk_create(
        Pupil(
            school=school,
            legal_forename="Query",
            legal_surname=f"Counted{i}",
            year_group=4,
            date_of_birth=dt.date(2016, 5, 1),
            sex="F",
            upn=f.valid_upn(i % 1000, estab=f"{n:04d}"),
        )
        for i in range(n)
    )
    start = timezone.localdate() - dt.timedelta(days=60)
    Enrolment.objects.bulk_create(Enrolment(group=group, pupil=p, starts_on=start) for p in pupils)
    SenStatusPeriod.objects.bulk_create(
        SenStatusPeriod(pupil=p, school=school, provision="KE"[i % 2], starts_on=start)
        for i, p in enumerate(pupils)
        if i % 3 == 0
    )
    SenNeed.objects.bulk_create(
        SenNeed(pupil=p, school=school, need_type_id=NEEDS[i % 5], rank=1, starts_on=start)
        for i, p in enumerate(pupils)
        if i % 3 == 0
    )
    window = f.make_window(school=school, start_year=2025, term="summer")
    f.make_progress_run(
        school=school,
        results=(
            {
                "pupil": p,
                "subject_id": "maths",
                "window": window,
                "flagged": i % 3 == 0,
                "is_current": True,
                "peers": int(i % 3 == 0),
                "reasons": {"peers": "Slower than peers."} if i % 3 == 0 else {},
            }
            for i, p in enumerate(pupils)
        ),
    )
    today = timezone.localdate()
    igroup = f.make_intervention_group(deliverer=people["teaching_assistant"])
    for i, p in enumerate(pupils):
        if i % 3:
            continue
        # Every list on the to-do and compliance pages has rows: due, overdue, unread, waiting.
        f.make_concern(p)
        f.make_first_response(p, review_on=today - dt.timedelta(days=1))
        plan = f.make_plan(p, review_on=today + dt.timedelta(days=5))
        f.make_target(plan=plan, due_on=today + dt.timedelta(days=5))
        f.make_passport(p)
        f.make_placement(group=igroup, pupil=p, teacher=people["teacher"])
    f.make_session_log(group=igroup)  # one log, about every placed pupil, waiting for the teacher
    for i in range(max(1, n // 25)):
        f.make_import(school)
        f.make_intervention(school)
        f.make_subject_access_request(pupils[i])
    Assessment.objects.bulk_create(
        Assessment(
            school=school,
            pupil=p,
            subject_id="reading",
            window=window,
            scale_id="standardised",
            assessed_on=dt.date(2026, 6, 10),
            year_group=4,
            result="100",
            points=100,
        )
        for p in pupils
    )
    return people, group


PAGES = [
    ("teacher", "home"),
    ("teaching_assistant", "home"),
    ("senco", "home"),
    ("head", "home"),
    ("school_admin", "home"),
    ("trust_send_lead", "home"),
    ("senco", "pupil_list"),
    ("teacher", "pupil_list"),
    ("senco", "register"),
    ("senco", "register?status=E"),
    ("senco", "pupil_list?need=SEMH&year=4"),
    ("senco", "pupil_list?q=query+counted&sort=status&dir=desc"),
    ("senco", "register?sort=need&page=2"),
    ("senco", "group_list"),
    ("senco", "group"),
    ("head", "staff"),
    ("head", "staff?q=teacher&sort=role&dir=desc"),
    ("trust_send_lead", "register"),
    ("teacher", "progress_list"),
    ("senco", "progress_list"),
    ("senco", "progress_list?sort=year&dir=desc&first_page=2"),
    ("senco", "progress_summary"),
    ("teacher", "progress_summary"),
    ("teacher", "to_do"),
    ("teaching_assistant", "to_do"),
    ("senco", "to_do"),
    ("teacher", "to_do?by=pupil"),
    ("senco", "compliance"),
    ("head", "compliance"),
    ("senco", "provision_map"),
    ("senco", "intervention_list"),
    ("senco", "intervention_list?q=reading&sort=cost&dir=desc"),
    ("school_admin", "import_list"),
    ("school_admin", "import_list?sort=kind&dir=desc&page=2"),
    ("dpo", "subject_access_list"),
    ("dpo", "subject_access_list?sort=status&page=2"),
    ("senco", "export_list"),
    ("senco", "export_roll"),
    ("teacher", "export_roll"),
    ("senco", "export_register"),
    ("senco", "export_marks"),
    ("senco", "export_flags"),
    ("senco", "export_roll?format=xlsx"),
    ("senco", "transfer"),
]


def _queries(client, people, group, role: str, page: str) -> int:
    client.force_login(people[role])
    name, _, query = page.partition("?")
    url = reverse("group_detail", args=[group.pk]) if name == "group" else reverse(name)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("role, page", PAGES)
def test_it_runs_a_bounded_number_of_queries(client, role, page):
    small = _school_with(10)
    large = _school_with(500)
    few = _queries(client, *small, role, page)
    many = _queries(client, *large, role, page)
    assert few == many, f"{page} as {role}: {few} queries for 10 pupils, {many} for 500"
    # The compliance page counts fifteen things the Code asks for, one query each; the head's and SENCo's
    # home pages add five tiles, the progress gaps and a table per teacher to the register summary.
    many_pages = page == "compliance" or (page == "home" and role in ("head", "senco"))
    assert many <= (30 if many_pages else 20)
