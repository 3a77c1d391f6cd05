"""The engine's output: its public constants, the `Coded`, `Columns` and `ProgressTable` types, what every
output column means (`COLUMNS`), and the float columns the criteria stage writes."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tandem.progress.settings import ProgressSettings

ENGINE_VERSION = "1.0"

#: Codes of the `norm_model` column.
NORM_MODELS = ("not_enough_data", "published_norm", "peer_band", "prr", "sgp")
_NONE, _PUBLISHED, _BAND, _PRR, _SGP = range(5)
#: Codes of the `gap_reference` column: what the gap z is measured against.
GAP_REFERENCES = ("none", "peers", "national")
#: The four criteria columns, Code 6.17 (a)-(d), named as the stored results name them.
CRITERIA = ("peers", "own_rate", "not_closing", "widening")

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Coded:
    """A dictionary-encoded column: integer codes into `labels` (cheap for 18M rows of a few subjects)."""

    codes: ArrayLike
    labels: ArrayLike


@dataclass(frozen=True)
class NormModelSummary:
    """One fitted norm model: which cohort, which model, how many pupils, and its parameters."""

    subject: Any
    window: Any
    year_group: int
    prior_windows: tuple[Any, ...]
    school: Any
    kind: str
    n: int
    parameters: dict[str, Any] = field(default_factory=dict)
    prior_year_groups: tuple[int, ...] = ()  # the pupils' year group at each prior window, oldest first

    def to_dict(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return v.item() if isinstance(v, np.generic) else v

        return {
            "subject": plain(self.subject),
            "window": plain(self.window),
            "year_group": int(self.year_group),
            "prior_windows": [plain(w) for w in self.prior_windows],
            "school": plain(self.school),
            "kind": self.kind,
            "n": int(self.n),
            "parameters": self.parameters,
            "prior_year_groups": [int(g) for g in self.prior_year_groups],
        }


#: Output columns held as codes into their labels (`Columns.coded`) and decoded only when read.
LABEL_COLUMNS = ("pupil", "subject", "window", "school")


class Columns(MutableMapping[str, NDArray[Any]]):
    """The output columns by name, in the order they were added.

    The label columns (`LABEL_COLUMNS`) are held as integer codes into their sorted labels and decoded to
    an array of labels the first time one is read (then kept). At national scale each decoded column is an
    18M-element array that most callers never read (they need a few rows, or the codes), and building four
    of them was a sixth of the engine's time.
    """

    def __init__(self, arrays: Mapping[str, NDArray[Any]], coded: Mapping[str, Coded] | None = None) -> None:
        self._coded: dict[str, Coded] = dict(coded or {})
        self._arrays: dict[str, NDArray[Any]] = dict(arrays)
        self._names: list[str] = [*self._coded, *(name for name in arrays if name not in self._coded)]

    def coded(self, name: str) -> Coded:
        """A label column (`LABEL_COLUMNS`) as codes and labels, without decoding it."""
        return self._coded[name]

    def __getitem__(self, name: str) -> NDArray[Any]:
        values = self._arrays.get(name)
        if values is None:
            coded = self._coded[name]
            values = np.asarray(coded.labels)[np.asarray(coded.codes)]
            self._arrays[name] = values
        return values

    def __setitem__(self, name: str, values: NDArray[Any]) -> None:
        if name not in self._arrays and name not in self._coded:
            self._names.append(name)
        self._coded.pop(name, None)
        self._arrays[name] = values

    def __delitem__(self, name: str) -> None:
        if name not in self._arrays and name not in self._coded:
            raise KeyError(name)
        self._arrays.pop(name, None)
        self._coded.pop(name, None)
        self._names.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._arrays or name in self._coded


@dataclass
class ProgressTable:
    """The engine's output: equal-length numpy columns, one row per pupil, subject and window.

    Row order: pupil id, subject, window (ascending). Missing numbers are NaN (floats) or -1 (integers).
    See `COLUMNS` for what each column means.
    """

    columns: Columns
    models: list[NormModelSummary]
    settings: ProgressSettings
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks

    def __len__(self) -> int:
        return len(self.columns["score"])

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self.columns[name]

    def norm_model_names(self) -> NDArray[Any]:
        """The `norm_model` column as names ("sgp", "prr", ...)."""
        return np.asarray(NORM_MODELS, dtype=object)[self.columns["norm_model"]]

    def explain(self, *, rows: ArrayLike | None = None) -> dict[str, NDArray[Any]]:
        """Plain-English reasons per criterion for `rows` (indices or a mask; default all)."""
        from tandem.progress.explain import reasons

        return reasons(self.columns, settings=self.settings, rows=rows)

    def to_pandas(self) -> Any:
        """A pandas DataFrame of the columns (pandas is a development dependency, imported here only)."""
        pd = importlib.import_module("pandas")
        frame = pd.DataFrame(dict(self.columns), copy=False)
        frame["norm_model"] = pd.Categorical.from_codes(self.columns["norm_model"], categories=NORM_MODELS)
        return frame


#: Output columns and their meaning.
COLUMNS: dict[str, str] = {
    "pupil": "pupil id as given",
    "subject": "subject as given",
    "window": "window ordinal as given",
    "school": "school as given (absent if no school column)",
    "year_group": "year group at this window",
    "score": "points at this window",
    "sem": "standard error of measurement of the score, in points",
    "norm_model": "code into NORM_MODELS: the model behind the percentile",
    "norm_n": "pupils in the norm group (published norms: the publisher's sample, 0 if unknown)",
    "prior_order": "number of earlier scores the norm model conditioned on",
    "percentile": "growth percentile 1-99 among same-baseline peers (-1: none)",
    "percentile_low": "lower end of its interval (current score - z SEM)",
    "percentile_high": "upper end of its interval (current score + z SEM)",
    "peer_p25": "25th percentile of same-baseline peers' current scores (chart band)",
    "peer_median": "median of same-baseline peers' current scores",
    "peer_p75": "75th percentile of same-baseline peers' current scores",
    "peers_n": "pupils in the cohort at this window (the gap's peer group)",
    "gap_reference": "code into GAP_REFERENCES: peers (cohort mean/SD) or national (published norms)",
    "gap": "gap z now: (score - peer mean) / peer SD, or against national norms",
    "gap_previous": "gap z at the previous window, same reference",
    "gap_change": "gap change over the last interval (this interval's standardised rate of progress)",
    "gap_change_tolerance": "rci_z x S of that change: a smaller change is within measurement error",
    "rci_gap": "gap_change / S (reliable change index)",
    "gap_change_long": "(d) mean gap over the last gap_recent_windows minus the mean over the earlier ones",
    "rci_gap_long": "its reliable change index",
    "previous_rate": "least-squares gap change per interval over up to rate_lookback_intervals earlier ones",
    "rate_intervals": "how many earlier intervals previous_rate spans",
    "rate_change": "recent_rate - previous_rate",
    "rate_change_tolerance": "own_rate_z x S of rate_change",
    "rci_rate": "rate_change / S",
    "was_behind": "behind at the previous window by more than measurement error (the condition of (c))",
    "peers": "6.17(a) slower than same-baseline peers: 1 flagged, 0 not, -1 not enough data",
    "own_rate": "6.17(b) slower than own previous rate: 1, 0, -1",
    "not_closing": "6.17(c) behind at the previous window and the gap did not close: 1, 0, -1",
    "widening": "6.17(d) the gap widened: 1, 0, -1",
    "flagged": "any criterion flagged",
    "windows_so_far": "this pupil's results in this subject up to and including this window",
    "is_latest": "this is the pupil's newest window in this subject",
    "reason_peers": "plain-English reason for (a) (when reasons are built)",
    "reason_own_rate": "for (b)",
    "reason_not_closing": "for (c)",
    "reason_widening": "for (d)",
    "gap_change_long_tolerance": "widening_z x S of gap_change_long",
    "gap_earlier": "mean gap over the earlier windows of (d)'s level test",
    "gap_trend": "(d) least-squares trend of the gap per interval over gap_windows windows",
    "gap_trend_tolerance": "widening_z x S of gap_trend",
    "rci_gap_trend": "gap_trend / S",
    "recent_rate": "(b) least-squares gap change per interval over up to rate_recent_intervals intervals",
    "gap_windows": "windows (d) uses, this one included (up to long_gap_horizon + 1)",
    **{
        f"sgp_order_{k}": f"growth percentile of the order-{k} SGP model (-1: not fitted for this pupil)"
        for k in range(1, 5)
    },
}


#: Float columns the criteria stage writes (float32: ample for z values, half the memory of float64).
_GAP_COLUMNS = (
    "sem",
    "gap",
    "gap_previous",
    "gap_change",
    "gap_change_tolerance",
    "rci_gap",
    "gap_change_long",
    "rci_gap_long",
    "previous_rate",
    "rate_change",
    "rate_change_tolerance",
    "rci_rate",
)
#: Float columns of (b) and (d) over several windows, output after the others (added with issue 12).
_TREND_COLUMNS = (
    "gap_change_long_tolerance",
    "gap_earlier",
    "gap_trend",
    "gap_trend_tolerance",
    "rci_gap_trend",
    "recent_rate",
)
