"""Evaluate one SPARQL query on the Oxigraph store and serialise its result (a :class:`Job`).

This runs inside the evaluator process (:mod:`nelmkg.query.evaluator`), so everything a query
costs — parsing, evaluating, serialising (by Oxigraph's own writers, capped at the row limit:
:mod:`nelmkg.query.writers`) — falls under the time limit. It never fetches:

- ``SERVICE`` is refused before evaluation (403). Oxigraph would call the remote endpoint, so
  the check is conservative: a query mentioning the word ``SERVICE`` (after undoing ``\\u``
  escapes) must parse with rdflib and contain no service pattern, or it is refused.
- ``FROM`` / ``FROM NAMED`` name graphs of the local store; an unknown IRI is an empty graph.
- Updates are never executed: a text that fails to parse as a query but parses as an update
  is answered 403, like every other update.

Dataset: with no ``default_graphs``/``named_graphs`` the query sees the store's default graph
(the union of all named graphs, see :mod:`nelmkg.graph.store`) or its own ``FROM`` clauses; given
either, they replace both (SPARQL 1.1 Protocol §2.1.4).
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from nelmkg.graph.store import UnionStore
from nelmkg.query import prefixes, writers
from nelmkg.query.jobs import Answer, Job, QueryFailure, not_acceptable, take

_SERVICE_WORD = re.compile(r"(?<![\w])service(?![\w])", re.IGNORECASE)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_POSITION = re.compile(r"at (?:line )?(\d+)(?::| column )(\d+)")
MAX_MESSAGE = 240


def _unescape(text: str) -> str:
    """Undo SPARQL ``\\u``/``\\U`` escapes (rdflib applies them to the whole query text)."""

    def one(match: re.Match) -> str:
        code = int(match[1] or match[2], 16)
        return chr(code) if code <= 0x10FFFF else match[0]

    return _CODEPOINT.sub(one, text)


def _has_service(node) -> bool:
    if getattr(node, "name", None) == "ServiceGraphPattern":
        return True
    if isinstance(node, dict):
        return any(_has_service(v) for v in node.values())
    if isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        return any(_has_service(v) for v in node)
    return False


def check_no_service(text: str) -> None:
    """Raise a 403 :class:`QueryFailure` if the query may contain a ``SERVICE`` clause."""
    if not _SERVICE_WORD.search(_unescape(text)):
        return
    from rdflib.plugins.sparql.parser import parseQuery  # only for a query naming SERVICE

    try:
        tree = parseQuery(text)
    except Exception as exc:  # pyparsing, RecursionError, ...: cannot show it is harmless
        raise QueryFailure(
            403,
            "service-not-allowed",
            "SERVICE (federated query) is not allowed here, and this query "
            "mentions it in a way that could not be checked.",
        ) from exc
    if _has_service(tree):
        raise QueryFailure(
            403,
            "service-not-allowed",
            "SERVICE (federated query) is not allowed: this service never "
            "contacts other endpoints.",
        )


def is_update(text: str) -> bool:
    """Return True if ``text`` parses as a SPARQL Update request (parsed, never executed)."""
    from rdflib.plugins.sparql.parser import parseUpdate  # only for a text that is no query

    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def syntax_failure(exc: SyntaxError, text: str) -> QueryFailure:
    """Return the failure for a text Oxigraph cannot parse: 403 for an update, else 400."""
    if is_update(text):
        return QueryFailure(
            403,
            "update-not-allowed",
            "This is a SPARQL Update; the service is read-only and runs queries only.",
        )
    message = str(exc.msg if hasattr(exc, "msg") else exc)
    if len(message) > MAX_MESSAGE:  # Oxigraph lists every expected character class
        message = message[:MAX_MESSAGE].rsplit(",", 1)[0] + ", ..."
    found = _POSITION.search(message)
    line, column = (int(found[1]), int(found[2])) if found else (None, None)
    if prefixes.MARKER in message:
        prefix = prefixes.undeclared(text, line, column)
        if prefix is not None:
            return _undeclared(prefix, line, column)
    return QueryFailure(
        400, "query-syntax", f"The query does not parse: {message}", line=line, column=column
    )


def _undeclared(prefix: str, line: int | None, column: int | None) -> QueryFailure:
    iri = prefixes.suggest(prefix)
    advice = (
        f"add PREFIX {prefix}: <{iri}> (the project's prefix '{prefix}:')"
        if iri
        else "declare it with PREFIX; the project's prefix table has no such prefix"
    )
    return QueryFailure(
        400,
        "undeclared-prefix",
        f"The query uses the prefix '{prefix}:' without declaring it: {advice}.",
        prefix=prefix,
        suggestion=iri,
        line=line,
        column=column,
    )


def _dataset(job: Job) -> dict[str, Any]:
    if job.default_graphs is None and job.named_graphs is None:
        return {} if job.union is None else {"union": job.union}
    return {
        "default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
        "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()],
    }


def run(store: UnionStore, job: Job, prefixes: dict[str, str]) -> Answer:
    """Evaluate ``job`` on ``store`` and serialise the result; raise :class:`QueryFailure`."""
    if not job.checked:
        check_no_service(job.query)
    dataset = _dataset(job)
    try:
        result = store.query(job.query, base_iri=job.base_iri, **dataset)
        if isinstance(result, ox.QueryBoolean):
            return boolean_answer(bool(result), job)
        if isinstance(result, ox.QuerySolutions):
            return solutions_answer(
                result, job, lambda: store.query(job.query, base_iri=job.base_iri, **dataset)
            )
        return _graph(result, job, prefixes)
    except SyntaxError as exc:
        raise syntax_failure(exc, job.query) from exc
    except (OSError, ValueError, TypeError, RuntimeError) as exc:  # Oxigraph evaluation errors
        raise QueryFailure(
            400, "query-evaluation", f"The query could not be evaluated: {exc}"
        ) from exc


def run_tuple(store: UnionStore, fields: tuple, prefixes: dict[str, str]) -> Answer:
    """Run the job sent down the pipe as :meth:`Job.as_tuple` (see :func:`run`)."""
    return run(store, Job(*fields), prefixes)


def boolean_answer(value: bool, job: Job) -> Answer:
    """Write an ASK answer in the job's format (also used for an external store's answers)."""
    key = job.result_format
    if key is None:
        raise not_acceptable("boolean")
    if key == "html":
        return Answer(
            "boolean", "html", table=(["_askResult"], [[("literal", str(value).lower())]])
        )
    return Answer("boolean", key, writers.write_boolean(value, key))


def solutions_answer(result: ox.QuerySolutions, job: Job, again) -> Answer:
    """Write SELECT solutions in the job's format; ``again()`` evaluates the query anew."""
    key = job.result_format
    if key is None:
        raise not_acceptable("solutions")
    if key == "html":
        names = [v.value for v in result.variables]
        kept, cut = take(result, job.max_rows)
        rows = [[writers.display(t) for t in solution] for solution in kept]
        return Answer("solutions", "html", truncated=cut, table=(names, rows))
    first = [result]  # the writer asks again only when it must count another way

    def results() -> ox.QuerySolutions:
        return first.pop() if first else again()

    body, cut = writers.solutions(results, key, job.max_rows)
    return Answer("solutions", key, body, cut)


def _graph(result: ox.QueryTriples, job: Job, prefixes: dict[str, str]) -> Answer:
    key = job.graph_format
    if key is None:
        raise not_acceptable("graph")
    if key == "html":
        kept, cut = take(result, job.max_rows)
        rows = [[writers.display(t) for t in triple] for triple in kept]
        table = (["subject", "predicate", "object"], rows)
        return Answer("graph", "html", truncated=cut, table=table)
    body, cut = writers.triples(result, key, job.max_rows, prefixes)
    return Answer("graph", key, body, cut)
