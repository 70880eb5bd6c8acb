"""Differential: over a real external store the service answers as over its embedded store.

The embedded service (``client``: bundled data + ``protocol.trig``) and a service over each
real store loaded by ``nelmkg load`` with the same files (``remote_client``: the Oxigraph
server, Virtuoso) get the same requests through their HTTP routes:

- ``/sparql``: the hand-written set of ``tests/data/web/store-queries.toml`` (FROM, FROM
  NAMED, GRAPH, protocol dataset, forms, datatypes, language tags, blank nodes, order) and
  every query of ``queries/{competency,qc,audit}``;
- ``/queries/<name>`` for every named query, bare and at each of its ``#+ example:`` lines;
- ``/id/...`` resources' data (N-Triples, compared as graphs) and pages (HTML), every
  third resource of each kind;
- ``/audit`` (JSON), ``/profile`` (JSON), ``/assess`` on every case fixture, and the other
  pages built from the store.

SELECT results are compared as rows of terms (in order when the query orders them, else as
multisets), blank nodes as "a blank node"; graphs by isomorphism; everything else byte for
byte. Where a store differs from the SPARQL standard in a way nelmkg cannot hide, the
difference is listed in ``tests/data/web/store-differences.toml`` with its reason
(docs/external-store.md), as a strict xfail.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph
from rdflib.compare import isomorphic
from werkzeug.datastructures import MultiDict

from nelmkg import paths
from nelmkg.graph import sparqltext
from nelmkg.graph.queries import load_queries

HERE = Path(__file__).resolve().parent
QUERY_SET = HERE.parent.parent / "data" / "web" / "store-queries.toml"
ID_BASE = "https://w3id.org/nelmkg/id/"
JSON = {"Accept": "application/sparql-results+json"}
NTRIPLES = {"Accept": "application/n-triples"}
PAGES = ("/", "/pathway", "/.well-known/void", "/queries", "/sparql", "/profile", "/audit")
# Every SWEEP_STRIDE-th resource page of each kind is compared (all of them: 2 x 36 s per
# store, too long for every CI run; a page's code is per kind, its data per resource).
SWEEP_STRIDE = 3
REPORTS = ("/audit?format=json", "/profile?format=json", "/healthz")
RDF_PAGES = ("/ontology", "/.well-known/void", "/sparql")
DIFFERENCES = HERE.parent.parent / "data" / "web" / "store-differences.toml"


def known_differences() -> dict[tuple[str, str], str]:
    """Return (store, comparison key) -> why that store answers differently (a strict xfail)."""
    with DIFFERENCES.open("rb") as handle:
        rows = tomllib.load(handle)["difference"]
    return {
        (r["store"], key): f"{r['store']}: {r['feature']} (store-differences.toml)"
        for r in rows
        for key in r["tests"]
    }


KNOWN = known_differences()


def sparql_set() -> list[tuple[str, str, list, dict]]:
    """Return (id, query, extra params, headers) for every /sparql query of the comparison."""
    with QUERY_SET.open("rb") as handle:
        hand = tomllib.load(handle)["query"]
    found = [
        (f"set/{q['name']}", q["query"], q.get("params", []), {"Accept": q["accept"]})
        if "accept" in q
        else (f"set/{q['name']}", q["query"], q.get("params", []), JSON)
        for q in hand
    ]
    for folder in ("competency", "qc", "audit"):
        for query in load_queries(paths.queries_dir(folder)).values():
            found.append((f"{folder}/{query.name}", query.text, [], JSON))
    return found


def named_calls() -> list[tuple[str, str]]:
    """Return (id, path) for every named query, bare and at each of its examples."""
    calls = []
    for query in load_queries(paths.queries_dir("evidence")).values():
        if not query.required:
            calls.append((f"{query.name}", f"/queries/{query.name}"))
        for number, example in enumerate(query.examples):
            if "=" in example:
                calls.append((f"{query.name}#{number}", f"/queries/{query.name}?{example.strip()}"))
    return calls


def named_headers(path: str) -> dict[str, str]:
    """Return the Accept header for a named query's call: results, or a graph as N-Triples."""
    name = path.split("/")[2].split("?")[0]
    text = load_queries(paths.queries_dir("evidence"))[name].text
    return NTRIPLES if sparqltext.query_form(text) in ("CONSTRUCT", "DESCRIBE") else JSON


def _term(value: dict | None):
    if value is None:
        return None
    if value["type"] == "bnode":
        return ("bnode",)
    return (value["type"], value["value"], value.get("datatype"), value.get("xml:lang"))


def comparable(response, text: str = ""):
    """Return what must be equal between two answers (status, kind, content)."""
    kind = response.mimetype
    if response.status_code != 200:
        body = json.loads(response.data) if "json" in kind else response.data
        if isinstance(body, dict):
            body.pop("instance", None)
        return response.status_code, kind, body
    if kind == "application/sparql-results+json":
        data = json.loads(response.data)
        if "boolean" in data:
            return 200, "boolean", data["boolean"]
        names = data["head"]["vars"]
        rows = [tuple(_term(b.get(n)) for n in names) for b in data["results"]["bindings"]]
        return 200, names, in_order(rows, names, text)
    syntaxes = {
        "application/n-triples": "nt",
        "text/turtle": "turtle",
        "application/ld+json": "json-ld",
    }
    if kind in syntaxes:
        syntax = syntaxes[kind]
        graph = Graph().parse(data=response.data.decode("utf-8"), format=syntax)
        return 200, "graph", graph
    return 200, kind, response.data


class Cyclic(Exception):
    """A blank node reaches itself: the graph is not a forest of blank-node trees."""


def _signature(graph: Graph, node, seen: frozenset = frozenset()):
    """Return a blank-node-blind description of ``node``: its tree of outgoing triples."""
    if not isinstance(node, BNode):
        return node
    if node in seen:
        raise Cyclic(node)
    inner = seen | {node}
    return tuple(sorted((p, _signature(graph, o, inner)) for p, o in graph.predicate_objects(node)))


def tree_counts(graph: Graph) -> Counter:
    """Return the triples with blank nodes replaced by their trees (invariant under renaming).

    Equal counts make two graphs isomorphic when their blank nodes form trees (the documents
    here do); a cycle raises :class:`Cyclic`. Much faster than ``isomorphic`` on the service
    description's hundreds of blank nodes.
    """
    referenced = {o for o in graph.objects() if isinstance(o, BNode)}
    found: Counter = Counter()
    for s, p, o in graph:
        if isinstance(s, BNode) and s in referenced:
            continue  # inside another node's tree
        found[(_signature(graph, s), p, _signature(graph, o))] += 1
    return found


def same_graph(left: Graph, right: Graph) -> bool:
    """Return True when the graphs are isomorphic (by trees, else rdflib's ``isomorphic``)."""
    try:
        return len(left) == len(right) and tree_counts(left) == tree_counts(right)
    except Cyclic:
        return isomorphic(left, right)


def in_order(rows: list[tuple], names: list[str], text: str) -> list:
    """Return rows as compared: runs of equal ORDER BY keys in order, each run as a multiset.

    Rows that tie on every ORDER BY key may come in any order (SPARQL leaves it open); with no
    ORDER BY, or keys that are not projected, the whole answer is one multiset.
    """
    order = re.search(r"\bORDER\s+BY\b", text, re.IGNORECASE)
    keys = re.findall(r"\?(\w+)", text[order.end() :]) if order else []
    at = [names.index(k) for k in keys if k in names]
    if not at:
        return sorted(Counter(map(repr, rows)).items())
    runs: list[tuple[tuple, list[str]]] = []
    for row in rows:
        key = tuple(row[i] for i in at)
        if runs and runs[-1][0] == key:
            runs[-1][1].append(repr(row))
        else:
            runs.append((key, [repr(row)]))
    return [(key, sorted(run)) for key, run in runs]


def assert_same(left, right, where: str) -> None:
    """Assert two comparable answers are the same (graphs by isomorphism)."""
    assert left[:2] == right[:2], f"{where}: {left[:2]} vs {right[:2]}: {right[2]!r:.300}"
    if left[1] == "graph":
        assert same_graph(left[2], right[2]), f"{where}: the graphs differ"
    else:
        assert left[2] == right[2], f"{where}: the answers differ"


def test_known_differences_name_real_comparisons():
    keys = {f"sparql:{qid}" for qid, *_ in sparql_set()}
    keys |= {f"named:{call}" for call, _ in named_calls()}
    keys |= {f"page:{p}" for p in PAGES} | {f"report:{p}" for p in REPORTS}
    assert {key for _, key in KNOWN} <= keys


def _known(request, store: str, key: str) -> None:
    if (store, key) in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[(store, key)], strict=True))


@pytest.mark.parametrize(
    ("qid", "text", "params", "headers"),
    [pytest.param(i, t, p, h, id=i) for i, t, p, h in sparql_set()],
)
def test_sparql(request, client, remote_client, store_server, qid, text, params, headers):
    _known(request, store_server.name, f"sparql:{qid}")
    args = MultiDict([("query", text), *map(tuple, params)])
    left = client.post("/sparql", data=args, headers=headers)
    right = remote_client.post("/sparql", data=args, headers=headers)
    assert_same(comparable(left, text), comparable(right, text), "/sparql")


@pytest.mark.parametrize(("call", "path"), [pytest.param(c, p, id=c) for c, p in named_calls()])
def test_named_query(request, client, remote_client, store_server, call, path):
    _known(request, store_server.name, f"named:{call}")
    text = client.application.extensions["nelmkg"].named[path.split("/")[2].split("?")[0]].text
    headers = named_headers(path)
    left, right = client.get(path, headers=headers), remote_client.get(path, headers=headers)
    assert left.status_code == 200, left.data[:300]
    assert_same(comparable(left, text), comparable(right, text), path)


def resources(client) -> list[str]:
    """Return the /id paths of every resource of the embedded store."""
    store = client.application.extensions["nelmkg"].store
    rows = store.query(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID_BASE}")) }}'
    )
    return sorted("/id/" + row["s"].value[len(ID_BASE) :] for row in rows)


def sample(found: list[str], stride: int) -> list[str]:
    """Return every ``stride``-th resource of each kind (``/id/<kind>/...``): all kinds kept."""
    kinds: dict[str, list[str]] = {}
    for path in found:
        kinds.setdefault(path.split("/")[2], []).append(path)
    return [path for paths_ in kinds.values() for path in paths_[::stride]]


def test_resource_data_and_pages(client, remote_client):
    every = resources(client)
    assert len(every) > 100  # the KG's resources, counted from the store, not written here
    found = sample(every, SWEEP_STRIDE)
    differ = []
    for path in found:
        for headers in (NTRIPLES, {"Accept": "text/html"}):
            left = client.get(path, headers=headers)
            right = remote_client.get(path, headers=headers)
            try:
                assert_same(comparable(left), comparable(right), path)
            except AssertionError as exc:
                differ.append(f"{headers['Accept']} {exc}")
    assert not differ, f"{len(differ)} of {2 * len(found)} differ: {differ[:5]}"


@pytest.mark.parametrize("path", PAGES)
def test_page(request, client, remote_client, store_server, path):
    _known(request, store_server.name, f"page:{path}")
    for headers in ({"Accept": "text/html"}, {"Accept": "application/json"}):
        left, right = client.get(path, headers=headers), remote_client.get(path, headers=headers)
        if left.status_code == 406:
            continue
        assert_same(comparable(left), comparable(right), f"{path} {headers}")


@pytest.mark.parametrize("path", RDF_PAGES)
def test_rdf_page(client, remote_client, path):
    left, right = client.get(path, headers=NTRIPLES), remote_client.get(path, headers=NTRIPLES)
    assert left.status_code == 200
    assert_same(comparable(left), comparable(right), path)


@pytest.mark.parametrize("path", REPORTS)
def test_json_report(request, client, remote_client, store_server, path):
    _known(request, store_server.name, f"report:{path}")
    left, right = client.get(path), remote_client.get(path)
    assert left.status_code == right.status_code == 200, right.data[:300]
    want, got = json.loads(left.data), json.loads(right.data)
    if path == "/healthz":  # processes and lanes differ; the data must not
        want, got = want["triples"], got["triples"]
    assert want == got


def case_files() -> list[Path]:
    """Return every case fixture the /assess route reads as JSON."""
    folder = Path(__file__).resolve().parents[2] / "data" / "cases"
    return sorted(folder.glob("*.json"))


@pytest.mark.parametrize("case", case_files(), ids=lambda p: p.name)
def test_assess(client, remote_client, case):
    body = case.read_bytes()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    left = client.post("/assess", data=body, headers=headers)
    right = remote_client.post("/assess", data=body, headers=headers)
    assert left.status_code == right.status_code
    assert json.loads(left.data) == json.loads(right.data)
