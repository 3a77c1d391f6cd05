"""Small builders for tests. Every pupil name made here is remembered, so the log scan can look for it."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from tandem.lib.upn import check_letter
from tandem.people.models import (
    Enrolment,
    GroupKind,
    GroupStaff,
    GroupStaffRole,
    Membership,
    Pupil,
    Subject,
    TeachingGroup,
    User,
)
from tandem.register.models import SenNeed, SenStatusPeriod
from tandem.schools.models import AcademicYear, School, Trust

PUPIL_NAMES: set[str] = set()
_serial = itertools.count(1)


def current_academic_year() -> AcademicYear:
    return AcademicYear.objects.get_or_create(start_year=AcademicYear.start_year_for(timezone.localdate()))[0]


def make_trust(*, name: str = "Test Trust") -> Trust:
    return Trust.objects.get_or_create(name=name)[0]


def make_school(*, name: str = "Test School", trust: Trust | None = None, phase: str = "primary") -> School:
    n = next(_serial)
    low, high = (0, 6) if phase == "primary" else (7, 11)
    return School.objects.create(
        name=name, urn=f"9{n:05d}", phase=phase, lowest_year=low, highest_year=high, trust=trust
    )


def make_user(*, email: str, password: str | None = None, full_name: str = "Test Person") -> User:
    return User.objects.create_user(email=email, password=password, full_name=full_name)


def make_membership(
    *, user: User, role: str, school: School | None = None, trust: Trust | None = None
) -> Membership:
    return Membership.objects.create(user=user, role=role, school=school, trust=trust)


def valid_upn(serial: int, la: str = "938", estab: str = "2001") -> str:
    body = f"{la}{estab}25{serial:03d}"[-12:]
    return check_letter(body) + body


def make_pupil(
    *,
    school: School,
    forename: str,
    surname: str,
    year_group: int = 4,
    upn: str | None = None,
    **extra: object,
) -> Pupil:
    PUPIL_NAMES.add(f"{forename} {surname}")
    PUPIL_NAMES.add(surname)
    n = next(_serial)
    return Pupil.objects.create(
        school=school,
        legal_forename=forename,
        legal_surname=surname,
        year_group=year_group,
        date_of_birth=dt.date(2016, 1, 1),
        sex="F" if n % 2 else "M",
        upn=valid_upn(n % 1000, estab=f"{n // 1000:04d}") if upn is None else upn,
        **extra,
    )


def make_group(
    *,
    school: School,
    name: str,
    year_group: int = 4,
    teachers: Iterable[User] = (),
    supporters: Iterable[User] = (),
    subject: str | None = None,
) -> TeachingGroup:
    group = TeachingGroup.objects.create(
        school=school,
        academic_year=current_academic_year(),
        name=name,
        kind=GroupKind.SET if subject else GroupKind.CLASS,
        subject=Subject.objects.get(code=subject) if subject else None,
        year_group=year_group,
    )
    for teacher in teachers:
        GroupStaff.objects.create(group=group, user=teacher, role=GroupStaffRole.TEACHER)
    for supporter in supporters:
        GroupStaff.objects.create(group=group, user=supporter, role=GroupStaffRole.SUPPORT)
    return group


def enrol(*, group: TeachingGroup, pupils: Iterable[Pupil], starts_on: dt.date | None = None) -> None:
    start = starts_on or timezone.localdate() - dt.timedelta(days=30)
    Enrolment.objects.bulk_create([Enrolment(group=group, pupil=p, starts_on=start) for p in pupils])


def set_sen_status(
    *, pupil: Pupil, provision: str, need_codes: Iterable[str] = (), since: dt.date | None = None
) -> None:
    start = since or timezone.localdate() - dt.timedelta(days=100)
    SenStatusPeriod.objects.filter(pupil=pupil, ends_on__isnull=True).update(ends_on=start)
    SenStatusPeriod.objects.create(pupil=pupil, school=pupil.school, provision=provision, starts_on=start)
    for rank, code in enumerate(need_codes, start=1):
        SenNeed.objects.create(
            pupil=pupil, school=pupil.school, need_type_id=code, rank=rank, starts_on=start
        )


def make_progress_run(*, school: School, results: Iterable[dict[str, object]]) -> object:
    """A finished analysis run with the given ProgressResult fields (pupil, subject, window, ...)."""
    from django.utils import timezone

    from tandem.progress.models import AnalysisRun, ProgressResult

    run = AnalysisRun.objects.create(
        school=school, status="done", finished_at=timezone.now(), engine_version="test", settings={}
    )
    rows = []
    for fields in results:
        values = {"norm_model": "sgp", "peers": 0, "own_rate": 0, "not_closing": 0, "widening": 0, **fields}
        rows.append(ProgressResult(run=run, school=school, **values))
    ProgressResult.objects.bulk_create(rows)
    return run


def make_window(*, school: School, start_year: int, term: str) -> object:
    from tandem.schools.models import AssessmentWindow

    months = {"autumn": (11, 12), "spring": (3, 3), "summer": (6, 7)}
    first, last = months[term]
    year = start_year if term == "autumn" else start_year + 1
    academic_year = AcademicYear.objects.get_or_create(start_year=start_year)[0]
    return AssessmentWindow.objects.create(
        school=school,
        academic_year=academic_year,
        term=term,
        opens_on=dt.date(year, first, 1),
        closes_on=dt.date(year, last, 28),
    )


# ---------------------------------------------------------------- graduated approach records
def _teacher_of(pupil: Pupil) -> User:
    staff = GroupStaff.objects.filter(
        group__enrolments__pupil=pupil, role=GroupStaffRole.TEACHER
    ).select_related("user")
    found = staff.first()
    return found.user if found else make_user(email=f"t{next(_serial)}@test.example", full_name="A Teacher")


def make_concern(pupil: Pupil, **fields: object) -> object:
    from tandem.register.models import Concern

    values = {
        "raised_on": timezone.localdate(),
        "area": "cognition",
        "observed": "Finds decoding hard.",
        **fields,
    }
    return Concern.objects.create(pupil=pupil, school=pupil.school, raised_by=_teacher_of(pupil), **values)


def make_first_response(pupil: Pupil, **fields: object) -> object:
    from tandem.progress.models import FirstResponse

    teacher = _teacher_of(pupil)
    today = timezone.localdate()
    values = {
        "weakness": "Decoding",
        "adjustments": "Pre-teach key words.",
        "starts_on": today - dt.timedelta(days=10),
        "review_on": today + dt.timedelta(days=20),
        **fields,
    }
    return FirstResponse.objects.create(
        pupil=pupil, school=pupil.school, accountable_teacher=teacher, created_by=teacher, **values
    )


def make_plan(pupil: Pupil, **fields: object) -> object:
    from django.db.models import Max

    from tandem.plans.models import SupportPlan

    teacher = _teacher_of(pupil)
    today = timezone.localdate()
    cycle = (SupportPlan.objects.filter(pupil=pupil).aggregate(c=Max("cycle"))["c"] or 0) + 1
    values = {
        "summary": "Summary.",
        "strengths": "Strengths.",
        "needs": "Needs.",
        "pupil_views": "Views.",
        "parent_views": "Views.",
        "strategies": "Strategies.",
        "expected_impact": "Impact.",
        "starts_on": today - dt.timedelta(days=10),
        "review_on": today + dt.timedelta(days=60),
        # Earlier cycles are closed, so a pupil has at most one open plan.
        "reviewed_on": today if cycle > 1 else None,
        "next_step": "continue" if cycle > 1 else "",
        **fields,
    }
    return SupportPlan.objects.create(
        pupil=pupil,
        school=pupil.school,
        cycle=cycle,
        accountable_teacher=teacher,
        created_by=teacher,
        **values,
    )


def make_target(*, plan: object, **fields: object) -> object:
    from tandem.plans.models import Target

    values = {
        "skill": "Read aloud the Year 3 common exception words",
        "measure": "Fortnightly check of the word list",
        "baseline": "Reads 20 of the 64 words",
        "success_criterion": "Reads 50 of the 64 words",
        "due_on": plan.review_on,  # type: ignore[attr-defined]
        **fields,
    }
    return Target.objects.create(
        plan=plan,
        pupil=plan.pupil,  # type: ignore[attr-defined]
        school=plan.school,  # type: ignore[attr-defined]
        accountable_teacher=plan.accountable_teacher,  # type: ignore[attr-defined]
        **values,
    )


def make_meeting(pupil: Pupil, **fields: object) -> object:
    from tandem.plans.models import ParentMeeting

    teacher = _teacher_of(pupil)
    values = {
        "held_on": timezone.localdate(),
        "who_attended": "Parent, teacher",
        "parent_views": "Views.",
        "discussed": "The plan.",
        "agreed_actions": "Reading at home.",
        **fields,
    }
    return ParentMeeting.objects.create(
        pupil=pupil, school=pupil.school, led_by=teacher, recorded_by=teacher, **values
    )


def make_passport(pupil: Pupil, **fields: object) -> object:
    from django.db.models import Max

    from tandem.register.models import Passport

    version = (Passport.objects.filter(pupil=pupil).aggregate(v=Max("version"))["v"] or 0) + 1
    values = {"strengths": "Drawing.", "needs": "Reading.", "what_helps": "Visual timetable.", **fields}
    return Passport.objects.create(
        pupil=pupil, school=pupil.school, version=version, written_by=_teacher_of(pupil), **values
    )


# ---------------------------------------------------------------- EHC plans and annual reviews
def _senco_of(pupil: Pupil) -> User:
    senco = Membership.objects.filter(school=pupil.school, role="senco").select_related("user").first()
    return senco.user if senco else _teacher_of(pupil)


def make_ehc_plan(pupil: Pupil, **fields: object) -> object:
    """A maintained EHC plan issued 300 days ago (its first annual review due in about two months)."""
    from tandem.ehc.models import EhcPlan

    values = {
        "local_authority": "Alder County Council",
        "issued_on": timezone.localdate() - dt.timedelta(days=300),
        **fields,
    }
    return EhcPlan.objects.create(pupil=pupil, school=pupil.school, created_by=_senco_of(pupil), **values)


def _ehc_part(model_name: str, plan: Any, values: dict[str, object]) -> object:
    from tandem.ehc import models

    model = getattr(models, model_name)
    return model.objects.create(
        ehc_plan=plan, pupil=plan.pupil, school=plan.school, created_by=_senco_of(plan.pupil), **values
    )


def make_ehc_need(*, plan: object, **fields: object) -> object:
    return _ehc_part(
        "EhcNeed", plan, {"text": "Difficulty with social communication.", "need_type_id": "ASD", **fields}
    )


def make_ehc_outcome(*, plan: object, **fields: object) -> object:
    return _ehc_part("EhcOutcome", plan, {"text": "By the end of Year 6, reads for pleasure.", **fields})


def make_ehc_provision(*, plan: object, **fields: object) -> object:
    return _ehc_part("EhcProvision", plan, {"text": "Daily small-group phonics, 20 minutes.", **fields})


def make_annual_review(*, plan: object, **fields: object) -> object:
    """A review whose meeting was held a week ago, prepared on time, recorded, its report not yet sent."""
    meeting_on = fields.pop("meeting_on", timezone.localdate() - dt.timedelta(days=7))
    assert isinstance(meeting_on, dt.date)
    values = {
        "meeting_on": meeting_on,
        "invitations_sent_on": meeting_on - dt.timedelta(days=21),
        "advice_requested_on": meeting_on - dt.timedelta(days=35),
        "papers_circulated_on": meeting_on - dt.timedelta(days=15),
        "who_attended": "Mother, class teacher, SENCo, educational psychologist",
        "parent_views": "Happier at school this year.",
        "pupil_views": "I like the reading club.",
        "working": "Reading with an adult every day.",
        "not_working": "Unstructured times are hard.",
        "recommendation": "keep",
        **fields,
    }
    return _ehc_part("AnnualReview", plan, values)


# ---------------------------------------------------------------- parents and carers
def make_parent(
    *, pupil: Pupil, email: str, full_name: str = "A Parent", relationship: str = "Mother"
) -> User:
    """A parent or carer with a sign-in at the pupil's school, linked to that pupil only."""
    from tandem.parents.models import ParentLink

    parent = make_user(email=email, full_name=full_name)
    make_membership(user=parent, role="parent", school=pupil.school)
    ParentLink.objects.create(
        user=parent, pupil=pupil, school=pupil.school, relationship=relationship, linked_by=_teacher_of(pupil)
    )
    return parent


def share_with_parents(record: Any, kind: str) -> Any:
    """Share a plan, passport or meeting record with the pupil's parents, as staff do on its page."""
    from tandem.parents.models import Sharing

    Sharing.objects.create(
        pupil=record.pupil,
        school=record.school,
        kind=kind,
        record_id=record.pk,
        shared_by=_teacher_of(record.pupil),
    )
    return record


def make_shared_meeting(pupil: Pupil, **fields: object) -> object:
    return share_with_parents(make_meeting(pupil, **fields), "meeting")


def make_parent_link(pupil: Pupil, **fields: object) -> object:
    """A new parent or carer linked to `pupil` (their link, not the person)."""
    parent = make_parent(pupil=pupil, email=f"parent{next(_serial)}@test.example", **fields)  # type: ignore[arg-type]
    return parent.child_links.get()  # type: ignore[attr-defined]


def _a_parent_of(pupil: Pupil) -> User:
    from tandem.parents.models import ParentLink

    link = ParentLink.objects.filter(pupil=pupil, ended_at__isnull=True).select_related("user").first()
    return link.user if link else make_parent(pupil=pupil, email=f"parent{next(_serial)}@test.example")


def make_views_request(pupil: Pupil, **fields: object) -> object:
    """The school asking the pupil's parents for their views (the default questions), open for a fortnight."""
    from tandem.lib.family_words import DEFAULT_QUESTIONS
    from tandem.parents.models import ViewsRequest

    values = {
        "purpose": "Before the review of the support plan",
        "questions": list(DEFAULT_QUESTIONS),
        "reply_by": timezone.localdate() + dt.timedelta(days=14),
        **fields,
    }
    return ViewsRequest.objects.create(
        pupil=pupil, school=pupil.school, asked_by=_teacher_of(pupil), **values
    )


def make_meeting_request(pupil: Pupil, **fields: object) -> object:
    """A parent of `pupil` asking the school for a meeting (a new parent if none is linked)."""
    from tandem.parents.models import MeetingRequest

    values = {"about": "How reading is going at home.", **fields}
    return MeetingRequest.objects.create(
        pupil=pupil, school=pupil.school, parent=_a_parent_of(pupil), **values
    )


# ---------------------------------------------------------------- interventions
def make_intervention(school: School, **fields: object) -> object:
    from tandem.provision.models import Intervention

    values = {
        "name": f"Reading catch-up {next(_serial)}",
        "area": "cognition",
        "description": "Daily phonics practice in a small group.",
        "evidence_strength": 3,
        "sessions_per_week": 3,
        "minutes_per_session": 20,
        "weeks": 10,
        "group_size": 4,
        "staff_type": "ta",
        **fields,
    }
    return Intervention.objects.create(school=school, **values)


def make_intervention_group(
    *, deliverer: User, intervention: object | None = None, **fields: object
) -> object:
    from tandem.provision.models import InterventionGroup

    school = Membership.objects.filter(user=deliverer, school__isnull=False).first().school  # type: ignore[union-attr]
    values = {
        "name": f"Group {next(_serial)}",
        "weekdays": "0,1,2,3,4",
        "starts_on": timezone.localdate() - dt.timedelta(days=30),
        **fields,
    }
    return InterventionGroup.objects.create(
        school=school, intervention=intervention or make_intervention(school), deliverer=deliverer, **values
    )


def make_placement(*, group: object, pupil: Pupil, teacher: User | None = None, **fields: object) -> object:
    from tandem.provision.models import Placement

    values = {
        "classroom_link": "Pre-teach the topic words on Monday and prompt the sound mat in writing.",
        "starts_on": timezone.localdate() - dt.timedelta(days=30),
        "measure_kind": "standardised",
        "entry_score": 85.0,
        "entry_on": timezone.localdate() - dt.timedelta(days=30),
        **fields,
    }
    teacher = teacher or _teacher_of(pupil)
    return Placement.objects.create(
        group=group,
        pupil=pupil,
        school=pupil.school,
        accountable_teacher=teacher,
        created_by=teacher,
        **values,
    )


def make_session_log(*, group: object, present: bool = True, **fields: object) -> object:
    from tandem.provision.models import SessionAttendance, SessionLog

    values = {"held_on": timezone.localdate(), "covered": "Blending CVC words.", "rating": 3, **fields}
    log = SessionLog.objects.create(
        group=group,
        school=group.school,  # type: ignore[attr-defined]
        delivered_by=group.deliverer,  # type: ignore[attr-defined]
        **values,
    )
    for placement in group.placements.all():  # type: ignore[attr-defined]
        SessionAttendance.objects.create(
            log=log, placement=placement, pupil=placement.pupil, school=placement.school, present=present
        )
    return log


# ---------------------------------------------------------------- specialist advice and inclusion base
def _senco_of(pupil: Pupil) -> User:
    found = Membership.objects.filter(school_id=pupil.school_id, role="senco", is_active=True).first()
    return found.user if found else _teacher_of(pupil)


def small_pdf(text: str = "Speech and language therapy report") -> bytes:
    """A real one-page PDF (fpdf2), as a specialist's report arrives."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def make_advice(pupil: Pupil, **fields: object) -> object:
    """Advice for `pupil`, received five days ago unless `fields` say otherwise (received_on=None)."""
    from tandem.advice.models import SpecialistAdvice

    today = timezone.localdate()
    values = {
        "profession": "speech_language",
        "professional_name": "A Therapist",
        "organisation": "NHS Speech and Language Therapy",
        "requested_on": today - dt.timedelta(days=40),
        "received_on": today - dt.timedelta(days=5),
        "summary": "Use visual timetables and pre-teach vocabulary.",
        **fields,
    }
    return SpecialistAdvice.objects.create(
        pupil=pupil, school=pupil.school, created_by=_senco_of(pupil), **values
    )


def make_advice_document(advice: Any, *, data: bytes = b"") -> object:
    """A stored document on `advice` (a real PDF unless `data` says otherwise), its file in
    settings.TANDEM_DOCUMENTS_DIR."""
    import hashlib

    from tandem.advice import storage
    from tandem.advice.models import AdviceDocument
    from tandem.lib.uploads import identify

    content = data or small_pdf()
    kind = identify(content)
    return AdviceDocument.objects.create(
        advice=advice,
        pupil_id=advice.pupil_id,
        school_id=advice.school_id,
        original_name=f"report.{kind.extension}",
        stored_name=storage.store(content, kind),
        content_type=kind.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=advice.created_by,
    )


def make_inclusion_placement(pupil: Pupil, **fields: object) -> object:
    """Time in the inclusion base for `pupil`, led by their teacher, running now."""
    from tandem.inclusion.models import InclusionBasePlacement

    today = timezone.localdate()
    values = {
        "starts_on": today - dt.timedelta(days=7),
        "sessions_per_week": 3,
        "minutes_per_session": 50,
        "purpose": "regulation",
        "return_on": today + dt.timedelta(days=35),
        "return_lessons": "English and maths with the class, then all lessons.",
        **fields,
    }
    return InclusionBasePlacement.objects.create(
        pupil=pupil, school=pupil.school, led_by=_teacher_of(pupil), created_by=_senco_of(pupil), **values
    )


# ---------------------------------------------------------------- assessments
def make_assessment(
    *,
    pupil: Pupil,
    window: object,
    assessed_on: dt.date,
    points: float,
    subject: str = "reading",
    scale: str = "standardised",
) -> object:
    """One result for the pupil, on the standardised scale unless told otherwise."""
    from tandem.assessment.models import Assessment

    return Assessment.objects.create(
        school=pupil.school,
        pupil=pupil,
        subject_id=subject,
        window=window,
        scale_id=scale,
        assessed_on=assessed_on,
        year_group=pupil.year_group,
        result=f"{points:g}",
        points=points,
        source="manual",
    )


def make_import(school: School, *, kind: str = "pupils") -> object:
    """A previewed import of a one-pupil roll, uploaded by nobody in particular."""
    import hashlib

    from tandem.exchange.models import ImportRecord

    PUPIL_NAMES.add("Importa")
    content = (
        "UPN,Surname,Forename,DOB,Sex,Year\n"
        f"{valid_upn(next(_serial) % 1000, la='822', estab='0001')},Importa,Ada,14/03/2016,F,4\n"
    ).encode()
    return ImportRecord.objects.create(
        school=school,
        kind=kind,
        file_format="csv",
        file_name="roll.csv",
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_size=len(content),
        content=content,
    )


def plant_census_problems(school: School) -> dict[str, Pupil]:
    """One pupil on roll at `school` for each problem the census check finds (tandem/lib/census_check.py),
    each with that problem and no other, keyed by the problem's code. `rank_shared` gets none: the database
    keeps two open needs from sharing a rank. For `differs_from_mis` a SEN import is marked applied an hour
    ago, saying "no SEN" for that pupil (MisSenStatus), then SEN support is started in Tandem through the real
    service (so the school needs a SENCo)."""
    import hashlib

    from tandem.access.actor import actor_for
    from tandem.exchange.models import ImportRecord, MisSenStatus
    from tandem.lib.census_check import Code
    from tandem.register.services import sen_support_start

    def pupil(code: Code) -> Pupil:
        return make_pupil(school=school, forename="Census", surname="Plant" + code.title().replace("_", ""))

    planted: dict[str, Pupil] = {code.value: pupil(code) for code in Code if code is not Code.RANK_SHARED}
    set_sen_status(pupil=planted[Code.LEGACY_STATUS], provision="S")
    set_sen_status(pupil=planted[Code.NO_PRIMARY_NEED], provision="K")
    set_sen_status(pupil=planted[Code.E_WITHOUT_EHC_RECORD], provision="E", need_codes=["ASD"])
    set_sen_status(pupil=planted[Code.EHC_RECORD_NOT_E], provision="K", need_codes=["SLCN"])
    make_ehc_plan(planted[Code.EHC_RECORD_NOT_E])
    gap = planted[Code.RANK_GAP]
    set_sen_status(pupil=gap, provision="K", need_codes=["SLCN"])
    SenNeed.objects.create(
        pupil=gap, school=school, need_type_id="MLD", rank=3, starts_on=gap.sen_periods.get().starts_on
    )
    set_sen_status(pupil=planted[Code.NSA_WITH_EHC_PLAN], provision="E", need_codes=["NSA"])
    make_ehc_plan(planted[Code.NSA_WITH_EHC_PLAN])
    set_sen_status(pupil=planted[Code.NEEDS_ON_NO_SEN], provision="N", need_codes=["SLCN"])
    record = ImportRecord.objects.create(
        school=school,
        kind="sen",
        file_format="csv",
        file_name="sen.csv",
        file_sha256=hashlib.sha256(f"planted census import {school.pk}".encode()).hexdigest(),
        file_size=0,
        status="applied",
        applied_at=timezone.now() - dt.timedelta(hours=1),
    )
    MisSenStatus.objects.create(
        pupil=planted[Code.DIFFERS_FROM_MIS],
        school=school,
        provision="N",
        import_record_id=record.pk,
        applied_at=record.applied_at,
    )
    actor = actor_for(Membership.objects.get(school=school, role="senco", is_active=True).user)
    assert actor is not None
    today = timezone.localdate()
    sen_support_start(
        actor=actor,
        pupil_id=planted[Code.DIFFERS_FROM_MIS].pk,
        decided_on=today,
        evidence="Assessed in class over a term.",
        pupil_views="Finds reading aloud hard.",
        parent_views="Agree with the plan.",
        parents_informed_on=today,
        parent_note="Your child now has SEN support.",
        need_codes=["SLCN"],
    )
    return planted


def make_invitation(school: School, *, email: str | None = None, role: str = "teacher") -> object:
    """An open invitation at `school` for a new person with that role (its email is not sent)."""
    from tandem.accounts.services import invitation_issue

    user = make_user(email=email or f"invited{next(_serial)}@test.example", full_name="Invited Person")
    make_membership(user=user, role=role, school=school)
    return invitation_issue(user=user, role=role, school=school)


def enrol_totp(user: User) -> str:
    """Give `user` an authenticator app (TOTP) and recovery codes; returns the TOTP secret."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def make_subject_access_request(
    pupil: Pupil, *, received_on: dt.date = dt.date(2026, 11, 2), **fields: object
) -> object:
    """A request about `pupil`, due 30 days after it arrived unless `fields` say otherwise."""
    from tandem.subject_access.models import SubjectAccessRequest

    values = {"requester": "A parent", "due_on": received_on + dt.timedelta(days=30), **fields}
    return SubjectAccessRequest.objects.create(
        school_id=pupil.school_id, pupil=pupil, received_on=received_on, **values
    )


def make_document_version(school: School, *, status: str = "draft", **fields: object) -> object:
    """The next version of `school`'s governors' report, by its SENCo, with one section of made-up figures
    (not drawn from the data); a draft unless `status` is "published". A document has one draft at a time,
    so asking for a draft while one is open gives that one."""
    from tandem.documents.models import DocumentVersion, SchoolDocument

    senco = Membership.objects.filter(school=school, role="senco").select_related("user").first()
    author = senco.user if senco else make_user(email=f"author{next(_serial)}@test.example")
    document, _ = SchoolDocument.objects.get_or_create(
        school=school, kind="governors_report", defaults={"created_by": author}
    )
    if status == "draft" and (open_draft := document.versions.filter(status="draft").first()):
        return open_draft
    latest = document.versions.order_by("-number").first()
    today = timezone.localdate()
    values: dict[str, object] = {
        "period_start": today - dt.timedelta(days=30),
        "period_end": today,
        "sections": [
            {"key": "register", "title": "The SEN register", "lines": [["Pupils on roll", "3"]], "text": ""}
        ],
        "figures_drawn_at": timezone.now(),
        "created_by": author,
    }
    if status == "published":
        values.update(published_at=timezone.now(), published_by=author)
    return DocumentVersion.objects.create(
        document=document, number=latest.number + 1 if latest else 1, status=status, **{**values, **fields}
    )
