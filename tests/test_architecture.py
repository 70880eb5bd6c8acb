"""The package is rooms by job (docs/architecture.md): allowed arrows only, no cycles.

Every ``import`` in ``server/nelmkg`` — at module level or inside a function — is read with
``ast`` and classified by room; :data:`ALLOWED` is the table of docs/architecture.md, written
by hand. A new arrow is a decision: add it to the table and the document together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "nelmkg"

# room -> the rooms it may import (docs/architecture.md).
ALLOWED: dict[str, set[str]] = {
    "nelmkg": set(),
    "paths": set(),
    "graph": {"paths"},
    "cases": {"graph", "paths"},
    "shacl": set(),
    "eligibility": {"cases", "shacl", "graph", "paths"},
    "audit": {"graph", "paths"},
    "coverage": {"graph", "paths"},
    "changes": {"graph", "paths"},
    "query": {"graph", "paths"},
    "generate": {"cases", "eligibility", "graph", "paths"},
    "fhir": {"nelmkg", "cases", "eligibility", "graph"},
    "cli": {"graph", "paths"},
    "spark": {"eligibility"},
    "web": {"query", "eligibility", "cases", "graph", "paths", "nelmkg"},
    "web.sparql": {"web", "query", "graph"},
    "web.cases": {"web", "web.fhir", "cases", "eligibility", "graph"},
    "web.fhir": {"web", "fhir", "cases", "eligibility", "graph"},
    "web.pages": {"web", "web.cases", "audit", "query", "eligibility", "cases", "graph", "paths"}
    | {"nelmkg", "changes", "coverage"},
    "web.app": {"web", "web.sparql", "web.cases", "web.fhir", "web.pages", "graph", "paths"},
    "testing": {
        "nelmkg",
        "paths",
        "graph",
        "cases",
        "shacl",
        "eligibility",
        "fhir",
        "audit",
        "coverage",
        "changes",
        "query",
        "web",
        "web.app",
    },
}
WEB_APP = {"nelmkg.web", "nelmkg.web.serve"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def room(module: str) -> str:
    """Return the room of a module (``nelmkg.web.sparql.protocol`` -> ``web.sparql``)."""
    if module in WEB_APP:
        return "web.app"
    parts = module.split(".")
    if len(parts) == 1:
        return "nelmkg"
    if parts[1] == "web" and len(parts) > 2 and parts[2] in ("sparql", "cases", "fhir", "pages"):
        return f"web.{parts[2]}"
    return parts[1]


def imports(module: str) -> set[str]:
    """Return the project modules ``module`` imports (resolved, anywhere in the file)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("nelmkg"):
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("nelmkg")}
    return found


def test_every_module_has_a_room():
    assert {room(m) for m in MODULES} <= set(ALLOWED)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_follow_the_arrows(module):
    here = room(module)
    wrong = sorted(
        f"{target} ({room(target)})"
        for target in imports(module)
        if room(target) != here and room(target) not in ALLOWED[here]
    )
    assert not wrong, f"{module} ({here}) may not import {wrong}"


def test_the_arrows_have_no_cycle():
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        if seen.get(node) == 1:
            pytest.fail("cycle: " + " -> ".join([*path, node]))
        if seen.get(node) == 2:
            return
        seen[node] = 1
        for target in sorted(ALLOWED[node]):
            visit(target, [*path, node])
        seen[node] = 2

    for start in sorted(ALLOWED):
        visit(start, [])


def strings(path: Path) -> list[str]:
    """Return the string constants of a module's code (docstrings aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if room(m) != "testing"))
def test_the_package_never_imports_the_test_helpers_or_points_into_tests(module):
    assert not any(room(t) == "testing" for t in imports(module))
    pointers = [s for s in strings(MODULES[module]) if s == "tests" or "tests/" in s]
    assert not pointers, f"{module} points into tests/: {pointers}"
