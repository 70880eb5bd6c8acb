"""Expected answers of competency queries, and a strict comparison with actual results.

Format of ``tests/data/competency/<query>.json`` (documented in ``queries/README.md``)::

    {"vars": ["claim", "n"], "ordered": false, "rows": [["id:claim/x", 3], ...]}
    {"boolean": true}                                   # for ASK queries

Values: an IRI is written in full or as ``prefix:local`` with a prefix of
:data:`nelmkg.graph.vocab.PREFIXES` (a file may add ``"prefixes": {...}``); a literal is written as
its lexical form; a numeric literal as a JSON number (compared numerically); an
``xsd:boolean`` as ``true``/``false``; a blank node as ``"_:"``; an unbound variable as
``null``. Rows are compared as an exact multiset (or list, when ``"ordered": true``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rdflib import BNode, Literal, Variable
from rdflib.namespace import XSD
from rdflib.query import Result

from nelmkg.graph.vocab import PREFIXES, curie, expand

_NUMERIC = {
    XSD[t]
    for t in (
        "integer decimal double float int long short byte nonNegativeInteger positiveInteger "
        "nonPositiveInteger negativeInteger unsignedInt unsignedLong unsignedShort unsignedByte"
    ).split()
}


class AnswerFormatError(ValueError):
    """An expected-answer file that does not follow the documented format."""


def _from_term(term) -> object:
    """Return the comparable form of one result term: IRIs and literals compare as strings."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, Literal) and term.datatype in _NUMERIC:
        try:
            return ("num", Decimal(str(term)))
        except InvalidOperation:
            return ("str", str(term))
    if isinstance(term, Literal) and term.datatype == XSD.boolean:
        return ("bool", bool(term.toPython()))
    return ("str", str(term))


def _from_json(value, prefixes: dict[str, str]) -> object:
    """Return the comparable form of one expected JSON value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("num", Decimal(str(value)))
    if isinstance(value, str):
        return ("bnode",) if value.startswith("_:") else ("str", expand(value, prefixes))
    raise AnswerFormatError(f"unsupported value {value!r}")


def display(value) -> object:
    """Render a comparable form for a readable failure message."""
    if value is None:
        return None
    kind, *rest = value
    if kind == "str":
        return curie(rest[0])
    if kind == "num":
        number = rest[0]
        return int(number) if number == number.to_integral_value() else float(number)
    return rest[0] if rest else "_:"


def compare(expected: dict, result: Result) -> list[str]:
    """Return the differences between an expected answer and a query result (empty if equal)."""
    if "boolean" in expected:
        if result.type != "ASK":
            return [f"expected an ASK answer, got a {result.type} result"]
        actual = bool(result.askAnswer)
        want = expected["boolean"]
        return [] if actual == want else [f"ASK: expected {want}, got {actual}"]
    missing = {"vars", "rows"} - set(expected)
    if missing:
        raise AnswerFormatError(f"missing keys {sorted(missing)}")
    if result.type != "SELECT":
        return [f"expected a SELECT result, got {result.type}"]
    names = list(expected["vars"])
    actual_vars = [str(v) for v in result.vars or []]
    if sorted(names) != sorted(actual_vars):
        return [f"vars: expected {names}, got {actual_vars}"]
    prefixes = {**PREFIXES, **expected.get("prefixes", {})}
    want = []
    for row in expected["rows"]:
        if len(row) != len(names):
            raise AnswerFormatError(f"row {row!r} has {len(row)} values for {len(names)} vars")
        want.append(tuple(_from_json(v, prefixes) for v in row))
    keys = [Variable(n) for n in names]
    got = [tuple(_from_term(b.get(k)) for k in keys) for b in result.bindings]
    return _diff_rows(want, got, ordered=bool(expected.get("ordered", False)))


def _diff_rows(want: list[tuple], got: list[tuple], ordered: bool) -> list[str]:
    """Return missing/unexpected rows; rows must match one to one (or in order)."""
    if ordered:
        if want == got:
            return []
        return [
            f"ordered rows differ:\n  expected {[_show(r) for r in want]}\n"
            f"  got      {[_show(r) for r in got]}"
        ]
    remaining = list(got)
    missing = []
    for row in want:
        if row in remaining:
            remaining.remove(row)
        else:
            missing.append(row)
    out = [f"missing row {_show(r)}" for r in missing]
    out += [f"unexpected row {_show(r)}" for r in remaining]
    return out


def _show(row: tuple) -> list:
    return [display(v) for v in row]
