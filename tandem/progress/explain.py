"""Plain-English reasons for each Code 6.17 criterion, built from the engine's columns.

Written for parents and teachers: they describe *less than expected progress* and the figures behind it, never
a need or a diagnosis (slow progress is not SEN by itself; attainment in line with age does not rule a
difficulty out). Every sentence says what was compared, with whom, and the threshold.

Vectorised: each kind of sentence is assembled for all its rows at once with numpy's string ufuncs
(`numpy.strings`), so reasons for a trust's 100,000 latest results take a fraction of a second.

Two audiences, two kinds of sentence: `reasons` and `percentile_notes` keep the figures for staff;
`parent_sentences` say what happened in words a parent understands, with no figures, SDs, percentiles or
criterion letters at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tandem.progress.settings import ProgressSettings

__all__ = ["parent_sentences", "percentile_notes", "reasons"]

_STR = np.dtypes.StringDType()
Strings = NDArray[Any]
_Piece = str | Strings


def _join(*pieces: _Piece) -> Strings:
    out: Strings = np.asarray("", dtype=_STR)
    for piece in pieces:
        out = np.strings.add(out, piece)
    return out


def _int(values: NDArray[Any]) -> Strings:
    return np.asarray(values).astype(np.int64).astype(_STR)


def _fixed(values: NDArray[Any], *, signed: bool = False) -> Strings:
    """Two decimals with C-speed ufuncs: '-0.43', or '+0.43' when signed."""
    hundredths = np.rint(np.asarray(values, dtype=np.float64) * 100).astype(np.int64)
    size = np.abs(hundredths)
    sign = np.where(hundredths < 0, "-", "+" if signed else "").astype(_STR)
    whole = (size // 100).astype(_STR)
    frac = np.strings.zfill((size % 100).astype(_STR), 2)
    return _join(sign, whole, ".", frac)


def _gap_words(z: NDArray[Any], average: Strings) -> Strings:
    """'0.85 SD below the year-group average' / '0.40 SD above ...' / 'level with ...': a gap z in words."""
    z = np.asarray(z, dtype=np.float64)
    side = np.where(z < 0, " SD below", " SD above").astype(_STR)
    words = _join(_fixed(np.abs(z)), side, average)
    level = _join("level with", average)
    out: Strings = np.where(np.rint(np.abs(z) * 100) == 0, level, words)
    return out


def _average(cols: Mapping[str, NDArray[Any]], idx: NDArray[np.int64]) -> Strings:
    """What the gap is measured against, in words."""
    national = cols["gap_reference"][idx] == 2
    return np.where(national, " the national average", " the year-group average").astype(_STR)


def _compared_with(cols: Mapping[str, NDArray[Any]], idx: NDArray[np.int64]) -> Strings:
    model = cols["norm_model"][idx]
    n = _int(cols["norm_n"][idx])
    local = _join("compared with ", n, " pupils in the same year group with the same earlier results")
    published = np.asarray("compared with national norms for this test", dtype=_STR)
    return np.where(model == 1, published, local)


def reasons(
    columns: Mapping[str, NDArray[Any]], *, settings: ProgressSettings, rows: ArrayLike | None = None
) -> dict[str, Strings]:
    """`reason_peers`, `reason_own_rate`, `reason_not_closing`, `reason_widening` for the selected rows."""
    total = len(columns["score"])
    if rows is None:
        idx = np.arange(total, dtype=np.int64)
    else:
        sel = np.asarray(rows)
        idx = np.flatnonzero(sel) if sel.dtype == bool else sel.astype(np.int64)
    return {
        "reason_peers": _reason_peers(columns, idx, settings),
        "reason_own_rate": _reason_own_rate(columns, idx, settings),
        "reason_not_closing": _reason_not_closing(columns, idx, settings),
        "reason_widening": _reason_widening(columns, idx, settings),
    }


def _fill(
    size: int, cases: list[tuple[NDArray[np.bool_], Callable[[NDArray[np.int64]], Strings | str]]]
) -> Strings:
    out = np.full(size, "", dtype=_STR)
    done = np.zeros(size, dtype=bool)
    for mask, build in cases:
        pick = mask & ~done
        if pick.any():
            out[pick] = build(np.flatnonzero(pick))
            done |= pick
    return out


def _too_few_windows(cols: Mapping[str, NDArray[Any]], idx: NDArray[np.int64], need: int) -> Strings:
    have = cols["windows_so_far"][idx]
    first = have <= 1
    text = _join(
        "Not enough data yet: this needs results from ",
        str(need),
        " assessment windows in this subject, and there ",
        np.where(have == 1, "is ", "are ").astype(_STR),
        _int(have),
        ".",
    )
    return np.where(
        first,
        np.asarray(
            "Not enough data yet: this is the first result in this subject, so there is no earlier "
            "result to measure progress from.",
            dtype=_STR,
        ),
        text,
    )


def _reason_peers(
    cols: Mapping[str, NDArray[Any]], idx: NDArray[np.int64], settings: ProgressSettings
) -> Strings:
    thr = str(settings.growth_threshold)
    code = cols["peers"][idx]
    windows = cols["windows_so_far"][idx]
    pct, lo, hi = cols["percentile"][idx], cols["percentile_low"][idx], cols["percentile_high"][idx]

    def sub(a: NDArray[np.int64]) -> NDArray[np.int64]:
        return idx[a]

    def too_few(a: NDArray[np.int64]) -> Strings:
        return _too_few_windows(cols, sub(a), settings.min_windows_growth)

    def no_norms(a: NDArray[np.int64]) -> Strings:
        return np.full(
            a.size,
            "Not enough data: too few pupils in this year group had the same earlier results to compare with "
            f"(at least {settings.band_min_n} are needed), and this test has no published national norms.",
            dtype=_STR,
        )

    def flagged(a: NDArray[np.int64]) -> Strings:
        r = sub(a)
        return _join(
            "Made less progress than most pupils who started from a similar score: growth percentile ",
            _int(cols["percentile"][r]),
            ", and allowing for measurement error it lies between ",
            _int(cols["percentile_low"][r]),
            " and ",
            _int(cols["percentile_high"][r]),
            ". Below " + thr + " is flagged, and even the top of that range is below it (",
            _compared_with(cols, r),
            ").",
        )

    def low_not_sure(a: NDArray[np.int64]) -> Strings:
        r = sub(a)
        return _join(
            "Growth percentile ",
            _int(cols["percentile"][r]),
            " is below " + thr + ", but allowing for measurement error it could be as high as ",
            _int(cols["percentile_high"][r]),
            ", so this is not flagged as less than expected progress (",
            _compared_with(cols, r),
            ").",
        )

    def fine(a: NDArray[np.int64]) -> Strings:
        r = sub(a)
        return _join(
            "Progress in line with pupils who started from a similar score: growth percentile ",
            _int(cols["percentile"][r]),
            " (between ",
            _int(cols["percentile_low"][r]),
            " and ",
            _int(cols["percentile_high"][r]),
            "); below " + thr + " is flagged (",
            _compared_with(cols, r),
            ").",
        )

    few = windows < settings.min_windows_growth
    return _fill(
        idx.size,
        [
            (few, too_few),
            (code == -1, no_norms),
            (code == 1, flagged),
            ((code == 0) & (pct >= 1) & (pct < settings.growth_threshold), low_not_sure),
            ((code == 0) & (lo >= 1) & (hi >= 1), fine),
        ],
    )


def _no_reference(size: int) -> Strings:
    return np.full(
        size,
        "Not enough data: too few pupils in this year group to measure a gap against, and this test has no "
        "published national norms.",
        dtype=_STR,
    )


def _plural(count: NDArray[Any], one: str, many: str) -> Strings:
    """'1 interval' / '3 intervals'."""
    count = np.asarray(count)
    out: Strings = _join(_int(count), np.where(count == 1, one, many).astype(_STR))
    return out


def _rate_spans(
    cols: Mapping[str, NDArray[Any]], idx: NDArray[np.int64], settings: ProgressSettings
) -> tuple[Strings, Strings]:
    """'the last 2 intervals' and 'the 3 before' of criterion (b), as the engine chose them."""
    big_r = settings.rate_recent_intervals
    have = np.minimum(
        cols["windows_so_far"][idx].astype(np.int64), big_r + settings.rate_lookback_intervals + 1
    )
    recent = np.clip(np.minimum(big_r, have - 2), 1, None)
    last = np.where(recent == 1, "the last interval", "").astype(_STR)
    last = np.where(recent == 1, last, _join("the last ", _int(recent), " intervals"))
    earlier = cols["rate_intervals"][idx]
    before = np.where(earlier == 1, "the one before", "").astype(_STR)
    before = np.where(earlier == 1, before, _join("the ", _int(earlier), " before"))
    return last, before


def _reason_own_rate(
    cols: Mapping[str, NDArray[Any]], idx: NDArray[np.int64], settings: ProgressSettings
) -> Strings:
    code = cols["own_rate"][idx]
    windows = cols["windows_so_far"][idx]

    def flagged(a: NDArray[np.int64]) -> Strings:
        r = idx[a]
        last, before = _rate_spans(cols, r, settings)
        return _join(
            "Progress recently was slower than this pupil's own earlier progress, by more than measurement "
            "error could explain: their standing against peers changed by ",
            _fixed(cols["recent_rate"][r], signed=True),
            " SD per interval over ",
            last,
            " against ",
            _fixed(cols["previous_rate"][r], signed=True),
            " SD per interval over ",
            before,
            " (a drop of ",
            _fixed(-cols["rate_change"][r]),
            "; more than ",
            _fixed(cols["rate_change_tolerance"][r]),
            " is flagged).",
        )

    def fine(a: NDArray[np.int64]) -> Strings:
        r = idx[a]
        last, before = _rate_spans(cols, r, settings)
        return _join(
            "Progress recently kept pace with this pupil's own earlier progress, allowing for measurement "
            "error: standing against peers changed by ",
            _fixed(cols["recent_rate"][r], signed=True),
            " SD per interval over ",
            last,
            " against ",
            _fixed(cols["previous_rate"][r], signed=True),
            " SD per interval over ",
            before,
            " (a drop of more than ",
            _fixed(cols["rate_change_tolerance"][r]),
            " would be flagged).",
        )

    return _fill(
        idx.size,
        [
            (
                windows < settings.min_windows_rate,
                lambda a: _too_few_windows(cols, idx[a], settings.min_windows_rate),
            ),
            (code == -1, lambda a: _no_reference(a.size)),
            (code == 1, flagged),
            (code == 0, fine),
        ],
    )


def _reason_not_closing(
    cols: Mapping[str, NDArray[Any]], idx: NDArray[np.int64], settings: ProgressSettings
) -> Strings:
    code = cols["not_closing"][idx]
    windows = cols["windows_so_far"][idx]
    behind = cols["was_behind"][idx]

    def flagged(a: NDArray[np.int64]) -> Strings:
        r = idx[a]
        return _join(
            "Was behind peers at the last assessment (",
            _gap_words(cols["gap_previous"][r], _average(cols, r)),
            ") and the gap has not closed by more than measurement error: now ",
            _gap_words(cols["gap"][r], _average(cols, r)),
            " (change ",
            _fixed(cols["gap_change"][r], signed=True),
            "; closing needs more than +",
            _fixed(cols["gap_change_tolerance"][r]),
            ").",
        )

    def closing(a: NDArray[np.int64]) -> Strings:
        r = idx[a]
        return _join(
            "Was behind peers at the last assessment (",
            _gap_words(cols["gap_previous"][r], _average(cols, r)),
            ") and has closed the gap by more than measurement error: now ",
            _gap_words(cols["gap"][r], _average(cols, r)),
            ".",
        )

    def not_behind(a: NDArray[np.int64]) -> Strings:
        r = idx[a]
        return _join(
            "Was not behind peers at the last assessment by more than measurement error (",
            _gap_words(cols["gap_previous"][r], _average(cols, r)),
            "), so there was no gap to close.",
        )

    return _fill(
        idx.size,
        [
            (
                windows < settings.min_windows_growth,
                lambda a: _too_few_windows(cols, idx[a], settings.min_windows_growth),
            ),
            (code == -1, lambda a: _no_reference(a.size)),
            (code == 1, flagged),
            ((code == 0) & behind, closing),
            (code == 0, not_behind),
        ],
    )


def _level_words(
    cols: Mapping[str, NDArray[Any]], r: NDArray[np.int64], settings: ProgressSettings
) -> Strings:
    """(d)'s level test in words: 'over the last 2 assessments it averaged 0.90 SD below the year-group
    average, against 0.20 SD below it over the 7 before', or 'since the last assessment it went from ... to
    ...' when the pupil has two windows."""
    n = cols["gap_windows"][r].astype(np.int64)
    recent = np.clip(np.minimum(settings.gap_recent_windows, n // 2), 1, None)
    average = _average(cols, r)
    earlier = cols["gap_earlier"][r]
    two = _join(
        "since the last assessment it went from ",
        _gap_words(cols["gap_previous"][r], average),
        " to ",
        _gap_words(cols["gap"][r], average),
    )
    more = _join(
        "over the last ",
        _plural(recent, " assessment", " assessments"),
        " it averaged ",
        _gap_words(earlier + cols["gap_change_long"][r], average),
        ", against ",
        _gap_words(earlier, average),
        " over the ",
        _int(n - recent),
        " before",
    )
    out: Strings = np.where(n <= 2, two, more)
    return out


def _reason_widening(
    cols: Mapping[str, NDArray[Any]], idx: NDArray[np.int64], settings: ProgressSettings
) -> Strings:
    code = cols["widening"][idx]
    windows = cols["windows_so_far"][idx]
    z = settings.widening_z
    level = cols["rci_gap_long"][idx] < -z

    def flagged_level(a: NDArray[np.int64]) -> Strings:
        r = idx[a]
        return _join(
            "The gap to peers widened by more than measurement error: ",
            _level_words(cols, r, settings),
            " (change ",
            _fixed(cols["gap_change_long"][r], signed=True),
            "; a fall of more than ",
            _fixed(cols["gap_change_long_tolerance"][r]),
            " is flagged).",
        )

    def flagged_trend(a: NDArray[np.int64]) -> Strings:
        r = idx[a]
        return _join(
            "The gap to peers widened steadily by more than measurement error: over the last ",
            _int(cols["gap_windows"][r]),
            " assessments its trend was ",
            _fixed(cols["gap_trend"][r], signed=True),
            " SD per interval (a fall of more than ",
            _fixed(cols["gap_trend_tolerance"][r]),
            " per interval is flagged), and it is now ",
            _gap_words(cols["gap"][r], _average(cols, r)),
            ".",
        )

    def fine(a: NDArray[np.int64]) -> Strings:
        r = idx[a]
        trend = cols["gap_trend"][r]
        trend_words = _join(
            "; its trend over the last ",
            _int(cols["gap_windows"][r]),
            " assessments was ",
            _fixed(np.nan_to_num(trend), signed=True),
            " SD per interval (a fall of more than ",
            _fixed(np.nan_to_num(cols["gap_trend_tolerance"][r])),
            " per interval would be flagged)",
        )
        return _join(
            "The gap to peers did not widen by more than measurement error: ",
            _level_words(cols, r, settings),
            " (a fall of more than ",
            _fixed(cols["gap_change_long_tolerance"][r]),
            " would be flagged)",
            np.where(np.isnan(trend), "", trend_words).astype(_STR),
            ". It is now ",
            _gap_words(cols["gap"][r], _average(cols, r)),
            ".",
        )

    return _fill(
        idx.size,
        [
            (
                windows < settings.min_windows_growth,
                lambda a: _too_few_windows(cols, idx[a], settings.min_windows_growth),
            ),
            (code == -1, lambda a: _no_reference(a.size)),
            ((code == 1) & level, flagged_level),
            (code == 1, flagged_trend),
            (code == 0, fine),
        ],
    )


# ---------------------------------------------------------------- for parents: no figures, no jargon
# One clause per Code 6.17 criterion, in the Code's order; "{s}" is the subject, "{w}" when it happened.
_PARENT_CLAUSES = (
    ("made less progress in ", " than most pupils who started at the same level"),  # (a) same baseline
    ("made less progress in ", " than they had been making before"),  # (b) own previous rate
    ("is still further behind in ", " than most pupils of the same age, and the gap did not close"),  # (c)
    ("fell further behind in ", " than most pupils of the same age"),  # (d)
)


def parent_sentences(
    *,
    name: ArrayLike,
    subject: ArrayLike,
    when: ArrayLike,
    peers: ArrayLike,
    own_rate: ArrayLike,
    not_closing: ArrayLike,
    widening: ArrayLike,
) -> Strings:
    """What happened in a subject and window, in a parent's words: one sentence per criterion that holds.

    `name` is how the pupil is called ("Kai"), `subject` as it reads mid-sentence ("reading"), `when` as
    it reads after the subject ("this term", "in the spring term"); the four criteria are the stored codes
    (1 holds, 0 does not, -1 not enough data). Every argument broadcasts, so a whole list is one call.
    Without a flag the sentence says the progress was as expected, or that there is not enough
    information yet: never a figure, so it cannot disagree with the flag it describes.
    """
    codes = np.broadcast_arrays(
        np.asarray(peers), np.asarray(own_rate), np.asarray(not_closing), np.asarray(widening)
    )
    shape = np.broadcast_shapes(codes[0].shape, np.shape(name), np.shape(subject), np.shape(when))
    who = np.broadcast_to(np.asarray(name, dtype=_STR), shape)
    sub = np.broadcast_to(np.asarray(subject, dtype=_STR), shape)
    at = np.broadcast_to(np.asarray(when, dtype=_STR), shape)
    held = [np.broadcast_to(code == 1, shape) for code in codes]
    # "when" follows the subject after a space, or nothing at all when the caller gives none.
    timed = _join(np.where(at == "", "", " ").astype(_STR), at)
    out: Strings = np.full(shape, "", dtype=_STR)
    for holds, (verb, compared) in zip(held, _PARENT_CLAUSES, strict=True):
        # (c) and (d) are about standing among pupils of the same age now, not one window's progress.
        sentence = _join(who, " ", verb, sub, timed if "progress" in verb else "", compared, ".")
        spaced = np.where(out == "", sentence, _join(" ", sentence))
        out = np.where(holds, np.strings.add(out, spaced), out)
    any_held = np.logical_or.reduce(held)
    no_data = np.logical_and.reduce([np.broadcast_to(code == -1, shape) for code in codes])
    expected = _join(who, " made the progress we would expect in ", sub, timed, ".")
    unknown = _join(
        "There is not enough information yet to say how much progress ", who, " made in ", sub, "."
    )
    result: Strings = np.where(any_held, out, np.where(no_data, unknown, expected))
    return result


def percentile_notes(*, percentile: ArrayLike, high: ArrayLike, peers: ArrayLike, threshold: int) -> Strings:
    """A growth percentile for staff, worded by the stored (a) flag so the two can never disagree.

    A percentile below the threshold that is not flagged is within measurement error of it, and says so:
    "18: below 20 but within measurement error of it (it could be as high as 27), so not flagged".
    Missing values are -1, as in the engine's columns: no percentile gives "no growth percentile".
    """
    pct, top, code = np.broadcast_arrays(
        np.asarray(percentile, dtype=np.float64), np.asarray(high, dtype=np.float64), np.asarray(peers)
    )
    thr = str(threshold)
    base = _join("growth percentile ", _int(np.maximum(pct, 0)))
    flagged = _join(base, ", below " + thr + " even allowing for measurement error: flagged")
    within = _join(
        base,
        ", below " + thr + " but within measurement error of it (it could be as high as ",
        _int(np.maximum(top, 0)),
        "), so not flagged",
    )
    within_unknown_top = _join(base, ", below " + thr + " but within measurement error of it, so not flagged")
    unsure = _join(base, ", below " + thr + ", but there is not enough data to flag it")
    fine = _join(base, ", not below " + thr)
    low_not_flagged = (pct < threshold) & (code == 0)
    out: Strings = np.select(
        [pct < 1, code == 1, low_not_flagged & (top >= 1), low_not_flagged, pct < threshold],
        [np.asarray("no growth percentile", dtype=_STR), flagged, within, within_unknown_top, unsure],
        fine,
    )
    return out
