"""What a subject access export holds about one pupil: every record type that refers to the pupil (one
section each, listed in SECTIONS, so a new model with a pupil field fails a test until it is listed), the
group session logs they were part of (shared records, other pupils' names removed), and the audit of who
viewed or changed their record. `subject_access_data` gathers it as plain data; `archive` packs the JSON,
the readable PDF and a README into one ZIP.

JSON schema ("tandem-subject-access/1"), documented in docs/data-protection.md:
    {"schema": ..., "generated_at": ISO time, "school": name,
     "subject": {the pupil's own row},
     "sections": [{"key": "app.Model", "title": plain English, "shared": bool, "records": [{field: value}]}]}
Values: text as stored (other pupils' names replaced by "[another pupil]"), dates and times ISO 8601, ids as
strings, a related record as its id under the field's name with "_id".
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import Invitation
from tandem.advice.models import AdviceDocument, Recommendation, SpecialistAdvice
from tandem.assessment.models import Assessment, StageAssessment
from tandem.audit.models import AuditEvent
from tandem.audit.selectors import pupil_targets
from tandem.ehc.models import AnnualReview, EhcNeed, EhcOutcome, EhcPlan, EhcProvision
from tandem.exchange.models import MisSenStatus
from tandem.inclusion.models import InclusionBasePlacement
from tandem.lib.text import name_redactor
from tandem.parents.models import (
    MeetingRequest,
    MeetingResponse,
    ParentLink,
    ParentViews,
    Sharing,
    ViewsRequest,
)
from tandem.people.models import Enrolment, GroupStaff, Membership, Pupil, RoleProposal, User
from tandem.plans.models import ParentMeeting, SupportPlan, Target, TargetProgress
from tandem.progress.models import FirstResponse, ProgressResult
from tandem.provision.models import Placement, SessionAttendance, SessionLog
from tandem.pupil_voice.models import AboutMe
from tandem.register.models import Concern, Passport, SenNeed, SenStatusPeriod, SenSupportDecision
from tandem.retention.models import LegalHold
from tandem.revisions.models import RecordVersion, SharedDocument
from tandem.schools.models import School
from tandem.subject_access import pdf
from tandem.subject_access.models import SubjectAccessRequest

SCHEMA = "tandem-subject-access/1"


@dataclass(frozen=True)
class Section:
    title: str
    records: Callable[[Pupil], QuerySet[Any]]
    shared: bool = False  # records about several pupils: other pupils' first names are removed too


def _own(model: type[Model]) -> Callable[[Pupil], QuerySet[Any]]:
    return lambda pupil: model._default_manager.filter(pupil=pupil).order_by("pk")


#: Every model with a field pointing at a pupil, by its label, and the shared records they were part of.
SECTIONS: dict[str, Section] = {
    "register.SenStatusPeriod": Section("SEN status history (SEN support, EHC plan)", _own(SenStatusPeriod)),
    "register.SenNeed": Section("Special educational needs recorded", _own(SenNeed)),
    "exchange.MisSenStatus": Section(
        "SEN status the last import from the school's MIS gave", _own(MisSenStatus)
    ),
    "register.SenSupportDecision": Section("Decisions to start SEN support", _own(SenSupportDecision)),
    "register.Concern": Section("Concerns raised", _own(Concern)),
    "register.Passport": Section("Pupil passports (one-page profiles)", _own(Passport)),
    "progress.FirstResponse": Section(
        "First responses in class (high-quality teaching)", _own(FirstResponse)
    ),
    "plans.SupportPlan": Section("SEN support plans (assess, plan, do, review)", _own(SupportPlan)),
    "plans.Target": Section("Targets", _own(Target)),
    "plans.TargetProgress": Section("Progress recorded against targets", _own(TargetProgress)),
    "plans.ParentMeeting": Section("Meetings with parents", _own(ParentMeeting)),
    "revisions.RecordVersion": Section(
        "Earlier versions of corrected or withdrawn records", _own(RecordVersion)
    ),
    "revisions.SharedDocument": Section(
        "Documents given to parents, and which version", _own(SharedDocument)
    ),
    "provision.Placement": Section("Places in interventions", _own(Placement)),
    "provision.SessionAttendance": Section("Intervention sessions attended", _own(SessionAttendance)),
    "provision.SessionLog": Section(
        "Intervention session logs (shared with the group)",
        lambda pupil: SessionLog.objects.filter(attendance__pupil=pupil).distinct().order_by("held_on", "pk"),
        shared=True,
    ),
    "people.Enrolment": Section("Classes and sets", _own(Enrolment)),
    "assessment.Assessment": Section("Assessment results", _own(Assessment)),
    "assessment.StageAssessment": Section("Assessments against stages", _own(StageAssessment)),
    "progress.ProgressResult": Section(
        "Progress analysis results (Code of Practice 6.17)", _own(ProgressResult)
    ),
    "retention.LegalHold": Section("Legal holds on deleting records", _own(LegalHold)),
    "pupil_voice.AboutMe": Section("The pupil's own views (about me)", _own(AboutMe)),
    "advice.SpecialistAdvice": Section("Advice from specialists", _own(SpecialistAdvice)),
    "advice.Recommendation": Section("Specialists' recommendations", _own(Recommendation)),
    # The record of each document (name, kind, size, checksum); the files themselves are listed, not copied.
    "advice.AdviceDocument": Section("Documents that came with specialists' advice", _own(AdviceDocument)),
    "inclusion.InclusionBasePlacement": Section("Time in the inclusion base", _own(InclusionBasePlacement)),
    "parents.ParentLink": Section("Parents and carers linked to the pupil", _own(ParentLink)),
    "parents.Sharing": Section("Records shared with parents in Tandem", _own(Sharing)),
    "parents.ViewsRequest": Section("Parents asked for their views", _own(ViewsRequest)),
    "parents.ParentViews": Section("Parents' views given in Tandem", _own(ParentViews)),
    "parents.MeetingResponse": Section("Parents' answers to meeting records", _own(MeetingResponse)),
    "parents.MeetingRequest": Section("Meetings parents asked for", _own(MeetingRequest)),
    "ehc.EhcPlan": Section("Education, health and care (EHC) plans", _own(EhcPlan)),
    "ehc.EhcNeed": Section("EHC plan needs (section B)", _own(EhcNeed)),
    "ehc.EhcOutcome": Section("EHC plan outcomes (section E)", _own(EhcOutcome)),
    "ehc.EhcProvision": Section("EHC plan provision (section F)", _own(EhcProvision)),
    "ehc.AnnualReview": Section("Annual reviews of the EHC plan", _own(AnnualReview)),
    "subject_access.SubjectAccessRequest": Section("Subject access requests", lambda pupil: _requests(pupil)),
    "audit.AuditEvent": Section(
        "Who viewed or changed these records",
        lambda pupil: AuditEvent.objects.filter(pupil_targets(pupil)).order_by("occurred_at", "id"),
    ),
}
# Fields never exported: the export itself (bytes), and nothing else.
LEFT_OUT = {"subject_access.SubjectAccessRequest": {"export"}}


def _requests(pupil: Pupil) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(pupil=pupil).order_by("received_on")


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def _row(record: Model, redact: Callable[[str], str], left_out: set[str]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in record._meta.concrete_fields:
        if field.name in left_out:
            continue
        value = _value(getattr(record, field.attname))
        row[field.attname] = redact(value) if isinstance(value, str) else value
    return row


def _unchanged(text: str) -> str:
    return text


def _other_pupils_names(pupil: Pupil) -> list[str]:
    """Full names of every other pupil at the school (legal and preferred), for free text in any record."""
    own = {
        f"{first} {pupil.legal_surname}".lower() for first in (pupil.legal_forename, pupil.preferred_forename)
    }
    names: list[str] = []
    others = Pupil.objects.filter(school_id=pupil.school_id).exclude(pk=pupil.pk)
    for forename, preferred, surname in others.values_list(
        "legal_forename", "preferred_forename", "legal_surname"
    ):
        # Another pupil with the pupil's own name cannot be told apart in free text: the name stays.
        names.extend(
            f"{first} {surname}"
            for first in (forename, preferred)
            if first and f"{first} {surname}".lower() not in own
        )
    return names


def _groupmates_first_names(pupil: Pupil, own: Iterable[str]) -> list[str]:
    """The first names of the pupils who shared an intervention group with this one (not the pupil's own)."""
    groups = Placement.objects.filter(pupil=pupil).values("group_id")
    mates = Pupil.objects.filter(placements__group_id__in=groups).exclude(pk=pupil.pk).distinct()
    mine = {name.lower() for name in own}
    names = {n for pair in mates.values_list("legal_forename", "preferred_forename") for n in pair if n}
    return sorted(n for n in names if n.lower() not in mine)


def subject_access_data(pupil: Pupil) -> dict[str, Any]:
    """Everything the export holds about the pupil, as the JSON schema above."""
    full_names = _other_pupils_names(pupil)
    own_first = [pupil.legal_forename, pupil.preferred_forename]
    in_records = name_redactor(full_names)
    in_shared = name_redactor(full_names + _groupmates_first_names(pupil, own_first))
    sections = []
    for key, section in SECTIONS.items():
        names = in_shared if section.shared else in_records
        left_out = LEFT_OUT.get(key, set())
        sections.append(
            {
                "key": key,
                "title": section.title,
                "shared": section.shared,
                "records": [_row(r, names, left_out) for r in section.records(pupil)],
            }
        )
    return {
        "schema": SCHEMA,
        "generated_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "school": pupil.school.name,
        "subject": _row(pupil, _unchanged, set()),
        "sections": sections,
    }


def _all_pupils_names(school_id: int) -> list[str]:
    """Every pupil's full name and first names at the school: a member of staff's export names no pupil."""
    names: set[str] = set()
    for forename, preferred, surname in Pupil.objects.filter(school_id=school_id).values_list(
        "legal_forename", "preferred_forename", "legal_surname"
    ):
        names.update(f"{first} {surname}" for first in (forename, preferred) if first)
        names.update(first for first in (forename, preferred) if first)
    return sorted(names)


#: A member of staff's records at one school: their account, roles, classes, the sessions they logged, what
#: they did (the audit events they made there) and what was done to their account.
STAFF_SECTIONS: dict[str, tuple[str, Callable[[User, School], QuerySet[Any]]]] = {
    "people.Membership": (
        "Roles",
        lambda user, school: Membership.objects.filter(user=user).filter(
            Q(school=school) | Q(trust_id=school.trust_id, school=None)
        ),
    ),
    "people.RoleProposal": ("Roles asked for", lambda u, s: RoleProposal.objects.filter(user=u, school=s)),
    "accounts.Invitation": (
        "Invitations",
        lambda user, school: Invitation.objects.filter(user=user).filter(Q(school=school) | Q(school=None)),
    ),
    "people.GroupStaff": (
        "Classes and sets",
        lambda u, s: GroupStaff.objects.filter(user=u, group__school=s),
    ),
    "provision.SessionLog": (
        "Intervention sessions logged (pupils' names removed)",
        lambda u, s: SessionLog.objects.filter(delivered_by=u, school=s).order_by("held_on", "pk"),
    ),
    "audit.AuditEvent": (
        "What they viewed or changed, and were refused",
        lambda u, s: AuditEvent.objects.filter(actor_id=u.pk, school_id=s.pk).order_by("occurred_at", "id"),
    ),
    "audit.AuditEvent.about": (
        "Changes to their account and roles",
        lambda u, s: AuditEvent.objects.filter(target_type="user", target_id=str(u.pk)).order_by(
            "occurred_at"
        ),
    ),
    "subject_access.SubjectAccessRequest": (
        "Subject access requests",
        lambda u, s: SubjectAccessRequest.objects.filter(staff=u, school=s).order_by("received_on"),
    ),
}
# Never exported: secrets and the export's own bytes.
STAFF_LEFT_OUT = {"password", "token_hash", "export"}


def staff_access_data(user: User, school: School) -> dict[str, Any]:
    """Everything the export holds about a member of staff at the school, in the same schema as a pupil's."""
    names = name_redactor(_all_pupils_names(school.pk))
    sections = [
        {
            "key": key,
            "title": title,
            "shared": key == "provision.SessionLog",
            "records": [_row(r, names, STAFF_LEFT_OUT) for r in records(user, school)],
        }
        for key, (title, records) in STAFF_SECTIONS.items()
    ]
    subject = _row(user, _unchanged, STAFF_LEFT_OUT | {"is_superuser", "is_staff"})
    return {
        "schema": SCHEMA,
        "generated_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "school": school.name,
        "subject": subject,
        "sections": sections,
    }


README = """Subject access export from Tandem
=================================

subject-access.json  every record about the person, in the schema "{schema}" (see docs/data-protection.md)
subject-access.pdf   the same, to read and print
files/               files uploaded about the person (Tandem stores none: {files})

Other pupils' names have been replaced by "[another pupil]" in every record (in a member of staff's export,
every pupil's), and their first names too in the group session logs, which are shared with the other pupils
of the group. Check the export before release: free text can identify someone without naming them.
"""


def archive(data: dict[str, Any]) -> bytes:
    """The ZIP a school sends: JSON, PDF and a README."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("subject-access.json", json.dumps(data, indent=2, ensure_ascii=False))
        zipped.writestr("subject-access.pdf", pdf.subject_access_pdf(data))
        zipped.writestr("README.txt", README.format(schema=SCHEMA, files="no uploads are kept per person"))
    return buffer.getvalue()
