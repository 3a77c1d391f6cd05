"""The pupil list, its filters and the staff page, as a school's staff use them."""

from django.urls import reverse

from tandem.people.models import Membership


def test_it_filters_the_register_by_status_need_and_area(client, world):
    client.force_login(world.a.senco)
    ehc = client.get(reverse("register") + "?status=E").content.decode()
    assert "SentinelaEhc" in ehc and "SentinelaSupport" not in ehc
    slcn = client.get(reverse("pupil_list") + "?need=SLCN").content.decode()
    assert "SentinelaSupport" in slcn and "SentinelaEhc" not in slcn
    # SEMH is the EHC pupil's second need: a filter by need looks at every current need, not only rank 1.
    semh = client.get(reverse("pupil_list") + "?area=semh").content.decode()
    assert "SentinelaEhc" in semh and "SentinelaSupport" not in semh


def test_it_searches_by_name_and_upn(client, world):
    client.force_login(world.a.senco)
    by_name = client.get(reverse("pupil_list") + "?q=ellis+sentinelaehc").content.decode()
    assert "SentinelaEhc" in by_name and "SentinelaSupport" not in by_name
    by_upn = client.get(reverse("pupil_list") + f"?q={world.a.taught_pupil.upn}").content.decode()
    assert "SentinelaSupport" in by_upn and "SentinelaEhc" not in by_upn


def test_it_filters_by_year_and_group(client, world):
    client.force_login(world.a.head)
    year5 = client.get(reverse("pupil_list") + "?year=5").content.decode()
    assert "SentinelaUntaught" in year5 and "SentinelaSupport" not in year5
    group = client.get(reverse("pupil_list") + f"?group={world.a.group.pk}").content.decode()
    assert "SentinelaSupport" in group and "SentinelaUntaught" not in group


def test_it_explains_a_filter_value_it_cannot_use(client, world):
    client.force_login(world.a.senco)
    response = client.get(reverse("pupil_list") + "?year=banana&status=Z")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert "SentinelaSupport" in body  # the unusable filter is reported, not silently applied


def test_it_does_not_offer_another_schools_groups_as_a_filter(client, world):
    client.force_login(world.a.senco)
    body = client.get(reverse("pupil_list")).content.decode()
    assert str(world.b.group.pk) not in body
    response = client.get(reverse("pupil_list") + f"?group={world.b.group.pk}")
    assert "Select a valid choice" in response.content.decode()


def test_it_lets_the_school_admin_give_a_new_person_a_role(client, world):
    client.force_login(world.a.admin)
    response = client.post(
        reverse("staff_add"),
        {"email": "Fresh.Teacher@Test.Example", "full_name": "Fresh Teacher", "role": "teacher"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="fresh.teacher@test.example")
    assert (membership.role, membership.school_id) == ("teacher", world.a.school.pk)
    assert "Fresh Teacher is now" in client.get(reverse("staff")).content.decode()


def test_it_explains_why_a_role_cannot_be_given(client, world):
    client.force_login(world.a.admin)
    response = client.post(
        reverse("staff_add"), {"email": world.a.teacher.email, "full_name": "", "role": "teacher"}
    )
    assert response.status_code == 400
    assert "already has the role" in response.content.decode()
    response = client.post(
        reverse("staff_add"), {"email": "new@test.example", "full_name": "", "role": "teaching_assistant"}
    )
    assert "Enter the person" in response.content.decode()
    assert not Membership.objects.filter(user__email="new@test.example").exists()


def test_it_refuses_a_name_with_invisible_formatting_characters(client, world):
    client.force_login(world.a.admin)
    response = client.post(
        reverse("staff_add"),
        {"email": "new@test.example", "full_name": "Fresh \u202eTeacher", "role": "teacher"},
    )
    assert response.status_code == 400
    assert (
        "This name contains invisible formatting characters (U+202E), which can make one name look like "
        "another. Type it again without them." in response.content.decode()
    )
    assert not Membership.objects.filter(user__email="new@test.example").exists()


def test_it_removes_a_role_but_not_the_one_in_use(client, world):
    client.force_login(world.a.admin)
    teacher_role = world.a.teacher.memberships.get()
    assert client.post(reverse("staff_remove", args=[teacher_role.pk])).status_code == 302
    teacher_role.refresh_from_db()
    assert not teacher_role.is_active
    own = world.a.admin.memberships.get()
    client.post(reverse("staff_remove", args=[own.pk]))
    own.refresh_from_db()
    assert own.is_active


def test_it_switches_between_a_persons_roles(client, world):
    from tests import factories as f

    f.make_membership(user=world.a.senco, role="teacher", school=world.a.school)
    client.force_login(world.a.senco)
    assert client.get(reverse("staff")).status_code == 200
    teacher_role = world.a.senco.memberships.get(role="teacher")
    client.post(reverse("switch_role"), {"membership": teacher_role.pk})
    assert client.get(reverse("staff")).status_code == 404
    other = world.b.senco.memberships.get()
    assert client.post(reverse("switch_role"), {"membership": other.pk}).status_code == 404


def test_it_shows_the_school_for_trust_wide_lists(client, world):
    client.force_login(world.trust_lead)
    body = client.get(reverse("register")).content.decode()
    assert "School A" in body
