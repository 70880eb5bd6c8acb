"""Bounds on what a case may hold, checked before any costly work is done on it.

A body of a few bytes must not cost seconds: ``1E1000000`` is a valid JSON number, and turning
it into a decimal and then into its digits takes minutes; ``int()`` of more than 4,300 digits
raises. So numbers are checked on their *lexical form* first — at most
:data:`MAX_NUMBER_CHARS` characters and an exponent within ±:data:`MAX_EXPONENT` — by the JSON
reader's number hooks (:func:`json_number`) and, for RDF input, on every numeric literal
(:func:`check_graph`). A case's JSON nesting is capped at :data:`MAX_DEPTH` (a case is flat; a
JSON-LD case needs a few levels for its context; a FHIR Bundle is bounded by
:mod:`nelmkg.fhir.bounds`), strings must be Unicode text (an escaped lone
surrogate such as ``"\\ud800"`` is not), and RDF/XML may not carry a DOCTYPE, so no DTD or
entity is ever processed (:func:`check_xml`). Every refusal is a
:class:`~nelmkg.cases.errors.CaseInputError` (4xx), never a crash.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from nelmkg.cases.errors import CaseInputError

MAX_NUMBER_CHARS = 64
MAX_EXPONENT = 64
MAX_DEPTH = 32
# A number given by code (not read from JSON text) is refused only when writing out its digits
# would be costly or impossible (Python refuses to write out more than 4,300 digits).
MAX_WRITTEN_DIGITS = 4000
_EXPONENT = re.compile(r"[eE]([+-]?\d+)$")
# Datatypes whose literals rdflib turns into Python numbers when it parses them.
NUMERIC = frozenset(
    XSD[name]
    for name in """decimal integer nonNegativeInteger positiveInteger nonPositiveInteger
    negativeInteger long int short byte unsignedLong unsignedInt unsignedShort unsignedByte
    double float""".split()
)


def number_problem(text: str) -> str | None:
    """Return why the numeral ``text`` is out of bounds, or None when it may be converted."""
    if len(text) > MAX_NUMBER_CHARS:
        return f"is {len(text)} characters long; at most {MAX_NUMBER_CHARS} are read"
    exponent = _EXPONENT.search(text.strip())
    if exponent and abs(int(exponent[1])) > MAX_EXPONENT:
        return f"has an exponent beyond ±{MAX_EXPONENT}"
    return None


def _shown(text: str) -> str:
    return text if len(text) <= 24 else text[:20] + "…"


def _refuse_number(text: str, key: str | None = None) -> CaseInputError:
    why = number_problem(text)
    subject = f"{key} is a number that" if key else f"the number {_shown(text)}"
    return CaseInputError(
        f"{subject} {why}", kind="bad-value", key=key, value=_shown(text)
    )


def json_number(text: str) -> int | Decimal:
    """Number hook of the JSON reader: check ``text``'s lexical form, then convert it."""
    if number_problem(text):
        raise _refuse_number(text)
    if any(c in text for c in ".eE"):
        return Decimal(text)
    return int(text)


def check_text(text: str) -> None:
    """Refuse a string that is not Unicode text (it holds a lone surrogate)."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CaseInputError(
            f"the text holds U+{ord(text[exc.start]):04X}, a lone surrogate (an escape such as "
            "\\ud800 without its pair), which is not Unicode text",
            kind="not-utf8",
        ) from exc


def check_tree(doc: Any, max_depth: int | None = MAX_DEPTH) -> None:
    """Refuse a parsed JSON document nested deeper than ``max_depth`` (None: any depth; a
    FHIR Bundle has bounds of its own, :mod:`nelmkg.fhir.bounds`) or holding a string that is
    not Unicode text (walked without recursion)."""
    todo = [(doc, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, str):
            check_text(node)
            continue
        if not isinstance(node, dict | list):
            continue
        if max_depth is not None and depth > max_depth:
            raise CaseInputError(
                f"the document is nested deeper than {max_depth} levels", kind="too-complex"
            )
        if isinstance(node, dict):
            for key, value in node.items():
                check_text(key)
                todo.append((value, depth + 1))
        else:
            todo.extend((value, depth + 1) for value in node)


def check_xml(text: str) -> None:
    """Refuse RDF/XML declaring a DOCTYPE or an entity: DTDs are never processed."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise CaseInputError(
            "RDF/XML with a DOCTYPE (a DTD or entity declarations) is not accepted; "
            "send the document without it",
            kind="doctype",
        )


def check_graph(graph: Graph, keys: dict[URIRef, str] | None = None) -> None:
    """Refuse a parsed case graph with an out-of-bounds numeric literal or non-Unicode text.

    ``keys`` maps properties to case-format keys, so that the error can name the key.
    """
    for _s, p, o in graph:
        for term in (p, o):
            check_text(str(term))
        if isinstance(o, Literal) and o.datatype in NUMERIC and number_problem(str(o)):
            raise _refuse_number(str(o), (keys or {}).get(p))
