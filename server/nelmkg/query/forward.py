"""Run one query job on an external store (a :class:`~nelmkg.graph.remote.RemoteStore`).

The evaluator-process counterpart of :func:`nelmkg.query.engine.run` when the service is
started with ``--store``: it runs in the same killable, sandboxed evaluator processes, under
the same lanes, so the time limit really stops the work (the child is killed, which closes its
connection to the store). Before anything is sent:

1. (a named query's parameters are already bound in its text, as for the embedded store);
2. ``SERVICE`` is refused, as in the embedded path;
3. the text is parsed by Oxigraph here (evaluated on an empty store, which holds nothing and
   reaches nothing), so a syntax error, an undeclared prefix or an update gets the very same
   answer as from the embedded store and never reaches the store;
4. the dataset is restricted to the served graphs (:meth:`RemoteStore.dataset`).

The store is told the time limit where its protocol allows (``stores.toml``); the row cap is
applied while reading, and a result cut at the cap is closed rather than read to its end.
"""

from __future__ import annotations

import logging

import pyoxigraph as ox

from nelmkg.graph.remote import (
    RemoteStore,
    StoreError,
    StoreRefused,
    StoreTimeout,
    StoreUnavailable,
)
from nelmkg.query import engine, jobs, writers
from nelmkg.query.jobs import Answer, Job, QueryFailure

log = logging.getLogger("nelmkg.web")


def check(parser: ox.Store, text: str, job: Job) -> None:
    """Refuse ``text`` as the embedded path would: SERVICE, syntax, prefixes, updates."""
    if not job.checked:
        engine.check_no_service(text)
    try:
        # Evaluated on an empty store: nothing to read; SERVICE was refused above.
        parser.query(text, base_iri=job.base_iri)  # parsed now; evaluated lazily (never)
    except SyntaxError as exc:
        raise engine.syntax_failure(exc, job.query) from exc
    except (OSError, ValueError, TypeError, RuntimeError):
        pass  # an evaluation error on no data: let the store evaluate it on the real data


def failure(exc: StoreError, limit: float) -> QueryFailure:
    """Return the failure answering a store error (its URL is logged, never shown)."""
    log.warning("store: %s", exc)
    if isinstance(exc, StoreTimeout):
        return QueryFailure(
            503,
            "query-timeout",
            f"The query ran for more than {limit:g} s and was stopped. Narrow it (LIMIT, "
            "more specific patterns) and try again.",
            limit_seconds=limit,
        )
    if isinstance(exc, StoreRefused):
        return QueryFailure(
            502, "store-refused", f"The triple store refused the query: {exc.reason}"
        )
    return QueryFailure(
        503, "store-unavailable", f"The triple store is not answering: {exc.reason}"
    )


def run_tuple(
    store: RemoteStore, fields: tuple, prefixes: dict[str, str], parser: ox.Store, limit: float
) -> Answer:
    """Run the job sent down the pipe as :meth:`Job.as_tuple` (see :func:`run`)."""
    return run(store, Job(*fields), prefixes, parser, limit)


def run(
    store: RemoteStore, job: Job, prefixes: dict[str, str], parser: ox.Store, limit: float
) -> Answer:
    """Check ``job``, evaluate it on ``store`` and write the answer; raise QueryFailure.

    A named query's parameters are already in its text (:mod:`nelmkg.query.bound`).
    """
    check(parser, job.query, job)
    dataset = {}
    if job.default_graphs is not None or job.named_graphs is not None:
        dataset = {
            "default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()],
        }
    opened: list = []

    def ask():
        # A second longer than the evaluator's own limit: the kill comes first.
        found = store.query(
            job.query, base_iri=job.base_iri, timeout=limit + 1, stream=True, **dataset
        )
        opened.append(found)
        return found

    try:
        result = ask()
        if isinstance(result, ox.QueryBoolean):
            return engine.boolean_answer(bool(result), job)
        if hasattr(result, "variables"):
            first = [result]  # the writer asks again only when it must count another way
            return engine.solutions_answer(result, job, lambda: first.pop() if first else ask())
        return _graph(result, job, prefixes)
    except StoreError as exc:
        raise failure(exc, limit) from exc
    except (OSError, SyntaxError) as exc:  # the store's answer broke off while being written
        raise failure(StoreUnavailable(f"reading the store's answer: {exc}"), limit) from exc
    finally:
        for each in opened:
            close = getattr(each, "close", None)
            if close is not None:
                close()  # a result cut at the row cap: stop reading, drop the connection


def _graph(result, job: Job, prefixes: dict[str, str]) -> Answer:
    """Write a CONSTRUCT/DESCRIBE answer read from the store, cut at the row cap."""
    key = job.graph_format
    if key is None:
        raise jobs.not_acceptable("graph")
    kept, cut = jobs.take(result, job.max_rows)
    if key == "html":
        rows = [[writers.display(t) for t in triple] for triple in kept]
        table = (["subject", "predicate", "object"], rows)
        return Answer("graph", "html", truncated=cut, table=table)
    return Answer("graph", key, writers.write_triples(kept, key, prefixes), cut)
