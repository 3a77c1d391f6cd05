"""Downloads: the roll, the SEN register, marks and progress flags as tables, and Common Transfer Files.

Reads only, each through the access scopes, and each leaves an audit event (a download of pupils' data is a
view of it). The roll, register and marks tables use the column names the importer recognises, so a file
exported from one Tandem school imports into another unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Iterator, Mapping, Sequence

from django.db.models import QuerySet
from django.utils import timezone

from tandem.access.actor import Actor
from tandem.access.policy import Action, Resource, Scope
from tandem.access.scopes import leavers_in_scope, pupils_in_scope
from tandem.assessment.models import Assessment, StageAssessment
from tandem.audit.services import audit_record
from tandem.exchange.ctf import (
    CURRENT_CTF_VERSION,
    CtfNeed,
    CtfPupil,
    CtfSchool,
    CtfSenPeriod,
    CtfStageAssessment,
    academic_year_for,
    ctf_file_name,
    write_ctf,
)
from tandem.exchange.tables import Cell, DataTable
from tandem.people.models import Pupil, year_group_label
from tandem.progress.selectors import flagged_list, list_for
from tandem.register.models import SenNeed, SenStatusPeriod
from tandem.schools.models import School

ROLL_HEADERS = (
    "UPN",
    "Adno",
    "Legal Surname",
    "Legal Forename",
    "Preferred Forename",
    "DOB",
    "Sex",
    "Year",
    "Pupil Premium",
    "EAL",
    "Looked After",
)
REGISTER_HEADERS = (
    "UPN",
    "Adno",
    "Legal Surname",
    "Legal Forename",
    "Year",
    "SEN Status",
    "Start Date",
    "Primary Need",
    "Secondary Need",
)
MARKS_HEADERS = ("UPN", "Adno", "Legal Surname", "Legal Forename", "Subject", "Date", "Result", "Scale")
FLAG_HEADERS = (
    "UPN",
    "Legal Surname",
    "Legal Forename",
    "Year",
    "Subject",
    "Window",
    "Growth percentile",
    "Peers from the same baseline",
    "Own previous rate",
    "Gap not closing",
    "Gap widening",
    "Why",
    "List",  # last, so the columns before it keep their places for existing spreadsheets
)
CURRENT_PROVISIONS = ("N", "K", "E")


def _year(value: int) -> str:
    return "R" if value == 0 else f"N{value + 3}" if value < 0 else str(value)


def _yes(value: bool) -> str:
    return "Y" if value else "N"


def _school_column(actor: Actor, headers: Sequence[str]) -> tuple[str, ...]:
    """A trust role's download spans the trust's schools, so it ends with a School column (last, so the
    columns the importer recognises keep their places)."""
    return (*headers, "School") if actor.school_id is None else tuple(headers)


def _audit(actor: Actor, what: str, fields: Sequence[str]) -> None:
    audit_record(
        actor=actor,
        action=f"export.{what}",
        target_type="school" if actor.school_id else "trust",
        target_id=actor.school_id or actor.trust_id or "",
        fields=fields,
    )


def roll_size(*, actor: Actor) -> int:
    return pupils_in_scope(actor, Resource.PUPIL).count()


def roll_table(*, actor: Actor) -> DataTable:
    pupils = (
        pupils_in_scope(actor, Resource.PUPIL)
        .select_related("school")
        .order_by("year_group", "legal_surname", "legal_forename", "id")
    )
    headers = _school_column(actor, ROLL_HEADERS)
    _audit(actor, "roll", headers)

    def rows() -> Iterator[Sequence[Cell]]:
        for p in pupils.iterator(chunk_size=2000):
            row: tuple[Cell, ...] = (
                p.upn,
                p.mis_id,
                p.legal_surname,
                p.legal_forename,
                p.preferred_forename,
                p.date_of_birth,
                p.sex,
                _year(p.year_group),
                _yes(p.pupil_premium),
                _yes(p.eal),
                _yes(p.looked_after),
            )
            yield (*row, p.school.name) if actor.school_id is None else row

    return DataTable("Pupils", headers, rows())


def register_table(*, actor: Actor) -> DataTable:
    """Every pupil in scope with a current SEN status other than none, and their ranked needs."""
    pupils = pupils_in_scope(actor, Resource.SEN_RECORD)
    periods = (
        SenStatusPeriod.objects.filter(pupil__in=pupils, ends_on__isnull=True, provision__in=("K", "E"))
        .select_related("pupil__school")
        .order_by("pupil__year_group", "pupil__legal_surname", "pupil__legal_forename", "pupil_id")
    )
    needs: dict[object, dict[int, str]] = {}
    for pupil_id, rank, code in SenNeed.objects.filter(pupil__in=pupils, ends_on__isnull=True).values_list(
        "pupil_id", "rank", "need_type_id"
    ):
        needs.setdefault(pupil_id, {})[rank] = code
    headers = _school_column(actor, REGISTER_HEADERS)
    _audit(actor, "register", headers)

    def rows() -> Iterator[Sequence[Cell]]:
        for period in periods:
            p = period.pupil
            ranked = needs.get(p.pk, {})
            row: tuple[Cell, ...] = (
                p.upn,
                p.mis_id,
                p.legal_surname,
                p.legal_forename,
                _year(p.year_group),
                period.provision,
                period.starts_on,
                ranked.get(1, ""),
                ranked.get(2, ""),
            )
            yield (*row, p.school.name) if actor.school_id is None else row

    return DataTable("SEN register", headers, rows())


def _marks(actor: Actor) -> QuerySet[Assessment]:
    return Assessment.objects.filter(pupil__in=pupils_in_scope(actor, Resource.PROGRESS))


def marks_size(*, actor: Actor) -> int:
    return _marks(actor).count()


def marks_table(*, actor: Actor) -> DataTable:
    results = (
        _marks(actor)
        .select_related("pupil")
        .order_by("pupil__year_group", "pupil__legal_surname", "pupil_id", "subject_id", "assessed_on")
    )
    _audit(actor, "marks", MARKS_HEADERS)

    def rows() -> Iterator[Sequence[Cell]]:
        for a in results.iterator(chunk_size=5000):
            p = a.pupil
            yield (
                p.upn,
                p.mis_id,
                p.legal_surname,
                p.legal_forename,
                a.subject_id,
                a.assessed_on,
                a.result,
                a.scale_id,
            )

    return DataTable("Marks", MARKS_HEADERS, rows())


def flags_table(*, actor: Actor) -> DataTable:
    """The newest run's flags for the pupils in scope (less than expected progress, Code 6.17)."""
    _, results = flagged_list(actor=actor)
    headers = _school_column(actor, FLAG_HEADERS)
    _audit(actor, "flags", headers)

    def rows() -> Iterator[Sequence[Cell]]:
        for r in results:
            p = r.pupil
            reasons = r.reasons if isinstance(r.reasons, dict) else {}
            row: tuple[Cell, ...] = (
                p.upn,
                p.legal_surname,
                p.legal_forename,
                year_group_label(p.year_group),
                r.subject.name,
                str(r.window),
                r.percentile,
                r.get_peers_display(),
                r.get_own_rate_display(),
                r.get_not_closing_display(),
                r.get_widening_display(),
                " ".join(str(text) for text in reasons.values()),
                list_for(r.provision),  # type: ignore[attr-defined]  # by SEN status today
            )
            yield (*row, r.school.name) if actor.school_id is None else row

    return DataTable("Less than expected progress", headers, rows())


# ------------------------------------------------------------------------------------------ CTF


def ctf_pupils(
    *,
    actor: Actor,
    year_group: int | None = None,
    group_id: str | None = None,
    left_since: dt.date | None = None,
) -> list[Pupil]:
    """On roll by year group or class, or the pupils who have left since a date."""
    if left_since is not None:
        leavers = leavers_in_scope(actor, since=left_since)
        return list(leavers.order_by("legal_surname", "legal_forename", "id"))
    pupils = pupils_in_scope(actor, Resource.TRANSFER)
    if year_group is not None:
        pupils = pupils.filter(year_group=year_group)
    if group_id is not None:
        pupils = pupils.filter(enrolments__group_id=uuid.UUID(group_id), enrolments__ends_on__isnull=True)
    return list(pupils.distinct().order_by("legal_surname", "legal_forename", "id"))


def ctf_export(
    *,
    actor: Actor,
    pupils: Sequence[Pupil],
    dest: CtfSchool | None = None,
    version: int = CURRENT_CTF_VERSION,
) -> tuple[bytes, list[str]]:
    """A partial CTF for these pupils, and notes on what it leaves out.

    SEN history goes in only for someone who may read it at the school (the SENCo, the head); legacy codes
    (statements, School Action, BESD) stay out, as the CTF rules say, and are counted in the notes.
    """
    school = School.objects.get(pk=actor.school_id or 0)
    with_sen = actor.scope(Resource.SEN_RECORD, Action.VIEW) is Scope.SCHOOL
    ids = [p.pk for p in pupils]
    periods: dict[object, list[SenStatusPeriod]] = {}
    needs: dict[object, list[SenNeed]] = {}
    notes: list[str] = []
    legacy = 0
    if with_sen:
        for period in SenStatusPeriod.objects.filter(pupil_id__in=ids).order_by("starts_on"):
            if period.provision in CURRENT_PROVISIONS:
                periods.setdefault(period.pupil_id, []).append(period)
            else:
                legacy += 1
        for need in SenNeed.objects.filter(pupil_id__in=ids, need_type__is_current=True).order_by("rank"):
            needs.setdefault(need.pupil_id, []).append(need)
        legacy += SenNeed.objects.filter(pupil_id__in=ids, need_type__is_current=False).count()
    else:
        notes.append("SEN history is not included: only the SENCo or the head can send it.")
    if legacy:
        notes.append(
            f"{legacy} SEN records use codes from before 2014 and are not included, as the CTF rules say."
        )
    stage: dict[object, list[StageAssessment]] = {}
    for row in StageAssessment.objects.filter(pupil_id__in=ids):
        stage.setdefault(row.pupil_id, []).append(row)
    items = [
        CtfPupil(
            upn=p.upn,
            surname=p.legal_surname,
            forename=p.legal_forename,
            dob=p.date_of_birth,
            sex=p.sex,
            nc_year=_year(p.year_group),
            preferred_forename=p.preferred_forename,
            has_sen_history=with_sen,
            sen_periods=tuple(
                CtfSenPeriod(provision=s.provision, starts_on=s.starts_on, ends_on=s.ends_on)
                for s in periods.get(p.pk, [])
            ),
            needs=tuple(
                CtfNeed(need_type=n.need_type_id, rank=n.rank, starts_on=n.starts_on, ends_on=n.ends_on)
                for n in needs.get(p.pk, [])
            ),
            has_assessments=p.pk in stage,
            assessments=tuple(
                CtfStageAssessment(
                    stage=s.stage,
                    locale=s.locale,
                    year=s.year,
                    subject=s.subject,
                    method=s.method,
                    component=s.component,
                    result_status=s.result_status,
                    result_qualifier=s.result_qualifier,
                    result=s.result,
                    result_date=s.result_date,
                )
                for s in stage.get(p.pk, [])
            ),
        )
        for p in pupils
        if p.upn
    ]
    if len(items) < len(pupils):
        notes.append(f"{len(pupils) - len(items)} pupils have no UPN and are not included.")
    now = timezone.localtime()
    source = CtfSchool(
        # Without the school's DfE number on record: placeholders, as DfE's own services write.
        lea=school.la_number or "XXX",
        estab=school.establishment_number or "XXXX",
        urn=school.urn,
        name=school.name,
        academic_year=str(academic_year_for(now.date())),
    )
    data = write_ctf(
        version=version, source=source, dest=dest, pupils=items, generated_at=now.replace(tzinfo=None)
    )
    audit_record(
        actor=actor,
        action="export.ctf",
        target_type="school",
        target_id=school.pk,
        fields=["pupils", "stage_assessments", *(["sen_history"] if with_sen else [])],
    )
    return data, notes


PLANS_FOLDER = "support-plans"
_BUNDLE_README = """This ZIP file holds:

- {ctf}: the Common Transfer File. Import it into your MIS as usual.
- {folder}/: the latest support plan of {count} of the pupils in it, one file each, named by UPN
  (support-plan-<UPN>-cycle-<n>.json).

A Common Transfer File has no place for a support plan, so each plan travels beside it as a
tandem-plan-1 file: JSON, following the published schema docs/schemas/tandem-plan-1.schema.json
in the Tandem source. In Tandem, open the pupil's support record and choose "Bring in a plan
from the last school". Any other system can read the files with that schema.

These files hold special educational needs information: keep them as securely as the CTF.
"""


def ctf_with_plans(*, ctf_name: str, ctf: bytes, plans: Mapping[str, bytes]) -> tuple[bytes, str]:
    """Leavers' CTF and their support plan files (tandem/plans/transfer.py) in one ZIP, with a note saying
    where the plans are: the CTF itself cannot carry them. Returns the ZIP and its file name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(ctf_name, ctf)
        for name, content in sorted(plans.items()):
            archive.writestr(f"{PLANS_FOLDER}/{name}", content)
        readme = _BUNDLE_README.format(ctf=ctf_name, folder=PLANS_FOLDER, count=len(plans))
        archive.writestr("README.txt", readme.replace("\n", "\r\n"))  # Notepad on older Windows
    return buffer.getvalue(), f"{ctf_name.removesuffix('.xml')}.zip"


def transfer_file_name(school: School, dest: CtfSchool | None) -> str:
    """The DfE's naming: <LA><Estab>_CTF_<LA><Estab>_<nnn>.xml, from the school's DfE number."""
    source = CtfSchool(
        lea=school.la_number or "XXX", estab=school.establishment_number or "XXXX", urn=school.urn
    )
    return ctf_file_name(source, dest, 1)
