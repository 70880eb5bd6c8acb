"""Bind a query's variables on Oxigraph: SEP-0007 substitution, else an injected ``VALUES`` block.

For tests only. The service evaluates a named query *with* parameters with rdflib's engine
(``initBindings``, see :mod:`nelmkg.query.bound`), because Oxigraph substitutes only
variables the query projects, and no parameterised named query projects its parameter. A
differential test needs the same binding done by the other engine, so :func:`oxigraph_bound`
asks Oxigraph to substitute and, where it refuses, evaluates the query text with a ``VALUES``
block made by :func:`with_values`.

:func:`with_values` is a text transformation, not an algebra one: it puts
``VALUES (?a ?b) { (t1 t2) }`` first in the query's outermost group graph pattern (the one
after ``WHERE``, or after the query form when ``WHERE`` is left out; never in a ``CONSTRUCT``
template). A ``VALUES`` block there joins with the rest of the group before any ``OPTIONAL``,
``FILTER``, grouping or aggregate, so each solution has the variables bound as
``initBindings`` binds them. Comments, strings and IRIs are skipped while looking for the
group, so a brace, ``#`` or ``WHERE`` inside them is never taken for syntax.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<name>[A-Za-z_][\w.-]*(?::[\w.%:-]*)?|:[\w.%:-]*)
  | (?P<punct>[{}()])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}


def group_start(text: str) -> int:
    """Return the offset just after the ``{`` that opens the query's WHERE group.

    That is the first ``{`` outside braces and parentheses that follows the keyword
    ``WHERE``, or, in a SELECT, ASK or DESCRIBE query, that follows the query form (``WHERE``
    is optional there). Raises ``ValueError`` when the text has no such group.
    """
    form, last, braces, parens = None, None, 0, 0
    for match in _TOKEN.finditer(text):
        kind, token = match.lastgroup, match[0]
        if kind == "comment" or token.isspace():
            continue
        if kind == "name":
            last = token.upper()
            if form is None and braces == parens == 0 and last in _FORMS:
                form = last
            continue
        opens_group = last == "WHERE" or form in ("SELECT", "ASK", "DESCRIBE")
        if token == "{" and braces == parens == 0 and opens_group:
            return match.end()
        braces += (token == "{") - (token == "}")
        parens += (token == "(") - (token == ")")
        last = None
    raise ValueError("no WHERE group found in the query")


def values_block(bindings: Mapping[str, URIRef | Literal]) -> str:
    """Return ``VALUES (?a ?b) { (t1 t2) }`` binding each variable to its rdflib term."""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def with_values(text: str, bindings: Mapping[str, URIRef | Literal]) -> str:
    """Return ``text`` with a ``VALUES`` block binding ``bindings`` first in its WHERE group."""
    if not bindings:
        return text
    at = group_start(text)
    return f"{text[:at]}\n  {values_block(bindings)}\n{text[at:]}"


def to_oxigraph(term: URIRef | BNode | Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Return the Oxigraph term of an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
    return ox.Literal(str(term), datatype=datatype)


def oxigraph_bound(
    store: ox.Store, text: str, bindings: Mapping[str, URIRef | Literal]
) -> tuple[object, str]:
    """Evaluate ``text`` on ``store`` with ``bindings``; return (result, how it was bound).

    How is ``"substitution"`` when Oxigraph substituted the variables itself, else
    ``"values"`` (it refuses variables the query does not project, and aggregate queries).
    """
    substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
    try:
        return store.query(text, substitutions=substitutions), "substitution"
    except RuntimeError as exc:
        if "projection" not in str(exc):
            raise
    return store.query(with_values(text, bindings)), "values"
