"""The staff and roles list sorts by name, email address or role, finds people by name or email without
minding accents, and pages, keeping a trust admin's choice of school in every link."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr(?: id="staff-\d+")?><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td>')


def _rows(page: str) -> list[tuple[str, str, str]]:
    return ROW.findall(page)


def _person(school: object, name: str, email: str, *roles: str) -> object:
    user = f.make_user(email=email, full_name=name)
    for role in roles:
        f.make_membership(user=user, role=role, school=school)
    return user


def test_it_sorts_by_role_as_the_roles_read_and_anchors_each_person_once(client, world):
    both = _person(world.a.school, "Bea Both", "bea@test.example", "teacher", "dpo")
    client.force_login(world.a.head)

    page = client.get(reverse("staff"), {"sort": "role"}).content.decode()

    roles = [role for _, _, role in _rows(page)]
    # "SENCo" and "School admin" swap places where the database's collation ignores case (PostgreSQL).
    plain = [role for role in roles if not role.startswith("S")]
    assert plain == sorted(plain) and len(plain) == 7 and "Data protection officer" in plain
    assert page.count(f'id="staff-{both.pk}"') == 1  # her two roles are apart in this order
    assert 'aria-sort="ascending"' in page


def test_it_sorts_by_email_address_highest_first(client, world):
    client.force_login(world.a.head)

    page = client.get(reverse("staff"), {"sort": "email", "dir": "desc"}).content.decode()

    emails = [email for _, email, _ in _rows(page)]
    assert len(emails) == 7 and emails == sorted(emails, reverse=True)
    assert 'aria-sort="descending"' in page


def test_it_finds_someone_by_name_or_email_without_minding_accents(client, world):
    _person(world.a.school, "Zoë Quill", "zq@test.example", "teacher")
    _person(world.b.school, "Zoë Other", "zo@test.example", "teacher")
    client.force_login(world.a.head)

    by_name = _rows(client.get(reverse("staff"), {"q": "zoe"}).content.decode())
    by_email = _rows(client.get(reverse("staff"), {"q": "ZQ@TEST"}).content.decode())
    nothing = client.get(reverse("staff"), {"q": "nobody"}).content.decode()

    assert [name for name, _, _ in by_name] == ["Zoë Quill"]  # never another school's
    assert [name for name, _, _ in by_email] == ["Zoë Quill"]
    assert _rows(nothing) == []
    assert "No one with a role here matches that name or email address." in nothing


def test_it_pages_and_keeps_the_trust_admins_school_search_and_order_in_the_links(client, world):
    for n in range(52):
        _person(world.a.school, f"Paged Person {n:02d}", f"paged{n:02d}@test.example", "teacher")
    school = world.a.school.pk
    client.force_login(world.trust_admin)
    query = {"school": school, "q": "paged", "sort": "email", "dir": "desc"}

    first = client.get(reverse("staff"), query).content.decode()
    second = client.get(reverse("staff"), {**query, "page": 2}).content.decode()

    assert [email for _, email, _ in _rows(first)][:2] == ["paged51@test.example", "paged50@test.example"]
    assert f'href="?school={school}&amp;q=paged&amp;sort=email&amp;dir=desc&amp;page=2"' in first
    assert f'href="?school={school}&amp;q=paged&amp;sort=name"' in first  # header links keep the school
    assert f'<input type="hidden" name="school" value="{school}">' in first  # and so does the search
    assert [email for _, email, _ in _rows(second)] == ["paged01@test.example", "paged00@test.example"]
    assert "Page 2 of 2 (52 roles)" in second


def test_it_ignores_a_column_it_does_not_sort_by(client, world):
    client.force_login(world.a.head)

    page = client.get(reverse("staff"), {"sort": "password"}).content.decode()

    names = [name for name, _, _ in _rows(page)]
    assert names == sorted(names)
    assert page.count('aria-sort="ascending"') == 1
