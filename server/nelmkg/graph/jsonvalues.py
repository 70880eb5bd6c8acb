"""The one place an RDF term or a parsed JSON number becomes a JSON value.

Assessments, violations, input errors and problem members all show values through
:func:`to_json`: numbers as JSON numbers (an integral decimal as an integer), booleans as
booleans, a concept IRI as its notation (``G2``, ``none``) when a table of names is given, any
other IRI as its string. A number JSON cannot hold (NaN, an infinity: only RDF input can carry
one) is shown as its lexical form rather than dropped or turned into ``null``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rdflib import Literal
from rdflib.term import Node

JSONValue = None | bool | int | float | str


def to_json(value: Any, names: Mapping[Any, str] | None = None) -> JSONValue:
    """Return ``value`` (an RDF term, a ``Decimal`` or a JSON scalar) as a JSON scalar."""
    if isinstance(value, Literal):  # before str: an rdflib Literal is a str
        python = value.toPython()
        scalar = isinstance(python, bool | int | float | Decimal | str)
        if isinstance(python, Literal) or not scalar:
            return str(value)  # ill-typed, or a datatype JSON has no scalar for
        return to_json(python)
    if isinstance(value, Node):  # an IRI or blank node (also str subclasses)
        return (names or {}).get(value, str(value))
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        # Writing out the digits of 1E+1000000 would take minutes: show such a number as text.
        if not value.is_finite() or abs(value.adjusted()) > 64:
            return str(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, int):
        return value
    return str(value)


def plain(value: Any, names: Mapping[Any, str] | None = None) -> Any:
    """Return ``value`` with every scalar inside lists and objects made JSON-ready."""
    if isinstance(value, dict):
        return {str(k): plain(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, names) for v in value]
    return to_json(value, names)
