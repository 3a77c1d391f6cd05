"""Common Transfer Files (CTF): a hardened reader, a partial-file writer and a structure check.

Pure Python, no Django: the import preview and the export view call these functions with bytes.

Reading (`parse_ctf`) follows the "warn, don't reject" rule of data-formats.md: only a file that
cannot be read at all raises `CtfRejected`, whose text is meant for a school admin. Everything
else becomes a `CtfIssue` next to the data, with the raw value kept. Issues name the pupil by
position and UPN, never by name, because they end up in logs and the log scan treats a pupil's
name as a leak. A UPN whose check letter fails is kept exactly as given; only surrounding spaces
are trimmed, and that is reported too.

The XML is parsed with defusedxml with document type declarations forbidden, so entity
expansion ("billion laughs"), external entities and external DTDs are refused before any of
them can be resolved. A CTF never needs a DTD.

Writing (`write_ctf`) produces a *partial* CTF as DfE's own services do: the header, and per
pupil the identity fields plus SENhistory and/or StageAssessments. Legacy codes are refused
rather than exported, and the output is checked with `check_ctf_structure` before it is returned.

Structure (`check_ctf_structure`) is Tandem's own encoding, in the `_STRUCTURE` table below, of
the published CTF structure summarised in data-formats.md §1.3: the elements Tandem reads and
writes, their order, which are required, which exist only in some versions (Gender up to CTF 24,
Sex from CTF 25) and the format of dates, the version and the qualifier. It is NOT the DfE XSD,
which we cannot fetch here; containers Tandem never reads (BasicDetails, Address, Contacts, ...)
are checked for position only. DfE's files always carry a DestSchool; the summary leaves its
optionality unclear, so it is treated as optional, matching `write_ctf(dest=None)`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from xml.etree.ElementTree import Element, ParseError, SubElement, indent, tostring

import defusedxml
from defusedxml import ElementTree as SafeElementTree

from tandem.lib.upn import UNKNOWN_MARKERS, check_upn

CURRENT_CTF_VERSION = 25
PREVIOUS_CTF_VERSION = CURRENT_CTF_VERSION - 1
# The oldest version write_ctf will label a file with; older layouts were never checked against.
OLDEST_WRITABLE_VERSION = 19
# Sex replaced Gender in this version (Capita's notes: "CTF 25 only uses the Sex tag not Gender").
SEX_ELEMENT_FROM_VERSION = 25

DOCUMENT_NAME = "Common Transfer File"
QUALIFIERS = frozenset({"full", "partial"})
SEXES = frozenset({"M", "F"})

# Code sets as the census publishes them. They are plain data so a new census year is a one-line change.
CURRENT_SEN_PROVISION = frozenset({"N", "K", "E"})
LEGACY_SEN_PROVISION = frozenset({"S", "A", "P"})
CURRENT_SEN_TYPES = frozenset(
    {"SLCN", "ASD", "SPLD", "MLD", "SLD", "PMLD", "SEMH", "HI", "VI", "MSI", "PD", "OTH", "NSA"}
)
LEGACY_SEN_TYPES = frozenset({"BESD"})

# Dates are yyyy-mm-dd; some writers append a time part, which carries no meaning for a date.
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_STRICT_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$")
_VERSION = re.compile(r"^(\d{1,2})(?:\.(\d+))?$")
_STRICT_VERSION = re.compile(r"^\d{2}\.0$")
_PLACEHOLDER = re.compile(r"^[XML]+$")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class CtfRejected(Exception):
    """The file cannot be read at all; str(exc) is a plain-English message for a school admin."""


@dataclass(frozen=True, slots=True)
class CtfIssue:
    pupil: int | None  # 1-based position of the pupil in the file, None for the header
    upn: str  # the pupil's UPN as recorded, "" if none
    field: str
    raw: str
    message: str


@dataclass(frozen=True, slots=True)
class CtfSchool:
    # Kept as text: DfE's own services write placeholders such as XXX.
    lea: str
    estab: str
    urn: str
    name: str = ""
    academic_year: str = ""


@dataclass(frozen=True, slots=True)
class CtfHeader:
    version: str
    version_number: int | None
    qualifier: str
    date_time: str
    supplier_id: str
    source: CtfSchool
    dest: CtfSchool | None

    @property
    def is_partial(self) -> bool:
        """Anything but an explicit "full" is treated as partial, so a missing container never deletes."""
        return self.qualifier.lower() != "full"


@dataclass(frozen=True, slots=True)
class CtfSenPeriod:
    provision: str
    starts_on: date | None
    ends_on: date | None
    raw_start: str = ""
    raw_end: str = ""

    @property
    def is_open(self) -> bool:
        # An end date that could not be read still says the period ended.
        return self.ends_on is None and not self.raw_end


@dataclass(frozen=True, slots=True)
class CtfNeed:
    need_type: str
    rank: int | None
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True, slots=True)
class CtfStageAssessment:
    stage: str
    locale: str
    year: str
    subject: str
    method: str
    component: str
    result_status: str
    result_qualifier: str
    result: str
    result_date: date | None = None
    raw_result_date: str = ""
    enclosing_stage: str = ""


@dataclass(frozen=True, slots=True)
class CtfPupil:
    upn: str
    surname: str
    forename: str
    dob: date | None
    sex: str  # "M", "F" or "" when missing or not one of those
    dob_raw: str = ""
    former_upn: str = ""
    preferred_surname: str = ""
    preferred_forename: str = ""
    nc_year: str = ""
    has_sen_history: bool = False  # a partial file without SENhistory says nothing about SEN
    sen_periods: tuple[CtfSenPeriod, ...] = ()
    needs: tuple[CtfNeed, ...] = ()
    has_assessments: bool = False
    assessments: tuple[CtfStageAssessment, ...] = ()

    def period_for(self, need: CtfNeed) -> CtfSenPeriod | None:
        """The SEN period a need belongs to: the one covering its start date, else the open one.

        Needs are not nested in periods in a CTF (data-formats.md §1.4), so this is a best guess.
        """
        if need.starts_on is not None:
            for period in self.sen_periods:
                starts, ends = period.starts_on, period.ends_on
                if (
                    starts is not None
                    and starts <= need.starts_on
                    and (ends is None or need.starts_on <= ends)
                ):
                    return period
        open_periods = [p for p in self.sen_periods if p.is_open]
        return open_periods[-1] if open_periods else None


@dataclass(frozen=True, slots=True)
class CtfFile:
    header: CtfHeader
    pupils: tuple[CtfPupil, ...]
    issues: tuple[CtfIssue, ...]


# ---------------------------------------------------------------------------------------------- loading


def _load(data: bytes) -> tuple[Element, bool]:
    """The root element, and whether the file used a namespace (a CTF has none).

    Every refusal is a sentence for an admin.
    """
    if not data or not data.strip():
        raise CtfRejected("This file is empty, so it is not a Common Transfer File.")
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        raise CtfRejected(
            "This file is not a Common Transfer File: it is a zip or Excel file, not XML. "
            "Export the CTF from your MIS as an .xml file."
        )
    if head.startswith(b"%PDF"):
        raise CtfRejected("This file is not a Common Transfer File: it is a PDF, not XML.")
    try:
        root: Element = SafeElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DTDForbidden as exc:
        if b"<!ENTITY" in data:
            raise CtfRejected(
                "This file uses XML entity declarations, which Tandem refuses for safety. "
                "A Common Transfer File never needs them."
            ) from None
        if exc.sysid or exc.pubid:
            raise CtfRejected(
                "This file points to an outside document type definition (DTD), which Tandem refuses "
                "for safety. A Common Transfer File never needs one."
            ) from None
        raise CtfRejected(
            "This file contains a document type declaration (DTD), which Tandem refuses for safety. "
            "A Common Transfer File never needs one."
        ) from None
    except defusedxml.EntitiesForbidden:
        raise CtfRejected(
            "This file uses XML entity declarations, which Tandem refuses for safety. "
            "A Common Transfer File never needs them."
        ) from None
    except defusedxml.ExternalReferenceForbidden:
        raise CtfRejected(
            "This file refers to outside files or web addresses, which Tandem refuses for safety."
        ) from None
    except defusedxml.DefusedXmlException:
        raise CtfRejected("This file uses XML features that Tandem refuses for safety.") from None
    except ParseError as exc:
        if data.lstrip().startswith((b"<", b"\xef\xbb\xbf<", b"\xff\xfe", b"\xfe\xff")):
            line, column = exc.position
            raise CtfRejected(
                "This file looks like XML but is broken "
                f"(line {line}, column {column + 1}), so it cannot be read. "
                "It may have been cut short or edited by hand; export it again from your MIS."
            ) from None
        raise CtfRejected("This file is not a Common Transfer File: it is not XML.") from None

    namespaced = root.tag.startswith("{")
    if namespaced:
        # No namespace is defined for CTF; a writer that adds one still means the same elements.
        for element in root.iter():
            if isinstance(element.tag, str) and element.tag.startswith("{"):
                element.tag = element.tag.rpartition("}")[2]
    if root.tag == "ATfile":
        raise CtfRejected(
            "This is an admissions transfer file (ATF), not a Common Transfer File. "
            "Tandem imports CTFs; ask the sending school or your MIS for the CTF."
        )
    if root.tag != "CTfile":
        raise CtfRejected(
            f"This file is not a Common Transfer File: its top element is <{root.tag[:40]}>, not <CTfile>."
        )
    return root, namespaced


def _parse_version(raw: str) -> tuple[int, bool] | None:
    """(version number, written exactly as NN.0) or None when it is not a version at all."""
    match = _VERSION.match(raw)
    if not match:
        return None
    return int(match.group(1)), match.group(2) == "0" and len(raw.split(".")[0]) == 2


# ---------------------------------------------------------------------------------------------- reading


def _text(element: Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return element.text.strip()


def _children(element: Element) -> dict[str, Element]:
    """First child of each name; later duplicates are ignored, as an MIS would."""
    found: dict[str, Element] = {}
    for child in element:
        found.setdefault(child.tag, child)
    return found


def _parse_date(raw: str) -> date | None:
    match = _DATE.match(raw)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


class _Reader:
    """Collects issues while turning elements into records, so each helper can warn in one line."""

    def __init__(self) -> None:
        self.issues: list[CtfIssue] = []

    def warn(self, pupil: int | None, upn: str, field: str, raw: str, message: str) -> None:
        self.issues.append(CtfIssue(pupil, upn, field, raw, message))

    # -------------------------------------------------------------------------------- header

    def header(self, root: Element) -> CtfHeader:
        header = root.find("Header")
        if header is None:
            raise CtfRejected("This file has no Header, so Tandem cannot tell which CTF version it is.")
        fields = _children(header)
        version = _text(fields.get("CTFversion"))
        if not version:
            raise CtfRejected("This file's header has no CTF version (CTFversion), so it cannot be read.")
        parsed = _parse_version(version)
        if parsed is None:
            raise CtfRejected(
                f"This file's CTF version '{version[:20]}' is not a version number such as "
                f"{CURRENT_CTF_VERSION}.0, so it cannot be read."
            )
        number, exact = parsed
        if not exact:
            self.warn(
                None,
                "",
                "Header/CTFversion",
                version,
                f"The CTF version is written as '{version}' rather than in the form {number:02d}.0.",
            )
        expected = f"{PREVIOUS_CTF_VERSION}.0 and {CURRENT_CTF_VERSION}.0"
        if number < PREVIOUS_CTF_VERSION:
            self.warn(
                None,
                "",
                "Header/CTFversion",
                version,
                f"CTF version {number}.0 is older than the versions Tandem expects ({expected}); "
                "some data may not import.",
            )
        elif number > CURRENT_CTF_VERSION:
            self.warn(
                None,
                "",
                "Header/CTFversion",
                version,
                f"CTF version {number}.0 is newer than the versions Tandem expects ({expected}); "
                "some data may not import.",
            )

        qualifier = _text(fields.get("DocumentQualifier"))
        if qualifier.lower() not in QUALIFIERS:
            self.warn(
                None,
                "",
                "Header/DocumentQualifier",
                qualifier,
                "The header does not say whether this is a full or a partial file; "
                "it is treated as partial, so nothing missing from it is deleted."
                if not qualifier
                else f"The document qualifier '{qualifier}' is neither 'full' nor 'partial'; "
                "it is treated as partial, so nothing missing from it is deleted.",
            )

        date_time = _text(fields.get("DateTime"))
        if not _valid_date_time(date_time):
            self.warn(
                None,
                "",
                "Header/DateTime",
                date_time,
                "The header has no date and time of writing."
                if not date_time
                else f"The header's date and time '{date_time}' is not in the form yyyy-mm-ddThh:mm:ss.",
            )

        source_element = fields.get("SourceSchool")
        if source_element is None:
            self.warn(
                None, "", "Header/SourceSchool", "", "The header does not say which school sent the file."
            )
            source = CtfSchool("", "", "")
        else:
            source = self.school(source_element, "SourceSchool", "sending school", urn_required=True)
        dest_element = fields.get("DestSchool")
        dest = (
            None
            if dest_element is None
            else self.school(dest_element, "DestSchool", "receiving school", urn_required=False)
        )
        return CtfHeader(
            version=version,
            version_number=number,
            qualifier=qualifier,
            date_time=date_time,
            supplier_id=_text(fields.get("SupplierID")),
            source=source,
            dest=dest,
        )

    def school(self, element: Element, where: str, who: str, *, urn_required: bool) -> CtfSchool:
        fields = _children(element)
        values: dict[str, str] = {}
        for name, digits, required in (("LEA", 3, True), ("Estab", 4, True), ("URN", 6, urn_required)):
            raw = _text(fields.get(name))
            values[name] = raw
            field = f"Header/{where}/{name}"
            if not raw:
                if required or name in fields:
                    self.warn(None, "", field, raw, f"The {who}'s {name} is missing.")
            elif _PLACEHOLDER.match(raw):
                self.warn(
                    None, "", field, raw, f"The {who}'s {name} is a placeholder ({raw}), not a real number."
                )
            elif not (raw.isascii() and raw.isdigit() and len(raw) == digits):
                self.warn(None, "", field, raw, f"The {who}'s {name} '{raw}' is not a {digits}-digit number.")
        return CtfSchool(
            lea=values["LEA"],
            estab=values["Estab"],
            urn=values["URN"],
            name=_text(fields.get("SchoolName")),
            academic_year=_text(fields.get("AcademicYear")),
        )

    # -------------------------------------------------------------------------------- pupils

    def upn(
        self, element: Element | None, position: int, field: str, label: str, owner: str
    ) -> tuple[str, str]:
        """(UPN to record, UPN as given after trimming); warnings are labelled with `owner`."""
        raw = (element.text or "") if element is not None else ""
        given = raw.strip()
        if not given:
            return "", ""
        if given != raw:
            message = f"The {label} had spaces before or after it; they were removed."
            self.warn(position, owner, field, raw, message)
        if given in UNKNOWN_MARKERS:
            message = f"The {label} '{given}' means the UPN is not known, so no {label} was recorded."
            self.warn(position, owner, field, given, message)
            return "", given
        checked = check_upn(given)
        if not checked.valid:
            message = (
                f"The {label} does not pass the DfE check: {checked.reason} It was kept exactly as given."
            )
            self.warn(position, owner, field, given, message)
        return given, given

    def date_field(
        self, raw: str, position: int, upn: str, field: str, what: str, required: bool
    ) -> date | None:
        if not raw:
            if required:
                self.warn(position, upn, field, raw, f"The {what} is missing.")
            return None
        parsed = _parse_date(raw)
        if parsed is None:
            self.warn(
                position,
                upn,
                field,
                raw,
                f"The {what} '{raw}' is not a full date in the form yyyy-mm-dd; it was kept as text only.",
            )
        return parsed

    def pupil(self, element: Element, position: int) -> CtfPupil:
        fields = _children(element)
        first_issue = len(self.issues)
        upn, given_upn = self.upn(fields.get("UPN"), position, "UPN", "UPN", "")
        # The UPN warnings were raised before the UPN was settled; label them with the recorded one.
        for i in range(first_issue, len(self.issues)):
            issue = self.issues[i]
            self.issues[i] = CtfIssue(issue.pupil, upn, issue.field, issue.raw, issue.message)
        if not given_upn:
            self.warn(
                position,
                "",
                "UPN",
                "",
                "This pupil has no UPN, so they can only be matched by name and date of birth.",
            )

        surname = _text(fields.get("Surname"))
        forename = _text(fields.get("Forename"))
        if not surname:
            self.warn(position, upn, "Surname", "", "This pupil has no surname.")
        if not forename:
            self.warn(position, upn, "Forename", "", "This pupil has no forename.")
        dob_raw = _text(fields.get("DOB"))
        dob = self.date_field(dob_raw, position, upn, "DOB", "date of birth", required=True)
        sex = self.sex(fields, position, upn)

        basic = fields.get("BasicDetails")
        basic_fields = _children(basic) if basic is not None else {}
        former_element = basic_fields.get("FormerUPN", fields.get("FormerUPN"))
        former_upn, _ = self.upn(former_element, position, "FormerUPN", "former UPN", upn)

        sen = fields.get("SENhistory")
        periods, needs = self.sen_history(sen, position, upn) if sen is not None else ((), ())
        stage_assessments = fields.get("StageAssessments")
        assessments = (
            self.assessments(stage_assessments, position, upn) if stage_assessments is not None else ()
        )
        return CtfPupil(
            upn=upn,
            surname=surname,
            forename=forename,
            dob=dob,
            sex=sex,
            dob_raw=dob_raw,
            former_upn=former_upn,
            preferred_surname=_text(basic_fields.get("PreferredSurname")),
            preferred_forename=_text(basic_fields.get("PreferredForename")),
            nc_year=_text(basic_fields.get("NCyearActual")),
            has_sen_history=sen is not None,
            sen_periods=periods,
            needs=needs,
            has_assessments=stage_assessments is not None,
            assessments=assessments,
        )

    def sex(self, fields: dict[str, Element], position: int, upn: str) -> str:
        sex_raw = _text(fields.get("Sex"))
        gender_raw = _text(fields.get("Gender"))
        raw, field = (sex_raw, "Sex") if sex_raw else (gender_raw, "Gender")
        if sex_raw and gender_raw and sex_raw.upper() != gender_raw.upper():
            self.warn(
                position,
                upn,
                "Sex",
                f"Sex={sex_raw}; Gender={gender_raw}",
                f"Sex '{sex_raw}' and Gender '{gender_raw}' disagree; Sex was kept.",
            )
        if not raw:
            self.warn(position, upn, "Sex", "", "This pupil has no Sex (or Gender) recorded.")
            return ""
        if raw.upper() not in SEXES:
            self.warn(position, upn, field, raw, f"{field} '{raw}' is not M or F, so it was not recorded.")
            return ""
        return raw.upper()

    def sen_history(
        self, history: Element, position: int, upn: str
    ) -> tuple[tuple[CtfSenPeriod, ...], tuple[CtfNeed, ...]]:
        periods: list[CtfSenPeriod] = []
        for number, element in enumerate(history.iterfind("SEN"), start=1):
            fields = _children(element)
            what = f"start date of SEN period {number}"
            raw_start = _text(fields.get("StartDate"))
            raw_end = _text(fields.get("EndDate"))
            starts_on = self.date_field(raw_start, position, upn, "StartDate", what, required=True)
            ends_on = self.date_field(
                raw_end, position, upn, "EndDate", f"end date of SEN period {number}", False
            )
            provision = _text(fields.get("SENprovision"))
            if not provision:
                self.warn(
                    position, upn, "SENprovision", "", f"SEN period {number} has no SEN provision code."
                )
            elif provision not in CURRENT_SEN_PROVISION | LEGACY_SEN_PROVISION:
                self.warn(
                    position,
                    upn,
                    "SENprovision",
                    provision,
                    f"SEN provision code '{provision}' is not one Tandem knows "
                    "(N, K or E, or the older S, A or P); it was kept as given.",
                )
            if starts_on and ends_on and ends_on < starts_on:
                self.warn(
                    position,
                    upn,
                    "EndDate",
                    raw_end,
                    f"SEN period {number} ends ({raw_end}) before it starts ({raw_start}).",
                )
            periods.append(CtfSenPeriod(provision, starts_on, ends_on, raw_start, raw_end))
        # Element order is not to be trusted; a stable sort keeps ties in file order.
        periods.sort(key=lambda p: (p.starts_on is None, p.starts_on or date.min))
        open_periods = [p for p in periods if p.is_open]
        if len(open_periods) > 1:
            self.warn(
                position,
                upn,
                "SENhistory",
                ", ".join(p.raw_start or "no start date" for p in open_periods),
                f"This pupil has {len(open_periods)} SEN periods with no end date; all were kept. "
                "Check which one is current.",
            )

        needs: list[CtfNeed] = []
        # iter, not a fixed path: some writers put SENneeds inside a SEN period.
        for number, element in enumerate(history.iter("SENneed"), start=1):
            fields = _children(element)
            need_type = _text(fields.get("SENtype"))
            if not need_type:
                self.warn(position, upn, "SENtype", "", f"SEN need {number} has no need type.")
            elif need_type not in CURRENT_SEN_TYPES | LEGACY_SEN_TYPES:
                self.warn(
                    position,
                    upn,
                    "SENtype",
                    need_type,
                    f"SEN need type '{need_type}' is not a census code; it was kept as given.",
                )
            raw_rank = _text(fields.get("SENtypeRank"))
            rank: int | None = None
            if raw_rank.isascii() and raw_rank.isdigit():
                rank = int(raw_rank)
            else:
                self.warn(
                    position,
                    upn,
                    "SENtypeRank",
                    raw_rank,
                    f"SEN need {number} has no rank (1 for the primary need, 2 for secondary)."
                    if not raw_rank
                    else f"SEN need rank '{raw_rank}' is not a whole number; no rank was recorded.",
                )
            starts_on = self.date_field(
                _text(fields.get("NeedStartDate")),
                position,
                upn,
                "NeedStartDate",
                f"start date of SEN need {number}",
                False,
            )
            ends_on = self.date_field(
                _text(fields.get("NeedEndDate")),
                position,
                upn,
                "NeedEndDate",
                f"end date of SEN need {number}",
                False,
            )
            needs.append(CtfNeed(need_type, rank, starts_on, ends_on))
        needs.sort(key=lambda n: (n.rank is None, n.rank or 0, n.starts_on is None, n.starts_on or date.min))
        return tuple(periods), tuple(needs)

    def assessments(self, container: Element, position: int, upn: str) -> tuple[CtfStageAssessment, ...]:
        found: list[CtfStageAssessment] = []
        for block in container:
            if block.tag == "KeyStage":
                enclosing = _text(block.find("Stage"))
                items: Iterable[Element] = block.iterfind("StageAssessment")
            elif block.tag == "StageAssessment":
                # Tolerated: a result written without its KeyStage block.
                enclosing, items = "", (block,)
            else:
                continue
            for element in items:
                # Built in reverse so that, as with _children, the first of a repeated element wins.
                fields = {child.tag: (child.text or "").strip() for child in reversed(element)}
                own = fields.get("Stage", "")
                number = len(found) + 1
                if own and enclosing and own != enclosing:
                    self.warn(
                        position,
                        upn,
                        "Stage",
                        own,
                        f"Assessment {number} is a {own} result filed under {enclosing}; "
                        f"it was kept as {own}, with {enclosing} noted.",
                    )
                stage = own or enclosing
                if not stage:
                    self.warn(position, upn, "Stage", "", f"Assessment {number} has no key stage.")
                raw_date = fields.get("ResultDate", "")
                result_date = self.date_field(
                    raw_date, position, upn, "ResultDate", f"result date of assessment {number}", False
                )
                found.append(
                    CtfStageAssessment(
                        stage=stage,
                        locale=fields.get("Locale", ""),
                        year=fields.get("Year", ""),
                        subject=fields.get("Subject", ""),
                        method=fields.get("Method", ""),
                        component=fields.get("Component", ""),
                        result_status=fields.get("ResultStatus", ""),
                        result_qualifier=fields.get("ResultQualifier", ""),
                        result=fields.get("Result", ""),
                        result_date=result_date,
                        raw_result_date=raw_date,
                        enclosing_stage=enclosing,
                    )
                )
        return tuple(found)


def _valid_date_time(raw: str) -> bool:
    match = _DATE_TIME.match(raw)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return False
    return True


def parse_ctf(data: bytes) -> CtfFile:
    """Read a CTF. Raises CtfRejected only when the file cannot be read at all."""
    root, _ = _load(data)
    reader = _Reader()
    header = reader.header(root)
    pupil_data = root.find("CTFpupilData")
    pupils: list[CtfPupil] = []
    if pupil_data is None:
        reader.warn(None, "", "CTFpupilData", "", "The file contains no pupil data.")
    else:
        seen: dict[str, int] = {}
        for position, element in enumerate(pupil_data.iterfind("Pupil"), start=1):
            pupil = reader.pupil(element, position)
            pupils.append(pupil)
            if pupil.upn:
                first = seen.setdefault(pupil.upn, position)
                if first != position:
                    reader.warn(
                        position,
                        pupil.upn,
                        "UPN",
                        pupil.upn,
                        f"Pupils {first} and {position} in this file have the same UPN; "
                        "check which is right before importing.",
                    )
    return CtfFile(header=header, pupils=tuple(pupils), issues=tuple(reader.issues))


# ---------------------------------------------------------------------------------------------- writing


def academic_year_for(day: date) -> str:
    """The CTF AcademicYear (4-digit start year); MIS practice moves to the next year on 1 August."""
    return str(day.year if day.month >= 8 else day.year - 1)


def ctf_file_name(source: CtfSchool, dest: CtfSchool | None, sequence: int = 1) -> str:
    """The conventional name, e.g. 8201234_CTF_8205678_001.xml; MMM/MMMM stand for an unknown destination."""
    to_lea = dest.lea if dest and dest.lea else "MMM"
    to_estab = dest.estab if dest and dest.estab else "MMMM"
    return f"{source.lea}{source.estab}_CTF_{to_lea}{to_estab}_{sequence:03d}.xml"


def _add(parent: Element, name: str, value: str) -> None:
    # Readers trim anyway; trimming here keeps the round trip exact.
    SubElement(parent, name).text = value.strip()


def _refuse_unwritable_text(root: Element) -> None:
    """Raise ValueError naming where a character XML cannot carry (a control character) appears."""
    for part in root.iter():
        if part.text and _NOT_XML.search(part.text):
            where = "The header"
            for position, pupil in enumerate(root.iterfind("CTFpupilData/Pupil"), start=1):
                if any(inner is part for inner in pupil.iter()):
                    where = f"Pupil {position}"
                    break
            raise ValueError(
                f"{where} has a control character in <{part.tag}>, which an XML file cannot carry."
            )


def write_ctf(
    *,
    version: int,
    source: CtfSchool,
    dest: CtfSchool | None,
    pupils: Sequence[CtfPupil],
    generated_at: datetime,
    supplier_id: str = "Tandem",
) -> bytes:
    """A partial CTF for `pupils`, UTF-8 with an XML declaration.

    Writes SENhistory for pupils with SEN data (or has_sen_history) and StageAssessments for pupils
    with assessments (or has_assessments); a container written empty tells a receiving MIS that
    the pupil has none. Raises ValueError, naming the pupil by position, for data a CTF cannot
    carry: legacy codes (S, A, P, BESD), unknown codes, control characters, or a missing UPN, date
    of birth, sex, period start date or need rank. The caller is expected to filter these out first.
    An empty AcademicYear is filled in from `generated_at`.
    """
    if isinstance(version, bool) or not isinstance(version, int) or version < OLDEST_WRITABLE_VERSION:
        raise ValueError(f"The CTF version must be a whole number from {OLDEST_WRITABLE_VERSION}, e.g. 25.")
    if version > 99:
        raise ValueError("The CTF version is a two-digit year, e.g. 25.")

    root = Element("CTfile")
    header = SubElement(root, "Header")
    _add(header, "DocumentName", DOCUMENT_NAME)
    _add(header, "CTFversion", f"{version}.0")
    # The CTF DateTime has no zone: it is the school's wall-clock time as given.
    _add(header, "DateTime", generated_at.strftime("%Y-%m-%dT%H:%M:%S"))
    _add(header, "DocumentQualifier", "partial")
    _add(header, "SupplierID", supplier_id)
    source_element = SubElement(header, "SourceSchool")
    _add(source_element, "LEA", source.lea)
    _add(source_element, "Estab", source.estab)
    _add(source_element, "URN", source.urn)
    _add(source_element, "SchoolName", source.name)
    _add(source_element, "AcademicYear", source.academic_year or academic_year_for(generated_at.date()))
    if dest is not None:
        dest_element = SubElement(header, "DestSchool")
        _add(dest_element, "LEA", dest.lea)
        _add(dest_element, "Estab", dest.estab)
        if dest.urn.strip():
            _add(dest_element, "URN", dest.urn)

    pupil_data = SubElement(root, "CTFpupilData")
    sex_element = "Sex" if version >= SEX_ELEMENT_FROM_VERSION else "Gender"
    for position, pupil in enumerate(pupils, start=1):
        _write_pupil(SubElement(pupil_data, "Pupil"), pupil, position, sex_element)

    problems: list[str] = []
    _check_container(root, ("CTfile",), version, problems)
    if problems:
        # A bug here, not bad input: the checks above should catch anything a caller can get wrong.
        raise ValueError("The CTF Tandem wrote does not match the CTF structure: " + "; ".join(problems[:5]))
    indent(root, space="  ")
    # Serialising to str and encoding once is several times faster than ElementTree's own encoding.
    text = tostring(root, encoding="unicode")
    if _NOT_XML.search(text):
        _refuse_unwritable_text(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


def _write_pupil(element: Element, pupil: CtfPupil, position: int, sex_element: str) -> None:
    if not pupil.upn.strip():
        raise ValueError(f"Pupil {position} has no UPN; a CTF cannot carry a pupil without one.")
    if pupil.dob is None:
        raise ValueError(f"Pupil {position} has no date of birth; a CTF needs one.")
    if pupil.sex not in SEXES:
        raise ValueError(f"Pupil {position} has no sex recorded as M or F; a CTF needs one.")
    _add(element, "UPN", pupil.upn)
    _add(element, "Surname", pupil.surname)
    _add(element, "Forename", pupil.forename)
    _add(element, "DOB", pupil.dob.isoformat())
    _add(element, sex_element, pupil.sex)
    if pupil.has_sen_history or pupil.sen_periods or pupil.needs:
        _write_sen_history(SubElement(element, "SENhistory"), pupil, position)
    if pupil.has_assessments or pupil.assessments:
        _write_assessments(SubElement(element, "StageAssessments"), pupil, position)


def _write_sen_history(history: Element, pupil: CtfPupil, position: int) -> None:
    periods = sorted(pupil.sen_periods, key=lambda p: (p.starts_on is None, p.starts_on or date.min))
    for period in periods:
        if period.provision in LEGACY_SEN_PROVISION:
            raise ValueError(
                f"Pupil {position} has the old SEN provision code '{period.provision}', "
                "which must not be exported; leave that period out."
            )
        if period.provision not in CURRENT_SEN_PROVISION:
            raise ValueError(
                f"Pupil {position} has SEN provision code '{period.provision[:10]}', which is not N, K or E."
            )
        if period.starts_on is None:
            raise ValueError(f"Pupil {position} has an SEN period with no start date.")
        sen = SubElement(history, "SEN")
        _add(sen, "StartDate", period.starts_on.isoformat())
        _add(sen, "SENprovision", period.provision)
        if period.ends_on is not None:
            _add(sen, "EndDate", period.ends_on.isoformat())
    if not pupil.needs:
        return
    needs = SubElement(history, "SENneeds")
    for need in pupil.needs:
        if need.need_type in LEGACY_SEN_TYPES:
            raise ValueError(
                f"Pupil {position} has the old need type '{need.need_type}', "
                "which must not be exported; leave that need out."
            )
        if need.need_type not in CURRENT_SEN_TYPES:
            raise ValueError(
                f"Pupil {position} has need type '{need.need_type[:10]}', which is not a census code."
            )
        if need.rank is None or need.rank < 1:
            raise ValueError(f"Pupil {position} has an SEN need without a rank of 1 or more.")
        need_element = SubElement(needs, "SENneed")
        if need.starts_on is not None:
            _add(need_element, "NeedStartDate", need.starts_on.isoformat())
        if need.ends_on is not None:
            _add(need_element, "NeedEndDate", need.ends_on.isoformat())
        _add(need_element, "SENtypeRank", str(need.rank))
        _add(need_element, "SENtype", need.need_type)


def _write_assessments(container: Element, pupil: CtfPupil, position: int) -> None:
    # One KeyStage block per stage, in order of first appearance: results are filed by their own stage.
    by_stage: dict[str, list[CtfStageAssessment]] = {}
    for assessment in pupil.assessments:
        if not assessment.stage.strip():
            raise ValueError(f"Pupil {position} has an assessment with no key stage.")
        by_stage.setdefault(assessment.stage.strip(), []).append(assessment)
    for stage, assessments in by_stage.items():
        block = SubElement(container, "KeyStage")
        _add(block, "Stage", stage)
        for assessment in assessments:
            item = SubElement(block, "StageAssessment")
            _add(item, "Locale", assessment.locale)
            _add(item, "Year", assessment.year)
            _add(item, "Subject", assessment.subject)
            _add(item, "Method", assessment.method)
            _add(item, "Component", assessment.component)
            _add(item, "ResultStatus", assessment.result_status)
            _add(item, "ResultQualifier", assessment.result_qualifier)
            _add(item, "Result", assessment.result)
            if assessment.result_date is not None:
                _add(item, "ResultDate", assessment.result_date.isoformat())


# ---------------------------------------------------------------------------------------------- structure


@dataclass(frozen=True, slots=True)
class _Slot:
    """One child element in a container: its name, how often, and what its text must look like."""

    name: str
    optional: bool = False
    repeats: bool = False
    value: str = ""  # "", "date", "date_time", "version", "qualifier", "sex", "rank", "document_name"
    from_version: int = 0
    to_version: int = 99
    instead: str = ""  # the element used in versions where this one does not exist

    def applies_to(self, version: int) -> bool:
        return self.from_version <= version <= self.to_version


def _slots(*spec: str | _Slot) -> tuple[_Slot, ...]:
    # "Name?" optional, "Name*" any number, "Name" exactly once: the notation of data-formats.md §1.3.
    slots: list[_Slot] = []
    for item in spec:
        if isinstance(item, _Slot):
            slots.append(item)
        elif item.endswith("?"):
            slots.append(_Slot(item[:-1], optional=True))
        elif item.endswith("*"):
            slots.append(_Slot(item[:-1], optional=True, repeats=True))
        else:
            slots.append(_Slot(item))
    return tuple(slots)


# Containers Tandem checks, keyed by element name (each name below is unique within the part of the
# tree that is walked). Children not listed here are checked for position only, not descended into.
_STRUCTURE: dict[str, tuple[_Slot, ...]] = {
    "CTfile": _slots("Header", "CTFpupilData?"),
    "Header": _slots(
        _Slot("DocumentName", value="document_name"),
        _Slot("CTFversion", value="version"),
        _Slot("DateTime", value="date_time"),
        _Slot("DocumentQualifier", value="qualifier"),
        "DataDescriptor?",
        "SupplierID",
        "SourceSchool",
        "DestSchool?",
    ),
    "SourceSchool": _slots("LEA", "Estab", "URN", "SchoolName", "AcademicYear"),
    "DestSchool": _slots("LEA", "Estab", "URN?"),
    "CTFpupilData": _slots("Pupil*"),
    "Pupil": _slots(
        "ApplicationReference?",
        "UPN",
        "UniqueLearnerNumber?",
        "UCI?",
        "Surname",
        "Forename",
        _Slot("DOB", value="date"),
        _Slot("Gender", value="sex", to_version=SEX_ELEMENT_FROM_VERSION - 1, instead="Sex"),
        _Slot("Sex", value="sex", from_version=SEX_ELEMENT_FROM_VERSION, instead="Gender"),
        # Required in a full file; a partial file (all Tandem writes) carries only what it updates.
        "BasicDetails?",
        "LookedAfter?",
        "FSMhistory?",
        "SENhistory?",
        "Address?",
        "Phones?",
        "Email?",
        "Contacts?",
        "Attendance?",
        "StageAssessments?",
        "SchoolHistory?",
        "SuppInfo?",
    ),
    "SENhistory": _slots("SEN*", "SENneeds?"),
    "SEN": _slots(
        _Slot("StartDate", value="date"), "SENprovision", _Slot("EndDate", optional=True, value="date")
    ),
    "SENneeds": _slots("SENneed*"),
    "SENneed": _slots(
        _Slot("NeedStartDate", optional=True, value="date"),
        _Slot("NeedEndDate", optional=True, value="date"),
        _Slot("SENtypeRank", value="rank"),
        "SENtype",
    ),
    "StageAssessments": _slots("KeyStage*"),
    "KeyStage": _slots("Stage", "StageAssessment*"),
    "StageAssessment": _slots(
        "Locale",
        "Year",
        "Subject",
        "Method",
        "Component",
        "ResultStatus",
        "ResultQualifier",
        "Result",
        _Slot("ResultDate", optional=True, value="date"),
    ),
}


def _value_problem(kind: str, raw: str) -> str:
    """What is wrong with an element's text, or "" when it is fine."""
    if kind == "date":
        if not _STRICT_DATE.match(raw) or _parse_date(raw) is None:
            return f"'{raw[:30]}' is not a date in the form yyyy-mm-dd"
    elif kind == "date_time":
        if not _valid_date_time(raw):
            return f"'{raw[:30]}' is not a date and time in the form yyyy-mm-ddThh:mm:ss"
    elif kind == "version":
        if not _STRICT_VERSION.match(raw):
            return f"'{raw[:30]}' is not a version in the form NN.0"
    elif kind == "qualifier":
        if raw not in QUALIFIERS:
            return f"'{raw[:30]}' is neither 'full' nor 'partial'"
    elif kind == "sex":
        if raw not in SEXES:
            return f"'{raw[:30]}' is not M or F"
    elif kind == "rank":
        if not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            return f"'{raw[:30]}' is not a whole number of 1 or more"
    elif kind == "document_name" and raw != DOCUMENT_NAME:
        return f"'{raw[:30]}' should be '{DOCUMENT_NAME}'"
    return ""


@dataclass(frozen=True, slots=True)
class _Layout:
    """A container's slots for one version, worked out once rather than per element."""

    slots: tuple[_Slot, ...]
    index_of: dict[str, int]
    elsewhere: dict[str, _Slot]  # elements of this container that belong to other versions


@functools.cache
def _layout(tag: str, version: int) -> _Layout:
    slots = tuple(slot for slot in _STRUCTURE[tag] if slot.applies_to(version))
    return _Layout(
        slots=slots,
        index_of={slot.name: i for i, slot in enumerate(slots)},
        elsewhere={slot.name: slot for slot in _STRUCTURE[tag] if not slot.applies_to(version)},
    )


def _check_container(element: Element, where: tuple[str, ...], version: int, problems: list[str]) -> None:
    # `where` stays a tuple and is joined only for a problem: most elements have none.
    layout = _layout(element.tag, version)
    slots = layout.slots
    counts = [0] * len(slots)
    furthest = -1
    repeat_numbers: dict[str, int] = {}
    for child in element:
        name = child.tag
        index = layout.index_of.get(name)
        if index is None:
            other = layout.elsewhere.get(name)
            if other is not None:
                problems.append(
                    f"{_at(where)}: <{name}> is not used in CTF version {version}.0; use <{other.instead}>."
                )
            else:
                problems.append(f"{_at(where)}: <{name}> is not part of <{element.tag}>.")
            continue
        slot = slots[index]
        counts[index] += 1
        if index < furthest:
            problems.append(
                f"{_at(where)}: <{name}> is out of order; it should come before <{slots[furthest].name}>."
            )
        elif counts[index] > 1 and not slot.repeats:
            problems.append(f"{_at(where)}: <{name}> appears more than once.")
        furthest = max(furthest, index)
        if slot.value:
            problem = _value_problem(slot.value, (child.text or "").strip())
            if problem:
                problems.append(f"{_at(where)}: <{name}> {problem}.")
        if name in _STRUCTURE:
            if slot.repeats:
                repeat_numbers[name] = repeat_numbers.get(name, 0) + 1
                label = f"{name} {repeat_numbers[name]}"
            else:
                label = name
            # Locations read "Pupil 3/SENhistory/SEN 1": pupils by position, never by name.
            inner = (label,) if name == "Pupil" or where == ("CTfile",) else (*where, label)
            _check_container(child, inner, version, problems)
    for slot, count in zip(slots, counts, strict=True):
        if count == 0 and not slot.optional:
            problems.append(f"{_at(where)}: <{slot.name}> is missing.")


def _at(where: tuple[str, ...]) -> str:
    return "/".join(where)


def check_ctf_structure(data: bytes) -> list[str]:
    """Problems with the file's structure for the CTF version it declares; [] when it matches.

    This checks Tandem's encoding of the published structure (see the module docstring), not the
    DfE XSD. A file that cannot be read at all gives one problem: the reason.
    """
    problems: list[str] = []
    try:
        root, namespaced = _load(data)
    except CtfRejected as exc:
        return [str(exc)]
    if namespaced:
        problems.append("CTfile: the file uses an XML namespace; a CTF has none.")
    raw_version = _text(root.find("Header/CTFversion"))
    parsed = _parse_version(raw_version)
    if parsed is None:
        version = CURRENT_CTF_VERSION
        problems.append(
            f"The CTF version could not be read, so the file was checked as version {CURRENT_CTF_VERSION}.0."
        )
    else:
        version = parsed[0]
    _check_container(root, ("CTfile",), version, problems)
    return problems
