import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tandem.lib.backoff import seconds_left, wait_seconds

LIB = Path(__file__).resolve().parents[2] / "tandem" / "lib"


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


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_it_keeps_tandem_lib_free_of_django_in_the_source() -> None:
    modules = sorted(LIB.glob("*.py"))
    assert any(m.name == "backoff.py" for m in modules)
    offenders = {
        m.name: sorted(n for n in _imported_modules(m) if n == "django" or n.startswith("django."))
        for m in modules
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_it_imports_tandem_lib_without_loading_django() -> None:
    # In a fresh interpreter, so nothing the test run already loaded can hide an indirect import.
    names = [f"tandem.lib.{m.stem}" for m in sorted(LIB.glob("*.py")) if m.stem != "__init__"]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=LIB.parents[1], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
