"""The teacher's less-than-expected-progress list and the pupil page's progress section."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tandem.access.actor import actor_for
from tandem.plans.selectors import plan_for_parents
from tandem.plans.services import PlanFields, plan_create
from tandem.register.models import SenStatusPeriod
from tests import factories as f

REASON = "Made less progress this term than most pupils who started from a similar score."


def _results_for(school, pupils, windows, flagged_pupils):
    for window_index, window in enumerate(windows):
        current = window_index == len(windows) - 1
        for n, pupil in enumerate(pupils):
            flagged = current and pupil in flagged_pupils
            yield {
                "pupil": pupil,
                "subject_id": "maths",
                "window": window,
                "percentile": 12 if flagged else 55,
                "peers": 1 if flagged else 0,
                "flagged": flagged,
                "is_current": current,
                "reasons": {"peers": REASON} if flagged else {},
                "figures": {
                    "score": 100 - 4 * window_index * flagged + n,
                    "peer_p25": 95,
                    "peer_median": 100,
                    "peer_p75": 105,
                },
                "norm_n": 1200,
            }


@pytest.fixture
def analysed(world):
    for school in (world.a, world.b):
        windows = [
            f.make_window(school=school.school, start_year=2025, term=t)
            for t in ("autumn", "spring", "summer")
        ]
        pupils = [school.taught_pupil, school.ehc_pupil, school.untaught_pupil]
        flagged = {school.taught_pupil, school.untaught_pupil}
        f.make_progress_run(
            school=school.school, results=_results_for(school.school, pupils, windows, flagged)
        )
    return world


def test_it_lists_a_teachers_own_flagged_pupils_with_reasons(client, analysed):
    client.force_login(analysed.a.teacher)
    body = client.get(reverse("progress_list")).content.decode()
    assert "SentinelaSupport" in body and REASON in body
    assert "SentinelaUntaught" not in body  # flagged, but not in this teacher's groups
    assert "SentinelaEhc" not in body  # in the group, not flagged
    assert "Sentinelb" not in body


def test_it_lists_the_whole_school_for_the_senco(client, analysed):
    client.force_login(analysed.a.senco)
    body = client.get(reverse("progress_list")).content.decode()
    assert "SentinelaSupport" in body and "SentinelaUntaught" in body
    assert "Sentinelb" not in body
    assert "Flags in the latest assessment: 2" in body


def test_it_says_so_when_no_analysis_has_run(client, world):
    client.force_login(world.a.teacher)
    assert "No analysis has been run yet" in client.get(reverse("progress_list")).content.decode()


def test_it_shows_the_pupils_chart_with_a_table_alternative(client, analysed):
    client.force_login(analysed.a.teacher)
    body = client.get(reverse("pupil_detail", args=[analysed.a.taught_pupil.pk])).content.decode()
    assert '<svg viewBox="0 0 640 280" role="img"' in body
    assert "Less than expected progress in the latest assessment" in body and REASON in body
    assert "95 to 105 (middle 100)" in body  # the band, in the table too
    assert body.count("<circle") == 3


def test_it_never_uses_the_language_of_sen_for_a_progress_flag(client, analysed):
    client.force_login(analysed.a.teacher)
    body = client.get(reverse("progress_list")).content.decode().lower()
    assert "not a judgement that a pupil has special educational needs" in body


def test_it_counts_flags_by_year_group_class_status_and_need(client, analysed):
    client.force_login(analysed.a.senco)
    summary = client.get(reverse("progress_summary")).context["summary"]
    assert [(r.label, r.results, r.flagged) for r in summary.by_year] == [("Year 4", 2, 1), ("Year 5", 1, 1)]
    assert sorted((r.label, r.results, r.flagged) for r in summary.by_group) == [("4A", 2, 1), ("5A", 1, 1)]
    assert sorted((r.label, r.flagged) for r in summary.by_status) == [("EHC plan", 0), ("SEN support", 2)]
    assert sorted((r.label, r.flagged) for r in summary.by_need) == [("ASD", 0), ("SLCN", 1), ("SPLD", 1)]
    assert [g.window for g in summary.gaps] == []  # no gaps stored in this fixture


def test_it_summarises_only_a_teachers_own_pupils(client, analysed):
    client.force_login(analysed.a.teacher)
    summary = client.get(reverse("progress_summary")).context["summary"]
    assert sum(r.results for r in summary.by_year) == 2


# ---------------------------------------------------------------- two lists (issue 12)
FIRST_HEADING = "Not on the SEN register: consider a first response"
REVIEW_HEADING = "On the SEN register: bring to their next review"


@pytest.fixture
def two_lists(analysed):
    """School a: Kai (SEN support) and Robin (taken off the register today) are flagged."""
    SenStatusPeriod.objects.filter(pupil=analysed.a.untaught_pupil, ends_on__isnull=True).update(
        ends_on=timezone.localdate()
    )
    return analysed


def _sections(body: str) -> tuple[str, str]:
    """The page from the first list's heading to the second's, and from the second's on."""
    first = body.index(FIRST_HEADING)
    second = body.index(REVIEW_HEADING)
    assert first < second
    return body[first:second], body[second:]


def test_it_splits_the_senco_s_flags_by_sen_status_into_two_lists(client, two_lists):
    client.force_login(two_lists.a.senco)
    response = client.get(reverse("progress_list"))
    lists = response.context["lists"]
    assert [r.pupil for r in lists.first_response] == [two_lists.a.untaught_pupil]
    assert [r.pupil for r in lists.next_review] == [two_lists.a.taught_pupil]
    body = response.content.decode()
    assert f"{FIRST_HEADING} (1)" in body and f"{REVIEW_HEADING} (1)" in body
    off_register, on_register = _sections(body)
    assert "SentinelaUntaught" in off_register and "SentinelaSupport" not in off_register
    assert "SentinelaSupport" in on_register and "SentinelaUntaught" not in on_register
    # Staff keep the reasons with their figures in both lists.
    assert REASON in off_register and REASON in on_register


def test_it_offers_a_first_response_only_for_pupils_off_the_register(client, two_lists):
    client.force_login(two_lists.a.senco)
    off_register, on_register = _sections(client.get(reverse("progress_list")).content.decode())
    link = reverse("first_response_new", args=[two_lists.a.untaught_pupil.pk])
    assert link in off_register
    assert "Record a first response" not in on_register
    assert "Next plan review" in on_register and "No open support plan" in on_register


def test_it_shows_the_open_plans_review_date_on_the_second_list(client, two_lists):
    f.make_plan(two_lists.a.taught_pupil, review_on=dt.date(2031, 3, 14))
    client.force_login(two_lists.a.senco)
    _, on_register = _sections(client.get(reverse("progress_list")).content.decode())
    assert "14 March 2031" in on_register


def test_it_shows_a_teacher_an_empty_first_list_without_an_empty_table(client, analysed):
    client.force_login(analysed.a.teacher)
    body = client.get(reverse("progress_list")).content.decode()
    off_register, on_register = _sections(body)
    assert f"{FIRST_HEADING} (0)" in body and "<table" not in off_register
    assert "No pupil off the SEN register shows less than expected progress" in off_register
    assert "SentinelaSupport" in on_register


def test_it_names_the_list_in_the_flags_download(client, two_lists):
    client.force_login(two_lists.a.senco)
    response = client.get(reverse("export_flags"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[-2:] == ["Why", "List"] and header[:3] == ["UPN", "Legal Surname", "Legal Forename"]
    lists = {row[header.index("Legal Surname")]: row[-1] for row in body}
    assert lists == {
        "SentinelaSupport": "Bring to their next review",
        "SentinelaUntaught": "Consider a first response",
    }


# ---------------------------------------------------------------- parent wording, never disagreeing
@pytest.fixture
def borderline(world):
    """Ellis: growth percentile 18 whose interval reaches 27, so (a) does not hold. Kai: flagged by (a)."""
    school = world.a
    windows = [f.make_window(school=school.school, start_year=2025, term=t) for t in ("autumn", "spring")]
    results = []
    for i, window in enumerate(windows):
        last = i == 1
        results += [
            {
                "pupil": school.ehc_pupil,
                "subject_id": "reading",
                "window": window,
                "percentile": 18 if last else 50,
                "percentile_low": 10 if last else 40,
                "percentile_high": 27 if last else 60,
                "flagged": False,
                "is_current": last,
                "figures": {"score": 96},
            },
            {
                "pupil": school.taught_pupil,
                "subject_id": "reading",
                "window": window,
                "percentile": 12 if last else 50,
                "percentile_low": 6 if last else 40,
                "percentile_high": 17 if last else 60,
                "peers": 1 if last else 0,
                "flagged": last,
                "is_current": last,
                "reasons": {"peers": REASON} if last else {},
                "figures": {"score": 90},
            },
        ]
    f.make_progress_run(school=school.school, results=results)
    return world


def test_it_words_a_low_unflagged_percentile_by_its_flag_on_the_pupil_page(client, borderline):
    client.force_login(borderline.a.senco)
    body = client.get(reverse("pupil_detail", args=[borderline.a.ehc_pupil.pk])).content.decode()
    assert (
        "18, below 20 but within measurement error of it (it could be as high as 27), so not flagged" in body
    )
    assert "<td>18</td>" not in body  # never a bare 18 beside "below 20 is flagged"
    assert "Ellis made the progress we would expect in reading in the spring term." in body


def test_it_gives_the_family_a_sentence_without_figures_on_the_pupil_page(client, borderline):
    client.force_login(borderline.a.teacher)
    body = client.get(reverse("pupil_detail", args=[borderline.a.taught_pupil.pk])).content.decode()
    sentence = (
        "Kai made less progress in reading in the spring term than most pupils who started at the same level."
    )
    assert f"<strong>In words for the family:</strong> {sentence}" in body
    assert "12, below 20 even allowing for measurement error: flagged" in body  # teachers keep the figures


def test_it_fills_plan_evidence_that_agrees_with_each_flag(client, borderline):
    client.force_login(borderline.a.senco)
    response = client.get(reverse("plan_new", args=[borderline.a.ehc_pupil.pk]))
    evidence = response.context["form"].initial["evidence"]
    assert evidence == (
        "Reading (Spr 25/26): growth percentile 18, below 20 but within measurement error of it "
        "(it could be as high as 27), so not flagged; overall not flagged."
    )
    response = client.get(reverse("plan_new", args=[borderline.a.taught_pupil.pk]))
    evidence = response.context["form"].initial["evidence"]
    assert evidence == (
        "Reading (Spr 25/26): growth percentile 12, below 20 even allowing for measurement error: flagged; "
        "overall flagged for less than expected progress (slower than peers from the same starting point)."
    )


def test_it_prints_the_parent_sentence_not_the_figures_in_the_plan_for_parents(client, borderline):
    senco = actor_for(borderline.a.senco)
    pupil = borderline.a.taught_pupil
    plan = plan_create(
        actor=senco,
        pupil_id=pupil.pk,
        fields=PlanFields(
            accountable_teacher_id=borderline.a.teacher.pk,
            summary="Summary.",
            strengths="Strengths.",
            needs="Needs.",
            pupil_views="Views.",
            parent_views="Views.",
            strategies="Strategies.",
            expected_impact="Impact.",
            starts_on=timezone.localdate(),
            review_on=timezone.localdate() + dt.timedelta(days=42),
        ),
    )
    document = plan_for_parents(actor=senco, plan_id=plan.pk)
    sentence = (
        "Kai made less progress in reading in the spring term than most pupils who started at the same level."
    )
    assert document.progress == (sentence,)
    for text in document.progress:
        assert not re.search(r"\d|%|\bSD\b|percentile|criterion", text, re.IGNORECASE)
    client.force_login(borderline.a.senco)
    pdf = client.get(reverse("plan_pdf", args=[plan.pk])).content
    printed = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "How Kai got on in school assessments" in printed and sentence in printed
    assert "percentile" not in printed.lower()
