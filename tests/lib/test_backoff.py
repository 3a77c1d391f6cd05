import pytest

from tandem.lib.backoff import seconds_left, wait_seconds


@pytest.mark.parametrize("failures", [0, 1, 4, 5])
def test_it_lets_the_free_failures_through_without_a_wait(failures: int) -> None:
    assert wait_seconds(failures=failures, free=5, cap=900) == 0


def test_it_doubles_the_wait_for_each_failure_past_the_free_ones() -> None:
    waits = [wait_seconds(failures=n, free=5, cap=900) for n in range(6, 12)]
    assert waits == [1, 2, 4, 8, 16, 32]


def test_it_never_waits_longer_than_the_cap() -> None:
    assert wait_seconds(failures=15, free=5, cap=900) == 512
    assert wait_seconds(failures=16, free=5, cap=900) == 900
    assert wait_seconds(failures=40, free=5, cap=900) == 900
    # A huge count must not build a huge number before the cap applies.
    assert wait_seconds(failures=10**9, free=5, cap=900) == 900


def test_it_counts_from_the_first_failure_when_none_are_free() -> None:
    assert wait_seconds(failures=1, free=0, cap=60) == 1
    assert wait_seconds(failures=3, free=0, cap=60) == 4


def test_it_tells_the_whole_seconds_left_rounded_up() -> None:
    # 8 s wait (failures=9, free=5) with 2.5 s gone: 5.5 s left, told as 6.
    assert seconds_left(failures=9, free=5, cap=900, since_last_failure=2.5) == 6
    assert seconds_left(failures=9, free=5, cap=900, since_last_failure=3.0) == 5
    assert seconds_left(failures=9, free=5, cap=900, since_last_failure=0.0) == 8
    # Even a sliver still owed is a second to wait, never "wait 0 seconds".
    assert seconds_left(failures=9, free=5, cap=900, since_last_failure=7.9999) == 1


def test_it_says_zero_once_the_wait_has_passed() -> None:
    assert seconds_left(failures=9, free=5, cap=900, since_last_failure=8.0) == 0
    assert seconds_left(failures=9, free=5, cap=900, since_last_failure=3600.0) == 0
    assert seconds_left(failures=3, free=5, cap=900, since_last_failure=0.0) == 0


def test_it_never_asks_for_more_than_the_cap_when_the_clock_steps_back() -> None:
    # A last failure stamped in the future (clock adjusted) must not stretch the wait.
    assert seconds_left(failures=40, free=5, cap=900, since_last_failure=-120.0) == 900
    assert seconds_left(failures=6, free=5, cap=900, since_last_failure=-5.0) == 1
