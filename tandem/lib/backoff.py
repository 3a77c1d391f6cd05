"""Growing delays after failed attempts: the arithmetic behind sign-in throttling.

A number of failures are free; after that each further failure doubles the wait before the next
attempt is heard, up to a cap. Nothing is ever locked for good, and the wait is always known, so a
page can say how long it is.
"""

from __future__ import annotations

import math


def wait_seconds(*, failures: int, free: int, cap: int) -> int:
    """Seconds to wait after the last failure, given the failures counted so far."""
    if failures <= free:
        return 0
    excess = failures - free
    # 1 s after the first failure past the free ones, then 2, 4, 8... up to the cap.
    return min(cap, 2 ** min(excess - 1, 30))


def seconds_left(*, failures: int, free: int, cap: int, since_last_failure: float) -> int:
    """How many more whole seconds the client must wait; 0 when it may try now."""
    # A last failure "in the future" (the clock stepped back) must not stretch the wait past the cap.
    remaining = wait_seconds(failures=failures, free=free, cap=cap) - max(0.0, since_last_failure)
    # Rounded up: "wait 0 seconds" while a fraction of a second is still owed would be untrue.
    return max(0, math.ceil(remaining))
