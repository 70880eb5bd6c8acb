"""Start-up does only what the command needs (issue 14: start fast).

Each check runs in a fresh interpreter, as a user's command would: ``sys.modules`` there says
what was imported, and a named query's ``prepared`` (rdflib's parse, a cached property) says
whether rdflib prepared it.
"""

from __future__ import annotations

import http.server
import threading

import pytest
from tests.conftest import in_fresh_python

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


def test_one_case_assess_loads_neither_web_stack_nor_reasoner():
    code = (
        "import sys; from nelmkg.cli import main; main(['assess', sys.argv[1]]); "
        f"print(*[m for m in {HEAVY!r} if m in sys.modules] or ['none'])"
    )
    assert in_fresh_python(code, str(CASE)) == ["none"]


def test_the_collector_is_on_again_once_the_command_runs():
    """The command line turns the collector off while it imports the command, not longer."""
    code = (
        "import gc, sys; from nelmkg import cli; "
        "seen = []; real = cli.build_parser; "
        "cli.build_parser = lambda c: (seen.append(gc.isenabled()), real(c))[1]; "
        "cli.main(['assess', sys.argv[1]]); print(seen[0], gc.isenabled())"
    )
    assert in_fresh_python(code, str(CASE)) == ["False", "True"]


def test_the_heavy_modules_are_real_names():
    """The checks here can fail: the service's worker, the reasoner and an integrity check
    import every one."""
    code = (
        "import sys, rdflib, nelmkg.web.front, nelmkg.graph.reasoning, nelmkg.graph.checks; "
        "nelmkg.graph.checks.integrity(rdflib.Graph(), rdflib.Graph()); "
        f"print(*[m for m in {HEAVY!r} if m not in sys.modules] or ['none'])"
    )
    assert in_fresh_python(code) == ["none"]


# What the service's start does without (each is imported by the request that needs it).
NOT_AT_SERVICE_START = ("pyshacl", "owlready2", "nelmkg.graph.reasoning", "rdflib.plugins.sparql")


def test_service_start_loads_neither_pyshacl_nor_reasoner_nor_rdflib_sparql():
    code = (
        "import sys; from nelmkg.web import create_app; create_app(); "
        f"print(*[m for m in {NOT_AT_SERVICE_START!r} if m in sys.modules] or ['none'])"
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


@pytest.fixture
def turtle_server():
    """A local HTTP server that serves one Turtle triple and counts the requests it got."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            hits.append(self.path)
            body = b"<urn:x:s> <urn:x:p> <urn:x:o> .\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("guarded", [True, False])
def test_importing_nelmkg_keeps_rdflib_sparql_from_fetching_graphs(turtle_server, guarded):
    """rdflib's SPARQL engine is imported lazily, yet a FROM graph is never fetched.

    ``guarded=False`` imports rdflib alone: the server is then reached, which shows the check
    can fail (rdflib's default is to fetch).
    """
    port, hits = turtle_server
    first = "import nelmkg; " if guarded else ""
    code = (
        f"import sys; {first}"
        "lazy = 'rdflib.plugins.sparql' not in sys.modules; "
        "from rdflib import Dataset; "
        f"found = Dataset().query('ASK FROM <http://127.0.0.1:{port}/d.ttl> {{ ?s ?p ?o }}'); "
        "print(lazy, bool(found.askAnswer))"
    )
    lazy, answer = in_fresh_python(code)
    assert lazy == "True"  # importing nelmkg did not import rdflib's SPARQL engine
    if guarded:
        assert (answer, hits) == ("False", [])
    else:
        assert (answer, hits) == ("True", ["/d.ttl"])
