from __future__ import annotations

from django.db import transaction

from tandem.accounts.services import invitation_issue
from tandem.audit.services import audit_record
from tandem.people.models import Membership, Role, User
from tandem.people.services import needs_invitation
from tandem.schools.models import School, Trust


@transaction.atomic
def school_create(
    *,
    name: str,
    urn: str,
    phase: str,
    lowest_year: int,
    highest_year: int,
    admin_email: str,
    admin_name: str,
    base_url: str | None = None,
    trust_name: str | None = None,
    la_number: str = "",
    establishment_number: str = "",
) -> tuple[School, User]:
    """Add a school and its first school admin (from the command line, so there is no actor yet).

    The admin is invited by email, like everyone else: no password is ever typed on the server."""
    trust = Trust.objects.get_or_create(name=trust_name)[0] if trust_name else None
    school = School(
        name=name,
        urn=urn,
        phase=phase,
        lowest_year=lowest_year,
        highest_year=highest_year,
        trust=trust,
        la_number=la_number,
        establishment_number=establishment_number,
    )
    school.full_clean()
    school.save()
    user = User.objects.filter(email=admin_email.strip().lower()).first()
    if user is None:
        user = User.objects.create_user(email=admin_email, password=None, full_name=admin_name)
    Membership.objects.create(user=user, role=Role.SCHOOL_ADMIN, school=school)
    if needs_invitation(user):
        invitation_issue(user=user, role=Role.SCHOOL_ADMIN, school=school, base_url=base_url)
    # One event for the whole act: the school and its first admin arrive together.
    audit_record(
        actor=None,
        action="school.create",
        target_type="school",
        target_id=school.pk,
        school_id=school.pk,
        fields=["name", "urn", "phase", "years", "trust", "school_admin"],
    )
    return school, user
