import datetime
import io
from dataclasses import replace
from functools import cache

from pypdf import PdfReader

from tandem.exchange.parent_pdf import (
    JARGON,
    NOT_RECORDED,
    ParentMeetingRecord,
    ParentPlan,
    ParentTarget,
    date_in_words,
    find_jargon,
    first_name,
    meeting_pdf,
    plan_pdf,
    year_group_in_words,
)

READING = ParentTarget(
    what="Reading words with two syllables, such as 'rabbit' and 'garden'",
    how_measured="Mr Obi listens to Łukasz read a list of 20 words every Friday",
    starting_point="Łukasz reads 8 of the 20 words without help",
    success_looks_like="Łukasz reads 16 of the 20 words without help",
    by_when=datetime.date(2027, 2, 12),
    who_helps="Mrs Khan (class teacher) and Mr Obi (teaching assistant)",
    progress="He read 11 of the 20 words last week and was proud of himself",
)
FRIENDSHIPS = ParentTarget(
    what="Joining in with a game at playtime",
    how_measured="Staff on the playground note who he plays with each day",
    starting_point="He usually plays on his own",
    success_looks_like="He joins a game with two or more friends on most days",
    by_when=datetime.date(2027, 3, 5),
    who_helps="Miss Zoë Adeyemi (lunchtime supervisor)",
)
PLAN = ParentPlan(
    school_name="Greenfield Primary School",
    pupil_name="Łukasz Nowak",
    year_group=4,
    written_on=datetime.date(2026, 11, 23),
    review_on=datetime.date(2027, 2, 26),
    cycle=2,
    class_teacher="Mrs Khan",
    senco="Mr Nguyễn",
    strengths="Łukasz is kind, loves building models and explains his ideas well out loud.",
    needs="Reading longer words is hard for him, and he can find busy playtimes worrying.",
    what_helps="Word mats on his table, extra time to answer, and a quiet place to calm down.",
    extra_support="A small reading group with Mr Obi three mornings a week for 20 minutes.",
    expected_impact="We expect him to read more books on his own and to feel happier at playtime.",
    pupil_views="I like the reading group because it is quiet.",
    parent_views="",
    targets=(READING, FRIENDSHIPS),
)
MEETING = ParentMeetingRecord(
    school_name="Greenfield Primary School",
    pupil_name="Zoë Adeyemi",
    held_on=datetime.date(2026, 11, 23),
    led_by="Mrs Khan",
    who_attended="Mrs Adeyemi (mum), Zoë, Mrs Khan (class teacher)",
    parent_views="Zoë is tired after school and worries about spelling tests.",
    pupil_views="I like art. Spelling makes me nervous.",
    discussed="How Zoë is getting on with spelling and what helps her at home.",
    agreed_actions="Mrs Khan will send the spelling words home on Mondays.",
    next_meeting_on=datetime.date(2027, 1, 18),
)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _words(pdf: bytes) -> str:
    """All the text, with line breaks and runs of spaces made single spaces."""
    return " ".join(" ".join(_pages(pdf)).split())


@cache
def _plan() -> bytes:
    return plan_pdf(PLAN)


@cache
def _meeting() -> bytes:
    return meeting_pdf(MEETING)


@cache
def _empty_plan() -> bytes:
    """A plan with every free-text field empty: all that is printed is our own wording."""
    return plan_pdf(
        ParentPlan(
            school_name="",
            pupil_name="Amy Lee",
            year_group=0,
            written_on=datetime.date(2026, 9, 1),
            review_on=datetime.date(2026, 12, 1),
            cycle=1,
            class_teacher="",
            senco="",
            strengths="",
            needs="",
            what_helps="",
            extra_support="",
            expected_impact="",
            pupil_views="",
            parent_views="",
            targets=(ParentTarget("", "", "", "", datetime.date(2026, 12, 1), ""),),
        )
    )


@cache
def _empty_meeting() -> bytes:
    return meeting_pdf(
        ParentMeetingRecord("", "Amy Lee", datetime.date(2026, 9, 1), "", "", "", "", "", "", None)
    )


def test_it_writes_pdf_bytes():
    assert _plan().startswith(b"%PDF")
    assert _meeting().startswith(b"%PDF")


def test_it_prints_names_outside_latin_1():
    plan = _words(_plan())
    assert "Łukasz Nowak" in plan
    assert "Mr Nguyễn" in plan
    assert "Miss Zoë Adeyemi" in plan
    assert "Zoë Adeyemi" in _words(_meeting())


def test_it_prints_every_target_in_full():
    text = _words(_plan())
    for number, target in enumerate(PLAN.targets, start=1):
        assert f"Target {number}: {target.what}" in text
        for words in (
            target.how_measured,
            target.starting_point,
            target.success_looks_like,
            target.who_helps,
        ):
            assert words in text
    assert READING.progress in text


def test_it_writes_dates_in_words():
    plan = _words(_plan())
    for date in ("23 November 2026", "26 February 2027", "12 February 2027", "5 March 2027"):
        assert date in plan
    meeting = _words(_meeting())
    assert "23 November 2026" in meeting
    assert "We will meet again on 18 January 2027." in meeting


def test_it_uses_plain_headings_with_the_childs_first_name():
    text = _words(_plan())
    for heading in (
        "Your child's support plan",
        "What Łukasz is good at",
        "Where Łukasz needs extra help",
        "What we are working on",
        "How we help Łukasz in class",
        "How we will know it has worked",
        "What Łukasz told us",
        "What you told us",
        "When we will look at this again",
        "Who to talk to",
    ):
        assert heading in text
    assert "It is Łukasz's second support plan" in text
    assert "Mr Nguyễn is the school's special educational needs co-ordinator (SENCo)" in text


def test_it_uses_plain_headings_in_the_meeting_notes():
    text = _words(_meeting())
    for heading in (
        "Notes from our meeting about Zoë",
        "Who came",
        "What you told us",
        "What Zoë told us",
        "What we talked about",
        "What we agreed to do",
        "When we will meet again",
        "Who to talk to",
    ):
        assert heading in text
    for words in (MEETING.parent_views, MEETING.pupil_views, MEETING.discussed, MEETING.agreed_actions):
        assert words in text


def test_it_says_not_recorded_yet_instead_of_a_blank():
    assert f"What you told us {NOT_RECORDED}" in _words(_plan())
    plan = _words(_empty_plan())
    assert plan.count(NOT_RECORDED) >= 10
    assert "Reception" in plan
    assert "It is Amy's first support plan." in plan
    meeting = _words(_empty_meeting())
    assert meeting.count(NOT_RECORDED) >= 6
    assert "We have not set a date yet." in meeting


def test_it_keeps_jargon_out_of_both_documents():
    assert find_jargon(_words(_plan())) == []
    assert find_jargon(_words(_meeting())) == []


def test_it_adds_no_jargon_of_its_own():
    assert find_jargon("\n".join(_pages(_empty_plan()))) == []
    assert find_jargon("\n".join(_pages(_empty_meeting()))) == []


def test_it_finds_codes_as_whole_words():
    sample = "Provision K, need SEMH (see the APDR), UPN on file; also SpLD and HQT, K again."
    assert find_jargon(sample) == ["APDR", "HQT", "K", "SEMH", "SpLD", "UPN"]


def test_it_ignores_codes_inside_ordinary_words():
    assert find_jargon("Kettle, SENCo, SENCO, Semh, Neighbour, Ernie, Asda, Hi there, asd") == []
    assert find_jargon("E-safety lessons, N/A, Kate's class") == []
    assert find_jargon("") == []


def test_it_lists_the_census_and_house_codes_but_allows_senco():
    for code in ("K", "E", "N", "SLCN", "SEMH", "SpLD", "MLD", "ASD", "NSA", "OTH", "APDR", "UPN"):
        assert code in JARGON
    assert "SENCo" not in JARGON


def test_it_flows_long_text_onto_more_pages():
    assert len(_pages(_meeting())) == 1
    long_text = " ".join(f"Sentence {n} of our long talk about reading at home." for n in range(1, 400))
    long_text += " These are the very last words."
    record = replace(MEETING, discussed=long_text)
    pages = _pages(meeting_pdf(record))
    assert len(pages) > 2
    text = " ".join(" ".join(pages).split())
    assert "These are the very last words." in text
    assert "Sentence 399 of our long talk" in text
    # The sections after the long one still follow it.
    assert text.index("These are the very last words.") < text.index("What we agreed to do")


def test_it_is_deterministic():
    assert plan_pdf(PLAN) == _plan()
    assert meeting_pdf(MEETING) == _meeting()


def test_it_sets_the_title_and_language():
    reader = PdfReader(io.BytesIO(_plan()))
    assert reader.metadata is not None
    assert reader.metadata.title == "Support plan for Łukasz Nowak"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    meeting = PdfReader(io.BytesIO(_meeting()))
    assert meeting.metadata is not None
    assert meeting.metadata.title == "Meeting notes for Zoë Adeyemi, 23 November 2026"


def test_it_joins_names_written_with_combining_accents():
    decomposed = "Zoe\u0308 Adeyemi"
    record = replace(MEETING, pupil_name=decomposed)
    assert "Zoë Adeyemi" in _words(meeting_pdf(record))


def test_it_writes_small_things_in_words():
    assert date_in_words(datetime.date(2026, 11, 3)) == "3 November 2026"
    assert year_group_in_words(-1) == "Nursery"
    assert year_group_in_words(0) == "Reception"
    assert year_group_in_words(11) == "Year 11"
    assert first_name("  Łukasz  Nowak ") == "Łukasz"
    assert first_name("") == "your child"
