"""Separation of duties for staff roles, through the pages, the staff import and the command line.

Nobody gives, removes or approves their own roles; the school admin gives teachers, TAs and admins; the
SENCo and head roles come only from the head or a trust admin, and a staff import can only ask for them.
Every case leaves its audit event, and role changes ask for a recent password or second factor.
"""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from tandem.access.actor import actor_for
from tandem.accounts.models import Invitation
from tandem.audit.models import AuditEvent
from tandem.exchange.models import ImportRecord
from tandem.exchange.selectors import import_preview
from tandem.exchange.services import import_apply, import_upload
from tandem.people.models import Membership, RoleProposal, User
from tandem.people.services import grantable_roles, role_proposal_approve
from tests import factories as f


def _events(after: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=after, action=action).order_by("id"))


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _import_staff(user: User, text: str, *, skip_errors: bool = False) -> ImportRecord:
    actor = actor_for(user)
    record = import_upload(actor=actor, kind="staff", file_name="staff.csv", data=text.encode())
    return import_apply(actor=actor, record_id=record.pk, skip_errors=skip_errors)


# ------------------------------------------------------------------------------------------ the rule


def test_it_lets_each_role_give_only_the_roles_the_issue_names(world):
    assert grantable_roles(actor_for(world.a.admin)) == {"teacher", "teaching_assistant", "school_admin"}
    assert grantable_roles(actor_for(world.a.head)) == {
        "teacher",
        "teaching_assistant",
        "school_admin",
        "senco",
        "head",
        "dpo",  # reads everyone's trail: the head's to give, like SENCo and head
    }
    assert grantable_roles(actor_for(world.trust_admin)) == grantable_roles(actor_for(world.a.head))
    assert grantable_roles(actor_for(world.a.senco)) == frozenset()
    assert grantable_roles(actor_for(world.trust_lead)) == frozenset()


# ------------------------------------------------------------------------------------------ pages


def test_it_refuses_a_self_grant_on_the_page_and_records_it(client, world):
    client.force_login(world.a.head)
    before = _last_event_id()
    response = client.post(
        reverse("role_grant"), {"email": world.a.head.email, "full_name": "", "role": "senco"}
    )
    assert response.status_code == 400
    assert "You cannot give yourself a role" in response.content.decode()
    assert not Membership.objects.filter(user=world.a.head, role="senco").exists()
    [event] = _events(before, "membership.create")
    assert (event.outcome, event.target_type, event.target_id, event.fields) == (
        "denied",
        "user",
        str(world.a.head.pk),
        ["self"],
    )
    assert event.school_id == world.a.school.pk


def test_it_refuses_a_school_admin_giving_the_senco_role_on_the_page_and_records_it(client, world):
    client.force_login(world.a.admin)
    before = _last_event_id()
    response = client.post(
        reverse("staff_add"), {"email": world.a.teacher.email, "full_name": "", "role": "senco"}
    )
    assert response.status_code == 400
    assert (
        "Only the head or a trust admin can give someone the SENCo or head role" in response.content.decode()
    )
    assert not Membership.objects.filter(user=world.a.teacher, role="senco").exists()
    [event] = _events(before, "membership.create")
    assert (event.outcome, event.target_id, event.fields) == ("denied", str(world.a.teacher.pk), ["role"])
    # The head role is refused the same way, and the school admin's form offers neither.
    response = client.post(
        reverse("staff_add"), {"email": "new@test.example", "full_name": "N", "role": "head"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="new@test.example").exists()
    form = client.get(reverse("staff_add")).content.decode()
    assert 'value="senco"' not in form and 'value="head"' not in form and 'value="teacher"' in form


def test_it_lets_the_head_give_the_senco_role_and_shows_it_on_the_heads_page(client, world):
    client.force_login(world.a.head)
    before = _last_event_id()
    response = client.post(
        reverse("role_grant"), {"email": world.a.teacher.email, "full_name": "", "role": "senco"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.a.teacher, role="senco", school=world.a.school)
    [event] = _events(before, "membership.create")
    assert (event.outcome, event.target_id) == ("ok", str(membership.pk))
    page = client.get(reverse("staff")).content.decode()
    assert "Recent role changes" in page
    assert "Gave a role" in page and "Teacher A" in page and "Head A" in page


def test_it_refuses_removing_ones_own_role_on_the_page_and_records_it(client, world):
    client.force_login(world.a.head)
    own = world.a.head.memberships.get()
    before = _last_event_id()
    response = client.post(reverse("role_remove", args=[own.pk]))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.is_active
    [event] = _events(before, "membership.deactivate")
    assert (event.outcome, event.target_id, event.fields) == ("denied", str(own.pk), ["self"])
    assert "You cannot remove your own role" in client.get(reverse("staff")).content.decode()


def test_it_refuses_a_school_admin_removing_the_sencos_role_and_records_it(client, world):
    client.force_login(world.a.admin)
    senco_role = world.a.senco.memberships.get()
    before = _last_event_id()
    client.post(reverse("staff_remove", args=[senco_role.pk]))
    senco_role.refresh_from_db()
    assert senco_role.is_active
    [event] = _events(before, "membership.deactivate")
    assert (event.outcome, event.fields) == ("denied", ["role"])
    # The head may.
    client.force_login(world.a.head)
    assert client.post(reverse("role_remove", args=[senco_role.pk])).status_code == 302
    senco_role.refresh_from_db()
    assert not senco_role.is_active


def test_it_never_names_someone_from_another_school_in_a_refusal(client, world):
    client.force_login(world.a.admin)
    response = client.post(
        reverse("staff_add"), {"email": world.b.teacher.email, "full_name": "", "role": "senco"}
    )
    assert response.status_code == 400
    assert "Teacher B" not in response.content.decode()
    # Nor on the head's page, where the refused attempt is listed.
    client.force_login(world.a.head)
    page = client.get(reverse("staff")).content.decode()
    assert "Refused: Gave a role" in page and "Someone not at this school" in page
    assert "Teacher B" not in page


def test_it_lets_a_trust_admin_give_the_head_role_at_a_trust_school_only(client, world):
    client.force_login(world.trust_admin)
    form = client.get(reverse("role_grant")).content.decode()
    assert "School A" in form and "School B" not in form
    response = client.post(
        reverse("role_grant"),
        {
            "school": world.a.school.pk,
            "email": "new.head@test.example",
            "full_name": "New Head",
            "role": "head",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        user__email="new.head@test.example", role="head", school=world.a.school
    ).exists()
    response = client.post(
        reverse("role_grant"),
        {"school": world.b.school.pk, "email": "x@test.example", "full_name": "X", "role": "head"},
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="x@test.example").exists()


# ------------------------------------------------------------------------------------------ re-authentication


def test_it_asks_for_the_password_again_before_a_role_change_when_the_sign_in_is_old(client, world):
    head = world.a.head
    head.set_password("a long and unguessable phrase")
    head.save()
    client.force_login(head)
    session = client.session
    eleven_minutes_ago = time.time() - 11 * 60
    for record in session["account_authentication_methods"]:
        record["at"] = eleven_minutes_ago
    session.save()
    # Looking at the form is fine; changing a role is not, until the password is given again.
    assert client.get(reverse("role_grant")).status_code == 200
    response = client.post(
        reverse("role_grant"), {"email": world.a.teacher.email, "full_name": "", "role": "senco"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not Membership.objects.filter(user=world.a.teacher, role="senco").exists()
    response = client.post(reverse("role_remove", args=[world.a.teacher.memberships.get().pk]))
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert world.a.teacher.memberships.get().is_active


# ------------------------------------------------------------------------------------------ the staff import

STAFF = (
    "Email,Name,Role\n"
    "new.senco@elm.example,Nia Senco,SENCo\n"
    "new.teacher@elm.example,Tom Teacher,Teacher\n"
    "head.a@test.example,Head A,Head\n"
)


def test_it_turns_an_imported_senco_into_a_request_with_no_sen_access_until_the_head_approves(client, world):
    before = _last_event_id()
    applied = _import_staff(world.a.admin, STAFF)
    nia = User.objects.get(email="new.senco@elm.example")
    assert not Membership.objects.filter(user=nia).exists()
    proposal = RoleProposal.objects.get(user=nia)
    assert (proposal.role, proposal.school_id, proposal.proposed_by_id, proposal.source_import_id) == (
        "senco",
        world.a.school.pk,
        world.a.admin.pk,
        applied.pk,
    )
    [asked] = _events(before, "role.propose")
    assert asked.target_id == str(proposal.pk)
    # The new teacher is invited now; the proposed SENCo only once the role is approved.
    teacher = User.objects.get(email="new.teacher@elm.example")
    assert Invitation.objects.filter(user=teacher, role="teacher", school=world.a.school).exists()
    assert not Invitation.objects.filter(user=nia).exists()
    assert [e.target_id for e in _events(before, "membership.create")] == [str(teacher.memberships.get().pk)]

    client.force_login(nia)
    assert client.get(reverse("register")).status_code == 404
    assert client.get(reverse("pupil_detail", args=[world.a.ehc_pupil.pk])).status_code == 404

    client.force_login(world.a.head)
    page = client.get(reverse("staff")).content.decode()
    assert "Role requests waiting for a decision" in page and "Nia Senco" in page
    assert client.post(reverse("role_approve", args=[proposal.pk])).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.decision, proposal.decided_by_id) == ("approved", world.a.head.pk)
    assert Membership.objects.get(user=nia).role == "senco"
    [approved] = _events(before, "role.approve")
    assert (approved.outcome, approved.target_id, approved.actor_id) == (
        "ok",
        str(proposal.pk),
        world.a.head.pk,
    )
    assert Invitation.objects.filter(user=nia, role="senco").exists()
    page = client.get(reverse("staff")).content.decode()
    assert "Approved a role request" in page and "Asked for a role (staff import)" in page

    client.force_login(nia)
    assert client.get(reverse("register")).status_code == 200


def test_it_asks_once_for_a_role_a_second_import_repeats_and_records_a_rejection(client, world):
    _import_staff(world.a.admin, STAFF)
    actor = actor_for(world.a.admin)
    record = import_upload(actor=actor, kind="staff", file_name="staff.csv", data=STAFF.encode())
    plan = import_preview(actor=actor, record=record).plan
    assert plan is not None and (plan.created, plan.unchanged) == (0, 3)
    proposal = RoleProposal.objects.get(user__email="new.senco@elm.example")
    client.force_login(world.a.head)
    before = _last_event_id()
    assert client.post(reverse("role_reject", args=[proposal.pk])).status_code == 302
    proposal.refresh_from_db()
    assert proposal.decision == "rejected"
    assert not Membership.objects.filter(user=proposal.user).exists()
    [event] = _events(before, "role.reject")
    assert event.target_id == str(proposal.pk)


def test_it_tells_the_importer_what_the_staff_import_will_send(world):
    actor = actor_for(world.a.admin)
    record = import_upload(actor=actor, kind="staff", file_name="staff.csv", data=STAFF.encode())
    notices = " ".join(import_preview(actor=actor, record=record).file_notices)
    assert "1 person is new to Tandem" in notices and "invitation" in notices
    assert "1 row asks for the SENCo or head role" in notices


def test_it_refuses_an_import_row_giving_the_importer_a_role_and_records_it(world):
    admin = world.a.admin
    text = (
        f"Email,Name,Role\n{admin.email},Admin A,Teacher\n{admin.email},Admin A,School admin\n"
        "ok@elm.example,Ok Person,TA\n"
    )
    before = _last_event_id()
    with pytest.raises(ValidationError, match="1 row has errors"):
        _import_staff(admin, text)
    assert not Membership.objects.filter(user=admin, role="teacher").exists()
    # The refusal stays although the import was not applied.
    [refused] = _events(before, "membership.create")
    assert (refused.outcome, refused.target_id, refused.fields) == ("denied", str(admin.pk), ["self"])
    # Leaving the row out applies the rest; the role the admin already holds is simply unchanged.
    record = ImportRecord.objects.get(kind="staff", school=world.a.school)
    applied = import_apply(actor=actor_for(admin), record_id=record.pk, skip_errors=True)
    assert (applied.created, applied.unchanged, len(applied.skipped)) == (1, 1, 1)
    assert not Membership.objects.filter(user=admin, role="teacher").exists()
    assert len([e for e in _events(before, "membership.create") if e.outcome == "denied"]) == 2


def test_it_refuses_a_head_approving_a_request_for_themselves(world):
    proposal = RoleProposal.objects.create(
        user=world.a.head, school=world.a.school, role="senco", proposed_by=world.a.admin
    )
    before = _last_event_id()
    with pytest.raises(ValidationError, match="your own role"):
        role_proposal_approve(actor=actor_for(world.a.head), proposal_id=proposal.pk)
    assert not Membership.objects.filter(user=world.a.head, role="senco").exists()
    [event] = _events(before, "role.approve")
    assert (event.outcome, event.fields) == ("denied", ["self"])
    # A trust admin of the school's trust may.
    role_proposal_approve(actor=actor_for(world.trust_admin), proposal_id=proposal.pk)
    assert Membership.objects.filter(user=world.a.head, role="senco", school=world.a.school).exists()


def test_it_reaches_import_records_only_through_the_access_layer(world):
    record = f.make_import(world.a.school, kind="staff")
    with pytest.raises(ImportRecord.DoesNotExist):
        import_apply(actor=actor_for(world.b.admin), record_id=record.pk)
    sen = f.make_import(world.a.school, kind="sen")
    with pytest.raises(ImportRecord.DoesNotExist):
        import_apply(actor=actor_for(world.a.admin), record_id=sen.pk)


# ------------------------------------------------------------------------------------------ command line


def _staffrole(*args: str) -> None:
    call_command("staffrole", *args)


def test_it_refuses_a_self_grant_on_the_command_line_and_records_it(world):
    head = world.a.head
    before = _last_event_id()
    with pytest.raises(CommandError, match="You cannot give yourself a role"):
        _staffrole(
            "grant",
            "--school",
            world.a.school.urn,
            "--email",
            head.email,
            "--role",
            "senco",
            "--by",
            head.email,
        )
    assert not Membership.objects.filter(user=head, role="senco").exists()
    [event] = _events(before, "membership.create")
    assert (event.outcome, event.fields, event.actor_id) == ("denied", ["self"], head.pk)
    with pytest.raises(CommandError, match="You cannot remove your own role"):
        _staffrole(
            "revoke",
            "--school",
            world.a.school.urn,
            "--email",
            head.email,
            "--role",
            "head",
            "--by",
            head.email,
        )
    assert head.memberships.get().is_active


def test_it_refuses_a_school_admin_giving_the_senco_role_on_the_command_line_and_records_it(world):
    a = world.a
    before = _last_event_id()
    with pytest.raises(CommandError, match="Only the head or a trust admin"):
        _staffrole(
            "grant",
            "--school",
            a.school.urn,
            "--email",
            a.teacher.email,
            "--role",
            "senco",
            "--by",
            a.admin.email,
        )
    assert not Membership.objects.filter(user=a.teacher, role="senco").exists()
    [event] = _events(before, "membership.create")
    assert (event.outcome, event.fields, event.actor_id) == ("denied", ["role"], a.admin.pk)
    # The head may, and so may a trust admin of the school's trust (not of another trust's school).
    _staffrole(
        "grant", "--school", a.school.urn, "--email", a.teacher.email, "--role", "senco", "--by", a.head.email
    )
    assert Membership.objects.filter(user=a.teacher, role="senco", school=a.school, is_active=True).exists()
    [granted] = [e for e in _events(before, "membership.create") if e.outcome == "ok"]
    assert granted.actor_id == a.head.pk
    _staffrole(
        "revoke",
        "--school",
        a.school.urn,
        "--email",
        a.teacher.email,
        "--role",
        "senco",
        "--by",
        world.trust_admin.email,
    )
    assert not Membership.objects.filter(user=a.teacher, role="senco", is_active=True).exists()
    with pytest.raises(CommandError, match="holds no role at this school"):
        _staffrole(
            *("grant", "--school", world.b.school.urn, "--email", "x@test.example", "--name", "X"),
            *("--role", "head", "--by", world.trust_admin.email),
        )
