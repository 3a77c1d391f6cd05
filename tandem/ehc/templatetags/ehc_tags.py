"""Template filters for EHC pages and the links to them."""

from __future__ import annotations

from django import template

from tandem.access.actor import Actor
from tandem.access.policy import Resource

register = template.Library()


@register.filter
def can_view(actor: Actor | None, resource: str) -> bool:
    """Whether the signed-in person's role may view this kind of record ("ehc_plan"): for a link to it."""
    return actor is not None and actor.can(Resource(resource))
