"""Safe for the public: each defence of the service, proven.

Time limit (the evaluator is killed), memory and stack exhaustion, row cap, body cap, no
network (SERVICE, FROM, updates), the sandbox of the evaluator process (audit hook, closed
sockets, death with its parent), no 500 for bad input, CORS, and an access log without query
text. The live-server counterparts (a slow query while others are answered) are in
``test_serve.py``.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nelmkg import paths
from nelmkg.query import sandbox
from nelmkg.query.evaluator import Evaluator, EvaluatorError
from nelmkg.web.service import build_service

# Would run for days: the default graph's ~9,000 triples, four times over.
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
UPDATES = [
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/nelmkg/graph/kg>",
    "CREATE GRAPH <http://example.org/g>",
    "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }",
    "DELETE WHERE { ?s ?p ?o }",
    "COPY DEFAULT TO <http://example.org/g>",
    "MOVE DEFAULT TO <http://example.org/g>",
    "ADD DEFAULT TO <http://example.org/g>",
    "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


@pytest.fixture
def listener():
    """A local TCP port that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.01)  # anything that connected did so before the response came back

    def connections() -> int:
        count = 0
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return count
            conn.close()
            count += 1

    yield server.getsockname()[1], connections
    server.close()


def test_time_limit_kills_the_evaluator(make_app, assert_problem):
    app = make_app(QUERY_TIMEOUT=1.0)
    client = app.test_client()
    before = client.get("/healthz").get_json()["evaluator"]["pid"]
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": CROSS_PRODUCT})
    took = time.monotonic() - started
    assert_problem(response, 503, "query-timeout", limit_seconds=1.0)
    assert 1.0 <= took < 4.0
    assert not alive(before), "the evaluator running the slow query must be gone"
    after = client.get("/healthz").get_json()["evaluator"]["pid"]
    assert after != before and alive(after)
    assert client.get("/sparql?query=ASK%7B%7D").get_json()["boolean"] is True


def test_stack_exhaustion_is_a_client_error(client, assert_problem):
    deep = "SELECT * WHERE { FILTER(" + "(" * 50_000 + "1" + ")" * 50_000 + ") }"
    response = client.post("/sparql", data=deep, content_type="application/sparql-query")
    assert_problem(response, 400, "query-too-complex")
    assert client.get("/sparql?query=ASK%7B%7D").status_code == 200


def test_memory_limit_is_a_client_error(assert_problem):
    from nelmkg.web import create_app

    small = build_service(memory_mb=64)
    try:
        client = create_app({"QUERY_TIMEOUT": 20}, service=small).test_client()
        query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f"
        assert_problem(
            client.get("/sparql", query_string={"query": query}), 400, "query-too-complex"
        )
        assert client.get("/healthz").get_json()["evaluator"]["sandbox"]["memory_limit"] is True
    finally:
        small.close()


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", 3),
        ("CONSTRUCT WHERE { ?s ?p ?o }", 3),
        ("DESCRIBE ?s WHERE { ?s a <http://www.w3.org/2002/07/owl#Class> }", 3),
        ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", 2),
        ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", 3),
    ],
)
def test_row_cap(make_app, query, rows):
    client = make_app(MAX_ROWS=3).test_client()
    response = client.get(
        "/sparql",
        query_string={"query": query},
        headers={"Accept": "application/n-triples, application/sparql-results+json"},
    )
    assert response.status_code == 200
    if response.mimetype == "application/n-triples":
        assert len(response.data.decode().strip().splitlines()) == rows
    else:
        assert len(response.get_json()["results"]["bindings"]) == rows
    truncated = "LIMIT" not in query
    assert (response.headers.get("Nelmkg-Truncated") == "true") is truncated


def test_row_cap_on_html(make_app):
    client = make_app(MAX_ROWS=2).test_client()
    response = client.get(
        "/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": "text/html"}
    )
    assert response.headers["Nelmkg-Truncated"] == "true"
    assert b"Only the first 2 rows" in response.data


@pytest.mark.parametrize("kind", ["application/sparql-query", "application/x-www-form-urlencoded"])
def test_body_cap(make_app, assert_problem, kind):
    client = make_app(MAX_CONTENT_LENGTH=1000).test_client()
    body = "query=" + "ASK {} #" + "x" * 2000
    response = client.post("/sparql", data=body, content_type=kind)
    assert_problem(response, 413, "body-too-large", limit=1000)
    ok = client.post(
        "/sparql", data="ASK {} #" + "x" * 500, content_type="application/sparql-query"
    )
    assert ok.status_code == 200


def test_default_body_cap_is_5_mib(client, assert_problem):
    limit = 5 * 1024 * 1024
    big = ("ASK {} #" + "x" * limit).encode()[: limit + 1]
    assert_problem(
        client.post("/sparql", data=big, content_type="application/sparql-query"),
        413,
        "body-too-large",
        limit=limit,
    )
    fits = ("ASK {} #" + "x" * (4 * 1024 * 1024)).encode()
    assert (
        client.post("/sparql", data=fits, content_type="application/sparql-query").status_code
        == 200
    )


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ service silent <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o "
        "OPTIONAL {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?q ?r }} }} }}",
        "SELECT * WHERE {{ BIND(<http://127.0.0.1:{port}/> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        # does not parse, still refused:
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} ",
    ],
)
def test_service_is_refused_and_nothing_is_contacted(client, assert_problem, listener, template):
    port, connections = listener
    response = client.get("/sparql", query_string={"query": template.format(port=port)})
    assert_problem(response, 403, "service-not-allowed")
    assert connections() == 0


def test_the_word_service_is_not_a_service_clause(client):
    query = 'SELECT ?x WHERE { BIND("customer service" AS ?x) ?service ?p ?o } LIMIT 1'
    assert client.get("/sparql", query_string={"query": query}).status_code == 200


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_is_resolved_locally(client, listener, clause):
    port, connections = listener
    query = f"ASK {clause} <http://127.0.0.1:{port}/data.ttl> {{ ?s ?p ?o }}"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200
    assert response.get_json()["boolean"] is False
    assert connections() == 0


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("how", ["get-update", "form-update", "direct-update", "as-query"])
def test_updates_are_refused(client, assert_problem, listener, update, how):
    port, connections = listener
    update = update.replace("127.0.0.1:9", f"127.0.0.1:{port}")
    if how == "get-update":
        response = client.get("/sparql", query_string={"update": update})
    elif how == "form-update":
        response = client.post("/sparql", data={"update": update})
    elif how == "direct-update":
        response = client.post("/sparql", data=update, content_type="application/sparql-update")
    else:
        response = client.post("/sparql", data=update, content_type="application/sparql-query")
    assert_problem(response, 403, "update-not-allowed")
    assert connections() == 0
    count = client.get("/sparql?query=SELECT%20(COUNT(*)%20AS%20?n)%20%7B?s%20?p%20?o%7D")
    assert count.status_code == 200


def _probe_handlers():
    def read(path):
        with open(path, encoding="utf-8") as handle:
            return handle.read(20)

    def write(path):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("x")

    def connect(port):
        socket.create_connection(("127.0.0.1", port), timeout=1)

    def fetch(url):
        import urllib.request

        return urllib.request.urlopen(url, timeout=1).read()

    def run(argv):
        return subprocess.run(argv, check=False).returncode

    return {"read": read, "write": write, "connect": connect, "fetch": fetch, "run": run}


@pytest.fixture
def probe():
    evaluator = Evaluator(_probe_handlers(), read_roots=sandbox.default_read_roots(paths.root()))
    yield evaluator
    evaluator.close()


@pytest.mark.parametrize(
    ("op", "argument"),
    [
        ("read", "/etc/hostname"),
        ("read", "/proc/self/environ"),
        ("write", str(paths.root() / "kg" / "injected.ttl")),
        ("connect", "PORT"),
        ("fetch", "http://127.0.0.1:PORT/"),
        ("run", ["true"]),
    ],
)
def test_audit_hook_blocks(probe, listener, op, argument):
    port, connections = listener
    if isinstance(argument, str):
        argument = argument.replace("PORT", str(port))
    if op == "connect":
        argument = port
    with pytest.raises(EvaluatorError, match="not allowed while evaluating queries"):
        probe.call(op, argument, timeout=10)
    assert connections() == 0
    assert not (paths.root() / "kg" / "injected.ttl").exists()


def test_audit_hook_lets_the_repository_be_read(probe):
    assert probe.call("read", str(paths.root() / "README.md"), timeout=10)


def test_evaluator_keeps_no_inherited_socket(listener):
    evaluator = Evaluator({})
    try:
        evaluator.call("ping", None, timeout=10)
        fds = Path(f"/proc/{evaluator.pid}/fd")
        sockets = [p for p in fds.iterdir() if os.readlink(p).startswith("socket:")]
        assert len(sockets) == 1, "only the pipe to its web worker"
    finally:
        evaluator.close()


def test_evaluator_dies_with_its_worker(tmp_path):
    script = textwrap.dedent("""
        import os, sys
        from nelmkg.query.evaluator import Evaluator
        evaluator = Evaluator({})
        print(evaluator.call("ping", None, 10)["pid"], flush=True)
        os._exit(0)  # the worker dies without cleaning up
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    pid = int(done.stdout.strip())
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)


def test_healthz_reports_the_sandbox(client):
    report = client.get("/healthz").get_json()["evaluator"]["sandbox"]
    assert report["audit_hook"] is True
    assert report["parent_death_signal"] is True
    assert isinstance(report["network_namespace"], bool)


NASTY = [
    ("GET", "/sparql?query=%00%01%02", None, None),
    ("GET", "/sparql?query=%ZZ%", None, None),
    (
        "GET",
        "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%22%5Cud800%22%20%7D",
        None,
        None,
    ),
    ("GET", "/sparql?query=" + "%28" * 5000, None, None),
    ("GET", "/sparql?query=ASK%7B%7D&format=%00", None, None),
    ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=%3Cjavascript%3Aalert(1)%3E", None, None),
    ("POST", "/sparql", "application/sparql-query", b"\x00\xff\xfe"),
    ("POST", "/sparql", "application/sparql-query; charset=", b"ASK {}"),
    ("POST", "/sparql", "application/x-www-form-urlencoded", b"query=%"),
    ("POST", "/sparql", "multipart/form-data; boundary=x", b"--x\r\n\r\nASK{}\r\n--x--"),
    ("POST", "/sparql", "application/sparql-query", b"SELECT * WHERE { ?s ?p ?o } LIMIT -1"),
    ("POST", "/sparql", "application/sparql-query", b'SELECT (xsd:integer("x") AS ?n) {}'),
    ("POST", "/sparql", "application/sparql-query", b"SELECT (1/0 AS ?n) {}"),
    (
        "POST",
        "/sparql",
        "application/sparql-query",
        b"SELECT * WHERE { ?s <http://a/p>* ?o } LIMIT 1",
    ),
    ("POST", "/sparql", "application/sparql-query", b'SELECT (REGEX("a", "(") AS ?r) {}'),
    ("GET", "/queries/web-annotations?format=image%2Fpng", None, None),
    ("GET", "/queries/%2e%2e%2fqc%2fdangling-iri-violation", None, None),
    ("GET", "/queries/../../etc/passwd", None, None),
    ("GET", "/nothing-here", None, None),
    ("GET", "/healthz?x=%FF", None, None),
]


@pytest.mark.parametrize(("method", "url", "content_type", "body"), NASTY)
def test_bad_input_is_never_a_server_error(client, method, url, content_type, body):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.open(url, method=method, data=body, headers=headers)
    assert response.status_code < 500, response.data[:300]
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"


def test_unexpected_errors_are_generic_and_logged(make_app, assert_problem, caplog):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    with caplog.at_level(logging.ERROR, logger="nelmkg.web"):
        response = app.test_client().get("/boom")
    body = assert_problem(response, 500)
    assert "secret" not in response.data.decode()
    assert "secret internal detail" in caplog.text
    assert body["detail"].startswith("The service failed")


def test_cors_is_off_by_default(client):
    response = client.get("/sparql?query=ASK%7B%7D", headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_star_without_credentials(make_app, assert_problem):
    client = make_app(CORS="*").test_client()
    response = client.get("/sparql?query=ASK%7B%7D", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Nelmkg-Truncated" in response.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    error = client.get("/sparql?query=ASK%20%7B")
    assert_problem(error, 400, "query-syntax")
    assert error.headers["Access-Control-Allow-Origin"] == "*"


def test_access_log_has_no_query_text(client, caplog):
    secret = "patientSecret42"
    with caplog.at_level(logging.INFO, logger="nelmkg.access"):
        client.get("/sparql", query_string={"query": f'ASK {{ ?s ?p "{secret}" }}'})
        client.post(
            "/sparql", data=f'ASK {{ ?s ?p "{secret}" }}', content_type="application/sparql-query"
        )
        client.post("/sparql", data={"query": f'ASK {{ ?s ?p "{secret}" }}'})
    lines = [r.getMessage() for r in caplog.records if r.name == "nelmkg.access"]
    assert len(lines) == 3
    assert all(secret not in line for line in lines)
    assert lines[0].startswith("GET /sparql 200 ")
    assert lines[1].startswith("POST /sparql 200 ") and " in=" in lines[1]


def test_access_log_can_be_switched_off(make_app, caplog):
    client = make_app(ACCESS_LOG=False).test_client()
    with caplog.at_level(logging.INFO, logger="nelmkg.access"):
        client.get("/healthz")
    assert not [r for r in caplog.records if r.name == "nelmkg.access"]
