"""The package's folders are the pipeline: no import runs against its order, and none is circular.

Every `import build_tools...` in the package is read from the source (module-level and
function-level alike, since a deferred import is still a dependency), so the test sees what a
reader of the code sees, without importing anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "build_tools"

# Lowest first: a module may import from its own layer or any layer before it.
LAYERS = ("core", "records", "crossref", "evidence", "formats", "pages", "versions", "site",
          "release", "scaffold", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """The build_tools modules `path` imports, resolved to module names (not attributes)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("build_tools"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("build_tools"):
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in ALL_MODULES else node.module)
    return found


ALL_FILES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
ALL_MODULES = {module_name(p) for p in ALL_FILES}
GRAPH = {module_name(p): imported_modules(p) - {module_name(p)} for p in ALL_FILES}


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in {"__main__"}:
        return -1 if parts[-1] != "__main__" else len(LAYERS)
    return LAYERS.index(parts[1])


def test_every_module_is_in_a_layer() -> None:
    loose = [m for m in ALL_MODULES if m.count(".") == 1 and m.split(".")[1] not in
             {*LAYERS, "__main__"}]
    assert loose == [], f"modules outside the pipeline's folders: {loose}"
    for name in LAYERS:
        init = PACKAGE / name / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text())), f"{init} needs a docstring"


def test_no_import_runs_against_the_pipeline() -> None:
    against = sorted(f"{importer} -> {imported}" for importer, targets in GRAPH.items()
                     for imported in targets if imported in ALL_MODULES
                     and layer(imported) > layer(importer))
    assert against == []


def test_no_import_cycle() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH.get(module, ())):
            if target not in GRAPH:
                continue
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize("importer, imported", [
    ("build_tools.core.errors", "build_tools.cli.main"),
    ("build_tools.records.load", "build_tools.pages.render"),
])
def test_the_order_check_can_fail(importer: str, imported: str) -> None:
    """The check above would see an import against the order (so it is not vacuous)."""
    assert layer(imported) > layer(importer)
    assert imported in ALL_MODULES and importer in ALL_MODULES
