"""Census problems in the demo: at each school, exactly one pupil for each problem the census check finds
(tandem/lib/census_check.py `RULES`), and the record of the last SEN file imported from the MIS.

Runs last among the writers, inside the loader's transaction, once the register, the EHC plans and the
specialist advice are written. The generated register is clean: every pupil on it has a primary need, ranks
have no gaps, every E pupil has the local authority's plan and nobody else has one. So the problems are
planted on purpose, each on a pupil chosen from this school's own random stream among pupils whose records
give that one problem and no other:

- `legacy_status`: a pupil with no SEN history whose status reads S (a statement), never converted;
- `no_primary_need`: a pupil on SEN support whose only need was ended, leaving none;
- `e_without_ehc_record`: a pupil on SEN support whose status reads E, with no plan added in Tandem;
- `ehc_record_not_e`: a pupil with an EHC plan whose status reads K;
- `rank_gap`: a pupil on SEN support with a need ranked 3 and none ranked 2;
- `nsa_with_ehc_plan`: a pupil with an EHC plan and NSA recorded as a second need;
- `needs_on_no_sen`: a pupil whose SEN support ended with a need left open;
- `differs_from_mis`: a pupil on SEN support whose support started in Tandem after the last SEN import.

`rank_shared` gets no pupil: the database refuses two open needs of one pupil with the same rank. A
school too small to have a pupil with the records a problem needs (a handful of pupils on the register) goes
without that problem rather than the load failing.

The last SEN import (an applied import record, a fortnight before "today") leaves what it said for every
pupil on roll (MisSenStatus), agreeing with Tandem for all of them but the `differs_from_mis` pupil, for
whom the file said N. Pupils with specialist advice, time in the inclusion base or a concern are left alone
where the school has others to choose from, so what the other writers made stays true.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence

from django.utils import timezone

from tandem.advice.models import SpecialistAdvice
from tandem.demo.wording.census import EXTRA_NEEDS, SEN_FILE_NAME
from tandem.ehc.models import EhcPlan
from tandem.exchange.fields import ImportKind
from tandem.exchange.models import ImportFormat, ImportRecord, ImportStatus, MisSenStatus
from tandem.inclusion.models import InclusionBasePlacement
from tandem.lib.census_check import Code
from tandem.people.models import Membership, Pupil, Role
from tandem.register.models import Concern, SenNeed, SenStatusPeriod, SenSupportDecision
from tandem.schools.models import School

_BATCH = 2_000
DAY = dt.timedelta(days=1)
# How long before the demo's "today" the school last imported its SEN file from the MIS.
IMPORTED_DAYS_AGO = 14


def write_census(*, trust_id: int, as_of: dt.date, seed: int) -> dict[str, int]:
    """Plant one pupil per census problem at each school of the trust, and the last SEN import's word for
    every pupil; rows written by table. Deterministic for a given seed and database."""
    rows: dict[str, int] = defaultdict(int)
    schools = list(School.objects.filter(trust_id=trust_id).order_by("id").values_list("id", flat=True))
    for index, school_id in enumerate(schools):
        rng = random.Random(f"tandem-demo-census/{seed}/{index}")
        planted, needs_added = _plant(school_id, as_of, rng)
        rows["census problems planted"] += len(planted)
        rows["SEN needs added for census problems"] += needs_added
        rows["MIS SEN statuses"] += _last_import(school_id, as_of, seed, planted.get(Code.DIFFERS_FROM_MIS))
        rows["imports"] += 1
    return dict(rows)


def _plant(school_id: int, as_of: dt.date, rng: random.Random) -> tuple[dict[Code, uuid.UUID], int]:
    """The pupil planted for each problem, and how many needs were added."""
    periods = {
        p.pupil_id: p
        for p in SenStatusPeriod.objects.filter(school_id=school_id, ends_on__isnull=True).order_by(
            "pupil_id"
        )
    }
    ever: dict[uuid.UUID, list[SenStatusPeriod]] = defaultdict(list)
    for period in SenStatusPeriod.objects.filter(school_id=school_id, ends_on__isnull=False):
        ever[period.pupil_id].append(period)
    needs: dict[uuid.UUID, list[SenNeed]] = defaultdict(list)
    for need in SenNeed.objects.filter(school_id=school_id, ends_on__isnull=True).order_by("rank"):
        needs[need.pupil_id].append(need)
    with_plan = set(EhcPlan.objects.filter(school_id=school_id).values_list("pupil_id", flat=True))
    busy = (
        set(SpecialistAdvice.objects.filter(school_id=school_id).values_list("pupil_id", flat=True))
        | set(InclusionBasePlacement.objects.filter(school_id=school_id).values_list("pupil_id", flat=True))
        | set(Concern.objects.filter(school_id=school_id).values_list("pupil_id", flat=True))
    )
    decided = set(SenSupportDecision.objects.filter(school_id=school_id).values_list("pupil_id", flat=True))
    on_roll = set(
        Pupil.objects.filter(school_id=school_id, left_on__isnull=True).values_list("id", flat=True)
    )
    taken: set[uuid.UUID] = set()

    def pick(pool: Sequence[uuid.UUID]) -> uuid.UUID | None:
        """A pupil from the pool, or None when a tiny school has nobody with those records left."""
        free = sorted(p for p in pool if p not in taken and p in on_roll)
        # Another writer's record about the pupil stays true unless a small school leaves no one else.
        free = [p for p in free if p not in busy] or free
        if not free:
            return None
        chosen = rng.choice(free)
        taken.add(chosen)
        return chosen

    def status(code: str) -> list[uuid.UUID]:
        return [p for p, period in periods.items() if period.provision == code]

    one_need = [p for p in status("K") if len(needs[p]) == 1 and p not in with_plan]
    never = [p for p in status("N") if not needs[p] and p not in ever]
    formerly = [p for p in status("N") if not needs[p] and any(e.provision == "K" for e in ever[p])]
    e_with_plan = [
        p for p in status("E") if p in with_plan and all(n.need_type_id != "NSA" for n in needs[p])
    ]

    planted: dict[Code, uuid.UUID] = {}
    changed: list[SenStatusPeriod] = []
    new_needs: list[SenNeed] = []
    ended: list[SenNeed] = []

    legacy = pick(never)
    if legacy is not None:
        planted[Code.LEGACY_STATUS] = legacy
        periods[legacy].provision = "S"
        changed.append(periods[legacy])

    lost = pick(one_need)
    if lost is not None:
        planted[Code.NO_PRIMARY_NEED] = lost
        [need] = needs[lost]
        need.ends_on = max(need.starts_on, as_of - 30 * DAY)
        ended.append(need)

    # Not NSA (with E, a second problem), nor a period a recorded decision to start support began.
    moved = pick([p for p in one_need if needs[p][0].need_type_id != "NSA" and p not in decided])
    if moved is not None:
        planted[Code.E_WITHOUT_EHC_RECORD] = moved
        # Keyed E over the support period (the plan's records in Tandem date from it, so it stays open).
        periods[moved].provision = "E"
        changed.append(periods[moved])

    slip = pick(e_with_plan)
    if slip is not None:
        planted[Code.EHC_RECORD_NOT_E] = slip
        periods[slip].provision = "K"
        changed.append(periods[slip])

    gap = pick(one_need)
    if gap is not None:
        planted[Code.RANK_GAP] = gap
        new_needs.append(_extra_need(needs[gap][0], rank=3, rng=rng))

    nsa = pick(e_with_plan)
    if nsa is not None:
        planted[Code.NSA_WITH_EHC_PLAN] = nsa
        new_needs.append(_extra_need(needs[nsa][-1], rank=needs[nsa][-1].rank + 1, rng=rng, code="NSA"))

    left_open = pick(formerly or never)
    if left_open is not None:
        planted[Code.NEEDS_ON_NO_SEN] = left_open
        support = max(
            (e for e in ever[left_open] if e.provision == "K"), key=lambda e: e.starts_on, default=None
        )
        new_needs.append(
            SenNeed(
                pupil_id=left_open,
                school_id=school_id,
                need_type_id=rng.choice(EXTRA_NEEDS),
                rank=1,
                starts_on=support.starts_on if support else as_of - 200 * DAY,
            )
        )

    # Support started in Tandem after the import: a clean pupil on SEN support, left as it is; the import
    # record below says N for them.
    newer = pick([p for p in status("K") if p not in with_plan])
    if newer is not None:
        planted[Code.DIFFERS_FROM_MIS] = newer

    SenStatusPeriod.objects.bulk_update(changed, ["provision", "ends_on"], batch_size=_BATCH)
    SenNeed.objects.bulk_update(ended, ["ends_on"], batch_size=_BATCH)
    SenNeed.objects.bulk_create(new_needs, batch_size=_BATCH)
    return planted, len(new_needs)


def _extra_need(need: SenNeed, *, rank: int, rng: random.Random, code: str | None = None) -> SenNeed:
    other = [c for c in EXTRA_NEEDS if c != need.need_type_id]
    return SenNeed(
        pupil_id=need.pupil_id,
        school_id=need.school_id,
        need_type_id=code or rng.choice(other),
        rank=rank,
        starts_on=need.starts_on,
    )


def _last_import(school_id: int, as_of: dt.date, seed: int, newer: uuid.UUID | None) -> int:
    """The school's last SEN import: an applied record (the file itself is never kept) and what it said
    for every pupil on roll, which is Tandem's status then; `newer` changed in Tandem since."""
    senco = (
        Membership.objects.filter(school_id=school_id, role=Role.SENCO, is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .first()
    )
    moment = timezone.make_aware(dt.datetime.combine(as_of - IMPORTED_DAYS_AGO * DAY, dt.time(16, 10)))
    status = dict(
        SenStatusPeriod.objects.filter(
            school_id=school_id, ends_on__isnull=True, pupil__left_on__isnull=True
        ).values_list("pupil_id", "provision")
    )
    record = ImportRecord.objects.create(
        school_id=school_id,
        kind=ImportKind.SEN.value,
        file_format=ImportFormat.CSV,
        file_name=SEN_FILE_NAME,
        file_sha256=hashlib.sha256(f"tandem-demo-census/{seed}/{school_id}".encode()).hexdigest(),
        file_size=64 * len(status),
        status=ImportStatus.APPLIED,
        uploaded_by_id=senco,
        applied_by_id=senco,
        applied_at=moment,
        rows_total=len(status),
        unchanged=len(status),
        progress_done=len(status),
    )
    ImportRecord.objects.filter(pk=record.pk).update(uploaded_at=moment - dt.timedelta(minutes=3))
    said = [
        MisSenStatus(
            pupil_id=pupil_id,
            school_id=school_id,
            provision="N" if pupil_id == newer else provision,
            import_record_id=record.pk,
            applied_at=moment,
        )
        for pupil_id, provision in sorted(status.items())
    ]
    MisSenStatus.objects.bulk_create(said, batch_size=_BATCH)
    return len(said)
