"""Reads of stored Code 6.17 results, always through the access scopes."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Case, CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from tandem.access.actor import Actor
from tandem.access.policy import Resource
from tandem.access.scopes import current_enrolments, pupil_or_404, pupil_record_or_404, pupils_in_scope
from tandem.audit.services import audit_record
from tandem.lib.dates import TERMS, term_label
from tandem.people.models import Pupil, year_group_label
from tandem.plans.models import SupportPlan
from tandem.progress.chart import ChartGeometry, ChartPoint, progress_chart
from tandem.progress.explain import parent_sentences, percentile_notes
from tandem.progress.models import (
    AnalysisRun,
    FirstResponse,
    ProgressResult,
    ProgressSettingsRecord,
    RunStatus,
)
from tandem.progress.settings import EDITABLE_SETTINGS, ProgressSettings, setting_reasons, settings_with
from tandem.progress.summary import FlagShare
from tandem.register.models import Provision, SenNeed, SenStatusPeriod
from tandem.revisions.kinds import FIRST_RESPONSE
from tandem.revisions.selectors import HistoryRow, record_history
from tandem.schools.models import School, Trust

LITERACY = ("reading", "writing")

CRITERIA = (
    ("peers", "Slower than peers from the same starting point"),
    ("own_rate", "Slower than the pupil's own previous rate"),
    ("not_closing", "Gap to peers not closing"),
    ("widening", "Gap to peers widening"),
)


def latest_runs(*, actor: Actor) -> dict[int, AnalysisRun]:
    """For each school in the actor's view, the newest finished run that covers it (its own run or its
    trust's). Schools are analysed one by one (after imports, nightly), so across a trust each school's
    results come from its own newest run, never from another school's."""
    if actor.school_id is not None:
        school = School.objects.filter(pk=actor.school_id).only("trust_id").first()
        schools = [(actor.school_id, school.trust_id if school else None)]
    elif actor.trust_id is not None:
        schools = list(School.objects.filter(trust_id=actor.trust_id).values_list("pk", "trust_id"))
    else:
        schools = []
    if not schools:
        return {}
    trusts = {trust for _, trust in schools if trust is not None}
    runs = AnalysisRun.objects.filter(status=RunStatus.DONE).filter(
        Q(school_id__in=[pk for pk, _ in schools]) | Q(trust_id__in=trusts)
    )
    newest: dict[int, AnalysisRun] = {}
    for run in runs.order_by("finished_at", "id"):  # later runs overwrite earlier ones
        for pk, trust in schools:
            if run.school_id == pk or (run.trust_id is not None and run.trust_id == trust):
                newest[pk] = run
    return newest


def _newest(runs: dict[int, AnalysisRun]) -> AnalysisRun | None:
    """The newest of the runs behind what the actor sees (the page's "analysed on", its thresholds)."""
    return max(runs.values(), key=lambda run: (run.finished_at, run.pk), default=None)


def _results(actor: Actor, runs: dict[int, AnalysisRun]) -> QuerySet[ProgressResult]:
    visible = pupils_in_scope(actor, Resource.PROGRESS).values("pk")
    each_school = Q(pk__in=[])
    for school_id, run in runs.items():
        each_school |= Q(run_id=run.pk, school_id=school_id)
    return ProgressResult.objects.filter(each_school, pupil_id__in=visible)


def _current_provision() -> Coalesce:
    """Today's SEN status as a column: the open period's code, or N when there is none."""
    return Coalesce(
        Subquery(
            SenStatusPeriod.objects.filter(pupil=OuterRef("pupil_id"), ends_on__isnull=True).values(
                "provision"
            )[:1]
        ),
        Value(Provision.NONE.value),
    )


ON_REGISTER = (Provision.SEN_SUPPORT.value, Provision.EHC_PLAN.value)
FIRST_RESPONSE_LIST = "Consider a first response"
NEXT_REVIEW_LIST = "Bring to their next review"


def list_for(provision: str) -> str:
    """Which of the two lists a flag belongs on, by the pupil's SEN status today."""
    return NEXT_REVIEW_LIST if provision in ON_REGISTER else FIRST_RESPONSE_LIST


_BY_PUPIL = ("pupil__legal_surname", "pupil__legal_forename", "pupil_id", "subject_id")
# The columns the flag lists sort by (the School column only shows across a trust).
FLAG_SORTS: dict[str, tuple[str, ...]] = {
    "name": _BY_PUPIL,
    "year": ("pupil__year_group", *_BY_PUPIL),
    "subject": ("subject__name", *_BY_PUPIL),
    "school": ("school__name", *_BY_PUPIL),
}


def flagged_list(
    *, actor: Actor, subject: str | None = None, order: tuple[str, ...] = _BY_PUPIL
) -> tuple[AnalysisRun | None, QuerySet[ProgressResult]]:
    """Flagged results in each school's newest analysed window, for the pupils the actor may see.

    Each row carries `provision` (today's SEN status, N when none) and `next_review` (the open support
    plan's review date, if any), so the two lists and the download need no query per pupil.
    """
    runs = latest_runs(actor=actor)
    run = _newest(runs)
    if run is None:
        return None, ProgressResult.objects.none()
    results = _results(actor, runs).filter(is_current=True, flagged=True)
    if subject:
        results = results.filter(subject_id=subject)
    next_review = Subquery(
        SupportPlan.objects.filter(pupil=OuterRef("pupil_id"), reviewed_on__isnull=True)
        .order_by("review_on")
        .values("review_on")[:1]
    )
    return run, (
        results.annotate(provision=_current_provision(), next_review=next_review)
        .select_related("pupil", "school", "subject", "window__academic_year")
        .order_by(*order)
    )


@dataclass
class FlagLists:
    """Two lists, not one: the first response is for pupils not on the SEN register (Code 6.19); a pupil
    on it already has a plan, and the flag is evidence for its next review (Code 6.52)."""

    run: AnalysisRun | None
    first_response: list[ProgressResult]  # not on the register
    next_review: list[ProgressResult]  # SEN support or an EHC plan

    @property
    def total(self) -> int:
        return len(self.first_response) + len(self.next_review)


def flag_lists(*, actor: Actor, subject: str | None = None, order: tuple[str, ...] = _BY_PUPIL) -> FlagLists:
    """The flagged results split by the pupil's SEN status today, each list in `order`. One query."""
    run, results = flagged_list(actor=actor, subject=subject, order=order)
    lists = FlagLists(run, [], [])
    for result in results:
        on_register = list_for(result.provision) == NEXT_REVIEW_LIST  # type: ignore[attr-defined]
        (lists.next_review if on_register else lists.first_response).append(result)
    return lists


def subject_in_sentence(name: str) -> str:
    """ "Mathematics" reads "mathematics" mid-sentence; languages and acronyms keep their capitals."""
    if not name or name.split()[0] in LANGUAGES or name[:2].isupper():
        return name
    return name[0].lower() + name[1:]


LANGUAGES = frozenset({"English", "French", "German", "Spanish", "Latin", "Welsh", "Italian", "Mandarin"})


def parent_sentence(row: ProgressResult, *, name: str, when: str = "this term") -> str:
    """One result in a parent's words (no figures): what the parent-facing documents print."""
    return str(
        parent_sentences(
            name=name,
            subject=subject_in_sentence(row.subject.name),
            when=when,
            peers=row.peers,
            own_rate=row.own_rate,
            not_closing=row.not_closing,
            widening=row.widening,
        )
    )


def percentile_note(row: ProgressResult, *, threshold: int) -> str:
    """The growth percentile for staff, worded by the stored flag (see `explain.percentile_notes`)."""
    return str(
        percentile_notes(
            percentile=-1 if row.percentile is None else row.percentile,
            high=-1 if row.percentile_high is None else row.percentile_high,
            peers=row.peers,
            threshold=threshold,
        )
    )


def run_threshold(run: AnalysisRun | None) -> int:
    """The growth-percentile threshold the run used (older runs stored no settings: the default)."""
    stored = (run.settings or {}).get("growth_threshold") if run is not None else None
    return int(stored) if stored else ProgressSettings().growth_threshold


@dataclass
class SubjectProgress:
    subject: str
    subject_name: str
    rows: list[ProgressResult] = field(default_factory=list)
    threshold: int = ProgressSettings().growth_threshold
    pupil_name: str = ""  # how the pupil is called, for the parent sentence

    @property
    def latest(self) -> ProgressResult | None:
        return self.rows[-1] if self.rows else None

    @property
    def parent_sentence(self) -> str:
        """The latest result in a parent's words; teachers keep the figures beside it."""
        row = self.latest
        return "" if row is None else parent_sentence(row, name=self.pupil_name, when=window_when(row))

    @property
    def table(self) -> list[tuple[ProgressResult, str]]:
        """Each result with its growth percentile worded by the stored flag, so the two never disagree."""
        return [(row, percentile_note(row, threshold=self.threshold)) for row in self.rows]

    @property
    def chart(self) -> ChartGeometry | None:
        return progress_chart(
            [
                ChartPoint(
                    label=window_label(row),
                    score=row.figures.get("score"),
                    peer_low=row.figures.get("peer_p25"),
                    peer_median=row.figures.get("peer_median"),
                    peer_high=row.figures.get("peer_p75"),
                )
                for row in self.rows
            ]
        )


def window_label(row: ProgressResult) -> str:
    """ "Spr 25/26": short enough for a chart axis."""
    window = row.window
    start = window.academic_year.start_year
    return f"{window.get_term_display()[:3]} {start % 100:02d}/{(start + 1) % 100:02d}"


def window_when(row: ProgressResult) -> str:
    """ "in the spring term": when a result was, for a parent, without figures (documents outlive terms)."""
    return f"in the {row.window.get_term_display().lower()} term"


def called(pupil: Pupil) -> str:
    """The name a family uses for the pupil in a sentence."""
    return pupil.preferred_forename or pupil.legal_forename


def pupil_progress(*, actor: Actor, pupil_id: uuid.UUID) -> list[SubjectProgress]:
    """Every analysed window for one pupil from the latest run, per subject, oldest first."""
    pupil = pupil_or_404(actor, pupil_id, Resource.PROGRESS)
    run = latest_runs(actor=actor).get(pupil.school_id)
    if run is None:
        return []
    rows = (
        ProgressResult.objects.filter(run=run, pupil=pupil)
        .select_related("subject", "window__academic_year")
        .order_by("subject_id", "window__opens_on")
    )
    threshold, name = run_threshold(run), called(pupil)
    by_subject: dict[str, SubjectProgress] = defaultdict(
        lambda: SubjectProgress("", "", threshold=threshold, pupil_name=name)
    )
    for row in rows:
        entry = by_subject[row.subject_id]
        entry.subject, entry.subject_name = row.subject_id, row.subject.name
        entry.rows.append(row)
    return list(by_subject.values())


@dataclass
class CountRow:
    label: str
    results: int
    flagged: int

    @property
    def percent(self) -> float:
        return 100.0 * self.flagged / self.results if self.results else 0.0


@dataclass
class GapRow:
    window: str
    sen_gap: float | None
    other_gap: float | None
    sen_n: int
    other_n: int

    @property
    def difference(self) -> float | None:
        if self.sen_gap is None or self.other_gap is None:
            return None
        return self.sen_gap - self.other_gap


@dataclass
class ProgressSummary:
    run: AnalysisRun | None
    by_year: list[CountRow]
    by_group: list[CountRow]
    by_status: list[CountRow]
    by_need: list[CountRow]
    gaps: list[GapRow]


def _counts(rows: Any, key: str, label: Callable[[Any], str]) -> list[CountRow]:
    grouped = rows.order_by().values(key).annotate(n=Count("id"), hits=Count("id", filter=Q(flagged=True)))
    return [CountRow(label(r[key]), r["n"], r["hits"]) for r in grouped.order_by(key)]


def sen_gap_averages(results: QuerySet[ProgressResult], *, by: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The mean gap to peers of pupils on the SEN register (`provision` annotated, today's status) and of
    the rest, per assessment window (and `by` fields), oldest window first; each row has its `window`
    label, sen_gap, other_gap, sen_n and other_n. One grouped query."""
    sen = Q(provision__in=[Provision.SEN_SUPPORT, Provision.EHC_PLAN])
    rows = list(
        results.exclude(gap__isnull=True)
        .order_by()
        .values("window__academic_year__start_year", "window__term", *by)
        .annotate(
            sen_gap=Avg("gap", filter=sen),
            other_gap=Avg("gap", filter=~sen),
            sen_n=Count("id", filter=sen),
            other_n=Count("id", filter=~sen),
        )
    )
    for row in rows:
        row["window"] = term_label(row["window__term"], row["window__academic_year__start_year"])
    return sorted(
        rows,
        key=lambda r: (
            r["window__academic_year__start_year"],
            TERMS.index(r["window__term"]),
            *(r[name] for name in by),
        ),
    )


def progress_summary(*, actor: Actor) -> ProgressSummary:
    """Flag counts by year, class or set, SEN status and need, and SEN vs other gaps over time.

    A handful of grouped queries whatever the number of pupils. SEN status is today's, applied to
    every window: the register's history is not replayed here.
    """
    runs = latest_runs(actor=actor)
    run = _newest(runs)
    if run is None:
        return ProgressSummary(None, [], [], [], [], [])
    provision = _current_provision()
    primary_need = Subquery(
        SenNeed.objects.filter(pupil=OuterRef("pupil_id"), ends_on__isnull=True, rank=1).values(
            "need_type_id"
        )[:1]
    )
    results = _results(actor, runs).annotate(provision=provision, primary_need=primary_need)
    current = results.filter(is_current=True)
    labels = dict(Provision.choices)
    # The group accountable for a subject: the class, or the set for it (English sets for literacy).
    group_subject = Case(
        When(subject_id__in=LITERACY, then=Value("english")),
        default=F("subject_id"),
        output_field=CharField(),
    )
    group_name = Subquery(
        current_enrolments()
        .filter(pupil_id=OuterRef("pupil_id"))
        .filter(Q(group__subject__isnull=True) | Q(group__subject_id=OuterRef("group_subject")))
        .order_by("group__name")
        .values("group__name")[:1]
    )
    sen = Q(provision__in=[Provision.SEN_SUPPORT, Provision.EHC_PLAN])
    gaps = sen_gap_averages(results)
    return ProgressSummary(
        run=run,
        by_year=_counts(current, "pupil__year_group", year_group_label),
        by_group=_counts(
            current.annotate(group_subject=group_subject, group_name=group_name),
            "group_name",
            lambda name: name or "No class or set",
        ),
        by_status=_counts(current, "provision", lambda code: labels.get(code, code)),
        by_need=_counts(current.filter(sen), "primary_need", lambda code: code or "Not recorded"),
        gaps=[
            GapRow(
                window=r["window"],
                sen_gap=r["sen_gap"],
                other_gap=r["other_gap"],
                sen_n=r["sen_n"],
                other_n=r["other_n"],
            )
            for r in gaps
        ],
    )


def progress_snapshot(*, actor: Actor, pupil_id: uuid.UUID) -> list[dict[str, object]]:
    """The pupil's newest figures per subject, as a plan's Assess step stores them (Code 6.45)."""
    snapshot: list[dict[str, object]] = []
    for subject in pupil_progress(actor=actor, pupil_id=pupil_id):
        row = subject.latest
        if row is None:
            continue
        snapshot.append(
            {
                "subject": subject.subject_name,
                "window": window_label(row),
                "percentile": row.percentile,
                "gap": None if row.gap is None else round(row.gap, 2),
                "flagged": row.flagged,
                "reasons": [text for text in row.reasons.values() if text],
                # Worded from the stored flag, so plan evidence and flag cannot disagree.
                "evidence": evidence_line(row, subject.subject_name, threshold=subject.threshold),
                "parent": subject.parent_sentence,
            }
        )
    return snapshot


def evidence_line(row: ProgressResult, subject_name: str, *, threshold: int) -> str:
    """A plan's evidence line for staff: the figures, worded by the flag that was stored with them."""
    held = [label.lower() for key, label in CRITERIA if getattr(row, key) == 1]
    verdict = (
        "flagged for less than expected progress (" + "; ".join(held) + ")" if row.flagged else "not flagged"
    )
    note = percentile_note(row, threshold=threshold)
    return f"{subject_name} ({window_label(row)}): {note}; overall {verdict}."


@dataclass(frozen=True)
class FirstResponseDetail:
    response: FirstResponse
    history: list[HistoryRow]


def first_response_detail(*, actor: Actor, response_id: uuid.UUID) -> FirstResponseDetail:
    response = pupil_record_or_404(actor, FirstResponse, response_id, Resource.FIRST_RESPONSE)
    audit_record(
        actor=actor,
        action="first_response.view",
        target_type="first_response",
        target_id=response.pk,
        school_id=response.school_id,
    )
    history = record_history(actor=actor, kind=FIRST_RESPONSE, record_id=response.pk)
    return FirstResponseDetail(response=response, history=history)


def flag_for_pupil(*, actor: Actor, pupil_id: uuid.UUID, result_id: int | None) -> ProgressResult | None:
    """The flag a first response starts from, if it is this pupil's and the actor may see it."""
    if result_id is None:
        return None
    visible = pupils_in_scope(actor, Resource.PROGRESS).filter(pk=pupil_id).values("pk")
    return ProgressResult.objects.filter(pk=result_id, pupil_id__in=visible).select_related("subject").first()


def responses_tried(*, pupil: Pupil) -> list[FirstResponse]:
    """Shown whenever someone proposes SEN support: what was tried in class first (Code 6.19)."""
    return list(
        FirstResponse.objects.filter(pupil=pupil, withdrawn_at__isnull=True)
        .select_related("accountable_teacher")
        .order_by("starts_on")
    )


@dataclass(frozen=True)
class SettingRow:
    name: str
    value: object
    default: object
    source: str  # "Tandem default", "trust" or "school"
    reason: str
    editable: bool


@dataclass(frozen=True)
class EffectiveSettings:
    settings: ProgressSettings
    inherited: ProgressSettings  # what applies without this owner's own changes
    rows: list[SettingRow]
    owner_label: str


def progress_settings_for(*, school: School | None = None, trust: Trust | None = None) -> EffectiveSettings:
    """The settings a run for this school or trust uses: defaults, the trust's changes, the school's."""
    if (school is None) == (trust is None):
        raise ValueError("Settings belong to one school or one trust.")
    trust_id = trust.pk if trust is not None else (school.trust_id if school is not None else None)
    records: dict[str, dict[str, Any]] = {}
    if trust_id is not None:
        records["trust"] = _stored_values(ProgressSettingsRecord.objects.filter(trust_id=trust_id))
    if school is not None:
        records["school"] = _stored_values(ProgressSettingsRecord.objects.filter(school=school))
    defaults = ProgressSettings()
    inherited = settings_with(defaults, records.get("trust", {})) if school is not None else defaults
    own = records.get("school" if school is not None else "trust", {})
    effective = settings_with(inherited, own)
    reasons = setting_reasons()
    rows = []
    for name, value in effective.to_dict().items():
        if name in own:
            source = "school" if school is not None else "trust"
        elif school is not None and name in records.get("trust", {}):
            source = "trust"
        else:
            source = "Tandem default"
        rows.append(
            SettingRow(
                name=name,
                value=value,
                default=getattr(defaults, name),
                source=source,
                reason=reasons.get(name, ""),
                editable=name in EDITABLE_SETTINGS,
            )
        )
    rows.sort(key=lambda row: (not row.editable, EDITABLE_SETTINGS.index(row.name) if row.editable else 0))
    label = school.name if school is not None else trust.name if trust is not None else ""
    return EffectiveSettings(settings=effective, inherited=inherited, rows=rows, owner_label=label)


def _stored_values(records: QuerySet[ProgressSettingsRecord]) -> dict[str, Any]:
    values = records.values_list("values", flat=True).first()
    return dict(values) if values else {}


def progress_settings_view(*, actor: Actor) -> EffectiveSettings:
    """The settings for the actor's own school (school roles) or trust (trust roles)."""
    if actor.school_id is not None:
        return progress_settings_for(school=School.objects.get(pk=actor.school_id))
    return progress_settings_for(trust=Trust.objects.get(pk=actor.trust_id or 0))


def run_flag_share(*, run: AnalysisRun) -> FlagShare:
    """How much of a run's results at each school's newest window (what teachers act on) it flagged.

    For `tandem analyse`, which warns when a run flags more than it can mean; no actor: it reads counts only.
    """
    # Aliases must not be field names (flagged, peers...), or Django refuses the aggregate.
    counts = ProgressResult.objects.filter(run=run, is_current=True).aggregate(
        n_total=Count("id"),
        n_flagged=Count("id", filter=Q(flagged=True)),
        n_national=Count("id", filter=Q(flagged=True, norm_model="published_norm")),
        **{f"n_{name}": Count("id", filter=Q(**{name: 1})) for name, _ in CRITERIA},
    )
    return FlagShare(
        pupil_subjects=counts["n_total"],
        flagged=counts["n_flagged"],
        by_criterion={name: counts[f"n_{name}"] for name, _ in CRITERIA},
        national=counts["n_national"],
    )
