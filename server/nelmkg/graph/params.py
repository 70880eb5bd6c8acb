"""Parameters of named queries: parse ``name=value`` text into RDF terms for ``initBindings``.

One function turns what a person types (in a ``#+ example:`` header line, a URL query string or
a form field) into the RDF term that is bound to the query's variable:

- ``<https://...>``, ``https://...``, ``http://...``, ``urn:...`` -> an IRI;
- ``prefix:local`` with a known prefix (:data:`PARAM_PREFIXES`) -> the expanded IRI;
- digits (optionally signed) -> an ``xsd:integer`` literal;
- anything else -> a plain string literal.

An example line holds one binding set written like a URL query string, e.g.
``#+ example: a=th:tace&b=th:tare``. The service and the tests share these functions, so an
example that works in the tests works on the service.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from nelmkg.graph.vocab import ID, PREFIXES

# The KG's own prefixes (docs/kg-authoring.md), on top of the shared table of vocab.PREFIXES.
ID_PREFIXES: dict[str, str] = {
    name: f"{ID}{path}/"
    for name, path in {
        "sec": "section",
        "claim": "claim",
        "crit": "criterion",
        "cset": "criteria-set",
        "amb": "ambiguity",
        "rec": "recommendation",
        "path": "pathway",
        "pf": "prognostic-factor",
        "th": "therapy",
        "dx": "diagnostic",
        "outc": "outcome",
        "gl": "guideline",
        "orgn": "organisation",
        "journal": "journal",
        "rv": "reported-value",
        "pv": "p-value",
        "arm": "study-arm",
        "dg": "design-grounding",
        "need": "research-need",
    }.items()
}
PARAM_PREFIXES: dict[str, str] = {**PREFIXES, **ID_PREFIXES, "unit": "http://qudt.org/vocab/unit/"}

_SCHEME = re.compile(r"^(?:https?://|urn:)\S+$")
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):(\S*)$")
_INTEGER = re.compile(r"^[+-]?\d+$")


class ParamError(ValueError):
    """A parameter that cannot be used: unknown name or empty value."""


def parse_param(text: str, prefixes: dict[str, str] | None = None) -> Identifier:
    """Return the RDF term for one parameter value (see the module docstring for the rules)."""
    value = text.strip()
    if not value:
        raise ParamError("empty parameter value")
    if value.startswith("<") and value.endswith(">"):
        return URIRef(value[1:-1])
    if _SCHEME.match(value):
        return URIRef(value)
    match = _CURIE.match(value)
    table = PARAM_PREFIXES if prefixes is None else prefixes
    if match and match[1] in table:
        return URIRef(table[match[1]] + match[2])
    if _INTEGER.match(value):
        return Literal(int(value))
    return Literal(value)


def parse_bindings(
    pairs: list[tuple[str, str]] | dict[str, str], allowed: tuple[str, ...] | None = None
) -> dict[str, Identifier]:
    """Return ``{variable: term}`` for ``name=value`` pairs; names must be in ``allowed``.

    ``allowed`` is the query's declared parameters (``#+ params:``); ``None`` accepts any name.
    A leading ``?`` or ``$`` on a name is ignored.
    """
    items = pairs.items() if isinstance(pairs, dict) else pairs
    bindings: dict[str, Identifier] = {}
    for raw_name, value in items:
        name = raw_name.strip().lstrip("?$")
        if allowed is not None and name not in allowed:
            declared = ", ".join(allowed) or "none"
            raise ParamError(f"unknown parameter {name!r} (declared: {declared})")
        bindings[name] = parse_param(value)
    return bindings


def parse_example(example: str, allowed: tuple[str, ...] | None = None) -> dict[str, Identifier]:
    """Return the bindings of one ``#+ example:`` line (``a=th:tace&b=th:tare``).

    A line without ``=`` (such as ``(no parameters)``) binds nothing.
    """
    if "=" not in example:
        return {}
    return parse_bindings(parse_qsl(example.strip(), keep_blank_values=True), allowed)
