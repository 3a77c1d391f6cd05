from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.exchange.ctf import (
    CURRENT_CTF_VERSION,
    CURRENT_SEN_TYPES,
    CtfIssue,
    CtfNeed,
    CtfPupil,
    CtfRejected,
    CtfSchool,
    CtfSenPeriod,
    CtfStageAssessment,
    academic_year_for,
    check_ctf_structure,
    ctf_file_name,
    parse_ctf,
    write_ctf,
)
from tandem.lib.upn import check_letter

# Made-up UPNs: the first two pass the DfE check letter, the third has the wrong letter.
GOOD_UPN = "X938200125001"
TEMPORARY_UPN = "K93820012501B"
BAD_UPN = "W938200125001"

SOURCE = CtfSchool("938", "2001", "123456", "Brookside Primary", "2025")
DEST = CtfSchool("938", "4123", "654321")
WRITTEN_AT = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)


def _header(version: str = "25.0", qualifier: str = "partial", source: str | None = None) -> str:
    if source is None:
        source = (
            "<SourceSchool><LEA>938</LEA><Estab>2001</Estab><URN>123456</URN>"
            "<SchoolName>Brookside Primary</SchoolName><AcademicYear>2025</AcademicYear></SourceSchool>"
        )
    return (
        "<Header><DocumentName>Common Transfer File</DocumentName>"
        f"<CTFversion>{version}</CTFversion><DateTime>2026-03-02T09:30:00</DateTime>"
        f"<DocumentQualifier>{qualifier}</DocumentQualifier><SupplierID>Test MIS</SupplierID>"
        f"{source}</Header>"
    )


def _ctf(*pupils: str, version: str = "25.0", qualifier: str = "partial", source: str | None = None) -> bytes:
    body = "".join(f"<Pupil>{p}</Pupil>" for p in pupils)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<CTfile>{_header(version, qualifier, source)}<CTFpupilData>{body}</CTFpupilData></CTfile>"
    ).encode()


def _pupil_xml(
    upn: str = GOOD_UPN,
    surname: str = "Okafor",
    forename: str = "Amara",
    dob: str = "2016-05-14",
    sex: str = "<Sex>F</Sex>",
    extra: str = "",
) -> str:
    return (
        f"<UPN>{upn}</UPN><Surname>{surname}</Surname><Forename>{forename}</Forename>"
        f"<DOB>{dob}</DOB>{sex}{extra}"
    )


def _issues(parsed_or_data: object, field: str) -> list[CtfIssue]:
    parsed = parse_ctf(parsed_or_data) if isinstance(parsed_or_data, bytes) else parsed_or_data
    return [issue for issue in parsed.issues if issue.field == field]  # type: ignore[attr-defined]


def _pupil(**changes: object) -> CtfPupil:
    base = CtfPupil(
        upn=GOOD_UPN, surname="Okafor", forename="Amara", dob=date(2016, 5, 14), sex="F", dob_raw="2016-05-14"
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _sen(periods: str = "", needs: str = "") -> str:
    return f"<SENhistory>{periods}<SENneeds>{needs}</SENneeds></SENhistory>"


def _period(start: str, provision: str, end: str = "") -> str:
    end_xml = f"<EndDate>{end}</EndDate>" if end else ""
    return f"<SEN><StartDate>{start}</StartDate><SENprovision>{provision}</SENprovision>{end_xml}</SEN>"


def _need(need_type: str, rank: str, start: str = "") -> str:
    start_xml = f"<NeedStartDate>{start}</NeedStartDate>" if start else ""
    return f"<SENneed>{start_xml}<SENtypeRank>{rank}</SENtypeRank><SENtype>{need_type}</SENtype></SENneed>"


def _assessment(year: str = "2025", result: str = "22", stage: str = "", date_xml: str = "") -> str:
    own = f"<Stage>{stage}</Stage>" if stage else ""
    return (
        f"<StageAssessment>{own}<Locale>ENG</Locale><Year>{year}</Year><Subject>MAT</Subject>"
        "<Method>TT</Method><Component>MTC</Component><ResultStatus>R</ResultStatus>"
        f"<ResultQualifier>MT</ResultQualifier><Result>{result}</Result>{date_xml}</StageAssessment>"
    )


# ---------------------------------------------------------------------------------------- reading


def test_it_reads_the_header_and_a_pupil_from_a_clean_ctf_25() -> None:
    parsed = parse_ctf(_ctf(_pupil_xml()))

    assert parsed.issues == ()
    header = parsed.header
    assert (header.version, header.version_number, header.qualifier) == ("25.0", 25, "partial")
    assert header.is_partial
    assert header.date_time == "2026-03-02T09:30:00"
    assert header.supplier_id == "Test MIS"
    assert header.source == SOURCE
    assert header.dest is None
    assert parsed.pupils == (_pupil(),)


def test_it_reads_basic_details_and_a_destination_school() -> None:
    basic = (
        "<BasicDetails><FormerUPN>A938200118002</FormerUPN><PreferredSurname> Okafor-Reid </PreferredSurname>"
        "<PreferredForename>Mara</PreferredForename><NCyearActual>4</NCyearActual></BasicDetails>"
    )
    data = _ctf(_pupil_xml(extra=basic)).replace(
        b"</SourceSchool>",
        b"</SourceSchool><DestSchool><LEA>938</LEA><Estab>4123</Estab><URN>654321</URN></DestSchool>",
    )
    former = "A" + "938200118002"
    data = data.replace(b"A938200118002", (check_letter(former[1:]) + former[1:]).encode())

    parsed = parse_ctf(data)

    pupil = parsed.pupils[0]
    assert pupil.former_upn == check_letter("938200118002") + "938200118002"
    assert (pupil.preferred_surname, pupil.preferred_forename, pupil.nc_year) == ("Okafor-Reid", "Mara", "4")
    assert parsed.header.dest == DEST
    assert parsed.issues == ()


@pytest.mark.parametrize("data", [b"", b"   \n\t  "])
def test_it_rejects_an_empty_file(data: bytes) -> None:
    with pytest.raises(CtfRejected, match="empty"):
        parse_ctf(data)


def test_it_rejects_text_that_is_not_xml() -> None:
    with pytest.raises(CtfRejected) as caught:
        parse_ctf(b"UPN,Surname,Forename\nX938200125001,Okafor,Amara\n")
    assert str(caught.value) == "This file is not a Common Transfer File: it is not XML."


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (bytes(range(256)) * 4, "not XML"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, "zip or Excel"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    ],
)
def test_it_rejects_binary_files_saying_what_they_are(data: bytes, words: str) -> None:
    with pytest.raises(CtfRejected, match=words):
        parse_ctf(data)


def test_it_rejects_broken_xml_with_where_it_broke() -> None:
    data = _ctf(_pupil_xml())[:-40]
    with pytest.raises(CtfRejected, match=r"looks like XML but is broken \(line 1, column \d+\)"):
        parse_ctf(data)


def test_it_refuses_a_billion_laughs_entity_expansion() -> None:
    lol = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE CTfile [{lol}]><CTfile>&lol9;</CTfile>'.encode()

    # Refused before any expansion; how fast is measured in bench/ctf_read.py, not here.
    with pytest.raises(CtfRejected) as caught:
        parse_ctf(data)

    assert str(caught.value).startswith(
        "This file uses XML entity declarations, which Tandem refuses for safety."
    )


def test_it_refuses_an_external_entity_pointing_at_a_local_file() -> None:
    data = (
        '<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + _ctf(_pupil_xml(surname="&xxe;")).decode().split("?>", 1)[1]
    ).encode()

    with pytest.raises(CtfRejected, match="entity declarations") as caught:
        parse_ctf(data)
    assert "root:" not in str(caught.value)
    assert check_ctf_structure(data) == [str(caught.value)]


@pytest.mark.parametrize(
    ("doctype", "words"),
    [
        ("<!DOCTYPE CTfile>", "document type declaration"),
        ('<!DOCTYPE CTfile SYSTEM "http://example.com/ctf.dtd">', "outside document type definition"),
        ('<!DOCTYPE CTfile SYSTEM "file:///etc/passwd">', "outside document type definition"),
    ],
)
def test_it_refuses_any_dtd(doctype: str, words: str) -> None:
    data = _ctf(_pupil_xml()).replace(b"<CTfile>", doctype.encode() + b"<CTfile>")
    with pytest.raises(CtfRejected, match=words):
        parse_ctf(data)


def test_it_rejects_an_admissions_transfer_file() -> None:
    data = b"<ATfile><Header/><ATFpupilData><Pupil><Surname>Okafor</Surname></Pupil></ATFpupilData></ATfile>"
    with pytest.raises(CtfRejected) as caught:
        parse_ctf(data)
    assert str(caught.value).startswith(
        "This is an admissions transfer file (ATF), not a Common Transfer File"
    )


def test_it_rejects_xml_that_is_not_a_ctf() -> None:
    with pytest.raises(CtfRejected, match="its top element is <Workbook>, not <CTfile>"):
        parse_ctf(b'<?xml version="1.0"?><Workbook><Sheet/></Workbook>')


@pytest.mark.parametrize(
    "data",
    [
        b"<CTfile><CTFpupilData/></CTfile>",
        b"<CTfile><Header><DocumentName>Common Transfer File</DocumentName></Header></CTfile>",
        b"<CTfile><Header><CTFversion>  </CTFversion></Header></CTfile>",
    ],
)
def test_it_rejects_a_file_without_a_version(data: bytes) -> None:
    with pytest.raises(CtfRejected, match=r"version|Header"):
        parse_ctf(data)


@pytest.mark.parametrize("version", ["twenty-five", "25.0.1", "v25", "2025.0"])
def test_it_rejects_a_version_that_is_not_a_number(version: str) -> None:
    with pytest.raises(CtfRejected, match=r"is not a version number such as 25\.0"):
        parse_ctf(_ctf(_pupil_xml(), version=version))


@pytest.mark.parametrize(
    ("version", "number", "message"),
    [
        (
            "19.0",
            19,
            "CTF version 19.0 is older than the versions Tandem expects (24.0 and 25.0); "
            "some data may not import.",
        ),
        (
            "21.0",
            21,
            "CTF version 21.0 is older than the versions Tandem expects (24.0 and 25.0); "
            "some data may not import.",
        ),
        ("24.0", 24, None),
        ("25.0", 25, None),
        (
            "26.0",
            26,
            "CTF version 26.0 is newer than the versions Tandem expects (24.0 and 25.0); "
            "some data may not import.",
        ),
    ],
)
def test_it_imports_any_version_and_warns_outside_the_current_and_previous(
    version: str, number: int, message: str | None
) -> None:
    sex = "<Gender>F</Gender>" if number < 25 else "<Sex>F</Sex>"
    parsed = parse_ctf(_ctf(_pupil_xml(sex=sex), version=version))

    assert parsed.header.version_number == number
    assert parsed.pupils == (_pupil(),)
    assert [i.message for i in parsed.issues] == ([message] if message else [])
    assert all(i.pupil is None and i.field == "Header/CTFversion" for i in parsed.issues)
    assert CURRENT_CTF_VERSION == 25


def test_it_warns_about_a_version_not_written_as_nn_point_0() -> None:
    parsed = parse_ctf(_ctf(_pupil_xml(), version="25"))
    assert parsed.header.version_number == 25
    assert [i.raw for i in _issues(parsed, "Header/CTFversion")] == ["25"]


@pytest.mark.parametrize(
    ("sex_xml", "sex", "fields"),
    [
        ("<Gender>M</Gender>", "M", []),
        ("<Sex>M</Sex>", "M", []),
        ("<Sex>F</Sex><Gender>F</Gender>", "F", []),
        ("<Sex> f </Sex>", "F", []),
        ("<Gender>M</Gender><Sex>F</Sex>", "F", ["Sex"]),
        ("<Sex>U</Sex>", "", ["Sex"]),
        ("<Gender>Male</Gender>", "", ["Gender"]),
        ("", "", ["Sex"]),
    ],
)
def test_it_reads_gender_or_sex_and_keeps_sex_when_they_disagree(
    sex_xml: str, sex: str, fields: list[str]
) -> None:
    parsed = parse_ctf(_ctf(_pupil_xml(sex=sex_xml)))
    assert parsed.pupils[0].sex == sex
    assert [i.field for i in parsed.issues] == fields


def test_it_keeps_a_upn_with_a_wrong_check_letter_exactly_as_given_and_warns() -> None:
    parsed = parse_ctf(_ctf(_pupil_xml(upn=BAD_UPN), _pupil_xml(upn=TEMPORARY_UPN)))

    assert [p.upn for p in parsed.pupils] == [BAD_UPN, TEMPORARY_UPN]
    (issue,) = parsed.issues
    assert (issue.pupil, issue.upn, issue.field, issue.raw) == (1, BAD_UPN, "UPN", BAD_UPN)
    assert "check letter is 'W' but the digits give 'X'" in issue.message
    assert "kept exactly as given" in issue.message


def test_it_trims_a_upn_with_spaces_and_says_so() -> None:
    parsed = parse_ctf(_ctf(_pupil_xml(upn=f"  {GOOD_UPN} ")))
    assert parsed.pupils[0].upn == GOOD_UPN
    (issue,) = parsed.issues
    assert (issue.upn, issue.field, issue.raw) == (GOOD_UPN, "UPN", f"  {GOOD_UPN} ")
    assert "spaces" in issue.message


@pytest.mark.parametrize("marker", ["UN1", "UN5"])
def test_it_records_no_upn_for_the_unknown_markers(marker: str) -> None:
    parsed = parse_ctf(_ctf(_pupil_xml(upn=marker)))
    assert parsed.pupils[0].upn == ""
    (issue,) = parsed.issues
    assert (issue.upn, issue.field, issue.raw) == ("", "UPN", marker)
    assert "not known" in issue.message


def test_it_warns_about_a_missing_upn_and_a_bad_former_upn() -> None:
    pupil = "<Surname>Okafor</Surname><Forename>Amara</Forename><DOB>2016-05-14</DOB><Sex>F</Sex>"
    former = f"<BasicDetails><FormerUPN>{BAD_UPN}</FormerUPN></BasicDetails>"
    parsed = parse_ctf(_ctf(pupil, _pupil_xml(extra=former)))

    assert [(i.pupil, i.upn, i.field) for i in parsed.issues] == [(1, "", "UPN"), (2, GOOD_UPN, "FormerUPN")]
    assert parsed.pupils[1].former_upn == BAD_UPN
    assert "former UPN does not pass" in parsed.issues[1].message


def test_it_warns_when_two_pupils_share_a_upn() -> None:
    parsed = parse_ctf(_ctf(_pupil_xml(), _pupil_xml(surname="Hughes"), _pupil_xml()))
    assert [(i.pupil, i.field) for i in parsed.issues] == [(2, "UPN"), (3, "UPN")]
    assert parsed.issues[0].message.startswith("Pupils 1 and 2 in this file have the same UPN")


@pytest.mark.parametrize(
    ("school", "fields"),
    [
        ("<LEA>XXX</LEA><Estab>XXXX</Estab><URN>XXXXXX</URN>", ["LEA", "Estab", "URN"]),
        ("<LEA>938</LEA><Estab>2001</Estab><URN>12a456</URN>", ["URN"]),
        ("<LEA>938</LEA><Estab>2001</Estab>", ["URN"]),
        ("<LEA>0938</LEA><Estab>2001</Estab><URN>123456</URN>", ["LEA"]),
    ],
)
def test_it_keeps_placeholder_and_odd_school_numbers_as_text_with_a_warning(
    school: str, fields: list[str]
) -> None:
    source = (
        f"<SourceSchool>{school}<SchoolName>X</SchoolName><AcademicYear>2025</AcademicYear></SourceSchool>"
    )
    parsed = parse_ctf(_ctf(_pupil_xml(), source=source))

    assert [i.field for i in parsed.issues] == [f"Header/SourceSchool/{f}" for f in fields]
    assert all(i.pupil is None for i in parsed.issues)
    kept = parsed.header.source
    assert [getattr(kept, f.lower()) for f in fields] == [i.raw for i in parsed.issues]
    if "XXX" in school:
        assert (kept.lea, kept.estab, kept.urn) == ("XXX", "XXXX", "XXXXXX")
        assert "placeholder" in parsed.issues[0].message


@pytest.mark.parametrize("raw", ["2016-02-30", "2016-05", "2016", "14/05/2016", "yesterday", "2016-5-14"])
def test_it_keeps_a_bad_or_partial_date_of_birth_as_raw_text(raw: str) -> None:
    parsed = parse_ctf(_ctf(_pupil_xml(dob=raw)))
    pupil = parsed.pupils[0]
    assert (pupil.dob, pupil.dob_raw) == (None, raw)
    (issue,) = parsed.issues
    assert (issue.field, issue.raw) == ("DOB", raw)
    assert "yyyy-mm-dd" in issue.message


def test_it_tolerates_a_time_part_after_a_date() -> None:
    parsed = parse_ctf(_ctf(_pupil_xml(dob="2016-05-14T00:00:00")))
    assert parsed.pupils[0].dob == date(2016, 5, 14)
    assert parsed.pupils[0].dob_raw == "2016-05-14T00:00:00"
    assert parsed.issues == ()


def test_it_sorts_sen_periods_by_start_date_not_element_order() -> None:
    periods = (
        _period("2023-09-04", "E")
        + _period("2019-09-02", "A", "2021-07-20")
        + _period("2021-07-21", "K", "2023-09-03")
    )
    parsed = parse_ctf(_ctf(_pupil_xml(extra=_sen(periods))))

    pupil = parsed.pupils[0]
    assert pupil.has_sen_history
    assert [(p.provision, p.starts_on, p.ends_on) for p in pupil.sen_periods] == [
        ("A", date(2019, 9, 2), date(2021, 7, 20)),
        ("K", date(2021, 7, 21), date(2023, 9, 3)),
        ("E", date(2023, 9, 4), None),
    ]
    assert pupil.sen_periods[-1].is_open
    assert parsed.issues == (), "the legacy code A is history, not a problem"


def test_it_keeps_two_open_sen_periods_and_warns() -> None:
    periods = _period("2024-01-08", "K") + _period("2022-09-05", "K")
    parsed = parse_ctf(_ctf(_pupil_xml(extra=_sen(periods))))

    assert [p.raw_start for p in parsed.pupils[0].sen_periods] == ["2022-09-05", "2024-01-08"]
    (issue,) = parsed.issues
    assert (issue.pupil, issue.upn, issue.field) == (1, GOOD_UPN, "SENhistory")
    assert "2 SEN periods with no end date" in issue.message


def test_it_keeps_unknown_sen_codes_and_bad_dates_as_given_with_warnings() -> None:
    periods = _period("2024-13-01", "Q") + _period("2020-09-01", "K", "2019-01-01")
    parsed = parse_ctf(_ctf(_pupil_xml(extra=_sen(periods))))

    pupil = parsed.pupils[0]
    assert [(p.provision, p.starts_on, p.raw_start) for p in pupil.sen_periods] == [
        ("K", date(2020, 9, 1), "2020-09-01"),
        ("Q", None, "2024-13-01"),
    ]
    assert [(i.field, i.raw) for i in parsed.issues] == [
        ("StartDate", "2024-13-01"),
        ("SENprovision", "Q"),
        ("EndDate", "2019-01-01"),
    ]


def test_it_sorts_needs_by_rank_then_start_and_warns_about_odd_ones() -> None:
    needs = (
        _need("SPLD", "2", "2022-01-10")
        + _need("BESD", "3", "2012-01-10")
        + _need("SLCN", "1", "2023-04-01")
        + _need("ASD", "1", "2021-04-01")
        + _need("DYSLEXIA", "x")
    )
    parsed = parse_ctf(_ctf(_pupil_xml(extra=_sen(_period("2021-04-01", "E"), needs))))

    assert [(n.need_type, n.rank) for n in parsed.pupils[0].needs] == [
        ("ASD", 1),
        ("SLCN", 1),
        ("SPLD", 2),
        ("BESD", 3),
        ("DYSLEXIA", None),
    ]
    assert [(i.field, i.raw) for i in parsed.issues] == [("SENtype", "DYSLEXIA"), ("SENtypeRank", "x")]


def test_it_attaches_a_need_to_the_period_covering_its_start_else_the_open_one() -> None:
    closed = CtfSenPeriod("K", date(2019, 9, 2), date(2021, 7, 20))
    current = CtfSenPeriod("E", date(2021, 7, 21), None)
    pupil = _pupil(sen_periods=(closed, current))

    assert pupil.period_for(CtfNeed("SLCN", 1, date(2020, 1, 6))) == closed
    assert pupil.period_for(CtfNeed("ASD", 1, date(2022, 1, 6))) == current
    assert pupil.period_for(CtfNeed("ASD", 2)) == current
    assert not closed.is_open
    assert not CtfSenPeriod("K", date(2019, 9, 2), None, "2019-09-02", "soon").is_open
    assert _pupil().period_for(CtfNeed("ASD", 2)) is None


def test_it_distinguishes_no_sen_history_from_an_empty_one() -> None:
    parsed = parse_ctf(_ctf(_pupil_xml(), _pupil_xml(upn=TEMPORARY_UPN, extra="<SENhistory/>")))
    without, empty = parsed.pupils
    assert (without.has_sen_history, without.sen_periods, without.needs) == (False, (), ())
    assert (empty.has_sen_history, empty.sen_periods, empty.needs) == (True, (), ())
    assert (without.has_assessments, empty.has_assessments) == (False, False)


def test_it_reads_stage_assessments_as_flat_tuples_kept_verbatim() -> None:
    results = (
        "<StageAssessments><KeyStage><Stage>KS2</Stage>"
        + _assessment(result=" 22 ", date_xml="<ResultDate>2025-06-13</ResultDate>")
        + _assessment(result="A")
        + "</KeyStage><KeyStage><Stage>KS1</Stage>"
        + _assessment(year="2021", result="EXS", date_xml="<ResultDate>June</ResultDate>")
        + "</KeyStage></StageAssessments>"
    )
    parsed = parse_ctf(_ctf(_pupil_xml(extra=results)))

    pupil = parsed.pupils[0]
    assert pupil.has_assessments
    first, absent, ks1 = pupil.assessments
    assert first == CtfStageAssessment(
        "KS2", "ENG", "2025", "MAT", "TT", "MTC", "R", "MT", "22", date(2025, 6, 13), "2025-06-13", "KS2"
    )
    assert (absent.result, absent.result_date) == ("A", None)
    assert (ks1.stage, ks1.year, ks1.result, ks1.result_date, ks1.raw_result_date) == (
        "KS1",
        "2021",
        "EXS",
        None,
        "June",
    )
    assert [(i.field, i.raw) for i in parsed.issues] == [("ResultDate", "June")]


def test_it_keeps_a_result_filed_under_an_unexpected_stage_with_both_stages() -> None:
    results = (
        "<StageAssessments><KeyStage><Stage>KS1</Stage>"
        + _assessment(year="2021", stage="KS1")
        + _assessment(year="2025", stage="KS2")
        + "</KeyStage></StageAssessments>"
    )
    parsed = parse_ctf(_ctf(_pupil_xml(extra=results)))

    same, moved = parsed.pupils[0].assessments
    assert (same.stage, same.enclosing_stage) == ("KS1", "KS1")
    assert (moved.stage, moved.enclosing_stage, moved.year) == ("KS2", "KS1", "2025")
    (issue,) = parsed.issues
    assert (issue.field, issue.raw) == ("Stage", "KS2")
    assert "KS2 result filed under KS1" in issue.message


def test_it_ignores_unknown_elements_vendor_extras_and_a_namespace() -> None:
    extras = (
        "<Address><PostCode>AB1 2CD</PostCode></Address><Phones><Phone><PhoneNo>+44 (0)1632 960 000"
        "</PhoneNo></Phone></Phones><SuppInfo><Vendor><Anything>1</Anything></Vendor></SuppInfo><Mystery/>"
    )
    data = _ctf(_pupil_xml(extra=extras)).replace(b"<CTfile>", b'<CTfile xmlns="urn:example:ctf">')
    parsed = parse_ctf(data)
    assert parsed.pupils == (_pupil(),)
    assert parsed.issues == ()


def test_it_records_a_full_file_and_treats_an_odd_qualifier_as_partial() -> None:
    assert not parse_ctf(_ctf(_pupil_xml(), qualifier="full")).header.is_partial
    parsed = parse_ctf(_ctf(_pupil_xml(), qualifier="complete"))
    assert parsed.header.qualifier == "complete"
    assert parsed.header.is_partial
    assert [i.field for i in parsed.issues] == ["Header/DocumentQualifier"]


def test_it_trims_names_and_keeps_their_case() -> None:
    parsed = parse_ctf(_ctf(_pupil_xml(surname="  O'BRIEN ", forename="\n  ZOË\t")))
    assert (parsed.pupils[0].surname, parsed.pupils[0].forename) == ("O'BRIEN", "ZOË")


def test_it_reads_a_file_in_a_declared_single_byte_encoding() -> None:
    text = _ctf(_pupil_xml(forename="Zoë")).decode().replace("UTF-8", "ISO-8859-1")
    parsed = parse_ctf(text.encode("iso-8859-1"))
    assert parsed.pupils[0].forename == "Zoë"


def test_it_never_puts_a_pupils_name_in_a_warning() -> None:
    names = ("Wojciechowska", "Przemysław", "Nakamura", "Hiroshi")
    messy = _pupil_xml(
        upn="UN2",
        surname=f" {names[0]} ",
        forename=names[1],
        dob="31/02/2016",
        sex="<Sex>X</Sex><Gender>M</Gender>",
        extra=_sen(_period("soon", "Z") + _period("2020-01-01", "K"), _need("FOO", "one"))
        + "<StageAssessments><KeyStage><Stage>KS1</Stage>"
        + _assessment(stage="KS2", date_xml="<ResultDate>?</ResultDate>")
        + "</KeyStage></StageAssessments>",
    )
    parsed = parse_ctf(_ctf(messy, _pupil_xml(upn=BAD_UPN, surname=names[2], forename=names[3], dob="")))

    assert len(parsed.issues) >= 10
    for issue in parsed.issues:
        text = f"{issue.field} {issue.raw} {issue.message} {issue.upn}"
        assert not any(name in text for name in names), issue


def test_it_reads_2000_pupils_with_50_assessments_each() -> None:
    # How fast is for a benchmark, not a test (a timed test fails on a busy machine): bench/ctf_read.py.
    pupil = _pupil_xml(
        extra="<StageAssessments><KeyStage><Stage>KS2</Stage>"
        + _assessment(date_xml="<ResultDate>2025-06-13</ResultDate>") * 50
        + "</KeyStage></StageAssessments>"
    )
    data = _ctf(*[pupil.replace(GOOD_UPN, TEMPORARY_UPN if i % 2 else GOOD_UPN) for i in range(2000)])

    parsed = parse_ctf(data)

    assert len(parsed.pupils) == 2000
    assert sum(len(p.assessments) for p in parsed.pupils) == 100_000


# ---------------------------------------------------------------------------------------- writing


def _full_pupil(**changes: object) -> CtfPupil:
    return _pupil(
        surname="O'Brien & <Sons>",
        forename="Zoë-Łucja",
        has_sen_history=True,
        sen_periods=(
            CtfSenPeriod("K", date(2021, 9, 6), date(2023, 7, 21), "2021-09-06", "2023-07-21"),
            CtfSenPeriod("E", date(2023, 7, 22), None, "2023-07-22"),
        ),
        needs=(CtfNeed("ASD", 1, date(2023, 7, 22)), CtfNeed("SLCN", 2)),
        has_assessments=True,
        assessments=(
            CtfStageAssessment(
                "KS1", "ENG", "2022", "PHO", "TT", "PSC", "R", "PS", "32", enclosing_stage="KS1"
            ),
            CtfStageAssessment(
                "KS2",
                "ENG",
                "2025",
                "MAT",
                "TT",
                "MTC",
                "R",
                "MT",
                "<25>",
                date(2025, 6, 13),
                "2025-06-13",
                "KS2",
            ),
        ),
        **changes,
    )


@pytest.mark.parametrize("version", [24, 25])
def test_it_writes_a_partial_ctf_that_passes_the_structure_check(version: int) -> None:
    data = write_ctf(
        version=version, source=SOURCE, dest=DEST, pupils=[_full_pupil()], generated_at=WRITTEN_AT
    )

    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert check_ctf_structure(data) == []
    text = data.decode("utf-8")
    assert f"<CTFversion>{version}.0</CTFversion>" in text
    assert "<DateTime>2026-03-02T09:30:00</DateTime>" in text
    assert "<DocumentQualifier>partial</DocumentQualifier>" in text
    assert "<SupplierID>Tandem</SupplierID>" in text
    assert "O'Brien &amp; &lt;Sons&gt;" in text
    assert ("<Sex>F</Sex>" in text) == (version >= 25)
    assert ("<Gender>F</Gender>" in text) == (version < 25)
    header = parse_ctf(data).header
    assert (header.qualifier, header.source, header.dest) == ("partial", SOURCE, DEST)


def test_it_writes_a_minimal_pupil_without_a_destination_school() -> None:
    source = replace(SOURCE, academic_year="")
    data = write_ctf(version=25, source=source, dest=None, pupils=[_pupil()], generated_at=WRITTEN_AT)

    assert check_ctf_structure(data) == []
    assert b"DestSchool" not in data
    assert b"SENhistory" not in data
    assert b"StageAssessments" not in data
    assert b"<AcademicYear>2025</AcademicYear>" in data, "March 2026 is in the year that started in 2025"
    assert parse_ctf(data).pupils == (_pupil(),)


def test_it_round_trips_pupils_with_sen_and_assessments() -> None:
    pupils = [_full_pupil(), _pupil(upn=TEMPORARY_UPN, sex="M", forename="李明", surname="محمد")]
    data = write_ctf(version=25, source=SOURCE, dest=DEST, pupils=pupils, generated_at=WRITTEN_AT)
    parsed = parse_ctf(data)
    assert parsed.pupils == tuple(pupils)
    assert parsed.issues == ()


def test_it_groups_assessments_into_one_key_stage_block_per_stage() -> None:
    ks2 = CtfStageAssessment("KS2", "ENG", "2025", "MAT", "TT", "MTC", "R", "MT", "20")
    ks1 = CtfStageAssessment("KS1", "ENG", "2022", "PHO", "TT", "PSC", "R", "PS", "32")
    pupil = _pupil(has_assessments=True, assessments=(ks2, ks1, replace(ks2, result="21")))
    data = write_ctf(version=25, source=SOURCE, dest=None, pupils=[pupil], generated_at=WRITTEN_AT)

    assert data.count(b"<KeyStage>") == 2
    read = parse_ctf(data).pupils[0].assessments
    assert [(a.stage, a.result, a.enclosing_stage) for a in read] == [
        ("KS2", "20", "KS2"),
        ("KS2", "21", "KS2"),
        ("KS1", "32", "KS1"),
    ]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"sen_periods": (CtfSenPeriod("S", date(2012, 9, 3), None),)}, "old SEN provision code 'S'"),
        ({"sen_periods": (CtfSenPeriod("A", date(2012, 9, 3), None),)}, "old SEN provision code 'A'"),
        ({"sen_periods": (CtfSenPeriod("P", date(2012, 9, 3), None),)}, "old SEN provision code 'P'"),
        ({"sen_periods": (CtfSenPeriod("Q", date(2012, 9, 3), None),)}, "not N, K or E"),
        ({"sen_periods": (CtfSenPeriod("K", None, None),)}, "no start date"),
        ({"needs": (CtfNeed("BESD", 1),)}, "old need type 'BESD'"),
        ({"needs": (CtfNeed("DYSLEXIA", 1),)}, "not a census code"),
        ({"needs": (CtfNeed("ASD", None),)}, "rank"),
        ({"upn": ""}, "no UPN"),
        ({"dob": None}, "no date of birth"),
        ({"sex": ""}, "M or F"),
        ({"surname": "Okafor\x07"}, "control character in <Surname>"),
    ],
)
def test_it_refuses_to_write_legacy_codes_and_incomplete_pupils(
    changes: dict[str, object], words: str
) -> None:
    pupils = [_pupil(upn=TEMPORARY_UPN), _pupil(**changes)]
    with pytest.raises(ValueError, match=words) as caught:
        write_ctf(version=25, source=SOURCE, dest=None, pupils=pupils, generated_at=WRITTEN_AT)
    assert str(caught.value).startswith("Pupil 2 ")


@pytest.mark.parametrize("version", [18, 100, True, "25"])
def test_it_refuses_to_write_an_unknown_version(version: object) -> None:
    with pytest.raises(ValueError, match="CTF version"):
        write_ctf(
            version=version,  # type: ignore[arg-type]
            source=SOURCE,
            dest=None,
            pupils=[],
            generated_at=WRITTEN_AT,
        )


def test_it_names_files_and_academic_years_as_mis_do() -> None:
    assert ctf_file_name(SOURCE, DEST) == "9382001_CTF_9384123_001.xml"
    assert ctf_file_name(SOURCE, None, 12) == "9382001_CTF_MMMMMMM_012.xml"
    assert academic_year_for(date(2025, 7, 31)) == "2024"
    assert academic_year_for(date(2025, 8, 1)) == "2025"


_NAME_SAMPLES = st.sampled_from(
    [
        "O'Brien",
        "Zoë",
        "Łukasz",
        "Nguyễn",
        "Müller-Lüdenscheidt",
        "李明",
        "محمد",
        "Ọlánrewájú",
        "A & B <C>",
        "]]>",
    ]
)
_NAMES = st.one_of(
    _NAME_SAMPLES,
    st.text(st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs")), max_size=30).map(
        str.strip
    ),
)
_DATES = st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31))
_UPNS = st.text("0123456789", min_size=12, max_size=12).map(lambda body: check_letter(body) + body)


@st.composite
def _periods(draw: st.DrawFn) -> CtfSenPeriod:
    starts = draw(_DATES)
    ends = draw(st.one_of(st.none(), st.dates(min_value=starts, max_value=date(2036, 12, 31))))
    return CtfSenPeriod(
        draw(st.sampled_from("NKE")),
        starts,
        ends,
        starts.isoformat(),
        ends.isoformat() if ends else "",
    )


_NEEDS = st.builds(
    CtfNeed,
    st.sampled_from(sorted(CURRENT_SEN_TYPES)),
    st.integers(1, 4),
    st.one_of(st.none(), _DATES),
    st.one_of(st.none(), _DATES),
)
_CODES = st.one_of(st.sampled_from(["ENG", "MAT", "TT", "R", "A", "<5", "&"]), _NAMES)


@st.composite
def _assessments(draw: st.DrawFn) -> CtfStageAssessment:
    stage = draw(st.sampled_from(["EYFS", "KS1", "KS2", "PHON"]))
    result_date = draw(st.one_of(st.none(), _DATES))
    locale, year, subject, method, component, status, qualifier, result = (draw(_CODES) for _ in range(8))
    return CtfStageAssessment(
        stage,
        locale,
        year,
        subject,
        method,
        component,
        status,
        qualifier,
        result,
        result_date=result_date,
        raw_result_date=result_date.isoformat() if result_date else "",
        enclosing_stage=stage,
    )


@st.composite
def _pupils(draw: st.DrawFn) -> CtfPupil:
    dob = draw(_DATES)
    periods = sorted(draw(st.lists(_periods(), max_size=4)), key=lambda p: p.starts_on or date.min)
    needs = sorted(
        draw(st.lists(_NEEDS, max_size=3)), key=lambda n: (n.rank, n.starts_on is None, n.starts_on)
    )
    assessments = draw(st.lists(_assessments(), max_size=5))
    # The file groups results by stage, in order of each stage's first appearance.
    stages = list(dict.fromkeys(a.stage for a in assessments))
    grouped = tuple(a for stage in stages for a in assessments if a.stage == stage)
    return CtfPupil(
        upn=draw(_UPNS),
        surname=draw(_NAMES),
        forename=draw(_NAMES),
        dob=dob,
        sex=draw(st.sampled_from("MF")),
        dob_raw=dob.isoformat(),
        has_sen_history=draw(st.booleans()) or bool(periods or needs),
        sen_periods=tuple(periods),
        needs=tuple(needs),
        has_assessments=draw(st.booleans()) or bool(assessments),
        assessments=grouped,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pupils=st.lists(_pupils(), max_size=3), version=st.integers(19, 26))
def test_it_reads_back_what_it_writes(pupils: list[CtfPupil], version: int) -> None:
    data = write_ctf(version=version, source=SOURCE, dest=DEST, pupils=pupils, generated_at=WRITTEN_AT)
    assert parse_ctf(data).pupils == tuple(pupils)
    assert check_ctf_structure(data) == []


# ---------------------------------------------------------------------------------------- structure


def _written(version: int = 25) -> str:
    return write_ctf(
        version=version, source=SOURCE, dest=DEST, pupils=[_full_pupil()], generated_at=WRITTEN_AT
    ).decode()


def test_it_finds_sex_in_a_version_24_file_and_gender_in_a_version_25_file() -> None:
    sex_in_24 = _written(24).replace("<Gender>F</Gender>", "<Sex>F</Sex>").encode()
    gender_in_25 = _written(25).replace("<Sex>F</Sex>", "<Gender>F</Gender>").encode()

    assert check_ctf_structure(sex_in_24) == [
        "Pupil 1: <Sex> is not used in CTF version 24.0; use <Gender>.",
        "Pupil 1: <Gender> is missing.",
    ]
    assert check_ctf_structure(gender_in_25) == [
        "Pupil 1: <Gender> is not used in CTF version 25.0; use <Sex>.",
        "Pupil 1: <Sex> is missing.",
    ]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("<Surname>O'Brien &amp; &lt;Sons&gt;</Surname>", "", "Pupil 1: <Surname> is missing."),
        (
            "<DOB>2016-05-14</DOB>",
            "<DOB>14/05/2016</DOB>",
            "Pupil 1: <DOB> '14/05/2016' is not a date in the form yyyy-mm-dd.",
        ),
        (
            "<StartDate>2023-07-22</StartDate>",
            "<StartDate>2023-02-30</StartDate>",
            "Pupil 1/SENhistory/SEN 2: <StartDate> '2023-02-30' is not a date in the form yyyy-mm-dd.",
        ),
        (
            "<UPN>X938200125001</UPN>\n      <Surname>O'Brien &amp; &lt;Sons&gt;</Surname>",
            "<Surname>O'Brien &amp; &lt;Sons&gt;</Surname><UPN>X938200125001</UPN>",
            "Pupil 1: <UPN> is out of order; it should come before <Surname>.",
        ),
        (
            "<SENtypeRank>2</SENtypeRank>\n            <SENtype>SLCN</SENtype>",
            "<SENtype>SLCN</SENtype><SENtypeRank>2</SENtypeRank>",
            "Pupil 1/SENhistory/SENneeds/SENneed 2: <SENtypeRank> is out of order; "
            "it should come before <SENtype>.",
        ),
        (
            "<CTFversion>25.0</CTFversion>",
            "<CTFversion>25</CTFversion>",
            "Header: <CTFversion> '25' is not a version in the form NN.0.",
        ),
        (
            "<DocumentQualifier>partial</DocumentQualifier>",
            "<DocumentQualifier>some</DocumentQualifier>",
            "Header: <DocumentQualifier> 'some' is neither 'full' nor 'partial'.",
        ),
        (
            "<DateTime>2026-03-02T09:30:00</DateTime>",
            "<DateTime>2026-03-02</DateTime>",
            "Header: <DateTime> '2026-03-02' is not a date and time in the form yyyy-mm-ddThh:mm:ss.",
        ),
        (
            "<URN>123456</URN>\n      <SchoolName>",
            "<SchoolName>",
            "Header/SourceSchool: <URN> is missing.",
        ),
        (
            "<Result>32</Result>",
            "<Result>32</Result><Result>33</Result>",
            "Pupil 1/StageAssessments/KeyStage 1/StageAssessment 1: <Result> appears more than once.",
        ),
        (
            "<Forename>",
            "<Nickname>Zo</Nickname><Forename>",
            "Pupil 1: <Nickname> is not part of <Pupil>.",
        ),
    ],
)
def test_it_reports_each_structure_problem_in_plain_english(old: str, new: str, problem: str) -> None:
    text = _written()
    assert old in text
    assert check_ctf_structure(text.replace(old, new, 1).encode()) == [problem]


def test_it_reports_a_file_it_cannot_read_as_its_single_problem() -> None:
    assert check_ctf_structure(b"not xml") == ["This file is not a Common Transfer File: it is not XML."]
    atf = check_ctf_structure(b"<ATfile/>")
    assert len(atf) == 1
    assert atf[0].startswith("This is an admissions transfer file (ATF)")
