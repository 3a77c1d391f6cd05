"""Who an audit event about signing in is about, before anyone has chosen a role."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignInActor:
    """A person known only as a user id (signing in, resetting a password): no role, no school yet."""

    user_id: int | None
    role: str = ""
    school_id: int | None = None
    trust_id: int | None = None
