"""Template helpers for pages outside tandem.parents that link to it."""

from __future__ import annotations

from django import template

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource

register = template.Library()


@register.filter
def sees_parents_page(actor: Actor | None) -> bool:
    """Whether the person may open a pupil's "Parents and carers" page (the pupil page's link shows then)."""
    return actor is not None and actor.can(Resource.PARENT_ACCESS, Action.VIEW)
