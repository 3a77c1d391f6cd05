"""What an import would do: rows checked against the school's records, and the writes they lead to.

A plan is built by reading (a handful of queries per file, never one per row) and is the same for the
preview and for the apply, so what the preview promised is what is written. Nothing here writes: the
services in `services.py` carry a plan out in one transaction.
"""

from tandem.exchange.importers.base import MAX_LISTED_ISSUES, Plan, RowIssue
from tandem.exchange.importers.results import plan_assessments, plan_marksheet
from tandem.exchange.importers.roll import plan_pupils
from tandem.exchange.importers.sen import current_need_names, plan_sen
from tandem.exchange.importers.staff import plan_groups, plan_staff
from tandem.exchange.importers.transfer import plan_ctf, year_group_from_birth

__all__ = [
    "MAX_LISTED_ISSUES",
    "Plan",
    "RowIssue",
    "current_need_names",
    "plan_assessments",
    "plan_ctf",
    "plan_groups",
    "plan_marksheet",
    "plan_pupils",
    "plan_sen",
    "plan_staff",
    "year_group_from_birth",
]
