"""The error raised for case input that cannot be read as a case (before any SHACL check).

A :class:`CaseInputError` says what is wrong in one sentence and, where known, which key and
value, and the line and column of a syntax error. ``kind`` is a short stable code and
``status`` the HTTP status the service should answer with (mapped there to problem+json).
A case that parses but breaks the case shapes is *not* an input error: it gets a SHACL
report (``well_formed: false``).
"""

from __future__ import annotations

from typing import Any

# kind -> HTTP status the service answers with.
STATUS = {
    "syntax": 400,  # unparseable JSON, Turtle, N-Triples, RDF/XML, JSON-LD
    "media-type": 415,  # a content type we do not read
    "unknown-key": 422,  # a plain-JSON key that is not in the case context
    "bad-value": 422,  # a plain-JSON value of the wrong JSON type
    "remote-context": 422,  # a JSON-LD @context we would have to fetch
    "not-a-case": 422,  # not exactly one nelm:Patient node, or other nodes besides it
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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.key = key
        self.value = value
        self.line = line
        self.column = column

    @property
    def status(self) -> int:
        """Return the HTTP status for this kind of error (400, 415 or 422)."""
        return STATUS.get(self.kind, 400)

    def as_dict(self) -> dict[str, Any]:
        """Return the error's fields, leaving out those that are unknown."""
        fields = {
            "kind": self.kind,
            "message": self.message,
            "key": self.key,
            "value": self.value,
            "line": self.line,
            "column": self.column,
        }
        return {k: v for k, v in fields.items() if v is not None}
