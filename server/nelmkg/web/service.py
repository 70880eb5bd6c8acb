"""The one object that owns the service's state, built once by ``create_app``.

:class:`Service` holds everything the routes read: the query store and its counts, the named
queries of ``queries/evidence/`` (and the pages' own, ``queries/pages/``), the evaluator
processes that run queries under the time limit, the answer cache, the case
:class:`~nelmkg.eligibility.assessor.Assessor` and the evaluator processes that read and check
cases (:mod:`nelmkg.web.lanes`: pools and the lanes admitting requests to them), the case
JSON-LD context documents, the ontology's version, the Prometheus counters
(:mod:`nelmkg.web.metrics`), and the documents built on first use (the service descriptions,
the OpenAPI document, the citation audit). :func:`build_service` loads it
(a broken data file or named query stops start-up); ``create_app`` hangs it on the app once, and
blueprints read it through :func:`current` only. Nothing here is module-level or shared between
services; the tests build one per session and give it to every app they make.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
from flask import Flask, current_app
from rdflib import Graph

from nelmkg import paths
from nelmkg.cases.context import Contexts, load_contexts
from nelmkg.eligibility.assessor import Assessor
from nelmkg.graph.queries import NamedQuery, QueryError, load_queries
from nelmkg.graph.remote import RemoteStore
from nelmkg.graph.sparqltext import with_values
from nelmkg.graph.store import StoreInfo, UnionStore
from nelmkg.graph.vocab import GRAPHS, PREFIXES
from nelmkg.query import sandbox
from nelmkg.query.cache import AnswerCache
from nelmkg.query.jobs import Answer, Job
from nelmkg.web import backend, casework
from nelmkg.web.lanes import (
    CASE_QUEUE,
    QUERY_QUEUE,
    QUERY_WAIT,
    EvaluationTimeout,
    EvaluatorPool,
    Lane,
)
from nelmkg.web.metrics import Metrics

EXTENSION = "nelmkg"
# Query evaluators run at a lower CPU priority: a query running to its time limit takes the
# CPU left over by the web threads and the case evaluators, not theirs.
QUERY_NICENESS = 10
# A query evaluator whose private memory grew by this much (a scan copies the store pages it
# walks: nelmkg.query.evaluator) exits after answering; the next query gets a fresh one.
QUERY_RETIRE_MB = 64
# Query-string names the service reads itself; a named query may not use them as parameters.
RESERVED_PARAMS = frozenset({"format", "output", "results"})  # conneg.FORMAT_PARAMS
ONTOLOGY_VERSION = f"""
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?info ?iri WHERE {{ GRAPH <{GRAPHS["ontology"]}> {{
  ?ontology a owl:Ontology .
  OPTIONAL {{ ?ontology owl:versionInfo ?info }}
  OPTIONAL {{ ?ontology owl:versionIRI ?iri }} }} }}"""
T = TypeVar("T")


@dataclass
class Service:
    """The loaded data, the evaluator, the assessor, the caches and the lazily built documents."""

    store: UnionStore  # .query(text, ...) as pyoxigraph's Store.query; .quads_for_pattern
    info: StoreInfo
    named: dict[str, NamedQuery]
    evaluator: EvaluatorPool  # runs queries
    prefixes: dict[str, str]
    assessor: Assessor
    contexts: Contexts
    ontology_version: dict[str, str | None]
    cases: EvaluatorPool  # reads and checks cases
    query_lane: Lane
    case_lane: Lane
    cache: AnswerCache = field(default_factory=lambda: AnswerCache(0))
    metrics: Metrics = field(default_factory=Metrics)  # what /metrics reports
    page_queries: dict[str, NamedQuery] = field(default_factory=dict)  # queries/pages/
    descriptions: dict = field(default_factory=dict)  # serialised service descriptions (bounded)
    _built: dict[Any, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def run(
        self,
        job: Job,
        timeout: float,
        client: str | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Answer:
        """Return the answer to ``job``: from the cache, else from an evaluator process
        (waiting at most ``timeout`` seconds) through the query lane, which may raise
        :class:`~nelmkg.web.lanes.Busy`."""
        cacheable = self.cache.cacheable(job)
        answer = self.cache.get(job) if cacheable else None
        if answer is not None:
            self.metrics.cache_hits.inc()
        else:
            if cacheable:
                self.metrics.cache_misses.inc()
            with self.query_lane.enter(client):
                try:
                    answer = self.evaluator.call(
                        "query", job.as_tuple(), timeout, cancelled, wait=QUERY_WAIT
                    )
                except EvaluationTimeout:
                    self.metrics.timeouts.labels("query").inc()
                    raise
            if cacheable:
                self.cache.put(job, answer)
        if answer.truncated:
            self.metrics.truncated.inc()
        return answer

    def run_case(
        self,
        op: str,
        payload: dict,
        timeout: float,
        client: str | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Any:
        """Run the case operation ``op`` (:func:`nelmkg.web.casework.handlers`) in a case
        evaluator through the case lane (waiting at most ``timeout`` s for a free one, then
        running at most ``timeout`` s)."""
        with self.case_lane.enter(client):
            try:
                return self.cases.call(op, payload, timeout, cancelled, wait=timeout)
            except EvaluationTimeout:
                self.metrics.timeouts.labels("case").inc()
                raise

    def built(self, key: Any, build: Callable[[], T]) -> T:
        """Return the document kept under ``key``, building it once (the data never changes)."""
        try:
            return self._built[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._built:
                self._built[key] = build()
            return self._built[key]

    def knowledge(self) -> Graph:
        """Return the ontology and KG as one rdflib graph: the assessor's, parsed on first use."""
        return self.assessor.knowledge

    def start(self) -> None:
        """Fork every evaluator process now (from gunicorn's ``post_fork``)."""
        self.evaluator.start()
        self.cases.start()

    def close(self) -> None:
        """Stop the evaluator processes (they are started again on the next use)."""
        self.evaluator.close()
        self.cases.close()


def graphs_of(store: UnionStore, parts: Sequence[str]) -> Graph:
    """Return the named graphs ``parts`` (``ontology``, ``kg``, ...) of ``store`` as one graph."""
    triples = [
        quad.triple
        for part in parts
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[part])))
    ]
    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def output_prefixes() -> dict[str, str]:
    """Return the project prefixes for Turtle output, one prefix per namespace."""
    seen: dict[str, str] = {}
    for prefix, namespace in PREFIXES.items():
        seen.setdefault(namespace, prefix)
    return {prefix: namespace for namespace, prefix in seen.items()}


def check_named(queries: dict[str, NamedQuery]) -> None:
    """Raise :class:`QueryError` for a named query with a reserved parameter name, or with
    parameters but no WHERE group to bind them in (``load_query`` checked that it parses)."""
    for query in queries.values():
        clash = RESERVED_PARAMS.intersection(query.params)
        if clash:
            raise QueryError(f"{query.path}: parameter name(s) {sorted(clash)} are reserved")
        if query.params and not _bindable(query):
            raise QueryError(f"{query.path}: parameters need a WHERE group to be bound in")


def _bindable(query: NamedQuery) -> bool:
    """Return True if a ``VALUES`` block for every parameter makes a query Oxigraph parses."""
    if query.values_at is None:
        return False
    probe = {name: "<urn:nelmkg:probe>" for name in query.params}
    try:
        ox.Store().query(with_values(query.text, probe, query.values_at))
    except SyntaxError:  # e.g. CONSTRUCT WHERE { ... }: its group is also the template
        return False
    return True


def ontology_version(store: UnionStore) -> dict[str, str | None]:
    """Return the ontology's versionInfo and versionIRI."""
    for row in store.query(ONTOLOGY_VERSION):
        info, iri = row["info"], row["iri"]
        return {"version": info.value if info else None, "version_iri": iri.value if iri else None}
    return {"version": None, "version_iri": None}


def build_service(
    data_files: Sequence[Path | str] = (),
    memory_mb: int = 0,
    queries_dir: Path | None = None,
    cache_mb: float = 0,
    assessor: Assessor | None = None,
    query_slots: int = 4,
    query_slots_per_client: int = 2,
    case_slots: int = 2,
    fhir_work: Callable[[Assessor], Any] | None = None,
    remote: RemoteStore | None = None,
    query_timeout: float = 10.0,
) -> Service:
    """Load everything the service needs; raise on a broken data file or named query.

    Unless one is given, the assessor is built from the repository's files through the start-up
    cache (:mod:`nelmkg.graph.startcache`; the KG itself is parsed on first use), or from an
    external store's ontology and KG graphs. ``query_slots`` and ``case_slots`` size the
    evaluator pools (per worker process); see :mod:`nelmkg.web.lanes`. ``fhir_work`` makes the case
    evaluators' FHIR side (``nelmkg.web.fhir.work.FhirWork``: Bundles and CDS Hooks calls).
    With ``remote`` the service answers from that external store (:mod:`nelmkg.web.backend`).
    """
    store = backend.open_store(data_files, remote)
    named = load_queries(queries_dir or paths.queries_dir("evidence"))
    check_named(named)
    page_queries = load_queries(paths.queries_dir("pages"))
    check_named(page_queries)
    prefixes = output_prefixes()
    if assessor is None and remote is not None:  # the external store's ontology and KG
        assessor = Assessor.from_repository(knowledge=graphs_of(store, ("ontology", "kg")))
    elif assessor is None:  # the embedded store holds the repository's files: start-up cache
        assessor = Assessor.from_repository()
    handlers = {"query": backend.query_handler(store, prefixes, query_timeout)}
    roots = sandbox.default_read_roots(paths.root())
    metrics = Metrics()
    service = Service(
        store=store,
        info=backend.info(store),
        named=named,
        evaluator=EvaluatorPool(
            handlers,
            query_slots,
            memory_mb,
            roots,
            QUERY_NICENESS,
            metrics.restarted("query"),
            retire_mb=QUERY_RETIRE_MB,
            network=backend.network(store),
        ),
        prefixes=prefixes,
        assessor=assessor,
        contexts=load_contexts(),
        ontology_version=ontology_version(store),
        cases=EvaluatorPool(
            casework.handlers(assessor, fhir_work),
            case_slots,
            memory_mb,
            roots,
            on_restart=metrics.restarted("case"),
        ),
        query_lane=Lane("query", query_slots * QUERY_QUEUE, query_slots_per_client),
        case_lane=Lane("case", case_slots * CASE_QUEUE),
        cache=AnswerCache(int(cache_mb * 1024 * 1024)),
        page_queries=page_queries,
        metrics=metrics,
    )
    return service


def install(app: Flask, service: Service) -> None:
    """Hang ``service`` on ``app`` (once; ``create_app`` calls this)."""
    app.extensions[EXTENSION] = service


def current() -> Service:
    """Return the service of the app handling the current request."""
    return current_app.extensions[EXTENSION]
