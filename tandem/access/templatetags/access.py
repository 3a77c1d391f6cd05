"""`actor|can:"resource"` or `actor|can:"resource.action"`: whether the signed-in person's role may do this
kind of thing, so a page shows a link only to those who may follow it. The view behind the link still checks
the record itself through the access layer; this only decides what is worth offering."""

from __future__ import annotations

from django import template

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource

register = template.Library()


@register.filter
def can(actor: Actor | None, what: str) -> bool:
    resource, _, action = what.partition(".")
    return actor is not None and actor.can(Resource(resource), Action(action or Action.VIEW))
