"""What each kind of import expects, how MIS column names map onto it, and how one cell becomes a value.

Pure Python, no Django: the import services, the command line and the tests share it. Every parser returns
the value and, when something is wrong, a plain-English problem; nothing is silently "fixed" (a UPN with a
failing check letter is kept exactly as given and warned about). Column aliases follow the MIS exports listed
in ../shared/reference/data-formats.md section 4, matched case-insensitively and ignoring spaces and
punctuation, so "Date of Birth", "date_of_birth" and "DOB" all land on the same field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from tandem.lib.spreadsheet import FORMULA_STARTS
from tandem.lib.text import invisible_characters, without_invisible_characters
from tandem.lib.upn import UNKNOWN_MARKERS, check_upn


class ImportKind(StrEnum):
    PUPILS = "pupils"
    STAFF = "staff"
    GROUPS = "groups"
    SEN = "sen"
    ASSESSMENTS = "assessments"
    MARKSHEET = "marksheet"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False
    help: str = ""


_UPN = FieldSpec("upn", "UPN", ("upn", "unique pupil number"), help="13 characters, e.g. X938200125001")
_MIS_ID = FieldSpec(
    "mis_id",
    "MIS id (admission number)",
    ("admission number", "admission no", "adno", "misid", "mis id", "pan", "pupil id"),
    help="Kept as text, so leading zeros stay.",
)

# Rows about pupils the file gives no UPN or MIS id for are matched by these three, with a warning to check.
_BY_NAME = (
    FieldSpec("surname", "Legal surname", ("surname", "legal surname", "last name", "legal last name")),
    FieldSpec("forename", "Legal forename", ("forename", "legal forename", "first name", "legal first name")),
    FieldSpec("dob", "Date of birth", ("dob", "date of birth", "birth date", "birthdate")),
)

FIELDS: dict[ImportKind, tuple[FieldSpec, ...]] = {
    ImportKind.PUPILS: (
        _UPN,
        _MIS_ID,
        FieldSpec(
            "surname",
            "Legal surname",
            ("surname", "legal surname", "last name", "legal last name", "family name"),
            required=True,
        ),
        FieldSpec(
            "forename",
            "Legal forename",
            ("forename", "legal forename", "first name", "legal first name", "given name"),
            required=True,
        ),
        FieldSpec(
            "preferred_forename",
            "Preferred forename",
            ("preferred forename", "preferred first name", "preferred name", "known as"),
        ),
        FieldSpec("dob", "Date of birth", ("dob", "date of birth", "birth date", "birthdate"), required=True),
        FieldSpec("sex", "Sex", ("sex", "gender"), required=True, help="M or F, Male or Female"),
        FieldSpec(
            "year",
            "Year group",
            ("year", "year group", "nc year", "ncyearactual", "national curriculum year", "curriculum year"),
            required=True,
            help="R for Reception, N1 and N2 for nursery, 1 to 14",
        ),
        FieldSpec("pupil_premium", "Pupil premium", ("pupil premium", "pp", "pupil premium indicator")),
        FieldSpec("eal", "English as an additional language", ("eal", "english as an additional language")),
        FieldSpec("looked_after", "Looked after", ("looked after", "lac", "cla", "in care", "incare")),
        FieldSpec(
            "left_on",
            "Leaving date",
            ("leaving date", "date of leaving", "left on", "leave date", "left"),
            help="For a pupil who has left; empty for one on roll",
        ),
    ),
    ImportKind.STAFF: (
        FieldSpec("email", "Email", ("email", "email address", "work email", "school email"), required=True),
        FieldSpec("full_name", "Full name", ("full name", "name", "staff name", "display name")),
        FieldSpec("forename", "Forename", ("forename", "first name", "legal forename", "preferred forename")),
        FieldSpec("surname", "Surname", ("surname", "last name", "legal surname")),
        FieldSpec(
            "role",
            "Role",
            ("role", "staff role", "job title", "post", "position"),
            required=True,
            help="Teacher, teaching assistant, SENCo, head or school admin",
        ),
    ),
    ImportKind.GROUPS: (
        FieldSpec(
            "group",
            "Class or set",
            ("class", "group", "class name", "group name", "teaching group", "set", "reg group", "form"),
            required=True,
        ),
        FieldSpec(
            "subject",
            "Subject",
            ("subject", "subject name", "subject code"),
            help="Empty for a class taught every subject (primary)",
        ),
        FieldSpec(
            "group_year", "Year group of the class", ("class year", "group year", "year group", "year")
        ),
        FieldSpec(
            "teacher",
            "Teacher's email",
            ("teacher", "teacher email", "class teacher", "main teacher", "teacher email address"),
        ),
        FieldSpec(
            "support",
            "Teaching assistant's email",
            ("teaching assistant", "ta", "ta email", "support", "lsa"),
        ),
        _UPN,
        _MIS_ID,
        *_BY_NAME,
        FieldSpec("starts_on", "Joined on", ("start date", "joined", "joined on", "from", "enrolled on")),
    ),
    ImportKind.SEN: (
        _UPN,
        _MIS_ID,
        *_BY_NAME,
        FieldSpec(
            "provision",
            "SEN status",
            ("sen status", "sen provision", "senprovision", "sen", "sen stage", "sen code"),
            required=True,
            help="N (no SEN), K (SEN support) or E (EHC plan)",
        ),
        FieldSpec(
            "starts_on",
            "Start date",
            ("start date", "sen start date", "sen start", "status start date", "from"),
            help="When this status began; today if the file has no start date",
        ),
        FieldSpec(
            "primary_need",
            "Primary need",
            ("primary need", "sen need 1", "need 1", "primary sen need", "primary sen type", "sentype 1"),
        ),
        FieldSpec(
            "secondary_need",
            "Secondary need",
            ("secondary need", "sen need 2", "need 2", "secondary sen need", "secondary sen type"),
        ),
    ),
    ImportKind.ASSESSMENTS: (
        _UPN,
        _MIS_ID,
        *_BY_NAME,
        FieldSpec("subject", "Subject", ("subject", "subject name", "subject code"), required=True),
        FieldSpec(
            "assessed_on",
            "Date assessed",
            ("date", "assessment date", "date assessed", "result date", "assessed on"),
            required=True,
        ),
        FieldSpec("result", "Result", ("result", "grade", "score", "mark", "value"), required=True),
        FieldSpec(
            "scale",
            "Scale",
            ("scale", "grade set", "gradeset", "result type"),
            help="Which scale the result is on; the default chosen below when the file has none",
        ),
    ),
}

# A marksheet's other columns are results, each named by subject, term and year (see parse_aspect_header).
FIELDS[ImportKind.MARKSHEET] = (_UPN, _MIS_ID, *_BY_NAME)

# Pupils are matched by UPN, then MIS id: these kinds need one of the two.
IDENTITY_KEYS = ("upn", "mis_id")
NAME_KEYS = ("surname", "forename", "dob")
PUPIL_KINDS = frozenset({ImportKind.GROUPS, ImportKind.SEN, ImportKind.ASSESSMENTS, ImportKind.MARKSHEET})


def normalise_header(text: str) -> str:
    """Case, spaces, underscores and punctuation do not matter when matching a header to an alias."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@dataclass(frozen=True)
class ColumnProblem:
    message: str


@dataclass(frozen=True)
class ColumnMatch:
    """Which column (by position) feeds each field, and what could not be settled."""

    columns: dict[str, int]
    unused: tuple[str, ...]  # headers no field takes
    problems: tuple[ColumnProblem, ...]  # duplicate or missing columns: the file cannot be applied as mapped

    @property
    def ok(self) -> bool:
        return not self.problems


def match_columns(
    headers: Sequence[str], kind: ImportKind, chosen: Mapping[str, str] | None = None
) -> ColumnMatch:
    """Map headers to fields: a header the user (or a saved mapping) chose wins, then the aliases.

    `chosen` maps a field key to a header as written in the file ("" leaves the field unmapped).
    """
    specs = FIELDS[kind]
    problems: list[ColumnProblem] = []
    normalised = [normalise_header(h) for h in headers]
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(normalised):
        if name:
            positions.setdefault(name, []).append(index)
    for found in positions.values():
        if len(found) > 1:
            where = " and ".join(str(i + 1) for i in found)
            problems.append(
                ColumnProblem(
                    f"The column '{headers[found[0]]}' appears more than once (columns {where}): "
                    "keep one and upload the file again."
                )
            )
    columns: dict[str, int] = {}
    chosen = chosen or {}
    for spec in specs:
        if spec.key in chosen:
            header = normalise_header(chosen[spec.key])
            if header and header in positions:
                columns[spec.key] = positions[header][0]
            elif header:
                problems.append(
                    ColumnProblem(f"The file has no column '{chosen[spec.key]}' for {spec.label}.")
                )
            continue
        for alias in spec.aliases:
            if alias in positions:
                columns[spec.key] = positions[alias][0]
                break
    taken: dict[int, str] = {}
    for key, index in columns.items():
        if index in taken:
            problems.append(
                ColumnProblem(
                    f"The column '{headers[index]}' is chosen for two fields; choose one column for each."
                )
            )
        taken[index] = key
    if (
        kind is ImportKind.STAFF
        and "full_name" not in columns
        and not {"forename", "surname"} <= columns.keys()
    ):
        problems.append(
            ColumnProblem("No column gives the person's name: choose Full name, or Forename and Surname.")
        )
    # One "Name" column written "Surname, Forename" stands in for both names on the roll.
    needs_names = kind is ImportKind.PUPILS and not {"surname", "forename"} <= columns.keys()
    if needs_names and "name" in positions and "surname" not in chosen and "forename" not in chosen:
        columns["full_name"] = positions["name"][0]
        taken[positions["name"][0]] = "full_name"
    for spec in specs:
        if spec.required and spec.key not in columns:
            if spec.key in ("surname", "forename") and "full_name" in columns:
                continue
            problems.append(ColumnProblem(f"No column gives {spec.label}: choose one below."))
    if (
        kind in PUPIL_KINDS
        and not set(IDENTITY_KEYS) & columns.keys()
        and not set(NAME_KEYS) <= columns.keys()
    ):
        problems.append(
            ColumnProblem(
                "No column gives the UPN or the MIS id (or the surname, forename and date of birth), so "
                "pupils cannot be matched."
            )
        )
    unused = tuple(h for i, h in enumerate(headers) if i not in taken and h)
    return ColumnMatch(columns=columns, unused=unused, problems=tuple(problems))


def guess_kind(headers: Sequence[str], subjects: Mapping[str, str]) -> ImportKind | None:
    """The kind of file whose required columns the headers give, when exactly one fits best.

    A marksheet is recognised by its result columns ("Maths Spring 2025/26"), which no other kind has.
    """
    if any(parse_aspect_header(h, subjects) for h in headers):
        return ImportKind.MARKSHEET
    fitting = [
        kind for kind in ImportKind if kind is not ImportKind.MARKSHEET and match_columns(headers, kind).ok
    ]
    # The roll's columns (UPN, names, DOB...) also fit a class list that repeats them: prefer the narrower.
    if len(fitting) > 1 and ImportKind.PUPILS in fitting:
        fitting.remove(ImportKind.PUPILS)
    return fitting[0] if len(fitting) == 1 else None


def template_headers(kind: ImportKind) -> list[str]:
    """A header for each field that the matching above recognises: its label where that is an alias."""
    return [
        spec.label if normalise_header(spec.label) in spec.aliases else spec.aliases[0].capitalize()
        for spec in FIELDS[kind]
    ]


# ----------------------------------------------------------------------------------------- cell parsers


@dataclass
class Cell:
    """A parsed value with what someone should know about it."""

    value: object = None
    error: str = ""
    warnings: list[str] = field(default_factory=list)


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+),? (\d{4})$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")
# Excel counts days from 30 December 1899 (its 1900 leap-year bug folded in); 1 Jan 1950 to 31 Dec 2100.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_RANGE = (18264, 73415)


def parse_date(raw: str, *, label: str, not_after: dt.date | None = None) -> Cell:
    """A UK date: dd/mm/yyyy (or with - or .), yyyy-mm-dd, "14 March 2025", or an Excel day number.

    Two-digit years are refused (is "03/04/12" 1912 or 2012?), and so is a day-first reading that cannot be a
    date, rather than guessing the file is American.
    """
    text = raw.strip()
    if not text:
        return Cell(error=f"{label} is empty.")
    day: dt.date | None
    warnings: list[str] = []
    try:
        if m := _ISO.match(text):
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _NUMERIC.match(text):
            if len(m[3]) == 2:
                return Cell(error=f"{label} '{raw}' has a two-digit year: write the year in full, e.g. 2025.")
            first, second = int(m[1]), int(m[2])
            if second > 12 and first <= 12:
                return Cell(
                    error=(
                        f"{label} '{raw}' is not a day/month/year date (there is no month {second}); "
                        "it may be month first, as American software writes dates. Export UK dates."
                    )
                )
            day = dt.date(int(m[3]), second, first)
        elif m := _WORDS.match(text.lower()):
            month = _MONTHS.get(m[2])
            if month is None:
                return Cell(error=f"{label} '{raw}' is not a date Tandem can read; use dd/mm/yyyy.")
            day = dt.date(int(m[3]), month, int(m[1]))
        elif _SERIAL.match(text):
            serial = int(float(text))
            if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
                return Cell(error=f"{label} '{raw}' is a number, not a date; use dd/mm/yyyy.")
            day = _EXCEL_EPOCH + dt.timedelta(days=serial)
            warnings.append(
                f"{label} '{raw}' is an Excel day number; read as {day:%d/%m/%Y}. Check it is right."
            )
        else:
            return Cell(error=f"{label} '{raw}' is not a date Tandem can read; use dd/mm/yyyy.")
    except ValueError:
        return Cell(error=f"{label} '{raw}' is not a real date (check the day and month).")
    if day.year < 1900:
        return Cell(error=f"{label} '{raw}' is before 1900.")
    if not_after is not None and day > not_after:
        return Cell(error=f"{label} {day:%d/%m/%Y} is in the future.")
    return Cell(value=day, warnings=warnings)


def parse_upn(raw: str) -> Cell:
    """The UPN exactly as given; a failing format or check letter is a warning, never a change."""
    if raw == "":
        return Cell(value="")
    if raw.strip().upper() in UNKNOWN_MARKERS:
        return Cell(value="", warnings=[f"UPN '{raw.strip()}' means 'not known': no UPN recorded."])
    check = check_upn(raw)
    if not check.valid:
        if len(raw) > 13:
            return Cell(error=f"UPN '{raw[:20]}' is longer than 13 characters: {check.reason}")
        return Cell(value=raw, warnings=[f"UPN '{raw}' may be wrong: {check.reason} It is kept as given."])
    return Cell(value=raw)


def parse_mis_id(raw: str) -> Cell:
    text = raw.strip()
    if len(text) > 32:
        return Cell(error="The MIS id is longer than 32 characters.")
    return Cell(value=text)


_NAME_MAX = 100


def parse_name(raw: str, *, label: str, required: bool = True) -> Cell:
    """A name kept as written (accents, apostrophes and any script welcome); odd starts are warned about, and
    invisible formatting characters (tandem/lib/text.py) are taken out with a warning."""
    text = raw.strip()
    if not text:
        return Cell(value="", error=f"{label} is empty." if required else "")
    if len(text) > _NAME_MAX:
        return Cell(error=f"{label} is longer than {_NAME_MAX} characters.")
    if "\n" in text or "\r" in text:
        return Cell(error=f"{label} runs over more than one line; a name is one line.")
    warnings = []
    if text.startswith(FORMULA_STARTS):
        warnings.append(
            f"{label} starts with '{text[0]}', which a spreadsheet may run as a formula; "
            "Tandem keeps it as text and escapes it in every download."
        )
    if "<" in text or ">" in text:
        warnings.append(f"{label} contains '<' or '>'; it is kept as text and never shown as HTML.")
    if any(ord(c) < 32 for c in text):
        return Cell(error=f"{label} contains control characters (such as tabs).")
    hidden = invisible_characters(text)
    if hidden:
        text = without_invisible_characters(text).strip()
        if not text:
            return Cell(error=f"{label} has only invisible formatting characters ({', '.join(hidden)}).")
        warnings.append(
            f"{label} contained invisible formatting characters ({', '.join(hidden)}), which can make one "
            "name look like another; Tandem removes them."
        )
    return Cell(value=text, warnings=warnings)


def split_full_name(raw: str) -> tuple[Cell, Cell]:
    """ "Surname, Forename" as SIMS writes one Name column."""
    surname, comma, forename = raw.partition(",")
    if not comma:
        problem = Cell(error=f"Name '{raw.strip()}' is not written 'Surname, Forename'.")
        return problem, Cell(value="")
    return parse_name(surname, label="Surname"), parse_name(forename, label="Forename")


_SEX = {"m": "M", "male": "M", "boy": "M", "f": "F", "female": "F", "girl": "F"}


def parse_sex(raw: str) -> Cell:
    value = _SEX.get(raw.strip().lower())
    if value is None:
        return Cell(error=f"Sex '{raw.strip()}' is not M, F, Male or Female.")
    return Cell(value=value)


_YEAR = re.compile(r"^(?:year|yr|y|nc year)?\s*(\d{1,2})$")


def parse_year_group(raw: str) -> Cell:
    """National Curriculum year: N1 -2, N2 -1, R 0, 1-14; "Year 7" and "Y7" too."""
    text = raw.strip().lower()
    named = {"n1": -2, "nursery 1": -2, "n2": -1, "nursery 2": -1, "r": 0, "rec": 0, "reception": 0}
    if text in named:
        return Cell(value=named[text])
    if (m := _YEAR.match(text)) and 1 <= int(m[1]) <= 14:
        return Cell(value=int(m[1]))
    if text == "x":
        return Cell(error="Year group X (outside the National Curriculum) cannot be placed in a year group.")
    return Cell(error=f"Year group '{raw.strip()}' is not R, N1, N2 or 1 to 14.")


_TRUE = {"y", "yes", "true", "1", "t"}
_FALSE = {"n", "no", "false", "0", "f", ""}


def parse_flag(raw: str, *, label: str) -> Cell:
    text = raw.strip().lower()
    if text in _TRUE:
        return Cell(value=True)
    if text in _FALSE:
        return Cell(value=False)
    return Cell(error=f"{label} '{raw.strip()}' is not Yes or No.")


PROVISIONS = {"N": "No SEN", "K": "SEN support", "E": "EHC plan"}
LEGACY_PROVISIONS = {"S": "statement", "A": "School Action", "P": "School Action Plus"}
_PROVISION_WORDS = {"no sen": "N", "none": "N", "sen support": "K", "ehc plan": "E", "ehcp": "E"}


def parse_provision(raw: str) -> Cell:
    text = raw.strip()
    code = _PROVISION_WORDS.get(text.lower(), text.upper())
    if code in PROVISIONS:
        return Cell(value=code)
    if code in LEGACY_PROVISIONS:
        return Cell(
            error=(
                f"SEN status '{text}' ({LEGACY_PROVISIONS[code]}) is a code from before 2014; "
                "record the pupil's current status: N, K or E."
            )
        )
    return Cell(error=f"SEN status '{text}' is not N (no SEN), K (SEN support) or E (EHC plan).")


def parse_need(raw: str, *, label: str, current_codes: Mapping[str, str]) -> Cell:
    """A census type-of-need code (or its name); `current_codes` maps each current code to its name."""
    text = raw.strip()
    if not text:
        return Cell(value="")
    by_name = {name.lower(): code for code, name in current_codes.items()}
    code = text.upper() if text.upper() in current_codes else by_name.get(text.lower(), "")
    if code:
        return Cell(value=code)
    if text.upper() == "BESD":
        return Cell(error=f"{label} 'BESD' was replaced by SEMH in 2015; record the current code.")
    return Cell(
        error=f"{label} '{text}' is not a census type-of-need code ({', '.join(sorted(current_codes))})."
    )


_ROLES = {
    "teacher": ("teacher", "class teacher", "subject teacher", "form tutor", "classroom teacher"),
    "teaching_assistant": (
        "teaching assistant",
        "ta",
        "hlta",
        "learning support assistant",
        "lsa",
        "learning support",
        "support staff",
    ),
    "senco": ("senco", "sendco", "sen coordinator", "sen co ordinator", "inclusion lead"),
    "head": ("head", "headteacher", "head teacher", "deputy head", "assistant head", "senior leader", "slt"),
    "school_admin": (
        "school admin",
        "admin",
        "data manager",
        "office manager",
        "business manager",
        "it lead",
    ),
}
_ROLE_WORDS = {word: role for role, words in _ROLES.items() for word in words}


def parse_role(raw: str) -> Cell:
    """A school role from the words MIS staff lists use ("Class Teacher", "HLTA", "Headteacher")."""
    role = _ROLE_WORDS.get(normalise_header(raw))
    if role is None:
        return Cell(
            error=f"Role '{raw.strip()}' is not one Tandem knows: teacher, teaching assistant, SENCo, head "
            "or school admin."
        )
    return Cell(value=role)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_email(raw: str, *, label: str = "Email") -> Cell:
    text = raw.strip().lower()
    if not text:
        return Cell(value="")
    if not _EMAIL.match(text) or len(text) > 254:
        return Cell(error=f"{label} '{raw.strip()[:60]}' is not an email address.")
    return Cell(value=text)


@dataclass(frozen=True)
class Aspect:
    """What one marksheet column holds: results in a subject for one term."""

    subject: str  # subject code
    term: str  # "autumn", "spring" or "summer"
    start_year: int  # the academic year's first calendar year


_TERM_WORDS = {
    "autumn": "autumn", "aut": "autumn", "au": "autumn", "michaelmas": "autumn",
    "spring": "spring", "spr": "spring", "sp": "spring", "lent": "spring",
    "summer": "summer", "sum": "summer", "su": "summer", "trinity": "summer",
}  # fmt: skip
_ACADEMIC = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")


def parse_aspect_header(header: str, subjects: Mapping[str, str]) -> Aspect | None:
    """ "Maths Spring 2025/26", "Reading Aut 2025-26", "English Summer 1 2026": subject, term and year.

    `subjects` maps lower-case subject codes and names to codes. A bare calendar year is the year the term
    falls in (so "Spring 2026" is in 2025/26). Anything else (targets, comments) is not a result column.
    """
    text = re.sub(r"\s*([/-])\s*", r"\1", header.lower().replace("_", " "))
    words = text.split()
    term_at = next((i for i, w in enumerate(words) if w in _TERM_WORDS), None)
    if term_at is None or term_at == 0:
        return None
    subject = subjects.get(normalise_header(" ".join(words[:term_at])))
    rest = [w for w in words[term_at + 1 :] if not (w.isdigit() and len(w) == 1)]  # "Spring 1": half-terms
    if subject is None or len(rest) != 1:
        return None
    term = _TERM_WORDS[words[term_at]]
    if m := _ACADEMIC.match(rest[0]):
        start = int(m[1])
        end = int(m[2]) % 100
        if end != (start + 1) % 100:
            return None
        return Aspect(subject, term, start)
    if rest[0].isdigit() and len(rest[0]) == 4:
        year = int(rest[0])
        return Aspect(subject, term, year if term == "autumn" else year - 1)
    return None
