"""XSD literals as SHACL Core judges them: well-formedness and numeric comparison.

``sh:datatype D`` holds for a literal of datatype ``D`` whose lexical form is in ``D``'s
lexical space; an ill-formed literal is a violation. ``sh:minInclusive`` and its siblings are
SPARQL comparisons: two numeric literals compare by value after type promotion (integer types
and ``xsd:decimal`` exactly, then ``xsd:float``, then ``xsd:double``); anything else (strings,
booleans, dates, IRIs, blank nodes, ill-formed numbers) cannot be compared, and a comparison
that is not true is a violation. ``NaN`` compares false with everything.

Lexical spaces are XSD 1.1's after the ``whiteSpace`` facet has collapsed the form (``" 12 "``
is 12), as Apache Jena reads them, plus the ``inf``/``nan`` spellings rdflib gives a parsed
``INF``/``NaN`` double. rdflib's own flag for a literal it could not read
(``Literal.ill_typed``) also makes it ill-formed: rdflib may rewrite the lexical form while
parsing (``"TRUE"^^xsd:boolean`` becomes ``"true"``, flagged), and the flag is then the only
trace of the original. Only the datatypes in :data:`LEXICAL` and :data:`INTEGER_RANGES` are
known; the shapes compiler refuses a ``sh:datatype`` outside them.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import rdflib
from rdflib import Literal, Node
from rdflib.namespace import RDF, XSD

_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
# rdflib writes the INF and NaN it parsed as Python does (inf, -inf, nan): accepted as such.
_FLOATING = re.compile(rf"{_NUMBER}([eE][+-]?[0-9]+)?|[+-]?INF|NaN|-?inf|nan")
_INTEGER = re.compile(r"[+-]?[0-9]+")
LEXICAL: dict[Node, re.Pattern] = {
    XSD.decimal: re.compile(_NUMBER),
    XSD.double: _FLOATING,
    XSD.float: _FLOATING,
    XSD.boolean: re.compile(r"true|false|1|0"),
}
# xsd:integer and the types derived from it: (lowest, highest) value, None when unbounded.
INTEGER_RANGES: dict[Node, tuple[int | None, int | None]] = {
    XSD.integer: (None, None),
    XSD.nonNegativeInteger: (0, None),
    XSD.positiveInteger: (1, None),
    XSD.nonPositiveInteger: (None, 0),
    XSD.negativeInteger: (None, -1),
    XSD.long: (-(2**63), 2**63 - 1),
    XSD.int: (-(2**31), 2**31 - 1),
    XSD.short: (-(2**15), 2**15 - 1),
    XSD.byte: (-128, 127),
    XSD.unsignedLong: (0, 2**64 - 1),
    XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 2**16 - 1),
    XSD.unsignedByte: (0, 2**8 - 1),
}
STRINGS = frozenset({XSD.string, RDF.langString})
KNOWN_DATATYPES = frozenset(LEXICAL) | frozenset(INTEGER_RANGES) | STRINGS
# Promotion ranks: exact (integer types, decimal) < float < double.
EXACT, FLOAT, DOUBLE = 0, 1, 2
_XSD_SPACE = " \t\n\r"
# How a numeric datatype's lexical form is read (the hot path avoids rdflib term equality).
_READ = {
    **{datatype: "integer" for datatype in INTEGER_RANGES},
    XSD.decimal: "decimal",
    XSD.double: "double",
    XSD.float: "float",
}
_DECIMAL = LEXICAL[XSD.decimal]

Number = tuple[int, int | Decimal | float]


def _integer(text: str, datatype: Node) -> int | None:
    if not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    low, high = INTEGER_RANGES[datatype]
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value


def _single(value: float) -> float:
    """Round a double to the nearest xsd:float (IEEE single precision); overflow is infinite."""
    try:
        return struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def numeric(term: Node) -> Number | None:
    """Return ``(rank, value)`` of a well-formed numeric literal, else None (not comparable)."""
    if type(term) is not Literal and not isinstance(term, Literal):
        return None
    datatype = term.datatype
    kind = _READ.get(datatype) if datatype is not None else None
    if kind is None or term.ill_typed:
        return None
    text = str(term).strip(_XSD_SPACE)
    if kind == "integer":
        value = _integer(text, datatype)
        return None if value is None else (EXACT, value)
    if kind == "decimal":
        return (EXACT, Decimal(text)) if _DECIMAL.fullmatch(text) else None
    if not _FLOATING.fullmatch(text):
        return None
    value = float(text)
    return (DOUBLE, value) if kind == "double" else (FLOAT, _single(value))


def _as(number: Number, rank: int) -> int | Decimal | float:
    """Return the value of ``number`` promoted to ``rank`` (SPARQL numeric type promotion)."""
    have, value = number
    if have >= rank:
        return value
    try:
        double = float(value)
    except OverflowError:  # an integer beyond the double range (a Decimal saturates by itself)
        double = math.inf if value > 0 else -math.inf
    return _single(double) if rank == FLOAT else double


def compare(left: Number, right: Number) -> int | None:
    """Return -1, 0 or 1 as ``left`` is below, equal to or above ``right``; None for NaN."""
    rank = max(left[0], right[0])
    a, b = _as(left, rank), _as(right, rank)
    if a < b:
        return -1
    if a > b:
        return 1
    return 0 if a == b else None  # NaN is neither


def well_formed(term: Node, datatype: Node) -> bool:
    """Return True when ``term`` is a literal of ``datatype`` with a valid lexical form."""
    if not isinstance(term, Literal):
        return False
    if datatype == XSD.string:  # rdflib keeps a simple literal's datatype as None
        return term.language is None and term.datatype in (None, XSD.string)
    if datatype == RDF.langString:
        return term.language is not None
    if term.datatype != datatype or term.ill_typed:
        return False
    text = str(term).strip(_XSD_SPACE)
    if datatype in INTEGER_RANGES:
        return _integer(text, datatype) is not None
    return bool(LEXICAL[datatype].fullmatch(text))


@contextmanager
def normalisation(enabled: bool) -> Iterator[None]:
    """Parse with rdflib's literal normalisation on or off, restoring the setting after.

    Off, rdflib keeps a lexical form as written (``" 12 "``, ``"yes"^^xsd:boolean``) instead of
    rewriting it, which is what a second engine reading the same file sees.
    """
    saved = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = enabled
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = saved
