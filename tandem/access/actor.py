"""The signed-in person acting in one of their roles."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.access.policy import Action, Resource, Scope, scope_for
from tandem.people.models import Membership, Role, User

# When a user first signs in, the broadest role they hold is the one they act in.
ROLE_PRIORITY = [
    Role.TRUST_SEND_LEAD,
    Role.TRUST_ADMIN,
    Role.HEAD,
    Role.SENCO,
    Role.SCHOOL_ADMIN,
    Role.TEACHER,
    Role.TEACHING_ASSISTANT,
    Role.TRUST_DPO,
    Role.DPO,
    Role.PARENT,
]


@dataclass(frozen=True)
class Actor:
    user: User
    membership: Membership
    memberships: tuple[Membership, ...]

    @property
    def user_id(self) -> int:
        return self.user.pk

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def school_id(self) -> int | None:
        return self.membership.school_id

    @property
    def trust_id(self) -> int | None:
        return self.membership.trust_id

    @property
    def organisation_name(self) -> str:
        return str(self.membership.school or self.membership.trust)

    def scope(self, resource: Resource, action: Action = Action.VIEW) -> Scope:
        return scope_for(self.role, resource, action)

    def can(self, resource: Resource, action: Action = Action.VIEW) -> bool:
        return self.scope(resource, action) is not Scope.NONE


def actor_for(user: User, chosen_membership_id: int | None = None) -> Actor | None:
    memberships = tuple(
        Membership.objects.filter(user=user, is_active=True).select_related("school", "trust").order_by("id")
    )
    if not memberships:
        return None
    chosen = next((m for m in memberships if m.pk == chosen_membership_id), None)
    if chosen is None:
        chosen = min(memberships, key=lambda m: (ROLE_PRIORITY.index(Role(m.role)), m.pk))
    return Actor(user=user, membership=chosen, memberships=memberships)
