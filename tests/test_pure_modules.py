"""The pure modules (the progress engine and its stages, file mode, tandem/lib, the demo generator) import
nothing from Django, so they run on a laptop with a CSV and nothing set up, and stay fast to test."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PURE_PROGRESS = [
    "chart",
    "criteria",
    "explain",
    "files",
    "norms",
    "quantreg",
    "scales",
    "settings",
    "sgp",
    "splines",
    "summary",
]
PURE_FILES = (
    sorted((ROOT / "tandem" / "lib").glob("*.py"))
    + [ROOT / "tandem" / "progress" / f"{name}.py" for name in PURE_PROGRESS]
    # Every module of the engine package, so a new stage module is covered without being listed here.
    + sorted((ROOT / "tandem" / "progress" / "engine").glob("*.py"))
    + [ROOT / "tandem" / "demo" / "generator.py"]
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_it_finds_every_pure_module_it_names() -> None:
    assert all(path.exists() for path in PURE_FILES), [str(p) for p in PURE_FILES if not p.exists()]


def test_it_covers_the_engine_package_and_its_stages() -> None:
    names = {_module_name(path) for path in PURE_FILES}
    stages = {f"tandem.progress.engine.{s}" for s in ("columns", "prepare", "cohorts", "fit", "criteria")}
    assert {"tandem.progress.engine", *stages} <= names


def test_it_keeps_django_out_of_the_pure_modules_source() -> None:
    offenders = {
        _module_name(path): sorted(
            n for n in _imported_modules(path) if n == "django" or n.startswith("django.")
        )
        for path in PURE_FILES
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_it_imports_the_pure_modules_without_loading_django() -> None:
    # In a fresh interpreter, so nothing the test run already loaded can hide an indirect import.
    names = [_module_name(path) for path in PURE_FILES]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
