"""`tandem staffrole grant|revoke`: give or take away a school role from the command line, as a named
member of staff, under the same rules as the pages (see tandem.people.services.grantable_roles)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.access.actor import Actor, actor_for
from tandem.people.models import SCHOOL_ROLES, Membership, Role
from tandem.people.services import grantable_roles, membership_create, membership_deactivate
from tandem.schools.models import School


class Command(BaseCommand):
    help = (
        "Give (grant) or take away (revoke) a school role, acting as the member of staff named by --by, who "
        "must hold a role that may give it: the school admin gives teachers, TAs and admins; the head or a "
        "trust admin of the school's trust gives any school role, SENCo and head included. Nobody gives or "
        "takes away their own role. Every change, and every refusal, is in the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["grant", "revoke"], help="Give the role, or take it away.")
        parser.add_argument("--school", metavar="URN", required=True, help="The school, by its URN.")
        parser.add_argument("--email", required=True, help="Email address of the person whose role it is.")
        parser.add_argument(
            "--role", required=True, choices=sorted(r.value for r in SCHOOL_ROLES), help="The role."
        )
        parser.add_argument(
            "--by", required=True, metavar="EMAIL", help="Email address of the member of staff acting."
        )
        parser.add_argument("--name", default="", help="Full name, when the person is new to Tandem.")
        parser.add_argument(
            "--base-url",
            default=settings.TANDEM_BASE_URL,
            help="The address staff reach Tandem at, for an invitation link (default: TANDEM_BASE_URL).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(urn=options["school"]).first()
        if school is None:
            raise CommandError(f"No school has URN {options['school']}.")
        role = Role(options["role"])
        actor = self._actor(school, role, options["by"])
        email = options["email"].strip().lower()
        try:
            if options["action"] == "grant":
                membership = membership_create(
                    actor=actor,
                    email=email,
                    full_name=options["name"],
                    role=role,
                    school_id=school.pk,
                    base_url=options["base_url"],
                )
                self.stdout.write(f"{email} is now {membership.get_role_display()} at {school.name}.")
            else:
                held = Membership.objects.filter(
                    school=school, role=role, user__email=email, is_active=True
                ).first()
                if held is None:
                    raise CommandError(f"{email} does not have the role {role.label} at {school.name}.")
                membership_deactivate(actor=actor, membership_id=held.pk)
                self.stdout.write(f"Removed the role {role.label} from {email} at {school.name}.")
        except ValidationError as error:
            raise CommandError("Nothing was changed: " + " ".join(error.messages)) from error
        except PermissionError as error:
            raise CommandError(f"Nothing was changed: {error}") from error

    def _actor(self, school: School, role: Role, email: str) -> Actor:
        """The acting person in the role that may give `role` here: a role at the school, or a trust admin
        of its trust. Refused roles still act (the service records the refusal) when nothing better fits."""
        held = Membership.objects.filter(user__email=email.strip().lower(), is_active=True).select_related(
            "user"
        )
        candidates = [
            m for m in held if m.school_id == school.pk or (m.trust_id and m.trust_id == school.trust_id)
        ]
        if not candidates:
            raise CommandError(f"{email} holds no role at this school or its trust.")
        actors = [a for a in (actor_for(m.user, m.pk) for m in candidates) if a is not None]
        able = [a for a in actors if role in grantable_roles(a)]
        if able:
            return able[0]
        # Let the service refuse (and record it) with the reason, if this person may give roles at all.
        some = [a for a in actors if grantable_roles(a)]
        if some:
            return some[0]
        raise CommandError(f"{email} holds no role at this school that may give or take away roles.")
