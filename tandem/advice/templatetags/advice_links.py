"""The link to a pupil's specialist advice, for the pupil's page: shown only to those who may follow it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from tandem.access.policy import Resource

register = template.Library()


@register.simple_tag(takes_context=True)
def advice_link(context: dict[str, Any], pupil: Any) -> str:
    actor = context.get("actor")
    if actor is None or not actor.can(Resource.SPECIALIST_ADVICE):
        return ""
    return format_html('<a href="{}">Specialist advice</a>', reverse("advice_list", args=[pupil.pk]))
