"""The demo package has no import cycle and no module reaches into a sibling's private names (issue 16): the
shared facts live in tandem/demo/facts.py and the sign-ins in tandem/demo/logins.py."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tandem" / "demo"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, list[tuple[str, list[str]]]]:
    """Each demo module -> (sibling module, names) it imports anywhere in it, functions included."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    found: dict[str, list[tuple[str, list[str]]]] = {name: [] for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tandem.demo"):
                names = [alias.name for alias in node.names]
                if node.module in modules:
                    found[name].append((node.module, names))
                else:  # "from tandem.demo import generator"
                    found[name].extend(
                        (f"{node.module}.{n}", []) for n in names if f"{node.module}.{n}" in modules
                    )
            elif isinstance(node, ast.Import):
                found[name].extend((a.name, []) for a in node.names if a.name in modules)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, as the modules along it, or [] when there is none."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return []

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return []


def test_it_finds_a_cycle_when_there_is_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_it_has_no_import_cycle_in_the_demo_package():
    imports = _imports()
    graph = {name: {module for module, _ in found} for name, found in imports.items()}
    assert "tandem.demo.facts" in graph["tandem.demo.graduated"]  # the walk sees real imports
    assert _cycle(graph) == []


def test_it_imports_no_private_name_from_a_sibling_module():
    private = [
        f"{name} imports {imported} from {module}"
        for name, found in _imports().items()
        for module, names in found
        for imported in names
        if imported.startswith("_")
    ]
    assert private == []
