"""Importing staff (accounts and roles) and classes and sets (teachers, teaching assistants, pupils)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.access.scopes import pupils_in_scope
from tandem.exchange.selectors import import_preview
from tandem.exchange.services import import_apply, import_upload
from tandem.people.models import Enrolment, GroupStaff, Membership, TeachingGroup, User


def _apply(user, kind: str, text: str):
    record = import_upload(actor=actor_for(user), kind=kind, file_name=f"{kind}.csv", data=text.encode())
    preview = import_preview(actor=actor_for(user), record=record)
    assert preview.plan is not None, [p.message for p in preview.match.problems]
    return preview.plan, record


STAFF = (
    "Email,First Name,Last Name,Job Title\n"
    "r.achebe@elm.example,Rosa,Achebe,Class Teacher\n"
    "t.ng@elm.example,Tom,Ng,HLTA\n"
    "Teacher.a@test.example,Teacher,A,Teacher\n"
)


def test_it_imports_staff_with_their_roles_and_never_twice(world):
    plan, record = _apply(world.a.admin, "staff", STAFF)
    assert (plan.created, plan.unchanged) == (2, 1)  # Teacher A already teaches here
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    rosa = User.objects.get(email="r.achebe@elm.example")
    assert rosa.full_name == "Rosa Achebe" and not rosa.has_usable_password()
    assert Membership.objects.get(user=rosa).role == "teacher"
    assert Membership.objects.get(user__email="t.ng@elm.example").role == "teaching_assistant"
    plan, _ = _apply(world.a.admin, "staff", STAFF)
    assert (plan.created, plan.unchanged) == (0, 3)


def test_it_refuses_unknown_roles_and_bad_emails(world):
    plan, record = _apply(
        world.a.admin, "staff", "Email,Name,Role\nnot-an-email,Ann Lee,Teacher\nb@x.example,Bo Li,Caretaker\n"
    )
    messages = [i.message for i in plan.issues if i.is_error]
    assert "Email 'not-an-email' is not an email address." in messages
    assert any("Role 'Caretaker' is not one Tandem knows" in m for m in messages)
    with pytest.raises(ValidationError):
        import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert not User.objects.filter(email="b@x.example").exists()


def test_it_lets_only_the_school_admin_import_staff(world):
    with pytest.raises(ValidationError, match="Only the school admin imports staff"):
        import_upload(actor=actor_for(world.a.senco), kind="staff", file_name="s.csv", data=STAFF.encode())


def test_it_imports_classes_with_teachers_and_pupils(world):
    a = world.a
    rows = (
        "Class,Subject,Year,Teacher,TA,UPN\n"
        f"3 Oak,,3,teacher.a@test.example,teaching_assistant.a@test.example,{a.taught_pupil.upn}\n"
        f"3 Oak,,3,teacher.a@test.example,,{a.untaught_pupil.upn}\n"
        f"Maths set 1,Maths,4,teacher.a@test.example,,{a.ehc_pupil.upn}\n"
    )
    plan, record = _apply(a.admin, "groups", rows)
    assert plan.created == 3 and not plan.error_lines
    import_apply(actor=actor_for(a.admin), record_id=record.pk)
    oak = TeachingGroup.objects.get(school=a.school, name="3 Oak")
    assert (oak.kind, oak.subject_id, oak.year_group) == ("class", None, 3)
    assert set(GroupStaff.objects.filter(group=oak).values_list("user__email", "role")) == {
        ("teacher.a@test.example", "teacher"),
        ("teaching_assistant.a@test.example", "support"),
    }
    assert set(Enrolment.objects.filter(group=oak).values_list("pupil_id", flat=True)) == {
        a.taught_pupil.pk,
        a.untaught_pupil.pk,
    }
    maths = TeachingGroup.objects.get(school=a.school, name="Maths set 1")
    assert (maths.kind, maths.subject_id) == ("set", "maths")
    assert Enrolment.objects.get(group=maths).starts_on == timezone.localdate()
    # The teacher is now accountable for the untaught pupil, as the access layer sees it.
    assert a.untaught_pupil.pk in {p.pk for p in pupils_in_scope(actor_for(a.teacher))}
    plan, _ = _apply(a.admin, "groups", rows)
    assert (plan.created, plan.unchanged) == (0, 3)


def test_it_refuses_a_teacher_who_does_not_teach_here_or_is_a_ta(world):
    a = world.a
    rows = (
        "Class,Teacher,UPN\n"
        f"3 Oak,teacher.b@test.example,{a.taught_pupil.upn}\n"
        f"3 Oak,teaching_assistant.a@test.example,{a.taught_pupil.upn}\n"
    )
    plan, record = _apply(a.admin, "groups", rows)
    messages = [i.message for i in plan.issues if i.is_error]
    assert messages == [
        "No class or subject teacher at this school has the email teacher.b@test.example. "
        "Import staff first.",
        "No class or subject teacher at this school has the email teaching_assistant.a@test.example. "
        "Import staff first.",
    ]
    with pytest.raises(ValidationError):
        import_apply(actor=actor_for(a.admin), record_id=record.pk)
    assert not TeachingGroup.objects.filter(name="3 Oak").exists()


def test_it_refuses_a_group_given_two_subjects(world):
    a = world.a
    rows = f"Class,Subject,UPN\nSet 1,Maths,{a.taught_pupil.upn}\nSet 1,Reading,{a.ehc_pupil.upn}\n"
    plan, _ = _apply(a.admin, "groups", rows)
    assert [i.message for i in plan.issues if i.is_error] == [
        "Line 2 gives Set 1 a different subject or year group."
    ]


def test_it_reads_the_accounts_of_a_staff_file_in_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(rows: int) -> int:
        text = "Email,Name,Role\n" + "".join(f"p{i}@new.example,Person {i},Teacher\n" for i in range(rows))
        record = import_upload(
            actor=actor_for(world.a.admin), kind="staff", file_name="s.csv", data=text.encode()
        )
        with CaptureQueriesContext(connection) as captured:
            import_preview(actor=actor_for(world.a.admin), record=record)
        return len(captured.captured_queries)

    assert queries(3) == queries(40)
