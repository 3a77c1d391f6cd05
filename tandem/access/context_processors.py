from typing import Any

from django.http import HttpRequest

from tandem.access.policy import Action, Resource
from tandem.access.request import actor_from


def actor(request: HttpRequest) -> dict[str, Any]:
    current = actor_from(request)
    if current is None:
        return {"actor": None}
    return {
        "actor": current,
        "nav": {
            "pupils": current.can(Resource.PUPIL),
            "register": current.can(Resource.REGISTER),
            "progress": current.can(Resource.PROGRESS),
            "staff": current.can(Resource.STAFF),
            "trust": current.can(Resource.TRUST_OVERVIEW),
            "manage_staff": current.can(Resource.STAFF, Action.MANAGE),
            "to_do": current.school_id is not None
            and (current.can(Resource.FIRST_RESPONSE) or current.can(Resource.PASSPORT, Action.ADD)),
            "compliance": current.can(Resource.COMPLIANCE),
            "interventions": current.can(Resource.INTERVENTION) and current.school_id is not None,
            "provision_map": current.can(Resource.PROVISION_MAP),
            "imports": current.can(Resource.IMPORT),
            "downloads": current.can(Resource.PUPIL) and current.school_id is not None,
            "audit": current.can(Resource.AUDIT),
            "subject_access": current.can(Resource.SUBJECT_ACCESS),
            "retention": current.can(Resource.RETENTION),
            "documents": current.can(Resource.SCHOOL_DOCUMENT),
        },
    }
