"""The Ofsted inclusion pack: the pupil lists inspectors ask for and one pupil's trail (page and PDF)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.ofsted.selectors import inspection_lists, inspection_trail
from tandem.schools.models import AssessmentWindow
from tests import factories as f

TODAY = timezone.localdate()


def _ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def _urls(pupil: Any) -> list[str]:
    return [
        reverse("inspection"),
        reverse("inspection_trail", args=[pupil.pk]),
        reverse("inspection_trail_pdf", args=[pupil.pk]),
    ]


def _flag(school: Any, pupils: list[Any]) -> None:
    """A finished analysis whose newest window (opened in the autumn) flags these pupils in maths."""
    start_year = TODAY.year if TODAY.month >= 9 else TODAY.year - 1
    window = AssessmentWindow.objects.filter(
        school=school, academic_year__start_year=start_year, term="autumn"
    ).first() or f.make_window(school=school, start_year=start_year, term="autumn")
    f.make_progress_run(
        school=school,
        results=[
            {
                "pupil": p,
                "subject_id": "maths",
                "window": window,
                "percentile": 10,
                "peers": 1,
                "flagged": True,
                "is_current": True,
                "reasons": {"peers": "Slower than peers."},
            }
            for p in pupils
        ],
    )


# ---------------------------------------------------------------- who may see it
@pytest.mark.parametrize("persona", ["senco", "head"])
def test_it_shows_the_pack_to_the_senco_and_the_head(client, world, persona):
    client.force_login(getattr(world.a, persona))
    for url in _urls(world.a.taught_pupil):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["teacher", "ta", "admin", "dpo", "parent"])
def test_it_refuses_other_roles_with_a_404(client, world, persona):
    client.force_login(getattr(world.a, persona))
    for url in _urls(world.a.taught_pupil):
        assert client.get(url).status_code == 404, (persona, url)


def test_it_refuses_another_schools_pupil_with_a_404(client, world):
    client.force_login(world.a.senco)
    for url in _urls(world.b.taught_pupil)[1:]:
        assert client.get(url).status_code == 404
    assert client.get(reverse("inspection_trail", args=[world.missing_id])).status_code == 404


def test_it_links_the_pack_from_the_compliance_page_and_the_pupil_page(client, world):
    client.force_login(world.a.senco)
    assert reverse("inspection") in client.get(reverse("compliance")).content.decode()
    trail = reverse("inspection_trail", args=[world.a.taught_pupil.pk])
    assert trail in client.get(reverse("pupil_detail", args=[world.a.taught_pupil.pk])).content.decode()
    client.force_login(world.a.teacher)
    assert trail not in client.get(reverse("pupil_detail", args=[world.a.taught_pupil.pk])).content.decode()


# ---------------------------------------------------------------- the lists
def test_it_lists_pupils_by_the_groups_inspectors_ask_about(client, world):
    a = world.a
    f.make_inclusion_placement(a.ehc_pupil)
    f.make_inclusion_placement(a.untaught_pupil, starts_on=_ago(60), ends_on=_ago(30), return_on=_ago(30))
    newcomer = f.make_pupil(school=a.school, forename="Noor", surname="SentinelaFlagged")
    answered = f.make_pupil(school=a.school, forename="Ada", surname="SentinelaAnswered")
    _flag(a.school, [newcomer, answered, a.taught_pupil])
    f.make_first_response(answered, starts_on=TODAY, review_on=TODAY + dt.timedelta(days=20))
    _flag(world.b.school, [world.b.taught_pupil])

    lists = {x.key: x for x in inspection_lists(actor=actor_for(a.senco)).lists}

    def names(key: str) -> set[str]:
        return {p.name for p in lists[key].pupils}

    assert names("sen_support") == {a.taught_pupil.display_name, a.untaught_pupil.display_name}
    assert names("ehc_plan") == {a.ehc_pupil.display_name}
    assert names("inclusion_base") == {a.ehc_pupil.display_name}  # the ended placement is not "now"
    assert names("flags") == {newcomer.display_name, a.taught_pupil.display_name}
    assert {p.detail for p in lists["flags"].pupils} == {"Mathematics"}

    client.force_login(a.head)
    page = client.get(reverse("inspection")).content.decode()
    assert 'data-count="flags">2<' in page and 'data-count="ehc_plan">1<' in page
    assert reverse("inspection_trail", args=[newcomer.pk]) in page
    assert "Sentinelb" not in page
    event = AuditEvent.objects.filter(action="inspection.lists").latest("id")
    assert sorted(event.fields) == ["inclusion_base", "progress_flags", "provision"]


def _roll(school: Any, start: int, count: int) -> None:
    pupils = [
        f.make_pupil(school=school, forename="Pupil", surname=f"Roll{start + n:03d}") for n in range(count)
    ]
    for n, pupil in enumerate(pupils):
        f.set_sen_status(pupil=pupil, provision="K" if n % 2 else "E", need_codes=["SLCN"])
        if n % 3 == 0:
            f.make_inclusion_placement(pupil)
    _flag(school, pupils[::4])


def test_it_reads_the_lists_in_a_fixed_number_of_queries(client, world):
    client.force_login(world.a.senco)
    _roll(world.a.school, 0, 10)
    client.get(reverse("inspection"))  # the first request of a sign-in does its own once-only reads
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("inspection")).status_code == 200
    _roll(world.a.school, 10, 190)
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("inspection")).content.decode()
    assert "Roll199" in page
    assert len(large.captured_queries) == len(small.captured_queries)


# ---------------------------------------------------------------- one pupil's trail
EXPECTED = [
    ("Concern", "Concern raised"),
    ("First response", "First response by"),
    ("SEN status", "SEN support from this day"),
    ("Need recorded", "Speech, language"),
    ("Support plan", "Support plan cycle 1 started"),
    ("Intervention", "began, delivered by Assistant A"),
    ("Parent meeting", "Meeting with parents"),
    ("Specialist advice", "asked for"),
    ("Review", "Cycle 1 reviewed"),
    ("Specialist advice", "received"),
    ("Impact measured", "85 to 95 (+10)"),
    ("Inclusion base", "Regulation and emotional support"),
    ("EHC plan", "Issued by Alder County Council"),
    ("Annual review", "Annual review meeting"),
]


def _full_history(world: Any) -> Any:
    """A pupil with every step of the graduated approach, each on its own day."""
    a = world.a
    pupil = f.make_pupil(school=a.school, forename="Tam", surname="SentinelaTrail")
    f.enrol(group=a.group, pupils=[pupil], starts_on=_ago(400))
    f.make_concern(pupil, raised_on=_ago(300), observed="Struggles to follow spoken instructions.")
    f.make_first_response(pupil, starts_on=_ago(280), review_on=_ago(260))
    f.set_sen_status(pupil=pupil, provision="K", need_codes=["SLCN"], since=_ago(250))
    plan = f.make_plan(
        pupil,
        starts_on=_ago(240),
        review_on=_ago(150),
        reviewed_on=_ago(150),
        next_step="continue",
        strategies="Visual timetable and chunked instructions.",
        review_summary="Follows two-step instructions now.",
    )
    f.make_target(plan=plan, skill="Follow a two-step instruction", outcome="met")
    group = f.make_intervention_group(deliverer=a.ta, starts_on=_ago(210), name="Talk Boost group")
    f.make_placement(
        group=group,
        pupil=pupil,
        starts_on=_ago(200),
        entry_on=_ago(200),
        exit_on=_ago(120),
        exit_score=95.0,
        ends_on=_ago(120),
    )
    f.make_session_log(group=group, held_on=_ago(190))
    f.make_meeting(pupil, held_on=_ago(170), agreed_actions="Practise instructions at home.")
    f.make_advice(pupil, requested_on=_ago(160), received_on=_ago(140))
    f.make_inclusion_placement(pupil, starts_on=_ago(100))
    ehc = f.make_ehc_plan(pupil, issued_on=_ago(60))
    f.make_annual_review(plan=ehc, meeting_on=_ago(10))
    return pupil


def test_it_traces_each_step_in_date_order(client, world):
    pupil = _full_history(world)
    pack = inspection_trail(actor=actor_for(world.a.senco), pupil_id=pupil.pk)
    rows = pack.section("overview").tables[0].rows
    assert len(rows) == len(EXPECTED)
    for (day, step, what), (want_step, want_what) in zip(rows, EXPECTED, strict=True):
        assert step == want_step and want_what in what, (day, step, what)
    days = [dt.datetime.strptime(day, "%d %B %Y").replace(tzinfo=dt.UTC).date() for day, _, _ in rows]
    assert days == sorted(days)
    # Each part in detail: the cycle's target and outcome, the TA and the session, the classroom link.
    cycles = pack.section("cycles")
    assert (
        cycles.tables[0].rows[0][0] == "Follow a two-step instruction"
        and cycles.tables[0].rows[0][3] == "Met"
    )
    deployment = pack.section("deployment")
    assert deployment.tables[0].rows[0][2] == "Assistant A"
    assert deployment.tables[1].rows == [
        (f"{_ago(190):%-d %B %Y}", "Talk Boost group", "Assistant A", "Present")
    ]
    assert "Pre-teach the topic words" in pack.section("adaptations").tables[0].rows[0][3]

    client.force_login(world.a.head)
    page = client.get(reverse("inspection_trail", args=[pupil.pk])).content.decode()
    positions = [
        page.index(what, page.index("trail in date order")) for _, what in EXPECTED if what != "received"
    ]
    assert positions == sorted(positions)
    event = AuditEvent.objects.filter(action="inspection_trail.view").latest("id")
    assert event.target_id == str(pupil.pk) and "overview" in event.fields and "impact" in event.fields
    assert "SentinelaTrail" not in " ".join(event.fields)


def test_it_writes_the_same_steps_to_the_pdf(client, world):
    pupil = _full_history(world)
    client.force_login(world.a.senco)
    response = client.get(reverse("inspection_trail_pdf", args=[pupil.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Inclusion trail for inspection" in text and pupil.display_name in text
    cursor = text.index("The trail in date order")
    for step, what in EXPECTED:  # each step found after the one before it
        cursor = text.index(f"Step: {step}", cursor + 1)
        assert what in text[cursor : text.index("What:", cursor) + 200]
    assert AuditEvent.objects.filter(action="inspection_trail.pdf", target_id=str(pupil.pk)).exists()


def _records(world: Any, n: int) -> Any:
    """A pupil with `n` records of each kind."""
    a = world.a
    pupil = f.make_pupil(school=a.school, forename="Sam", surname=f"SentinelaMany{n}")
    f.enrol(group=a.group, pupils=[pupil], starts_on=_ago(400))
    f.set_sen_status(
        pupil=pupil, provision="E", need_codes=["SLCN", "ASD", "SEMH"][: min(n, 3)], since=_ago(300)
    )
    ehc = f.make_ehc_plan(pupil, issued_on=_ago(299))
    for i in range(n):
        f.make_concern(pupil, raised_on=_ago(290 - i))
        f.make_first_response(pupil, starts_on=_ago(280 - i))
        plan = f.make_plan(pupil, starts_on=_ago(250 - i), review_on=_ago(200 - i))
        f.make_target(plan=plan)
        group = f.make_intervention_group(deliverer=a.ta, starts_on=_ago(200))
        f.make_placement(group=group, pupil=pupil, starts_on=_ago(190 - i))
        f.make_session_log(group=group, held_on=_ago(100 - i))
        f.make_meeting(pupil, held_on=_ago(150 - i))
        f.make_advice(pupil, requested_on=_ago(140 - i))
        f.make_inclusion_placement(pupil, starts_on=_ago(90 - i))
        f.make_annual_review(plan=ehc, meeting_on=_ago(50 - i))
    return pupil


def test_it_reads_a_trail_in_a_fixed_number_of_queries(client, world):
    one, twenty = _records(world, 1), _records(world, 20)
    client.force_login(world.a.senco)
    client.get(reverse("inspection_trail", args=[one.pk]))  # the sign-in's once-only reads
    counts = []
    for pupil in (one, twenty):
        for name in ("inspection_trail", "inspection_trail_pdf"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name, args=[pupil.pk])).status_code == 200
            counts.append((name, len(queries.captured_queries)))
    assert counts[:2] == counts[2:]
