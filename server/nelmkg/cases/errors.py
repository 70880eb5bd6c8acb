"""The error raised for case input that cannot be read as a case (before any SHACL check).

A :class:`CaseInputError` says what is wrong in one sentence and, where known, which key and
value, and the line and column of a syntax error. ``kind`` is a short stable code and
``status`` the HTTP status the service should answer with (mapped there to problem+json).
A case that parses but breaks the case shapes is *not* an input error: it gets a SHACL
report (``well_formed: false``).
"""

from __future__ import annotations

from typing import Any

from nelmkg.graph.jsonvalues import plain

# kind -> HTTP status the service answers with.
STATUS = {
    "syntax": 400,  # unparseable JSON, Turtle, N-Triples, RDF/XML, JSON-LD
    "not-utf8": 400,  # a body or file that is not UTF-8
    "media-type": 415,  # a content type we do not read
    "unknown-key": 422,  # a plain-JSON key that is not in the case context
    "bad-value": 422,  # a plain-JSON value of the wrong JSON type
    "remote-context": 422,  # a JSON-LD @context we would have to fetch
    "not-a-case": 422,  # not exactly one nelm:Patient node, or other nodes besides it
    "batch-too-large": 413,  # more cases in one request than the service takes
    "too-complex": 422,  # nested deeper than the case format allows, or exhausted the limits
    "doctype": 400,  # RDF/XML with a DOCTYPE: DTDs and entities are never processed
}


class CaseInputError(ValueError):
    """Unreadable case input, with ``kind``, ``key``, ``value``, ``line`` and ``column``."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = "syntax",
        key: str | None = None,
        value: Any = None,
        line: int | None = None,
        column: int | None = None,
        case_id: str | None = None,
        limit: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.key = key
        self.value = value
        self.line = line
        self.column = column
        self.case_id = case_id  # the refused case's "id", when it had one
        self.limit = limit  # batch-too-large: the most cases accepted

    @property
    def status(self) -> int:
        """Return the HTTP status for this kind of error (400, 415 or 422)."""
        return STATUS.get(self.kind, 400)

    def as_dict(self) -> dict[str, Any]:
        """Return the error's fields, JSON-ready, leaving out those that are unknown."""
        fields = {
            "kind": self.kind,
            "message": self.message,
            "key": self.key,
            "value": plain(self.value),
            "line": self.line,
            "column": self.column,
            "limit": self.limit,
        }
        return {k: v for k, v in fields.items() if v is not None}
