"""The demo's graduated approach: every stage in every school, each record following the services' rules.

The default demo is loaded once for the class below, inside a transaction rolled back afterwards; the
determinism check loads a small demo twice on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Max

from tandem.demo import graduated
from tandem.demo.loader import LoadReport, demo_logins, load_demo
from tandem.demo.wording import graduated as wording
from tandem.lib.smart import TargetDraft, check_target
from tandem.people.accountability import accountable_teacher_problem
from tandem.people.models import Enrolment, GroupStaff, Membership, Pupil, Role, User
from tandem.plans.models import NextStep, ParentMeeting, SupportPlan, Target, TargetOutcome, TargetProgress
from tandem.progress.models import FirstResponse, ResponseOutcome
from tandem.register.models import (
    Concern,
    ConcernStatus,
    Passport,
    PassportRead,
    Provision,
    SenStatusPeriod,
    SenSupportDecision,
)
from tandem.schools.models import School

AS_OF = dt.date(2026, 3, 20)
YEAR_START = dt.date(2025, 9, 1)
DEFAULT = {"seed": 2026, "as_of": AS_OF, "schools": 2, "pupils_per_school": None}
SMALL = {"seed": 3, "as_of": AS_OF, "schools": 2, "pupils_per_school": 90}
SOON = AS_OF + dt.timedelta(days=21)


def _users_with_role(school: School, role: str) -> set[int]:
    return set(
        Membership.objects.filter(school=school, role=role, is_active=True).values_list("user_id", flat=True)
    )


def _adults_of(pupil_id: Any) -> tuple[set[int], set[int]]:
    """(teachers, teaching assistants) of the pupil's current groups."""
    groups = Enrolment.objects.filter(pupil_id=pupil_id, ends_on__isnull=True).values("group_id")
    staff = GroupStaff.objects.filter(group_id__in=groups)
    return (
        set(staff.filter(role="teacher").values_list("user_id", flat=True)),
        set(staff.filter(role="support").values_list("user_id", flat=True)),
    )


def _open_provision() -> dict[Any, str]:
    return dict(SenStatusPeriod.objects.filter(ends_on__isnull=True).values_list("pupil_id", "provision"))


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[LoadReport]:
    """The default demo, loaded once for the class and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(**DEFAULT)  # type: ignore[arg-type]
        transaction.set_rollback(True)


@pytest.fixture
def schools(demo: LoadReport) -> list[School]:
    return list(School.objects.order_by("id"))


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDefaultDemo:
    def test_it_reports_the_rows_it_wrote(self, demo):
        counts = {
            "concerns": Concern.objects.count(),
            "first responses": FirstResponse.objects.count(),
            "SEN support decisions": SenSupportDecision.objects.count(),
            "support plans": SupportPlan.objects.count(),
            "targets": Target.objects.count(),
            "target progress": TargetProgress.objects.count(),
            "parent meetings": ParentMeeting.objects.count(),
            "passports": Passport.objects.count(),
            "passport reads": PassportRead.objects.count(),
        }
        assert {name: demo.rows[name] for name in counts} == counts
        assert all(counts.values())
        assert demo.rows["audit events"] == 1

    def test_every_school_has_concerns_in_every_status(self, schools):
        for school in schools:
            concerns = Concern.objects.filter(school=school)
            assert set(concerns.values_list("status", flat=True)) == set(ConcernStatus.values)
            tas = _users_with_role(school, Role.TEACHING_ASSISTANT)
            assert concerns.filter(status=ConcernStatus.OPEN, raised_by_id__in=tas).exists()
            assert not concerns.filter(status=ConcernStatus.NO_ACTION, next_step_note="").exists()
            provision = _open_provision()
            on = Counter(provision[c.pupil_id] for c in concerns)
            assert on[Provision.NONE] > on[Provision.SEN_SUPPORT] > 0
            assert len(set(concerns.values_list("area", flat=True))) == 4
            assert concerns.filter(first_responses__isnull=False).exists()

    def test_every_school_has_first_responses_at_every_stage(self, schools):
        for school in schools:
            responses = FirstResponse.objects.filter(school=school)
            open_ = responses.filter(outcome="")
            assert open_.filter(review_on__gt=AS_OF).exists()
            assert open_.filter(review_on__lte=AS_OF).exists()
            assert set(responses.exclude(outcome="").values_list("outcome", flat=True)) == set(
                ResponseOutcome.values
            )
            for follow_on in responses.filter(follows__isnull=False).select_related("follows"):
                assert follow_on.follows.outcome == ResponseOutcome.CONTINUE
                assert follow_on.starts_on == follow_on.follows.reviewed_on
            continued = responses.filter(outcome=ResponseOutcome.CONTINUE)
            assert continued.count() == responses.filter(follows__in=continued).count() > 0
            assert responses.filter(concern__isnull=False).exists()
            # load_demo does not run the analysis, so there is no progress result to point at.
            assert not responses.filter(progress_result__isnull=False).exists()

    def test_most_pupils_on_sen_support_have_the_decision_that_started_it(self, schools):
        for school in schools:
            k_periods = dict(
                SenStatusPeriod.objects.filter(
                    school=school, ends_on__isnull=True, provision="K"
                ).values_list("pupil_id", "id")
            )
            decisions = list(SenSupportDecision.objects.filter(school=school).select_related("period"))
            assert 0.75 * len(k_periods) <= len(decisions) < len(k_periods)
            for d in decisions:
                assert k_periods[d.pupil_id] == d.period_id
                assert d.decided_on == d.period.starts_on
                assert (
                    d.decided_on <= d.parents_informed_on <= min(d.decided_on + dt.timedelta(days=7), AS_OF)
                )
                assert d.parent_note and d.evidence and d.pupil_views and d.parent_views
                assert Membership.objects.filter(
                    user_id=d.decided_by_id, school=school, role=Role.SENCO
                ).exists()

    def test_every_school_has_open_overdue_and_reviewed_plans(self, schools):
        provision = _open_provision()
        for school in schools:
            plans = SupportPlan.objects.filter(school=school)
            open_ = plans.filter(reviewed_on__isnull=True)
            assert open_.filter(review_on__gte=AS_OF).exists()
            assert open_.filter(review_on__lt=AS_OF).exists()
            reviewed = plans.filter(reviewed_on__isnull=False)
            assert set(reviewed.values_list("next_step", flat=True)) == {
                NextStep.CONTINUE,
                NextStep.NEW_CYCLE,
            }
            for plan in reviewed:
                following = SupportPlan.objects.get(previous=plan)
                assert following.cycle == plan.cycle + 1
                assert following.starts_on == plan.reviewed_on
                assert following.reviewed_on is None
            assert Target.objects.filter(school=school, carried_from__isnull=False).exists()
            k = {p for p, code in provision.items() if code == "K"} & set(
                Pupil.objects.filter(school=school).values_list("id", flat=True)
            )
            with_plan = set(open_.values_list("pupil_id", flat=True))
            assert 0 < len(k - with_plan) < 0.15 * len(k)
            assert open_.filter(pupil_id__in=[p for p, code in provision.items() if code == "E"]).exists()
            assert not open_.exclude(pupil_id__in=[p for p, c in provision.items() if c in "KE"]).exists()

    def test_targets_have_progress_and_reviewed_targets_have_outcomes(self, schools):
        for school in schools:
            targets = Target.objects.filter(school=school)
            assert targets.filter(progress__isnull=False).distinct().count() > targets.count() / 3
            assert targets.filter(progress__isnull=True).exists()
            assert not targets.filter(plan__reviewed_on__isnull=False, outcome="").exists()
            assert not targets.filter(plan__reviewed_on__isnull=True).exclude(outcome="").exists()
            assert set(targets.exclude(outcome="").values_list("outcome", flat=True)) == set(
                TargetOutcome.values
            )
            per_plan = Counter(targets.values_list("plan_id", flat=True))
            assert set(per_plan.values()) <= {1, 2, 3}
            assert len(per_plan) == SupportPlan.objects.filter(school=school).count()
            for carried in targets.filter(carried_from__isnull=False).select_related("carried_from", "plan"):
                assert carried.carried_from.outcome != TargetOutcome.MET
                assert carried.plan.previous_id == carried.carried_from.plan_id
                assert carried.skill == carried.carried_from.skill
            for entry in TargetProgress.objects.filter(school=school).select_related("target__plan"):
                plan = entry.target.plan
                assert plan.starts_on <= entry.recorded_on <= min(plan.reviewed_on or AS_OF, AS_OF)
                teachers, tas = _adults_of(entry.pupil_id)
                assert entry.recorded_by_id in teachers | tas

    def test_parents_of_pupils_on_sen_support_met_none_one_two_or_three_times(self, schools):
        for school in schools:
            k = SenStatusPeriod.objects.filter(
                school=school, ends_on__isnull=True, provision="K"
            ).values_list("pupil_id", flat=True)
            meetings = ParentMeeting.objects.filter(school=school)
            held = Counter(meetings.filter(held_on__gte=YEAR_START).values_list("pupil_id", flat=True))
            counts = {min(held[p], 3) for p in k}
            assert counts == {0, 1, 2, 3}
            assert meetings.filter(shared_with_parents_on__isnull=False).exists()
            assert meetings.filter(shared_with_parents_on__isnull=True).exists()
            senco = _users_with_role(school, Role.SENCO)
            led = {"senco": 0, "teacher": 0}
            for m in meetings:
                assert YEAR_START <= m.held_on <= AS_OF
                assert m.shared_with_parents_on is None or m.held_on <= m.shared_with_parents_on <= AS_OF
                assert m.next_meeting_on is None or m.next_meeting_on > m.held_on
                if m.led_by_id in senco:
                    led["senco"] += 1
                else:
                    led["teacher"] += 1
                    assert m.led_by_id in _adults_of(m.pupil_id)[0]
                if m.plan is not None:
                    assert m.plan.pupil_id == m.pupil_id
                    assert m.plan.starts_on <= m.held_on
            assert led["senco"] and led["teacher"]

    def test_passports_are_read_by_some_adults_and_not_others(self, schools):
        provision = _open_provision()
        for school in schools:
            passports = Passport.objects.filter(school=school)
            register = [
                p
                for p in Pupil.objects.filter(school=school).values_list("id", flat=True)
                if provision[p] in "KE"
            ]
            newest = dict(
                passports.values("pupil_id").annotate(v=Max("version")).values_list("pupil_id", "v")
            )
            assert 0.7 * len(register) <= len(newest) < len(register)
            assert set(newest) <= set(register)
            assert 2 in newest.values()
            read_current = unread_current = 0
            assert set(passports.values_list("version", flat=True)) == {1, 2}
            for pupil_id, version in newest.items():
                passport = passports.get(pupil_id=pupil_id, version=version)
                readers = set(passport.reads.values_list("user_id", flat=True))
                teachers, tas = _adults_of(pupil_id)
                assert passport.written_by_id in readers
                assert readers - {passport.written_by_id} <= teachers | tas
                read_current += len(readers & (teachers | tas) - {passport.written_by_id})
                unread_current += len((teachers | tas) - readers)
            assert read_current and unread_current

    def test_accountable_teachers_teach_the_pupil_and_are_never_teaching_assistants(self, schools):
        records: list[Any] = [
            *FirstResponse.objects.select_related("pupil", "accountable_teacher"),
            *SupportPlan.objects.select_related("pupil", "accountable_teacher"),
            *Target.objects.select_related("pupil", "accountable_teacher"),
        ]
        checked: dict[tuple[Any, int], str | None] = {}
        for record in records:
            key = (record.pupil_id, record.accountable_teacher_id)
            if key not in checked:
                checked[key] = accountable_teacher_problem(
                    pupil=record.pupil, user=record.accountable_teacher
                )
            assert checked[key] is None, checked[key]
        tas = set(Membership.objects.filter(role=Role.TEACHING_ASSISTANT).values_list("user_id", flat=True))
        assert not {user for _, user in checked} & tas

    def test_records_are_dated_on_or_before_today_and_in_order(self, schools):
        for c in Concern.objects.all():
            assert c.raised_on <= AS_OF
            assert c.next_step_on is None or c.raised_on <= c.next_step_on <= AS_OF
            teachers, tas = _adults_of(c.pupil_id)
            assert c.raised_by_id in teachers | tas
        for r in FirstResponse.objects.all():
            assert r.starts_on <= AS_OF and r.starts_on < r.review_on
            assert r.reviewed_on is None or r.starts_on < r.reviewed_on <= AS_OF
            assert (r.outcome == "") == (r.reviewed_on is None)
            assert r.created_by_id == r.accountable_teacher_id
        for plan in SupportPlan.objects.all():
            assert plan.starts_on <= AS_OF
            assert plan.starts_on < plan.review_on <= plan.starts_on + dt.timedelta(days=366)
            assert plan.reviewed_on is None or plan.starts_on < plan.reviewed_on <= AS_OF
            period_start = SenStatusPeriod.objects.get(pupil_id=plan.pupil_id, ends_on__isnull=True).starts_on
            assert plan.starts_on >= period_start
        for target in Target.objects.select_related("plan"):
            assert target.plan.starts_on < target.due_on <= target.plan.review_on

    def test_targets_and_plans_name_staff_and_interventions_of_their_own_school(self, schools):
        staff = set(Membership.objects.filter(is_active=True).values_list("user_id", "school_id"))
        supporting = set(Target.supporting_staff.through.objects.values_list("user_id", "target__school_id"))
        assert supporting and supporting <= staff
        named = SupportPlan.catalogue_interventions.through.objects.values_list(
            "intervention__school_id", "supportplan__school_id"
        )
        assert named and all(theirs == ours for theirs, ours in named)
        for target in Target.objects.prefetch_related("supporting_staff").order_by("pk")[:300]:
            assert all(user.full_name in target.supporters for user in target.supporting_staff.all())
        for plan in SupportPlan.objects.prefetch_related("catalogue_interventions").order_by("pk")[:300]:
            assert all(i.name in plan.interventions for i in plan.catalogue_interventions.all())

    def test_every_target_is_smart_on_the_day_its_plan_was_written(self, schools):
        names = dict(User.objects.values_list("id", "full_name"))
        for target in Target.objects.select_related("plan"):
            draft = TargetDraft(
                skill=target.skill,
                measure=target.measure,
                baseline=target.baseline,
                success_criterion=target.success_criterion,
                due_on=target.due_on,
                accountable_teacher=names[target.accountable_teacher_id],
                supporters=target.supporters,
            )
            assert (
                check_target(draft, plan_review_on=target.plan.review_on, today=target.plan.starts_on) == []
            )

    def test_the_printed_teacher_and_teaching_assistant_have_things_waiting(self, schools):
        logins = demo_logins()
        for school in schools:
            rows = [(email, role) for email, role, place in logins if place == school.name]
            teacher = User.objects.get(
                email=next(e for e, r in rows if r in ("Class teacher (Year 4)", "Maths teacher"))
            )
            ta = User.objects.get(email=next(e for e, r in rows if r == Role.TEACHING_ASSISTANT.label))
            taught = Pupil.objects.filter(
                enrolments__ends_on__isnull=True,
                enrolments__group__staff__user=teacher,
                enrolments__group__staff__role="teacher",
            )
            supported = Pupil.objects.filter(
                enrolments__ends_on__isnull=True,
                enrolments__group__staff__user=ta,
                enrolments__group__staff__role="support",
            )
            assert FirstResponse.objects.filter(
                accountable_teacher=teacher, outcome="", review_on__lte=AS_OF + dt.timedelta(days=7)
            ).exists()
            assert (
                SupportPlan.objects.filter(
                    accountable_teacher=teacher, reviewed_on__isnull=True, review_on__lte=SOON
                ).exists()
                or Target.objects.filter(
                    accountable_teacher=teacher, outcome="", plan__reviewed_on__isnull=True, due_on__lte=SOON
                ).exists()
            )
            assert Concern.objects.filter(pupil__in=taught, status=ConcernStatus.OPEN).exists()
            assert _unread_passports(teacher, taught)
            assert _unread_passports(ta, supported)


def _unread_passports(user: User, pupils: Any) -> list[Passport]:
    newest = dict(
        Passport.objects.filter(pupil__in=pupils)
        .values("pupil_id")
        .annotate(v=Max("version"))
        .values_list("pupil_id", "v")
    )
    current = [Passport.objects.get(pupil_id=p, version=v) for p, v in newest.items()]
    return [p for p in current if not p.reads.filter(user=user).exists()]


def test_the_target_bank_is_smart():
    start = dt.date(2026, 1, 5)
    for area, bank in wording.TARGETS.items():
        assert area in graduated.AREAS
        for skill, measure, baseline, criterion, phase in bank:
            draft = TargetDraft(
                skill=skill,
                measure=measure,
                baseline=baseline,
                success_criterion=criterion,
                due_on=start + dt.timedelta(days=70),
                accountable_teacher="A Teacher",
            )
            assert check_target(draft, plan_review_on=start + dt.timedelta(days=70), today=start) == [], skill
            assert phase in ("", "primary", "secondary")


def test_the_text_banks_name_no_pupil():
    from tandem.demo import generator

    names = set(generator.FORENAMES) | set(generator.SURNAMES)
    banks = [value for name, value in vars(graduated).items() if name.isupper()]
    words = {word for bank in banks for text in _strings(bank) for word in re.findall(r"[^\W\d_]+", text)}
    assert len(words) > 500
    assert not words & names


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)


def _snapshot() -> tuple[dict[str, int], list[tuple[Any, ...]]]:
    """Load the small demo, note what the graduated approach wrote, and roll it all back."""
    with transaction.atomic():
        report = load_demo(**SMALL)  # type: ignore[arg-type]
        content = sorted(
            [
                *(
                    (c.pupil_id, "concern", c.status, c.area, c.observed, c.raised_on)
                    for c in Concern.objects.all()
                ),
                *(
                    (r.pupil_id, "response", r.outcome, r.weakness, r.starts_on, r.review_on)
                    for r in FirstResponse.objects.all()
                ),
                *(
                    (p.pupil_id, "plan", p.cycle, p.starts_on, p.review_on, p.reviewed_on, p.next_step)
                    for p in SupportPlan.objects.all()
                ),
                *((t.pupil_id, "target", t.skill, t.due_on, t.outcome) for t in Target.objects.all()),
                *((m.pupil_id, "meeting", m.held_on, m.discussed) for m in ParentMeeting.objects.all()),
                *(
                    (p.pupil_id, "passport", p.version, p.needs, p.reads.count())
                    for p in Passport.objects.all()
                ),
            ],
            key=repr,
        )
        transaction.set_rollback(True)
    return report.rows, content


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_graduated_approach():
    rows, content = _snapshot()
    again_rows, again_content = _snapshot()
    assert rows == again_rows
    assert content == again_content
    assert rows["concerns"] and rows["support plans"] and rows["passports"]
    assert not School.objects.exists()
