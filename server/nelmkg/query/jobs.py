"""What a query job is and what comes back: :class:`Job`, :class:`Answer`, :class:`QueryFailure`.

Also the packaging shared by both evaluation paths (Oxigraph for queries, rdflib for named
queries with bound parameters): take at most ``max_rows`` items of a lazy result, and write
them in the negotiated format — or as a table for the HTML page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nelmkg.query.writers import SOLUTION_WRITERS, display, write_boolean, write_triples

FORMAT_KEYS = {
    "solutions": "json xml csv tsv html",
    "boolean": "json xml csv tsv html",
    "graph": "turtle ntriples rdfxml jsonld html",
}


class QueryFailure(Exception):
    """A query the service will not answer: carries the HTTP status, problem slug and detail."""

    def __init__(self, status: int, slug: str, detail: str, **members: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.members = members

    def as_dict(self) -> dict[str, Any]:
        """Return the fields to rebuild this failure on the other side of a pipe."""
        return {"status": self.status, "slug": self.slug, "detail": self.detail, **self.members}


@dataclass(frozen=True)
class Job:
    """One query to run: text, dataset, acceptable formats (keys), row cap, bound parameters.

    ``named`` and ``bindings`` (``(variable, rdflib term)`` pairs) are set for a named query run
    with parameters; ``checked`` for a named query (its text was checked at start-up).
    """

    query: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    result_format: str | None = "json"  # for SELECT / ASK; None: nothing acceptable
    graph_format: str | None = "turtle"  # for CONSTRUCT / DESCRIBE
    max_rows: int = 10_000
    base_iri: str | None = None
    checked: bool = False
    named: str | None = None
    bindings: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Answer:
    """A serialised result: its form (solutions, boolean, graph), format key and bytes."""

    form: str
    format: str
    body: bytes = b""
    truncated: bool = False
    table: tuple[list[str], list[list[tuple[str, str]]]] | None = None  # for HTML pages


def not_acceptable(form: str) -> QueryFailure:
    """Return the 406 failure for a result of ``form`` that no accepted format can carry."""
    return QueryFailure(
        406,
        "not-acceptable",
        f"No acceptable format for this result; formats: {FORMAT_KEYS[form]} "
        "(see the Accept header or the format parameter).",
    )


def take(items: Iterable, cap: int) -> tuple[list, bool]:
    """Collect at most ``cap`` items of a lazy result; say whether more were left."""
    out = []
    for item in items:
        if len(out) == cap:
            return out, True
        out.append(item)
    return out, False


def boolean(value: bool, job: Job) -> Answer:
    """Package an ASK result."""
    key = job.result_format
    if key is None:
        raise not_acceptable("boolean")
    if key == "html":
        return Answer(
            "boolean", "html", table=(["_askResult"], [[("literal", str(value).lower())]])
        )
    return Answer("boolean", key, write_boolean(value, key))


def solutions(names: list[str], rows: Iterable[list], job: Job) -> Answer:
    """Package SELECT results (rows of Oxigraph terms, consumed up to the row cap)."""
    key = job.result_format
    if key is None:
        raise not_acceptable("solutions")
    kept, cut = take(rows, job.max_rows)
    if key == "html":
        table = (names, [[display(t) for t in row] for row in kept])
        return Answer("solutions", "html", truncated=cut, table=table)
    return Answer("solutions", key, SOLUTION_WRITERS[key](names, kept), cut)


def graph(triples: Iterable, job: Job, prefixes: dict[str, str]) -> Answer:
    """Package CONSTRUCT/DESCRIBE results (Oxigraph triples, consumed up to the row cap)."""
    key = job.graph_format
    if key is None:
        raise not_acceptable("graph")
    kept, cut = take(triples, job.max_rows)
    if key == "html":
        rows = [[display(t) for t in triple] for triple in kept]
        return Answer(
            "graph", "html", truncated=cut, table=(["subject", "predicate", "object"], rows)
        )
    return Answer("graph", key, write_triples(kept, key, prefixes), cut)
