"""One pupil's interventions with their figures: sessions attended, time received, the change from entry to
exit and the cost of the place. The pupil page and the EHC needs assessment request pack both read them
from here, so the pack can never say something the page does not."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from tandem.access.actor import Actor
from tandem.exchange.provision_map import format_money
from tandem.lib.impact import RatioGain, ratio_gain
from tandem.provision.models import MeasureKind, Placement, SessionAttendance
from tandem.provision.selectors import place_cost, pupil_placements, staff_rates

AGE_MEASURES = frozenset({MeasureKind.READING_AGE, MeasureKind.SPELLING_AGE})


@dataclass(frozen=True)
class PupilIntervention:
    placement: Placement
    sessions_attended: int
    sessions_expected: int  # sessions logged while the pupil was in the group
    cost: Decimal | None  # the pupil's share of the course at its intended dosage (None: no staff rate)

    @property
    def minutes_received(self) -> int:
        return self.sessions_attended * self.placement.group.intervention.minutes_per_session

    @property
    def attendance(self) -> str:
        if not self.sessions_expected:
            return "No sessions logged yet"
        return f"{self.sessions_attended} of {self.sessions_expected} sessions ({self.time_received})"

    @property
    def time_received(self) -> str:
        hours, minutes = divmod(self.minutes_received, 60)
        if not hours:
            return f"{minutes} min"
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"

    @property
    def measure(self) -> str:
        kind = MeasureKind(self.placement.measure_kind).label
        subject = self.placement.subject.name if self.placement.subject is not None else ""
        return f"{kind} in {subject}" if subject else kind

    @property
    def finished(self) -> bool:
        p = self.placement
        return p.exit_score is not None and p.exit_on is not None and p.exit_on >= p.entry_on

    @property
    def ratio(self) -> RatioGain | None:
        p = self.placement
        if not self.finished or p.measure_kind not in AGE_MEASURES:
            return None
        assert p.exit_score is not None and p.exit_on is not None
        return ratio_gain(p.entry_score, p.exit_score, p.entry_on, p.exit_on)

    @property
    def change(self) -> str:
        p = self.placement
        entry = _number(p.entry_score)
        if not self.finished:
            return f"{entry} at entry; no exit measure yet"
        assert p.exit_score is not None
        gained = p.exit_score - p.entry_score
        text = f"{entry} to {_number(p.exit_score)} ({'+' if gained >= 0 else ''}{_number(gained)})"
        ratio = self.ratio
        if ratio is not None and ratio.ratio is not None:
            text += f", ratio gain {ratio.ratio:.1f}"
        return text

    @property
    def cost_text(self) -> str:
        return format_money(self.cost) if self.cost is not None else "No staff rate set"


def _number(value: float) -> str:
    return str(int(value)) if math.isfinite(value) and value == int(value) else f"{value:.1f}"


def pupil_interventions(
    *, actor: Actor, pupil_id: uuid.UUID, since: dt.date | None = None
) -> list[PupilIntervention] | None:
    """The pupil's interventions this school year (or since `since`) with their figures, running ones first;
    None when the actor does not see intervention groups. Three queries, however many placements."""
    placements = pupil_placements(actor=actor, pupil_id=pupil_id, since=since)
    if placements is None:
        return None
    if not placements:
        return []
    counts = {
        row["placement_id"]: (row["present"], row["expected"])
        for row in SessionAttendance.objects.filter(
            placement_id__in=[p.pk for p in placements], log__withdrawn_at__isnull=True
        )
        .values("placement_id")
        .annotate(present=Count("id", filter=Q(present=True)), expected=Count("id"))
    }
    rates = staff_rates(school_id=placements[0].school_id)
    return [
        PupilIntervention(
            placement=p,
            sessions_attended=counts.get(p.pk, (0, 0))[0],
            sessions_expected=counts.get(p.pk, (0, 0))[1],
            cost=place_cost(p.group.intervention, rates),
        )
        for p in placements
    ]
