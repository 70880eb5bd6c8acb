"""Start-up does only what the command needs (issue 14: start fast).

Each check runs in a fresh interpreter, as a user's command would: ``sys.modules`` there says
what was imported, and a named query's ``prepared`` (rdflib's parse, a cached property) says
whether rdflib prepared it.
"""

from __future__ import annotations

import subprocess
import sys

from nelmkg import paths

# The web stack, the reasoner and pySHACL (the compiled engine needs none), which one-case
# `nelmkg assess` must not load (hand-written).
HEAVY = (
    "pyshacl",
    "flask",
    "werkzeug",
    "jinja2",
    "gunicorn",
    "waitress",
    "nelmkg.web",
    "owlready2",
    "nelmkg.graph.reasoning",
)
CASE = paths.root() / "tests" / "data" / "cases" / "ablation-3.4cm.json"


def in_fresh_python(code: str, *args: str) -> list[str]:
    """Run ``code`` in a new interpreter; return its last output line, split on spaces."""
    run = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return run.stdout.splitlines()[-1].split()


def test_one_case_assess_loads_neither_web_stack_nor_reasoner():
    code = (
        "import sys; from nelmkg.cli import main; main(['assess', sys.argv[1]]); "
        f"print(*[m for m in {HEAVY!r} if m in sys.modules] or ['none'])"
    )
    assert in_fresh_python(code, str(CASE)) == ["none"]


def test_the_heavy_modules_are_real_names():
    """The check above can fail: the service's worker, the reasoner and the checks import
    every one."""
    code = (
        "import sys, nelmkg.web.front, nelmkg.graph.reasoning, nelmkg.graph.checks; "
        f"print(*[m for m in {HEAVY!r} if m not in sys.modules] or ['none'])"
    )
    assert in_fresh_python(code) == ["none"]


def test_service_start_prepares_no_named_query_with_rdflib():
    """Named queries are checked by Oxigraph at start; rdflib prepares one on first use only."""
    code = (
        "from nelmkg.web import create_app; from nelmkg.web.service import EXTENSION; "
        "service = create_app().extensions[EXTENSION]; "
        "named = service.named; "
        "print(len(named), sum('prepared' in q.__dict__ for q in named.values()))"
    )
    count, prepared = in_fresh_python(code)
    assert int(count) > 0
    assert prepared == "0"
