"""Who supports a target and which interventions a plan uses: staff and catalogue entries chosen from the
pupil's school, checked here for every service that saves them, and the one-line text the version history
keeps of each (tandem/revisions versions `Target.supporters` and `SupportPlan.interventions`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError

from tandem.people.accountability import school_staff
from tandem.people.models import Pupil, User
from tandem.plans.selectors import SUPPORTING_ROLES
from tandem.provision.models import Intervention

NOT_STAFF = (
    "Someone chosen is not on the staff at this pupil's school, so cannot be named as supporting this "
    "target. Choose from the list."
)
NOT_IN_CATALOGUE = (
    "An intervention chosen is not in this school's catalogue. Choose from the list, or describe it under "
    "other support."
)
OTHER_SUPPORTERS_LIMIT = 300


def _ids(values: Iterable[object], parse: Callable[[str], Any], field: str, message: str) -> set[Any]:
    try:
        return {parse(str(value)) for value in values}
    except ValueError:
        raise ValidationError({field: message}) from None


def supporting_staff(*, pupil: Pupil, ids: Iterable[int | str], keep: Iterable[int] = ()) -> list[User]:
    """The staff chosen as supporting a pupil's target: each active staff at the pupil's school. `keep`:
    those the target already names, accepted again after they leave (they supported it then)."""
    wanted = _ids(ids, int, "supporter_ids", NOT_STAFF)
    kept = wanted & set(keep)
    found = list(school_staff(school_id=pupil.school_id, roles=SUPPORTING_ROLES).filter(pk__in=wanted - kept))
    found += list(User.objects.filter(pk__in=kept))
    if len(found) != len(wanted):
        raise ValidationError({"supporter_ids": NOT_STAFF})
    return sorted(found, key=lambda user: user.full_name.casefold())


def catalogue_interventions(*, school_id: int, ids: Iterable[uuid.UUID | str]) -> list[Intervention]:
    """The interventions chosen for a plan: each from the catalogue of the pupil's school."""
    wanted = _ids(ids, uuid.UUID, "intervention_ids", NOT_IN_CATALOGUE)
    found = list(Intervention.objects.filter(school_id=school_id, pk__in=wanted).order_by("name"))
    if len(found) != len(wanted):
        raise ValidationError({"intervention_ids": NOT_IN_CATALOGUE})
    return found


def other_supporters(text: str) -> str:
    text = text.strip()
    if len(text) > OTHER_SUPPORTERS_LIMIT:
        raise ValidationError(
            {"other_supporters": f"Keep this to {OTHER_SUPPORTERS_LIMIT} characters or fewer."}
        )
    return text


def supporters_line(*, staff: Sequence[User], other: str) -> str:
    """Who supports a target in one line, as the version history keeps it: the names, then the others."""
    return ", ".join([*(user.full_name for user in staff), *([other] if other else [])])


def interventions_text(*, chosen: Sequence[Intervention], other: str) -> str:
    """A plan's interventions as the version history keeps them: the catalogue names, then the rest."""
    return "\n".join(part for part in (", ".join(i.name for i in chosen), other) if part)
