"""What the service loads once at start-up and hangs on ``app.extensions["nelmkg"]``.

:func:`build_service` loads the store (bundled graphs + ``--data`` files), counts its graphs,
prepares the named queries of ``queries/evidence/`` (a broken one stops start-up) and creates
— but does not start — the evaluator process that will run queries, and an empty answer
cache (:mod:`nelmkg.web.sparql.cache`). The same
:class:`Service` may back several apps (the tests share one per session).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from flask import current_app

from nelmkg import paths
from nelmkg.graph.queries import NamedQuery, QueryError, load_queries
from nelmkg.graph.store import StoreInfo, load_store, store_info
from nelmkg.graph.vocab import PREFIXES
from nelmkg.web.sparql import bound, engine, sandbox
from nelmkg.web.sparql.cache import AnswerCache
from nelmkg.web.sparql.evaluator import Evaluator
from nelmkg.web.sparql.jobs import Answer, Job

# Query-string names the service reads itself; a named query may not use them as parameters.
RESERVED_PARAMS = frozenset({"format"})


@dataclass
class Service:
    """The loaded store, its counts, the named queries and the evaluator process."""

    store: ox.Store
    info: StoreInfo
    named: dict[str, NamedQuery]
    evaluator: Evaluator
    prefixes: dict[str, str]
    cache: AnswerCache = field(default_factory=lambda: AnswerCache(0))
    descriptions: dict = field(default_factory=dict)  # serialised service descriptions

    def run(self, job: Job, timeout: float) -> Answer:
        """Return the answer to ``job``: from the cache, else from the evaluator process
        (waiting at most ``timeout`` seconds)."""
        cacheable = self.cache.cacheable(job)
        answer = self.cache.get(job) if cacheable else None
        if answer is None:
            answer = self.evaluator.call("query", job, timeout)
            if cacheable:
                self.cache.put(job, answer)
        return answer

    def close(self) -> None:
        """Stop the evaluator process (it is started again on the next query)."""
        self.evaluator.close()


def output_prefixes() -> dict[str, str]:
    """Return the project prefixes for Turtle output, one prefix per namespace."""
    seen: dict[str, str] = {}
    for prefix, namespace in PREFIXES.items():
        seen.setdefault(namespace, prefix)
    return {prefix: namespace for namespace, prefix in seen.items()}


def check_named(queries: dict[str, NamedQuery]) -> None:
    """Raise :class:`QueryError` for a named query Oxigraph cannot parse or a reserved param."""
    empty = ox.Store()
    for query in queries.values():
        clash = RESERVED_PARAMS.intersection(query.params)
        if clash:
            raise QueryError(f"{query.path}: parameter name(s) {sorted(clash)} are reserved")
        try:
            empty.query(query.text)  # parse (and run on nothing): never touches the network
        except SyntaxError as exc:
            raise QueryError(f"{query.path}: {exc}") from exc


def build_service(
    data_files: Sequence[Path | str] = (),
    memory_mb: int = 0,
    queries_dir: Path | None = None,
    cache_mb: float = 0,
) -> Service:
    """Load everything the service needs; raise on a broken data file or named query."""
    store = load_store(data_files)
    named = load_queries(queries_dir or paths.queries_dir("evidence"))
    check_named(named)
    prefixes = output_prefixes()
    handlers = {
        "query": functools.partial(
            engine.run, store, prefixes=prefixes, view=bound.rdflib_view(store), named=named
        )
    }
    roots = sandbox.default_read_roots(paths.root())
    evaluator = Evaluator(handlers, memory_mb=memory_mb, read_roots=roots)
    cache = AnswerCache(int(cache_mb * 1024 * 1024))
    return Service(store, store_info(store), named, evaluator, prefixes, cache)


def current() -> Service:
    """Return the service of the app handling the current request."""
    return current_app.extensions["nelmkg"]
