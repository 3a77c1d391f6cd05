"""Reads of a pupil's own views ("about me"), scoped by the access policy; each read is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource
from tandem.access.scopes import pupil_or_404, pupil_records_in_scope
from tandem.audit.services import audit_record
from tandem.people.models import Pupil
from tandem.pupil_voice.models import AboutMe


@dataclass(frozen=True)
class AboutMeList:
    pupil: Pupil
    records: QuerySet[AboutMe]


def _current(actor: Actor) -> QuerySet[AboutMe]:
    # A withdrawn record was a mistake (the wrong pupil, say): it is quoted nowhere.
    scoped = pupil_records_in_scope(actor, AboutMe, Resource.PUPIL_VIEWS, Action.VIEW)
    return (
        scoped.filter(withdrawn_at__isnull=True)
        .select_related("recorded_with")
        .order_by("-recorded_on", "-created_at", "-pk")
    )


def about_me_list(*, actor: Actor, pupil_id: uuid.UUID) -> AboutMeList:
    """The pupil's "about me" records, newest first."""
    pupil = pupil_or_404(actor, pupil_id, Resource.PUPIL_VIEWS)
    audit_record(
        actor=actor,
        action="about_me.list",
        target_type="pupil",
        target_id=pupil.pk,
        school_id=pupil.school_id,
    )
    return AboutMeList(pupil=pupil, records=_current(actor).filter(pupil=pupil))


def about_me_latest(*, actor: Actor, pupil_id: uuid.UUID) -> AboutMe | None:
    """The pupil's newest "about me", for the pages that quote it (a new plan, the passport); None when
    there is none, or the actor may not read the pupil's views (the page around it is theirs all the same)."""
    latest = _current(actor).filter(pupil_id=pupil_id).first()
    if latest is not None:
        audit_record(
            actor=actor,
            action="about_me.view",
            target_type="about_me",
            target_id=latest.pk,
            school_id=latest.school_id,
        )
    return latest
