"""What a query job is and what comes back: :class:`Job`, :class:`Answer`, :class:`QueryFailure`.

A job crosses the pipe to the evaluator process as a plain tuple (:meth:`Job.as_tuple`), and
an answer comes back as a small header and its body bytes (:meth:`Answer.header`), so
neither side pickles a class (see :mod:`nelmkg.query.evaluator`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
    """One query to run: text, dataset, acceptable formats (keys), row cap.

    ``checked`` is set for a named query (its text was checked at start-up; its parameters
    are bound in the text, :func:`nelmkg.query.bound.bind`), ``union`` when it is known
    whether the query may see the union default graph (no ``FROM`` of its own).
    """

    query: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    result_format: str | None = "json"  # for SELECT / ASK; None: nothing acceptable
    graph_format: str | None = "turtle"  # for CONSTRUCT / DESCRIBE
    max_rows: int = 10_000
    base_iri: str | None = None
    checked: bool = False
    union: bool | None = None

    def as_tuple(self) -> tuple:
        """Return the fields in order (what crosses the pipe; ``Job(*t)`` rebuilds it)."""
        return tuple(getattr(self, name) for name in _JOB_FIELDS)


@dataclass(frozen=True)
class Answer:
    """A serialised result: its form (solutions, boolean, graph), format key and bytes."""

    form: str
    format: str
    body: bytes = b""
    truncated: bool = False
    table: tuple[list[str], list[list[tuple[str, str]]]] | None = None  # for HTML pages

    def header(self) -> tuple:
        """Return everything but the body (what crosses the pipe before the body bytes)."""
        return (self.form, self.format, self.truncated, self.table)


_JOB_FIELDS = tuple(Job.__dataclass_fields__)


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
