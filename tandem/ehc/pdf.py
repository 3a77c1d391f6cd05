"""The two documents of an EHC plan's annual review: the record of the meeting for the family, and the
school's report of the review for the local authority (Code 9.176: sent within two weeks of the meeting).

Pure Python, no Django, like tandem/exchange/parent_pdf.py, whose page layout (bundled font, A4, metadata,
footer with page numbers) and wording rules they share: dates in words, "Not recorded yet" for an empty
field, no census codes in what the family reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tandem.exchange.parent_pdf import NOT_RECORDED, SectionedDocument, first_name, year_group_in_words
from tandem.lib.annual_review import CODE, in_words, invitations_due_by, papers_due_by, report_due_by

_LINE = 6.5

# What the school recommends, in the family's words and in the local authority's.
FOR_FAMILY = {
    "keep": "We recommend that the local authority keeps the plan as it is.",
    "amend": "We recommend that the local authority changes (amends) the plan. The changes we suggest are "
    "below.",
    "cease": "We recommend that the local authority stops (ceases) the plan, because we think it is no "
    "longer needed.",
}
FOR_LOCAL_AUTHORITY = {
    "keep": "Keep the plan as it is",
    "amend": "Amend the plan",
    "cease": "Cease to maintain the plan",
}


@dataclass(frozen=True)
class TargetLine:
    """A SMART target linked to an outcome, with the latest progress recorded on it."""

    what: str
    by_when: dt.date
    progress: str = ""


@dataclass(frozen=True)
class OutcomeLine:
    outcome: str  # what section E says
    targets: tuple[TargetLine, ...] = ()


@dataclass(frozen=True)
class ReviewRecord:
    """The record of the review meeting, for the family."""

    school_name: str
    pupil_name: str
    local_authority: str
    meeting_on: dt.date
    who_attended: str
    parent_views: str
    pupil_views: str
    working: str
    not_working: str
    outcomes: tuple[OutcomeLine, ...]
    recommendation: str  # a Recommendation value, "" if not recorded yet
    amendments: str
    senco: str
    version: int = 0  # the review's version this copy was made from; 0: not stamped


@dataclass(frozen=True)
class SectionLine:
    text: str  # what the plan says
    mapped_to: str  # the need type, or what delivers the provision, in words


@dataclass(frozen=True)
class LocalAuthorityReport:
    """The school's report of the annual review, for the local authority and everyone invited."""

    school_name: str
    pupil_name: str
    date_of_birth: dt.date
    upn: str
    year_group: int
    local_authority: str
    issued_on: dt.date
    last_amended_on: dt.date | None
    meeting_on: dt.date
    invitations_sent_on: dt.date | None
    advice_requested_on: dt.date | None
    papers_circulated_on: dt.date | None
    who_attended: str
    parent_views: str
    pupil_views: str
    working: str
    not_working: str
    needs: tuple[SectionLine, ...]
    outcomes: tuple[OutcomeLine, ...]
    provision: tuple[SectionLine, ...]
    recommendation: str
    amendments: str
    differences: str
    prepared_by: str  # the SENCo's name, "" if unknown
    report_sent_on: dt.date | None = None


def _or_placeholder(text: str) -> str:
    return text.strip() or NOT_RECORDED


def _date_or_placeholder(day: dt.date | None) -> str:
    return in_words(day) if day is not None else NOT_RECORDED


class _Document(SectionedDocument):
    label_width = 62.0  # the annual review's labels ("Papers circulated to everyone invited") are longer

    def item(self, number: int, text: str, lines: tuple[tuple[str, str], ...]) -> None:
        """A numbered entry (an outcome, a need, some provision) with labelled lines below it."""
        if self.will_page_break(8 + 3 * _LINE):
            self.add_page()
        self._body("B")
        self._write_block(f"{number}. {_or_placeholder(text)}")
        self._body()
        for label, value in lines:
            self._write_block(f"{label}: {value}")
        self.ln(2)

    def outcomes(self, outcomes: tuple[OutcomeLine, ...], *, none: str) -> None:
        if not outcomes:
            self.paragraph(none)
        for number, line in enumerate(outcomes, start=1):
            rows = tuple(
                (
                    f"Target, by {in_words(t.by_when)}",
                    f"{t.what}. Progress so far: {_or_placeholder(t.progress)}",
                )
                for t in line.targets
            ) or (("Targets", "None linked yet"),)
            self.item(number, line.outcome, rows)

    def finish(self) -> bytes:
        return bytes(self.output())


def _version_note(version: int) -> str:
    return f" · Version {version}" if version else ""


def review_record_pdf(record: ReviewRecord) -> bytes:
    """The record of the annual review meeting as the family reads it, as PDF bytes."""
    name = record.pupil_name.strip() or "Your child"
    first = first_name(record.pupil_name)
    meeting = in_words(record.meeting_on)
    doc = _Document(
        title=f"Annual review of the EHC plan for {name}, {meeting}",
        footer=f"Annual review of {name}'s EHC plan{_version_note(record.version)}",
        school=record.school_name,
        made_on=record.meeting_on,
    )
    doc.title_block(f"Notes from {first}'s annual review", record.school_name)
    doc.details(
        (
            ("Name", name),
            ("School", _or_placeholder(record.school_name)),
            ("Local authority", _or_placeholder(record.local_authority)),
            ("Date of the meeting", meeting),
        )
    )
    doc.paragraph(
        f"Once a year we meet with you, {first} and the people who work with {first} to look at the "
        "education, health and care (EHC) plan: how things are going, and whether the plan still fits. "
        "These notes record what we talked about and what we are recommending. If anything here does not "
        "match what you remember, please tell us."
    )
    doc.heading("Who came")
    doc.paragraph(_or_placeholder(record.who_attended))
    doc.heading("What you told us")
    doc.paragraph(_or_placeholder(record.parent_views))
    doc.heading(f"What {first} told us")
    doc.paragraph(_or_placeholder(record.pupil_views))
    doc.heading(f"How {first} is getting on with the plan's outcomes")
    doc.outcomes(record.outcomes, none="The plan's outcomes have not been written into Tandem yet.")
    doc.heading("What is working")
    doc.paragraph(_or_placeholder(record.working))
    doc.heading("What is not working so well")
    doc.paragraph(_or_placeholder(record.not_working))
    doc.heading("What we are recommending")
    doc.paragraph(FOR_FAMILY.get(record.recommendation, NOT_RECORDED))
    if record.recommendation == "amend":
        doc.paragraph(_or_placeholder(record.amendments))
    doc.heading("What happens next")
    doc.paragraph(
        f"We send our report of this meeting to {_or_placeholder(record.local_authority)} and to everyone "
        f"who was invited by {in_words(report_due_by(record.meeting_on))}, two weeks after the meeting. "
        "The local authority then decides whether to keep the plan as it is, change it or stop it, and "
        "must write to tell you within four weeks of the meeting."
    )
    senco = record.senco.strip()
    who = f"{senco}, the school's special educational needs co-ordinator (SENCo)" if senco else "the SENCo"
    doc.paragraph(
        f"If you have any questions about these notes, please contact {who}. "
        "If you would like them in a different format or language, please ask us."
    )
    return doc.finish()


def _on_time(done: dt.date | None, due: dt.date, *, before: bool) -> str:
    if done is None:
        return NOT_RECORDED
    in_time = done <= due
    rule = "at least two weeks before the meeting" if before else "within two weeks of the meeting"
    verdict = rule if in_time else f"late: the Code asks for {rule}, by {in_words(due)}"
    return f"{in_words(done)} ({verdict})"


def local_authority_report_pdf(report: LocalAuthorityReport) -> bytes:
    """The school's report of the annual review for the local authority, as PDF bytes."""
    name = report.pupil_name.strip()
    meeting = in_words(report.meeting_on)
    doc = _Document(
        title=f"Annual review report: {name}, {meeting}",
        footer=f"Annual review report for {name}, meeting of {meeting}",
        school=report.school_name,
        made_on=report.meeting_on,
    )
    doc.title_block("Annual review of an EHC plan: the school's report", report.school_name)
    doc.details(
        (
            ("Child or young person", name),
            ("Date of birth", in_words(report.date_of_birth)),
            ("Unique pupil number", _or_placeholder(report.upn)),
            ("Year group", year_group_in_words(report.year_group)),
            ("School", _or_placeholder(report.school_name)),
            ("Local authority", _or_placeholder(report.local_authority)),
            ("Plan issued on", in_words(report.issued_on)),
            ("Plan last amended on", _date_or_placeholder(report.last_amended_on)),
            ("Review meeting held on", meeting),
        )
    )
    doc.paragraph(
        "This is the school's report of the annual review meeting, sent to the local authority and to "
        "everyone invited within two weeks of the meeting (SEND Code of Practice "
        f"{CODE['report_two_weeks_after']}), "
        f"so by {in_words(report_due_by(report.meeting_on))}."
    )
    doc.heading("How the review was prepared")
    doc.details(
        (
            (
                "Invitations sent",
                _on_time(report.invitations_sent_on, invitations_due_by(report.meeting_on), before=True),
            ),
            ("Advice asked for", _date_or_placeholder(report.advice_requested_on)),
            (
                "Advice circulated",
                _on_time(report.papers_circulated_on, papers_due_by(report.meeting_on), before=True),
            ),
        )
    )
    doc.heading("Who attended")
    doc.paragraph(_or_placeholder(report.who_attended))
    doc.heading("The views of the child's parents")
    doc.paragraph(_or_placeholder(report.parent_views))
    doc.heading("The views of the child or young person")
    doc.paragraph(_or_placeholder(report.pupil_views))
    doc.heading("Progress towards the outcomes in section E")
    doc.outcomes(report.outcomes, none="No outcomes from section E are recorded by the school.")
    doc.heading("What is working")
    doc.paragraph(_or_placeholder(report.working))
    doc.heading("What is not working")
    doc.paragraph(_or_placeholder(report.not_working))
    doc.heading("Needs in section B, as the school records them")
    if not report.needs:
        doc.paragraph("None recorded by the school.")
    for number, need in enumerate(report.needs, start=1):
        doc.item(number, need.text, (("Type of need", need.mapped_to),))
    doc.heading("Provision in section F, and how the school makes it")
    if not report.provision:
        doc.paragraph("None recorded by the school.")
    for number, entry in enumerate(report.provision, start=1):
        doc.item(
            number, entry.text, (("Delivered through", entry.mapped_to or "Not linked to a record yet"),)
        )
    doc.heading("The school's recommendation")
    doc.paragraph(FOR_LOCAL_AUTHORITY.get(report.recommendation, NOT_RECORDED) + ".")
    doc.heading("Amendments recommended")
    doc.paragraph(report.amendments.strip() or "None.")
    doc.heading("Where others at the meeting recommended differently")
    doc.paragraph(report.differences.strip() or "None recorded.")
    doc.heading("Report")
    doc.details(
        (
            ("Prepared by", _or_placeholder(report.prepared_by)),
            ("Due with the local authority by", in_words(report_due_by(report.meeting_on))),
            ("Sent on", _on_time(report.report_sent_on, report_due_by(report.meeting_on), before=False)),
        )
    )
    return doc.finish()
