"""`{% about_me_link pupil %}`: the link to a pupil's "about me", for those the policy lets read it, so a page
owned by another app shows it without its view having to know about pupils' views."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.access.policy import Resource

register = template.Library()


@register.inclusion_tag("pupil_voice/_about_me_link.html", takes_context=True)
def about_me_link(context: template.Context, pupil: Any) -> dict[str, Any]:
    actor = context.get("actor")
    # The role's scope for pupils' views matches its scope for the pupil page, so a role that may read
    # them reaches this pupil's too.
    return {"pupil": pupil, "show": actor is not None and actor.can(Resource.PUPIL_VIEWS)}
