"""Importing a Common Transfer File: pupils matched by UPN, SEN history by the SENCo only, results verbatim,
real-world oddities warned about, and nothing deleted by what a partial file leaves out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.assessment.models import StageAssessment
from tandem.exchange.selectors import import_preview
from tandem.exchange.services import import_apply, import_upload
from tandem.people.models import Pupil
from tandem.register.models import SenNeed, SenStatusPeriod
from tests import factories as f

UPN = f.valid_upn(7, la="823", estab="0001")


def _ctf(pupils: str, *, version: str = "25.0") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><CTfile><Header>'
        "<DocumentName>Common Transfer File</DocumentName>"
        f"<CTFversion>{version}</CTFversion><DateTime>2026-07-20T10:00:00</DateTime>"
        "<DocumentQualifier>partial</DocumentQualifier><SupplierID>Some MIS</SupplierID>"
        "<SourceSchool><LEA>XXX</LEA><Estab>XXXX</Estab><URN>XXXXXX</URN><SchoolName>Elm Infants</SchoolName>"
        "<AcademicYear>2025</AcademicYear></SourceSchool></Header>"
        f"<CTFpupilData>{pupils}</CTFpupilData></CTfile>"
    ).encode()


def _pupil(upn: str = UPN, *, sen: str = "", stage: str = "", sex: str = "<Sex>F</Sex>") -> str:
    return (
        f"<Pupil><UPN>{upn}</UPN><Surname>NOWAK</Surname><Forename>Zoë</Forename><DOB>2017-10-02</DOB>"
        f"{sex}{sen}{stage}</Pupil>"
    )


SEN = (
    "<SENhistory>"
    "<SEN><StartDate>2024-01-08</StartDate><SENprovision>K</SENprovision><EndDate>2025-03-31</EndDate></SEN>"
    "<SEN><StartDate>2025-04-01</StartDate><SENprovision>E</SENprovision></SEN>"
    "<SENneeds><SENneed><NeedStartDate>2024-01-08</NeedStartDate><SENtypeRank>1</SENtypeRank>"
    "<SENtype>SLCN</SENtype></SENneed></SENneeds></SENhistory>"
)
STAGE = (
    "<StageAssessments><KeyStage><Stage>KS1</Stage>"
    "<StageAssessment><Locale>ENG</Locale><Year>2024</Year><Subject>MAT</Subject><Method>TT</Method>"
    "<Component>MTC</Component><ResultStatus>R</ResultStatus><ResultQualifier>MT</ResultQualifier>"
    "<Result>21</Result></StageAssessment>"
    "</KeyStage></StageAssessments>"
)


def _apply(user, data: bytes):
    record = import_upload(actor=actor_for(user), kind="ctf", file_name="in.xml", data=data)
    return record, import_apply(actor=actor_for(user), record_id=record.pk)


def test_it_imports_a_pupil_with_sen_history_and_results_for_the_senco(world):
    _, applied = _apply(world.a.senco, _ctf(_pupil(sen=SEN, stage=STAGE)))
    assert applied.created == 1
    pupil = Pupil.objects.get(school=world.a.school, upn=UPN)
    # Names kept as given (capitals too); the year group worked out from the date of birth.
    assert (pupil.legal_surname, pupil.legal_forename, pupil.sex) == ("NOWAK", "Zoë", "F")
    periods = list(
        SenStatusPeriod.objects.filter(pupil=pupil).values_list("provision", "starts_on", "ends_on")
    )
    assert periods == [("K", dt.date(2024, 1, 8), dt.date(2025, 3, 31)), ("E", dt.date(2025, 4, 1), None)]
    assert list(SenNeed.objects.filter(pupil=pupil).values_list("need_type_id", "rank")) == [("SLCN", 1)]
    stage = StageAssessment.objects.get(pupil=pupil)
    assert (stage.stage, stage.subject, stage.component, stage.result) == ("KS1", "MAT", "MTC", "21")


def test_it_leaves_sen_history_out_for_the_school_admin_and_says_so(world):
    record = import_upload(
        actor=actor_for(world.a.admin), kind="ctf", file_name="in.xml", data=_ctf(_pupil(sen=SEN))
    )
    preview = import_preview(actor=actor_for(world.a.admin), record=record)
    assert any("Only the SENCo can import SEN records" in n for n in preview.file_notices)
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    pupil = Pupil.objects.get(upn=UPN)
    assert not SenStatusPeriod.objects.filter(pupil=pupil).exists()


def test_it_warns_about_a_wrong_check_letter_placeholders_and_an_old_version_but_imports(world):
    wrong = ("W" if UPN[0] != "W" else "X") + UPN[1:]
    record = import_upload(
        actor=actor_for(world.a.senco),
        kind="ctf",
        file_name="in.xml",
        data=_ctf(_pupil(wrong), version="21.0"),
    )
    preview = import_preview(actor=actor_for(world.a.senco), record=record)
    warnings = " ".join(i.message for i in preview.plan.issues if not i.is_error)
    assert "check letter" in warnings and "older than the versions" in warnings and "XXX" in warnings
    import_apply(actor=actor_for(world.a.senco), record_id=record.pk)
    assert Pupil.objects.filter(upn=wrong).exists()


def test_it_accepts_gender_in_older_files(world):
    _apply(world.a.senco, _ctf(_pupil(sex="<Gender>M</Gender>"), version="24.0"))
    assert Pupil.objects.get(upn=UPN).sex == "M"


def test_it_never_deletes_what_a_partial_file_leaves_out_and_is_idempotent(world):
    _apply(world.a.senco, _ctf(_pupil(sen=SEN, stage=STAGE)))
    _, again = _apply(world.a.senco, _ctf(_pupil()))  # no SENhistory, no StageAssessments
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert SenStatusPeriod.objects.filter(pupil__upn=UPN).count() == 2
    assert StageAssessment.objects.filter(pupil__upn=UPN).count() == 1
    _, third = _apply(world.a.senco, _ctf(_pupil(sen=SEN, stage=STAGE)))
    assert third.unchanged == 1 and SenStatusPeriod.objects.filter(pupil__upn=UPN).count() == 2


def test_it_closes_the_current_status_when_the_file_brings_a_later_one(world):
    pupil = world.a.taught_pupil  # K since 100 days ago
    newer = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    sen = f"<SENhistory><SEN><StartDate>{newer}</StartDate><SENprovision>E</SENprovision></SEN></SENhistory>"
    _apply(world.a.senco, _ctf(_pupil(pupil.upn, sen=sen)))
    periods = list(SenStatusPeriod.objects.filter(pupil=pupil).order_by("starts_on"))
    assert [p.provision for p in periods] == ["K", "E"]
    assert periods[0].ends_on == dt.date.fromisoformat(newer) - dt.timedelta(days=1)


def test_it_refuses_a_pupil_with_no_date_of_birth_and_writes_nothing(world):
    data = _ctf(_pupil().replace("<DOB>2017-10-02</DOB>", "<DOB>2017-02-30</DOB>"))
    record = import_upload(actor=actor_for(world.a.senco), kind="ctf", file_name="in.xml", data=data)
    with pytest.raises(ValidationError, match=r"rows? ha(s|ve) errors"):
        import_apply(actor=actor_for(world.a.senco), record_id=record.pk)
    assert not Pupil.objects.filter(upn=UPN).exists()


def test_it_refuses_an_admissions_file(world):
    with pytest.raises(ValidationError, match="admissions"):
        import_upload(
            actor=actor_for(world.a.senco),
            kind="ctf",
            file_name="in.xml",
            data=b"<?xml version='1.0'?><ATfile><Header/></ATfile>",
        )


def test_it_shows_the_school_admin_nothing_of_the_sen_history_it_leaves_out(world):
    odd = SEN.replace("<SENtype>SLCN</SENtype>", "<SENtype>DYSX</SENtype>")
    record = import_upload(
        actor=actor_for(world.a.admin), kind="ctf", file_name="in.xml", data=_ctf(_pupil(sen=odd))
    )
    issues = import_preview(actor=actor_for(world.a.admin), record=record).plan.issues
    assert not [i for i in issues if "DYSX" in i.message or "SEN" in i.field]
    senco_issues = import_preview(actor=actor_for(world.a.senco), record=record).plan.issues
    assert any("DYSX" in i.message for i in senco_issues)
