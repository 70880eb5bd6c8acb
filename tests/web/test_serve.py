"""End to end: ``nelmkg serve`` under gunicorn on 127.0.0.1, queried by real clients.

SPARQLWrapper and rdflib's ``SPARQLStore`` query the live endpoint; the time limit is proven
on the real server (2 s here): a query that would run for days is answered 503 after ~2 s,
other requests are answered meanwhile, and no process keeps burning CPU afterwards.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import FOAF, RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

from nelmkg.testing import live

CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
DOCUMENTS = "SELECT ?d WHERE { ?d a <http://xmlns.com/foaf/0.1/Document> } ORDER BY ?d"


# One live request (the live-server helper's client, shaped like a test-client response).
request = live.fetch
Reply = live.Reply


@pytest.fixture(scope="module")
def base(live_server):
    return live_server[0]


@pytest.fixture(scope="module")
def documents(source_graphs, web_data) -> set:
    """The foaf:Document nodes the served dataset holds, found by rdflib in the files."""
    found = {s for g in source_graphs.values() for s in g.subjects(RDF.type, FOAF.Document)}
    trig = Dataset()
    trig.parse(web_data / "protocol.trig", format="trig")
    found |= {s for s, _, _, _ in trig.quads((None, RDF.type, FOAF.Document, None))}
    assert found
    return found


def test_sparqlwrapper_select_ask_construct(base, documents):
    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(DOCUMENTS)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [r["d"]["value"] for r in rows][:1] == ["http://example.org/protocol-test"]
    client.setReturnFormat(XML)
    assert client.query().convert().getElementsByTagName("result")
    client.setQuery("ASK { ?s a <http://www.w3.org/2002/07/owl#Ontology> }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery("CONSTRUCT WHERE { ?d a <http://xmlns.com/foaf/0.1/Document> }")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == len(documents)


def test_sparqlwrapper_post(base, documents):
    client = SPARQLWrapper(f"{base}/sparql")
    client.setMethod("POST")
    client.setQuery(DOCUMENTS)
    client.setReturnFormat(JSON)
    assert len(client.query().convert()["results"]["bindings"]) == len(documents)


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(base, method):
    store = SPARQLStore(query_endpoint=f"{base}/sparql", method=method, returnFormat="json")
    graph = Graph(store=store)
    rows = list(graph.query(DOCUMENTS))
    assert [str(r.d) for r in rows][0] == "http://example.org/protocol-test"
    assert (URIRef("https://w3id.org/nelmkg/id/reference/22"), None, None) in graph


def test_problem_over_http(base, assert_problem):
    reply = request(base, "GET", "/sparql?query=" + quote("SELECT * WHERE {"))
    assert_problem(reply, 400, "query-syntax")
    reply = request(base, "PUT", "/sparql?query=ASK%7B%7D")
    assert_problem(reply, 405)
    reply = request(base, "POST", "/sparql", body=b"ASK {}")
    assert_problem(reply, 415, "unsupported-media-type")
    # announce a body over the 5 MiB cap: the answer comes before any of it is read
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.putrequest("POST", "/sparql")
    conn.putheader("Content-Type", "application/sparql-query")
    conn.putheader("Content-Length", str(5 * 1024 * 1024 + 1))
    conn.endheaders()
    response = conn.getresponse()
    reply = Reply(
        response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    )
    conn.close()
    assert_problem(reply, 413, "body-too-large")


def descendants(pid: int) -> list[int]:
    """Return the ids of every process below ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


def test_time_limit_on_the_live_server(live_server, assert_problem):
    base, process, _ = live_server
    slow: dict = {}

    def run_slow():
        started = time.monotonic()
        slow["reply"] = request(base, "GET", "/sparql?query=" + quote(CROSS_PRODUCT))
        slow["took"] = time.monotonic() - started

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)
    quick = []
    while thread.is_alive() and len(quick) < 5:
        started = time.monotonic()
        reply = request(base, "GET", "/sparql?query=" + quote(DOCUMENTS), timeout=10)
        quick.append((reply.status_code, time.monotonic() - started))
    thread.join(timeout=30)
    assert len(quick) == 5, "the other requests must be answered while the slow one runs"
    assert all(status == 200 and took < 1.0 for status, took in quick), quick
    assert_problem(slow["reply"], 503, "query-timeout", limit_seconds=2.0)
    assert 2.0 <= slow["took"] < 6.0
    # the work really stopped: nothing under the server keeps burning CPU
    time.sleep(0.3)
    pids = descendants(process.pid)
    before = cpu_seconds(pids)
    time.sleep(1.0)
    assert cpu_seconds(descendants(process.pid)) - before < 0.3


def test_access_log_has_no_query_text(live_server):
    base, _, log = live_server
    request(base, "GET", "/sparql?query=" + quote('ASK { ?s ?p "liveSecret7" }'))
    time.sleep(0.2)
    text = log.read_text(errors="replace")
    assert "GET /sparql 200" in text
    assert "liveSecret7" not in text


def test_serve_stops_on_a_bad_data_file(tmp_path, capsys):
    from nelmkg.cli import main

    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://e/s> <http://e/p> .\n", encoding="utf-8")
    assert main(["serve", "--port", str(live.free_port()), "--data", str(bad)]) == 1
    assert "bad.ttl:1:" in capsys.readouterr().err
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ, "serve must restore the environment"


def serve(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real ``nelmkg serve`` command (expected to stop at once)."""
    return subprocess.run(
        [sys.executable, "-m", "nelmkg.cli", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        ((), {"NELMKG_QUERY_TIMEOUT": "soon"}, "NELMKG_QUERY_TIMEOUT"),
        (("--query-timeout", "soon"), {}, "--query-timeout"),
        (("--port", "99999"), {}, "--port"),
        ((), {"NELMKG_PORT": "http"}, "NELMKG_PORT"),
        (("--workers", "0"), {}, "--workers"),
        (("--log-format", "xml"), {}, "--log-format"),
        (("--cors", "https://example.org"), {}, "--cors"),
        (("--access-log", "maybe"), {}, "--access-log"),
        (("--metrics-dir", "/no/such/folder"), {}, "--metrics-dir"),
        ((), {"PROMETHEUS_MULTIPROC_DIR": "/no/such/folder"}, "PROMETHEUS_MULTIPROC_DIR"),
        (("--host", "no-such-host.invalid"), {}, "no-such-host.invalid"),
    ],
)
def test_a_bad_value_is_one_line(args, env, named):
    started = time.monotonic()
    done = serve("--port", str(live.free_port()), *args, env=env)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], done.stderr
    assert time.monotonic() - started < 30, "refused before loading the data"


def test_a_busy_port_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve("--port", str(port))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: address already in use"
    ]


def test_help_lists_every_setting_as_flag_and_variable():
    from nelmkg.web.settings import SERVER_SETTINGS, SETTINGS

    done = serve("--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())  # argparse wraps lines
    for setting in SERVER_SETTINGS + SETTINGS:
        assert f"{setting.option} " in text and f"[{setting.env};" in text, setting.env


def test_a_flag_wins_over_its_variable():
    import argparse

    from nelmkg.web.serve import add_parser, settings_of

    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    env = {"NELMKG_PORT": "9000", "NELMKG_MAX_ROWS": "5", "NELMKG_DATA": "a.ttl"}
    args = parser.parse_args(["serve", "--port", "9100", "--max-rows", "7", "--data", "b.nq"])
    server, overrides = settings_of(args, env)
    assert server["PORT"] == 9100 and server["HOST"] == "127.0.0.1"
    assert overrides == {"MAX_ROWS": 7, "DATA_FILES": (Path("a.ttl"), Path("b.nq"))}
    server, overrides = settings_of(parser.parse_args(["serve"]), env)
    assert server["PORT"] == 9000 and overrides == {}, "the app reads its variables itself"


def test_the_operators_metrics_folder_is_emptied_of_stale_counts_and_kept(tmp_path, monkeypatch):
    from nelmkg.web.serve import metrics_directory

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    (tmp_path / "counter_4242.db").write_bytes(b"stale")
    (tmp_path / "notes.txt").write_text("the operator's", encoding="utf-8")
    with metrics_directory(tmp_path) as folder:
        assert folder == tmp_path and os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path)
        assert not list(tmp_path.glob("*.db"))
    assert tmp_path.is_dir() and (tmp_path / "notes.txt").exists()
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


def test_the_private_metrics_folder_is_made_and_removed(tmp_path, monkeypatch):
    from nelmkg.web.serve import metrics_directory

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/the/operators/before")
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    with metrics_directory(None) as folder:
        assert folder.parent == tmp_path and folder.is_dir()
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(folder)
    assert not folder.exists()
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == "/the/operators/before"
