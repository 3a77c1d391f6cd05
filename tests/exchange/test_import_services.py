"""Imports through the services: preview, then all-or-nothing apply; bad input refused, nothing written."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from tandem.access.actor import actor_for
from tandem.assessment.models import Assessment
from tandem.audit.models import AuditEvent
from tandem.exchange.models import ImportRecord, ImportStatus
from tandem.exchange.selectors import import_preview
from tandem.exchange.services import ImportFailed, import_apply, import_set_columns, import_upload
from tandem.people.models import Pupil
from tandem.register.models import SenNeed, SenStatusPeriod
from tests import factories as f

# A Persian word spelt with the zero-width non-joiner (escaped: its letters look like Latin ones).
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"

HEADER = "UPN,Adno,Legal Surname,Legal Forename,DOB,Gender,Year\n"


def _upn(n: int) -> str:
    return f.valid_upn(n, la="821", estab="4001")


def _pupil_row(n: int, *, surname: str = "Okafor", forename: str = "Ada", dob: str = "14/03/2016") -> str:
    return f"{_upn(n)},{n:05d},{surname},{forename},{dob},F,4\n"


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Pupil.objects.count(),
        SenStatusPeriod.objects.count(),
        SenNeed.objects.count(),
        Assessment.objects.count(),
        ImportRecord.objects.exclude(status=ImportStatus.PREVIEWED).count(),
    )


def _upload(user, data: bytes | str, *, kind: str = "pupils", name: str = "roll.csv", **extra):
    raw = data.encode() if isinstance(data, str) else data
    return import_upload(actor=actor_for(user), kind=kind, file_name=name, data=raw, **extra)


def _messages(user, record) -> list[str]:
    preview = import_preview(actor=actor_for(user), record=record)
    assert preview.plan is not None, [p.message for p in preview.match.problems]
    return [f"{i.line}:{i.field}:{'E' if i.is_error else 'W'}:{i.message}" for i in preview.plan.issues]


def assert_file_refused(user, data: bytes | str, message: str, **kwargs) -> None:
    """The file is refused at upload with this message, and nothing at all is written."""
    before, records = _counts(), ImportRecord.objects.count()
    with pytest.raises(ValidationError) as refused:
        _upload(user, data, **kwargs)
    assert message in " ".join(refused.value.messages)
    assert _counts() == before
    assert ImportRecord.objects.count() == records


def assert_row_refused(user, data: bytes | str, message: str, **kwargs) -> list[str]:
    """The preview shows this error; applying is refused and writes nothing."""
    record = _upload(user, data, **kwargs)
    found = _messages(user, record)
    assert any(message in m and ":E:" in m for m in found), found
    before = _counts()
    with pytest.raises(ValidationError, match=r"rows? ha(s|ve) errors"):
        import_apply(actor=actor_for(user), record_id=record.pk)
    assert _counts() == before
    return found


# ------------------------------------------------------------------------------- the roll, happy paths


def test_it_previews_then_applies_a_roll_and_records_who_and_when(world):
    admin = world.a.admin
    record = _upload(admin, HEADER + _pupil_row(1) + _pupil_row(2, forename="Bea"))
    assert Pupil.objects.filter(upn=_upn(1)).count() == 0  # a preview writes nothing
    applied = import_apply(actor=actor_for(admin), record_id=record.pk)
    assert (applied.status, applied.created, applied.updated, applied.unchanged) == ("applied", 2, 0, 0)
    assert applied.applied_by == admin and applied.applied_at is not None
    assert applied.content is None  # the upload is not kept once applied
    pupil = Pupil.objects.get(upn=_upn(1))
    assert (pupil.school, pupil.mis_id, pupil.date_of_birth) == (
        world.a.school,
        "00001",
        dt.date(2016, 3, 14),
    )
    actions = set(AuditEvent.objects.filter(target_id=str(record.pk)).values_list("action", flat=True))
    assert {"import.upload", "import.apply"} <= actions


def test_it_is_idempotent_and_recognises_the_same_file_twice(world):
    admin = world.a.admin
    data = HEADER + _pupil_row(1) + _pupil_row(2, forename="Bea")
    first = _upload(admin, data)
    import_apply(actor=actor_for(admin), record_id=first.pk)
    second = _upload(admin, data)
    preview = import_preview(actor=actor_for(admin), record=second)
    assert preview.same_file_before == first
    again = import_apply(actor=actor_for(admin), record_id=second.pk)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Pupil.objects.filter(school=world.a.school, upn__in=[_upn(1), _upn(2)]).count() == 2


def test_it_updates_a_pupil_matched_by_upn_and_counts_the_change(world):
    admin = world.a.admin
    import_apply(actor=actor_for(admin), record_id=_upload(admin, HEADER + _pupil_row(1)).pk)
    changed = _upload(admin, HEADER + _pupil_row(1, surname="Okafor-Smith"))
    applied = import_apply(actor=actor_for(admin), record_id=changed.pk)
    assert (applied.created, applied.updated) == (0, 1)
    assert Pupil.objects.get(upn=_upn(1)).legal_surname == "Okafor-Smith"


def test_it_keeps_names_with_accents_apostrophes_and_other_scripts_exactly(world):
    names = ["Zoë", "O'Brien", "Łukasz", "محمد", "王芳", "Siân-Nia"]
    rows = "".join(_pupil_row(i, surname=name) for i, name in enumerate(names, start=1))
    record = _upload(world.a.admin, HEADER + rows)
    assert _messages(world.a.admin, record) == []
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    stored = set(
        Pupil.objects.filter(upn__in=[_upn(i) for i in range(1, 7)]).values_list("legal_surname", flat=True)
    )
    assert stored == set(names)


def test_it_takes_invisible_formatting_characters_out_of_names_with_a_warning(world):
    # A right-to-left override would show "Okafor" reversed; a zero-width space splits a name invisibly;
    # the Persian name keeps the zero-width non-joiner it is spelt with.
    rows = (
        _pupil_row(1, surname="\u202eOkafor\u202c")
        + _pupil_row(2, surname="Oka\u200bfor")
        + _pupil_row(3, surname=PERSIAN)
        + _pupil_row(4, surname="\u200f\u200b")
    )
    record = _upload(world.a.admin, HEADER + rows)
    messages = _messages(world.a.admin, record)
    assert (
        "2:Legal surname:W:Legal surname contained invisible formatting characters (U+202E, U+202C), "
        "which can make one name look like another; Tandem removes them." in messages
    )
    assert any(m.startswith("3:Legal surname:W:") and "U+200B" in m for m in messages)
    assert not any(m.startswith("4:") for m in messages)
    only_invisible = "Legal surname has only invisible formatting characters (U+200F, U+200B)."
    assert f"5:Legal surname:E:{only_invisible}" in messages
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk, skip_errors=True)
    stored = dict(
        Pupil.objects.filter(upn__in=[_upn(i) for i in (1, 2, 3, 4)]).values_list("upn", "legal_surname")
    )
    assert stored == {_upn(1): "Okafor", _upn(2): "Okafor", _upn(3): PERSIAN}


def test_it_reads_windows_1252_from_excel_with_a_warning_and_the_right_letters(world):
    data = (HEADER + _pupil_row(1, surname="Zoë", forename="Siân")).encode("cp1252")
    record = _upload(world.a.admin, data)
    preview = import_preview(actor=actor_for(world.a.admin), record=record)
    assert any("Windows-1252" in n for n in preview.file_notices)
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert Pupil.objects.get(upn=_upn(1)).legal_surname == "Zoë"


def test_it_reads_utf8_with_a_byte_order_mark_and_semicolons(world):
    data = "\ufeff" + (HEADER + _pupil_row(1)).replace(",", ";")
    record = _upload(world.a.admin, data.encode("utf-8"))
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert Pupil.objects.filter(upn=_upn(1), legal_forename="Ada").exists()


def test_it_keeps_formula_looking_names_as_text_with_a_warning(world):
    record = _upload(world.a.admin, HEADER + _pupil_row(1, surname="=HYPERLINK(1)"))
    assert any("formula" in m and ":W:" in m for m in _messages(world.a.admin, record))
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert Pupil.objects.get(upn=_upn(1)).legal_surname == "=HYPERLINK(1)"


def test_it_keeps_html_in_names_as_text_with_a_warning_and_never_renders_it(world, client):
    record = _upload(world.a.admin, HEADER + _pupil_row(1, surname="<b>Bold</b>"))
    assert any("'<' or '>'" in m for m in _messages(world.a.admin, record))
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    pupil = Pupil.objects.get(upn=_upn(1))
    assert pupil.legal_surname == "<b>Bold</b>"
    client.force_login(world.a.admin)
    page = client.get(reverse("pupil_detail", args=[pupil.pk])).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page and "<b>Bold</b>" not in page


def test_it_reads_an_excel_date_serial_with_a_warning(world):
    record = _upload(world.a.admin, HEADER + _pupil_row(1, dob="42443"))
    assert any("Excel day number" in m and "14/03/2016" in m for m in _messages(world.a.admin, record))
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert Pupil.objects.get(upn=_upn(1)).date_of_birth == dt.date(2016, 3, 14)


def test_it_keeps_a_upn_with_a_wrong_check_letter_exactly_and_warns(world):
    wrong = "W" + _upn(1)[1:] if _upn(1)[0] != "W" else "X" + _upn(1)[1:]
    record = _upload(world.a.admin, HEADER + _pupil_row(1).replace(_upn(1), wrong))
    assert any("check letter" in m and ":W:" in m for m in _messages(world.a.admin, record))
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert Pupil.objects.filter(upn=wrong).exists()


def test_it_reads_a_quoted_name_with_a_comma(world):
    data = HEADER + f'{_upn(1)},00001,"Smith, Jones",Ada,14/03/2016,F,4\n'
    import_apply(actor=actor_for(world.a.admin), record_id=_upload(world.a.admin, data).pk)
    assert Pupil.objects.get(upn=_upn(1)).legal_surname == "Smith, Jones"


def test_it_keeps_only_the_base_of_a_file_name_with_a_path(world):
    record = _upload(world.a.admin, HEADER + _pupil_row(1), name="../../etc/C:\\Users\\x\\roll.csv")
    assert record.file_name == "roll.csv"


def test_it_never_merges_a_upn_held_at_another_school_and_never_mentions_it(world):
    other = world.b.taught_pupil
    record = _upload(world.a.admin, HEADER + _pupil_row(1).replace(_upn(1), other.upn))
    assert _messages(world.a.admin, record) == []
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    here = Pupil.objects.get(school=world.a.school, upn=other.upn)
    assert here.pk != other.pk
    other.refresh_from_db()
    assert other.school == world.b.school and other.legal_forename != "Ada"


# ------------------------------------------------------------------------------- files refused whole


def test_it_refuses_an_empty_file(world):
    assert_file_refused(world.a.admin, b"", "The file is empty.")


def test_it_refuses_a_header_with_no_rows(world):
    assert_file_refused(world.a.admin, HEADER, "header row but no rows of data")


def test_it_refuses_unbalanced_quotes_naming_the_line(world):
    data = HEADER + _pupil_row(1) + f'{_upn(2)},00002,"Okafor,Ada,14/03/2016,F,4\n' + _pupil_row(3)
    assert_file_refused(world.a.admin, data, "line 3")


def test_it_refuses_a_pdf_named_csv(world):
    assert_file_refused(world.a.admin, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "not a spreadsheet or CSV")


def test_it_refuses_an_oversized_file(world):
    big = HEADER + _pupil_row(1) * (21 * 1024 * 1024 // len(_pupil_row(1)) + 1)
    assert_file_refused(world.a.admin, big, "MB")


def test_it_refuses_an_oversized_cell_without_quoting_it(world):
    data = HEADER + _pupil_row(1, surname="A" * 5000)
    assert_file_refused(world.a.admin, data, "line 2")


def test_it_refuses_bytes_that_are_not_text_in_any_encoding_excel_uses(world):
    data = (HEADER + _pupil_row(1)).encode() + b"\x81\x8d\x90"
    assert_file_refused(world.a.admin, data, "line 3 has a byte (0x81) that is not a character")


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_it_refuses_a_macro_enabled_workbook(world):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/vbaProject.bin", b"\x00" * 64)
    assert_file_refused(world.a.admin, data.getvalue(), "macros", name="roll.xlsm")


def test_it_refuses_a_zip_bomb_workbook(world):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (250 * 1024 * 1024))
    assert_file_refused(world.a.admin, data.getvalue(), "expands", name="roll.xlsx")


def test_it_refuses_xml_uploaded_as_a_spreadsheet(world):
    assert_file_refused(world.a.admin, "<?xml version='1.0'?><CTfile/>", "This file is XML")


def test_it_refuses_an_xml_entity_attack_in_a_ctf(world):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        "<CTfile><Header><CTFversion>&lol2;</CTFversion></Header></CTfile>"
    )
    assert_file_refused(world.a.senco, bomb, "refuses for safety", kind="ctf", name="bomb.xml")


def test_it_refuses_a_csv_uploaded_as_a_ctf(world):
    assert_file_refused(world.a.senco, HEADER + _pupil_row(1), "it is not XML", kind="ctf", name="roll.xml")


# ------------------------------------------------------------------------------- rows refused


def test_it_refuses_a_missing_required_column_until_one_is_chosen(world):
    data = "UPN,Surname,Forename,Birthday,Gender,Year\n" + f"{_upn(1)},Okafor,Ada,14/03/2016,F,4\n"
    record = _upload(world.a.admin, data)
    preview = import_preview(actor=actor_for(world.a.admin), record=record)
    assert preview.plan is None
    assert [p.message for p in preview.match.problems] == ["No column gives Date of birth: choose one below."]
    with pytest.raises(ValidationError, match="Choose the columns first"):
        import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert not Pupil.objects.filter(upn=_upn(1)).exists()
    import_set_columns(actor=actor_for(world.a.admin), record=record, columns={"dob": "Birthday"})
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert Pupil.objects.filter(upn=_upn(1)).exists()
    # ...and the choice is remembered for the next file with the same headers.
    again = _upload(world.a.admin, data.replace("Okafor", "Okafor-Smith"))
    assert import_preview(actor=actor_for(world.a.admin), record=again).plan is not None


def test_it_refuses_a_duplicated_column(world):
    data = "UPN,UPN,Surname,Forename,DOB,Gender,Year\n" + f"{_upn(1)},{_upn(1)},Okafor,Ada,14/03/2016,F,4\n"
    record = _upload(world.a.admin, data)
    preview = import_preview(actor=actor_for(world.a.admin), record=record)
    assert preview.plan is None
    assert "appears more than once (columns 1 and 2)" in preview.match.problems[0].message


@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ("31/02/2016", "not a real date"),
        ("03/04/16", "two-digit year"),
        ("12/25/2015", "American"),
        ("14/03/2099", "in the future"),
        ("next tuesday", "not a date Tandem can read"),
    ],
)
def test_it_refuses_impossible_ambiguous_and_future_dates(world, dob, message):
    assert_row_refused(world.a.admin, HEADER + _pupil_row(1, dob=dob), message)


def test_it_refuses_a_upn_repeated_in_the_file(world):
    found = assert_row_refused(world.a.admin, HEADER + _pupil_row(1) + _pupil_row(1), "is also on line 2")
    assert found[0].startswith("3:UPN")


def test_it_refuses_a_malformed_upn(world):
    assert_row_refused(
        world.a.admin, HEADER + _pupil_row(1).replace(_upn(1), _upn(1) + "99"), "longer than 13"
    )


def test_it_refuses_an_over_long_name_with_its_limit(world):
    assert_row_refused(
        world.a.admin,
        HEADER + _pupil_row(1, surname="Okafor" * 20),
        "Legal surname is longer than 100 characters",
    )


def test_it_refuses_a_row_with_no_upn_or_mis_id(world):
    assert_row_refused(world.a.admin, HEADER + ",,Okafor,Ada,14/03/2016,F,4\n", "UPN or an MIS id")


def test_it_refuses_an_unknown_sex_and_year_x(world):
    found = assert_row_refused(world.a.admin, HEADER + _pupil_row(1).replace(",F,4", ",Q,X"), "not M, F")
    assert any("Year group X" in m for m in found)


def test_it_refuses_a_name_over_several_lines(world):
    data = HEADER + f'{_upn(1)},00001,"Oka\nfor",Ada,14/03/2016,F,4\n'
    assert_row_refused(world.a.admin, data, "more than one line")


def test_it_leaves_out_rows_with_errors_only_when_asked_and_lists_them(world):
    data = HEADER + _pupil_row(1) + _pupil_row(2, dob="31/02/2016") + _pupil_row(3)
    record = _upload(world.a.admin, data)
    applied = import_apply(actor=actor_for(world.a.admin), record_id=record.pk, skip_errors=True)
    assert applied.created == 2
    assert applied.skipped == [
        {
            "line": 3,
            "messages": [
                "Date of birth: Date of birth '31/02/2016' is not a real date (check the day and month)."
            ],
        }
    ]
    assert not Pupil.objects.filter(upn=_upn(2)).exists()


# ------------------------------------------------------------------------------- SEN status and needs

SEN_HEADER = "UPN,SEN Status,Start Date,Primary Need,Secondary Need\n"


def test_it_imports_sen_status_closing_the_current_period(world):
    pupil = world.a.taught_pupil  # K with SLCN
    start = (timezone.localdate() - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    record = _upload(world.a.senco, SEN_HEADER + f"{pupil.upn},E,{start},ASD,\n", kind="sen")
    applied = import_apply(actor=actor_for(world.a.senco), record_id=record.pk)
    assert applied.updated == 1
    periods = list(SenStatusPeriod.objects.filter(pupil=pupil).order_by("starts_on"))
    assert [p.provision for p in periods] == ["K", "E"]
    assert periods[0].ends_on == timezone.localdate() - dt.timedelta(days=11) and periods[1].ends_on is None
    assert list(
        SenNeed.objects.filter(pupil=pupil, ends_on__isnull=True).values_list("need_type", flat=True)
    ) == ["ASD"]
    again = _upload(world.a.senco, SEN_HEADER + f"{pupil.upn},E,{start},ASD,\n", kind="sen")
    assert import_apply(actor=actor_for(world.a.senco), record_id=again.pk).unchanged == 1


def test_it_refuses_unknown_and_legacy_sen_codes(world):
    pupil = world.a.taught_pupil
    found = assert_row_refused(
        world.a.senco,
        SEN_HEADER + f"{pupil.upn},K,,DYSLEXIA,\n{world.a.ehc_pupil.upn},S,,,\n",
        "DYSLEXIA",
        kind="sen",
    )
    assert any("before 2014" in m for m in found)


def test_it_refuses_a_sen_row_for_a_pupil_it_cannot_find_without_saying_more(world):
    other = world.b.taught_pupil
    found = assert_row_refused(
        world.a.senco, SEN_HEADER + f"{other.upn},K,,SLCN,\n", "No pupil at this school", kind="sen"
    )
    assert all(other.legal_surname not in m for m in found)


def test_it_lets_only_the_senco_import_sen_status(world):
    with pytest.raises(ValidationError, match="Only the SENCo"):
        _upload(world.a.admin, SEN_HEADER + f"{world.a.taught_pupil.upn},E,,ASD,\n", kind="sen")
    for persona in (world.a.teacher, world.a.ta, world.a.head):
        with pytest.raises(ValidationError, match="Only the school admin or the SENCo"):
            _upload(persona, HEADER + _pupil_row(1))


# ------------------------------------------------------------------------------- results

RESULTS_HEADER = "UPN,Subject,Date,Result\n"


def test_it_imports_results_into_the_window_their_date_falls_in(world):
    pupil = world.a.taught_pupil
    window = f.make_window(school=world.a.school, start_year=2024, term="spring")
    data = RESULTS_HEADER + f"{pupil.upn},Reading,10/03/2025,97\n{pupil.upn},maths,10/03/2025,104\n"
    record = _upload(world.a.admin, data, kind="assessments", name="marks.csv")
    applied = import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert applied.created == 2
    results = {a.subject_id: (a.points, a.window_id) for a in Assessment.objects.filter(pupil=pupil)}
    assert results == {"reading": (97.0, window.pk), "maths": (104.0, window.pk)}


def test_it_adds_the_term_window_when_the_school_has_none(world):
    pupil = world.a.taught_pupil
    record = _upload(
        world.a.admin, RESULTS_HEADER + f"{pupil.upn},reading,20/11/2024,99\n", kind="assessments"
    )
    preview = import_preview(actor=actor_for(world.a.admin), record=record)
    assert "A new assessment window, Autumn 2024/25, will be added for these results." in preview.file_notices
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert Assessment.objects.get(pupil=pupil).window.term == "autumn"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{upn},Geography of Mars,10/03/2025,97", "is not one Tandem knows"),
        ("{upn},reading,10/03/2025,171", "outside the"),
        ("{upn},reading,10/03/2025,ninety", "is not a number"),
        ("X000000000000,reading,10/03/2025,97", "No pupil at this school"),
        ("{upn},reading,10/03/2099,97", "in the future"),
    ],
)
def test_it_refuses_bad_results(world, row, message):
    data = RESULTS_HEADER + row.format(upn=world.a.taught_pupil.upn) + "\n"
    assert_row_refused(world.a.admin, data, message, kind="assessments")


def test_it_refuses_a_result_given_twice_for_the_same_window(world):
    upn = world.a.taught_pupil.upn
    data = RESULTS_HEADER + f"{upn},reading,10/03/2025,97\n{upn},reading,12/03/2025,99\n"
    assert_row_refused(world.a.admin, data, "Line 2 already has", kind="assessments")


def test_it_treats_an_empty_result_as_no_result_not_zero(world):
    record = _upload(
        world.a.admin,
        RESULTS_HEADER + f"{world.a.taught_pupil.upn},reading,10/03/2025,\n",
        kind="assessments",
    )
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert not Assessment.objects.filter(pupil=world.a.taught_pupil).exists()


# ------------------------------------------------------------------------------- fault tolerance


def _fail_on_insert_number(n: int) -> None:
    """A real database refusal: a trigger that aborts the n-th pupil insert."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION tandem_test_fail() RETURNS trigger AS $$
                BEGIN
                  IF (SELECT count(*) FROM people_pupil WHERE legal_surname LIKE 'Fault%%') >= {n - 1} THEN
                    RAISE EXCEPTION 'injected failure';
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER tandem_test_fail BEFORE INSERT ON people_pupil
                  FOR EACH ROW EXECUTE FUNCTION tandem_test_fail();
                """  # noqa: S608 (n is an int from the test)
            )
        else:
            cursor.execute(
                f"""
                CREATE TRIGGER tandem_test_fail BEFORE INSERT ON people_pupil
                WHEN (SELECT count(*) FROM people_pupil WHERE legal_surname LIKE 'Fault%') >= {n - 1}
                BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
                """  # noqa: S608 (n is an int from the test)
            )


def _drop_fault() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER IF EXISTS tandem_test_fail"
            + (" ON people_pupil" if connection.vendor == "postgresql" else "")
        )


def test_it_writes_nothing_when_the_database_fails_mid_apply_and_a_retry_writes_each_row_once(world):
    rows = "".join(_pupil_row(i, surname=f"Fault{i}") for i in range(1, 2001))
    record = _upload(world.a.admin, HEADER + rows)
    _fail_on_insert_number(1000)
    with pytest.raises(ImportFailed):
        import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert Pupil.objects.filter(legal_surname__startswith="Fault").count() == 0
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED and "nothing was changed" in record.failure
    assert AuditEvent.objects.filter(action="import.apply_failed", target_id=str(record.pk)).count() == 1
    _drop_fault()
    applied = import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert applied.status == ImportStatus.APPLIED and applied.created == 2000
    assert Pupil.objects.filter(legal_surname__startswith="Fault").count() == 2000
    assert Pupil.objects.filter(legal_surname__startswith="Fault").values("upn").distinct().count() == 2000


def test_it_keeps_sen_imports_out_of_the_school_admins_sight(world, client):
    record = _upload(world.a.senco, SEN_HEADER + f"{world.a.taught_pupil.upn},E,,ASD,\n", kind="sen")
    client.force_login(world.a.admin)
    assert client.get(reverse("import_detail", args=[record.pk])).status_code == 404
    assert record.file_name not in client.get(reverse("import_list")).content.decode()
    client.force_login(world.a.head)
    assert client.get(reverse("import_detail", args=[record.pk])).status_code == 200


def test_it_gives_a_upn_to_a_pupil_on_record_without_one_matched_by_mis_id(world):
    pupil = f.make_pupil(school=world.a.school, forename="Ada", surname="Okafor", upn="", mis_id="00001")
    record = _upload(world.a.admin, HEADER + _pupil_row(1))
    applied = import_apply(actor=actor_for(world.a.admin), record_id=record.pk)
    assert (applied.created, applied.updated) == (0, 1)
    pupil.refresh_from_db()
    assert pupil.upn == _upn(1)


def test_it_asks_for_a_file_and_its_kind_on_an_empty_upload(world, client):
    client.force_login(world.a.admin)
    response = client.post(reverse("import_list"), {})
    assert response.status_code == 400
    assert (
        b"Choose what the file contains." in response.content
        and b"Choose a file to upload." in response.content
    )


def test_it_refuses_an_unknown_default_scale(world):
    data = RESULTS_HEADER + f"{world.a.taught_pupil.upn},reading,10/03/2025,97\n"
    with pytest.raises(ValidationError, match="There is no scale 'nope'"):
        _upload(world.a.admin, data, kind="assessments", default_scale="nope")
    assert not ImportRecord.objects.exists()


def test_it_tells_what_an_upload_holds_from_its_columns_when_asked(world, client):
    record = _upload(world.a.admin, HEADER + _pupil_row(1), kind="guess")
    assert record.kind == "pupils"
    ctf = '<?xml version="1.0"?><CTfile><Header><CTFversion>25.0</CTFversion></Header></CTfile>'
    with pytest.raises(ValidationError, match="Only the school admin or the SENCo"):
        _upload(world.a.teacher, ctf, kind="guess", name="in.xml")
    client.force_login(world.a.admin)
    unclear = io.BytesIO(b"Colour,Size\nred,9\n")
    unclear.name = "unclear.csv"
    response = client.post(
        reverse("import_list"), {"kind": "guess", "file": unclear, "default_scale": "standardised"}
    )
    assert response.status_code == 400
    assert b"Tandem cannot tell from its columns what this file contains: choose it." in response.content


def test_it_matches_a_row_without_upn_or_mis_id_by_name_and_birth_date_with_a_warning(world):
    pupil = world.a.taught_pupil
    dob = pupil.date_of_birth.strftime("%d/%m/%Y")
    header = "Surname,Forename,DOB,Subject,Date,Result\n"
    data = (
        header
        + f"{pupil.legal_surname.upper()},{pupil.legal_forename},{dob},reading,10/03/2025,97\n"
        + f"Nobody,Known,{dob},reading,10/03/2025,97\n"
    )
    record = _upload(world.a.admin, data, kind="assessments")
    issues = [
        (i.line, i.is_error, i.message)
        for i in import_preview(actor=actor_for(world.a.admin), record=record).plan.issues
    ]
    assert issues == [
        (
            2,
            False,
            "Matched by name and date of birth, as the row has no UPN or MIS id: "
            "check it is the right pupil.",
        ),
        (
            3,
            True,
            "No pupil at this school has this name and date of birth, and the row has no UPN or MIS id.",
        ),
    ]
    import_apply(actor=actor_for(world.a.admin), record_id=record.pk, skip_errors=True)
    assert Assessment.objects.get(pupil=pupil).result == "97"


# ------------------------------------------------------------------------------- unapplied uploads


def test_it_deletes_the_files_of_imports_not_applied_within_7_days(world, client):
    from tandem.exchange.jobs import HOUSEKEEPING_JOB
    from tandem.exchange.services import EXPIRED_UPLOAD
    from tandem.jobs.models import Job
    from tandem.jobs.services import job_enqueue, job_run

    admin = world.a.admin
    old = _upload(admin, HEADER + _pupil_row(1))
    applied = _upload(admin, HEADER + _pupil_row(2))
    import_apply(actor=actor_for(admin), record_id=applied.pk)
    recent = _upload(admin, HEADER + _pupil_row(3))
    eight_days_ago = timezone.now() - dt.timedelta(days=8)
    ImportRecord.objects.filter(pk__in=[old.pk, applied.pk]).update(uploaded_at=eight_days_ago)

    job = job_enqueue(kind=HOUSEKEEPING_JOB, actor=None, school_id=None)
    job_run(job_id=job.pk)
    assert Job.objects.get(pk=job.pk).outcome == (
        "Deleted 0 expired downloads and 1 uploads not applied within 7 days."
    )
    old.refresh_from_db()
    assert (old.status, old.content, old.failure) == (ImportStatus.DISCARDED, None, EXPIRED_UPLOAD)
    assert ImportRecord.objects.get(pk=recent.pk).content is not None
    assert ImportRecord.objects.get(pk=applied.pk).status == ImportStatus.APPLIED
    event = AuditEvent.objects.get(action="import.expired")
    assert (event.target_id, event.school_id, event.actor_id) == (str(old.pk), world.a.school.pk, None)
    client.force_login(admin)
    assert EXPIRED_UPLOAD in client.get(reverse("import_detail", args=[old.pk])).content.decode()
