"""Parent-facing PDFs: a pupil's support plan and the notes of a meeting with their family.

Pure Python, no Django: callers hand these functions a plain dataclass and get PDF bytes back,
so the wording can be read and tested on its own.

Parents read these, not staff. The fixed wording is plain British English, dates are written
out in words, and an empty field says "Not recorded yet" rather than leaving a gap a parent
might read as "nothing". Internal codes (census need and provision codes, our own shorthand)
must never reach a parent: the fixed text here uses none, and `find_jargon` lets callers
check the free text they pass in before it is printed.

Fonts: the PDF core fonts only cover Latin-1, which would drop letters from names such as
Łukasz or Nguyễn. We bundle DejaVu Sans (Bitstream Vera licence, see fonts/LICENSE.txt),
which covers Latin, Greek, Cyrillic and Vietnamese, so a clean machine needs only pip.
fpdf2 embeds just the letters a document uses, so each PDF stays small.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.prefs import ViewerPreferences

# Census provision codes (K, E, N), census need codes, and Tandem's own shorthand.
# "SENCo" is deliberately allowed: parents meet it on every school website.
JARGON: frozenset[str] = frozenset(
    {
        # SEN provision codes from the school census.
        "K",
        "E",
        "N",
        # Primary and secondary need codes from the school census.
        "SLCN",
        "SEMH",
        "SpLD",
        "SPLD",
        "MLD",
        "SLD",
        "PMLD",
        "ASD",
        "VI",
        "HI",
        "MSI",
        "PD",
        "NSA",
        "OTH",
        # Our own shorthand.
        "APDR",
        "HQT",
        "LTEP",
        "SGP",
        "PRR",
        "UPN",
    }
)

# A code counts only as a whole word: no letter or digit may touch it, so "Kettle" and
# "SENCo" are fine. A lone letter joined by a hyphen, apostrophe or slash is part of an
# ordinary word ("E-safety", "N/A"), not the census code.
_LONG_CODES = sorted((code for code in JARGON if len(code) > 1), key=len, reverse=True)
_SHORT_CODES = sorted(code for code in JARGON if len(code) == 1)
_JOINED = r"[\w\-'\u2019/]"  # a letter, digit, hyphen, apostrophe (straight or curly) or slash
_JARGON_PATTERN = re.compile(
    r"(?<!\w)(?:" + "|".join(map(re.escape, _LONG_CODES)) + r")(?!\w)"
    rf"|(?<!{_JOINED})(?:" + "|".join(map(re.escape, _SHORT_CODES)) + rf")(?!{_JOINED})"
)

NOT_RECORDED = "Not recorded yet"

_FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"  # the bundled font's name, for other PDFs built on Document
_FONT = FONT
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")

# Sizes in millimetres and points: 12 pt body text is easier to read than the usual 10 or 11.
_MARGIN = 20.0
_BODY_SIZE = 12
_LINE = 6.5
_LABEL_WIDTH = 48.0
_INK = (26, 26, 26)
_HEADING_INK = (20, 55, 95)
_QUIET_INK = (85, 85, 85)


@dataclass(frozen=True)
class ParentTarget:
    what: str  # the skill or behaviour
    how_measured: str
    starting_point: str
    success_looks_like: str
    by_when: datetime.date
    who_helps: str  # people, e.g. "Mrs Khan (class teacher) and Mr Obi (teaching assistant)"
    progress: str = ""  # latest progress in words, "" if none yet


@dataclass(frozen=True)
class ParentPlan:
    school_name: str
    pupil_name: str
    year_group: int
    written_on: datetime.date
    review_on: datetime.date
    cycle: int  # 1 for the first plan, 2 for the next...
    class_teacher: str  # the accountable teacher's name
    senco: str  # the SENCo's name, "" if unknown
    strengths: str
    needs: str  # already in plain words
    what_helps: str  # classroom strategies
    extra_support: str  # interventions in words
    expected_impact: str
    pupil_views: str
    parent_views: str
    targets: tuple[ParentTarget, ...]
    # School assessments in a parent's words ("Kai made less progress in reading in the spring term than
    # most pupils who started at the same level."): never the staff figures, SDs or percentiles.
    progress: tuple[str, ...] = ()
    version: int = 0  # the plan's version this copy was made from (its footer says so); 0: not stamped
    # Ready for an Individual Support Plan, in words ("" or None when not recorded).
    plan_kind: str = ""  # "SEN support plan"
    layer: str = ""  # the layer and what it means: "Targeted: extra help for common needs, ..."
    need_identified_on: datetime.date | None = None
    agreed_on: datetime.date | None = None
    parent_participation: str = ""  # "In a meeting"; with the reason when they did not take part
    pupil_participation: str = ""


@dataclass(frozen=True)
class ParentMeetingRecord:
    school_name: str
    pupil_name: str
    held_on: datetime.date
    led_by: str
    who_attended: str
    parent_views: str
    pupil_views: str
    discussed: str
    agreed_actions: str
    next_meeting_on: datetime.date | None
    version: int = 0  # the record's version this copy was made from; 0: not stamped


def find_jargon(text: str) -> list[str]:
    """The internal codes in `text`, each once, sorted. Whole words only and case-sensitive.

    A lone capital K, E or N counts, so "Mr K Obi" is flagged: write staff names in full.
    """
    return sorted(set(_JARGON_PATTERN.findall(text)))


def date_in_words(day: datetime.date) -> str:
    """A date as parents write it: "23 November 2026". Not locale-dependent."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def first_name(pupil_name: str) -> str:
    """The name to use in headings: the first word of the name as given, or "your child".

    Callers should pass the name in the order the family uses it (the name the child is
    known by first): "Nguyễn Văn An" gives "Nguyễn".
    """
    words = _clean(pupil_name).split()
    return words[0] if words else "your child"


def year_group_in_words(year_group: int) -> str:
    """Year 0 is Reception and anything below it is Nursery, as schools say them."""
    if year_group < 0:
        return "Nursery"
    if year_group == 0:
        return "Reception"
    return f"Year {year_group}"


def plan_pdf(plan: ParentPlan) -> bytes:
    """The support plan as a parent reads it, as PDF bytes."""
    name = _clean(plan.pupil_name) or "Your child"
    first = first_name(plan.pupil_name)
    review = date_in_words(plan.review_on)
    doc = SectionedDocument(
        title=f"Support plan for {name}",
        footer=f"Support plan for {name}{_version_note(plan.version)}",
        school=plan.school_name,
        made_on=plan.written_on,
    )
    doc.title_block("Your child's support plan", _clean(plan.school_name))
    doc.details(
        (
            ("Name", name),
            ("Year group", year_group_in_words(plan.year_group)),
            ("School", _or_placeholder(plan.school_name)),
            ("Plan written on", date_in_words(plan.written_on)),
            ("Next review", review),
            *((("Kind of plan", _clean(plan.plan_kind)),) if plan.plan_kind else ()),
            *((("Level of support", _clean(plan.layer)),) if plan.layer else ()),
            ("Need first noticed", _date_or_placeholder(plan.need_identified_on)),
            ("Agreed with you on", _date_or_placeholder(plan.agreed_on)),
        )
    )
    doc.paragraph(
        f"This plan explains how we are helping {first} at school. "
        f"It is {first}'s {_ordinal_plan(plan.cycle)}. "
        f"We will look at it again with you on {review}."
    )

    doc.heading(f"What {first} is good at")
    doc.paragraph(_or_placeholder(plan.strengths))
    doc.heading(f"Where {first} needs extra help")
    doc.paragraph(_or_placeholder(plan.needs))
    if plan.progress:
        doc.heading(f"How {first} got on in school assessments")
        for sentence in plan.progress:
            doc.paragraph(sentence)

    doc.heading("What we are working on")
    if plan.targets:
        doc.paragraph(
            f"These are the targets {first} is working towards. "
            "For each one we say where things are now and what success will look like."
        )
        for number, target in enumerate(plan.targets, start=1):
            doc.target(number, target, first)
    else:
        doc.paragraph("We have not set any targets yet. We will talk them through with you first.")

    doc.heading(f"How we help {first} in class")
    doc.paragraph(_or_placeholder(plan.what_helps))
    doc.heading("Extra help")
    doc.paragraph(_or_placeholder(plan.extra_support))
    doc.heading("How we will know it has worked")
    doc.paragraph(_or_placeholder(plan.expected_impact))
    doc.heading(f"What {first} told us")
    doc.paragraph(_or_placeholder(plan.pupil_views))
    doc.heading("What you told us")
    doc.paragraph(_or_placeholder(plan.parent_views))
    doc.heading(f"How you and {first} took part")
    doc.labelled("You", _or_placeholder(plan.parent_participation))
    doc.labelled(first[:1].upper() + first[1:], _or_placeholder(plan.pupil_participation))

    doc.heading("When we will look at this again")
    doc.paragraph(
        f"We will look at this plan again with you on {review}. Until then we will keep "
        f"checking how {first} is getting on, and we will let you know if anything changes."
    )

    doc.heading("Who to talk to")
    teacher = _clean(plan.class_teacher)
    if teacher:
        doc.paragraph(f"{teacher} is {first}'s class teacher and looks after this plan day to day.")
    else:
        doc.paragraph(f"{first}'s class teacher looks after this plan day to day.")
    senco = _clean(plan.senco)
    if senco:
        doc.paragraph(
            f"{senco} is the school's special educational needs co-ordinator (SENCo) and can also help."
        )
    else:
        doc.paragraph(
            "The school's special educational needs co-ordinator (SENCo) can also help; "
            "the school office can put you in touch."
        )
    doc.paragraph(
        "You are welcome to get in touch at any time, not only at review meetings. "
        "If you would like this plan in a different format or language, please ask us."
    )
    return doc.finish()


def meeting_pdf(record: ParentMeetingRecord) -> bytes:
    """The notes of a meeting with a pupil's family, as PDF bytes."""
    name = _clean(record.pupil_name) or "Your child"
    first = first_name(record.pupil_name)
    held_on = date_in_words(record.held_on)
    doc = SectionedDocument(
        title=f"Meeting notes for {name}, {held_on}",
        footer=f"Meeting notes for {name}{_version_note(record.version)}",
        school=record.school_name,
        made_on=record.held_on,
    )
    doc.title_block(f"Notes from our meeting about {first}", _clean(record.school_name))
    doc.details(
        (
            ("Name", name),
            ("School", _or_placeholder(record.school_name)),
            ("Date of meeting", held_on),
            ("Led by", _or_placeholder(record.led_by)),
        )
    )
    doc.paragraph(
        "These notes record what we talked about and what we agreed. "
        "If anything here does not match what you remember, please tell us."
    )

    doc.heading("Who came")
    doc.paragraph(_or_placeholder(record.who_attended))
    doc.heading("What you told us")
    doc.paragraph(_or_placeholder(record.parent_views))
    doc.heading(f"What {first} told us")
    doc.paragraph(_or_placeholder(record.pupil_views))
    doc.heading("What we talked about")
    doc.paragraph(_or_placeholder(record.discussed))
    doc.heading("What we agreed to do")
    doc.paragraph(_or_placeholder(record.agreed_actions))

    doc.heading("When we will meet again")
    if record.next_meeting_on is None:
        doc.paragraph("We have not set a date yet. We will be in touch to arrange one.")
    else:
        doc.paragraph(f"We will meet again on {date_in_words(record.next_meeting_on)}.")

    doc.heading("Who to talk to")
    leader = _clean(record.led_by)
    who = leader if leader else "the member of staff who led the meeting"
    doc.paragraph(
        f"If you have any questions about these notes, please contact {who}. "
        "You are welcome to get in touch at any time, not only at meetings."
    )
    return doc.finish()


def _version_note(version: int) -> str:
    return f" · Version {version}" if version else ""


def _clean(text: str) -> str:
    """Composed Unicode (so "ễ" is one letter), Unix line ends, no control characters, trimmed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    return text.strip()


def _or_placeholder(text: str) -> str:
    return _clean(text) or NOT_RECORDED


def _date_or_placeholder(day: datetime.date | None) -> str:
    return date_in_words(day) if day is not None else NOT_RECORDED


def _ordinal_plan(cycle: int) -> str:
    if cycle <= 1:
        return "first support plan"
    if cycle <= len(_ORDINALS):
        return f"{_ORDINALS[cycle - 1]} support plan; it carries on from the last one"
    return f"support plan number {cycle}; it carries on from the last one"


class Document(FPDF):
    """An A4 page layout shared by Tandem's PDFs: the bundled font, metadata, title, headings, page footer."""

    def __init__(
        self,
        *,
        title: str,
        footer: str,
        school: str,
        made_on: datetime.date,
        orientation: str = "portrait",
        margin: float = _MARGIN,
        footer_size: int = 9,
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self._footer_text = footer
        self._margin = margin
        self._footer_size = footer_size
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(auto=True, margin=margin + 5)
        self.add_font(_FONT, "", str(_FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(_FONT, "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(_clean(title))
        self.set_lang("en-GB")
        self.set_author(_clean(school))
        self.set_creator("Tandem")
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        # The document's own date, not the clock: the same record always gives the same bytes.
        self.set_creation_date(datetime.datetime.combine(made_on, datetime.time(), tzinfo=datetime.UTC))
        self.alias_nb_pages()
        self.add_page()
        self._body()

    def footer(self) -> None:
        self.set_y(-(self._margin - 2))
        self.set_font(_FONT, "", self._footer_size)
        self.set_text_color(*_QUIET_INK)
        height = round(self._footer_size / 1.8)
        self.cell(0, height, f"{self._footer_text} · page {self.page_no()} of {{nb}}", align="C")

    def _body(self, style: str = "") -> None:
        self.set_font(_FONT, style, _BODY_SIZE)
        self.set_text_color(*_INK)


class SectionedDocument(Document):
    """The layout of a document for families and partners (a plan, a meeting record, an annual review): a
    title block, headings kept with what follows them, paragraphs, label-and-value details, labelled lines."""

    label_width = _LABEL_WIDTH  # of the label column in `details`

    def _write_block(self, text: str, height: float = _LINE) -> None:
        self.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def title_block(self, title: str, subtitle: str) -> None:
        self.set_font(_FONT, "B", 20)
        self.set_text_color(*_HEADING_INK)
        self.start_section(title, level=0)
        self._write_block(title, 10)
        if subtitle.strip():
            self.set_font(_FONT, "", 13)
            self._write_block(subtitle.strip(), 7)
        self.ln(4)
        self._body()

    def heading(self, text: str) -> None:
        # Keep a heading with at least two lines of what follows it.
        if self.will_page_break(8 + 3 * _LINE):
            self.add_page()
        self.ln(3)
        self.set_font(_FONT, "B", 15)
        self.set_text_color(*_HEADING_INK)
        self.start_section(text, level=1)
        self._write_block(text, 8)
        self.ln(1)
        self._body()

    def paragraph(self, text: str) -> None:
        self._body()
        self._write_block(text)
        self.ln(2)

    def details(self, rows: tuple[tuple[str, str], ...]) -> None:
        for label, value in rows:
            if self.will_page_break(_LINE * 2):
                self.add_page()
            self._body("B")
            self.cell(self.label_width, _LINE, label)
            self._body()
            self.multi_cell(0, _LINE, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def labelled(self, label: str, text: str) -> None:
        """A short bold label on its own line, then its text, kept together across a page turn."""
        if self.will_page_break(_LINE * 3):
            self.add_page()
        self._body("B")
        self._write_block(label)
        self._body()
        self._write_block(text)
        self.ln(1.5)

    def target(self, number: int, target: ParentTarget, first: str) -> None:
        what = _or_placeholder(target.what)
        if self.will_page_break(8 + 4 * _LINE):
            self.add_page()
        self.ln(2)
        # A thin rule above each target, so the blocks read as separate cards.
        self.set_draw_color(*_HEADING_INK)
        self.set_line_width(0.3)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        self.set_font(_FONT, "B", 13)
        self.set_text_color(*_HEADING_INK)
        self.start_section(f"Target {number}", level=2)
        self._write_block(f"Target {number}: {what}", 7)
        self.ln(1)
        self.labelled(f"Where {first} is now", _or_placeholder(target.starting_point))
        self.labelled("What success will look like", _or_placeholder(target.success_looks_like))
        self.labelled("How we will check", _or_placeholder(target.how_measured))
        self.labelled("By when", date_in_words(target.by_when))
        self.labelled("Who will help", _or_placeholder(target.who_helps))
        self.labelled("Progress so far", _or_placeholder(target.progress))

    def finish(self) -> bytes:
        return bytes(self.output())
