"""A SPARQL 1.1 endpoint behind the part of pyoxigraph's ``Store`` API that nelmkg uses.

:class:`RemoteStore` answers ``query(text, base_iri=, default_graph=, named_graphs=,
substitutions=)`` and ``quads_for_pattern(s, p, o, g)`` with the same objects the embedded
store returns (solutions, booleans, triples, quads), so the pages, the named queries, the
audit and the assessor run unchanged over a store nelmkg does not hold. What it adds:

- **Dataset restriction.** nelmkg serves the graphs ``nelmkg load`` wrote (listed in the
  store's graph :data:`CATALOGUE`; without one, the graphs named under
  ``https://w3id.org/nelmkg/graph/``: :meth:`RemoteStore.graphs`) and nothing else the
  store may hold. Every query is sent with an explicit dataset: by
  default the union of those graphs as the default graph and those graphs as the named graphs
  (what the embedded store's union default graph gives); a query's own ``FROM`` / ``FROM
  NAMED`` clauses, or the protocol's ``default-graph-uri`` / ``named-graph-uri``, are taken out
  of the text and sent as protocol parameters, a graph outside the served set replaced by the
  empty graph :data:`EMPTY_GRAPH`.
- **Bindings** (``substitutions``) become a ``VALUES`` block in the text
  (:func:`nelmkg.graph.sparqltext.with_values`); a relative IRI is resolved against
  ``base_iri`` by a ``BASE`` line put first.
- **Time limits**: every request has a deadline; a store the table ``stores.toml`` knows is
  told the limit where its row there says how (none does now), and an answer it marks cut short
  is an error.
"""

from __future__ import annotations

import io
import time
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from nelmkg.graph import sparqltext
from nelmkg.graph.remote import results
from nelmkg.graph.remote.auth import Credentials
from nelmkg.graph.remote.http import (
    Client,
    StoreRefused,
    StoreUnavailable,
    Target,
    abandon,
    read_all,
)
from nelmkg.graph.store import StoreInfo
from nelmkg.graph.vocab import GRAPH

GRAPH_BASE = str(GRAPH)
EMPTY_GRAPH = GRAPH_BASE + "empty"  # never written by nelmkg: the stand-in for an unserved graph
# What `nelmkg load` wrote last: <CATALOGUE> dcterms:hasPart <graph>, in the graph CATALOGUE.
CATALOGUE = GRAPH_BASE + "catalogue"
HAS_PART = "http://purl.org/dc/terms/hasPart"
MAX_BODY = 512 * 1024 * 1024  # bytes of one answer read whole (pages, start-up reads)
DIALECTS = Path(__file__).with_name("stores.toml")
_LOADED = f"SELECT ?g WHERE {{ GRAPH <{CATALOGUE}> {{ <{CATALOGUE}> <{HAS_PART}> ?g }} }}"
_GRAPHS = f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}")) }}"""


class StoreTimeout(StoreUnavailable):
    """The store stopped the query at its time limit (and said so)."""


@dataclass(frozen=True)
class Dialect:
    """What a known store product adds to the protocol (a row of ``stores.toml``)."""

    name: str
    server: str
    timeout_parameter: str | None = None
    partial_header: str | None = None


def dialects() -> tuple[Dialect, ...]:
    """Return the rows of ``stores.toml``."""
    with DIALECTS.open("rb") as handle:
        table = tomllib.load(handle)
    return tuple(Dialect(name=name, **row) for name, row in table.items())


def _iris(graphs) -> list[str] | None:
    if graphs is None:
        return None
    if isinstance(graphs, ox.NamedNode | ox.DefaultGraph):
        graphs = [graphs]
    return [g.value for g in graphs if isinstance(g, ox.NamedNode)]


class RemoteStore:
    """A SPARQL endpoint (and optionally its Graph Store Protocol endpoint) used as the store."""

    def __init__(
        self,
        query_url: str,
        gsp_url: str | None = None,
        credentials: Credentials | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.query_target = Target.parse(query_url)
        self.gsp_target = Target.parse(gsp_url) if gsp_url else None
        self.client = Client(credentials, timeout)
        self.timeout = timeout
        self.dialect: Dialect | None = None
        self._graphs: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        return f"RemoteStore({str(self.query_target)!r})"

    @property
    def origins(self) -> frozenset[tuple[str, int]]:
        """Return every ``(host, port)`` this store sends requests to."""
        found = {self.query_target.origin}
        if self.gsp_target:
            found.add(self.gsp_target.origin)
        return frozenset(found)

    def connect(self) -> RemoteStore:
        """Ask the store once (``ASK {}``): learn its dialect and its served graphs."""
        response = self._post("ASK {}", [], self.timeout)
        server = response.getheader("Server") or ""
        read_all(response, time.monotonic() + self.timeout)
        self.dialect = next((d for d in dialects() if server.startswith(d.server)), None)
        self._graphs = None
        self.graphs()
        return self

    def ping(self, timeout: float) -> None:
        """Raise :class:`~nelmkg.graph.remote.http.StoreError` unless the store answers."""
        response = self._post("ASK {}", [], timeout)
        read_all(response, time.monotonic() + timeout, limit=65536)

    def graphs(self) -> tuple[str, ...]:
        """Return the served graphs (read once): those ``nelmkg load`` listed in its catalogue,
        else every graph of the store named under ``GRAPH_BASE``."""
        if self._graphs is None:
            rows = self._select(_LOADED, self._params([], [CATALOGUE]), self.timeout)
            if not rows:
                rows = self._select(_GRAPHS, [], self.timeout)
            found = {row["g"].value for row in rows} - {EMPTY_GRAPH, CATALOGUE}
            self._graphs = tuple(sorted(found))
        return self._graphs

    def info(self) -> StoreInfo:
        """Count the triples of every served graph and of their union (the default graph)."""
        per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        graphs = {
            row["g"].value: int(row["n"].value)
            for row in self._select(per_graph, self._params(self.graphs(), self.graphs()), 60)
        }
        union = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
        rows = list(self._select(union, self._params(self.graphs(), []), 60))
        return StoreInfo(graphs=dict(sorted(graphs.items())), default=int(rows[0]["n"].value))

    def _params(self, default: Sequence[str], named: Sequence[str]) -> list[tuple[str, str]]:
        params = [("default-graph-uri", g) for g in default or [EMPTY_GRAPH]]
        return params + [("named-graph-uri", g) for g in named or [EMPTY_GRAPH]]

    def dataset(
        self, text: str, base_iri: str | None, default_graph=None, named_graphs=None
    ) -> tuple[list[tuple[str, str]], str]:
        """Return the protocol's dataset parameters for ``text`` and the text to send."""
        given_default, given_named = _iris(default_graph), _iris(named_graphs)
        found_default, found_named, stripped = sparqltext.dataset_clauses(text, base_iri)
        if given_default is not None or given_named is not None:
            default, named = given_default or [], given_named or []
        elif found_default is not None:
            default, named = found_default, found_named
        else:
            default = named = list(self.graphs())
        served = set(self.graphs())

        def restrict(iris: Sequence[str]) -> list[str]:
            kept = dict.fromkeys(i if i in served else EMPTY_GRAPH for i in iris)
            return list(kept) or [EMPTY_GRAPH]

        return self._params(restrict(default), restrict(named)), stripped

    def query(
        self,
        query: str,
        base_iri: str | None = None,
        default_graph=None,
        named_graphs=None,
        substitutions: dict | None = None,
        *,
        timeout: float | None = None,
        stream: bool = False,
        union: bool | None = None,  # the embedded store's hint; the dataset is always explicit
    ):
        """Evaluate ``query`` on the store; return what ``pyoxigraph.Store.query`` returns.

        With ``stream`` the answer is read as it is consumed (close it to stop early);
        otherwise it is read whole first (at most :data:`MAX_BODY` bytes).
        """
        wait = self.timeout if timeout is None else timeout
        if substitutions:
            terms = {v.value: sparqltext.term_text(t) for v, t in substitutions.items()}
            query = sparqltext.with_values(query, terms)
        form = sparqltext.query_form(query) or "SELECT"
        params, text = self.dataset(query, base_iri, default_graph, named_graphs)
        if base_iri and not sparqltext.declares_base(text):
            text = f"BASE <{base_iri}>\n{text}"
        response = self._post(text, params, wait, graph=form in ("CONSTRUCT", "DESCRIBE"))
        deadline = time.monotonic() + wait
        if stream:
            body = results.Body(response, deadline)
        else:
            body = results.Body(io.BytesIO(read_all(response, deadline, MAX_BODY)), deadline)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return results.triples(body)
        answer = results.solutions(body)
        if form == "ASK" and not isinstance(answer, ox.QueryBoolean):
            return results.ask_from_rows(answer)
        return answer

    def quads_for_pattern(self, subject, predicate, object, graph_name=None) -> Iterator[ox.Quad]:
        """Yield the quads matching the pattern (None: any), as the embedded store would.

        The default graph (``ox.DefaultGraph()``) is the union of the served graphs, as the
        embedded store's union view; ``graph_name=None`` yields the served graphs' quads.
        """
        pattern = {"s": subject, "p": predicate, "o": object}
        bound = {k: v for k, v in pattern.items() if v is not None}
        if graph_name is None:
            for graph in self.graphs():
                yield from self._quads(bound, ox.NamedNode(graph))
        elif isinstance(graph_name, ox.DefaultGraph) or graph_name.value in self.graphs():
            yield from self._quads(bound, graph_name)

    def _quads(self, bound: dict, graph) -> Iterator[ox.Quad]:
        whole = not bound
        if isinstance(graph, ox.DefaultGraph):
            where = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
            params = self._params(self.graphs(), [])
        elif whole and self.gsp_target is not None:
            yield from self._graph_get(graph)
            return
        else:
            where = f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
            params = self._params([], [graph.value])
        text = sparqltext.with_values(where, {k: sparqltext.term_text(v) for k, v in bound.items()})
        rows = [(r["s"], r["p"], r["o"]) for r in self._select(text, params, self.timeout)]
        if whole:
            self._check_complete(where, params, len(rows), graph)
        for s, p, o in rows:
            yield ox.Quad(s, p, o, graph)

    def _graph_get(self, graph: ox.NamedNode) -> Iterator[ox.Quad]:
        response = self.client.request(
            "GET",
            self.gsp_target,
            [("graph", graph.value)],
            headers={"Accept": results.GRAPH_ACCEPT},
        )
        data = read_all(response, time.monotonic() + self.timeout, MAX_BODY)
        body = results.Body(io.BytesIO(data), time.monotonic() + self.timeout)
        for triple in list(results.triples(body)):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    def _check_complete(self, where: str, params: list, got: int, graph) -> None:
        """Refuse a whole-graph read the store cut short (Virtuoso's ``ResultSetMaxRows``)."""
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
        rows = list(self._select(count, params, self.timeout))
        want = int(rows[0]["n"].value) if rows else got
        if want != got:
            name = graph.value if isinstance(graph, ox.NamedNode) else "the default graph"
            raise StoreRefused(
                413,
                f"the store returned {got} of the {want} triples of {name}: raise its cap on "
                "result rows (Virtuoso: [SPARQL] ResultSetMaxRows), or give the Graph Store "
                "Protocol URL",
            )

    def _select(self, text: str, params: list, timeout: float) -> Iterable[ox.QuerySolution]:
        response = self._post(text, params, timeout)
        deadline = time.monotonic() + timeout
        body = results.Body(io.BytesIO(read_all(response, deadline, MAX_BODY)), deadline)
        return list(results.solutions(body))

    def _post(self, text: str, params: list, timeout: float, graph: bool = False):
        form = [("query", text), *params]
        if self.dialect and self.dialect.timeout_parameter:
            form.append((self.dialect.timeout_parameter, str(int(timeout * 1000))))
        response = self.client.request(
            "POST",
            self.query_target,
            body=urlencode(form).encode("utf-8"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": results.GRAPH_ACCEPT if graph else results.RESULTS_ACCEPT,
            },
            timeout=timeout,
        )
        if self.dialect and self.dialect.partial_header:
            state = response.getheader(self.dialect.partial_header)
            if state:
                abandon(response)
                why = f"the store stopped the query at its time limit ({state})"
                raise StoreTimeout(f"{self.query_target}: {why}", why)
        return response
