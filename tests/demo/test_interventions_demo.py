"""The demo's interventions: a costed catalogue in every school, groups with logs, placements that follow the
services' rules, and ended placements whose impact tells a real story (some effective, some not).

The default demo is loaded once for the class below, inside a transaction rolled back afterwards; the
determinism check loads a small demo twice on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tandem.access.actor import actor_for
from tandem.demo import interventions
from tandem.demo.loader import LoadReport, demo_login_users, load_demo
from tandem.people.accountability import accountable_teacher_problem
from tandem.people.models import Membership, Role, User
from tandem.progress.models import FirstResponse
from tandem.provision.impact import InterventionImpact, intervention_impact
from tandem.provision.models import (
    EvidenceStrength,
    Intervention,
    InterventionGroup,
    LogAcknowledgement,
    Placement,
    SessionAttendance,
    SessionLog,
    StaffRate,
    StaffType,
)
from tandem.provision.selectors import logs_to_acknowledge
from tandem.provision.services import classroom_link_problem
from tandem.register.models import Concern, Provision, SenStatusPeriod
from tandem.schools.models import School

AS_OF = dt.date(2026, 3, 20)
DEFAULT = {"seed": 2026, "as_of": AS_OF, "schools": 2, "pupils_per_school": None}
SMALL = {"seed": 3, "as_of": AS_OF, "schools": 2, "pupils_per_school": 90}


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[LoadReport]:
    """The default demo, loaded once for the class and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(**DEFAULT)  # type: ignore[arg-type]
        transaction.set_rollback(True)


@pytest.fixture
def schools(demo: LoadReport) -> list[School]:
    return list(School.objects.order_by("id"))


def _impacts(school: School) -> dict[str, InterventionImpact]:
    senco = Membership.objects.get(school=school, role=Role.SENCO).user
    actor = actor_for(senco)
    assert actor is not None
    return {
        i.name: intervention_impact(actor=actor, intervention=i, on=AS_OF)
        for i in Intervention.objects.filter(school=school)
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDefaultDemo:
    def test_it_reports_the_rows_it_wrote(self, demo):
        counts = {
            "staff rates": StaffRate.objects.count(),
            "interventions": Intervention.objects.count(),
            "intervention groups": InterventionGroup.objects.count(),
            "placements": Placement.objects.count(),
            "session logs": SessionLog.objects.count(),
            "session attendance": SessionAttendance.objects.count(),
            "log acknowledgements": LogAcknowledgement.objects.count(),
        }
        assert {name: demo.rows[name] for name in counts} == counts
        assert all(counts.values())

    def test_every_school_has_a_costed_catalogue_across_the_four_areas(self, schools):
        for school in schools:
            rates = dict(StaffRate.objects.filter(school=school).values_list("staff_type", "hourly_rate"))
            assert set(rates) == set(StaffType.values)
            assert 17 <= rates[StaffType.TEACHING_ASSISTANT] <= 20
            assert 20 <= rates[StaffType.HLTA] <= 23
            assert 40 <= rates[StaffType.TEACHER] <= 50
            assert 50 <= rates[StaffType.SPECIALIST] <= 70
            catalogue = Intervention.objects.filter(school=school)
            assert 8 <= catalogue.count() <= 10
            assert len(set(catalogue.values_list("area", flat=True))) == 4
            strengths = set(catalogue.values_list("evidence_strength", flat=True))
            assert EvidenceStrength.NONE in strengths and len(strengths) >= 4
            assert len(set(catalogue.values_list("staff_type", flat=True))) >= 3

    def test_groups_meet_on_their_days_with_logs_and_attendance(self, schools):
        for school in schools:
            groups = list(InterventionGroup.objects.filter(school=school).select_related("intervention"))
            assert len(groups) >= 10
            deliverers = {g.deliverer_id for g in groups}
            tas = set(
                Membership.objects.filter(school=school, role=Role.TEACHING_ASSISTANT).values_list(
                    "user_id", flat=True
                )
            )
            teachers = set(
                Membership.objects.filter(school=school, role=Role.TEACHER).values_list("user_id", flat=True)
            )
            assert len(deliverers & tas) >= 3 and deliverers & teachers
            ratings: set[int] = set()
            for group in groups:
                logs = list(SessionLog.objects.filter(group=group))
                assert logs, group.name
                assert all(log.held_on.weekday() in group.days for log in logs)
                assert all(group.starts_on <= log.held_on <= (group.ends_on or AS_OF) for log in logs)
                assert all(log.delivered_by_id == group.deliverer_id and log.covered for log in logs)
                ratings.update(log.rating for log in logs)
            assert ratings == {1, 2, 3}
            attendance = SessionAttendance.objects.filter(school=school)
            rate = attendance.filter(present=True).count() / attendance.count()
            assert 0.85 <= rate <= 0.95
            for a in attendance.select_related("placement", "log")[:2000]:
                assert a.placement.starts_on <= a.log.held_on
                assert a.placement.ends_on is None or a.log.held_on <= a.placement.ends_on
                assert a.pupil_id == a.placement.pupil_id and a.log.group_id == a.placement.group_id

    def test_placements_follow_the_accountability_and_classroom_link_rules(self, schools):
        placements = list(Placement.objects.select_related("pupil", "accountable_teacher", "group"))
        checked: dict[tuple[Any, int], str | None] = {}
        for p in placements:
            key = (p.pupil_id, p.accountable_teacher_id)
            if key not in checked:
                checked[key] = accountable_teacher_problem(pupil=p.pupil, user=p.accountable_teacher)
            assert checked[key] is None, checked[key]
            assert p.accountable_teacher_id != p.group.deliverer_id
            assert classroom_link_problem(p.classroom_link) is None
            assert p.starts_on <= AS_OF and p.entry_on <= AS_OF
            assert p.exit_on is None or p.entry_on <= p.exit_on <= AS_OF
            assert (p.subject_id is not None) == (p.measure_kind == "standardised")
        tas = set(Membership.objects.filter(role=Role.TEACHING_ASSISTANT).values_list("user_id", flat=True))
        assert not {teacher for _, teacher in checked} & tas
        for school in schools:
            links = set(Placement.objects.filter(school=school).values_list("classroom_link", flat=True))
            assert len(links) >= 10

    def test_pupils_placed_are_mostly_on_sen_support_or_flagged(self, schools):
        provision = dict(
            SenStatusPeriod.objects.filter(ends_on__isnull=True).values_list("pupil_id", "provision")
        )
        flagged = set(Concern.objects.values_list("pupil_id", flat=True)) | set(
            FirstResponse.objects.values_list("pupil_id", flat=True)
        )
        placed = set(Placement.objects.values_list("pupil_id", flat=True))
        on_register = {p for p in placed if provision.get(p) in (Provision.SEN_SUPPORT, Provision.EHC_PLAN)}
        assert len(on_register | (placed & flagged)) > len(placed) / 2

    def test_ended_placements_have_exit_data_and_one_intervention_has_none(self, schools):
        for school in schools:
            ended = Placement.objects.filter(school=school, ends_on__lte=AS_OF)
            assert ended.filter(exit_score__isnull=False).count() >= 40
            no_exit = ended.filter(exit_score__isnull=True)
            assert no_exit.exists()
            assert no_exit.values("group__intervention").distinct().count() == 1
            assert Placement.objects.filter(school=school, ends_on__isnull=True).count() >= 20

    def test_the_impact_pages_show_effective_and_ineffective_interventions(self, schools):
        for school in schools:
            impacts = _impacts(school)
            measures = [(name, m) for name, impact in impacts.items() for m in impact.measures]
            effective = [
                name
                for name, m in measures
                if m.effect is not None
                and m.effect.status == "ok"
                and m.effect.ci_low is not None
                and m.effect.ci_low > 0
            ]
            assert effective == ["Maths catch-up: small-group tuition"]
            not_effective = [
                name
                for name, m in measures
                if (
                    m.effect is not None
                    and m.effect.ci_low is not None
                    and m.effect.ci_low <= 0 <= m.effect.ci_high
                )
                or (m.ratio is not None and m.ratio.ratio is not None and m.ratio.ratio <= 1)
            ]
            assert set(not_effective) == {
                "Reading fluency: paired reading",
                "Spelling: multisensory catch-up",
            }
            phonics = impacts["Small-group phonics catch-up"].measures[0]
            assert phonics.ratio is not None and phonics.ratio.ratio is not None and phonics.ratio.ratio >= 2
            assert phonics.verdict == "Measured gain"
            flags = {name: " ".join(impact.flags) for name, impact in impacts.items()}
            assert "No exit data" in flags["Social skills group"]
            assert "No evidence base" in flags["Sensory circuits"]
            assert "No measured gain" in flags["Reading fluency: paired reading"]
            assert "No measured gain" in flags["Spelling: multisensory catch-up"]
            assert "No measured gain" not in flags["Maths catch-up: small-group tuition"]
            assert all(impact.cost_per_pupil is not None for impact in impacts.values())
            for impact in impacts.values():
                if impact.dosage.percent_of_plan is not None and impact.finished:
                    assert impact.dosage.percent_of_plan >= 80

    def test_the_printed_teacher_has_logs_to_acknowledge_and_others_are_read(self, schools):
        shown = demo_login_users()
        for school in schools:
            teacher = User.objects.get(pk=shown[school.id][Role.TEACHER])
            actor = actor_for(teacher)
            assert actor is not None
            waiting = logs_to_acknowledge(actor=actor)
            assert waiting
            assert all(row.log.held_on <= AS_OF for row in waiting)
            assert LogAcknowledgement.objects.filter(teacher=teacher).exists()
            ta = shown[school.id][Role.TEACHING_ASSISTANT]
            assert InterventionGroup.objects.filter(deliverer_id=ta, ends_on__isnull=True).exists()
        logs = SessionLog.objects.count()
        acknowledged = LogAcknowledgement.objects.values("log").distinct().count()
        assert 0.6 * logs < acknowledged < logs


def test_the_text_banks_name_no_pupil():
    from tandem.demo import generator

    names = set(generator.FORENAMES) | set(generator.SURNAMES)
    texts = [
        text
        for spec in interventions.CATALOGUE
        for text in (spec.name, spec.description, *spec.covered, *spec.links)
    ]
    texts += list(interventions.SESSION_NOTES)
    words = {word for text in texts for word in re.findall(r"[^\W\d_]+", text)}
    assert len(words) > 300
    assert not words & names
    for spec in interventions.CATALOGUE:
        assert all(classroom_link_problem(link) is None for link in spec.links)


def _snapshot() -> tuple[dict[str, int], list[tuple[Any, ...]]]:
    """Load the small demo, note what the interventions writer wrote, and roll it all back.

    Rows are described by names, emails and UPNs, not ids: PostgreSQL does not roll sequences back."""
    with transaction.atomic():
        report = load_demo(**SMALL)  # type: ignore[arg-type]
        content = sorted(
            [
                *(
                    (i.school.name, i.name, i.evidence_strength, i.weeks)
                    for i in Intervention.objects.select_related("school")
                ),
                *(
                    (g.intervention.name, g.name, g.weekdays, g.starts_on, g.ends_on, g.deliverer.email)
                    for g in InterventionGroup.objects.select_related("intervention", "deliverer")
                ),
                *(
                    (
                        p.pupil.upn,
                        p.group.name,
                        p.accountable_teacher.email,
                        p.entry_score,
                        p.exit_score,
                        p.exit_on,
                    )
                    for p in Placement.objects.select_related("group", "pupil", "accountable_teacher")
                ),
                *(
                    (log.group.name, log.held_on, log.rating, log.covered)
                    for log in SessionLog.objects.select_related("group")
                ),
            ],
            key=repr,
        )
        transaction.set_rollback(True)
    return report.rows, content


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_interventions():
    rows, content = _snapshot()
    again_rows, again_content = _snapshot()
    assert rows == again_rows
    assert content == again_content
    assert rows["placements"] and rows["session logs"]
    assert not School.objects.exists()
